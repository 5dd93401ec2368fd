"""Can a reader of a report work out a hidden count from the figures shown beside it?

The monthly staffing table and the before/after turnover table are checked the way a
reader would attack them: write down every identity the published definitions state
(end = start + hires − separations − transfers_out; separations = voluntary +
involuntary + other; a month's closing headcount is the next month's opening one),
put in the shown values, and see whether any hidden cell is fixed. The solver here is
written independently of :mod:`evalkit.privacy` (a rank test on the display table,
with the two headcount columns as separate unknowns tied by an equality), so the
tests do not just repeat the implementation.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.errors import InputError
from evalkit.workforce import monthly_workforce, suppressed_table

FLOWS = ["hires", "separations", "separations_voluntary", "separations_involuntary", "separations_other",
         "transfers_out"]
CELLS = ["headcount_start", "headcount_end", *FLOWS]


def _roster(rows):
    r = pd.DataFrame(rows, columns=["team_id", "hire_date", "separation_date", "separation_type"])
    r["staff_key"] = [f"s{i}" for i in range(len(r))]
    return r.assign(hire_date=pd.to_datetime(r["hire_date"]), separation_date=pd.to_datetime(r["separation_date"]))


def _hidden(value) -> bool:
    return isinstance(value, str)


def _reader_identities(shown: pd.DataFrame, transfers_inside: bool = False):
    """What a reader can write down from the display table of one team (rows in month order).

    With transfers counted as separations the types no longer add up to the separations
    (the transfers are a further, unseen term), so that identity is left out.

    Returns (A, b, unknown): one row of A per identity over the hidden cells, b the
    right-hand side from the shown cells, ``unknown`` the list of (row, column) hidden.
    """
    unknown = [(r, c) for r in range(len(shown)) for c in CELLS if _hidden(shown[c].iloc[r])]
    col = {cell: i for i, cell in enumerate(unknown)}
    A, b = [], []

    def add(terms):  # terms: [(coefficient, row, column)], identity sum(coef * value) = 0
        a, rhs = np.zeros(len(unknown)), 0.0
        for k, r, c in terms:
            if (r, c) in col:
                a[col[(r, c)]] += k
            else:
                rhs -= k * float(shown[c].iloc[r])
        A.append(a)
        b.append(rhs)

    for r in range(len(shown)):
        add([(1, r, "headcount_end"), (-1, r, "headcount_start"), (-1, r, "hires"), (1, r, "separations"),
             (1, r, "transfers_out")])
        if not transfers_inside:
            add([(1, r, "separations"), (-1, r, "separations_voluntary"), (-1, r, "separations_involuntary"),
                 (-1, r, "separations_other")])
        if r + 1 < len(shown):
            add([(1, r, "headcount_end"), (-1, r + 1, "headcount_start")])
    return np.array(A, dtype=float).reshape(len(A), len(unknown)), np.array(b), unknown


def _solvable(shown: pd.DataFrame, transfers_inside: bool = False) -> list:
    """Hidden cells fixed by the identities: e_j in the row space of A (rank test), or an identity
    whose hidden cells share a sign and add up to their number (each hidden count is at least 1,
    because zeros are shown)."""
    A, b, unknown = _reader_identities(shown, transfers_inside)
    if not unknown:
        return []
    rank = np.linalg.matrix_rank(A) if A.size else 0
    out = []
    for j, cell in enumerate(unknown):
        e = np.zeros((1, len(unknown)))
        e[0, j] = 1
        if np.linalg.matrix_rank(np.vstack([A, e])) == rank:
            out.append(cell)
    for a, rhs in zip(A, b):
        terms = np.flatnonzero(a)
        if terms.size and (np.all(a[terms] > 0) or np.all(a[terms] < 0)) and abs(rhs) == np.abs(a[terms]).sum():
            out += [unknown[j] for j in terms]
    return sorted(set(out))


def test_a_single_leaver_is_not_given_away_by_the_headcounts():
    # 13 staff; one voluntary leaver in March; no hires, no transfers: end − start = −1
    rows = [("t", "2015-01-01", None, None)] * 12 + [("t", "2015-01-01", "2022-03-10", "voluntary")]
    result = monthly_workforce(_roster(rows), start="2022-02", end="2022-04")
    exact = result.table
    assert exact["headcount_start"].tolist() == [13, 13, 12] and exact["separations"].tolist() == [0, 1, 0]
    shown = suppressed_table(result)
    assert shown["separations"].iloc[1] == "hidden"
    # before the fix 13 and 12 were shown beside a hidden 1 with every other flow 0
    march = shown.iloc[1]
    terms = [march[c] for c in ("headcount_start", "headcount_end", "hires", "separations", "transfers_out")]
    assert sum(map(_hidden, terms)) >= 2
    assert _solvable(shown) == []
    # a headcount hidden at the end of March is hidden at the start of April too (same people)
    for r in range(len(shown) - 1):
        assert _hidden(shown["headcount_end"].iloc[r]) == _hidden(shown["headcount_start"].iloc[r + 1])
    assert "staff_key" not in shown


def test_two_leavers_adding_up_to_two_are_not_one_and_one():
    # 14 staff; in March one resigns and one transfers out: end − start = −2 = −(1 + 1).
    # Hiding both flows is not enough: zeros are shown, so each hidden flow is at least 1,
    # and two of them adding up to 2 are one and one.
    rows = ([("t", "2015-01-01", None, None)] * 12 + [("t", "2015-01-01", "2022-03-10", "voluntary"),
                                                      ("t", "2015-01-01", "2022-03-20", "transfer")])
    result = monthly_workforce(_roster(rows), start="2022-02", end="2022-04")
    assert result.table["headcount_start"].tolist() == [14, 14, 12]
    shown = suppressed_table(result)
    march = shown.iloc[1]
    assert march["separations"] == "hidden" and march["transfers_out"] == "hidden"
    assert _solvable(shown) == []


def test_hidden_type_is_not_the_shown_separations_minus_the_other_types():
    # 30 staff, 12 separations in one month: 11 voluntary, 1 other. 12 is shown, so
    # 1 alone hidden would be 12 − 11 − 0; the complement is the voluntary 11.
    rows = ([("t", "2015-01-01", None, None)] * 18 + [("t", "2015-01-01", "2022-03-10", "voluntary")] * 11
            + [("t", "2015-01-01", "2022-03-12", "other")])
    shown = suppressed_table(monthly_workforce(_roster(rows), start="2022-03", end="2022-03")).iloc[0]
    assert shown["separations"] == 12 and shown["separations_involuntary"] == 0
    assert shown["separations_other"] == "hidden" and shown["separations_voluntary"] == "hidden"
    assert shown["turnover_rate_voluntary"] == "suppressed"


def test_a_rate_beside_a_shown_count_does_not_give_the_hidden_average_headcount():
    # 12 separations shown with a hidden headcount: separations ÷ rate × 100 would be the
    # average headcount, and with the shown opening headcount the hidden closing one
    rows = [("t", "2015-01-01", None, None)] * 9 + [("t", "2015-01-01", "2022-03-10", "voluntary")] * 12
    result = monthly_workforce(_roster(rows), start="2022-03", end="2022-03")
    assert result.table[["headcount_start", "headcount_end", "separations"]].iloc[0].tolist() == [21, 9, 12]
    shown = suppressed_table(result).iloc[0]
    assert shown["headcount_end"] == "hidden" and shown["average_headcount"] == "suppressed"
    assert shown["turnover_rate"] == "suppressed" and shown["turnover_rate_voluntary"] == "suppressed"


def test_transfers_counted_as_separations_are_protected_too():
    # transfers folded into separations: separations − the three types = the transfers,
    # a count of people that is never shown; 1 transfer must not be worked out
    rows = ([("t", "2015-01-01", None, None)] * 20 + [("t", "2015-01-01", "2022-03-10", "voluntary")] * 12
            + [("t", "2015-01-01", "2022-03-20", "transfer")])
    result = monthly_workforce(_roster(rows), start="2022-03", end="2022-03", count_transfers_as_separations=True)
    assert result.table[["separations", "separations_voluntary"]].iloc[0].tolist() == [13, 12]
    shown = suppressed_table(result).iloc[0]
    visible = [shown[c] for c in ("separations", "separations_voluntary", "separations_involuntary",
                                  "separations_other")]
    assert any(map(_hidden, visible))


# --------------------------------------------------------------------------- before/after turnover
from evalkit.effects.workforce_change import turnover_change  # noqa: E402
from evalkit.report.team import prepost_table  # noqa: E402

SEPARATION_FIGURES = ["rate_before", "rate_after", "rate_ratio", "ci_low", "ci_high", "p_value", "ci_width_ratio"]


def _monthly(before, after, headcount=8.0, months=(6, 6)):
    """Monthly table of team t: all of a period's leavers in its first month (turnover_change pools months)."""
    n = months[0] + months[1]
    seps = [0] * n
    seps[0], seps[months[0]] = before, after
    return pd.DataFrame({"team_id": "t", "period": pd.date_range("2023-01", periods=n, freq="MS"),
                         "average_headcount": headcount, "separations": seps, "separations_voluntary": seps})


