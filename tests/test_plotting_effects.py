"""Smoke and content tests for evalkit.plotting.effects (Agg backend; no global style change)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from evalkit.effects import difference_in_differences, interrupted_time_series  # noqa: E402
from evalkit.collaborative.pdsa import pdsa_heatmap  # noqa: E402
from evalkit.plotting.effects import (  # noqa: E402
    plot_event_study,
    plot_its,
    plot_its_facets,
    plot_pdsa_heatmap,
    plot_pdsa_timeline,
    plot_progress,
    plot_progress_distribution,
    plot_progress_shares,
    plot_signal_counts,
)
from evalkit.collaborative.progress import progress_trajectory, score_distribution, share_at_or_above  # noqa: E402

MONTHS = pd.date_range("2022-01-01", periods=36, freq="MS")
T = np.arange(36) - 15


@pytest.fixture(autouse=True)
def _close():
    before = dict(plt.rcParams)
    yield
    assert dict(plt.rcParams) == before  # no global style change
    plt.close("all")


def _gids(ax):
    return {a.get_gid() for a in ax.get_children() if a.get_gid()}


def _its():
    y = 10 + 0.2 * T - 3 * (T >= 0) + np.random.default_rng(1).normal(0, 0.5, 36)
    return interrupted_time_series(pd.DataFrame({"period": MONTHS, "y": y}), value="y", start="2023-04")


def test_its_plot_draws_observed_fitted_counterfactual_and_start():
    ax = plot_its(_its(), title="t")
    assert {"observed", "fitted-before", "fitted-after", "counterfactual", "start"} <= _gids(ax)
    cf = [l for l in ax.lines if l.get_gid() == "counterfactual"][0]
    assert len(cf.get_xdata()) == 21  # post-start months only


def test_its_facets_return_a_figure_with_one_panel_per_team():
    fig = plot_its_facets({"a": _its(), "b": _its(), "c": _its()}, ncols=2)
    assert isinstance(fig, plt.Figure)
    assert sum(ax.get_visible() for ax in fig.axes) == 3


def test_event_study_plot_marks_reference_and_zero():
    rng = np.random.default_rng(2)
    u = np.repeat(np.arange(8), 20)
    t = np.tile(np.arange(20), 8)
    p = pd.DataFrame({"u": u, "t": t, "y": rng.normal(size=160), "tr": u < 4, "post": t >= 10})
    r = difference_in_differences(p, unit="u", time="t", outcome="y", treated="tr", post="post", n_boot=999,
                                  event_window=(-4, 4))
    ax = plot_event_study(r)
    assert {"estimates", "reference", "zero", "start"} <= _gids(ax)


PDSA = pd.DataFrame({
    "team_id": ["a", "a", "a"], "pdsa_id": ["p1", "p2", "p3"], "ramp_id": ["r1", "r1", "r2"],
    "change_idea": ["x", "y", "z"], "essential": ["mattering-at-work", "mattering-at-work", "work-life-harmony"],
    "driver": ["d"] * 3, "start_date": pd.to_datetime(["2023-04-01", "2023-05-01", "2023-06-01"]),
    "end_date": pd.to_datetime(["2023-04-20", "2023-05-25", None]), "prediction": ["p"] * 3,
    "decision": ["adapt", "adopt", "ongoing"], "measure_id": ["m"] * 3})


def test_pdsa_timeline_has_one_bar_per_cycle_and_one_lane_per_essential():
    ax = plot_pdsa_timeline(PDSA, "a")
    assert sum(p.get_gid() == "cycle" for p in ax.patches) == 3
    assert [t.get_text() for t in ax.get_yticklabels()] == ["work-life-harmony", "mattering-at-work"]
    ax2 = plot_pdsa_timeline(PDSA, "a", lanes="ramp")
    assert [t.get_text() for t in ax2.get_yticklabels()] == ["r1", "r2"]
    assert "empty-note" in _gids(plot_pdsa_timeline(PDSA, "zzz"))


def test_pdsa_heatmap_writes_counts():
    ax = plot_pdsa_heatmap(pdsa_heatmap(PDSA))
    assert "heatmap" in _gids(ax)
    assert sorted(t.get_text() for t in ax.texts) == ["1", "1", "1"]


A = pd.DataFrame([("t1", "2023-04", "faculty", 2.0), ("t1", "2023-04", "self", 2.5),
                  ("t1", "2023-06", "faculty", 3.0), ("t2", "2023-04", "faculty", 1.5)],
                 columns=["team_id", "period", "rater", "score"])


def test_progress_plots():
    tr = progress_trajectory(A)
    ax = plot_progress(tr, "t1")
    assert {"faculty", "self", "threshold"} <= _gids(ax)
    assert "team" in _gids(plot_progress(tr))
    assert "share" in _gids(plot_progress_shares(share_at_or_above(A)))
    ax = plot_progress_distribution(score_distribution(A))
    assert {"score-1.5", "score-2", "score-3"} <= {p.get_gid() for p in ax.patches}


def test_signal_counts_plot_stacks_verdicts():
    counts = pd.DataFrame({"measure_id": ["m1", "m2"], "group": ["all participating teams"] * 2, "n_teams": [3, 3],
                           "improved": [2, 0], "deteriorated": [0, 1], "mixed": [0, 0], "no_change": [1, 2],
                           "too_little_data": [0, 0]})
    ax = plot_signal_counts(counts, labels={"m1": "Measure one"})
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Measure one", "m2"]
    imp = [p for p in ax.patches if p.get_gid() == "verdict-improved"]
    assert [p.get_width() for p in imp] == [2, 0]


def test_pdsa_timeline_month_ticks_label_whole_months():
    import matplotlib.dates as mdates

    ax = plot_pdsa_timeline(PDSA, "a", as_of="2023-06-30", month_ticks=True)
    lo, hi = (mdates.num2date(v).strftime("%Y-%m-%d") for v in ax.get_xlim())
    # cycles run 2023-04-01 .. 2023-06-30 (ongoing to as_of): whole months April to June
    assert (lo, hi) == ("2023-04-01", "2023-07-01")
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels == ["Apr 2023", "May 2023", "Jun 2023", "Jul 2023"]
