"""Tests for evalkit.effects.staggered (Callaway & Sant'Anna 2021, never-treated comparison).

Expected values come from (1) the published output of R's ``did`` package on
its ``mpdta`` data (sources and quotes in tests/data/did_reference/README.md),
(2) panels small enough to difference by hand, with the arithmetic written
beside each number, and (3) exact identities (invariance, a constant effect
without noise, full enumeration of the randomisation distribution).
"""
from __future__ import annotations

import dataclasses
import itertools
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import InputError
from evalkit.effects.staggered import StaggeredDiDResult, staggered_did

MPDTA = Path(__file__).parent / "data" / "did_reference" / "mpdta.csv"
MP_KW = dict(unit="countyreal", time="year", outcome="lemp", first_treated="first.treat")


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    return pd.read_csv(MPDTA)


@pytest.fixture(scope="module")
def mp_simple(mpdta) -> StaggeredDiDResult:
    return staggered_did(mpdta, overall="simple", n_permutations=199, **MP_KW)


def _near4(value: float, published: float) -> bool:
    """Equal at the published 4-decimal rounding."""
    return abs(value - published) <= 0.5e-4 + 1e-12


# --------------------------------------------------------------------------- mpdta reference
# did README (bcallaway11/did, README.md), summary(att_gt(..., xformla = ~1, est_method = "reg")):
# (group, time, ATT(g,t), bootstrap Std. Error)
PUBLISHED_GT = [
    (2004, 2004, -0.0105, 0.0241), (2004, 2005, -0.0704, 0.0313),
    (2004, 2006, -0.1373, 0.0380), (2004, 2007, -0.1008, 0.0337),
    (2006, 2004, 0.0065, 0.0223), (2006, 2005, -0.0028, 0.0196),
    (2006, 2006, -0.0046, 0.0188), (2006, 2007, -0.0412, 0.0202),
    (2007, 2004, 0.0305, 0.0154), (2007, 2005, -0.0027, 0.0168),
    (2007, 2006, -0.0311, 0.0190), (2007, 2007, -0.0261, 0.0182),
]
# same README, summary(aggte(out, type = "dynamic")): (event time, estimate, bootstrap SE)
PUBLISHED_ES = [(-3, 0.0305, 0.0153), (-2, -0.0006, 0.0136), (-1, -0.0245, 0.0138), (0, -0.0199, 0.0115),
                (1, -0.0510, 0.0174), (2, -0.1373, 0.0356), (3, -0.1008, 0.0354)]
# same README, summary(aggte(out, type = "group")): (group, estimate, bootstrap SE)
PUBLISHED_GROUP = [(2004, -0.0797, 0.0277), (2006, -0.0229, 0.0172), (2007, -0.0261, 0.0177)]


def test_mpdta_group_time_estimates_match_did_readme(mp_simple):
    gt = mp_simple.group_time.set_index(["group", "time"])
    assert len(gt) == 12
    for g, t, att, _ in PUBLISHED_GT:
        assert _near4(gt.loc[(g, t), "att"], att), (g, t, gt.loc[(g, t), "att"], att)
        assert gt.loc[(g, t), "pre"] == (t < g)
    # base periods: long difference from g-1 after the start, t-1 before it (did's "varying")
    assert gt.loc[(2004, 2007), "base_time"] == 2003
    assert gt.loc[(2007, 2006), "base_time"] == 2005
    assert gt.loc[(2006, 2007), "base_time"] == 2005
    assert set(gt["n_control"]) == {309}
    assert gt.loc[(2004, 2004), "n_treated"] == 20 and gt.loc[(2007, 2007), "n_treated"] == 131


def test_mpdta_analytic_ses_within_ten_percent_of_published_bootstrap_ses(mp_simple):
    gt = mp_simple.group_time.set_index(["group", "time"])
    for g, t, _, se in PUBLISHED_GT:
        assert gt.loc[(g, t), "se"] == pytest.approx(se, rel=0.10), (g, t)
    es = mp_simple.event_study.set_index("event_time")
    for e, _, se in PUBLISHED_ES:
        assert es.loc[e, "se"] == pytest.approx(se, rel=0.10), e
    ge = mp_simple.group_effects.set_index("group")
    for g, _, se in PUBLISHED_GROUP:
        assert ge.loc[g, "se"] == pytest.approx(se, rel=0.10), g


