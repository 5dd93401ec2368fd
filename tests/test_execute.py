"""Running one notebook (evalkit.batch.execute): which cell a failure is attributed to."""
from __future__ import annotations

import nbformat
import pytest

from _demo_batch import DATA, PARAMS
from _tiny_batch import tiny_notebooks
from evalkit.batch.run import run_batch

# A chart whose drawing raises: the inline backend draws figures after the cell's code has
# run (post_execute), so the error does not come from the cell's own statements.
BROKEN_CHART = """\
import matplotlib.pyplot as plt
from matplotlib.artist import Artist

class Broken(Artist):
    def draw(self, renderer):
        raise RuntimeError("drawing failed")

fig, ax = plt.subplots()
ax.add_artist(Broken())"""


@pytest.mark.parametrize("engine", ["fast", "papermill"])
def test_an_error_while_drawing_a_chart_names_the_cell_that_drew_it(tmp_path, engine):
    notebooks = tiny_notebooks(tmp_path / "notebooks", "x = 1", BROKEN_CHART, "y = 2", "z = 3", "print(x + y + z)")
    result = run_batch(PARAMS, DATA, tmp_path / "out", only=["moldova"], notebooks_dir=notebooks, progress=False,
                       engine=engine)
    assert result.exit_code == 1
    (entry,) = result.entries
    # cells: 1 parameters, 2 heading, 3 "x = 1", 4 the chart, 5-7 after it; In [n] skips the
    # markdown and counts the injected parameters cell
    assert entry["cell"] == 4
    assert entry["error"] == "cell 4 (In [4]): RuntimeError: drawing failed"


def test_a_cell_that_raises_is_named_and_stops_the_run(tmp_path):
    notebooks = tiny_notebooks(tmp_path / "notebooks", "x = 1", "raise ValueError('boom')", "print('after')")
    out = tmp_path / "out"
    result = run_batch(PARAMS, DATA, out, only=["moldova"], notebooks_dir=notebooks, progress=False)
    (entry,) = result.entries
    assert (entry["cell"], entry["error"]) == (4, "cell 4 (In [4]): ValueError: boom")
    nb = nbformat.read(out / "countries" / "moldova.failed.ipynb", as_version=4)
    assert nb.cells[-1].source == "print('after')" and nb.cells[-1].outputs == []  # not run
