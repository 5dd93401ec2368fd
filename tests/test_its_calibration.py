"""Interrupted time series: standard errors against statsmodels and hand calculation, and calibration.

Every expected number is computed here independently of evalkit.effects: statsmodels fitted
directly (GLMs on proportions with the denominators as variance weights, HAC on a regular grid
with the missing months as zero rows), the Pearson χ² written out, and the AR(1) REML estimate
from the likelihood of error contrasts (a different formula from the one in evalkit). The last
test runs a small fixed-seed version of benchmarks/calibration_its.py.
"""
from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import linalg, optimize, stats

from evalkit.effects import interrupted_time_series
from evalkit.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
MONTHS = pd.date_range("2022-01-01", periods=36, freq="MS")
T = np.arange(36.0) - 15  # start 2023-04 is month 15


def _expit(x):
    return 1 / (1 + np.exp(-x))


def _design(t, model="segmented"):
    post = (t >= 0).astype(float)
    cols = {"level": [np.ones_like(t), t, post], "segmented": [np.ones_like(t), t, post, t * post],
            "no_trend": [np.ones_like(t), post]}[model]
    return np.column_stack(cols)


def _row(r, term):
    return r.estimates.set_index("term").loc[term]


def _diag(r, name):
    return float(r.diagnostics.set_index("statistic").loc[name, "value"])


def _overdispersed_binomial(seed=1):
    rng = np.random.default_rng(seed)
    n = rng.integers(20, 121, 36).astype(float)
    p = _expit(-0.5 + 0.01 * T + 0.4 * (T >= 0) + rng.normal(0, 0.3, 36))
    return pd.DataFrame({"period": MONTHS, "x": rng.binomial(n.astype(int), p).astype(float), "n": n})


# ----------------------------------------------------------------------------- quasi-likelihood
def test_quasi_binomial_equals_statsmodels_with_variance_weights_and_the_pearson_chi2_by_hand():
    d = _overdispersed_binomial()
    r = interrupted_time_series(d, numerator="x", denominator="n", start="2023-04", kind="binomial",
                                errors="quasi", model="segmented")
    X, x, n = _design(T), d["x"].to_numpy(), d["n"].to_numpy()
    ref = sm.GLM(x / n, X, family=sm.families.Binomial(), var_weights=n).fit(scale="X2")
    plain = sm.GLM(x / n, X, family=sm.families.Binomial(), var_weights=n).fit()
    # Pearson χ² by hand from the fitted proportions: Σ (x − n p)² / (n p (1 − p)), df = 36 − 4
    p = plain.mu
    phi = float(np.sum((x - n * p) ** 2 / (n * p * (1 - p))) / 32)
    assert phi > 1.5  # the series is clearly over-dispersed
    assert _diag(r, "dispersion") == pytest.approx(phi, rel=1e-8)
    assert ref.scale == pytest.approx(phi, rel=1e-6)
    q = stats.t.ppf(0.975, 32)
    for term, k in [("level_change", 2), ("slope_change", 3)]:
        row = _row(r, term)
        assert row["std_error"] == pytest.approx(ref.bse[k], rel=1e-6)
        assert row["std_error"] == pytest.approx(math.sqrt(phi) * plain.bse[k], rel=1e-6)
        assert row["estimate"] == pytest.approx(math.exp(ref.params[k]), rel=1e-7)
        assert row["ci_low"] == pytest.approx(math.exp(ref.params[k] - q * ref.bse[k]), rel=1e-6)
        assert row["ci_high"] == pytest.approx(math.exp(ref.params[k] + q * ref.bse[k]), rel=1e-6)
        assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(ref.params[k] / ref.bse[k]), 32), rel=1e-5)