def test_mpdta_pretest_p_value_matches_did(mp_simple):
    # README: "P-value for pre-test of parallel trends assumption:  0.16812" (analytic Wald, 5 pre cells)
    pt = mp_simple.pretrend.iloc[0]
    assert pt["df"] == 5 and pt["n_pre_cells"] == 5
    assert round(pt["p_value"], 5) == 0.16812
    pre = mp_simple.pre_period_effects
    assert list(pre["event_time"]) == [-3, -2, -1]


def test_mpdta_dynamic_and_group_aggregations_match_did_readme(mpdta, mp_simple):
    es = mp_simple.event_study.set_index("event_time")
    assert list(es.index) == [-3, -2, -1, 0, 1, 2, 3]
    for e, att, _ in PUBLISHED_ES:
        assert _near4(es.loc[e, "att"], att), e
    assert list(es["pre"]) == [True] * 3 + [False] * 4
    ge = mp_simple.group_effects.set_index("group")
    for g, att, _ in PUBLISHED_GROUP:
        assert _near4(ge.loc[g, "att"], att), g
    agg = mp_simple.aggregates.set_index("aggregation")
    assert _near4(agg.loc["dynamic", "att"], -0.0772)          # README: dynamic overall -0.0772 (SE 0.0196)
    assert agg.loc["dynamic", "se"] == pytest.approx(0.0196, rel=0.10)
    assert round(agg.loc["group", "att"], 3) == -0.031         # README: group overall "-0.031" (SE 0.0123)
    assert agg.loc["group", "se"] == pytest.approx(0.0123, rel=0.10)
    # simple = sum_g sum_{t>=g} n_g ATT(g,t) / sum_g n_g (T - g + 1): from the published ATT(g,t)
    # (20, 40, 131 counties): (20*(-.0105-.0704-.1373-.1008) + 40*(-.0046-.0412) + 131*(-.0261))
    #   / (20*4 + 40*2 + 131*1) = -11.6311 / 291 = -0.03997
    by_hand = (20 * (-0.0105 - 0.0704 - 0.1373 - 0.1008) + 40 * (-0.0046 - 0.0412) + 131 * -0.0261) / 291
    assert by_hand == pytest.approx(-0.03997, abs=1e-5)
    assert _near4(agg.loc["simple", "att"], -0.0400)
    o = mp_simple.overall.iloc[0]
    assert o["aggregation"] == "simple" and _near4(o["att"], -0.0400)
    assert o["n_treated_units"] == 191 and o["n_control_units"] == 309
    assert o["method"].startswith("analytic")                 # 191 and 309 units: asymptotics are fine
    assert 0 < o["p_randomisation"] <= 1


def test_mpdta_balance_e_matches_did_basics_vignette(mpdta):
    # did-basics vignette, aggte(mw.attgt, type = "dynamic", balance_e = 1):
    # -2: 0.0065, -1: -0.0028, 0: -0.0066, 1: -0.0510; overall -0.0288 (SE 0.0135)
    r = staggered_did(mpdta, overall="dynamic", balance_e=1, n_permutations=0, n_boot=99, **MP_KW)
    es = r.event_study.set_index("event_time")
    assert list(es.index) == [-2, -1, 0, 1]
    for e, att in [(-2, 0.0065), (-1, -0.0028), (0, -0.0066), (1, -0.0510)]:
        assert _near4(es.loc[e, "att"], att), e
    assert _near4(r.overall.iloc[0]["att"], -0.0288)
    assert r.overall.iloc[0]["se"] == pytest.approx(0.0135, rel=0.10)


