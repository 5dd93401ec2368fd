"""Tests for evalkit.collaborative.pdsa against a small hand-made log (expected values counted by hand)."""
from __future__ import annotations

import pandas as pd
import pytest

from evalkit.errors import InputError
from evalkit.collaborative.pdsa import (
    ESSENTIALS,
    cycles_by_month,
    decision_shares,
    driver_coverage,
    essential_coverage,
    pdsa_annotations,
    pdsa_heatmap,
    prediction_share,
    ramp_summary,
    summarise_pdsa,
)

# team a: 4 cycles in 2 ramps; team b: 1 cycle with a blank decision and no prediction.
LOG = pd.DataFrame(
    {
        "team_id": ["a", "a", "a", "a", "b"],
        "pdsa_id": ["p1", "p2", "p3", "p4", "p5"],
        "ramp_id": ["r1", "r1", "r1", "r2", "r9"],
        "change_idea": ["Stay interviews with one worker", "Stay interviews (unit)", "Stay interviews (all)",
                        "Flexible hours", "Peer circle"],
        "essential": ["mattering-at-work"] * 3 + ["work-life-harmony", "connection-and-community"],
        "driver": ["Recognition", "Recognition", "Recognition", "Workload", "Belonging"],
        "start_date": pd.to_datetime(["2023-04-10", "2023-04-28", "2023-06-02", "2023-06-20", "2023-05-05"]),
        "end_date": pd.to_datetime(["2023-04-27", "2023-05-30", "2023-07-01", None, "2023-06-01"]),
        "prediction": ["More will stay", "", "More will stay", "Less overtime", None],
        "decision": ["adapt", "adapt", "adopt", "ongoing", None],
        "measure_id": ["turnover_rate"] * 4 + ["wellbeing_pulse"],
    }
)


def test_cycles_by_month_counts_and_cumulates_on_a_complete_grid():
    out = cycles_by_month(LOG)
    a = out[out["team_id"] == "a"]
    # months 2023-04..2023-06: a started 2, 0, 2 → cumulative 2, 2, 4
    assert a["month"].dt.strftime("%Y-%m").tolist() == ["2023-04", "2023-05", "2023-06"]
    assert a["cycles_started"].tolist() == [2, 0, 2]
    assert a["cumulative"].tolist() == [2, 2, 4]
    b = out[out["team_id"] == "b"]
    assert b["cycles_started"].tolist() == [0, 1, 0] and b["cumulative"].tolist() == [0, 1, 1]


def test_cycles_by_month_includes_teams_without_cycles_and_earlier_cycles_in_cumulative():
    out = cycles_by_month(LOG, teams=["a", "b", "c"], start="2023-05", end="2023-07")
    c = out[out["team_id"] == "c"]
    assert c["cycles_started"].tolist() == [0, 0, 0]
    a = out[out["team_id"] == "a"]
    assert a["cumulative"].tolist() == [2, 4, 4]  # the 2 April cycles count before the grid starts


def test_ramps_and_cycles_per_ramp():
    r = ramp_summary(LOG).set_index(["team_id", "ramp_id"])
    assert r.loc[("a", "r1"), "cycles"] == 3 and r.loc[("a", "r2"), "cycles"] == 1
    assert r.loc[("a", "r1"), "last_decision"] == "adopt"
    assert r.loc[("b", "r9"), "last_decision"] == "not recorded"
    s = summarise_pdsa(LOG).by_team.set_index("team_id")
    assert s.loc["a", "ramps"] == 2 and s.loc["a", "cycles_per_ramp"] == pytest.approx(4 / 2)


def test_decision_shares_with_blank_decisions_reported_as_not_recorded():
    d = decision_shares(LOG).set_index(["team_id", "decision"])
    assert d.loc[("a", "adapt"), "share"] == pytest.approx(2 / 4)
    assert d.loc[("a", "adopt"), "share"] == pytest.approx(1 / 4)
    assert d.loc[("a", "ongoing"), "share"] == pytest.approx(1 / 4)
    assert d.loc[("a", "abandon"), "cycles"] == 0
    assert d.loc[("b", "not recorded"), "share"] == pytest.approx(1.0)
    whole = decision_shares(LOG, by_team=False).set_index("decision")
    assert whole.loc["adapt", "share"] == pytest.approx(2 / 5)


def test_prediction_share_treats_blank_text_as_no_prediction():
    p = prediction_share(LOG).set_index("team_id")
    assert p.loc["a", "with_prediction"] == 3 and p.loc["a", "share"] == pytest.approx(3 / 4)
    assert p.loc["b", "share"] == 0


def test_essential_coverage_lists_all_five_essentials_for_every_team():
    e = essential_coverage(LOG)
    assert len(e) == 2 * 5
    assert e["essential"].tolist()[:5] == list(ESSENTIALS)
    a = e[e["team_id"] == "a"].set_index("essential")
    assert a.loc["mattering-at-work", "cycles"] == 3 and a.loc["work-life-harmony", "covered"]
    assert not a.loc["protection-from-harm", "covered"]
    assert summarise_pdsa(LOG).by_team.set_index("team_id").loc["a", "essentials_covered"] == 2


def test_driver_coverage_with_a_given_framework():
    d = driver_coverage(LOG, drivers=["Recognition", "Workload", "Belonging", "Safety"]).set_index(["team_id", "driver"])
    assert d.loc[("a", "Safety"), "cycles"] == 0
    assert d.loc[("a", "Recognition"), "cycles"] == 3
    assert d.loc[("b", "Belonging"), "covered"]


def test_annotations_for_one_team_by_cycle_and_by_ramp():
    ann = pdsa_annotations(LOG, "a", max_chars=15)
    assert list(ann.columns) == ["date", "label"]
    assert ann["date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-04-10", "2023-04-28", "2023-06-02", "2023-06-20"]
    assert ann["label"].iloc[0] == "p1: Stay interview…"  # 14 characters + "…" = 15
    assert ann["label"].iloc[3] == "p4: Flexible hours"
    ramps = pdsa_annotations(LOG, "a", level="ramp", max_chars=100)
    assert ramps["label"].tolist() == ["r1: Stay interviews with one worker", "r2: Flexible hours"]
    assert pdsa_annotations(LOG, "zzz").empty


def test_heatmap_is_team_by_month():
    h = pdsa_heatmap(LOG)
    assert h.shape == (2, 3)
    assert h.loc["a"].tolist() == [2, 0, 2]


def test_text_dates_are_accepted_and_missing_columns_explained():
    log = LOG.assign(start_date=LOG["start_date"].dt.strftime("%Y-%m-%d"))
    assert cycles_by_month(log)["cycles_started"].sum() == 5
    with pytest.raises(InputError, match="start_date"):
        cycles_by_month(LOG.drop(columns="start_date"))
