"""Tests for evalkit.effects.its (ITS), evalkit.effects.did (DiD) and evalkit.effects.prepost.

Expected values come from hand-constructed series (written here as arithmetic),
from simulation with a known truth, and from published worked examples whose
source is named beside each number.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit.effects import (
    difference_in_differences,
    difference_in_proportions,
    interrupted_time_series,
    newey_west_lags,
    rate_ratio,
    welch_t,
)
from evalkit.errors import InputError
from evalkit.effects.prepost import welch_t_from_summary

MONTHS = pd.date_range("2022-01-01", periods=36, freq="MS")  # 2022-01 .. 2024-12
T = np.arange(36) - 15                                          # start 2023-04 is month 15


def _est(result, term):
    return result.estimates.set_index("term").loc[term]


# ----------------------------------------------------------------------------- ITS: exact recovery
def test_its_gaussian_recovers_level_and_slope_change_exactly():
    # y = 10 + 0.2 t − 3·post − 0.5·t·post (t = months from 2023-04), no noise
    y = 10 + 0.2 * T - 3 * (T >= 0) - 0.5 * T * (T >= 0)
    d = pd.DataFrame({"period": MONTHS, "y": y})
    r = interrupted_time_series(d, value="y", start="2023-04", horizon=12, model="segmented")
    assert r.model == "segmented"
    assert _est(r, "level_change").estimate == pytest.approx(-3.0, abs=1e-9)
    assert _est(r, "slope_change").estimate == pytest.approx(-0.5, abs=1e-9)
    assert _est(r, "baseline_level").estimate == pytest.approx(10.0, abs=1e-9)
    assert _est(r, "baseline_slope").estimate == pytest.approx(0.2, abs=1e-9)
    # effect 12 months after the start: −3 + (−0.5)(12) = −9
    assert _est(r, "effect_at_horizon").estimate == pytest.approx(-9.0, abs=1e-9)
    # average over the 21 months after the start (t = 0..20, mean 10): −3 + (−0.5)(10) = −8
    assert _est(r, "average_effect").estimate == pytest.approx(-8.0, abs=1e-9)
    # counterfactual in 2024-04 (t = 12): 10 + 0.2·12 = 12.4; fitted = 12.4 − 9 = 3.4
    row = r.fitted[r.fitted["period"] == pd.Timestamp("2024-04-01")].iloc[0]
    assert row["counterfactual"] == pytest.approx(12.4)
    assert row["fitted"] == pytest.approx(3.4)
    assert r.n_pre == 15 and r.n_post == 21
    assert list(r.fitted.columns) == ["period", "t", "post", "observed", "fitted", "counterfactual"]
    assert list(r.estimates.columns[:6]) == ["term", "estimate", "ci_low", "ci_high", "p_value", "scale"]


def test_its_poisson_recovers_rate_ratios_exactly():
    # rate per staff member: 0.05·1.01^t before; ×0.8 at the start and ×0.97 per month after
    rate = 0.05 * 1.01 ** T * np.where(T >= 0, 0.8 * 0.97 ** T, 1.0)
    d = pd.DataFrame({"period": MONTHS, "events": rate * 200, "staff": 200.0})
    r = interrupted_time_series(d, numerator="events", denominator="staff", start="2023-04", kind="poisson",
                                multiply=100, model="segmented")
    assert _est(r, "level_change").estimate == pytest.approx(0.8, rel=1e-7)
    assert _est(r, "slope_change").estimate == pytest.approx(0.97, rel=1e-7)
    assert _est(r, "effect_at_horizon").estimate == pytest.approx(0.8 * 0.97 ** 12, rel=1e-7)
    assert _est(r, "average_effect").estimate == pytest.approx(0.8 * 0.97 ** 10, rel=1e-7)  # mean t after = 10
    assert _est(r, "baseline_level").estimate == pytest.approx(5.0, rel=1e-7)  # 0.05 × 100 (%)
    assert r.fitted["fitted"].to_numpy() == pytest.approx(rate * 100, rel=1e-7)
    assert _est(r, "level_change")["scale"] == "rate ratio"


def test_its_binomial_recovers_odds_ratios_exactly():
    # logit p = −1 + 0.02 t + log(1.5)·post + log(1.02)·t·post
    eta = -1 + 0.02 * T + math.log(1.5) * (T >= 0) + math.log(1.02) * T * (T >= 0)
    p = 1 / (1 + np.exp(-eta))
    d = pd.DataFrame({"period": MONTHS, "yes": p * 50, "n": 50.0})
    r = interrupted_time_series(d, numerator="yes", denominator="n", start="2023-04", kind="binomial",
                                model="segmented")
    assert _est(r, "level_change").estimate == pytest.approx(1.5, rel=1e-6)
    assert _est(r, "slope_change").estimate == pytest.approx(1.02, rel=1e-6)
    assert _est(r, "effect_at_horizon").estimate == pytest.approx(1.5 * 1.02 ** 12, rel=1e-6)
    assert _est(r, "level_change")["scale"] == "odds ratio"


# ----------------------------------------------------------------------------- ITS: coverage
def test_its_gaussian_ci_coverage_is_about_95_percent():
    rng = np.random.default_rng(20230425)
    level, slope, h = -2.0, 0.05, 12
    mu = 10 + 0.1 * T + level * (T >= 0) + slope * T * (T >= 0)
    n_sim = 300
    hits = {"level_change": 0, "slope_change": 0, "effect_at_horizon": 0, "average_effect": 0}
    truth = {"level_change": level, "slope_change": slope, "effect_at_horizon": level + slope * h,
             "average_effect": level + slope * 10}
    for _ in range(n_sim):
        d = pd.DataFrame({"period": MONTHS, "y": mu + rng.normal(0, 1, 36)})
        e = interrupted_time_series(d, value="y", start="2023-04", horizon=h,
                                    model="segmented").estimates.set_index("term")
        for k in hits:
            hits[k] += e.loc[k, "ci_low"] <= truth[k] <= e.loc[k, "ci_high"]
    tol = 3 * math.sqrt(0.95 * 0.05 / n_sim)  # 3 binomial standard errors ≈ 0.038
    for k, v in hits.items():
        assert abs(v / n_sim - 0.95) <= tol, (k, v / n_sim)


def test_its_poisson_ci_coverage_is_about_95_percent():
    rng = np.random.default_rng(7)
    lam = np.exp(np.log(0.05) + 0.01 * T + math.log(0.8) * (T >= 0)) * 200
    n_sim = 200
    hits = 0
    for _ in range(n_sim):
        d = pd.DataFrame({"period": MONTHS, "x": rng.poisson(lam), "n": 200.0})
        r = interrupted_time_series(d, numerator="x", denominator="n", kind="poisson", start="2023-04")
        e = _est(r, "level_change")
        hits += e.ci_low <= 0.8 <= e.ci_high
    tol = 3 * math.sqrt(0.95 * 0.05 / n_sim)
    assert abs(hits / n_sim - 0.95) <= tol


# ----------------------------------------------------------------------------- ITS: short and odd series
def test_short_series_gives_a_warning_not_an_exception():
    d = pd.DataFrame({"period": MONTHS[9:], "y": np.linspace(1, 2, 27) + np.sin(np.arange(27))})
    r = interrupted_time_series(d, value="y", start="2023-04")
    assert r.n_pre == 6
    assert "only 6 points before the start; at least 8 are needed on each side, so estimates are unreliable" in r.warnings
    assert r.too_short and r.estimable


def test_one_point_before_the_start_returns_nan_estimates_with_a_reason():
    d = pd.DataFrame({"period": MONTHS[14:], "y": np.arange(22.0)})
    r = interrupted_time_series(d, value="y", start="2023-04")
    assert not r.estimable
    assert r.estimates["estimate"].isna().all()
    assert any("could not be estimated" in w for w in r.warnings)


def test_missing_month_stays_as_a_row_and_is_left_out_of_the_fit():
    y = 10 + 0.2 * T - 3 * (T >= 0)
    y[5] = np.nan
    r = interrupted_time_series(pd.DataFrame({"period": MONTHS, "y": y}), value="y", start="2023-04")
    assert len(r.fitted) == 36 and np.isnan(r.fitted["observed"].iloc[5])
    assert r.n_pre == 14
    assert _est(r, "level_change").estimate == pytest.approx(-3.0, abs=1e-9)


def test_horizon_beyond_data_is_flagged_as_extrapolation():
    y = 10 + 0.2 * T
    r = interrupted_time_series(pd.DataFrame({"period": MONTHS, "y": y}), value="y", start="2023-04", horizon=30)
    assert any("extrapolation" in w for w in r.warnings)


def test_newey_west_lag_rule():
    # floor(4 (36/100)^(2/9)) = floor(3.185) = 3 ; floor(4 (100/100)^(2/9)) = 4
    assert newey_west_lags(36) == 3
    assert newey_west_lags(100) == 4
    assert newey_west_lags(5) == 2  # floor(4 · 0.05^(2/9)) = floor(2.05)


def test_its_diagnostics_report_autocorrelation_tests():
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"period": MONTHS, "y": 10 + rng.normal(size=36)})
    r = interrupted_time_series(d, value="y", start="2023-04")
    diag = r.diagnostics.set_index("statistic")["value"]
    assert {"durbin_watson", "ljung_box_p", "breusch_godfrey_p", "lags"} <= set(diag.index)
    assert 0 < diag["durbin_watson"] < 4 and diag["lags"] == 3


def test_its_rejects_unknown_kind_in_one_line():
    d = pd.DataFrame({"period": MONTHS, "y": 1.0})
    with pytest.raises(InputError, match="kind 'normal' is not known"):
        interrupted_time_series(d, value="y", start="2023-04", kind="normal")


# ----------------------------------------------------------------------------- DiD
def _panel(rng, n_units=16, n_treated=12, months=36, start=15, effect=-1.0, sd=1.0):
    u = np.repeat(np.arange(n_units), months)
    t = np.tile(np.arange(months), n_units)
    unit_effect = rng.normal(0, 2, n_units)[u]
    y = 5 + unit_effect + 0.05 * t + np.sin(t / 3) + rng.normal(0, sd, len(u))
    treated = u < n_treated
    post = t >= start
    y = y + effect * (treated & post)
    return pd.DataFrame({"unit": [f"u{i}" for i in u], "period": MONTHS[t] if months == 36 else t,
                         "y": y, "treated": treated, "post": post})


def test_did_two_by_two_equals_difference_of_differences_by_hand():
    # 2 treated, 2 comparison units, 2 periods: beta = (post − pre)_treated − (post − pre)_comparison
    p = pd.DataFrame({
        "unit": ["a", "a", "b", "b", "c", "c", "d", "d"],
        "period": [0, 1] * 4,
        "y": [10.0, 7.0, 12.0, 10.0, 9.0, 9.5, 11.0, 10.5],
        "treated": [True] * 4 + [False] * 4,
        "post": [False, True] * 4,
    })
    r = difference_in_differences(p, unit="unit", time="period", outcome="y", treated="treated", post="post",
                                  n_boot=999, event_window=(-1, 0))
    # treated: ((7−10) + (10−12))/2 = −2.5 ; comparison: ((9.5−9) + (10.5−11))/2 = 0 → −2.5
    assert r.estimate == pytest.approx(-2.5)


def test_did_recovers_a_known_simulated_effect():
    r = difference_in_differences(_panel(np.random.default_rng(1), effect=-1.0, sd=0.5), unit="unit",
                                  time="period", outcome="y", treated="treated", post="post")
    assert r.estimate == pytest.approx(-1.0, abs=0.25)
    lo, hi = r.ci
    assert lo < -1.0 < hi
    assert r.p_value < 0.05
    rows = r.estimates.set_index("method")
    # every method shares the TWFE point estimate
    assert rows["estimate"].to_numpy() == pytest.approx([r.estimate] * 3)
    assert rows.loc["wild_cluster_bootstrap", "reported"]
    assert r.settings["exact_permutation"] and r.settings["n_permutations"] == math.comb(16, 12)


def test_did_start_by_unit_equals_post_column_for_a_common_start():
    p = _panel(np.random.default_rng(2))
    a = difference_in_differences(p, unit="unit", time="period", outcome="y", treated="treated", post="post",
                                  n_boot=1999)
    b = difference_in_differences(p, unit="unit", time="period", outcome="y", n_boot=1999,
                                  start_by_unit={f"u{i}": "2023-04" for i in range(12)})
    pd.testing.assert_frame_equal(a.estimates, b.estimates)


def test_did_is_deterministic_for_a_seed():
    p = _panel(np.random.default_rng(4))
    kw = dict(unit="unit", time="period", outcome="y", treated="treated", post="post", seed=99, n_boot=1999,
              event_window=None)
    pd.testing.assert_frame_equal(difference_in_differences(p, **kw).estimates,
                                  difference_in_differences(p, **kw).estimates)


def test_event_study_has_reference_minus_one_and_flat_leads_without_pretrend():
    r = difference_in_differences(_panel(np.random.default_rng(5), effect=-1.0, sd=0.3), unit="unit",
                                  time="period", outcome="y", treated="treated", post="post")
    es = r.event_study.set_index("event_time")
    assert es.loc[-1, "estimate"] == 0 and es.loc[-1, "reference"]
    assert es.index.min() == -12 and es.index.max() == 12
    assert es.loc[[-12, 12], "binned"].all()
    assert not es.drop(index=[-12, 12])["binned"].any()
    # every coefficient is measured against the single month −1, so compare lags with leads
    leads, lags = es.loc[-11:-2, "estimate"], es.loc[0:11, "estimate"]
    assert lags.mean() - leads.mean() == pytest.approx(-1.0, abs=0.15)
    assert leads.std() < 0.3
    assert r.pretrend_p > 0.05


def test_did_flags_a_differential_pretrend():
    p = _panel(np.random.default_rng(6), effect=0.0, sd=0.3)
    p["y"] = p["y"] + 0.15 * p["treated"] * np.tile(np.arange(36), 16)  # treated units drift upwards throughout
    r = difference_in_differences(p, unit="unit", time="period", outcome="y", treated="treated", post="post")
    assert r.pretrend_p < 0.05
    assert any("trends already differed" in w for w in r.warnings)


def test_cluster_robust_over_rejects_with_few_clusters_but_wild_and_randomisation_do_not():
    # Under the null (no effect), 8 units of which 2 participate; each unit gets its own shock after the
    # start, so errors are correlated within units. CR1 errors with t(G−1) over-reject (MacKinnon & Webb
    # 2017); the wild cluster restricted bootstrap and randomisation inference stay at or below 5%.
    rng = np.random.default_rng(2024)
    G, months, n_sim = 8, 12, 200
    u = np.repeat(np.arange(G), months)
    t = np.tile(np.arange(months), G)
    rejected = {"twfe_cluster_robust": 0, "wild_cluster_bootstrap": 0, "randomisation_inference": 0}
    for i in range(n_sim):
        y = rng.normal(0, 1, G)[u] + rng.normal(0, 1, G)[u] * (t >= 6) + rng.normal(0, 0.5, G * months)
        p = pd.DataFrame({"u": u, "t": t, "y": y, "tr": u < 2, "post": t >= 6})
        r = difference_in_differences(p, unit="u", time="t", outcome="y", treated="tr", post="post",
                                      n_boot=199, seed=i, event_window=None)
        for m, pv in r.estimates.set_index("method")["p_value"].items():
            rejected[m] += pv < 0.05
    se = math.sqrt(0.05 * 0.95 / n_sim)  # ≈ 0.015
    assert rejected["twfe_cluster_robust"] / n_sim > 0.05 + 2 * se
    assert rejected["wild_cluster_bootstrap"] / n_sim <= 0.05 + se
    assert rejected["randomisation_inference"] / n_sim <= 0.05 + 2 * se


def test_did_needs_both_groups():
    p = _panel(np.random.default_rng(1))
    p["treated"] = True
    with pytest.raises(InputError, match="participating and comparison units"):
        difference_in_differences(p, unit="unit", time="period", outcome="y", treated="treated", post="post")


# ----------------------------------------------------------------------------- pre/post: Newcombe
@pytest.mark.parametrize(
    "x1, n1, x2, n2, lo, hi",
    [
        # Newcombe RG (1998) Stat Med 17:873–890, Table II, method 10 (score, no continuity correction)
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (0, 10, 0, 10, -0.2775, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
        (10, 10, 0, 10, 0.6075, 1.0000),
    ],
)
def test_newcombe_matches_the_papers_worked_examples(x1, n1, x2, n2, lo, hi):
    r = difference_in_proportions(x1, n1, x2, n2).term("difference_in_proportions")
    assert r.estimate == pytest.approx(x1 / n1 - x2 / n2)
    assert r.ci_low == pytest.approx(lo, abs=5e-5)
    assert r.ci_high == pytest.approx(hi, abs=5e-5)


def test_difference_in_proportions_rejects_impossible_counts():
    with pytest.raises(InputError, match="larger than its total"):
        difference_in_proportions(11, 10, 3, 10)


# ----------------------------------------------------------------------------- pre/post: rate ratio
def test_rate_ratio_wald_matches_rothman_breast_cancer_example():
    # Rothman KJ (1998/2012): 41 breast cancers in 28,010 person-years (radiation) vs 15 in 19,017;
    # IR ratio 1.86, 90% CI 1.1–3.0 (Wald, log scale). Hand arithmetic:
    rr = (41 / 28010) / (15 / 19017)
    se = math.sqrt(1 / 41 + 1 / 15)
    r = rate_ratio(41, 28010, 15, 19017, method="wald", conf_level=0.90).term("rate_ratio")
    assert round(r.estimate, 2) == 1.86
    assert r.ci_low == pytest.approx(rr * math.exp(-1.6448536 * se), rel=1e-6)
    assert r.ci_high == pytest.approx(rr * math.exp(1.6448536 * se), rel=1e-6)
    assert round(r.ci_low, 1) == 1.1 and round(r.ci_high, 1) == 3.0


def test_rate_ratio_exact_limits_solve_the_conditional_binomial_tail_equations():
    # Exact conditional limits: with n = 56 events, x = 41 in group 1, pi = E1·RR/(E1·RR + E2) and
    # P(X >= 41 | pi_L) = 0.025, P(X <= 41 | pi_U) = 0.025 (checked with binomial tail sums, not beta quantiles)
    e1, E1, e2, E2 = 41, 28010, 15, 19017
    r = rate_ratio(e1, E1, e2, E2, method="exact").term("rate_ratio")
    pi_l = r.ci_low * E1 / (r.ci_low * E1 + E2)
    pi_u = r.ci_high * E1 / (r.ci_high * E1 + E2)
    assert stats.binom.sf(e1 - 1, e1 + e2, pi_l) == pytest.approx(0.025, abs=1e-9)
    assert stats.binom.cdf(e1, e1 + e2, pi_u) == pytest.approx(0.025, abs=1e-9)
    assert r.ci_low < 1.86 < r.ci_high


def test_rate_ratio_exact_works_with_zero_events_after():
    r = rate_ratio(0, 120, 6, 120).term("rate_ratio")
    assert r.estimate == 0 and r.ci_low == 0 and 0 < r.ci_high < 1.2


# ----------------------------------------------------------------------------- pre/post: Welch and Hedges' g
def test_welch_matches_textbook_example():
    # Wikipedia, "Welch's t-test", Example 1 (Welch t = −2.46, ν ≈ 25.0, p = 0.021)
    a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4]
    a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4]
    r = welch_t(a1, a2)
    assert round(r.inputs["t"], 2) == -2.46
    assert round(r.inputs["df"], 1) == 25.0
    assert round(r.term("difference_in_means").p_value, 3) == 0.021
    assert r.term("difference_in_means").estimate == pytest.approx(sum(a1) / 15 - sum(a2) / 15)


def test_hedges_g_matches_borenstein_worked_example():
    # Borenstein, Hedges, Higgins & Rothstein (2009) Introduction to Meta-Analysis, ch. 4 worked example:
    # treated mean 103, SD 5.5, n 50; control mean 100, SD 4.5, n 50 → d = 0.5970, J = 0.9923,
    # g = 0.5924, SE(g) = 0.2028
    r = welch_t_from_summary(103, 5.5, 50, 100, 4.5, 50)
    assert r.inputs["cohens_d"] == pytest.approx(0.5970, abs=5e-5)
    assert r.inputs["hedges_j"] == pytest.approx(0.9923, abs=5e-5)
    g = r.term("hedges_g")
    assert g.estimate == pytest.approx(0.5924, abs=5e-5)
    assert r.inputs["hedges_g_se"] == pytest.approx(0.2028, abs=5e-5)
    assert g.ci_low == pytest.approx(0.5924 - 1.959964 * 0.2028, abs=2e-4)


def test_welch_from_raw_values_equals_summary_version():
    rng = np.random.default_rng(0)
    a, b = rng.normal(3, 1, 20), rng.normal(2.5, 2, 30)
    raw = welch_t(a, b).estimates
    summ = welch_t_from_summary(a.mean(), a.std(ddof=1), 20, b.mean(), b.std(ddof=1), 30).estimates
    pd.testing.assert_frame_equal(raw, summ)


# ----------------------------------------------------------------------------- properties
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=80, deadline=None)
@given(n1=st.integers(1, 200), n2=st.integers(1, 200), f1=st.floats(0, 1), f2=st.floats(0, 1))
def test_newcombe_interval_contains_the_estimate_and_stays_in_range(n1, n2, f1, f2):
    x1, x2 = round(f1 * n1), round(f2 * n2)
    r = difference_in_proportions(x1, n1, x2, n2).term("difference_in_proportions")
    assert -1 - 1e-12 <= r.ci_low <= r.estimate <= r.ci_high <= 1 + 1e-12


@settings(max_examples=60, deadline=None)
@given(e1=st.integers(1, 80), e2=st.integers(1, 80), E1=st.floats(10, 5000), E2=st.floats(10, 5000),
       method=st.sampled_from(["exact", "wald"]))
def test_rate_ratio_is_reciprocal_when_groups_swap(e1, e2, E1, E2, method):
    a = rate_ratio(e1, E1, e2, E2, method=method).term("rate_ratio")
    b = rate_ratio(e2, E2, e1, E1, method=method).term("rate_ratio")
    assert a.estimate * b.estimate == pytest.approx(1.0)
    assert a.ci_low * b.ci_high == pytest.approx(1.0, rel=1e-6)
    assert a.p_value == pytest.approx(b.p_value, rel=1e-9, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(shift=st.floats(-100, 100), seed=st.integers(0, 10_000))
def test_its_level_and_slope_change_do_not_depend_on_a_constant_shift(shift, seed):
    y = 10 + 0.1 * T + np.random.default_rng(seed).normal(0, 1, 36)
    a = interrupted_time_series(pd.DataFrame({"period": MONTHS, "y": y}), value="y", start="2023-04",
                                model="segmented")
    b = interrupted_time_series(pd.DataFrame({"period": MONTHS, "y": y + shift}), value="y", start="2023-04",
                                model="segmented")
    # The interval widths depend on the AR(1) ρ, found by a bounded numerical optimiser whose argmin
    # moves by ~1e-8 when the residuals change in their last bits, so widths agree to 1e-6 relative.
    for term in ("level_change", "slope_change", "effect_at_horizon", "average_effect"):
        assert _est(a, term).estimate == pytest.approx(_est(b, term).estimate, abs=1e-7)
        assert _est(a, term).ci_high - _est(a, term).ci_low == pytest.approx(
            _est(b, term).ci_high - _est(b, term).ci_low, rel=1e-6)


def test_impossible_counts_are_one_line_input_errors_not_numbers():
    # 12 successes out of 10 trials, or -2 events, have no binomial/Poisson likelihood; before this
    # check the GLM silently returned a level change (4.37 / 1.52) from the impossible row.
    from evalkit.errors import InputError

    d = pd.DataFrame({"period": pd.date_range("2022-01-01", periods=24, freq="MS")})
    d["x"] = np.r_[np.full(12, 5.0), np.full(12, 8.0)]
    d["n"] = 10.0
    d.loc[3, "x"] = 12
    with pytest.raises(InputError, match=r"^2022-04: x is larger than n \(12\)"):
        interrupted_time_series(d, numerator="x", denominator="n", start="2023-01", kind="binomial")
    d.loc[3, "x"] = -2
    with pytest.raises(InputError, match=r"^2022-04: x is negative \(-2\)"):
        interrupted_time_series(d, numerator="x", denominator="n", start="2023-01", kind="poisson")


def test_did_time_column_of_text_is_an_input_error():
    from evalkit.errors import InputError

    p = pd.DataFrame([(u, f"m{t}") for u in range(8) for t in range(20)], columns=["u", "t"])
    p["tr"] = p["u"] < 4
    p["post"] = p.index % 20 >= 10
    p["y"] = 1.0
    with pytest.raises(InputError, match="'m0' is not a month or a number"):
        difference_in_differences(p, unit="u", time="t", outcome="y", treated="tr", post="post", n_boot=999)


def test_event_study_end_points_are_not_marked_binned_when_no_month_lies_beyond_the_window():
    # review finding: the end bins were marked "binned" even when the window covered every month
    p = _panel(np.random.default_rng(5), effect=-1.0, sd=0.3)
    r = difference_in_differences(p, unit="unit", time="period", outcome="y", treated="treated", post="post",
                                  event_window=(-60, 60))
    assert not r.event_study["binned"].any()


def test_series_by_team_equals_team_series_for_every_team():
    # Hand-made table: unsorted months, a zero and a missing denominator, a missing month,
    # a team with no rows and another measure's rows; series_by_team must give exactly
    # what team_series gives for each team.
    from evalkit.effects.panel import series_by_team, team_series

    months = pd.to_datetime(["2023-03-01", "2023-01-01", "2023-02-01", None, "2023-01-01", "2023-02-01",
                             "2023-01-01"])
    measures = pd.DataFrame({
        "team_id": pd.array(["a", "a", "a", "a", "b", "b", "b"], dtype="string"),
        "period": months,
        "measure_id": pd.array(["m", "m", "m", "m", "m", "m", "other"], dtype="string"),
        "numerator": [3.0, 1.0, 2.0, 5.0, 4.0, np.nan, 9.0],
        "denominator": [10.0, 0.0, np.nan, 10.0, 8.0, 8.0, 9.0],
    })
    spec = {"multiply": 100}
    got = series_by_team(measures, "m", spec, ["a", "b", "c"])
    for team in ("a", "b", "c"):
        pd.testing.assert_frame_equal(got[team], team_series(measures, team, "m", spec), check_exact=True)
    # by hand: Jan 1/0 -> missing; Feb no denominator -> numerator x 100 = 200; Mar 3/10 x 100 = 30;
    # the row with no month comes last
    values = got["a"]["value"].tolist()
    assert np.isnan(values[0]) and values[1:3] == [200.0, 30.0] and got["a"]["period"].isna().tolist()[-1]