def test_mpdta_bands_are_wider_than_pointwise_and_seeded(mpdta):
    a = staggered_did(mpdta, n_permutations=0, seed=7, **MP_KW)
    b = staggered_did(mpdta, n_permutations=0, seed=7, **MP_KW)
    c = staggered_did(mpdta, n_permutations=0, seed=8, bootstrap_weights="mammen", **MP_KW)
    pd.testing.assert_frame_equal(a.event_study, b.event_study)
    es = a.event_study
    assert (es["band_high"] - es["band_low"] > es["ci_high"] - es["ci_low"]).all()
    crit = a.settings["critical_value_event_study"]
    assert 1.96 < crit < 3.5
    # bootstrap SEs agree with the analytic ones up to simulation noise
    assert np.allclose(es["se_bootstrap"], es["se"], rtol=0.2)
    assert np.allclose(c.event_study["se_bootstrap"], es["se"], rtol=0.2)
    assert not np.array_equal(c.event_study["band_low"], es["band_low"])


# --------------------------------------------------------------------------- hand-computed panel
def _tiny() -> pd.DataFrame:
    # unit A starts in period 2, unit B in period 3, unit C never.
    ys = {"A": [1, 4, 7, 7], "B": [2, 3, 7, 9], "C": [0, 1, 3, 4]}
    start = {"A": 2, "B": 3, "C": 0}
    return pd.DataFrame([(u, t, y, start[u]) for u, v in ys.items() for t, y in enumerate(v, 1)],
                        columns=["team_id", "period", "value", "first_treated"])


def test_hand_computed_three_units_four_periods():
    r = staggered_did(_tiny(), overall="simple")
    gt = r.group_time.set_index(["group", "time"])["att"]
    # cohort 2 (base period 1): ATT(2,2) = (4-1) - (1-0) = 2
    #                           ATT(2,3) = (7-1) - (3-0) = 3
    #                           ATT(2,4) = (7-1) - (4-0) = 2
    # cohort 3, pre-period t=2 (base 1): ATT(3,2) = (3-2) - (1-0) = 0
    #           post (base 2):  ATT(3,3) = (7-3) - (3-1) = 2,  ATT(3,4) = (9-3) - (4-1) = 3
    assert gt.to_dict() == pytest.approx({(2, 2): 2, (2, 3): 3, (2, 4): 2, (3, 2): 0, (3, 3): 2, (3, 4): 3})
    agg = r.aggregates.set_index("aggregation")["att"]
    # one unit per cohort, so equal cohort shares:
    # simple  = (2 + 3 + 2 + 2 + 3) / 5 = 2.4
    # group   = mean(mean(2, 3, 2), mean(2, 3)) = (7/3 + 5/2) / 2 = 29/12
    # dynamic = mean over e = 0, 1, 2 of (2+2)/2, (3+3)/2, 2 = 7/3
    assert agg["simple"] == pytest.approx(2.4)
    assert agg["group"] == pytest.approx(29 / 12)
    assert agg["dynamic"] == pytest.approx(7 / 3)
    es = r.event_study.set_index("event_time")["att"]
    assert es.to_dict() == pytest.approx({-1: 0.0, 0: 2.0, 1: 3.0, 2: 2.0})
    # one unit per cohort and one comparison unit: no credible standard error
    assert not r.se_credible and r.group_time["se"].isna().all()
    assert r.overall.iloc[0]["randomisation"] == "exact, all 6 assignments"


def test_weights_give_weighted_means_and_match_duplicated_units():
    rows = []
    ys = {"A": [1, 2, 5], "B": [0, 2, 3], "C": [0, 1, 1], "D": [2, 2, 4]}
    start = {"A": 3, "B": 3, "C": 0, "D": 0}
    staff = {"A": 3, "B": 1, "C": 1, "D": 2}
    for u, v in ys.items():
        rows += [(u, t, y, start[u], staff[u]) for t, y in enumerate(v, 1)]
    df = pd.DataFrame(rows, columns=["team_id", "period", "value", "first_treated", "staff"])
    r = staggered_did(df, weights="staff", n_permutations=0, inference="analytic")
    att = r.group_time.set_index(["group", "time"])["att"]
    # ATT(3,3), base 2: treated (3*(5-2) + 1*(3-2)) / 4 = 2.5; comparison (1*(1-1) + 2*(4-2)) / 3 = 4/3
    assert att[(3, 3)] == pytest.approx(2.5 - 4 / 3)
    # integer weights = duplicating units (point estimates)
    dup = pd.concat([df[df.team_id == u].assign(team_id=f"{u}{k}") for u in ys for k in range(staff[u])])
    r2 = staggered_did(dup, n_permutations=0, inference="analytic")
    np.testing.assert_allclose(r2.group_time["att"], r.group_time["att"])


