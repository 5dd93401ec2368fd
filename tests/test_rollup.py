"""Tests for evalkit.collaborative.rollup: DerSimonian–Laird against a published meta-analysis, counting and pooling
on hand-made tables, and the demo data against data/demo/TRUTH.json."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit.inputs.read import load_tables
from evalkit.effects.pooling import dersimonian_laird, pooled_effects
from evalkit.inputs.params import load_collaborative
from evalkit.collaborative.rollup import (
    collaborative_rollup,
    signal_counts,
    team_effect_summary,
    team_starts,
    team_verdicts,
)

ROOT = Path(__file__).resolve().parents[1]

# BCG vaccine trials (Colditz et al. 1994; metafor's dat.bcg): tpos, tneg, cpos, cneg
BCG = [(4, 119, 11, 128), (6, 300, 29, 274), (3, 228, 11, 209), (62, 13536, 248, 12619), (33, 5036, 47, 5761),
       (180, 1361, 372, 1079), (8, 2537, 10, 619), (505, 87886, 499, 87892), (29, 7470, 45, 7232),
       (17, 1699, 65, 1600), (186, 50448, 141, 27197), (5, 2493, 3, 2338), (27, 16886, 29, 17825)]


def test_dersimonian_laird_matches_metafor_bcg_example():
    # Viechtbauer (2010) J Stat Softw 36(3), rma(yi, vi, data = dat.bcg, method = "DL"):
    # estimate −0.7141, se 0.1787, tau² 0.3088, Q(df = 12) = 152.2330, I² = 92.12%
    y = [math.log((a / (a + b)) / (c / (c + d))) for a, b, c, d in BCG]
    se = [math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)) for a, b, c, d in BCG]
    r = dersimonian_laird(y, se)
    assert r["k"] == 13
    assert r["estimate"] == pytest.approx(-0.7141, abs=5e-5)
    assert r["std_error"] == pytest.approx(0.1787, abs=5e-5)
    assert r["tau2"] == pytest.approx(0.3088, abs=5e-5)
    assert r["q"] == pytest.approx(152.2330, abs=5e-4)
    assert r["i2"] == pytest.approx(0.9212, abs=5e-5)
    assert r["ci_low"] == pytest.approx(-0.7141 - 1.959964 * 0.1787, abs=2e-4)


def test_dersimonian_laird_without_heterogeneity_is_inverse_variance():
    # identical estimates: Q = 0, tau² = 0, SE = 1/sqrt(1/0.1² + 1/0.2²)
    r = dersimonian_laird([0.5, 0.5], [0.1, 0.2])
    assert r["tau2"] == 0 and r["estimate"] == pytest.approx(0.5)
    assert r["std_error"] == pytest.approx(1 / math.sqrt(100 + 25))
    assert dersimonian_laird([], [])["k"] == 0


VERDICT_TABLE = pd.DataFrame({
    "team_id": ["a", "b", "c", "d", "x"],
    "team_type": ["tribal", "public", "public", "public", "public"],
    "role": ["participant"] * 4 + ["comparison"],
    "measure_id": ["m"] * 5,
    "verdict": ["improved", "improved", "no_change", "deteriorated", "improved"],
})


def test_signal_counts_by_group():
    c = signal_counts(VERDICT_TABLE).set_index("group")
    assert c.loc["all participating teams", ["n_teams", "improved", "deteriorated", "no_change"]].tolist() == [4, 2, 1, 1]
    assert c.loc["public teams", "improved"] == 1 and c.loc["tribal teams", "improved"] == 1
    assert c.loc["comparison units", "improved"] == 1
    assert c.loc["all participating teams", "too_little_data"] == 0


def test_pooled_ratios_are_pooled_on_the_log_scale():
    e = pd.DataFrame({"team_id": ["a", "b", "c"], "team_type": ["public", "public", "tribal"],
                      "measure_id": ["m"] * 3, "kind": ["poisson"] * 3, "too_short": [False, False, True],
                      "level_change": [0.5, 2.0, 9.0], "level_change_se": [0.2, 0.2, 0.1], "scale": ["rate ratio"] * 3})
    p = pooled_effects(e).set_index("group")
    # c is too short and left out; a and b: equal weights, log(0.5) + log(2) = 0 → pooled ratio 1
    assert p.loc["all participating teams", "k"] == 2
    assert p.loc["all participating teams", "estimate"] == pytest.approx(1.0)
    assert "tribal teams" not in p.index


def _series_tables():
    months = pd.date_range("2022-01-01", periods=24, freq="MS")
    rng = np.random.default_rng(3)
    rows = []
    for team, step in [("up", 25), ("flat", 0)]:
        for i, m in enumerate(months):
            n = 60.0
            p = 0.40 + (step / 100 if i >= 12 else 0)
            rows.append((team, m, "supervision", float(rng.binomial(60, p)), n))
    measures = pd.DataFrame(rows, columns=["team_id", "period", "measure_id", "numerator", "denominator"])
    teams = pd.DataFrame({"team_id": ["up", "flat"], "team_name": ["Up", "Flat"], "team_type": ["public", "tribal"],
                          "role": ["participant", "participant"], "start_month": [months[12]] * 2})
    specs = {"supervision": {"label": "Reflective supervision", "chart": "p", "direction": "increase",
                             "multiply": 100, "unit": "%"}}
    return measures, teams, specs


def test_team_verdicts_use_the_baseline_before_the_start_and_the_direction():
    measures, teams, specs = _series_tables()
    v = team_verdicts(measures, teams, specs, starts=team_starts(teams)).set_index("team_id")
    assert v.loc["up", "verdict"] == "improved"
    assert v.loc["up", "n_pre"] == 12 and v.loc["up", "n_post"] == 12
    specs_down = {"supervision": {**specs["supervision"], "direction": "decrease"}}
    v2 = team_verdicts(measures, teams, specs_down, starts=team_starts(teams)).set_index("team_id")
    assert v2.loc["up", "verdict"] == "deteriorated"


def test_rollup_without_comparison_units_still_builds():
    measures, teams, specs = _series_tables()
    r = collaborative_rollup({"teams": teams, "measures": measures}, specs, n_boot=999)
    assert r.comparison.empty and set(r.effects["team_id"]) == {"up", "flat"}
    up = r.effects.set_index("team_id").loc["up"]
    assert up["kind"] == "binomial" and up["level_change_low"] > 1  # odds ratio clearly above 1


# ----------------------------------------------------------------------------- demo data vs TRUTH.json
@pytest.fixture(scope="module")
def demo():
    tables = load_tables(ROOT / "data" / "demo")
    params = load_collaborative(ROOT / "params")
    truth = json.loads((ROOT / "data" / "demo" / "TRUTH.json").read_text())
    starts = team_starts(tables["teams"], ROOT / "params")
    rollup = collaborative_rollup(tables, params.measures, starts=starts, method=params.rules.method, n_boot=999)
    return rollup, truth


# The main measure for this check is supervision: TRUTH.json's analysis notes say supervision and
# well-being steps are clearly visible in 36-month run charts, while monthly turnover counts are too
# small for a run chart to detect a hazard ratio of 0.5, and vacancy is autocorrelated (a stock).
MAIN = "supervision"


def test_demo_improved_teams_are_found_improved(demo):
    rollup, truth = demo
    v = rollup.verdicts.set_index(["team_id", "measure_id"])["verdict"]
    for team in truth["lists"]["improved"]:
        assert v[(team, MAIN)] == "improved", team
        assert v[(team, "wellbeing_pulse")] == "improved", team


def test_demo_deteriorating_team_is_found(demo):
    rollup, truth = demo
    v = rollup.verdicts.set_index(["team_id", "measure_id"])["verdict"]
    for team in truth["lists"]["deteriorated"]:
        # judged on many seeds (benchmarks/calibration.py) the team is found on at least one measure in
        # every seed; on one seed no single measure is certain, so this checks what holds on every seed
        found = [v[(team, m)] for m in ("turnover_rate", MAIN, "vacancy_rate", "wellbeing_pulse")]
        assert "deteriorated" in found and "improved" not in found, (team, found)


def test_demo_no_change_teams_are_not_called_improved(demo):
    rollup, truth = demo
    v = rollup.verdicts.set_index(["team_id", "measure_id"])["verdict"]
    for team in truth["lists"]["no_change_participants"]:
        assert v[(team, MAIN)] != "improved", team


def test_demo_effect_estimates_point_the_right_way(demo):
    rollup, truth = demo
    e = rollup.effects.set_index(["team_id", "measure_id"])
    for team in truth["lists"]["improved"]:
        assert e.loc[(team, MAIN), "level_change_low"] > 1            # odds ratio of supervision above 1
        assert e.loc[(team, "wellbeing_pulse"), "level_change_low"] > 0
    for team in truth["lists"]["deteriorated"]:
        # the team's own ITS points the way of the truth; its honest (quasi-binomial, AR(1)) interval
        # is too wide to exclude 1 on one seed, so the comparison-adjusted verdict carries the weight
        assert e.loc[(team, MAIN), "average_effect"] < 1
    counts = rollup.signal_counts.set_index(["measure_id", "group"])
    assert counts.loc[(MAIN, "all participating teams"), "improved"] == len(truth["lists"]["improved"])
    assert counts.loc[(MAIN, "all participating teams"), "n_teams"] == 12
    assert set(rollup.comparison["measure_id"]) == {"turnover_rate", "supervision", "vacancy_rate", "wellbeing_pulse"}
    assert rollup.pdsa_heatmap.shape[0] == 12


def test_team_effect_summary_gives_one_sentence_per_measure(demo):
    tables = load_tables(ROOT / "data" / "demo", tables=["teams", "measures"])
    params = load_collaborative(ROOT / "params")
    table, results = team_effect_summary(tables["measures"], params.measures, "cedar-river-tribe", start="2023-06")
    assert list(table["measure_id"]) == list(params.measures)
    assert set(results) == set(params.measures)
    assert all(s.startswith("Before/after within one team (interrupted time series, 17 months before and 19 "
                            "months after the start in June 2023)") for s in table["sentence"])
    rollup, _ = demo
    assert rollup.comparison["sentence"].str.startswith(
        "Across the 12 participating teams, compared with the 4 units that did not take part").all()
    assert rollup.pooled["sentence"].str.startswith("Pooled across").all()


def test_pooled_effects_do_not_mix_differences_with_ratios():
    # Team c was fitted by OLS (a difference of +30 points), a and b by a binomial GLM (odds ratios).
    # Taking log(30) and averaging it with log odds ratios would be meaningless; only a and b are pooled.
    e = pd.DataFrame({"team_id": ["a", "b", "c"], "team_type": ["public"] * 3, "measure_id": ["m"] * 3,
                      "kind": ["binomial", "binomial", "gaussian"], "too_short": [False] * 3,
                      "level_change": [0.5, 2.0, 30.0], "level_change_se": [0.2, 0.2, 1.0],
                      "scale": ["odds ratio", "odds ratio", "difference (measure unit)"]})
    p = pooled_effects(e, conf_level=0.9).set_index("group")
    row = p.loc["all participating teams"]
    # a and b: equal weights, (log 0.5 + log 2)/2 = 0 → pooled odds ratio 1
    assert row["k"] == 2 and row["estimate"] == pytest.approx(1.0)
    assert row["scale"] == "odds ratio" and "1 team(s) on another model scale left out" in row["method"]
    assert row["conf_level"] == 0.9
