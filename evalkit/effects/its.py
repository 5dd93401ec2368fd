"""Effect estimates with honest uncertainty: interrupted time series for one team.

A run chart answers "is there a signal?"; this module answers "how big, and how
sure?" for one team's measure, using segmented regression (an interrupted time
series, ITS) around the team's intervention start. Comparisons with
non-participating units (difference-in-differences) live in
:mod:`evalkit.effects.did`, and simple before/after comparisons (proportions,
rates, means) in :mod:`evalkit.effects.prepost`; :mod:`evalkit.effects` exports all three.

The design is *before/after within one team*: it cannot separate the
collaborative's contribution from anything else that changed at the same time.
:mod:`evalkit.effects.narrative` turns these results into sentences that say so.
"""
from __future__ import annotations

import html
import math
import warnings as _pywarnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.diagnostic import acorr_breusch_godfrey, acorr_ljungbox
from statsmodels.stats.stattools import durbin_watson

from evalkit.errors import InputError


__all__ = [
    "ITSResult",
    "interrupted_time_series",
    "newey_west_lags",
]

_KINDS = ("gaussian", "poisson", "binomial")
_ERRORS = ("hac", "quasi", "model")
_RATIO_SCALE = {"poisson": "rate ratio", "binomial": "odds ratio"}


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class ITSResult:
    """Interrupted time series for one series (see :func:`interrupted_time_series`).

    Attributes
    ----------
    estimates : DataFrame
        One row per term: ``term`` (baseline_level, baseline_slope, level_change,
        slope_change, effect_at_horizon), ``estimate``, ``ci_low``, ``ci_high``,
        ``p_value``, ``scale`` (what the number means), ``std_error`` (on the
        model's linear scale: the measure's unit for gaussian, log ratio for GLMs).
    fitted : DataFrame
        One row per period: ``period``, ``t`` (months from the start),
        ``post`` (bool), ``observed``, ``fitted``, ``counterfactual`` (the pre-start
        trend carried forward), all in the measure's unit (after ``multiply``).
    diagnostics : DataFrame
        ``statistic``, ``value``, ``note``: Durbin–Watson, Ljung–Box p,
        Breusch–Godfrey p (OLS only), dispersion (GLMs), lags used.
    warnings : tuple of str
        Plain-language cautions ("only 6 points before the start; ...").
    """

    estimates: pd.DataFrame
    fitted: pd.DataFrame
    diagnostics: pd.DataFrame
    warnings: tuple[str, ...]
    kind: str
    errors: str
    start: object
    horizon: int
    maxlags: int | None
    n_pre: int
    n_post: int
    conf_level: float
    multiply: float
    min_points_each_side: int
    settings: dict = field(default_factory=dict)

    @property
    def estimable(self) -> bool:
        """True when the model could be fitted (estimates are not all NaN)."""
        return bool(self.estimates["estimate"].notna().any())

    @property
    def too_short(self) -> bool:
        """True when either side has fewer points than ``min_points_each_side``."""
        return self.n_pre < self.min_points_each_side or self.n_post < self.min_points_each_side

    def term(self, name: str) -> pd.Series:
        """The ``estimates`` row for one term (e.g. ``"level_change"``)."""
        rows = self.estimates[self.estimates["term"] == name]
        if rows.empty:
            raise InputError(f"no ITS term called {name!r}; use one of {list(self.estimates['term'])}")
        return rows.iloc[0]

    def _repr_html_(self) -> str:
        head = (
            f"<p><b>Interrupted time series</b> ({html.escape(self.kind)}, errors: {html.escape(self.errors)}; "
            f"{self.n_pre} points before, {self.n_post} after the start; {int(self.conf_level * 100)}% CIs)</p>"
        )
        warn = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
        return head + (f"<ul>{warn}</ul>" if warn else "") + self.estimates.to_html(index=False, na_rep="–")