def test_quasi_poisson_with_exposure_equals_statsmodels_and_average_effect_is_the_mean_post_contrast():
    rng = np.random.default_rng(2)
    staff = rng.uniform(30, 90, 36).round(1)
    lam = staff * np.exp(np.log(0.08) - 0.01 * T + np.log(0.7) * (T >= 0) + rng.normal(0, 0.5, 36))
    d = pd.DataFrame({"period": MONTHS, "x": rng.poisson(lam).astype(float), "staff": staff})
    r = interrupted_time_series(d, numerator="x", denominator="staff", start="2023-04", kind="poisson",
                                errors="quasi", model="segmented")
    X = _design(T)
    ref = sm.GLM(d["x"].to_numpy(), X, family=sm.families.Poisson(), offset=np.log(staff)).fit(scale="X2")
    assert ref.scale > 1
    c = np.array([0, 0, 1, np.mean(np.arange(21.0))])  # months 0..20 after the start
    est, se = float(c @ ref.params), float(np.sqrt(c @ ref.cov_params() @ c))
    q = stats.t.ppf(0.975, 32)
    row = _row(r, "average_effect")
    assert row["estimate"] == pytest.approx(math.exp(est), rel=1e-7)
    assert row["std_error"] == pytest.approx(se, rel=1e-6)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((math.exp(est - q * se), math.exp(est + q * se)),
                                                            rel=1e-6)


def test_dispersion_below_one_is_floored_at_one_unless_the_caller_allows_it():
    # counts as close to their expectation as integers allow: Pearson χ²/df well below 1
    n = np.full(36, 80.0)
    x = np.round(n * _expit(-1 + 0.02 * T + 0.3 * (T >= 0)) + np.tile([1, -1], 18) * 0.4)
    d = pd.DataFrame({"period": MONTHS, "x": x, "n": n})
    X = _design(T, "level")
    kw = dict(numerator="x", denominator="n", start="2023-04", kind="binomial", errors="quasi")
    floored = interrupted_time_series(d, **kw)
    free = interrupted_time_series(d, min_dispersion=0.0, **kw)
    plain = sm.GLM(x / n, X, family=sm.families.Binomial(), var_weights=n).fit()
    x2 = sm.GLM(x / n, X, family=sm.families.Binomial(), var_weights=n).fit(scale="X2")
    assert x2.scale < 0.5
    assert _row(floored, "level_change")["std_error"] == pytest.approx(plain.bse[2], rel=1e-6)
    assert _row(free, "level_change")["std_error"] == pytest.approx(x2.bse[2], rel=1e-6)
    assert _diag(floored, "dispersion_used") == 1.0


# ----------------------------------------------------------------------------- HAC in calendar months
def test_hac_counts_lags_in_calendar_months_when_months_are_missing():
    rng = np.random.default_rng(4)
    e = np.zeros(36)
    for i in range(36):
        e[i] = (0.5 * e[i - 1] if i else 0) + rng.normal()
    y = 10 + 0.05 * T - 1.0 * (T >= 0) + e
    keep = np.ones(36, bool)
    keep[[3, 4, 20, 27]] = False
    d = pd.DataFrame({"period": MONTHS[keep], "y": y[keep]})
    r = interrupted_time_series(d, value="y", start="2023-04", errors="hac", maxlags=3)
    X = _design(T, "level")
    n, p = int(keep.sum()), 3
    # the regular 36-month grid with the missing months as rows of zeros: statsmodels' row lags are then months
    grid = sm.OLS(np.where(keep, y, 0.0), X * keep[:, None]).fit(cov_type="HAC",
                                                                  cov_kwds={"maxlags": 3, "use_correction": False})
    hac = np.asarray(grid.cov_params()) * n / (n - p)
    ols = sm.OLS(y[keep], X[keep]).fit()
    assert grid.params == pytest.approx(ols.params, rel=1e-9)
    for term, c in [("level_change", np.array([0, 0, 1.0])), ("baseline_slope", np.array([0, 1.0, 0]))]:
        expected = max(math.sqrt(c @ hac @ c), math.sqrt(c @ ols.cov_params() @ c))  # never below OLS
        assert _row(r, term)["std_error"] == pytest.approx(expected, rel=1e-8)
    # counting rows instead of months (statsmodels on the series without its gaps) gives another number
    rows = sm.OLS(y[keep], X[keep]).fit(cov_type="HAC", cov_kwds={"maxlags": 3, "use_correction": True})
    assert math.sqrt(hac[2, 2]) != pytest.approx(float(rows.bse[2]), rel=1e-3)


