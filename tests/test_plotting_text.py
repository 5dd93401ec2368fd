"""Text from data is drawn literally by every chart: ``$`` and ``%`` are not mathtext.

"Cut $ spent on overtime by 10% ($40k)" made matplotlib's mathtext parser raise while the
figure was drawn (the country report failed); "Stipends: $50 per visit, $25 per call" was
drawn with "50 per visit, " as italic math. Each test draws a chart (Agg) with such text in
the data, then checks the text is the data unchanged and drawn without math or TeX.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from evalkit.collaborative.pdsa import ESSENTIALS  # noqa: E402
from evalkit.country.collaboration import membership_over_time  # noqa: E402
from evalkit.country.goals import deliverable_status, goal_progress  # noqa: E402
from evalkit.country.qual import code_cooccurrence, theme_breadth  # noqa: E402
from evalkit.country.training import trained_coverage  # noqa: E402
from evalkit.effects.its import interrupted_time_series  # noqa: E402
from evalkit.plotting import country as pc  # noqa: E402
from evalkit.plotting import effects as pe  # noqa: E402
from evalkit.plotting import workforce as pw  # noqa: E402
from evalkit.plotting.spc import plot_qic, plot_qic_facets  # noqa: E402
from evalkit.spc import qic  # noqa: E402
from evalkit.workforce import monthly_workforce  # noqa: E402
from test_collaboration import _membership  # noqa: E402
from test_goals import _deliv, _goals  # noqa: E402
from test_qual import _excerpts, _sessions  # noqa: E402
from test_training import _roster, _training  # noqa: E402

CRASH = "Cut $ spent on overtime by 10% ($40k)"  # raised ValueError (mathtext) when drawn
GARBLE = "Stipends: $50 per visit, $25 per call"  # drew "50 per visit, " as math
SHORT = "$5k & 10% ($2)"  # fits the 25-30 character labels of legends and heat maps


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _drawn(chart) -> list[Text]:
    """Draw the chart's figure (raises if any text cannot be drawn); its visible texts."""
    fig = chart if isinstance(chart, plt.Figure) else chart.figure
    fig.canvas.draw()
    return [t for t in chart.findobj(Text) if t.get_text() and t.get_visible()]


def _literal(chart, *data: str) -> None:
    """Each ``data`` string is the whole of one drawn text, unchanged and drawn without math."""
    texts = _drawn(chart)
    for value in data:
        matches = [t for t in texts if t.get_text() == value]
        assert matches, (value, [t.get_text() for t in texts])
    for t in texts:
        if "$" in t.get_text():
            assert t.get_parse_math() is False and t.get_usetex() is False, t.get_text()


def _containing(chart, value: str) -> list[str]:
    return [t.get_text() for t in _drawn(chart) if value in t.get_text()]


def test_goal_progress_shows_goal_names_literally():
    goals = _goals([["md", "a", CRASH, "", 40, 20, 30, "2024-06-30", None, None, None],
                    ["md", "b", GARBLE, "", 15, 30, 33, "2024-06-30", None, None, None]])
    ax = pc.plot_goal_progress(goal_progress(goals, period_start="2023-01-01", period_end="2025-01-01"))
    _literal(ax, CRASH, GARBLE)
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == sorted([CRASH, GARBLE])


def test_deliverable_timeline_shows_titles_literally():
    d = _deliv([["md", "tg1", "d1", "g1", "Pay $40k", "2023-06-30", "2023-06-30"],
                ["md", "tg1", "d2", "g1", "10% ($5) raise", "2023-06-30", None]])
    ax = pc.plot_deliverable_timeline(deliverable_status(d, as_of="2024-01-01"))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert any("Pay $40k" in s for s in labels) and any("10% ($5) raise" in s for s in labels)
    _literal(ax)


def test_membership_chart_shows_sectors_literally():
    m = _membership()
    m["sector"] = m["sector"].replace({"donor": SHORT})
    ax = pc.plot_membership_by_sector(membership_over_time(m, expected_sectors=["government", "$ funders"],
                                                           country="md"))
    _literal(ax, SHORT)
    assert ax.get_title() == "Members by sector\nmissing at last date: $ funders"
    assert SHORT in [t.get_text() for t in ax.get_legend().get_texts()]