# --------------------------------------------------------------------------- identities
def _panel(n=40, T=8, seed=3, effect=None, noise=1.0):
    rng = np.random.default_rng(seed)
    starts = rng.choice([0, 0, 3, 5, 6], size=n)
    starts[:3] = [0, 3, 5]
    u = np.repeat(np.arange(n), T)
    t = np.tile(np.arange(1, T + 1), n)
    g = starts[u]
    y = rng.normal(size=n)[u] + np.sin(t) + noise * rng.normal(size=n * T)
    if effect is not None:
        y = y + np.where((g > 0) & (t >= g), effect, 0.0)
    return pd.DataFrame({"team_id": u, "period": t, "value": y, "first_treated": g})


@pytest.mark.parametrize("shift", ["constant", "time_shock", "unit_effect"])
def test_invariance_to_level_shifts(shift):
    df = _panel()
    r0 = staggered_did(df, n_permutations=0, n_boot=0)
    df2 = df.copy()
    rng = np.random.default_rng(11)
    if shift == "constant":
        df2["value"] += 123.4
    elif shift == "time_shock":
        df2["value"] += rng.normal(scale=50, size=9)[df2["period"]]
    else:
        df2["value"] += rng.normal(scale=50, size=df2["team_id"].max() + 1)[df2["team_id"]]
    r1 = staggered_did(df2, n_permutations=0, n_boot=0)
    for col in ["att", "se"]:
        np.testing.assert_allclose(r1.group_time[col], r0.group_time[col], atol=1e-9)
        np.testing.assert_allclose(r1.event_study[col], r0.event_study[col], atol=1e-9)
    np.testing.assert_allclose(r1.aggregates["att"], r0.aggregates["att"], atol=1e-9)


def test_constant_unit_level_effect_recovered_exactly_without_noise():
    df = _panel(effect=2.5, noise=0.0)
    r = staggered_did(df, n_permutations=0, n_boot=0)
    gt = r.group_time
    np.testing.assert_allclose(gt.loc[~gt["pre"], "att"], 2.5, atol=1e-12)
    np.testing.assert_allclose(gt.loc[gt["pre"], "att"], 0.0, atol=1e-12)
    np.testing.assert_allclose(r.aggregates["att"], 2.5, atol=1e-12)
    np.testing.assert_allclose(r.group_time["se"], 0.0, atol=1e-12)   # nothing left to vary


def test_unbalanced_panel_uses_units_observed_in_both_periods():
    df = _tiny()
    extra = pd.DataFrame({"team_id": ["D"] * 4, "period": [1, 2, 3, 4], "value": [5, 5, 6, 8],
                          "first_treated": [0] * 4})
    df = pd.concat([df, extra], ignore_index=True)
    # drop D's period 3 and blank A's period 1 (A then has no base period)
    df = df[~((df.team_id == "D") & (df.period == 3))].copy()
    df.loc[(df.team_id == "A") & (df.period == 1), "value"] = np.nan
    r = staggered_did(df, n_permutations=0, inference="analytic")
    gt = r.group_time.set_index(["group", "time"])
    # ATT(3,3), base 2: B (7-3) = 4; comparisons observed in 2 and 3: only C (3-1) = 2 -> 2
    assert gt.loc[(3, 3), "att"] == pytest.approx(2.0) and gt.loc[(3, 3), "n_control"] == 1
    # ATT(3,4), base 2: B (9-3) = 6; comparisons C (4-1) = 3 and D (8-5) = 3 -> 3
    assert gt.loc[(3, 4), "att"] == pytest.approx(3.0) and gt.loc[(3, 4), "n_control"] == 2
    # cohort 2 has no treated unit with a base period: its cells are empty
    assert gt.loc[(2, 2), "att"] != gt.loc[(2, 2), "att"]
    assert any("drop out of every post-period" in w for w in r.warnings)
    assert any("blank outcome" in w for w in r.warnings)


