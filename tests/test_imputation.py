"""The comparison-adjusted effect (evalkit.effects.imputation) against independent references."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from evalkit.effects.imputation import ar1_mean_variance_factor, imputation_did, pooled_ar1_rho
from evalkit.errors import InputError


def _panel(rng, *, n_units=8, n_treated=3, months=24, effect=0.0, sd=1.0, rho=0.0):
    units = [f"t{i}" for i in range(n_treated)] + [f"c{i}" for i in range(n_units - n_treated)]
    shared = rng.normal(0, 1, months)
    rows = []
    for k, u in enumerate(units):
        noise = np.empty(months)
        noise[0] = rng.normal()
        for m in range(1, months):
            noise[m] = rho * noise[m - 1] + math.sqrt(1 - rho * rho) * rng.normal()
        for m in range(months):
            rows.append((u, m, 2.0 * k + shared[m] + sd * noise[m]))
    starts = {u: 10 + i for i, u in enumerate(units[:n_treated])}
    df = pd.DataFrame(rows, columns=["unit", "time", "y"])
    treated = df.apply(lambda r: r["unit"] in starts and r["time"] >= starts[r["unit"]], axis=1)
    df.loc[treated, "y"] += effect
    return df, starts


def test_effects_equal_statsmodels_ols_with_unit_and_month_dummies_fitted_on_untreated_rows():
    # independent reference: fit y ~ unit + month by OLS on the untreated rows (statsmodels), predict the
    # treated rows, average observed - predicted per unit (Borusyak, Jaravel & Spiess 2024, eq. 5)
    df, starts = _panel(np.random.default_rng(3), effect=1.5)
    treated = df.apply(lambda r: r["unit"] in starts and r["time"] >= starts[r["unit"]], axis=1).to_numpy()
    X = pd.get_dummies(df[["unit", "time"]].astype(str), drop_first=True).astype(float)
    X.insert(0, "const", 1.0)
    fit = sm.OLS(df.loc[~treated, "y"], X.loc[~treated]).fit()
    resid = df["y"] - fit.predict(X)
    expected = resid[treated].groupby(df.loc[treated, "unit"]).mean()
    got = imputation_did(df, start_by_unit=starts).effects.set_index("unit")["estimate"]
    for unit, value in expected.items():
        assert got[unit] == pytest.approx(value, abs=1e-8)


def test_a_constant_effect_without_noise_is_recovered_exactly():
    df, starts = _panel(np.random.default_rng(1), effect=3.0, sd=0.0)
    e = imputation_did(df, start_by_unit=starts).effects
    assert e["estimate"].to_numpy() == pytest.approx([3.0] * 3, abs=1e-9)
    assert (e["n_pre"] == [10, 11, 12]).all() and (e["n_post"] == [14, 13, 12]).all()


def test_ar1_variance_factor_by_hand():
    # Var(mean of 3 AR(1) values) = sigma^2 (3 + 4 rho + 2 rho^2) / 9, i.e. factor (3 + 4 rho + 2 rho^2) / 3
    assert ar1_mean_variance_factor(0.4, 3) == pytest.approx((3 + 4 * 0.4 + 2 * 0.16) / 3)
    assert ar1_mean_variance_factor(0.0, 7) == 1.0


def test_pooled_rho_pairs_only_calendar_consecutive_months_of_one_unit():
    # unit 0 months 0,1,2 then a gap to 5; unit 1 months 0,1. Centred residuals by hand:
    # u0 [1,-1,1,-1] (mean 0), u1 [2,-2]: consecutive pairs (0,1),(1,2) of u0 and (0,1) of u1 -> products -1,-1,-4
    e = np.array([1.0, -1.0, 1.0, -1.0, 2.0, -2.0])
    u = np.array([0, 0, 0, 0, 1, 1])
    m = np.array([0, 1, 2, 5, 0, 1], dtype=float)
    rho_hat = (-1 - 1 - 4) / (e @ e) * 6 / 3  # = -6/12 * 2 = -1.0, then floored at 0 after the bias term
    assert rho_hat == -1.0
    assert pooled_ar1_rho(e, u, m) == 0.0


def test_intervals_are_calibrated_on_simulated_panels_without_an_effect():
    # 150 panels x 3 treated units, AR(1) rho 0.5 noise and a shared month effect: the two-sided 95%
    # interval should exclude 0 about 5% of the time (measured 3-7% in benchmarks/calibration.py runs)
    rng = np.random.default_rng(20231201)
    misses = total = 0
    for _ in range(150):
        df, starts = _panel(rng, n_units=12, n_treated=3, months=36, rho=0.5)
        e = imputation_did(df, start_by_unit=starts).effects
        misses += int(((e["ci_low"] > 0) | (e["ci_high"] < 0)).sum())
        total += len(e)
    assert 0.01 <= misses / total <= 0.09


def test_without_a_comparison_unit_it_is_a_plain_error():
    df, starts = _panel(np.random.default_rng(2), n_units=3, n_treated=3)
    with pytest.raises(InputError, match="comparison unit"):
        imputation_did(df, start_by_unit=starts)