def test_qual_heat_maps_show_codes_and_groups_literally():
    sessions = _sessions()
    sessions["affinity_group"] = sessions["affinity_group"].replace({"parents": SHORT})
    excerpts = _excerpts()
    excerpts["code_path"] = excerpts["code_path"].str.replace("Systems", "Sys $ 10%")
    ax = pc.plot_theme_heatmap(theme_breadth(excerpts, sessions))
    _literal(ax, SHORT)
    assert _containing(ax, "Sys $ 10%")
    ax = pc.plot_cooccurrence(code_cooccurrence(excerpts))
    _literal(ax)
    assert _containing(ax, "Sys $ 10%")


def test_training_coverage_shows_the_team_literally():
    training, roster = _training(), _roster()
    training["programme"] = training["programme"].replace({"cw": SHORT})
    roster["team_id"] = roster["team_id"].replace({"cw": SHORT})
    res = trained_coverage(training, roster, start="2023-01-01", end="2023-05-01")
    ax = pc.plot_training_coverage(res, team_id=SHORT)
    _literal(ax)
    assert ax.get_title().startswith(f"Training coverage — {SHORT}\n")


def test_run_chart_title_categories_and_annotations_are_literal():
    months = pd.date_range("2022-01-01", periods=12, freq="MS")
    r = qic(np.arange(12.0) % 5, x=months, chart="run")
    ann = pd.DataFrame({"date": [months[5]], "label": [GARBLE]})
    ax = plot_qic(r, title=CRASH, annotations=ann, ylabel=SHORT)
    _literal(ax, CRASH, GARBLE, SHORT)
    assert ax.get_title(loc="left") == CRASH
    cats = qic([3.0, 4, 5, 4], x=["$5 visits", "10% ($2)", "c", "d"], chart="run")
    ax = plot_qic(cats)
    _literal(ax, "$5 visits", "10% ($2)")
    fig = plot_qic_facets(qic(np.arange(8.0), chart="i", facet=["a"] * 4 + ["b"] * 4),
                          titles={"a": CRASH, "b": GARBLE})
    _literal(fig, CRASH, GARBLE)


def test_its_charts_show_titles_literally():
    months = pd.date_range("2022-01-01", periods=24, freq="MS")
    y = 10 + 0.1 * np.arange(24) - 2 * (np.arange(24) >= 12) + np.random.default_rng(3).normal(0, 0.3, 24)
    its = interrupted_time_series(pd.DataFrame({"period": months, "y": y}), value="y", start=months[12])
    ax = pe.plot_its(its, title=CRASH, ylabel=GARBLE)
    _literal(ax, CRASH, GARBLE)
    fig = pe.plot_its_facets({"a": its, "b": its}, titles={"a": CRASH, "b": GARBLE}, ylabel=SHORT)
    _literal(fig, CRASH, GARBLE, SHORT)


def test_comparison_event_study_shows_measure_labels_literally():
    from pathlib import Path

    from evalkit.inputs.params import load_team
    from evalkit.report import sections

    root = Path(__file__).resolve().parents[1]
    params = load_team(root / "params", "valley-county")
    tables = sections.load_report_tables(root / "data" / "demo", "valley-county", kind="team", params=params,
                                         params_dir=root / "params")
    judgement = sections.measure_charts(tables, params).judgement
    first, second, *_ = judgement.comparison
    fig = pe.plot_comparison_event_study(judgement, "valley-county", labels={first: CRASH, second: GARBLE})
    _literal(fig, CRASH, GARBLE)


def test_collaborative_charts_show_team_and_group_names_literally():
    empty = pd.DataFrame(columns=["team_id", "essential", "start", "end", "ramp", "status"])
    assert ESSENTIALS  # the lanes exist; the team has no cycles, so its name is in the note
    _literal(pe.plot_pdsa_timeline(empty, CRASH), f"no PDSA cycles logged for {CRASH}")
    _literal(pe.plot_signal_counts(pd.DataFrame(columns=["group", "measure_id"]), group=GARBLE),
             f"no verdicts for {GARBLE}")


def test_workforce_titles_show_team_names_literally():
    roster = pd.DataFrame({"team_id": "t", "staff_key": [f"s{i}" for i in range(12)],
                           "hire_date": pd.to_datetime(["2020-01-01"] * 12),
                           "separation_date": pd.to_datetime([None] * 11 + ["2023-03-10"]),
                           "separation_type": [None] * 11 + ["voluntary"]})
    monthly = monthly_workforce(roster, start="2023-01", end="2023-06")
    ax = pw.plot_turnover(monthly, "t", title=CRASH)
    _literal(ax, CRASH)
    assert ax.get_title() == CRASH
