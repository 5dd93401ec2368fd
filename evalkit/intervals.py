"""Confidence intervals: the one place evalkit gets them from.

Every interval a report prints for a proportion, a difference of proportions or a mean
comes from here, and each is the standard library's implementation:

- :func:`wilson_interval` — statsmodels ``proportion_confint(method="wilson")``;
- :func:`newcombe_difference` — statsmodels
  ``confint_proportions_2indep(method="newcomb", compare="diff")``;
- :func:`t_interval` — the Student-t interval of a mean, quantiles from scipy;
- :func:`welch_interval` — Welch's unequal-variance t for two means (scipy's
  ``ttest_ind_from_stats(equal_var=False)`` for t and p; the same Welch–Satterthwaite df
  for the interval).

All take ``conf_level`` (default 0.95) and accept arrays where a table needs many
intervals at once. Missing or impossible inputs (``n = 0``) give NaN, never an exception.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from evalkit.errors import InputError

__all__ = ["wilson_interval", "newcombe_difference", "t_interval", "welch_interval", "z_value"]


def z_value(conf_level: float) -> float:
    """The two-sided normal quantile for ``conf_level`` (e.g. 1.96 for 0.95)."""
    if not 0 < conf_level < 1:
        raise InputError(f"conf_level must be between 0 and 1 (e.g. 0.95), got {conf_level!r}")
    return float(stats.norm.ppf(0.5 + conf_level / 2))


def wilson_interval(successes, n, *, conf_level: float = 0.95):
    """Wilson score interval for a proportion (no continuity correction).

    Parameters
    ----------
    successes, n : float or array-like
        Counts; ``n == 0`` gives NaN.
    conf_level : float, default 0.95

    Returns
    -------
    (lower, upper)
        Proportions (0–1): floats for scalar input, arrays otherwise.

    Notes
    -----
    (p̂ + z²/2n ± z √(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n), Wilson (1927); method 3 of
    Newcombe (1998), recommended by Brown, Cai & DasGupta (2001). Computed by
    statsmodels ``proportion_confint(method="wilson")``.

    Examples
    --------
    >>> [round(float(v), 4) for v in wilson_interval(81, 263)]
    [0.2553, 0.3662]
    """
    z_value(conf_level)
    scalar = np.ndim(successes) == 0 and np.ndim(n) == 0
    x = np.atleast_1d(np.asarray(successes, dtype=float))
    m = np.atleast_1d(np.asarray(n, dtype=float))
    x, m = np.broadcast_arrays(x, m)
    ok = (m > 0) & np.isfinite(x) & np.isfinite(m)
    lo = np.full(x.shape, np.nan)
    hi = np.full(x.shape, np.nan)
    if ok.any():
        low, high = proportion_confint(x[ok], m[ok], alpha=1 - conf_level, method="wilson")
        lo[ok], hi[ok] = np.clip(low, 0, 1), np.clip(high, 0, 1)
    if scalar:
        return float(lo[0]), float(hi[0])
    return lo, hi


def newcombe_difference(x1, n1, x2, n2, *, conf_level: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``x1/n1 − x2/n2`` (two independent proportions).

    Notes
    -----
    Newcombe (1998b), Stat Med 17:873–890, method 10: with Wilson limits ``(l1, u1)`` and
    ``(l2, u2)`` and ``d = p1 − p2``, ``L = d − sqrt((p1 − l1)² + (u2 − p2)²)``,
    ``U = d + sqrt((u1 − p1)² + (p2 − l2)²)``. Computed by statsmodels
    ``confint_proportions_2indep(method="newcomb", compare="diff")``.
    """
    z_value(conf_level)
    if n1 <= 0 or n2 <= 0:
        return (np.nan, np.nan)
    lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff", alpha=1 - conf_level)
    return float(lo), float(hi)


def t_interval(mean, sd, n, *, conf_level: float = 0.95):
    """Student-t confidence interval for a mean: mean ± t_{n−1, (1+level)/2} · sd/√n.

    Parameters
    ----------
    mean, sd, n : array-like
        Sample mean, standard deviation (ddof=1) and size; n < 2 gives NaN.
    conf_level : float, default 0.95

    Returns
    -------
    (lower, upper) : arrays
    """
    z_value(conf_level)
    mean, sd, n = (np.asarray(v, dtype=float) for v in (mean, sd, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        q = stats.t.ppf(0.5 + conf_level / 2, np.where(n >= 2, n - 1, np.nan))
        half = q * sd / np.sqrt(n)
    return mean - half, mean + half


def welch_interval(mean1, sd1, n1, mean2, sd2, n2, *, conf_level: float = 0.95) -> dict:
    """Welch's unequal-variance t for ``mean1 − mean2``: t, df, p-value, SE and interval.

    Notes
    -----
    Welch (1947), Biometrika 34:28–35: ``t = (m1 − m2)/sqrt(s1²/n1 + s2²/n2)``,
    ``df = (s1²/n1 + s2²/n2)² / ((s1²/n1)²/(n1−1) + (s2²/n2)²/(n2−1))``; t and p from
    scipy ``ttest_ind_from_stats(equal_var=False)``. With both SDs 0 everything but the
    difference is NaN.
    """
    z_value(conf_level)
    v1, v2 = sd1 * sd1 / n1, sd2 * sd2 / n2
    se = math.sqrt(v1 + v2)
    diff = mean1 - mean2
    if not se > 0:
        return {"difference": diff, "se": se, "t": np.nan, "df": np.nan, "p_value": np.nan,
                "ci_low": np.nan, "ci_high": np.nan}
    df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    res = stats.ttest_ind_from_stats(mean1, sd1, n1, mean2, sd2, n2, equal_var=False)
    crit = float(stats.t.ppf(0.5 + conf_level / 2, df))
    return {"difference": diff, "se": se, "t": float(res.statistic), "df": df, "p_value": float(res.pvalue),
            "ci_low": diff - crit * se, "ci_high": diff + crit * se}
