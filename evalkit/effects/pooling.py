"""Pooling effects across teams: random-effects meta-analysis (DerSimonian–Laird).

The collaborative summary asks "by how much did the teams improve, on average?". Each
team's interrupted-time-series effect is one "study"; :func:`pooled_effects` pools the teams
of one measure and model with :func:`dersimonian_laird`.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["dersimonian_laird", "pooled_effects"]


def dersimonian_laird(estimates, std_errors, *, conf_level: float = 0.95) -> dict:
    """Random-effects pooled estimate by the DerSimonian–Laird method.

    Parameters
    ----------
    estimates, std_errors : array-like of float
        Per-study (per-team) estimates on an additive scale (differences, or log
        ratios) and their standard errors. Non-finite pairs are dropped.
    conf_level : float, default 0.95

    Returns
    -------
    dict
        ``k``, ``estimate``, ``std_error``, ``ci_low``, ``ci_high``, ``p_value``
        (normal reference), ``tau2`` (between-team variance), ``q`` (Cochran's
        Q), ``i2`` (share of variation due to heterogeneity, 0–1). NaN when
        k = 0; with k = 1 the single estimate is returned (tau2 = 0).

    Notes
    -----
    DerSimonian & Laird (1986), Control Clin Trials 7:177–188:
    ``w = 1/v``, ``Q = Σ w (y − ȳ_w)²``, ``τ² = max(0, (Q − (k − 1)) / (Σw − Σw²/Σw))``,
    ``w* = 1/(v + τ²)``, ``μ = Σ w* y / Σ w*``, ``SE = 1/sqrt(Σ w*)``;
    ``I² = max(0, (Q − (k − 1))/Q)`` (Higgins & Thompson 2002). With few teams τ²
    is imprecise and the normal-theory interval too narrow; read it as a
    summary, not a test.

    Examples
    --------
    >>> r = dersimonian_laird([0.1, 0.3], [0.1, 0.1])
    >>> round(r["estimate"], 3)
    0.2
    """
    y = np.asarray(estimates, float)
    se = np.asarray(std_errors, float)
    ok = np.isfinite(y) & np.isfinite(se) & (se > 0)
    y, v = y[ok], se[ok] ** 2
    k = int(len(y))
    nan = dict(k=k, estimate=np.nan, std_error=np.nan, ci_low=np.nan, ci_high=np.nan, p_value=np.nan,
               tau2=np.nan, q=np.nan, i2=np.nan)
    if k == 0:
        return nan
    z = stats.norm.ppf(1 - (1 - conf_level) / 2)
    w = 1 / v
    ybar = float(np.sum(w * y) / np.sum(w))
    q = float(np.sum(w * (y - ybar) ** 2))
    c = float(np.sum(w) - np.sum(w ** 2) / np.sum(w))
    tau2 = max(0.0, (q - (k - 1)) / c) if k > 1 and c > 0 else 0.0
    ws = 1 / (v + tau2)
    mu = float(np.sum(ws * y) / np.sum(ws))
    s = float(1 / math.sqrt(np.sum(ws)))
    i2 = max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0
    return dict(k=k, estimate=mu, std_error=s, ci_low=mu - z * s, ci_high=mu + z * s,
                p_value=float(2 * stats.norm.sf(abs(mu / s))), tau2=tau2, q=q, i2=i2)


def pooled_effects(effects: pd.DataFrame, *, term: str = "level_change", conf_level: float = 0.95) -> pd.DataFrame:
    """Pool per-team ITS estimates per measure (all teams, tribal, public) with DerSimonian–Laird.

    Teams whose series is too short (``too_short``) are left out. Ratios from
    GLMs are pooled on the log scale and returned as ratios.

    Returns
    -------
    DataFrame
        ``measure_id``, ``group``, ``term``, ``k``, ``estimate``, ``ci_low``,
        ``ci_high``, ``p_value``, ``tau2``, ``i2``, ``q``, ``scale``,
        ``conf_level``, ``method`` (:func:`collaborative_rollup` adds
        ``sentence``). When a measure's teams were fitted with different
        models (e.g. a p chart without denominators for one team falls back to
        OLS), only the most common model's estimates are pooled (differences
        and ratios cannot be averaged) and ``method`` says how many were left out.
    """
    if effects.empty:
        return pd.DataFrame(columns=["measure_id", "group", "term", "k", "estimate", "ci_low", "ci_high", "p_value",
                                     "tau2", "i2", "q", "scale", "conf_level", "method"])
    rows = []
    e = effects[~effects["too_short"].astype(bool)].copy()
    e["group"] = e["team_type"].astype(str) + " teams"
    for mid, dm in e.groupby("measure_id", sort=False):
        # A measure can mix scales (a p chart falls back to OLS for a team without denominators):
        # differences and log ratios cannot be averaged, so only the most common model is pooled.
        kinds = dm["kind"].astype(str)
        counts = kinds.value_counts()
        kind = str(sorted(counts.index[counts == counts.max()])[0])
        left_out = int((kinds != kind).sum())
        dm = dm[kinds == kind]
        ratio = kind != "gaussian"
        for group, dg in [("all participating teams", dm), *sorted(dm.groupby("group"))]:
            y = np.log(dg[term].to_numpy(float)) if ratio else dg[term].to_numpy(float)
            r = dersimonian_laird(y, dg[f"{term}_se"].to_numpy(float), conf_level=conf_level)
            est, lo, hi = r["estimate"], r["ci_low"], r["ci_high"]
            if ratio:
                est, lo, hi = math.exp(est) if est == est else est, math.exp(lo) if lo == lo else lo, \
                    math.exp(hi) if hi == hi else hi
            rows.append({"measure_id": mid, "group": group, "term": term, "k": r["k"], "estimate": est,
                         "ci_low": lo, "ci_high": hi, "p_value": r["p_value"], "tau2": r["tau2"], "i2": r["i2"],
                         "q": r["q"], "scale": dg["scale"].iloc[0], "conf_level": conf_level,
                         "method": "DerSimonian–Laird random effects" + (" (log scale)" if ratio else "")
                         + (f"; {left_out} team(s) on another model scale left out" if left_out else "")})
    return pd.DataFrame(rows)
