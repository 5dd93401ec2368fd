"""Tests for evalkit.country.goals against hand calculations and published formulas."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.errors import DataError, InputError
from evalkit.country.goals import deliverable_status, gas_tscore, goal_progress, has_deliverables, has_goals


def _goals(rows):
    cols = ["country", "goal_id", "goal", "indicator", "baseline", "target", "value", "as_of",
            "gas_level", "weight", "evidence"]
    df = pd.DataFrame(rows, columns=cols)
    df["as_of"] = pd.to_datetime(df["as_of"])
    return df


# ----------------------------------------------------------------------- GAS
def test_gas_reference_example():
    # Example from the gasr R package's calc_tscore documentation (taylordunn/gasr,
    # R/calculate.R), worked by hand with the Kiresuk & Sherman (1968) formula
    # T = 50 + 10 Σwx / sqrt((1-ρ)Σw² + ρ(Σw)²), ρ = 0.3:
    #   Σwx = 3(-2) + 5(0) + 1(-1) + 4(2) + 2(0) + 6(1) = 7
    #   Σw² = 9 + 25 + 1 + 16 + 4 + 36 = 91 ;  Σw = 21 ; (Σw)² = 441
    #   denominator = sqrt(0.7*91 + 0.3*441) = sqrt(63.7 + 132.3) = sqrt(196) = 14
    #   T = 50 + 10*7/14 = 55
    assert gas_tscore([-2, 0, -1, 2, 0, 1], [3, 5, 1, 4, 2, 6]) == pytest.approx(55.0, abs=1e-12)


def test_gas_unweighted_published_simplification():
    # Kiresuk & Sherman (1968), unweighted form with ρ = 0.3:
    # T = 50 + 10 Σx / sqrt(0.7 n + 0.3 n²). Three goals all at -1:
    expected = 50 + 10 * (-3) / math.sqrt(0.7 * 3 + 0.3 * 9)  # = 50 - 30/sqrt(4.8) = 36.307...
    assert gas_tscore([-1, -1, -1]) == pytest.approx(expected, abs=1e-12)
    assert expected == pytest.approx(36.3069, abs=1e-4)
    # All goals met as expected -> 50 (definition of the scale)
    assert gas_tscore([0, 0, 0, 0], [1, 2, 3, 4]) == 50.0
    # One goal: denominator is w, so T = 50 + 10x (mean 50, SD 10)
    assert gas_tscore([2]) == 70.0
    assert gas_tscore([-1], [3]) == 40.0


def test_gas_rho_is_explicit():
    # ρ = 0: T = 50 + 10 Σwx / sqrt(Σw²); x = (1, 1), w = (1, 1): 50 + 20/sqrt(2)
    assert gas_tscore([1, 1], rho=0.0) == pytest.approx(50 + 20 / math.sqrt(2))
    with pytest.raises(InputError):
        gas_tscore([1], rho=1.0)
    with pytest.raises(InputError):
        gas_tscore([3])
    assert math.isnan(gas_tscore([np.nan]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(-2, 2), st.integers(1, 4)), min_size=1, max_size=8))
def test_gas_symmetry(pairs):
    # Reversing every level mirrors the score around 50 (formula is linear in x).
    x = [p[0] for p in pairs]
    w = [p[1] for p in pairs]
    assert gas_tscore(x, w) - 50 == pytest.approx(-(gas_tscore([-v for v in x], w) - 50), abs=1e-9)


def test_gas_table_in_goal_progress():
    g = _goals([
        ["md", "g1", "Train", "programmes", 0, 60, 66, "2024-06-30", 1, 2, None],
        ["md", "g2", "Supervise", "supervisors", 0, 100, 40, "2024-06-30", -1, None, None],
        ["md", "g3", "Universities", "MoUs", 0, 4, 4, "2024-06-30", None, None, None],
    ])
    res = goal_progress(g)
    row = res.gas.iloc[0]
    # two scored goals; blank weight -> 1 (default_weight). Σwx = 2*1 + 1*(-1) = 1
    # Σw² = 4 + 1 = 5 ; Σw = 3 ; denominator = sqrt(0.7*5 + 0.3*9) = sqrt(6.2)
    assert row["n_goals"] == 3 and row["n_scored"] == 2
    assert row["t_score"] == pytest.approx(50 + 10 * 1 / math.sqrt(6.2))


def test_gas_level_outside_scale_is_data_error():
    g = _goals([["md", "g1", "Train", "n", 0, 10, 5, "2024-01-01", 3, 1, None]])
    with pytest.raises(DataError, match="gas_level"):
        goal_progress(g)


# ------------------------------------------------------------------ progress
def test_decrease_goal_with_baseline_above_target():
    # baseline 40 -> target 20 (reduce). Hand: pct = 100*(value-40)/(20-40)
    g = _goals([
        ["md", "a", "Cut caseload", "cases", 40, 20, 30, "2024-06-30", None, None, None],  # 50 %
        ["md", "b", "Cut caseload", "cases", 40, 20, 45, "2024-06-30", None, None, None],  # -25 %
        ["md", "c", "Cut caseload", "cases", 40, 20, 15, "2024-06-30", None, None, None],  # 125 %
        ["md", "d", "Cut caseload", "cases", 40, 20, 40, "2024-06-30", None, None, None],  # 0 %
        ["md", "e", "Cut caseload", "cases", 40, 20, 20, "2024-06-30", None, None, None],  # 100 %
    ])
    p = goal_progress(g).progress.set_index("goal_id")
    assert (p["direction"] == "decrease").all()
    assert p.loc["a", "pct_of_way"] == pytest.approx(50.0)
    assert p.loc["b", "pct_of_way"] == pytest.approx(-25.0)
    assert p.loc["c", "pct_of_way"] == pytest.approx(125.0)
    assert p.loc["a", "change"] == -10.0 and p.loc["a", "gap"] == -20.0
    assert p["status"].to_dict() == {"a": "in progress", "b": "moved away", "c": "achieved",
                                     "d": "no progress", "e": "achieved"}


def test_increase_goal_and_on_track_against_period():
    # Period 2023-01-01 .. 2025-01-01 (731 days); as of 2024-01-01 (365 days):
    # expected = 100*365/731 = 49.93 %. 15 -> 30 members, value 23 -> 8/15 = 53.3 % on track;
    # value 21 -> 6/15 = 40 % behind.
    g = _goals([
        ["md", "m1", "Grow", "members", 15, 30, 23, "2023-12-01", None, None, None],
        ["md", "m2", "Grow", "members", 15, 30, 21, "2023-12-01", None, None, None],
    ])
    p = goal_progress(g, as_of="2024-01-01", period_start="2023-01-01", period_end="2025-01-01").progress
    p = p.set_index("goal_id")
    assert p.loc["m1", "expected_pct"] == pytest.approx(100 * 365 / 731)
    assert p.loc["m1", "pct_of_way"] == pytest.approx(100 * 8 / 15)
    assert p.loc["m1", "status"] == "on track"
    assert p.loc["m2", "status"] == "behind"


def test_as_of_uses_latest_value_on_or_before_date():
    g = _goals([
        ["md", "g1", "Train", "programmes", 0, 60, 20, "2023-06-30", None, None, "first MoU"],
        ["md", "g1", "Train", "programmes", 0, 60, 66, "2024-06-30", None, None, "66 programmes"],
        ["md", "g2", "Other", "n", 0, 10, 5, "2024-06-30", None, None, None],
    ])
    res = goal_progress(g, as_of="2024-01-01")
    p = res.progress.set_index("goal_id")
    assert p.loc["g1", "value"] == 20 and p.loc["g1", "value_as_of"] == pd.Timestamp("2023-06-30")
    assert p.loc["g1", "pct_of_way"] == pytest.approx(100 * 20 / 60)
    # g2 has no measurement by then: stays as a row, NaN value, status "no value yet"
    assert np.isnan(p.loc["g2", "value"]) and p.loc["g2", "status"] == "no value yet"
    assert res.evidence["evidence"].tolist() == ["first MoU"]
    assert goal_progress(g).evidence["evidence"].tolist() == ["first MoU", "66 programmes"]


def test_country_filter_and_has_data():
    g = _goals([
        ["md", "g1", "Train", "n", 0, 10, 5, "2024-01-01", None, None, None],
        ["ro", "g1", "Train", "n", 0, 10, 2, "2024-01-01", None, None, None],
    ])
    assert goal_progress(g, country="ro").progress["value"].tolist() == [2]
    assert has_goals(g, "md") and not has_goals(g, "evergreen") and not has_goals(None)
    assert not has_goals(g.iloc[0:0])


def test_evidence_is_escaped_in_html():
    g = _goals([["md", "g1", "Train", "n", 0, 10, 5, "2024-01-01", None, None, "<script>alert(1)</script>"]])
    res = goal_progress(g)
    assert res.evidence["evidence"].iloc[0] == "<script>alert(1)</script>"  # data stay raw
    html = res._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_missing_column_is_one_line_data_error():
    with pytest.raises(DataError, match="missing column"):
        goal_progress(pd.DataFrame({"country": ["md"]}))


# -------------------------------------------------------------- deliverables
def _deliv(rows):
    df = pd.DataFrame(rows, columns=["country", "group", "deliverable_id", "goal_id", "title", "due", "completed"])
    df["due"] = pd.to_datetime(df["due"])
    df["completed"] = pd.to_datetime(df["completed"])
    return df


def test_deliverable_statuses_including_exactly_on_due_date():
    d = _deliv([
        ["md", "tg1", "d1", "g1", "Exactly on due", "2023-06-30", "2023-06-30"],
        ["md", "tg1", "d2", "g1", "One day late", "2023-06-30", "2023-07-01"],
        ["md", "tg1", "d3", "g1", "Early", "2023-06-30", "2023-05-01"],
        ["md", "tg2", "d4", "g2", "Open, past due", "2023-12-01", None],
        ["md", "tg2", "d5", "g2", "Due on the as-of date", "2024-01-01", None],
        ["md", "tg2", "d6", "g2", "Done after as-of", "2023-12-15", "2024-02-01"],
        ["md", "tg2", "d7", "g2", "Future", "2024-06-30", None],
    ])
    res = deliverable_status(d, as_of="2024-01-01")
    s = res.deliverables.set_index("deliverable_id")
    assert s["status"].to_dict() == {
        "d1": "on time", "d2": "late", "d3": "on time", "d4": "overdue",
        "d5": "not yet due", "d6": "overdue", "d7": "not yet due",
    }
    # days late: d2 1 day; d4 2023-12-01 -> 2024-01-01 = 31 days; d6 17 days
    assert s.loc["d2", "days_late"] == 1 and s.loc["d4", "days_late"] == 31 and s.loc["d6", "days_late"] == 17
    assert s.loc["d1", "days_late"] == 0 and np.isnan(s.loc["d7", "days_late"])
    g = res.by_group.set_index("group")
    # tg1: 3 due, 3 completed, 2 on time, 1 late -> 66.7 %
    assert g.loc["tg1", ["n_deliverables", "n_due", "n_completed", "n_on_time", "n_late", "n_overdue",
                         "n_not_yet_due"]].tolist() == [3, 3, 3, 2, 1, 0, 0]
    assert g.loc["tg1", "pct_due_done_on_time"] == pytest.approx(200 / 3)
    # tg2: due <= 2024-01-01: d4, d5, d6 (3); completed by then: none; overdue d4, d6; not yet due d5, d7
    assert g.loc["tg2", ["n_deliverables", "n_due", "n_completed", "n_on_time", "n_late", "n_overdue",
                         "n_not_yet_due"]].tolist() == [4, 3, 0, 0, 0, 2, 2]
    t = res.timeline.set_index("deliverable_id")
    assert t.loc["d4", "end"] == pd.Timestamp("2024-01-01") and t.loc["d1", "end"] == pd.Timestamp("2023-06-30")
    assert t["row"].tolist() == list(range(7))


def test_deliverables_as_of_required_and_has_data():
    d = _deliv([["md", "tg1", "d1", "g1", "x", "2023-06-30", None]])
    with pytest.raises(InputError):
        deliverable_status(d, as_of=None)
    assert has_deliverables(d, "md") and not has_deliverables(d, "evergreen")
    assert not deliverable_status(d, as_of="2024-01-01", country="evergreen").has_data
