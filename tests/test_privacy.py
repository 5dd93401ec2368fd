"""Tests for evalkit.privacy: small-cell suppression with complementary cells.

Expected tables are worked out by hand from the rule: counts 1-9 hidden (read "hidden");
rates from hidden counts hidden; when exactly one cell of a row/group with a shown
total is hidden, the next-smallest cell is hidden too.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit import privacy as pv
from evalkit.errors import InputError


def test_primary_and_complementary_suppression_in_rows():
    t = pd.DataFrame({
        "team_id": ["a", "b", "c", "d"],
        "voluntary": [3, 3, 12, 0],
        "involuntary": [15, 4, 20, 11],
        "other": [20, 25, 30, 14],
        "total": [38, 32, 62, 25],
        "rate": [7.5, 5.0, 3.0, 0.0],
        "staff_key": ["x", "y", "z", "w"],
    })
    out = pv.suppress_counts(t, ["voluntary", "involuntary", "other"], total_col="total",
                             rate_cols={"rate": ["voluntary"]})
    # a: 3 hidden, total 38 shown -> next smallest (15) hidden too
    assert out.loc[0, ["voluntary", "involuntary", "other"]].tolist() == ["hidden", "hidden", 20]
    # b: two cells hidden already -> no complementary cell needed
    assert out.loc[1, ["voluntary", "involuntary", "other"]].tolist() == ["hidden", "hidden", 25]
    # c: nothing small
    assert out.loc[2, ["voluntary", "involuntary", "other"]].tolist() == [12, 20, 30]
    # d: zero is shown (identifies no one)
    assert out.loc[3, "voluntary"] == 0
    assert out["rate"].tolist() == ["suppressed", "suppressed", 3.0, 0.0]
    assert "staff_key" not in out.columns


def test_complementary_suppression_within_groups_of_a_long_table():
    t = pd.DataFrame({
        "team_id": ["a", "a", "a", "b", "b"],
        "separation_type": ["voluntary", "involuntary", "other", "voluntary", "other"],
        "n": [2, 12, 30, 11, 40],
    })
    m = pv.suppression_mask(t, ["n"], group="team_id")
    # team a: 2 hidden, 12 (next smallest) hidden as its complement; team b: nothing hidden
    assert m["n"].tolist() == [True, True, False, False, False]


def test_mask_for_charts_and_threshold_helpers():
    t = pd.DataFrame({"team_id": ["a", "b"], "respondents": [4, 8], "mean": [40.0, 55.0], "response_id": ["r", "s"]})
    m = pv.mask_suppressed(t, ["respondents"], threshold=5, rate_cols=["mean"])
    assert np.isnan(m["mean"].iloc[0]) and m["mean"].iloc[1] == 55.0
    assert "response_id" not in m.columns
    assert pv.may_show(10) and not pv.may_show(9)
    assert pv.may_show(pd.Series([4, 5, np.nan]), threshold=5).tolist() == [False, True, False]
    rule = pv.suppression_rule(5, unit="survey respondents")
    assert "fewer than 5 survey respondents" in rule and '"hidden"' in rule
    assert "complementary" in pv.SUPPRESSION_RULE
    with pytest.raises(InputError):
        pv.suppress_counts(t, ["nope"])
    with pytest.raises(InputError):
        pv.may_show(3, threshold=0)


def test_drop_person_identifiers_case_insensitive():
    t = pd.DataFrame({"Staff_Key": [1], "response_id": [2], "team_id": ["a"], "Email": ["x"]})
    assert pv.drop_person_identifiers(t).columns.tolist() == ["team_id"]


def test_linked_rows_and_zero_is_never_the_complement():
    t = pd.DataFrame({"hires": [3, 3, 12], "separations": [0, 14, 2], "transfers_out": [0, 20, 0]})
    m = pv.suppression_mask(t, ["hires", "separations", "transfers_out"], linked=True)
    # row 0: only zeros left -> nothing more hidden; row 1: 14 is the next smallest non-zero;
    # row 2: 2 hidden, the only other non-zero (12) is its complement
    assert m.to_numpy().tolist() == [[True, False, False], [True, True, False], [True, True, False]]


def test_monthly_workforce_report_table_hides_small_flows_and_their_rates():
    from evalkit import workforce as wf

    rows = [("t", "2015-01-01", None, None)] * 28 + [("t", "2015-01-01", "2022-01-10", "voluntary")] * 12 \
        + [("t", "2015-01-01", "2022-01-12", "involuntary")]
    r = pd.DataFrame(rows, columns=["team_id", "hire_date", "separation_date", "separation_type"])
    r["hire_date"] = pd.to_datetime(r["hire_date"])
    r["separation_date"] = pd.to_datetime(r["separation_date"])
    r["staff_key"] = [f"s{i}" for i in range(len(r))]
    out = wf.suppressed_table(wf.monthly_workforce(r, start="2022-01", end="2022-01")).iloc[0]
    # separations 13 shown; involuntary 1 hidden; voluntary 12 hidden as its complement (13 - 12 = 1)
    assert out["separations"] == 13 and out["turnover_rate"] == pytest.approx(13 / ((41 + 28) / 2) * 100)
    assert out["separations_involuntary"] == "hidden" and out["separations_voluntary"] == "hidden"
    assert out["turnover_rate_voluntary"] == "suppressed"
    assert "staff_key" not in out.index


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.integers(0, 40), min_size=3, max_size=3), min_size=1, max_size=8))
def test_no_row_leaves_a_single_hidden_cell_recoverable_from_its_total(rows):
    t = pd.DataFrame(rows, columns=["a", "b", "c"])
    t["total"] = t.sum(axis=1)
    m = pv.suppression_mask(t, ["a", "b", "c"], total_col="total")
    counts = t[["a", "b", "c"]].to_numpy()
    hidden = m[["a", "b", "c"]].to_numpy()
    # every count 1..9 is hidden
    assert (hidden[(counts > 0) & (counts < 10)]).all()
    # a shown total never sits beside exactly one hidden cell, unless every other cell is zero
    for i in range(len(t)):
        if not m["total"].iloc[i] and hidden[i].sum() == 1:
            assert (counts[i][~hidden[i]] == 0).all()


def test_workforce_results_display_suppressed_tables_in_notebooks():
    """What a notebook displays can reach a shared report, so the Jupyter view of a
    workforce result hides counts of people under the threshold while ``.table`` keeps
    the exact numbers. Hand-made roster: 3 people, so every headcount is under 10."""
    import pandas as pd

    from evalkit.workforce import monthly_workforce

    roster = pd.DataFrame({
        "team_id": ["t"] * 3,
        "staff_key": ["a", "b", "c"],
        "hire_date": pd.to_datetime(["2020-01-01", "2020-01-01", "2020-01-01"]),
        "separation_date": pd.to_datetime([None, None, "2020-03-15"]),
        "separation_type": [None, None, "voluntary"],
    })
    result = monthly_workforce(roster, start="2020-02", end="2020-03")
    assert result.table["headcount_start"].tolist() == [3, 3]  # exact numbers kept
    shown = result._repr_html_()
    assert ">hidden<" in shown
    assert ">3<" not in shown  # the raw headcount of 3 is never displayed


def test_rate_chart_months_on_fewer_than_ten_are_blanked_before_analysis():
    """One leaver in a team of 7 would be a point at 1/7 = 14.3%: such rows of rate and
    proportion charts are blanked; a team of 40 and an i-chart mean score are kept."""
    import pandas as pd

    from evalkit.privacy import suppress_small_denominators

    measures = pd.DataFrame({
        "team_id": ["small", "small", "big", "small", "small"],
        "measure_id": ["turnover_rate", "supervision", "turnover_rate", "wellbeing_pulse", "vacancy_rate"],
        "numerator": [1.0, 5.0, 2.0, 3.4, 0.0],
        "denominator": [7.0, 9.0, 40.0, float("nan"), 10.0],
    })
    charts = {"turnover_rate": "u", "supervision": "p", "wellbeing_pulse": "i", "vacancy_rate": "p"}
    out = suppress_small_denominators(measures, charts, threshold=10)
    assert out["numerator"].isna().tolist() == [True, True, False, False, False]
    assert out["denominator"].isna().tolist() == [True, True, False, True, False]
    assert len(out) == len(measures)  # months stay as rows (missing), never dropped
    assert measures.loc[0, "numerator"] == 1.0  # the input is not changed


def test_solvable_cells_by_rank_and_by_the_lower_bound():
    # identity a + b − c = 0 with c = 5 shown: a, b hidden; a + b = 5 leaves each free (1..4)
    A = np.array([[1.0, 1.0, -1.0]])
    assert pv.solvable_cells(A, np.array([2, 3, 5]), np.array([True, True, False])).tolist() == [False] * 3
    # a + b = 2 with both hidden: zeros are shown, so each is at least 1 -> both are 1
    assert pv.solvable_cells(A, np.array([1, 1, 2]), np.array([True, True, False])).tolist() == [True, True, False]
    # two identities a + b = 5 and a − b = 1 (hand: a = 3, b = 2) fix both even though each has two hidden
    A2 = np.array([[1.0, 1.0, -1.0, 0.0], [1.0, -1.0, 0.0, -1.0]])
    assert pv.solvable_cells(A2, np.array([3, 2, 5, 1]), np.array([True, True, False, False])).tolist() == [
        True, True, False, False]
    # protect_linked_cells adds the smallest non-zero shown cell of an identity (here 7, not 12 or 0)
    A3 = np.array([[1.0, 1.0, 1.0, 1.0, -1.0]])
    out = pv.protect_linked_cells(A3, np.array([3, 7, 12, 0, 22]), np.array([True, False, False, False, False]))
    assert out.tolist() == [True, True, False, False, False]