def _shown(result):
    """Everything a reader of the report sees of a before/after turnover comparison."""
    return result.report_table(), prepost_table(result), result.sentences


def test_the_interval_no_longer_tells_1_of_2_from_2_of_4_or_3_of_6():
    # 8 staff for 6 months on each side: 48 staff-months each. Leavers 1 → 2, 2 → 4 and 3 → 6 all give
    # a rate ratio of 2, but exact (Clopper–Pearson on after / total) intervals that differ:
    from scipy import stats

    def exact_ci(before, after):  # conditional binomial, equal exposures: RR = pi / (1 - pi)
        n = before + after
        lo, hi = stats.beta.ppf(0.025, after, n - after + 1), stats.beta.ppf(0.975, after + 1, n - after)
        return lo / (1 - lo), hi / (1 - hi)

    widths = {exact_ci(b, 2 * b) for b in (1, 2, 3)}
    assert len({round(lo, 6) for lo, _ in widths}) == 3  # so a shown interval identifies the counts
    results = [turnover_change(_monthly(b, 2 * b), team_id="t", start="2023-07") for b in (1, 2, 3)]
    assert [r.table["rate_ratio"].iloc[0] for r in results] == pytest.approx([2.0, 2.0, 2.0])
    assert results[0].table["ci_low"].iloc[0] == pytest.approx(exact_ci(1, 2)[0])
    tables, displays, sentences = zip(*map(_shown, results))
    for t in tables[1:]:
        pd.testing.assert_frame_equal(t, tables[0])
    for d in displays[1:]:
        pd.testing.assert_frame_equal(d, displays[0])
    assert sentences[0] == sentences[1] == sentences[2]
    t = tables[0]
    assert (t[SEPARATION_FIGURES] == "suppressed").all().all()
    assert t["staff_months_before"].tolist() == [48.0, 48.0]  # staff-months alone reveal no one
    d = displays[0]
    assert d["Rate ratio (95% CI)"].tolist() == ["suppressed"] * 2
    assert d["% per month (before → after)"].tolist() == ["suppressed"] * 2
    assert d["Left (before → after)"].tolist() == ["hidden → hidden"] * 2
    assert sentences[0][0] == (
        "Before/after within one team (separations per staff-month, 6 months before and 6 months after the "
        "start in July 2023): the change in separations is not shown because there were fewer than 10 in at "
        "least one period; the rate ratio, its interval and the rates would give the hidden counts away "
        "(small numbers are suppressed to protect confidentiality).")
    assert not any(ch.isdigit() for ch in sentences[0][0].split("):", 1)[1].replace("10", ""))


