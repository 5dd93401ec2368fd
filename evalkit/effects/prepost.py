"""Before/after comparisons for surveys and short series.

Three small, well-understood comparisons with intervals that behave in small
samples: a difference in proportions (Newcombe's hybrid score interval), a rate
ratio for events per staff-month (exact conditional or Wald), and Welch's t with
Hedges' g for scale means. Each returns a :class:`PrePostResult`. Re-exported by
:mod:`evalkit.effects.its`.

Convention: group 1 is "after" (or participating), group 2 is "before" (or
comparison); differences are group 1 − group 2 and ratios group 1 / group 2.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.errors import InputError
from evalkit.intervals import newcombe_difference, welch_interval, z_value

__all__ = ["PrePostResult", "difference_in_proportions", "rate_ratio", "welch_t", "welch_t_from_summary",
]


@dataclass(frozen=True)
class PrePostResult:
    """A before/after comparison.

    Attributes
    ----------
    estimates : DataFrame
        ``term``, ``estimate``, ``ci_low``, ``ci_high``, ``p_value``, ``scale``.
    method : str
        How the interval and p-value were computed.
    conf_level : float
    inputs : dict
        The counts / summaries the comparison was computed from.
    warnings : tuple of str
    """

    estimates: pd.DataFrame
    method: str
    conf_level: float
    inputs: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def term(self, name: str) -> pd.Series:
        """The ``estimates`` row for one term."""
        rows = self.estimates[self.estimates["term"] == name]
        if rows.empty:
            raise InputError(f"no term called {name!r}; use one of {list(self.estimates['term'])}")
        return rows.iloc[0]

    def _repr_html_(self) -> str:
        warn = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
        return (f"<p><b>{html.escape(self.method)}</b> ({int(self.conf_level * 100)}% CI)</p>"
                + (f"<ul>{warn}</ul>" if warn else "") + self.estimates.to_html(index=False, na_rep="–"))


_z = z_value


def _count(value, name: str, *, integer: bool = True) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} = {value!r} is not a number") from exc
    if not math.isfinite(v) or v < 0:
        raise InputError(f"{name} = {value!r} must be a number ≥ 0")
    if integer and v != round(v):
        raise InputError(f"{name} = {value!r} must be a whole number (a count)")
    return v


def difference_in_proportions(x1, n1, x2, n2, *, conf_level: float = 0.95) -> PrePostResult:
    """Difference between two independent proportions with Newcombe's hybrid score CI.

    Parameters
    ----------
    x1, n1 : int
        Group 1 (after / participating): number with the characteristic, and
        number asked (e.g. respondents scoring ≥ 50 on burnout, respondents).
    x2, n2 : int
        Group 2 (before / comparison), same meaning.
    conf_level : float, default 0.95

    Returns
    -------
    PrePostResult
        One row, term ``difference_in_proportions`` = ``x1/n1 − x2/n2`` (a
        proportion between −1 and 1; multiply by 100 for percentage points),
        with Newcombe's interval and the two-sided p-value of the Pearson χ²
        test without continuity correction (pooled-variance z test; NaN when
        both proportions are 0 or both 1).

    Raises
    ------
    InputError
        Counts that are negative, not whole, or ``x > n``, or ``n = 0``.

    Notes
    -----
    Newcombe (1998b), Stat Med 17:873–890, method 10: with Wilson limits
    ``(l1, u1)`` and ``(l2, u2)`` and ``d = p1 − p2``,
    ``L = d − sqrt((p1 − l1)² + (u2 − p2)²)``,
    ``U = d + sqrt((u1 − p1)² + (p2 − l2)²)``.

    Examples
    --------
    >>> r = difference_in_proportions(56, 70, 48, 80)
    >>> round(float(r.term("difference_in_proportions").ci_low), 4)
    0.0524
    """
    x1, n1, x2, n2 = (_count(v, k) for v, k in ((x1, "x1"), (n1, "n1"), (x2, "x2"), (n2, "n2")))
    if n1 == 0 or n2 == 0:
        raise InputError("n1 and n2 must be at least 1 (the number of people asked in each group)")
    if x1 > n1 or x2 > n2:
        raise InputError(f"a count is larger than its total (x1={x1:g}, n1={n1:g}, x2={x2:g}, n2={n2:g})")
    p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    lo, hi = newcombe_difference(x1, n1, x2, n2, conf_level=conf_level)
    pooled = (x1 + x2) / (n1 + n2)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    p = float(2 * stats.norm.sf(abs(d) / se0)) if se0 > 0 else np.nan
    est = pd.DataFrame([{"term": "difference_in_proportions", "estimate": d, "ci_low": lo, "ci_high": hi,
                         "p_value": p, "scale": "difference in proportions (group 1 − group 2)"}])
    warnings = []
    if min(n1, n2) < 5:
        warnings.append(f"very small groups ({int(n1)} and {int(n2)}); the interval is wide and the p-value approximate")
    return PrePostResult(est, "difference in proportions, Newcombe hybrid score interval (method 10)", conf_level,
                         {"x1": x1, "n1": n1, "x2": x2, "n2": n2, "p1": p1, "p2": p2}, tuple(warnings))


def rate_ratio(events1, exposure1, events2, exposure2, *, method: str = "exact",
               conf_level: float = 0.95) -> PrePostResult:
    """Ratio of two Poisson event rates (e.g. separations per staff-month, after vs before).

    Parameters
    ----------
    events1, exposure1 : float
        Group 1 (after) events (whole number) and exposure (staff-months, > 0).
    events2, exposure2 : float
        Group 2 (before), same meaning.
    method : {"exact", "wald"}, default "exact"
        ``"exact"``: conditional on the total number of events, events1 is
        binomial with ``π = E1·RR / (E1·RR + E2)``; the Clopper–Pearson interval
        for π is transformed to RR, and the p-value is the exact two-sided
        binomial test of ``π0 = E1 / (E1 + E2)`` (RR = 1). Guaranteed coverage
        (conservative) even for a handful of events. ``"wald"``:
        ``log RR ± z·sqrt(1/e1 + 1/e2)`` with a z-test p-value; needs events in
        both groups.
    conf_level : float, default 0.95

    Returns
    -------
    PrePostResult
        Rows ``rate_ratio`` (scale "rate ratio (group 1 / group 2)") and
        ``rate_difference`` (events per unit of exposure, Wald interval
        ``sqrt(e1/E1² + e2/E2²)``, for context).

    Raises
    ------
    InputError
        Negative or non-whole event counts, exposure ≤ 0, unknown method,
        ``method="wald"`` with zero events in a group.

    Notes
    -----
    Exact conditional method: Rothman & Greenland, Modern Epidemiology (2nd
    ed., 1998, ch. 14); Ulm (1990), Am J Epidemiol 131:373–375 (Poisson limits
    via the binomial/beta relation). Wald: Rothman (2012), Epidemiology: An
    Introduction, 2nd ed.

    Examples
    --------
    >>> r = rate_ratio(41, 28010, 15, 19017, method="wald")
    >>> round(float(r.term("rate_ratio").estimate), 2)
    1.86
    """
    if method not in ("exact", "wald"):
        raise InputError(f"method {method!r} is not known; use 'exact' or 'wald'")
    e1, e2 = _count(events1, "events1"), _count(events2, "events2")
    E1, E2 = _count(exposure1, "exposure1", integer=False), _count(exposure2, "exposure2", integer=False)
    if E1 <= 0 or E2 <= 0:
        raise InputError("exposure1 and exposure2 must be greater than 0 (staff-months at risk)")
    z = _z(conf_level)
    alpha = 1 - conf_level
    rr = (e1 / E1) / (e2 / E2) if e2 > 0 else (np.inf if e1 > 0 else np.nan)
    warnings = []
    if method == "wald":
        if e1 == 0 or e2 == 0:
            raise InputError("the Wald rate ratio needs at least one event in each group; use method='exact'")
        se = math.sqrt(1 / e1 + 1 / e2)
        lo, hi = rr * math.exp(-z * se), rr * math.exp(z * se)
        p = float(2 * stats.norm.sf(abs(math.log(rr)) / se))
        label = "rate ratio, Wald interval on the log scale"
    else:
        n = e1 + e2
        if n == 0:
            lo, hi, p = 0.0, np.inf, 1.0
            warnings.append("no events in either group; the rate ratio cannot be estimated")
        else:
            pl = stats.beta.ppf(alpha / 2, e1, n - e1 + 1) if e1 > 0 else 0.0
            pu = stats.beta.ppf(1 - alpha / 2, e1 + 1, n - e1) if e1 < n else 1.0
            lo = pl / (1 - pl) * E2 / E1
            hi = pu / (1 - pu) * E2 / E1 if pu < 1 else np.inf
            p = float(stats.binomtest(int(e1), int(n), E1 / (E1 + E2)).pvalue)
        label = "rate ratio, exact conditional (Clopper–Pearson) interval"
    if e1 + e2 < 10:
        warnings.append(f"only {int(e1 + e2)} events in all; the interval is wide")
    rd = e1 / E1 - e2 / E2
    se_rd = math.sqrt(e1 / E1 ** 2 + e2 / E2 ** 2)
    p_rd = float(2 * stats.norm.sf(abs(rd) / se_rd)) if se_rd > 0 else np.nan
    est = pd.DataFrame([
        {"term": "rate_ratio", "estimate": rr, "ci_low": lo, "ci_high": hi, "p_value": p,
         "scale": "rate ratio (group 1 / group 2)"},
        {"term": "rate_difference", "estimate": rd, "ci_low": rd - z * se_rd, "ci_high": rd + z * se_rd,
         "p_value": p_rd, "scale": "events per unit of exposure (group 1 − group 2), Wald"},
    ])
    return PrePostResult(est, label, conf_level, {"events1": e1, "exposure1": E1, "events2": e2, "exposure2": E2},
                         tuple(warnings))


def welch_t_from_summary(mean1, sd1, n1, mean2, sd2, n2, *, conf_level: float = 0.95) -> PrePostResult:
    """Welch's t-test and Hedges' g from group means, SDs and sizes.

    See :func:`welch_t` (same result, from raw values).
    """
    n1, n2 = _count(n1, "n1"), _count(n2, "n2")
    if n1 < 2 or n2 < 2:
        raise InputError(f"each group needs at least 2 values for Welch's t (got {int(n1)} and {int(n2)})")
    m1, m2, s1, s2 = float(mean1), float(mean2), float(sd1), float(sd2)
    w = welch_interval(m1, s1, n1, m2, s2, n2, conf_level=conf_level)
    se, diff, dfw, t, p = w["se"], w["difference"], w["df"], w["t"], w["p_value"]
    sp = math.sqrt(((n1 - 1) * s1 * s1 + (n2 - 1) * s2 * s2) / (n1 + n2 - 2))
    d = diff / sp if sp > 0 else np.nan
    J = 1 - 3 / (4 * (n1 + n2) - 9)
    g = J * d
    se_g = J * math.sqrt((n1 + n2) / (n1 * n2) + d * d / (2 * (n1 + n2)))
    zc = _z(conf_level)
    est = pd.DataFrame([
        {"term": "difference_in_means", "estimate": diff, "ci_low": w["ci_low"], "ci_high": w["ci_high"],
         "p_value": p, "scale": "difference in means (group 1 − group 2), measure unit"},
        {"term": "hedges_g", "estimate": g, "ci_low": g - zc * se_g, "ci_high": g + zc * se_g,
         "p_value": np.nan, "scale": "standardised mean difference (pooled SD), small-sample corrected"},
    ])
    warnings = []
    if min(n1, n2) < 5:
        warnings.append(f"very small groups ({int(n1)} and {int(n2)}); the interval is wide")
    return PrePostResult(est, "Welch's t-test (unequal variances) with Hedges' g", conf_level,
                         {"mean1": m1, "sd1": s1, "n1": n1, "mean2": m2, "sd2": s2, "n2": n2, "t": t, "df": dfw,
                          "std_error": se, "cohens_d": d, "hedges_j": J, "hedges_g_se": se_g}, tuple(warnings))


def welch_t(a, b, *, conf_level: float = 0.95) -> PrePostResult:
    """Welch's unequal-variance t-test for two independent groups, with Hedges' g.

    Parameters
    ----------
    a, b : array-like of float
        Group 1 (after) and group 2 (before) values, e.g. respondents' scale
        scores. NaN values are dropped.
    conf_level : float, default 0.95

    Returns
    -------
    PrePostResult
        Rows ``difference_in_means`` (mean(a) − mean(b) in the measure's unit;
        Welch t interval and p-value, Welch–Satterthwaite df) and ``hedges_g``
        (standardised by the pooled SD, small-sample corrected; normal-theory
        interval, no p-value). ``inputs`` holds t, df, the SE and Cohen's d.

    Raises
    ------
    InputError
        Fewer than 2 values in a group.

    Notes
    -----
    Welch (1947), Biometrika 34:28–35: ``t = (m1 − m2)/sqrt(s1²/n1 + s2²/n2)``,
    ``df = (s1²/n1 + s2²/n2)² / ((s1²/n1)²/(n1−1) + (s2²/n2)²/(n2−1))``.
    Hedges' g (Borenstein et al. 2009, Introduction to Meta-Analysis, ch. 4):
    ``d = (m1 − m2)/S_within``, ``J = 1 − 3/(4(n1 + n2) − 9)``, ``g = J·d``,
    ``SE_g = J·sqrt((n1 + n2)/(n1·n2) + d²/(2(n1 + n2)))``.

    Examples
    --------
    >>> r = welch_t([5, 6, 7, 8], [1, 2, 3, 4])
    >>> float(r.term("difference_in_means").estimate)
    4.0
    """
    a = np.asarray(pd.to_numeric(pd.Series(a, dtype="object"), errors="coerce"), float)
    b = np.asarray(pd.to_numeric(pd.Series(b, dtype="object"), errors="coerce"), float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) < 2 or len(b) < 2:
        raise InputError(f"each group needs at least 2 values for Welch's t (got {len(a)} and {len(b)})")
    return welch_t_from_summary(a.mean(), a.std(ddof=1), len(a), b.mean(), b.std(ddof=1), len(b),
                                conf_level=conf_level)
