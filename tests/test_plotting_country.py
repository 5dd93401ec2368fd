"""Smoke tests for evalkit.plotting.country: each chart returns Axes, draws from results, shows no ids."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from evalkit.country.collaboration import membership_over_time  # noqa: E402
from evalkit.errors import InputError  # noqa: E402
from evalkit.country.goals import deliverable_status, goal_progress  # noqa: E402
from evalkit.plotting import country as pc  # noqa: E402
from evalkit.country.qual import code_cooccurrence, theme_breadth  # noqa: E402
from evalkit.country.training import trained_coverage  # noqa: E402
from test_collaboration import _membership  # noqa: E402
from test_goals import _deliv, _goals  # noqa: E402
from test_qual import _excerpts, _sessions  # noqa: E402
from test_training import _roster, _training  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    rc = dict(matplotlib.rcParams)
    yield
    plt.close("all")
    assert dict(matplotlib.rcParams) == rc  # no global style change


def _texts(ax):
    return " ".join(t.get_text() for t in ax.figure.findobj(matplotlib.text.Text))


def test_goal_and_deliverable_charts():
    g = _goals([["md", "a", "Cut", "cases", 40, 20, 30, "2024-06-30", None, None, None],
                ["md", "b", "Grow", "members", 15, 30, 33, "2024-06-30", None, None, None]])
    ax = pc.plot_goal_progress(goal_progress(g, period_start="2023-01-01", period_end="2025-01-01"))
    assert isinstance(ax, matplotlib.axes.Axes) and len(ax.patches) == 2
    d = _deliv([["md", "tg1", "d1", "g1", "On due", "2023-06-30", "2023-06-30"],
                ["md", "tg1", "d2", "g1", "Open", "2023-06-30", None]])
    _, ax0 = plt.subplots()
    assert pc.plot_deliverable_timeline(deliverable_status(d, as_of="2024-01-01"), ax=ax0) is ax0


def test_membership_chart_names_missing():
    ax = pc.plot_membership_by_sector(membership_over_time(_membership(), expected_sectors=["government", "faith"],
                                                           country="md"))
    assert "missing at last date: faith" in ax.get_title()


def test_qual_heatmaps():
    ax = pc.plot_theme_heatmap(theme_breadth(_excerpts(), _sessions()))
    assert "tribal *" in [t.get_text() for t in ax.get_xticklabels()]
    with pytest.raises(InputError):
        pc.plot_theme_heatmap(theme_breadth(_excerpts(), _sessions()), value="n_participants")
    ax = pc.plot_cooccurrence(code_cooccurrence(_excerpts()), value="jaccard")
    assert [c.get_gid() for c in ax.collections] == ["heatmap"]  # one seaborn mesh


def test_coverage_chart_draws_no_person_keys():
    res = trained_coverage(_training(), _roster(), start="2023-01-01", end="2023-05-01")
    ax = pc.plot_training_coverage(res, team_id="cw")
    assert len(ax.lines) == 3  # one line per level: current-staff coverage only, never the cumulative count
    assert ax.get_ylim() == (0, 100) and all(max(line.get_ydata()) <= 100 for line in ax.lines)
    assert len({line.get_linestyle() for line in ax.lines}) == 3  # not colour alone
    words = set(_texts(ax).replace(":", " ").split())
    assert not words & {"a", "b", "c", "d", "e", "f", "h"}


def test_empty_results_give_a_message_not_an_error():
    empty = goal_progress(_goals([]))
    ax = pc.plot_goal_progress(empty)
    assert "No goals" in _texts(ax)