def test_large_counts_still_show_the_ratio_and_rates():
    # 12 and 24 leavers on 480 staff-months each: 2.5% → 5.0% per month, ratio 2
    r = turnover_change(_monthly(12, 24, headcount=80.0), team_id="t", start="2023-07")
    shown = r.report_table()
    assert shown["rate_ratio"].iloc[0] == pytest.approx(2.0)
    assert shown["rate_before"].iloc[0] == pytest.approx(12 / 480 * 100)
    assert "5.0% per month after against 2.5% per month before" in r.sentences[0]


# --------------------------------------------------------------------------- property: random small teams
TYPES = ["voluntary", "involuntary", "other", "transfer"]


@st.composite
def small_teams(draw):
    """A roster of 3–15 staff watched for 12–24 months, hires and leavers on random days."""
    months = draw(st.integers(12, 24))
    first = pd.Timestamp("2022-01-01")
    days = (first + pd.DateOffset(months=months) - first).days
    rows = []
    for _ in range(draw(st.integers(3, 15))):
        hired = draw(st.integers(-1500, days - 1))  # before the window (in post at its start) or during it
        leaves = draw(st.booleans())
        last = draw(st.integers(max(hired, 0), days + 60)) if leaves else None
        rows.append(("t", first + pd.Timedelta(days=hired),
                     None if last is None else first + pd.Timedelta(days=last),
                     draw(st.sampled_from(TYPES)) if leaves else None))
    start = first + pd.DateOffset(months=draw(st.integers(2, months - 2)))
    return _roster(rows), months, start, draw(st.booleans())


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_teams())
def test_no_hidden_count_of_a_small_team_can_be_worked_out(team):
    roster, months, start, transfers_inside = team
    last = pd.Timestamp("2022-01-01") + pd.DateOffset(months=months - 1)
    result = monthly_workforce(roster, start="2022-01", end=last, count_transfers_as_separations=transfers_inside)
    exact = result.table
    shown = suppressed_table(result)
    # every count of 1–9 people is hidden; a shown cell shows its exact value
    for c in CELLS:
        small = (exact[c] > 0) & (exact[c] < 10)
        assert shown[c][small].map(_hidden).all(), c
        visible = ~shown[c].map(_hidden)
        assert (shown[c][visible].astype(float) == exact[c][visible]).all(), c
    # no identity of one row, and no chain of rows, fixes a hidden cell
    assert _solvable(shown, transfers_inside) == []
    # with transfers folded into separations, the unseen transfers (separations − types) stay unknown
    if transfers_inside:
        unseen = exact["separations"] - exact[["separations_voluntary", "separations_involuntary",
                                               "separations_other"]].sum(axis=1)
        terms = shown[["separations", "separations_voluntary", "separations_involuntary", "separations_other"]]
        for r in np.flatnonzero((unseen > 0) & (unseen < 10)):
            assert terms.iloc[r].map(_hidden).any()
    # a figure computed from a hidden cell is hidden: rate × average headcount = count
    heads = shown["headcount_start"].map(_hidden) | shown["headcount_end"].map(_hidden)
    assert (shown["average_headcount"][heads] == "suppressed").all()
    for kind in ("", "_voluntary", "_involuntary", "_other"):
        hide = heads | shown[f"separations{kind}"].map(_hidden)
        assert (shown[f"turnover_rate{kind}"][hide] == "suppressed").all()

    # before/after: nothing shown may depend on a hidden leaver count. Give the reader's view of a
    # comparison with other hidden counts (1–9 moved to another 1–9) and the same staff-months:
    # the report table, the display table and the sentences must not change.
    exposure = [exact.loc[side, "average_headcount"].sum() for side in (exact["period"] < start,
                                                                         exact["period"] >= start)]
    if min(exposure) == 0:  # nobody employed on one side: no comparison at all, so nothing to give away
        with pytest.raises(InputError, match="no staff in the months"):
            turnover_change(exact, team_id="t", start=start)
        return
    before = turnover_change(exact, team_id="t", start=start)
    other = exact.copy()
    for col in ("separations", "separations_voluntary"):
        for side in (other["period"] < start, other["period"] >= start):
            total = int(other.loc[side, col].sum())
            if 0 < total < 10:
                other.loc[side, col] = 0
                other.loc[other.index[side.to_numpy()][0], col] = total % 9 + 1
    after = turnover_change(other, team_id="t", start=start)
    for kind, small in zip(before.table["kind"], before.table["small_counts"]):
        if not small:
            continue
        i = int(np.flatnonzero(before.table["kind"] == kind)[0])
        pd.testing.assert_series_equal(before.report_table().iloc[i], after.report_table().iloc[i])
        pd.testing.assert_series_equal(prepost_table(before).iloc[i], prepost_table(after).iloc[i])
        assert before.sentences[i] == after.sentences[i]
        assert (before.report_table().iloc[i][SEPARATION_FIGURES] == "suppressed").all()