# --------------------------------------------------------------------------- randomisation inference
def _one_treated() -> pd.DataFrame:
    ys = {"A": [1, 2, 9, 10], "B": [0, 1, 2, 3], "C": [2, 3, 3, 5], "D": [1, 1, 2, 2], "E": [5, 6, 8, 9]}
    return pd.DataFrame([(u, t, y, 3 if u == "A" else 0) for u, v in ys.items() for t, y in enumerate(v, 1)],
                        columns=["team_id", "period", "value", "first_treated"])


def test_one_treated_four_controls_exact_permutation_p_and_no_se():
    r = staggered_did(_one_treated())
    o = r.overall.iloc[0]
    # ATT(3,3) = (9-2) - mean(1, 0, 1, 2) = 6;  ATT(3,4) = (10-2) - mean(2, 2, 1, 3) = 6
    assert o["att"] == pytest.approx(6.0)
    # A's jump is the largest of the five units', so only the real assignment is as extreme: p = 1/5
    assert o["p_value"] == pytest.approx(1 / 5) and o["p_randomisation"] == pytest.approx(0.2)
    assert o["method"] == "randomisation (exact, all 5 assignments)"
    assert math.isnan(o["se"]) and math.isnan(o["ci_low"])
    assert not r.se_credible
    assert r.event_study[["se", "band_low", "band_high"]].isna().all().all()
    assert any("no standard error" in w for w in r.warnings)
    assert "randomisation" in r._repr_html_()


@pytest.mark.parametrize("overall", ["simple", "group", "dynamic"])
def test_exact_permutation_p_equals_brute_force_enumeration(overall):
    # 2 units start in period 3, 1 in period 4, 3 never: 6!/(2! 1! 3!) = 60 assignments
    rng = np.random.default_rng(5)
    units = list("ABCDEF")
    starts = dict(zip(units, [3, 3, 4, 0, 0, 0]))
    y = {u: rng.normal(size=5).cumsum() for u in units}
    df = pd.DataFrame([(u, t, y[u][t - 1], starts[u]) for u in units for t in range(1, 6)],
                      columns=["team_id", "period", "value", "first_treated"])
    r = staggered_did(df, overall=overall)
    o = r.overall.iloc[0]
    assert o["randomisation"] == "exact, all 60 assignments"
    labels = [starts[u] for u in units]
    stats_ = []
    for perm in sorted(set(itertools.permutations(labels))):
        relab = df.assign(first_treated=df["team_id"].map(dict(zip(units, perm))))
        rp = staggered_did(relab, overall=overall, inference="analytic", n_permutations=0, n_boot=0)
        stats_.append(rp.overall.iloc[0]["att"])
    stats_ = np.array(stats_)
    assert len(stats_) == 60
    expected = np.mean(np.abs(stats_) >= abs(o["att"]) - 1e-12)
    assert o["p_randomisation"] == pytest.approx(expected)
    assert o["p_value"] == pytest.approx(expected)       # 3 treated units: randomisation is the default


def test_monte_carlo_permutation_is_seeded_and_bounded():
    df = _panel(n=60, effect=1.0)
    a = staggered_did(df, n_permutations=199, seed=1)
    b = staggered_did(df, n_permutations=199, seed=1)
    pa = a.overall.iloc[0]["p_randomisation"]
    assert pa == b.overall.iloc[0]["p_randomisation"]
    assert 1 / 200 <= pa <= 1
    assert a.overall.iloc[0]["randomisation"].startswith("Monte Carlo, 199 random assignments")