# --------------------------------------------------------------------------- helpers
def newey_west_lags(n: int) -> int:
    """Newey–West (1994) rule-of-thumb lag length ``floor(4 * (n / 100) ** (2 / 9))``.

    Parameters
    ----------
    n : int
        Number of observations (months) in the fit.

    Returns
    -------
    int
        At least 1. For 36 monthly points this is 3; for 24 it is 2.

    Notes
    -----
    Newey, W. K. & West, K. D. (1994). Automatic lag selection in covariance
    matrix estimation. Review of Economic Studies 61, 631–653 (the fixed-rule
    variant quoted by Greene, Econometric Analysis, and used by Stata's users).
    """
    if n <= 0:
        return 1
    return max(1, int(math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0))))


def _month_index(values: pd.Series) -> np.ndarray:
    """Months since year 0 for datetimes; numbers are used as they are."""
    if pd.api.types.is_datetime64_any_dtype(values):
        v = pd.DatetimeIndex(values)
        return (v.year.to_numpy() * 12 + v.month.to_numpy() - 1).astype(float)
    return pd.to_numeric(values, errors="raise").to_numpy(dtype=float)


def _start_index(start, values: pd.Series) -> float:
    if pd.api.types.is_datetime64_any_dtype(values):
        try:
            ts = pd.Timestamp(start)
        except (ValueError, TypeError) as exc:
            raise InputError(f"start {start!r} is not a month; use YYYY-MM (e.g. '2023-04')") from exc
        return float(ts.year * 12 + ts.month - 1)
    try:
        return float(start)
    except (TypeError, ValueError) as exc:
        raise InputError(f"start {start!r} is not a number like the time column") from exc


def _nan_estimates(kind: str, multiply: float) -> pd.DataFrame:
    scale = _scales(kind)
    return pd.DataFrame(
        {
            "term": list(scale),
            "estimate": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": np.nan,
            "scale": list(scale.values()),
            "std_error": np.nan,
        }
    )


def _scales(kind: str) -> dict[str, str]:
    if kind == "gaussian":
        return {
            "baseline_level": "level (measure unit) at the start month on the pre-start trend",
            "baseline_slope": "change per month (measure unit) before the start",
            "level_change": "difference (measure unit)",
            "slope_change": "difference per month (measure unit)",
            "effect_at_horizon": "difference (measure unit)",
        }
    ratio = _RATIO_SCALE[kind]
    base = "rate" if kind == "poisson" else "proportion"
    return {
        "baseline_level": f"{base} (measure unit) at the start month on the pre-start trend",
        "baseline_slope": f"{ratio} per month before the start",
        "level_change": ratio,
        "slope_change": f"{ratio} per month",
        "effect_at_horizon": ratio,
    }