# --------------------------------------------------------------------------- other staffing tables
from evalkit.report.team import new_hire_panel, retention_panel, tenure_panel  # noqa: E402
from evalkit.workforce import new_hire_retention, period_retention, tenure_survival  # noqa: E402


def test_open_cohort_estimate_from_one_leaver_is_hidden():
    # 12 hired in January 2024, one leaves in February; as of June nobody has reached a year.
    # Kaplan–Meier by hand: one event with 12 at risk, no censoring before it -> 11/12 = 91.7%,
    # which says "1 leaver" as plainly as the count would.
    rows = [("t", "2024-01-10", None, None)] * 11 + [("t", "2024-01-10", "2024-02-10", "voluntary")]
    result = new_hire_retention(_roster(rows), as_of="2024-06-30", since="2024-01-01", cohort="year")
    exact = result.table.iloc[0]
    assert exact["method"] == "Kaplan–Meier" and exact["retention_rate"] == pytest.approx(100 * 11 / 12)
    assert exact["n_left_so_far"] == 1
    shown = suppressed_table(result).iloc[0]
    assert shown["n_hired"] == 12 and shown["n_left_so_far"] == "hidden"
    assert [shown[c] for c in ("retention_rate", "ci_lower", "ci_upper")] == ["suppressed"] * 3
    panel = new_hire_panel(_roster(rows), as_of="2024-06-30", since="2024-01-01")
    assert not panel.show_chart and "91" not in " ".join(panel.sentences)


