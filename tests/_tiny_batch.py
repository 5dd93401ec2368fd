"""A batch of tiny notebooks over the demo inputs, for runner tests that need real runs but
not real reports (locking, faults, error attribution). Not a test module.

Each notebook has the ``parameters`` cell papermill needs plus the cells a test gives, so
one report renders in about a second instead of the demo reports' ten or more.
"""
from __future__ import annotations

from pathlib import Path

import nbformat

from evalkit.inputs.kinds import REPORT_KINDS


def tiny_notebooks(folder: Path, *cells: str, markdown_first: bool = True) -> Path:
    """Write the three report notebooks into ``folder``: a parameters cell, a heading, then ``cells``."""
    folder.mkdir(parents=True, exist_ok=True)
    for kind in REPORT_KINDS.values():
        nb = nbformat.v4.new_notebook()
        params = nbformat.v4.new_code_cell("team_id = country_id = None\ndata_dir = params_dir = None\n"
                                           "exclude_units = ()")
        params.metadata["tags"] = ["parameters"]
        nb.cells = [params] + ([nbformat.v4.new_markdown_cell("# A tiny report")] if markdown_first else [])
        nb.cells += [nbformat.v4.new_code_cell(source) for source in cells]
        nbformat.write(nb, folder / kind.notebook)
    return folder
