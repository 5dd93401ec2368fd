"""Render the demo batch once per test session and share it (runner, report and notebook tests).

Not a test module (no ``test_`` prefix); test modules import ``demo_batch`` and call it
from a fixture with pytest's ``tmp_path_factory``. Rendering the 15 demo reports takes
most of the runner tests' time, so every test that only *reads* outputs reuses this one
run; tests that change inputs copy its output folder so that unchanged reports are
cached and only the reports they concern re-execute.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "demo"
PARAMS = ROOT / "params"
NOTEBOOKS = ROOT / "notebooks"

_CACHE: dict = {}


def demo_batch(tmp_path_factory):
    """(out_dir, BatchResult) of one fast-engine run of the whole demo batch (jobs=2)."""
    if "batch" not in _CACHE:
        from evalkit.batch.run import run_batch

        out = tmp_path_factory.mktemp("demo-batch") / "outputs"
        result = run_batch(PARAMS, DATA, out, jobs=2, progress=False)
        _CACHE["batch"] = (out, result)
    return _CACHE["batch"]


def copy_outputs(src: Path, dst: Path) -> Path:
    """A copy of a rendered output folder (manifest included), so cached reports stay cached."""
    shutil.copytree(src, dst)
    return dst


def copy_inputs(tmp_path: Path) -> tuple[Path, Path]:
    """Copies of the demo data and params folders to change in a test."""
    data = tmp_path / "data"
    params = tmp_path / "params"
    shutil.copytree(DATA, data)
    shutil.copytree(PARAMS, params)
    return data, params


def notebooks_with_team_cell(tmp_path: Path, source: str) -> Path:
    """A copy of the notebooks folder whose team notebook runs ``source`` as its fourth cell."""
    import nbformat

    folder = tmp_path / "notebooks"
    folder.mkdir()
    for path in NOTEBOOKS.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        if path.name.startswith("01-"):
            nb.cells.insert(3, nbformat.v4.new_code_cell(source))
        nbformat.write(nb, folder / path.name)
    return folder