# --------------------------------------------------------------------------- ITS
def interrupted_time_series(
    df: pd.DataFrame,
    *,
    time: str = "period",
    value: str | None = None,
    numerator: str | None = None,
    denominator: str | None = None,
    start,
    kind: str = "gaussian",
    horizon: int = 12,
    maxlags: int | None = None,
    min_points_each_side: int = 8,
    errors: str | None = None,
    multiply: float = 1.0,
    conf_level: float = 0.95,
) -> ITSResult:
    """Segmented regression around an intervention start (interrupted time series).

    Fits ``y = b0 + b1·t + b2·post + b3·t·post`` where ``t`` is months from the
    start (``t = 0`` is the start month) and ``post = (t >= 0)``. Then ``b2`` is
    the immediate level change at the start, ``b3`` the change in slope per month
    and ``b2 + b3·h`` the effect ``h`` months after the start (the gap between
    the fitted line and the pre-start trend carried forward).

    Parameters
    ----------
    df : DataFrame
        One row per period for ONE team and ONE measure.
    time : str, default "period"
        Column of months (datetime64, first of month) or plain numbers.
    value : str, optional
        Column with the measure for ``kind="gaussian"`` (a rate or a mean).
        If omitted, ``numerator / denominator`` (or ``numerator``) is used.
    numerator, denominator : str, optional
        Counts and their denominators. ``poisson``: numerator = events,
        denominator = exposure (e.g. average headcount; its log is the offset;
        omit for plain counts). ``binomial``: numerator = successes,
        denominator = trials (both required).
    start : str, Timestamp or number
        First month of the intervention (``"2023-04"``) or a number on the
        ``time`` scale. Months from this one on count as "after".
    kind : {"gaussian", "poisson", "binomial"}, default "gaussian"
        OLS for rates/means, Poisson GLM (log link, log(denominator) offset) for
        counts, binomial GLM (logit link) for proportions.
    horizon : int, default 12
        Months after the start at which ``effect_at_horizon`` is reported.
    maxlags : int, optional
        Newey–West lags for HAC errors. Default: ``floor(4·(n/100)^(2/9))``
        (:func:`newey_west_lags`; 3 for 36 months). Also the Ljung–Box and
        Breusch–Godfrey lag.
    min_points_each_side : int, default 8
        Fewer non-missing points than this before or after the start adds a
        warning (the estimates are still returned).
    errors : {"hac", "quasi", "model"}, optional
        How standard errors are computed. Default ``"hac"`` for gaussian
        (Newey–West with small-sample correction, Bartlett kernel, but never
        smaller than the conventional OLS standard error; t(n − 4) reference) and
        ``"quasi"`` for GLMs (model-based with the dispersion estimated by
        Pearson χ²/df, i.e. quasi-Poisson / quasi-binomial, t reference).
        ``"hac"`` is also allowed for GLMs; ``"model"`` uses the plain model
        variance (dispersion fixed at 1 for GLMs, normal reference).
    multiply : float, default 1
        Multiplies observed/fitted values (and gaussian estimates), e.g. 100 for
        percentages. Ratios from GLMs are unit-free and not multiplied.
    conf_level : float, default 0.95
        Confidence level of every interval.

    Returns
    -------
    ITSResult
        ``.estimates`` (term, estimate, ci_low, ci_high, p_value, scale,
        std_error), ``.fitted`` (period, t, post, observed, fitted,
        counterfactual), ``.diagnostics`` (statistic, value, note),
        ``.warnings``. If the model cannot be fitted (fewer than 2 points on a
        side, fewer than 5 in all, no events) estimates are NaN and a warning
        says why; no exception is raised for short series.

    Raises
    ------
    InputError
        Unknown ``kind``/``errors``, missing columns, a numerator/denominator
        that ``kind`` requires but was not given, a negative count (GLMs) or a
        numerator larger than its denominator (binomial).

    Notes
    -----
    Segmented regression: Wagner, Soumerai, Zhang & Ross-Degnan (2002),
    J Clin Pharm Ther 27:299–309; Bernal, Cummins & Gasparrini (2017), Int J
    Epidemiol 46:348–355 (Poisson model with offset). The horizon effect and its
    CI use the linear combination ``c = (0, 0, 1, h)`` of the coefficients with
    variance ``c' V c`` (for GLMs computed on the log scale and exponentiated,
    i.e. the delta method). HAC: Newey & West (1987, 1994). Durbin–Watson and
    Ljung–Box are computed on (Pearson) residuals; values of DW far from 2, or a
    small Ljung–Box p, mean the residuals are autocorrelated and the intervals
    are less trustworthy.

    Limits (simulated with 36–48 monthly points): with independent errors the
    default gaussian intervals cover ≈ 95% (tests/test_effects.py); plain HAC
    would cover only ≈ 85–89%, which is why the OLS floor is applied. With
    positively autocorrelated errors (AR(1), ρ = 0.3) coverage falls to ≈ 85%
    because HAC cannot learn the autocorrelation from so few points: treat
    the warning about autocorrelated residuals seriously. Missing values stay as rows in ``fitted`` (observed
    NaN) and are left out of the fit.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"period": pd.date_range("2022-01-01", periods=24, freq="MS")})
    >>> d["y"] = [10 + 0.1 * i for i in range(24)]
    >>> r = interrupted_time_series(d, value="y", start="2023-01")
    >>> bool(abs(r.term("level_change").estimate) < 1e-9)
    True
    """
    if kind not in _KINDS:
        raise InputError(f"kind {kind!r} is not known; use one of {', '.join(_KINDS)}")
    errors = errors or ("hac" if kind == "gaussian" else "quasi")
    if errors not in _ERRORS:
        raise InputError(f"errors {errors!r} is not known; use one of {', '.join(_ERRORS)}")
    if kind == "gaussian" and errors == "quasi":
        raise InputError("errors='quasi' is for poisson/binomial models; use 'hac' or 'model' for gaussian")
    if not 0 < conf_level < 1:
        raise InputError(f"conf_level {conf_level!r} must be between 0 and 1, e.g. 0.95")
    needed = [time] + [c for c in (value, numerator, denominator) if c is not None]
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise InputError(f"column(s) {', '.join(missing)} not in the table; it has {', '.join(map(str, df.columns))}")
    if kind == "gaussian" and value is None and numerator is None:
        raise InputError("give value= (the measure column) or numerator= for a gaussian ITS")
    if kind == "poisson" and numerator is None:
        raise InputError("a poisson ITS needs numerator= (the event counts) and usually denominator= (exposure)")
    if kind == "binomial" and (numerator is None or denominator is None):
        raise InputError("a binomial ITS needs numerator= (successes) and denominator= (trials)")

    d = df.copy()
    if not (pd.api.types.is_datetime64_any_dtype(d[time]) or pd.api.types.is_numeric_dtype(d[time])):
        parsed = pd.to_datetime(d[time].astype(str), format="mixed", errors="coerce")
        if parsed.isna().any():
            bad = d.loc[parsed.isna(), time].iloc[0]
            raise InputError(f"column {time}: {bad!r} is not a month; use YYYY-MM or a date")
        d[time] = parsed
    d = d.sort_values(time).reset_index(drop=True)
    tt = _month_index(d[time]) - _start_index(start, d[time])
    num = pd.to_numeric(d[numerator], errors="coerce").to_numpy(float) if numerator else None
    den = pd.to_numeric(d[denominator], errors="coerce").to_numpy(float) if denominator else None
    if kind == "gaussian":
        if value is not None:
            y = pd.to_numeric(d[value], errors="coerce").to_numpy(float) * multiply
        else:
            y = (num / den if den is not None else num) * multiply
        observed = y
        ok = np.isfinite(y)
    else:
        observed = (num / den if den is not None else num) * multiply
        ok = np.isfinite(num) & (np.isfinite(den) & (den > 0) if den is not None else True)
    if kind != "gaussian":
        _check_counts(d[time], num, den, kind, numerator, denominator)
    post = tt >= 0
    n_pre, n_post = int((ok & ~post).sum()), int((ok & post).sum())
    n = n_pre + n_post
    lags = int(maxlags) if maxlags is not None else newey_west_lags(n)

    warnings: list[str] = []
    m = min_points_each_side
    if n_pre < m:
        warnings.append(
            f"only {n_pre} point{'s' if n_pre != 1 else ''} before the start; at least {m} are needed on each side, so estimates are unreliable"
        )
    if n_post < m:
        warnings.append(
            f"only {n_post} point{'s' if n_post != 1 else ''} after the start; at least {m} are needed on each side, so estimates are unreliable"
        )
    last_t = float(tt[ok & post].max()) if n_post else float("nan")
    if n_post and horizon > last_t:
        warnings.append(
            f"the horizon ({horizon} months after the start) is beyond the last observed month "
            f"({int(last_t)} months after); the effect there is an extrapolation of the fitted trend"
        )

    fitted = pd.DataFrame({"period": d[time].to_numpy(), "t": tt, "post": post, "observed": observed})
    settings = {"time": time, "value": value, "numerator": numerator, "denominator": denominator}
    common = dict(kind=kind, errors=errors, start=start, horizon=int(horizon), maxlags=lags, n_pre=n_pre,
                  n_post=n_post, conf_level=conf_level, multiply=multiply, min_points_each_side=m, settings=settings)

    no_events = kind != "gaussian" and n and np.nansum(num[ok]) == 0
    if n_pre < 2 or n_post < 2 or n < 5 or no_events:
        why = "no events in the series" if no_events else "too few points on one side of the start"
        warnings.append(f"the model could not be estimated ({why}); no effect estimate is reported")
        fitted["fitted"] = np.nan
        fitted["counterfactual"] = np.nan
        diag = pd.DataFrame({"statistic": ["lags"], "value": [float(lags)], "note": ["Newey–West / test lag"]})
        return ITSResult(estimates=_nan_estimates(kind, multiply), fitted=fitted, diagnostics=diag,
                         warnings=tuple(warnings), **common)

    X = np.column_stack([np.ones_like(tt), tt, post.astype(float), tt * post])
    Xf = X[ok]
    alpha = 1 - conf_level
    with _pywarnings.catch_warnings():
        # statsmodels warns about perfect fits (noise-free series) and about future return types;
        # neither changes a number here.
        _pywarnings.simplefilter("ignore")
        res, resid, plain = _fit(kind, errors, Xf, y if kind == "gaussian" else None, num, den, ok, lags)
    params = np.asarray(res.params, float)
    cov = np.asarray(res.cov_params(), float)
    use_t = bool(getattr(res, "use_t", False))
    df_resid = float(res.df_resid)

    # HAC errors are biased downwards in short series (simulated coverage of the level change
    # ≈ 86% at n = 36 with i.i.d. errors), so the SE used is the larger of the HAC and the
    # conventional OLS SE (Angrist & Pischke 2009, Mostly Harmless Econometrics, §8.2.1).
    cov_floor = np.asarray(plain.cov_params(), float) if (kind == "gaussian" and errors == "hac") else None

    def _combo(c: np.ndarray) -> tuple[float, float, float, float, float]:
        est = float(c @ params)
        se = float(math.sqrt(max(c @ cov @ c, 0.0)))
        if cov_floor is not None:
            se = max(se, float(math.sqrt(max(c @ cov_floor @ c, 0.0))))
        crit = stats.t.ppf(1 - alpha / 2, df_resid) if use_t else stats.norm.ppf(1 - alpha / 2)
        if se > 0:
            z = est / se
            p = float(2 * (stats.t.sf(abs(z), df_resid) if use_t else stats.norm.sf(abs(z))))
        else:
            p = 0.0 if est != 0 else 1.0
        return est, se, est - crit * se, est + crit * se, p

    combos = {
        "baseline_level": np.array([1.0, 0, 0, 0]),
        "baseline_slope": np.array([0, 1.0, 0, 0]),
        "level_change": np.array([0, 0, 1.0, 0]),
        "slope_change": np.array([0, 0, 0, 1.0]),
        "effect_at_horizon": np.array([0, 0, 1.0, float(horizon)]),
    }
    scales = _scales(kind)
    rows = []
    for term, c in combos.items():
        est, se, lo, hi, p = _combo(c)
        if term == "baseline_level":
            p = np.nan  # a test that the level is zero answers no question here
            if kind == "poisson":
                est, lo, hi = (math.exp(v) * multiply for v in (est, lo, hi))
            elif kind == "binomial":
                est, lo, hi = (_expit(v) * multiply for v in (est, lo, hi))
        elif kind != "gaussian":
            est, lo, hi = math.exp(est), math.exp(lo), math.exp(hi)
        rows.append({"term": term, "estimate": est, "ci_low": lo, "ci_high": hi, "p_value": p,
                     "scale": scales[term], "std_error": se})
    estimates = pd.DataFrame(rows)

    eta = X @ params
    eta_cf = X[:, :2] @ params[:2]
    if kind == "gaussian":
        fitted["fitted"], fitted["counterfactual"] = eta, eta_cf
    elif kind == "poisson":
        fitted["fitted"], fitted["counterfactual"] = np.exp(eta) * multiply, np.exp(eta_cf) * multiply
    else:
        fitted["fitted"], fitted["counterfactual"] = _expit(eta) * multiply, _expit(eta_cf) * multiply

    # autocorrelation diagnostics on (Pearson) residuals
    lb_lag = max(1, min(lags, n - 5))
    resid = np.asarray(resid, float)
    exact_fit = bool(np.all(np.abs(resid) <= 1e-9 * max(1.0, float(np.nanmax(np.abs(fitted["fitted"]))))))
    with _pywarnings.catch_warnings():
        _pywarnings.simplefilter("ignore")
        dw = float(durbin_watson(resid))
        lb = acorr_ljungbox(resid, lags=[lb_lag], return_df=True)
        lb_p = float(lb["lb_pvalue"].iloc[0])
        bg_p = float(acorr_breusch_godfrey(plain, nlags=lb_lag)[1]) if kind == "gaussian" else np.nan
    diag_rows = [
        ("durbin_watson", dw, "about 2 when residuals are not autocorrelated; < 1.5 suggests positive autocorrelation"),
        ("ljung_box_p", lb_p, f"Ljung–Box test of residual autocorrelation up to lag {lb_lag}"),
    ]
    if kind == "gaussian":
        diag_rows.append(("breusch_godfrey_p", bg_p, f"Breusch–Godfrey LM test up to lag {lb_lag}"))
    else:
        disp = float(np.sum(np.asarray(res.resid_pearson) ** 2) / df_resid) if df_resid > 0 else np.nan
        diag_rows.append(("dispersion", disp, "Pearson χ²/df; > 1 means more variation than the model assumes"))
    diag_rows.append(("lags", float(lags), "Newey–West lag (HAC errors) chosen by floor(4(n/100)^(2/9)) unless given"))
    diag_rows.append(("n_obs", float(n), "points used in the fit"))
    diagnostics = pd.DataFrame(diag_rows, columns=["statistic", "value", "note"])
    if exact_fit:
        warnings.append("the model fits every point exactly (no noise); intervals have zero width and the "
                        "autocorrelation tests mean nothing")
    elif lb_p < 0.05:
        extra = " HAC errors allow for this only approximately in short series." if errors == "hac" else \
            " The intervals assume independent months and may be too narrow."
        warnings.append(f"residuals are autocorrelated (Ljung–Box p = {lb_p:.3f}).{extra}")
    return ITSResult(estimates=estimates, fitted=fitted, diagnostics=diagnostics, warnings=tuple(warnings), **common)


