"""Plots of evalkit.spc.qic results draw what the result says (Agg backend, no display)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from evalkit.errors import InputError  # noqa: E402
from evalkit.plotting.spc import plot_qic, plot_qic_facets  # noqa: E402
from evalkit.spc import qic  # noqa: E402

RNG = np.random.default_rng(7)
MONTHS = pd.date_range("2022-01-01", periods=24, freq="MS")


def _by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def _n_offsets(ax, gid):
    return sum(len(c.get_offsets()) for c in _by_gid(ax, gid))


CHART_INPUTS = {
    "run": dict(y=RNG.normal(10, 2, 24)),
    "i": dict(y=RNG.normal(10, 2, 24)),
    "mr": dict(y=RNG.normal(10, 2, 24)),
    "xbar": dict(y=RNG.normal(10, 2, 72), x=np.repeat(MONTHS, 3)),
    "s": dict(y=RNG.normal(10, 2, 72), x=np.repeat(MONTHS, 3)),
    "t": dict(y=RNG.exponential(10, 24)),
    "p": dict(y=RNG.binomial(50, 0.3, 24), n=np.full(24, 50)),
    "pp": dict(y=RNG.binomial(500, 0.3, 24), n=np.full(24, 500)),
    "c": dict(y=RNG.poisson(8, 24)),
    "u": dict(y=RNG.poisson(8, 24), n=RNG.uniform(80, 120, 24)),
    "up": dict(y=RNG.poisson(80, 24), n=RNG.uniform(800, 1200, 24)),
    "g": dict(y=RNG.geometric(0.1, 24)),
}


@pytest.mark.parametrize("chart", sorted(CHART_INPUTS))
def test_every_chart_type_plots_its_points_and_signals(chart):
    kw = dict(CHART_INPUTS[chart])
    y = np.asarray(kw.pop("y"), dtype=float)
    if chart not in ("mr", "t", "g"):
        y[-1] = y[-1] * 4 + 50 if chart not in ("p", "pp") else kw["n"][-1]  # force a high point
    x = kw.pop("x", MONTHS)
    r = qic(y, kw.get("n"), x, chart=chart)
    fig, ax = plt.subplots()
    out = plot_qic(r, ax, ylabel="value")
    assert out is ax
    pts = r.points
    finite = np.isfinite(pts["y"].to_numpy(dtype=float))
    drawn = _n_offsets(ax, "points") + _n_offsets(ax, "grey-points")
    assert drawn == len(pts)  # NaN offsets are kept by scatter but not shown
    assert _n_offsets(ax, "sigma-signal") == int(pts["sigma_signal"].sum())
    assert len(_by_gid(ax, "centre-line")) == pts["part"].nunique()
    if chart != "run":
        assert _by_gid(ax, "limits")
    assert finite.any()
    plt.close(fig)


def test_runs_signal_dashes_centre_line_and_greys_excluded_points():
    y = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 12, 8] + [15] * 12
    r = qic(y, x=MONTHS, chart="run", exclude=[2])
    assert bool(r.summary["runs_signal"].iloc[0])
    fig, ax = plt.subplots()
    plot_qic(r, ax)
    (line,) = _by_gid(ax, "centre-line")
    assert line.get_linestyle() == "--"
    # excluded point and the points exactly on the median are grey
    on_line = int((r.points["y"] == r.points["cl"]).sum())
    assert _n_offsets(ax, "grey-points") == 1 + on_line
    plt.close(fig)


def test_phases_target_annotations_and_caption():
    y = RNG.normal(10, 1, 24)
    r = qic(y, x=MONTHS, chart="i", part=[12], direction="increase")
    ann = pd.DataFrame({"date": pd.to_datetime(["2022-06-15", "2030-01-01"]), "label": ["PDSA 1", "late"]})
    fig, ax = plt.subplots()
    plot_qic(r, ax, target=11.5, annotations=ann, title="Well-being pulse")
    assert len(_by_gid(ax, "phase-break")) == 1
    assert len(_by_gid(ax, "target")) == 1
    assert len(_by_gid(ax, "annotation")) == 1  # the 2030 event is outside the chart
    caption = [t for t in ax.texts if t.get_gid() == "caption"][0].get_text()
    assert "Anhøj" in caption and "Verdict" in caption
    plt.close(fig)


def test_event_labels_close_in_time_are_stacked_and_never_overlap():
    from evalkit.plotting.render import figure_png

    y = RNG.normal(10, 1, 36)
    months = pd.date_range("2022-01-01", periods=36, freq="MS")
    r = qic(y, x=months, chart="i")
    # a demo team's events (data/demo/events.csv, valley-county): long labels a few months apart
    ann = pd.DataFrame({"date": pd.to_datetime(["2023-04-25", "2023-08-01", "2023-10-15", "2023-11-15",
                                                "2024-06-01"]),
                        "label": ["Learning Session 1", "Reflective supervision for all caseworkers began",
                                  "Hiring panel with fast-track offers adopted", "Learning Session 2",
                                  "Learning Session 3"]})
    plot_qic(r, annotations=ann, title="Staff turnover", caption=False)
    fig = plt.gcf()
    figure_png(fig)  # lays the figure out and draws it
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].texts if t.get_gid() == "annotation-label"]
    assert len(boxes) == 5
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), (a, b)
    # far-apart short labels share the lowest row
    rows = {round(b.y0) for b in boxes}
    assert len(rows) < len(boxes)
    plt.close(fig)


def test_categorical_x_is_dots_only_and_mdc_colours():
    r = qic([3, 5, 4, 6, 5], x=list("abcde"), chart="run")
    fig, ax = plt.subplots()
    plot_qic(r, ax)
    assert not _by_gid(ax, "data-line")
    plt.close(fig)
    y = [2.0, 0.0] * 6 + [1.5, 1.2, 1.6, 1.3, 1.5, 1.2, 1.4]   # 7 above cl = 1: shift
    m = qic(y, chart="i", method="mdc", cl=1, direction="increase")
    fig, ax = plt.subplots()
    plot_qic(m, ax)
    assert _n_offsets(ax, "mdc-special_cause_improvement") == 7
    plt.close(fig)


def test_facets_small_multiples_and_facet_choice():
    f = np.repeat(["a", "b", "c"], 24)
    r = qic(RNG.normal(10, 1, 72), x=np.tile(MONTHS, 3), chart="i", facet=f)
    fig = plot_qic_facets(r, ncols=2, titles={"a": "Team A"})
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3 and len(fig.axes) == 4
    assert visible[0].get_title(loc="left") == "Team A"
    plt.close(fig)
    with pytest.raises(InputError):
        plot_qic(r)
    fig, ax = plt.subplots()
    plot_qic(r, ax, facet="b")
    plt.close(fig)


def test_plotting_does_not_change_global_style():
    before = dict(matplotlib.rcParams)
    fig, ax = plt.subplots()
    plot_qic(qic(RNG.normal(size=12), chart="i"), ax)
    plt.close(fig)
    assert dict(matplotlib.rcParams) == before
