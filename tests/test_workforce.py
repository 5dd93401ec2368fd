"""Tests for evalkit.workforce.staffing (and evalkit.workforce.tenure, re-exported by it).

Expected values are hand calculations written as arithmetic, published textbook
examples (Freireich 6-MP data, Kaplan-Meier table in Kleinbaum & Klein, *Survival
Analysis*, ch. 2), or a naive per-day reference implementation written in the test.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit import workforce as wf
from evalkit.errors import DataError, InputError


def roster(rows):
    """rows: (team, hire, separation or None, type or None)."""
    df = pd.DataFrame(rows, columns=["team_id", "hire_date", "separation_date", "separation_type"])
    df["team_id"] = df["team_id"].astype("string")
    df["hire_date"] = pd.to_datetime(df["hire_date"])
    df["separation_date"] = pd.to_datetime(df["separation_date"])
    df["separation_type"] = df["separation_type"].astype("string")
    df.insert(1, "staff_key", [f"s{i}" for i in range(len(df))])
    return df


def employed_on(r: pd.DataFrame, day) -> pd.Series:
    """Reference definition: hire_date <= d and (separation_date blank or >= d)."""
    d = pd.Timestamp(day)
    return (r["hire_date"] <= d) & (r["separation_date"].isna() | (r["separation_date"] >= d))


# ----------------------------------------------------------------------------- turnover formulas
def test_one_separation_a_month_on_40_is_2_5_percent_and_30_percent_a_year():
    # 40 staff all year; each month one leaves on the 15th and a replacement starts on the 20th,
    # so headcount on every 1st is 40 -> average 40; 1/40*100 = 2.5 %/month; 12 * 2.5 = 30.0 %/year.
    rows = [("t", "2015-01-01", None, None) for _ in range(28)]
    for m in range(1, 13):
        rows.append(("t", "2015-01-01", f"2022-{m:02d}-15", "voluntary"))
        rows.append(("t", f"2022-{m:02d}-20", None, None))
    res = wf.monthly_workforce(roster(rows), start="2022-01", end="2022-12")
    t = res.table
    assert (t["average_headcount"] == 40).all()
    assert np.allclose(t["turnover_rate"], 1 / 40 * 100)  # 2.5
    ann = wf.annual_turnover(res).table
    last = ann.iloc[-1]
    assert last["annual_turnover_rate"] == pytest.approx(12 * 2.5)  # 30.0
    assert not last["annualised"] and last["months_in_window"] == 12
    assert "SHRM" in res.definition


def test_three_months_annualised_31_05_percent():
    # Month 1: start 39, 1 separation, 3 hires -> end 41, average 40.
    # Month 2: start 41, 0 separations, 2 transfers out -> end 39, average 40.
    # Month 3: start 39, 2 separations -> end 37, average 38.
    # (1/40 + 0/40 + 2/38) * 100 * 12/3 = 31.0526... % annualised.
    rows = [("t", "2015-01-01", None, None) for _ in range(34)]
    rows += [("t", "2015-01-01", "2022-01-10", "voluntary")]
    rows += [("t", "2022-01-12", None, None) for _ in range(3)]
    rows += [("t", "2015-01-01", "2022-02-05", "transfer") for _ in range(2)]
    rows += [("t", "2015-01-01", "2022-03-31", "involuntary"), ("t", "2015-01-01", "2022-03-02", "other")]
    res = wf.monthly_workforce(roster(rows), start="2022-01", end="2022-03")
    t = res.table
    assert t["headcount_start"].tolist() == [39, 41, 39]
    assert t["headcount_end"].tolist() == [41, 39, 37]
    assert t["average_headcount"].tolist() == [40, 40, 38]
    assert t["separations"].tolist() == [1, 0, 2]
    assert t["transfers_out"].tolist() == [0, 2, 0]
    ann = wf.annual_turnover(res).table.iloc[-1]
    expected = (1 / 40 + 0 / 40 + 2 / 38) * 100 * 12 / 3
    assert ann["annual_turnover_rate"] == pytest.approx(expected)
    assert round(ann["annual_turnover_rate"], 2) == 31.05
    assert ann["annualised"] and ann["label"] == "annualised from 3 months"
    # per-type rates: month 3 one involuntary, one other on 38
    assert t["turnover_rate_involuntary"].iloc[2] == pytest.approx(1 / 38 * 100)
    assert t["turnover_rate_other"].iloc[2] == pytest.approx(1 / 38 * 100)


def test_tiny_roster_snapshots_by_hand():
    rows = [
        ("a", "2020-06-01", None, None),              # p0 employed throughout
        ("a", "2022-01-10", "2022-01-20", "voluntary"),  # p1 hired and separated in January
        ("a", "2021-03-01", "2022-01-31", "involuntary"),  # p2 last day = last day of January
        ("a", "2021-03-01", "2022-02-14", "transfer"),   # p3 transfers out in February
        ("a", "2022-02-01", None, None),              # p4 starts on 1 February
        ("a", "2022-03-01", "2022-03-01", "other"),   # p5 one-day employment on 1 March
    ]
    t = wf.monthly_workforce(roster(rows), start="2022-01", end="2022-03").table
    # 1 Jan: p0, p2, p3 = 3.   1 Feb: p0, p3, p4 = 3 (p2 left 31 Jan; p4 employed on his first day)
    # 1 Mar: p0, p4, p5 = 3.   1 Apr: p0, p4 = 2.
    assert t["headcount_start"].tolist() == [3, 3, 3]
    assert t["headcount_end"].tolist() == [3, 3, 2]
    assert t["average_headcount"].tolist() == [(3 + 3) / 2, (3 + 3) / 2, (3 + 2) / 2]
    # hires between the two snapshot days (after the 1st, up to and including next 1st):
    # Jan: p1 (10 Jan) and p4 (1 Feb) = 2; Feb: p5 (1 Mar) = 1; Mar: 0
    assert t["hires"].tolist() == [2, 1, 0]
    # separations by last day: Jan p1 (vol) + p2 (invol) = 2; Feb: 0 (p3 is a transfer); Mar: p5 (other)
    assert t["separations"].tolist() == [2, 0, 1]
    assert t["separations_voluntary"].tolist() == [1, 0, 0]
    assert t["separations_involuntary"].tolist() == [1, 0, 0]
    assert t["separations_other"].tolist() == [0, 0, 1]
    assert t["transfers_out"].tolist() == [0, 1, 0]
    assert t["turnover_rate"].tolist() == pytest.approx([2 / 3 * 100, 0.0, 1 / 2.5 * 100])
    # counting transfers as separations moves p3 into February's separations
    t2 = wf.monthly_workforce(roster(rows), start="2022-01", end="2022-03",
                              count_transfers_as_separations=True).table
    assert t2["separations"].tolist() == [2, 1, 1]
    assert t2["transfers_out"].tolist() == [0, 0, 0]
    assert "counted as separations" in wf.monthly_workforce(
        roster(rows), start="2022-01", end="2022-01", count_transfers_as_separations=True).definition


def test_zero_headcount_gives_missing_rate_not_error():
    t = wf.monthly_workforce(roster([("a", "2022-03-10", None, None)]), start="2022-01", end="2022-03").table
    assert np.isnan(t["turnover_rate"].iloc[0])
    assert len(t) == 3  # missing values stay as rows


def test_bad_rows_raise_one_line_errors():
    with pytest.raises(DataError, match="row 2, column separation_date"):
        wf.monthly_workforce(roster([("a", "2022-03-10", "2022-03-01", "voluntary")]))
    with pytest.raises(DataError, match="separation_type"):
        wf.monthly_workforce(roster([("a", "2022-03-10", "2022-04-01", "retired")]))
    with pytest.raises(InputError):
        wf.monthly_workforce(roster([("a", "2022-03-10", None, None)]), start="2022-05", end="2022-01")


# ----------------------------------------------------------------------------- property: stock and flow
dates = st.dates(min_value=pd.Timestamp("2021-10-01").date(), max_value=pd.Timestamp("2022-08-31").date())


@st.composite
def rosters(draw):
    n = draw(st.integers(1, 25))
    rows = []
    for _ in range(n):
        h = draw(dates)
        if draw(st.booleans()):
            s = draw(st.dates(min_value=h, max_value=pd.Timestamp("2022-09-30").date()))
            typ = draw(st.sampled_from(["voluntary", "involuntary", "other", "transfer", None]))
        else:
            s, typ = None, None
        rows.append((draw(st.sampled_from(["a", "b"])), str(h), None if s is None else str(s), typ))
    return roster(rows)


@settings(max_examples=80, deadline=None)
@given(rosters(), st.booleans())
def test_stock_and_flow_identity_and_naive_reference(r, transfers_count):
    res = wf.monthly_workforce(r, start="2022-01", end="2022-06", count_transfers_as_separations=transfers_count)
    t = res.table
    assert (t["headcount_end"] == t["headcount_start"] + t["hires"] - t["separations"] - t["transfers_out"]).all()
    for team, sub in t.groupby("team_id"):
        rr = r[r["team_id"] == team]
        assert (sub["headcount_end"].to_numpy()[:-1] == sub["headcount_start"].to_numpy()[1:]).all()
        for _, row in sub.iterrows():  # naive reference: boolean masks per month
            m0 = row["period"]
            m1 = m0 + pd.offsets.MonthBegin(1)
            assert row["headcount_start"] == employed_on(rr, m0).sum()
            assert row["headcount_end"] == employed_on(rr, m1).sum()
            in_month = (rr["separation_date"] >= m0) & (rr["separation_date"] < m1)
            typ = rr["separation_type"].fillna("other")
            seps = in_month & (typ != "transfer") if not transfers_count else in_month
            assert row["separations"] == seps.sum()


# ----------------------------------------------------------------------------- retention
def test_period_retention_is_not_one_minus_turnover():
    rows = [
        ("a", "2020-01-01", None, None),
        ("a", "2020-01-01", None, None),
        ("a", "2020-01-01", "2022-06-30", "voluntary"),
        ("a", "2020-01-01", "2022-12-31", "voluntary"),  # last day = period's last day: retained
        ("a", "2022-03-01", "2022-05-01", "voluntary"),  # hired in the period: not in the base
        ("a", "2022-03-01", None, None),
    ]
    r = roster(rows)
    t = wf.period_retention(r, "2022-01-01", "2022-12-31").table.iloc[0]
    # base: 4 employed on 1 Jan; retained on 31 Dec: 3 (the two stayers and the one leaving on 31 Dec)
    assert t["employed_first_day"] == 4 and t["retained"] == 3
    assert t["retention_rate"] == pytest.approx(3 / 4 * 100)
    # the yearly turnover sum counts 3 separations (incl. the new hire's), so 100 - turnover != retention
    ann = wf.annual_turnover(wf.monthly_workforce(r, start="2022-01", end="2022-12")).table.iloc[-1]
    assert ann["annual_turnover_rate"] != pytest.approx(100 - t["retention_rate"])


def test_rolling_retention_matches_period_retention():
    rows = [("a", "2020-01-01", None, None), ("a", "2021-05-05", "2022-02-10", "voluntary"),
            ("a", "2021-12-20", "2022-03-31", "other"), ("b", "2022-01-15", None, None),
            ("b", "2021-01-01", "2021-12-31", "voluntary")]
    r = roster(rows)
    roll = wf.rolling_retention(r, start="2022-01", end="2022-06", window=3).table
    for _, row in roll.iterrows():
        ref = wf.period_retention(r, row["window_start"], row["period"] + pd.offsets.MonthEnd(0)).table
        ref = ref[ref["team_id"] == row["team_id"]].iloc[0]
        assert row["employed_first_day"] == ref["employed_first_day"]
        assert row["retained"] == ref["retained"]
    # team a, window Jan-Mar 2022: employed 1 Jan = 3; on 31 Mar: p0 and p2 (last day 31 Mar) = 2
    a_mar = roll[(roll["team_id"] == "a") & (roll["period"] == "2022-03-01")].iloc[0]
    assert (a_mar["employed_first_day"], a_mar["retained"]) == (3, 2)


# ----------------------------------------------------------------------------- Kaplan-Meier
def test_kaplan_meier_freireich_6mp_textbook():
    # Freireich et al. (1963) 6-MP group, n = 21; deaths (relapses) at 6,6,6,7,10,13,16,22,23;
    # censored at 6,9,10,11,17,19,20,25,32,32,34,35. Kleinbaum & Klein table: S = .857, .807, .753,
    # .690, .627, .538, .448.
    deaths = [6, 6, 6, 7, 10, 13, 16, 22, 23]
    cens = [6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35]
    km = wf.kaplan_meier(deaths + cens, [True] * 9 + [False] * 12)
    ev = km.table[km.table["n_events"] > 0].set_index("time")
    s6 = 1 - 3 / 21
    s7 = s6 * (1 - 1 / 17)
    s10 = s7 * (1 - 1 / 15)
    s13 = s10 * (1 - 1 / 12)
    s16 = s13 * (1 - 1 / 11)
    s22 = s16 * (1 - 1 / 7)
    s23 = s22 * (1 - 1 / 6)
    assert ev["surv"].tolist() == pytest.approx([s6, s7, s10, s13, s16, s22, s23])
    assert [round(v, 3) for v in ev["surv"]] == [0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448]
    assert ev["n_at_risk"].tolist() == [21, 17, 15, 12, 11, 7, 6]
    # Greenwood SE at t=6: S*sqrt(3/(21*18)) = 0.0764 (textbook)
    assert ev.loc[6.0, "surv_se"] == pytest.approx(s6 * np.sqrt(3 / (21 * 18)))
    assert km.settings["medians"]["median"].iloc[0] == 23  # first time S < 0.5


def test_kaplan_meier_matches_statsmodels_reference():
    from statsmodels.duration.survfunc import SurvfuncRight

    rng = np.random.default_rng(7)
    t = rng.integers(1, 60, 80).astype(float)
    e = rng.random(80) < 0.7
    km = wf.kaplan_meier(t, e)
    ev = km.table[km.table["n_events"] > 0]
    sf = SurvfuncRight(t, e.astype(float))
    assert ev["time"].to_numpy() == pytest.approx(sf.surv_times)
    assert ev["surv"].to_numpy() == pytest.approx(sf.surv_prob)
    assert ev["surv_se"].to_numpy() == pytest.approx(sf.surv_prob_se, nan_ok=True)
    med = km.settings["medians"].iloc[0]
    assert med["median"] == sf.quantile(0.5)
    lo, hi = sf.quantile_ci(0.5)
    assert (med["median_ci_lower"], med["median_ci_upper"]) == (lo, hi)


def test_time_to_fill_keeps_open_requisitions_as_censored():
    req = pd.DataFrame({
        "team_id": ["a"] * 4, "requisition_id": ["r1", "r2", "r3", "r4"],
        "opened": pd.to_datetime(["2024-01-01"] * 4),
        "filled": pd.to_datetime(["2024-01-11", "2024-01-21", "2024-02-01", None]),
    })
    res = wf.time_to_fill(req, as_of="2024-02-29").table.iloc[0]
    # days: 10, 20, 31 filled; 59 open (censored). S(10)=3/4, S(20)=2/4, S(31)=1/4 -> first S<0.5 at 31.
    # Dropping the open one would give S(20)=1/3 -> 20 days: censoring matters.
    assert res["median_days_to_fill"] == 31
    assert (res["n_requisitions"], res["n_filled"], res["n_open"]) == (4, 3, 1)
    assert "censored" in wf.time_to_fill(req, as_of="2024-02-29").definition


def test_new_hire_retention_direct_and_kaplan_meier():
    rows = [
        # 2022Q1 cohort, complete by 2024-06-30: 4 hired, two left before day 365 -> 2/4
        ("a", "2022-01-10", None, None),
        ("a", "2022-02-01", "2022-06-30", "voluntary"),
        ("a", "2022-03-01", "2023-03-01", "voluntary"),  # last day = hire + 365 days: still employed then
        ("a", "2022-03-31", "2023-01-15", "voluntary"),
        # 2024Q1 cohort, open: 3 hired; one left after 31 days, two censored at as_of
        ("a", "2024-01-01", "2024-01-31", "voluntary"),
        ("a", "2024-01-01", None, None),
        ("a", "2024-02-01", None, None),
    ]
    t = wf.new_hire_retention(roster(rows), as_of="2024-06-30").table.set_index("cohort")
    # 2022Q1: p2 hired 2022-03-01, employed on 2023-03-01 = hire + 365 days -> retained; p3 not.
    # retained = 2 of 4? p0 yes, p1 no, p2 yes, p3 no -> 2/4
    assert t.loc["2022Q1", "complete"] and t.loc["2022Q1", "method"] == "direct"
    assert t.loc["2022Q1", "retention_rate"] == pytest.approx(2 / 4 * 100)
    # 2024Q1 Kaplan-Meier: event at 31 days with 3 at risk -> S = 1 - 1/3; no later events before 365
    assert not t.loc["2024Q1", "complete"] and t.loc["2024Q1", "method"] == "Kaplan–Meier"
    assert t.loc["2024Q1", "retention_rate"] == pytest.approx((1 - 1 / 3) * 100)


def test_tenure_survival_uses_km_and_reports_median():
    rows = [("a", "2020-01-01", "2020-01-10", "voluntary"),  # 10 days
            ("a", "2020-01-01", "2020-01-20", "voluntary"),  # 20 days
            ("a", "2020-01-01", "2020-01-30", "voluntary"),  # 30 days
            ("a", "2020-01-01", None, None)]                # censored
    ts = wf.tenure_survival(roster(rows), as_of="2020-12-31")
    c = ts.curves
    assert c["surv_prob"].tolist() == pytest.approx([3 / 4, 2 / 4, 1 / 4])
    assert (c["ci_lower"] <= c["surv_prob"]).all() and (c["surv_prob"] <= c["ci_upper"]).all()
    assert ts.medians["median_tenure_days"].iloc[0] == 30  # first S < 0.5
    assert ts.medians["n_staff"].iloc[0] == 4 and ts.medians["n_separations"].iloc[0] == 3


# ----------------------------------------------------------------------------- vacancy, series, consistency
def test_vacancy_rate_by_hand():
    pos = pd.DataFrame({"team_id": ["a", "a", "b"], "period": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-01"]),
                        "funded_positions": [20.0, 20.0, 0.0], "filled_positions": [17.0, 20.0, 0.0]})
    t = wf.vacancy_rate(pos).table
    assert t["vacancy_rate"].iloc[0] == pytest.approx((20 - 17) / 20 * 100)  # 15 %
    assert t["vacancy_rate"].iloc[1] == 0
    assert np.isnan(t["vacancy_rate"].iloc[2])


def test_turnover_series_for_u_chart_and_consistency_check():
    rows = [("a", "2015-01-01", None, None) for _ in range(19)] + [("a", "2015-01-01", "2022-01-15", "voluntary")]
    res = wf.monthly_workforce(roster(rows), start="2022-01", end="2022-02")
    s = wf.turnover_series(res, team="a")
    assert s.chart == "u" and s.multiply == 100
    assert s.y.tolist() == [1, 0] and s.n.tolist() == [(20 + 19) / 2, 19]
    measures = pd.DataFrame({
        "team_id": ["a", "a", "a"], "period": pd.to_datetime(["2022-01-01", "2022-02-01", "2022-01-01"]),
        "measure_id": ["turnover_rate", "turnover_rate", "vacancy_rate"],
        "numerator": [1.0, 1.0, 3.0], "denominator": [19.5, 19.0, 20.0],
    })
    chk = wf.check_against_measures(res, measures)
    assert chk.table["agrees"].tolist() == [True, False]  # February reports 1 separation, roster has 0
    assert chk.settings["n_disagreements"] == 1
    ret = wf.retention_series(wf.rolling_retention(roster(rows), start="2022-01", end="2022-02", window=1))
    assert ret.chart == "p" and ret.y.tolist() == [19, 19] and ret.n.tolist() == [20, 19]


def test_every_result_carries_a_definition_with_source():
    r = roster([("a", "2020-01-01", "2022-02-01", "voluntary"), ("a", "2021-01-01", None, None)])
    m = wf.monthly_workforce(r, start="2022-01", end="2022-03")
    assert "SHRM" in m.definition and "JOLTS" in m.definition
    assert "Kaplan" in wf.tenure_survival(r, as_of="2022-12-31").definition
    assert "Kaplan" in wf.new_hire_retention(r, as_of="2022-12-31").definition
    assert "<p" in m._repr_html_()


def test_tenure_survival_left_truncation_by_hand():
    # Roster extract starts 2022-01-01; as_of 2022-12-31. Tenure in days counts hire day and last day.
    rows = [
        ("a", "2021-12-22", "2022-01-10", "voluntary"),  # A: 20 days, enters at 10 days
        ("a", "2022-01-01", "2022-01-05", "voluntary"),  # B: 5 days, enters at 0
        ("a", "2021-01-01", None, None),                  # C: censored, enters at 365 days
        ("a", "2022-01-01", None, None),                  # E: censored at 365 days, enters at 0
        ("a", "2020-01-01", "2021-06-30", "voluntary"),  # F: left before the extract: ignored
    ]
    ts = wf.tenure_survival(roster(rows), as_of="2022-12-31", observed_from="2022-01-01")
    # t=5: at risk B, E (A enters at 10, C at 365) -> S = 1 - 1/2
    # t=20: at risk A, E -> S = (1 - 1/2) * (1 - 1/2)
    assert ts.curves["surv_prob"].tolist() == pytest.approx([1 - 1 / 2, (1 - 1 / 2) * (1 - 1 / 2)])
    assert ts.medians["n_staff"].iloc[0] == 4
    assert "left truncation" in ts.definition
    # ignoring truncation (and F's 547-day tenure) would give different numbers
    naive = wf.tenure_survival(roster(rows[:4]), as_of="2022-12-31")
    assert naive.curves["surv_prob"].tolist() == pytest.approx([3 / 4, 3 / 4 * 2 / 3])


def test_new_hire_retention_since_drops_older_cohorts():
    rows = [("a", "2019-05-01", None, None), ("a", "2022-02-01", "2022-03-01", "voluntary"),
            ("a", "2022-03-01", None, None)]
    t = wf.new_hire_retention(roster(rows), as_of="2024-06-30", since="2022-01-01", cohort="year").table
    assert t["cohort"].tolist() == ["2022"]
    assert t["retention_rate"].iloc[0] == pytest.approx(1 / 2 * 100)


def test_turnover_series_feeds_spc_qic_u_chart():
    # 8 stayers + 12 who leave one a month (15th), each replaced on the 20th: headcount 20 on every
    # 1st -> 1/20*100 = 5 %/month
    rows = [("a", "2015-01-01", None, None) for _ in range(8)]
    for m in range(1, 13):
        rows += [("a", "2015-01-01", f"2022-{m:02d}-15", "voluntary"), ("a", f"2022-{m:02d}-20", None, None)]
    res = wf.monthly_workforce(roster(rows), start="2022-01", end="2022-12")
    q = wf.turnover_series(res, team="a").qic()
    assert q.points["y"].to_numpy() == pytest.approx([1 / 20 * 100] * 12)
    assert q.summary["cl"].iloc[0] == pytest.approx(12 / (12 * 20) * 100)  # u-bar = sum(y)/sum(n)
