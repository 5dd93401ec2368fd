"""Tests for evalkit.country.training on a small hand-made roster and training log (seed 004)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.errors import DataError
from evalkit.country.training import (
    COVERAGE_WARNING,
    has_training,
    joint_attendance,
    programme_staff,
    sequence_completion,
    trained_coverage,
)

D = pd.Timestamp


def _roster():
    return pd.DataFrame({
        "team_id": ["cw", "cw", "cw", "fa", "fa", "fa"],
        "staff_key": ["a", "b", "c", "d", "e", "f"],
        "hire_date": pd.to_datetime(["2022-01-01", "2022-06-01", "2023-02-01", "2021-01-01", "2021-01-01",
                                     "2022-01-01"]),
        "separation_date": pd.to_datetime(["2023-03-15", None, None, None, "2023-01-31", None]),
    })


def _training():
    rows = [  # session, date, level, staff, programme
        ("s1", "2023-01-10", "basic", "a", "cw"), ("s1", "2023-01-10", "basic", "b", "cw"),
        ("s1", "2023-01-10", "basic", "d", "fa"), ("s1", "2023-01-10", "basic", "e", "fa"),
        ("s2", "2023-02-01", "basic", "c", "cw"),
        ("s3", "2023-03-20", "core", "b", "cw"), ("s3", "2023-03-20", "core", "d", "fa"),
        ("s3", "2023-03-20", "core", "h", "fa"),
        ("s4", "2023-04-05", "advanced", "b", "cw"), ("s4", "2023-04-05", "advanced", "f", "fa"),
        ("s5", "2023-04-05", "core", "c", "cw"),
        ("s6", "2023-03-20", "basic", "h", "fa"),
        ("s7", "2023-05-01", "basic", "f", "fa"),
    ]
    df = pd.DataFrame(rows, columns=["session_id", "date", "level", "staff_key", "programme"])
    df.insert(0, "unit", "ev")
    df["date"] = pd.to_datetime(df["date"])
    df["module"] = df["level"] + " module"
    return df


def test_joint_sessions_and_shares():
    res = joint_attendance(_training(), unit="ev")
    s = res.sessions.set_index("session_id")
    # both programmes present in s1, s3, s4 only
    assert s["joint"].to_dict() == {"s1": True, "s2": False, "s3": True, "s4": True, "s5": False, "s6": False,
                                    "s7": False}
    assert s.loc["s1", "n_attendees"] == 4 and s.loc["s3", "programmes_present"] == "cw; fa"
    sh = res.shares.set_index(["session_id", "programme"])["share_pct"]
    assert sh[("s1", "cw")] == 50.0 and sh[("s1", "fa")] == 50.0  # 2 of 4 each
    assert sh[("s3", "cw")] == pytest.approx(100 / 3) and sh[("s3", "fa")] == pytest.approx(200 / 3)
    assert sh[("s2", "fa")] == 0.0  # zero share kept as a row
    summ = res.summary.iloc[0]
    assert (summ["n_sessions"], summ["n_joint"]) == (7, 3) and summ["pct_joint"] == pytest.approx(300 / 7)
    assert "staff_key" not in res._repr_html_()


def test_sequence_in_order_out_of_order_incomplete():
    res = sequence_completion(_training(), unit="ev")
    p = res.people.set_index("staff_key")["status"].to_dict()
    # b: basic 01-10, core 03-20, advanced 04-05 -> in sequence
    # f: advanced 04-05 before basic 05-01 -> out of sequence
    # h: basic and core the same day (03-20) -> in order so far, no advanced -> incomplete
    assert p == {"a": "incomplete", "b": "in sequence", "c": "incomplete", "d": "incomplete",
                 "e": "incomplete", "f": "out of sequence", "h": "incomplete"}
    s = res.summary.set_index(["programme", "status"])["n_people"]
    assert s[("cw", "in sequence")] == 1 and s[("cw", "out of sequence")] == 0 and s[("cw", "incomplete")] == 2
    assert s[("fa", "in sequence")] == 0 and s[("fa", "out of sequence")] == 1 and s[("fa", "incomplete")] == 3
    assert res.summary.groupby("programme")["pct"].sum().tolist() == pytest.approx([100.0, 100.0])
    html = res._repr_html_()
    assert "staff_key" not in html and ">b<" not in html  # person-level table never rendered


def test_unknown_level_is_data_error():
    t = _training()
    t.loc[0, "level"] = "expert"
    with pytest.raises(DataError, match="level"):
        sequence_completion(t)


def test_coverage_when_trained_people_leave():
    res = trained_coverage(_training(), _roster(), unit="ev", start="2023-01-01", end="2023-05-01")
    m = res.monthly.set_index(["team_id", "level", "month"])
    months = [D("2023-01-01"), D("2023-02-01"), D("2023-03-01"), D("2023-04-01"), D("2023-05-01")]

    def col(team, level, c):
        return [m.loc[(team, level, mo), c] for mo in months]

    # Staff employed on the 1st (hand): cw a,b | a,b,c (c hired on 02-01) | a,b,c (a leaves 03-15) | b,c | b,c
    assert col("cw", "basic", "n_staff") == [2, 3, 3, 2, 2]
    # fa d,e,f | d,f (e left 01-31) | d,f | d,f | d,f
    assert col("fa", "basic", "n_staff") == [3, 2, 2, 2, 2]
    # basic trained among current staff: cw 0 | a,b,c (c trained on 02-01 itself) | a,b,c | b,c | b,c
    assert col("cw", "basic", "n_trained") == [0, 3, 3, 2, 2]
    # fa: e was trained but left -> out of numerator and denominator: 0 | d | d | d | d,f
    assert col("fa", "basic", "n_trained") == [0, 1, 1, 1, 2]
    assert col("fa", "basic", "coverage_pct") == [0.0, 50.0, 50.0, 50.0, 100.0]
    # cumulative ever-trained keeps leavers: cw 0,3,3,3,3 -> 150 % of April staff
    assert col("cw", "basic", "n_ever_trained") == [0, 3, 3, 3, 3]
    assert m.loc[("cw", "basic", months[3]), "ever_trained_pct_of_staff"] == 150.0
    assert col("fa", "basic", "n_ever_trained") == [0, 2, 2, 2, 3]
    # all programme staff: staff 5,5,5,4,4; trained 0,4,4,3,4; ever 0,5,5,5,6 (h is not on the roster)
    assert col("all", "basic", "n_staff") == [5, 5, 5, 4, 4]
    assert col("all", "basic", "n_trained") == [0, 4, 4, 3, 4]
    assert col("all", "basic", "n_ever_trained") == [0, 5, 5, 5, 6]
    assert m.loc[("all", "basic", months[3]), "coverage_pct"] == 75.0
    # core: b, d on 03-20; c on 04-05 -> April cw b of b,c = 50 %; May 100 %
    assert col("cw", "core", "coverage_pct") == [0.0, 0.0, 0.0, 50.0, 100.0]
    assert res.warning == COVERAGE_WARNING and "overstate" in COVERAGE_WARNING


def _brute_force(training, roster, levels, months):
    """Independent reference: loops over months and people (test only)."""
    first = training.groupby(["staff_key", "level"])["date"].min()
    out = {}
    for lvl in levels:
        for mo in months:
            emp = roster[(roster["hire_date"] <= mo) & (roster["separation_date"].isna()
                                                      | (roster["separation_date"] >= mo))]
            n_tr = sum(1 for k in emp["staff_key"] if (k, lvl) in first.index and first[(k, lvl)] <= mo)
            ever = len({k for k in roster["staff_key"] if (k, lvl) in first.index and first[(k, lvl)] <= mo})
            out[(lvl, mo)] = (len(emp), n_tr, ever)
    return out


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 540), st.one_of(st.none(), st.integers(0, 540)),
                          st.one_of(st.none(), st.integers(0, 540)), st.one_of(st.none(), st.integers(0, 540))),
                min_size=1, max_size=12))
def test_coverage_matches_brute_force(people):
    base = D("2022-01-01")
    roster_rows, train_rows = [], []
    for i, (hire, stay, basic, core) in enumerate(people):
        key = f"p{i}"
        sep = None if stay is None else base + pd.Timedelta(days=hire + stay)
        roster_rows.append(("cw", key, base + pd.Timedelta(days=hire), sep))
        for lvl, day in (("basic", basic), ("core", core)):
            if day is not None:
                train_rows.append(("ev", f"s-{lvl}-{day}", base + pd.Timedelta(days=day), "m", lvl, key, "cw"))
    roster = pd.DataFrame(roster_rows, columns=["team_id", "staff_key", "hire_date", "separation_date"])
    roster["separation_date"] = pd.to_datetime(roster["separation_date"])
    training = pd.DataFrame(train_rows, columns=["unit", "session_id", "date", "module", "level", "staff_key",
                                                 "programme"])
    training["date"] = pd.to_datetime(training["date"])
    res = trained_coverage(training, roster, levels=["basic", "core"], start="2022-01-01", end="2023-06-01")
    months = pd.date_range("2022-01-01", "2023-06-01", freq="MS")
    ref = _brute_force(training, roster, ["basic", "core"], months)
    m = res.monthly.loc[res.monthly["team_id"] == "cw"].set_index(["level", "month"])
    for (lvl, mo), (n_staff, n_tr, ever) in ref.items():
        row = m.loc[(lvl, mo)]
        assert (row["n_staff"], row["n_trained"], row["n_ever_trained"]) == (n_staff, n_tr, ever)
        if n_staff:
            assert 0 <= row["coverage_pct"] <= 100
        else:
            assert np.isnan(row["coverage_pct"])


def test_programme_staff_and_has_training():
    teams = pd.DataFrame({"team_id": ["cw", "fa", "x"], "role": ["programme", "programme", "participant"],
                          "country": ["ev", "ev", "ev"]})
    roster = pd.concat([_roster(), pd.DataFrame({"team_id": ["x"], "staff_key": ["z"],
                                                 "hire_date": [D("2020-01-01")], "separation_date": [pd.NaT]})])
    assert sorted(programme_staff(roster, teams, "ev")["staff_key"]) == list("abcdef")
    assert has_training(_training(), "ev") and not has_training(_training(), "moldova") and not has_training(None)


def test_report_tables_suppress_small_attendance_and_coverage_counts():
    # Privacy rule (DESIGN §5): counts of fewer than 10 people are not shown, nor the
    # percentages computed from them. Every session here has fewer than 10 attendees.
    ja = joint_attendance(_training())
    shares = ja.report_table("shares")
    assert set(shares.loc[shares["n_attendees"] != 0, "n_attendees"]) == {"hidden"}
    assert set(shares.loc[shares["n_attendees"] != 0, "share_pct"]) == {"suppressed"}
    assert "hidden" in set(ja.report_table("sessions")["n_attendees"])
    cov = trained_coverage(_training(), _roster(), unit="ev").report_table("monthly")
    assert "staff_key" not in cov.columns
    # at most 6 staff on the roster: every non-zero staff count is hidden with its coverage
    nonzero = cov["n_staff"] != 0
    assert set(cov.loc[nonzero, "n_staff"]) == {"hidden"}
    assert set(cov.loc[nonzero, "coverage_pct"]) == {"suppressed"}
    assert "hidden" in joint_attendance(_training())._repr_html_()