def test_retention_does_not_give_away_two_leavers():
    # 15 staff on 1 January, 13 still there on 31 December: 15 − 13 = 2 leavers, hidden in the
    # monthly table, must not follow from the retention table by subtraction (or 13/15 = 86.7%)
    rows = [("t", "2020-01-01", None, None)] * 13 + [("t", "2020-01-01", "2022-05-10", "voluntary")] * 2
    shown = suppressed_table(period_retention(_roster(rows), "2022-01-01", "2022-12-31")).iloc[0]
    assert shown["employed_first_day"] == 15
    assert shown["retained"] == "hidden" and shown["retention_rate"] == "suppressed"
    panel = retention_panel(_roster(rows), first_month="2022-01", last_month="2022-12")
    assert not panel.show_chart and "87%" not in " ".join(panel.sentences)
    # 12 leavers of 15 is a shown difference: 3 retained is itself hidden, 12 leavers may show
    rows = [("t", "2020-01-01", None, None)] * 3 + [("t", "2020-01-01", "2022-05-10", "voluntary")] * 12
    shown = suppressed_table(period_retention(_roster(rows), "2022-01-01", "2022-12-31")).iloc[0]
    assert (shown["employed_first_day"], shown["retained"]) == (15, "hidden")


def test_tenure_table_does_not_give_away_a_small_current_headcount():
    # 15 staff since 2020, 12 left in 2022: 3 still employed, a headcount the monthly table hides
    rows = [("t", "2020-01-01", None, None)] * 3 + [("t", "2020-01-01", "2022-05-10", "voluntary")] * 12
    result = tenure_survival(_roster(rows), as_of="2024-01-01", observed_from="2020-01-01")
    assert result.medians[["n_staff", "n_separations"]].iloc[0].tolist() == [15, 12]
    shown = suppressed_table(result).iloc[0]
    assert shown["n_staff"] == 15 and shown["n_separations"] == "hidden"
    assert shown["median_tenure_days"] == "suppressed"
    panel = tenure_panel(_roster(rows), as_of="2024-01-01", observed_from="2020-01-01")
    assert not panel.show_chart
    assert panel.sentences == ("Fewer than 10 of the staff are still employed, so the tenure curve and median "
                               "tenure are not shown (with the number of staff they would give that number away).",)


# --------------------------------------------------------------------------- survey shares
from evalkit.effects.workforce_change import survey_change  # noqa: E402
from evalkit.workforce.survey import CBI_WORK, summarise_survey, suppressed_summary  # noqa: E402