def test_inference_choice_follows_number_of_units():
    df = _panel(n=30, effect=1.0)
    assert (df.groupby("team_id")["first_treated"].first() == 0).sum() < 20
    few = staggered_did(df, n_permutations=99)                     # < 20 never-treated units
    assert few.overall.iloc[0]["method"].startswith("randomisation")
    assert any("likely too" in w for w in few.warnings)
    forced = staggered_did(df, n_permutations=99, inference="analytic")
    assert forced.overall.iloc[0]["method"].startswith("analytic")
    assert staggered_did(df, n_permutations=99, min_units_asymptotic=5).overall.iloc[0]["method"].startswith(
        "analytic")


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("mutate, fragment", [
    (lambda d: d.drop(columns="value"), "'value' is missing"),
    (lambda d: d.assign(period=d["period"].map(lambda v: f"m{v}")), "'period' must hold numbers or dates"),
    (lambda d: d.assign(first_treated=0), "no treated units"),
    (lambda d: d.assign(first_treated=np.where(d["first_treated"] == 0, 2, d["first_treated"])),
     "no never-treated units"),
    (lambda d: d.assign(first_treated=np.where(d["team_id"] == "A", 1, d["first_treated"])),
     "at or before the first period"),
    (lambda d: d.assign(first_treated=np.where(d["team_id"] == "A", -5, d["first_treated"])),
     "at or before the first period"),
    (lambda d: pd.concat([d, d.iloc[[0]]]), "more than one row"),
    (lambda d: d.assign(first_treated=np.where((d["team_id"] == "A") & (d["period"] == 4), 3,
                                                d["first_treated"])), "changes over time"),
    (lambda d: d.assign(value="x"), "'value' must hold numbers"),
])
def test_bad_input_is_one_line_input_error(mutate, fragment):
    with pytest.raises(InputError) as err:
        staggered_did(mutate(_tiny()))
    msg = str(err.value)
    assert fragment in msg and "\n" not in msg


def test_starts_after_last_period_count_as_never_treated():
    df = _tiny()
    df.loc[df.team_id == "C", "first_treated"] = 99
    r = staggered_did(df)
    assert r.overall.iloc[0]["n_control_units"] == 1
    assert any("after the last period" in w for w in r.warnings)


def test_dates_are_read_as_months():
    df = _one_treated()
    df["period"] = [pd.Timestamp(2024, m, 1) for m in df["period"]]
    df["first_treated"] = [pd.Timestamp(2024, 3, 1) if g else pd.NaT for g in df["first_treated"]]
    r = staggered_did(df)
    gt = r.group_time
    assert gt["time"].tolist() == [pd.Timestamp(2024, m, 1) for m in (2, 3, 4)]
    assert gt["event_time"].tolist() == [-1, 0, 1]
    assert r.overall.iloc[0]["att"] == pytest.approx(6.0)


def test_result_is_frozen_and_records_settings(mp_simple):
    with pytest.raises(dataclasses.FrozenInstanceError):
        mp_simple.overall = None
    s = mp_simple.settings
    assert s["control_group"] == "never treated" and s["alpha"] == 0.05 and s["n_boot"] == 999
    assert s["seed"] == 20230425 and s["bootstrap_weights"] == "rademacher"
    with pytest.raises(TypeError):
        s["alpha"] = 0.1
    html = mp_simple._repr_html_()
    assert "<table" in html and "Pre-trend Wald test" in html


def test_cost_is_small_at_500_units_36_months_20_cohorts():
    rng = np.random.default_rng(0)
    n, T = 500, 36
    g = np.where(rng.random(n) < 0.3, 0, rng.integers(3, 23, size=n))
    u = np.repeat(np.arange(n), T)
    t = np.tile(np.arange(1, T + 1), n)
    df = pd.DataFrame({"team_id": u, "period": t, "first_treated": g[u],
                       "value": rng.normal(size=n)[u] + 0.1 * t + rng.normal(size=n * T)})
    t0 = time.perf_counter()
    r = staggered_did(df)                          # 999 bootstrap draws and 999 permutations included
    assert time.perf_counter() - t0 < 2.0
    assert r.group_time.shape[0] == 20 * 35