def _check_counts(periods, num, den, kind, numerator, denominator) -> None:
    """Counts for a GLM must be >= 0 and, for a binomial model, no larger than their totals."""
    bad = np.isfinite(num) & (num < 0)
    why = f"{numerator} is negative"
    if kind == "binomial":
        over = np.isfinite(num) & np.isfinite(den) & (num > den)
        if over.any() and not bad.any():
            bad, why = over, f"{numerator} is larger than {denominator}"
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        when = periods.iloc[i]
        when = f"{when:%Y-%m}" if isinstance(when, pd.Timestamp) else str(when)
        raise InputError(f"{when}: {why} ({num[i]:g}); a {kind} model needs counts of 0 or more"
                         + (" that do not exceed their totals" if kind == "binomial" else "")
                         + "; correct the count or use kind='gaussian' on the rate")


def _fit(kind, errors, Xf, y, num, den, ok, lags):
    """Fit the segmented model; returns (result, residuals for diagnostics, plain OLS result or None)."""
    if kind == "gaussian":
        model = sm.OLS(y[ok], Xf)
        if errors == "hac":
            res = model.fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True)
        else:
            res = model.fit(use_t=True)
        plain = res if errors == "model" else model.fit()
        return res, plain.resid, plain
    if kind == "poisson":
        offset = np.log(den[ok]) if den is not None else None
        model = sm.GLM(num[ok], Xf, family=sm.families.Poisson(), offset=offset)
    else:
        endog = np.column_stack([num[ok], den[ok] - num[ok]])
        model = sm.GLM(endog, Xf, family=sm.families.Binomial())
    if errors == "quasi":
        res = model.fit(scale="X2", use_t=True)
    elif errors == "hac":
        res = model.fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True)
    else:
        res = model.fit()
    return res, res.resid_pearson, None


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))
