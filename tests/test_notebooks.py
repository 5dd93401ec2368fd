"""The report notebooks: structure rules, committed without outputs, and Run All with their
own defaults (no papermill parameters) from the notebooks folder, as in JupyterLab.
The batch tests (test_runner.py) run every notebook on the demo params for every report.
"""
from __future__ import annotations

import ast
import json
import subprocess
import sys

import nbformat
import pytest

from _demo_batch import NOTEBOOKS, ROOT

NAMES = ["01-team-evaluation.ipynb", "02-country-evaluation.ipynb", "03-collaborative-summary.ipynb"]


def test_the_three_numbered_notebooks_exist():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
    assert "papermill" not in nb.metadata
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("name", NAMES)
def test_exactly_one_parameters_cell_with_demo_defaults(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    values = {}
    exec(tagged[0].source, {}, values)  # plain assignments only
    assert values["data_dir"] == "../data/demo" and values["params_dir"] == "../params"
    assert values["exclude_units"] == []
    if name.startswith("01-"):
        assert values["team_id"] == "cedar-river-tribe"
    if name.startswith("02-"):
        assert values["country_id"] in ("moldova", "evergreen")


@pytest.mark.parametrize("name", NAMES)
def test_notebook_code_is_thin_and_has_no_try_except(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        assert not any(isinstance(node, ast.Try) for node in ast.walk(tree)), cell.source[:60]
        imports = sum(node.end_lineno - node.lineno + 1 for node in tree.body
                      if isinstance(node, (ast.Import, ast.ImportFrom)))
        assert len(cell.source.splitlines()) - imports <= 15, cell.source[:60]  # imports are not logic
        assert not any(isinstance(node, (ast.FunctionDef, ast.ClassDef)) for node in ast.walk(tree))


@pytest.mark.parametrize("name", NAMES)
def test_notebook_opens_with_summary_and_ends_with_methods(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    headings = [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines()
                if line.startswith("## ")]
    # the report opens with its answer: the h1 and the summary box come before the first section heading
    first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "summary_box(" in c.source)
    assert "title_block(" in nb.cells[first].source
    assert not any(line.startswith(("# ", "## ")) for c in nb.cells[:first] if c.cell_type == "markdown"
                   and "notebook-only" not in c.metadata.get("tags", []) for line in c.source.splitlines())
    assert headings[-1].startswith("## Methods") or any(h.startswith("## Methods") for h in headings[-2:])
    sources = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "record_verdicts(" in sources  # the index page gets this report's verdicts


_RUN_ALL = """
import json, sys
from evalkit.batch.execute import execute_notebook
out = {}
for path in sys.argv[1:]:
    result = execute_notebook(path, {}, engine="fast")
    out[path] = None if result.error is None else str(result.error)
print(json.dumps(out))
"""


def test_run_all_with_the_notebook_defaults_from_the_notebooks_folder():
    # what a user gets from JupyterLab's Run All: the parameters cell's own defaults,
    # relative paths resolved from the notebook's folder (execute_notebook's default cwd)
    paths = [str(NOTEBOOKS / n) for n in NAMES]
    proc = subprocess.run([sys.executable, "-c", _RUN_ALL, *paths], cwd=ROOT / "tests", capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    errors = json.loads(proc.stdout.strip().splitlines()[-1])
    assert errors == {p: None for p in paths}