def test_poisson_hac_equals_statsmodels_glm_hac_with_the_small_sample_factor():
    rng = np.random.default_rng(2)
    staff = rng.uniform(30, 90, 36).round(1)
    u = np.zeros(36)
    for i in range(36):
        u[i] = (0.6 * u[i - 1] if i else 0) + rng.normal(0, 0.3)
    x = rng.poisson(staff * np.exp(np.log(0.08) - 0.01 * T + np.log(0.7) * (T >= 0) + u)).astype(float)
    d = pd.DataFrame({"period": MONTHS, "x": x, "staff": staff})
    r = interrupted_time_series(d, numerator="x", denominator="staff", start="2023-04", kind="poisson",
                                errors="hac", maxlags=3)
    X = _design(T, "level")
    glm = sm.GLM(x, X, family=sm.families.Poisson(), offset=np.log(staff))
    hac = glm.fit(cov_type="HAC", cov_kwds={"maxlags": 3, "use_correction": False})
    quasi = glm.fit(scale="X2")
    for term, k in [("baseline_slope", 1), ("level_change", 2)]:
        expected = max(float(hac.bse[k]) * math.sqrt(36 / 33), float(quasi.bse[k]))  # never below quasi-Poisson
        assert _row(r, term)["std_error"] == pytest.approx(expected, rel=1e-6)


# ----------------------------------------------------------------------------- AR(1) by REML
def _reml_by_error_contrasts(X, z, months):
    """ρ maximising the likelihood of w = K'z, K an orthonormal basis of the null space of X'."""
    K = linalg.null_space(X.T)
    w = K.T @ z
    D = np.abs(months[:, None] - months[None, :])

    def nll(rho):
        S = K.T @ (rho ** D) @ K
        sign, logdet = np.linalg.slogdet(S)
        s2 = w @ np.linalg.solve(S, w) / len(w)
        return logdet + len(w) * np.log(s2)

    grid = np.linspace(0, 0.95, 96)
    start = grid[np.argmin([nll(g) for g in grid])]
    if start == 0:
        return 0.0
    res = optimize.minimize_scalar(nll, bounds=(max(0, start - 0.02), min(0.95, start + 0.02)), method="bounded",
                                   options={"xatol": 1e-9})
    return float(res.x)


def test_ar1_errors_by_hand_with_missing_months():
    rng = np.random.default_rng(11)
    e = np.zeros(36)
    for i in range(36):
        e[i] = (0.6 * e[i - 1] if i else 0) + rng.normal(0, 0.8)
    y = 3 + 0.01 * T + 0.3 * (T >= 0) + e
    keep = np.ones(36, bool)
    keep[[6, 7, 22]] = False
    d = pd.DataFrame({"period": MONTHS[keep], "y": y[keep]})
    r = interrupted_time_series(d, value="y", start="2023-04")  # defaults: model="level", errors="ar1"
    assert (r.model, r.errors) == ("level", "ar1")
    X, m = _design(T, "level")[keep], np.arange(36.0)[keep]
    ols = sm.OLS(y[keep], X).fit()
    rho = _reml_by_error_contrasts(X, y[keep], m)
    assert rho > 0.2
    assert _diag(r, "ar1_rho") == pytest.approx(rho, abs=1e-6)
    R = rho ** np.abs(m[:, None] - m[None, :])
    B = np.linalg.inv(X.T @ X)
    H = X @ B @ X.T
    sigma2 = ols.resid @ ols.resid / np.trace((np.eye(len(m)) - H) @ R)
    V = sigma2 * B @ X.T @ R @ X @ B
    q = stats.t.ppf(0.975, len(m) - 3)
    row = _row(r, "average_effect")
    assert row["estimate"] == pytest.approx(ols.params[2], rel=1e-9)
    assert row["std_error"] == pytest.approx(math.sqrt(V[2, 2]), rel=1e-5)
    assert row["ci_high"] - row["ci_low"] == pytest.approx(2 * q * math.sqrt(V[2, 2]), rel=1e-5)
    # the AR(1) interval is wider than the OLS one for positively correlated months
    assert row["std_error"] > ols.bse[2]


