"""Tests for evalkit.effects.workforce_change (survey_change, turnover_change) and their sentences.

Expected values are computed independently of the code under test:
* scale means, differences, staff-months, rates and rate ratios by hand (arithmetic below);
* the Welch interval and p-value with scipy.stats.ttest_ind(equal_var=False) (reference implementation);
* Hedges' g from Borenstein et al. (2009) ch. 4 formulas written out here;
* Newcombe's hybrid score interval (1998, method 10) from Wilson limits written out here;
* exact rate-ratio limits checked against the conditional binomial tail equations with scipy.stats.binom.
Literal numbers inside expected sentences are those independent values, rounded by hand.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from evalkit.errors import DataError, InputError
from evalkit.effects.narrative import CAUTION_WITHIN_TEAM
from evalkit.effects.workforce_change import PrePostSummary, survey_change, turnover_change
from evalkit.workforce.survey import CBI_WORK
from evalkit.workforce import monthly_workforce

Z = stats.norm.ppf(0.975)
ROOT = Path(__file__).resolve().parents[1]
CBI_ITEMS = [f"cbi_work_{i}" for i in range(1, 8)]


# --------------------------------------------------------------------------- fixtures
def _cbi_row(team, wave, rid, score, answered=7):
    """A CBI response whose scale score is ``score``: items 1-6 = score, item 7 (reverse-keyed) = 100 - score."""
    items = [score] * 6 + [100 - score]
    items = [v if i < answered else np.nan for i, v in enumerate(items)]
    return {"team_id": team, "wave": wave, "fielded": f"202{wave + 1}-10-01", "response_id": rid,
            **dict(zip(CBI_ITEMS, items))}


def _survey(before=(75, 50, 50, 75, 25, 50), after=(25, 25, 0, 25, 0), middle=(100, 100, 100, 100, 100),
            extra_after=()):
    rows = [_cbi_row("t", 1, f"a{i}", s) for i, s in enumerate(before)]
    rows += [_cbi_row("t", 2, f"b{i}", s) for i, s in enumerate(middle)]  # wave 2: ignored by default
    rows += [_cbi_row("t", 3, f"c{i}", s) for i, s in enumerate(after)]
    rows += [_cbi_row("t", 3, f"d{i}", s, answered=k) for i, (s, k) in enumerate(extra_after)]
    rows += [_cbi_row("other", w, f"o{w}{i}", 100) for w in (1, 3) for i in range(6)]  # another team: ignored
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- survey_change
def test_survey_change_means_hedges_g_and_shares_by_hand():
    # one respondent in wave 3 answered only 3 items (< min_items 4): no score, not counted
    r = survey_change(_survey(extra_after=[(100, 3)]), CBI_WORK, team_id="t")
    assert isinstance(r, PrePostSummary) and r.kind == "survey"
    row = r.table.iloc[0]
    # before (W1): 75, 50, 50, 75, 25, 50 -> mean 325/6; after (W3): 25, 25, 0, 25, 0 -> mean 75/5 = 15
    assert (row.wave_before, row.wave_after, row.n_before, row.n_after) == (1, 3, 6, 5)
    assert row.mean_before == pytest.approx(325 / 6)
    assert row.mean_after == pytest.approx(15.0)
    assert row.difference == pytest.approx(15 - 325 / 6)  # -39.1667
    # variances: before 625 * (25+1+1+25+49+1)/36 / 5 = 354.1667; after 625 * 1.2 / 4 = 187.5
    v_b, v_a = 625 * 102 / 36 / 5, 625 * 1.2 / 4
    ref = stats.ttest_ind([25, 25, 0, 25, 0], [75, 50, 50, 75, 25, 50], equal_var=False)
    ci = ref.confidence_interval()
    assert (row.ci_low, row.ci_high, row.p_value) == pytest.approx((ci.low, ci.high, ref.pvalue))
    # Hedges' g: pooled SD sqrt((4*187.5 + 5*354.17)/9), J = 1 - 3/(4*11 - 9)
    sp = math.sqrt((4 * v_a + 5 * v_b) / 9)
    d = (15 - 325 / 6) / sp
    J = 1 - 3 / 35
    se_g = J * math.sqrt(11 / 30 + d * d / 22)
    assert (row.hedges_g, row.hedges_g_ci_low, row.hedges_g_ci_high) == pytest.approx(
        (J * d, J * d - Z * se_g, J * d + Z * se_g))
    # at or above 50: 5 of 6 before, 0 of 5 after; Newcombe from Wilson limits
    def wilson(x, n):
        c, h = 2 * x + Z * Z, Z * math.sqrt(Z * Z + 4 * x * (1 - x / n))
        return (c - h) / (2 * (n + Z * Z)), (c + h) / (2 * (n + Z * Z))
    (l1, u1), (l2, u2) = wilson(0, 5), wilson(5, 6)
    dp = 0 - 5 / 6
    assert row.pct_before == pytest.approx(500 / 6) and row.pct_after == 0
    assert row.pct_difference == pytest.approx(100 * dp)
    assert row.pct_ci_low == pytest.approx(100 * (dp - math.sqrt((0 - l1) ** 2 + (u2 - 5 / 6) ** 2)))
    assert row.pct_ci_high == pytest.approx(100 * (dp + math.sqrt((u1 - 0) ** 2 + (5 / 6 - l2) ** 2)))
    # 5 of 6 at or above: the 1 below the cut-off is a count under 5, so the share is not reported
    assert not row.suppressed and row.pct_suppressed
    # no respondent-level data leaves the function
    assert list(r.table.columns[:16]) == ["scale", "wave_before", "wave_after", "n_before", "n_after", "mean_before",
                                         "mean_after", "difference", "ci_low", "ci_high", "p_value", "hedges_g",
                                         "hedges_g_ci_low", "hedges_g_ci_high", "pct_before", "pct_after"]
    assert len(r.table) == 1 and "response_id" not in r.table.columns


def test_survey_change_burnout_fall_is_worded_as_an_improvement():
    r = survey_change(_survey(), CBI_WORK, team_id="t")
    # values from the hand/scipy calculation above, rounded: diff -39.17, CI -61.44 to -16.90, g -2.140
    # (-3.546 to -0.734). The share (5 of 6 = 83.3% before) would tell that 1 respondent scored under 50,
    # so it is not stated (a count under 5 people, worked out as 6 - 5).
    assert r.sentences == (
        "Before/after within one team (survey waves W1 and W3): the mean work-related burnout (Copenhagen Burnout "
        "Inventory) score was 39.2 points lower (95% CI \u221261.4 to \u221216.9 points; Hedges' g \u22122.14, "
        "95% CI \u22123.55 to \u22120.73). The whole interval is in the direction of improvement. The share "
        "scoring 50 or more is not shown because fewer than 5 respondents scored that high, or below it, in wave "
        "W1. " + CAUTION_WITHIN_TEAM,)
    assert r.report_table()["pct_before"].tolist() == ["suppressed"]
    assert r.design == "Before/after within one team (survey waves W1 and W3)"


def test_survey_change_higher_is_better_fall_is_a_deterioration():
    wellbeing = {"label": "Well-being", "items": CBI_ITEMS, "reverse": ["cbi_work_7"], "response_min": 0,
                 "response_max": 100, "score": "mean", "min_items": 4, "cutoff": None, "higher_is": "better"}
    r = survey_change(_survey(), wellbeing, team_id="t")
    assert r.sentences[0] == (
        "Before/after within one team (survey waves W1 and W3): the mean well-being score was 39.2 points lower "
        "(95% CI \u221261.4 to \u221216.9 points; Hedges' g \u22122.14, 95% CI \u22123.55 to \u22120.73). The whole "
        "interval is in the direction of deterioration. " + CAUTION_WITHIN_TEAM)
    assert np.isnan(r.table["pct_difference"].iloc[0])
    assert r.report_table()["pct_difference"].isna().all()  # no cut-off: missing, not "suppressed"


def test_survey_change_after_wave_under_5_respondents_is_suppressed():
    r = survey_change(_survey(after=(25, 25, 0, 25)), CBI_WORK, team_id="t")  # 4 respondents in W3
    row = r.table.iloc[0]
    assert row.suppressed and row.n_after == 4
    estimates = ["mean_before", "mean_after", "difference", "ci_low", "ci_high", "hedges_g", "pct_before",
                 "pct_after", "pct_difference", "pct_ci_low", "pct_ci_high"]
    assert row[estimates].isna().all()
    assert r.sentences == (
        "Before/after within one team (survey waves W1 and W3): results for work-related burnout (Copenhagen "
        "Burnout Inventory) are not shown because fewer than 5 respondents had a score in wave W3 (small numbers "
        "are suppressed to protect confidentiality).",)
    shown = r.report_table()
    assert shown["n_after"].tolist() == ["hidden"] and shown["n_before"].tolist() == [6]
    assert "suppressed" not in shown.columns


def test_survey_change_hides_a_share_built_on_fewer_than_5_people():
    # W3: 2 of 6 at or above 50 -> the share (and its difference) is not shown; the means are
    r = survey_change(_survey(after=(50, 75, 0, 25, 0, 25)), CBI_WORK, team_id="t")
    row = r.table.iloc[0]
    assert row.pct_suppressed and not row.suppressed
    assert row.pct_after == pytest.approx(100 * 2 / 6)  # exact figure kept in .table
    # W1 (5 of 6 at or above: 1 below) and W3 (2 of 6 at or above) both rest on fewer than 5
    assert ("The share scoring 50 or more is not shown because fewer than 5 respondents scored that high, or "
            "below it, in waves W1 and W3.") in r.sentences[0]
    assert "percentage points" not in r.sentences[0]
    shown = r.report_table()
    assert shown.loc[0, ["pct_before", "pct_after", "pct_difference", "pct_ci_low"]].tolist() == ["suppressed"] * 4
    assert shown.loc[0, "n_after"] == 6 and shown.loc[0, "difference"] == pytest.approx(row.difference)


def test_survey_change_given_waves_and_subscales():
    instr = {"label": "Burnout", "items": CBI_ITEMS, "reverse": ["cbi_work_7"], "response_min": 0,
             "response_max": 100, "min_items": 4, "cutoff": 50, "cutoff_label": "high", "higher_is": "worse",
             "subscales": {"first_three": CBI_ITEMS[:3]}}
    r = survey_change(_survey(), instr, team_id="t", before_wave=1, after_wave=2)
    assert r.table["scale"].tolist() == ["Burnout", "first_three"]
    # wave 2: five respondents scoring 100 -> mean 100, difference 100 - 325/6
    assert r.table["difference"].tolist() == pytest.approx([100 - 325 / 6] * 2)
    assert r.sentences[1].startswith("Before/after within one team (survey waves W1 and W2): the mean burnout: "
                                     "first_three score was 45.8 points higher")
    assert "direction of deterioration" in r.sentences[1]


def test_survey_change_rejects_bad_requests():
    s = _survey()
    with pytest.raises(DataError, match="no rows for team nobody"):
        survey_change(s, CBI_WORK, team_id="nobody")
    with pytest.raises(InputError, match="no survey responses in wave 4"):
        survey_change(s, CBI_WORK, team_id="t", after_wave=4)
    with pytest.raises(InputError, match="must be later"):
        survey_change(s, CBI_WORK, team_id="t", before_wave=3, after_wave=1)
    with pytest.raises(InputError, match="only survey wave 1"):
        survey_change(s[s["wave"] == 1], CBI_WORK, team_id="t")


# --------------------------------------------------------------------------- turnover_change
def _roster():
    d = pd.to_datetime
    rows = [("t", f"k{i}", "2020-01-01", None, None) for i in range(10)]  # 10 stay throughout
    rows += [
        ("t", "A", "2020-01-01", "2023-01-15", "voluntary"),    # leaves in January
        ("t", "B", "2020-01-01", "2023-02-10", "involuntary"),  # February
        ("t", "C", "2020-01-01", "2023-02-28", "voluntary"),    # last day 28 Feb: a February separation
        ("t", "D", "2020-01-01", "2023-04-30", "voluntary"),    # April
        ("t", "E", "2023-03-15", None, None),                    # hired in March
        ("t", "F", "2020-01-01", "2023-03-20", "transfer"),     # transfer: not a separation by default
        ("u", "G", "2020-01-01", "2023-03-05", "voluntary"),    # another team: ignored
    ]
    r = pd.DataFrame(rows, columns=["team_id", "staff_key", "hire_date", "separation_date", "separation_type"])
    return r.assign(hire_date=d(r["hire_date"]), separation_date=d(r["separation_date"]))


def test_turnover_change_staff_months_and_rate_ratio_by_hand():
    r = turnover_change(_roster(), team_id="t", start="2023-03", first_month="2023-01", last_month="2023-04")
    # employed on the 1st: Jan 15, Feb 14 (A gone), Mar 12 (B, C gone), Apr 12 (F gone, E in), May 11 (D gone)
    # average headcount: Jan 14.5, Feb 13, Mar 12, Apr 11.5
    E_before, E_after = 14.5 + 13, 12 + 11.5  # 27.5 and 23.5 staff-months
    total, vol = r.table.set_index("kind").loc["total"], r.table.set_index("kind").loc["voluntary"]
    assert (total.months_before, total.months_after) == (2, 2)
    assert (total.staff_months_before, total.staff_months_after) == pytest.approx((E_before, E_after))
    assert (total.separations_before, total.separations_after) == (3, 1)  # A, B, C | D (F is a transfer)
    assert (vol.separations_before, vol.separations_after) == (2, 1)      # A, C | D
    assert total.rate_before == pytest.approx(3 / 27.5 * 100)  # 10.91 % per month
    assert total.rate_after == pytest.approx(1 / 23.5 * 100)   # 4.26 % per month
    assert total.rate_ratio == pytest.approx((1 / 23.5) / (3 / 27.5))  # 27.5/70.5 = 0.3901
    assert vol.rate_ratio == pytest.approx((1 / 23.5) / (2 / 27.5))
    # exact limits solve the conditional binomial tails: 1 of 4 events "after", pi = E1*RR / (E1*RR + E2)
    pi = lambda rr: E_after * rr / (E_after * rr + E_before)  # noqa: E731
    assert stats.binom.sf(0, 4, pi(total.ci_low)) == pytest.approx(0.025)
    assert stats.binom.cdf(1, 4, pi(total.ci_high)) == pytest.approx(0.025)
    assert total.ci_width_ratio == pytest.approx(total.ci_high / total.ci_low)
    assert total.small_counts and vol.small_counts
    assert r.settings["first_month_after"] == pd.Timestamp("2023-03-01")
    # the same from the monthly table
    m = monthly_workforce(_roster(), start="2022-06", end="2024-01")
    r2 = turnover_change(m, team_id="t", start="2023-03", before_months=2, after_months=2)
    pd.testing.assert_frame_equal(r.table, r2.table)
    # transfers counted when asked: D and F after the start
    r3 = turnover_change(_roster(), team_id="t", start="2023-03", first_month="2023-01", last_month="2023-04",
                         count_transfers_as_separations=True)
    assert r3.table["separations_after"].tolist() == [2, 1]


def test_turnover_change_small_counts_sentence_and_report_hide_everything_from_the_counts():
    r = turnover_change(_roster(), team_id="t", start="2023-03", first_month="2023-01", last_month="2023-04")
    # 3 and 1 separations: the ratio (0.390), its interval and the rates would give the counts back
    assert r.sentences[0] == (
        "Before/after within one team (separations per staff-month, 2 months before and 2 months after the start "
        "in March 2023): the change in separations is not shown because there were fewer than 10 in at least one "
        "period; the rate ratio, its interval and the rates would give the hidden counts away (small numbers are "
        "suppressed to protect confidentiality).")
    shown = r.report_table()
    assert shown["separations_before"].tolist() == ["hidden", "hidden"]
    assert shown["separations_after"].tolist() == ["hidden", "hidden"]
    for col in ("rate_before", "rate_after", "rate_ratio", "ci_low", "ci_high", "p_value", "ci_width_ratio"):
        assert shown[col].tolist() == ["suppressed", "suppressed"], col
    assert shown["staff_months_before"].tolist() == pytest.approx([27.5, 27.5])
    assert "staff_key" not in shown.columns and "small_counts" not in shown.columns


def _monthly(before=((12, 6), (8, 4)), after=((5, 3), (5, 2)), headcount=100.0):
    rows = [(p, s, v) for p, (s, v) in zip(pd.date_range("2023-01", periods=4, freq="MS"), [*before, *after])]
    m = pd.DataFrame(rows, columns=["period", "separations", "separations_voluntary"])
    return m.assign(team_id="t", average_headcount=headcount)


def test_turnover_change_sentence_with_rates_when_counts_are_large_enough():
    r = turnover_change(_monthly(), team_id="t", start="2023-03")
    # total: 20 / 200 staff-months = 10% per month before, 10 / 200 = 5% after, RR 0.5;
    # Clopper-Pearson for 10 of 30 mapped by E2/E1 = 1: 0.2090 to 1.1192
    assert r.sentences[0] == (
        "Before/after within one team (separations per staff-month, 2 months before and 2 months after the start "
        "in March 2023): the rate of separations was 0.50 times the earlier rate (5.0% per month after against "
        "10.0% per month before; rate ratio, 95% CI 0.21 to 1.12). The interval includes no change. "
        + CAUTION_WITHIN_TEAM)
    # voluntary: 10 before, 5 after (< 10): neither the ratio (0.50, 95% CI 0.13 to 1.61) nor the rates
    assert r.sentences[1] == (
        "Before/after within one team (separations per staff-month, 2 months before and 2 months after the start "
        "in March 2023): the change in voluntary separations is not shown because there were fewer than 10 in at "
        "least one period; the rate ratio, its interval and the rates would give the hidden counts away (small "
        "numbers are suppressed to protect confidentiality).")
    shown = r.report_table()
    assert shown["separations_after"].tolist() == [10, "hidden"]
    assert shown.loc[0, "rate_after"] == pytest.approx(5.0) and shown.loc[1, "rate_after"] == "suppressed"
    assert shown.loc[0, "rate_ratio"] == pytest.approx(0.5) and shown.loc[1, "rate_ratio"] == "suppressed"


def test_turnover_change_decrease_with_whole_interval_below_one_is_an_improvement():
    r = turnover_change(_monthly(before=((30, 20), (30, 20)), after=((5, 5), (5, 5))), team_id="t",
                        start="2023-03")
    assert "The whole interval is in the direction of improvement." in r.sentences[0]


def test_turnover_change_no_separations_before_says_so():
    r = turnover_change(_monthly(before=((0, 0), (0, 0))), team_id="t", start="2023-03")
    # 0 before and 10 after: both counts may be shown (a zero is shown), so the figures are too
    assert ("there were no separations before the start, so the rate ratio has no finite value (5.0% per month "
            "after against 0.0% per month before; rate ratio, 95% CI") in r.sentences[0]
    # voluntary 0 before and 5 after: the 5 is hidden, and with it the comparison
    assert "the change in voluntary separations is not shown" in r.sentences[1]
    both = turnover_change(_monthly(before=((0, 0), (0, 0)), after=((0, 0), (0, 0))), team_id="t", start="2023-03")
    assert "there were no separations in either period, so no rate ratio can be estimated." in both.sentences[0]


def test_turnover_change_windows_and_errors():
    m = _monthly()
    r = turnover_change(m, team_id="t", start="2023-03", before_months=1, after_months=5)
    assert (r.table["months_before"].iloc[0], r.table["months_after"].iloc[0]) == (1, 2)
    assert r.table["separations_before"].iloc[0] == 8  # only February
    assert r.warnings == ("only 2 months after the start are available (asked for 5)",)
    with pytest.raises(InputError, match="first_month and last_month"):
        turnover_change(_roster(), team_id="t", start="2023-03")
    with pytest.raises(InputError, match="no months before the start"):
        turnover_change(m, team_id="t", start="2022-01")
    with pytest.raises(DataError, match="no rows for team x"):
        turnover_change(m, team_id="x", start="2023-03")
    with pytest.raises(InputError, match="must be a month"):
        turnover_change(m, team_id="t", start="soon")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 15), st.floats(5, 80)), min_size=4, max_size=12), st.integers(1, 3))
def test_turnover_change_pools_months_and_never_shows_a_small_count(months, n_before):
    seps = [s for s, _ in months]
    heads = [h for _, h in months]
    m = pd.DataFrame({"team_id": "t", "period": pd.date_range("2022-01", periods=len(months), freq="MS"),
                      "separations": seps, "separations_voluntary": seps, "average_headcount": heads})
    start = pd.Timestamp("2022-01-01") + pd.DateOffset(months=n_before)
    r = turnover_change(m, team_id="t", start=start)
    row = r.table.iloc[0]
    assert row.staff_months_before == pytest.approx(sum(heads[:n_before]))
    assert row.staff_months_after == pytest.approx(sum(heads[n_before:]))
    e_b, e_a = sum(seps[:n_before]), sum(seps[n_before:])
    assert (row.separations_before, row.separations_after) == (e_b, e_a)
    if e_b > 0:
        assert row.rate_ratio == pytest.approx((e_a / sum(heads[n_before:])) / (e_b / sum(heads[:n_before])))
    shown = r.report_table()
    for col in ("separations_before", "separations_after"):
        assert all(v == "hidden" or v == 0 or v >= 10 for v in shown[col])
    for kind, (b, a) in zip(r.table["kind"], r.table[["separations_before", "separations_after"]].to_numpy()):
        if 0 < b < 10 or 0 < a < 10:
            row = shown[shown["kind"] == kind].iloc[0]
            assert row["rate_ratio"] == row["ci_low"] == row["p_value"] == "suppressed"


# --------------------------------------------------------------------------- demo data (direction only)
def test_demo_improved_teams_have_less_burnout_and_fewer_separations():
    from evalkit.inputs.read import load_tables
    from evalkit.inputs.params import load_collaborative, load_team

    tables = load_tables(ROOT / "data" / "demo", ["survey", "roster", "teams"])
    cbi = load_collaborative(ROOT / "params").instruments["cbi_work"]
    improved = json.loads((ROOT / "data" / "demo" / "TRUTH.json").read_text())["lists"]["improved"]
    teams = tables["teams"].set_index("team_id")
    for team in improved:
        start = load_team(ROOT / "params", team).intervention_start or teams.loc[team, "start_month"]
        burnout = survey_change(tables["survey"], cbi, team_id=team)
        turnover = turnover_change(tables["roster"], team_id=team, start=start, first_month="2022-01",
                                   last_month="2024-12")
        assert burnout.table["difference"].iloc[0] < 0, team
        assert turnover.table["rate_ratio"].iloc[0] < 1, team


# --------------------------------------------------------------------------- narrative helpers
def test_direction_from_higher_is_and_identical_answers():
    from evalkit.effects.narrative import direction_from_higher_is

    assert direction_from_higher_is("worse") == "decrease" and direction_from_higher_is("better") == "increase"
    with pytest.raises(InputError, match="higher_is"):
        direction_from_higher_is("up")
    # every respondent gives the same score in both waves: no interval, and the sentence says so
    r = survey_change(_survey(before=(50,) * 5, after=(50,) * 5), CBI_WORK, team_id="t")
    assert "the mean work-related burnout (Copenhagen Burnout Inventory) score was unchanged" in r.sentences[0]
    assert "No interval could be computed." in r.sentences[0]


def test_html_display_shows_the_suppressed_table_escaped():
    r = turnover_change(_roster(), team_id="t", start="2023-03", first_month="2023-01", last_month="2023-04")
    page = r._repr_html_()
    assert "hidden" in page and "<10" not in page.replace("&lt;10", "")
    assert "separations_before" in page and "staff_key" not in page