def _cbi_wave(wave, scores):
    """CBI work-burnout responses scoring ``scores``: items 1–6 = score, item 7 (reverse-keyed) = 100 − score."""
    return pd.DataFrame([{"team_id": "t", "wave": wave, "fielded": f"202{wave + 1}-10-01", "response_id": f"{wave}-{i}",
                          **{f"cbi_work_{k}": s for k in range(1, 7)}, "cbi_work_7": 100 - s}
                         for i, s in enumerate(scores)])


def test_a_share_of_5_in_6_does_not_tell_that_one_respondent_scored_low():
    # W1: 7 respondents, 6 at or above 50 -> 85.7% says exactly 1 scored under 50 (7 − 6);
    # W3: 7 respondents, 2 at or above (hidden already)
    survey = pd.concat([_cbi_wave(1, [75, 50, 50, 75, 100, 50, 25]), _cbi_wave(3, [50, 75, 0, 25, 0, 25, 25])])
    r = survey_change(survey, CBI_WORK, team_id="t")
    assert r.table["pct_before"].iloc[0] == pytest.approx(600 / 7) and r.table["pct_suppressed"].iloc[0]
    assert r.report_table()["pct_before"].tolist() == ["suppressed"]
    assert "85.7" not in r.sentences[0]
    # the wave table of the survey section follows the same rule
    waves = suppressed_summary(summarise_survey(survey, CBI_WORK, by=["team_id", "wave"]))
    first = waves[waves["wave"] == 1].iloc[0]
    assert first["n_scored"] == 7
    assert first["n_at_or_above_cutoff"] == "hidden" and first["pct_at_or_above_cutoff"] == "suppressed"
    # 5 at or above and 5 below out of 10: both counts may be shown
    even = pd.concat([_cbi_wave(1, [75] * 5 + [25] * 5), _cbi_wave(3, [75] * 5 + [25] * 5)])
    assert r"50.0" in survey_change(even, CBI_WORK, team_id="t").sentences[0]


# --------------------------------------------------------------------------- annual turnover
from evalkit.workforce import annual_turnover  # noqa: E402


def test_annual_turnover_windows_do_not_give_the_monthly_separations_back():
    # 60 staff; 12 leave in January 2022, 2 in February, 11 in March, 3 in May. The running
    # 12-month sums are 12, 14, 25, 25, 28: shown side by side, 14 − 12 = 2 and 28 − 25 = 3.
    leave = ["2022-01-10"] * 12 + ["2022-02-10"] * 2 + ["2022-03-10"] * 11 + ["2022-05-10"] * 3
    rows = [("t", "2015-01-01", None, None)] * 32 + [("t", "2015-01-01", d, "voluntary") for d in leave]
    monthly = monthly_workforce(_roster(rows), start="2022-01", end="2022-06")
    result = annual_turnover(monthly)
    assert result.table["separations_in_window"].tolist() == [12, 14, 25, 25, 28, 28]
    shown = suppressed_table(result)
    w = shown["separations_in_window"].tolist()
    # the reader's unknowns: months of 1–9 leavers (February, May); known: 0 or 10+ (the monthly table shows them)
    seps = monthly.table["separations"].to_numpy()
    unknown = [m for m in range(6) if 0 < seps[m] < 10]
    A, b = [], []
    for m in range(6):
        if _hidden(w[m]):
            continue
        a = np.zeros(len(unknown))
        rhs = float(w[m])
        for j in range(m + 1):
            if j in unknown:
                a[unknown.index(j)] = 1
            else:
                rhs -= seps[j]
        A.append(a)
        b.append(rhs)
    A = np.array(A)
    rank = np.linalg.matrix_rank(A)
    for j in range(len(unknown)):
        e = np.eye(len(unknown))[j]
        assert np.linalg.matrix_rank(np.vstack([A, e])) > rank, f"month {unknown[j] + 1} can be worked out"
    for col in ("rate_sum", "annual_turnover_rate"):
        assert (shown[col][shown["separations_in_window"].map(_hidden)] == "suppressed").all()