def test_ar1_errors_equal_quasi_binomial_when_no_autocorrelation_is_found():
    n = np.full(36, 60.0)
    x = np.round(n * _expit(-0.3 + 0.01 * T + 0.5 * (T >= 0))) + np.tile([4.0, -4.0], 18)  # alternating: ρ < 0
    d = pd.DataFrame({"period": MONTHS, "x": x, "n": n})
    r = interrupted_time_series(d, numerator="x", denominator="n", start="2023-04", kind="binomial")
    assert _diag(r, "ar1_rho") == 0.0
    ref = sm.GLM(x / n, _design(T, "level"), family=sm.families.Binomial(), var_weights=n).fit(scale="X2")
    assert ref.scale > 1
    assert _row(r, "level_change")["std_error"] == pytest.approx(ref.bse[2], rel=1e-6)
    # the alternation is autocorrelation, but not of the AR(1) form the intervals allow for: say so
    assert any(w.startswith("residuals are autocorrelated") and "The AR(1) estimate is 0" in w for w in r.warnings)


# ----------------------------------------------------------------------------- models and what they report
def test_level_model_reports_a_constant_effect_a_design_note_and_its_counterfactual():
    y = 5 + 0.1 * T + 2 * (T >= 0)
    r = interrupted_time_series(pd.DataFrame({"period": MONTHS, "y": y}), value="y", start="2023-04")
    assert r.model == "level"
    assert r.design_note.startswith("level change, with one underlying trend fitted to all 36 months "
                                    "(no change in slope assumed; slope-change check p = ")
    for term in ("level_change", "effect_at_horizon", "average_effect"):
        assert _row(r, term)["estimate"] == pytest.approx(2.0, abs=1e-9)
    assert r.headline["estimate"] == pytest.approx(2.0, abs=1e-9)
    assert _row(r, "baseline_slope")["estimate"] == pytest.approx(0.1, abs=1e-9)
    assert np.isnan(_row(r, "slope_change")["estimate"])
    assert r.fitted["counterfactual"].to_numpy() == pytest.approx(5 + 0.1 * T)
    n = interrupted_time_series(pd.DataFrame({"period": MONTHS, "y": 5 + 2 * (T >= 0)}), value="y",
                                start="2023-04", model="no_trend")
    assert n.design_note.startswith("level change, no underlying trend (trend check p = ")
    assert _row(n, "average_effect")["estimate"] == pytest.approx(2.0, abs=1e-9)
    assert np.isnan(_row(n, "baseline_slope")["estimate"])


def test_level_model_warns_when_the_slope_clearly_changes():
    rng = np.random.default_rng(5)
    y = 5 + 0.25 * T * (T >= 0) + rng.normal(0, 0.3, 36)  # a ramp, not a step
    r = interrupted_time_series(pd.DataFrame({"period": MONTHS, "y": y}), value="y", start="2023-04")
    seg = sm.OLS(y, _design(T)).fit()
    assert seg.pvalues[3] < 1e-6 and _diag(r, "slope_change_p") < 0.05
    assert any(w.startswith("the trend after the start differs from the trend before") for w in r.warnings)


def test_unknown_model_and_negative_dispersion_floor_are_one_line_input_errors():
    d = pd.DataFrame({"period": MONTHS, "y": T})
    with pytest.raises(InputError, match=r"^model 'ramp' is not known; use one of level, segmented, no_trend$"):
        interrupted_time_series(d, value="y", start="2023-04", model="ramp")
    with pytest.raises(InputError, match=r"^min_dispersion -1 must be 0 or more"):
        interrupted_time_series(d, value="y", start="2023-04", min_dispersion=-1)


# ----------------------------------------------------------------------------- calibration (simulation)
def _benchmark():
    spec = importlib.util.spec_from_file_location("calibration_its", ROOT / "benchmarks" / "calibration_its.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["calibration_its"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["wellbeing", "turnover", "vacancy", "supervision"])
def test_average_effect_covers_and_rarely_claims_a_false_improvement(name):
    # 150 fixed-seed series with over-dispersion, AR(1) ρ = 0.3, a summer peak and a secular trend towards
    # improvement (benchmarks/calibration_its.py; the benchmark uses 500 per cell). Binomial 3-SE bands at
    # n = 150 around 0.95 and 0.025 are about ±0.05 and ±0.04, so the bounds are tolerant but not loose.
    bench = _benchmark()
    s = bench.SCENARIOS[name]
    null = bench.evaluate(s, 150, 1000 + len(name), effect=False)
    real = bench.evaluate(s, 150, 2000 + len(name), effect=True)
    assert null["coverage"] >= 0.85 and real["coverage"] >= 0.85, (null, real)
    assert null["improvement"] <= 0.12, null
    assert real["improvement"] > null["improvement"]  # some power, however little for turnover
