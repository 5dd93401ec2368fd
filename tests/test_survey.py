"""Tests for evalkit.workforce.survey.

Expected values: hand calculations written as arithmetic; Wilson intervals from
Newcombe (1998) Stat Med 17:857-872, Table I, method 3 (score interval without
continuity correction); t quantile 2.365 for 7 df from a standard t table; CBI
scoring key from Kristensen et al. (2005) / PUMA questionnaire (items 100/75/50/25/0,
work-related item 7 reversed, non-responder if fewer than 4 of 7 items answered).
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from evalkit.intervals import t_interval, wilson_interval
from evalkit.workforce import survey as sv
from evalkit.errors import DataError, ParamsError


@pytest.mark.parametrize(
    "x, n, lo, hi",
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_interval_newcombe_1998(x, n, lo, hi):
    got_lo, got_hi = wilson_interval(x, n)
    assert round(float(got_lo), 4) == lo
    assert round(float(got_hi), 4) == hi


def test_t_interval_by_hand():
    x = np.array([2, 4, 4, 4, 5, 5, 7, 9], dtype=float)
    # mean 5; sum of squares 9+1+1+1+0+0+4+16 = 32; sd = sqrt(32/7); t(7, .975) = 2.365 (table)
    half = 2.365 * np.sqrt(32 / 7) / np.sqrt(8)
    lo, hi = t_interval(x.mean(), x.std(ddof=1), 8)
    assert float(lo) == pytest.approx(5 - half, abs=1e-3)
    assert float(hi) == pytest.approx(5 + half, abs=1e-3)


def test_cronbach_alpha_by_hand():
    items = pd.DataFrame({"i1": [1, 2, 3, 4], "i2": [2, 3, 3, 4], "i3": [2, 3, 4, 5]})
    # item variances 5/3, 2/3, 5/3 (sum 4); totals 5, 8, 10, 13 -> variance 34/3
    # alpha = 3/2 * (1 - 4 / (34/3)) = 33/34
    assert sv.cronbach_alpha(items) == pytest.approx(33 / 34)


def _cbi_frame(rows, team="a", wave=1):
    cols = [f"cbi_work_{i}" for i in range(1, 8)]
    df = pd.DataFrame(rows, columns=cols, dtype=float)
    df.insert(0, "response_id", [f"r{i}" for i in range(len(df))])
    df.insert(0, "fielded", pd.Timestamp("2023-05-01"))
    df.insert(0, "wave", wave)
    df.insert(0, "team_id", team)
    return df


def test_cbi_scoring_key_reverse_item_and_min_items():
    nan = np.nan
    df = _cbi_frame([
        [100, 75, 50, 25, 0, 50, 100],     # item 7 raw 100 -> reversed 0; (100+75+50+25+0+50+0)/7
        [100, 100, 100, nan, nan, nan, 0],  # 4 answered: (100+100+100+100)/4 (item 7: 0 -> 100)
        [100, 100, nan, nan, nan, nan, 0],  # 3 answered -> non-responder (missing)
    ])
    s = sv.score_survey(df, sv.CBI_WORK)
    assert s["score"].iloc[0] == pytest.approx(300 / 7)
    assert s["score"].iloc[1] == pytest.approx(100.0)
    assert np.isnan(s["score"].iloc[2])
    assert s["at_or_above_cutoff"].iloc[:2].tolist() == [0.0, 1.0]  # 42.9 < 50; 100 >= 50
    assert np.isnan(s["at_or_above_cutoff"].iloc[2])
    assert s["n_answered"].tolist() == [7, 4, 3]


def test_sum_scoring_is_prorated_and_dict_or_object_definitions_work():
    spec = {"label": "x", "items": ["q1", "q2", "q3", "q4"], "response_min": 1, "response_max": 5,
            "score": "sum", "min_items": 3, "reverse": ["q4"], "cutoff": 12, "higher_is": "better",
            "subscales": {"first_two": ["q1", "q2"]}}
    df = pd.DataFrame({"team_id": ["a", "a"], "wave": [1, 1], "q1": [2, 1], "q2": [3, np.nan],
                       "q3": [4, np.nan], "q4": [np.nan, 5]})
    s = sv.score_survey(df, spec)
    main = s[s["scale"] == "x"]
    # row 1: 2+3+4 = 9 over 3 answered of 4 -> 9 * 4/3 = 12; row 2: only 2 answered -> missing
    assert main["score"].iloc[0] == pytest.approx(9 * 4 / 3)
    assert np.isnan(main["score"].iloc[1])
    sub = s[s["scale"] == "first_two"]
    # subscale needs ceil(3 * 2/4) = 2 answered: row 1 (2+3) = 5; row 2 one answered -> missing
    assert sub["score"].iloc[0] == 5 and np.isnan(sub["score"].iloc[1])
    obj = SimpleNamespace(**spec)
    assert sv.score_survey(df, obj)["score"].iloc[0] == pytest.approx(12)


def test_bad_answers_and_bad_definitions_raise():
    df = _cbi_frame([[100, 75, 50, 25, 0, 50, 60]])
    df.loc[0, "cbi_work_3"] = 120
    with pytest.raises(DataError, match="row 2, column cbi_work_3"):
        sv.score_survey(df, sv.CBI_WORK)
    with pytest.raises(ParamsError):
        sv.score_survey(df, {"label": "x", "items": ["cbi_work_1"], "reverse": ["itl_1"]})


def test_summary_per_team_and_wave_by_hand():
    df = _cbi_frame([[100] * 6 + [0], [50] * 7, [0] * 6 + [100], [75] * 6 + [25], [25] * 6 + [75]])
    # scores: 100, 50, 0, 75, 25 -> mean 50; sd = sqrt((2500+0+2500+625+625)/4) = sqrt(1562.5)
    # at/above 50: 100, 50, 75 -> 3 of 5
    roster = pd.DataFrame({
        "team_id": ["a"] * 12,
        "hire_date": pd.to_datetime(["2020-01-01"] * 11 + ["2023-05-02"]),  # last hired after fielding
        "separation_date": pd.to_datetime([None] * 9 + ["2023-04-30", "2023-05-01", None]),
    })
    # employed on 2023-05-01: 9 stayers + the one whose last day is 1 May = 10 -> response rate 5/10
    out = sv.summarise_survey(df, sv.CBI_WORK, roster).table.iloc[0]
    assert out["n_respondents"] == 5 and out["n_scored"] == 5
    assert out["staff_employed"] == 10 and out["response_rate"] == pytest.approx(50.0)
    assert out["mean"] == pytest.approx(50.0)
    assert out["sd"] == pytest.approx(np.sqrt(1562.5))
    half = 2.776445 * np.sqrt(1562.5) / np.sqrt(5)  # t(4, .975) = 2.776 (table)
    assert out["ci_lower"] == pytest.approx(50 - half, abs=1e-3)
    assert out["pct_at_or_above_cutoff"] == pytest.approx(3 / 5 * 100)
    z = 1.959964
    p, n = 0.6, 5
    wl = (p + z * z / (2 * n) - z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n)
    assert out["pct_ci_lower"] == pytest.approx(wl * 100, abs=1e-4)
    # the five answer vectors are perfectly consistent after reversing item 7 -> alpha = 1
    assert out["cronbach_alpha"] == pytest.approx(1.0)


def test_alpha_per_group_matches_direct_computation():
    rng = np.random.default_rng(3)
    rows = rng.choice([0, 25, 50, 75, 100], size=(40, 7)).astype(float)
    df = _cbi_frame(rows)
    df["wave"] = [1] * 20 + [2] * 20
    out = sv.summarise_survey(df, sv.CBI_WORK).table
    items = df[[f"cbi_work_{i}" for i in range(1, 8)]].copy()
    items["cbi_work_7"] = 100 - items["cbi_work_7"]
    assert out["cronbach_alpha"].iloc[0] == pytest.approx(sv.cronbach_alpha(items.iloc[:20]))
    assert out["cronbach_alpha"].iloc[1] == pytest.approx(sv.cronbach_alpha(items.iloc[20:]))
    assert np.isnan(out["response_rate"]).all()  # no roster given


def test_suppressed_summary_hides_groups_under_five():
    df = pd.concat([_cbi_frame([[100] * 7] * 4, wave=1), _cbi_frame([[50] * 7] * 6, wave=2)], ignore_index=True)
    out = sv.suppressed_summary(sv.summarise_survey(df, sv.CBI_WORK))
    assert out["n_respondents"].tolist() == ["hidden", 6]
    assert out["mean"].iloc[0] == "suppressed" and out["mean"].iloc[1] == pytest.approx(50.0)
    assert "response_id" not in out.columns


def test_staff_count_under_ten_is_hidden_with_the_response_rate():
    """7 staff employed, 6 respondents: 6 ≥ 5 respondents may be shown, but 7 staff is a
    count of people under 10, and 6/7 = 85.7% would reveal it, so both are hidden."""
    import pandas as pd

    from evalkit.workforce.survey import SurveySummary, suppressed_summary

    table = pd.DataFrame({"team_id": ["t", "u"], "n_respondents": [6, 12], "n_scored": [6, 12],
                          "staff_employed": [7.0, 20.0], "response_rate": [600 / 7, 60.0],
                          "mean": [40.0, 45.0], "n_at_or_above_cutoff": [0, 6],
                          "pct_at_or_above_cutoff": [0.0, 50.0], "sd": [5.0, 5.0],
                          "ci_lower": [35.0, 42.0], "ci_upper": [45.0, 48.0], "cronbach_alpha": [0.8, 0.8],
                          "pct_ci_lower": [0.0, 25.0], "pct_ci_upper": [39.0, 75.0]})
    shown = suppressed_summary(SurveySummary(table=table, definition=""))
    assert shown.loc[0, "staff_employed"] == "hidden"
    assert shown.loc[0, "response_rate"] == "suppressed"
    assert shown.loc[0, "n_respondents"] == 6 and shown.loc[0, "mean"] == 40.0
    assert shown.loc[1, "staff_employed"] == 20.0 and shown.loc[1, "response_rate"] == 60.0
