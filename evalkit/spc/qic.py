"""Run charts and control charts that reproduce qicharts2 0.8.1 number for number.

:func:`qic` is the Python counterpart of qicharts2's ``qic()`` (Anhøj, R): run,
I, MR, Xbar, S, T, P, P′, C, U, U′ and G charts (and I′), with denominators,
aggregation of several rows per subgroup, dates / numbers / categories on x,
baseline (``freeze``), phases (``part``), excluded points, ``multiply``, a known
centre line, facets, and screened or unscreened moving ranges. Runs analysis
uses the Anhøj rules by default; the IHI run-chart rules and the NHS "Making
Data Count" rules are offered beside them (see :mod:`evalkit.spc.rules`).
:func:`verdicts` (in :mod:`evalkit.spc.verdicts`)
turns a chart into one plain-language sentence per facet and phase.

Everything is vectorised over facets × phases: 10,000 series cost little more
than one. Where qicharts2 does something odd (listed in the Notes of
:func:`qic`), evalkit does the same so numbers match, and says so.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
import numpy as np
import pandas as pd

from evalkit.errors import InputError
from evalkit.spc.charts import CHARTS, _gmean, _gmedian, _gsd, _gsum
from evalkit.spc.rules import DIRECTIONS, RULES, useful_runs

__all__ = ["qic", "QicResult", "CHARTS"]

POINT_COLUMNS = ["facet", "x", "part", "y", "n", "y_sum", "y_length", "cl", "lcl", "ucl",
                 "lcl_95", "ucl_95", "sigma_signal", "runs_signal", "baseline", "include"]
SUMMARY_COLUMNS = ["facet", "part", "n_obs", "n_useful", "longest_run", "longest_run_max",
                   "n_crossings", "n_crossings_min", "runs_signal", "sigma_signal", "cl",
                   "alcl", "aucl"]
_AGGS = ("mean", "median", "sum", "sd")


# ---------------------------------------------------------------------------
# input handling
# ---------------------------------------------------------------------------

def _as_numeric(values, name: str) -> np.ndarray:
    if np.isscalar(values) or values is None:
        values = [values]
    s = pd.Series(list(values) if not isinstance(values, (pd.Series, np.ndarray)) else values)
    if s.dtype == bool:
        s = s.astype(float)
    try:
        out = pd.to_numeric(s, errors="raise")
    except (ValueError, TypeError):
        bad = next((v for v in s if not _is_number_like(v)), None)
        raise InputError(f"{name} must hold numbers; found {bad!r}. Leave a cell blank for a missing value.") from None
    return np.asarray(out, dtype=float)


def _is_number_like(v) -> bool:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return True
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return False


def _x_values(x, length):
    """x as a Series plus its kind: 'number', 'date' or 'category' (dots only)."""
    if x is None:
        return pd.Series(np.arange(1, length + 1, dtype=float)), "number"
    s = x if isinstance(x, pd.Series) else pd.Series(list(x) if not isinstance(x, np.ndarray) else x)
    s = s.reset_index(drop=True)
    if isinstance(s.dtype, pd.PeriodDtype):
        return s.dt.to_timestamp(), "date"
    if pd.api.types.is_datetime64_any_dtype(s):
        return s, "date"
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s, "category"
    if pd.api.types.is_bool_dtype(s):
        return s.astype(str), "category"
    if pd.api.types.is_numeric_dtype(s):
        return s.astype(float), "number"
    nonmissing = s.dropna()
    import datetime as _dt
    if len(nonmissing) and all(isinstance(v, (_dt.date, pd.Timestamp, np.datetime64)) for v in nonmissing):
        return pd.to_datetime(s), "date"
    return s.astype(object).where(s.notna(), None), "category"


def _check_length(values, name, length):
    if values is not None and not np.isscalar(values) and len(values) != length:
        raise InputError(f"{name} has {len(values)} values but y has {length}; give one {name} per y value.")


def _part_breaks(part, x_ser, keep_rows, length):
    """Break points (subgroup counts) from ``part``: integers, or one label per row."""
    if part is None:
        return []
    if np.isscalar(part):
        part = [part]
    values = list(part)
    is_labels = len(values) == length and any(isinstance(v, str) for v in values) \
        or isinstance(part, pd.Series) and (isinstance(part.dtype, pd.CategoricalDtype)
                                            or pd.api.types.is_string_dtype(part.dtype))
    if is_labels and len(values) == length:
        # one label per input row: reduce to one per distinct x in input order;
        # a new part starts where each new label first appears (qicharts2 0.8.1)
        frame = pd.DataFrame({"x": x_ser, "label": values})[keep_rows]
        per_x = frame.drop_duplicates("x")["label"].reset_index(drop=True)
        first = ~per_x.duplicated()
        return [int(i) for i in np.flatnonzero(first.to_numpy())[1:]]
    if is_labels:
        raise InputError(f"part labels must be given for every row ({length}); got {len(values)}.")
    out = []
    for v in values:
        if not _is_number_like(v) or v is None or float(v) != int(float(v)):
            raise InputError(f"part must be whole numbers (subgroup counts after which a new phase starts) "
                             f"or one label per row; found {v!r}.")
        out.append(int(float(v)))
    return sorted(set(out))


# ---------------------------------------------------------------------------
# result object
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class QicResult:
    """A run or control chart: tidy points, one summary row per facet × part, and settings.

    ``points`` columns: facet, x, part, y, n, y_sum, y_length, cl, lcl, ucl,
    lcl_95, ucl_95, sigma_signal, runs_signal, baseline, include (+ ``point_type``
    and ``mdc_rule`` for method "mdc"). ``summary`` columns: facet, part, n_obs,
    n_useful, longest_run, longest_run_max, n_crossings, n_crossings_min,
    runs_signal, sigma_signal, cl, alcl, aucl (+ rule-set columns for "ihi" and
    "mdc"). ``facet`` is "" when no facet was given.
    """

    points: pd.DataFrame
    summary: pd.DataFrame
    chart: str
    method: str
    multiply: float
    freeze: int | None
    part: tuple
    exclude: tuple
    agg: str
    y_neg: bool
    screened_mr: bool
    direction: str | None
    target: float | None
    x_kind: str
    messages: tuple = ()
    # where each signal sits (for verdicts): row (of points; a run's last point), side
    # (+1 high, -1 low, 0 none), kind (sigma, longest_run, shift, trend, too_many_runs,
    # mdc, or run = every run of useful points), length (runs only), seg (facet x part)
    signals: pd.DataFrame = field(default=None, repr=False)

    @property
    def rule_label(self) -> str:
        """The rule set in words, for captions."""
        return {
            "anhoej": "Anhøj rules (runs analysis) + 3-sigma limits" if self.chart != "run"
            else "Anhøj rules (runs analysis)",
            "bestbox": "Anhøj–Wentzel-Larsen best-box rules",
            "cutbox": "Anhøj–Wentzel-Larsen cut-box rules",
            "ihi": "IHI run-chart rules (shift ≥ 6, trend ≥ 5, runs table)",
            "mdc": "NHS Making Data Count rules",
        }[self.method]

    def _repr_html_(self) -> str:
        title = html.escape(f"{self.chart.upper()} chart · {self.rule_label} · multiply {self.multiply:g}")
        return (f"<div><strong>{title}</strong>"
                f"{self.summary.to_html(index=False, na_rep='–', float_format=lambda v: f'{v:.4g}')}"
                f"<details><summary>{len(self.points)} points</summary>"
                f"{self.points.head(60).to_html(index=False, na_rep='–')}</details></div>")


# ---------------------------------------------------------------------------
# qic
# ---------------------------------------------------------------------------

def qic(y, n=None, x=None, *, chart="run", freeze=None, part=None, exclude=None, multiply=1,
        agg="mean", cl=None, y_neg=True, screened_mr=True, facet=None, method="anhoej",
        direction=None, target=None) -> QicResult:
    """Run chart or Shewhart control chart with runs analysis, as qicharts2 0.8.1 computes it.

    Parameters
    ----------
    y : array-like of float
        Values, counts or numerators, one per row (blank/NaN = missing).
    n : array-like of float, optional
        Denominators (subgroup sizes or exposure), one per row. Rows where y or n
        is missing lose both. With n the plotted value is Σy/Σn per subgroup.
    x : array-like, optional
        Subgroup of each row: numbers, dates (datetime64, date or Period) or text
        (text/categorical = categories: dots only, no runs signal). Default
        1..len(y). Rows with the same x (within a facet) form one subgroup; rows
        with missing x are dropped; subgroups are sorted by x.
    chart : str, default "run"
        One of run, i, mr, xbar, s, t, p, pp, c, u, up, g (and ip, I′).
    freeze : int, optional
        Number of leading subgroups (per facet) forming the baseline for the
        centre line and limits; the runs analysis still covers every point.
        Ignored when ``part`` is given (as in qicharts2).
    part : list of int, or one label per row, optional
        Subgroup counts after which a new phase starts (``[12]`` with 24 points
        gives phases 1–12 and 13–24; values ≤ 0 or ≥ the number of subgroups
        are ignored), or one label per input row (a new phase starts where a
        label first appears; rows must be in x order).
    exclude : list of int, optional
        0-based positions of subgroups (in x order, per facet) left out of the
        centre line, sigma and runs analysis; still plotted, still flagged.
    multiply : float, default 1
        Scale of y, centre line and limits (100 = percent). Applied last.
    agg : {"mean", "median", "sum", "sd"}, default "mean"
        Aggregation of several rows per subgroup when n is not given.
    cl : float or array-like, optional
        Known centre line (scalar or one per row) replacing the computed one.
    y_neg : bool, default True
        False sets negative lower limits to 0 when no y is negative.
    screened_mr : bool, default True
        Nelson (1982) screening of moving ranges (qicharts2 attached with
        ``library()``); False = unscreened (``qicharts2::qic``, NHS MDC Excel).
    facet : array-like, optional
        One label per row; each facet is analysed on its own.
    method : {"anhoej", "ihi", "mdc", "bestbox", "cutbox"}, default "anhoej"
        Rule set for non-random variation (see :mod:`evalkit.spc.rules`).
        "mdc" requires chart "i".
    direction : {"increase", "decrease", "neutral"}, optional
        Direction of improvement; used by "mdc" point labels and kept for
        :func:`verdicts`.
    target : float, optional
        Target in the units of the plotted y (after ``multiply``); used for the
        MDC assurance icon and drawn by the plot.

    Returns
    -------
    QicResult
        ``.points``: facet, x, part (1, 2, …), y (plotted value × multiply), n
        (Σn, NaN without n), y_sum (Σy), y_length (non-missing y), cl, lcl, ucl
        (3 sigma), lcl_95, ucl_95 (2 sigma), sigma_signal (outside the 3-sigma
        limits), runs_signal (per part; for ihi/mdc the points in a shift, trend
        or 2-of-3), baseline, include. ``.summary``: facet, part, n_obs
        (included subgroups), n_useful (included, non-missing, off the centre
        line), longest_run, longest_run_max, n_crossings, n_crossings_min,
        runs_signal (bool), sigma_signal (count), cl (mean centre line), alcl,
        aucl (mean limits). Method "ihi" adds longest_shift, longest_trend,
        n_runs, runs_lower, runs_upper, runs_rule_assessed, shift_signal,
        trend_signal, too_few_runs, too_many_runs; "mdc" adds longest_shift,
        longest_trend, n_common_cause, n_improvement, n_concern, n_neutral,
        variation, assurance (and point_type, mdc_rule on the points).

    Raises
    ------
    InputError
        Unknown chart, method, agg or direction; lengths that differ; values
        that are not numbers; a T chart with a time ≤ 0; method "mdc" on a chart
        other than "i".

    Notes
    -----
    Limits: I chart cl ± 2.66·AMR (Montgomery 6.33, Nelson 1982 screening);
    P p̄ ± 3√(p̄(1−p̄)/n_i); U ū ± 3√(ū/n_i) (Montgomery 7.19); C c̄ ± 3√c̄
    (7.17); Xbar/S with exact c4 (6.29–6.31); P′/U′ Laney 2002; G Montgomery
    p. 319; T on y^(1/3.6). Runs analysis (Anhøj & Olesen 2014): signal when the
    longest run > round(log2 n)+3 or crossings < qbinom(0.05, n−1, 0.5).
    qicharts2 behaviours kept for identical numbers: a multi-row subgroup whose
    y are all missing sums to 0 (C chart count 0); the pooled SD of Xbar/S
    counts an all-missing subgroup as −1 in its denominator; a U point with
    n = 0 and y > 0 is +Inf: no limits, no sigma signal, but a useful point
    above the line; excluded points keep sigma signals; runs signals are not
    shown for MR charts or categorical x; a G chart's line is the median while
    its limits use the mean (0.693·cl when cl is given); a T chart with a user
    cl uses it untransformed on the y^(1/3.6) scale.

    Points exactly on the centre line (not useful for the runs analysis) and
    points exactly on a limit (no sigma signal) are decided by exact
    comparisons, as in qicharts2, so the last bit of every sum and mean
    matters. evalkit computes them as R does on x86-64: ``sum()`` accumulates
    in 80-bit long double row by row; ``mean()`` divides that sum, adds the
    correction Σ(x − mean)/n, then rounds to double; ``sd()`` is R's two-pass
    ``var()``; ``median()`` of an even count is that ``mean()`` of the two
    middle values (subgroup aggregation, centre lines, Σy/Σn, moving-range
    means, pooled SDs). Bit-exact agreement on such ties therefore relies on
    ``np.longdouble`` being the x86-64 80-bit type; on platforms where long
    double is plain double (e.g. Windows, ARM macOS) R itself computes in
    double and ties can fall differently from R on x86-64.

    Example
    -------
    >>> r = qic([3, 5, 4, 6, 5, 7, 6, 8, 7, 9, 8, 10], chart="i")
    >>> s = r.summary.iloc[0]
    >>> int(s["n_useful"]), bool(s["runs_signal"]), int(s["sigma_signal"])
    (12, False, 0)
    """
    # ---- validate switches -------------------------------------------------
    if chart not in CHARTS:
        raise InputError(f"chart {chart!r} is not known; use one of {', '.join(CHARTS)}.")
    if method not in RULES:
        raise InputError(f"method {method!r} is not known; use one of {', '.join(RULES)}.")
    if agg not in _AGGS:
        raise InputError(f"agg {agg!r} is not known; use one of {', '.join(_AGGS)}.")
    if direction is not None and direction not in DIRECTIONS:
        raise InputError(f"direction {direction!r} is not known; use increase, decrease or neutral.")
    if method == "mdc" and chart != "i":
        raise InputError(f"method 'mdc' (Making Data Count) applies to i charts only, not {chart!r}; "
                         "use chart='i' or method 'anhoej' or 'ihi'.")
    if not isinstance(multiply, (int, float, np.integer, np.floating)) or isinstance(multiply, bool) \
            or not np.isfinite(multiply):
        raise InputError(f"multiply must be a finite number (e.g. 100 for percent); got {multiply!r}.")
    if freeze is not None and (not _is_number_like(freeze) or float(freeze) != int(float(freeze))):
        raise InputError(f"freeze must be a whole number of baseline subgroups; got {freeze!r}.")
    if target is not None and not _is_number_like(target):
        raise InputError(f"target must be a number; got {target!r}.")

    yv = _as_numeric(y, "y")
    length = len(yv)
    if length == 0:
        raise InputError("y is empty; give at least one value.")
    for name, v in (("n", n), ("x", x), ("facet", facet)):
        _check_length(v, name, length)
    if cl is not None and not np.isscalar(cl):
        _check_length(cl, "cl", length)
    nv = None if n is None else _as_numeric(n, "n")
    clv = np.full(length, np.nan) if cl is None else (
        np.full(length, float(_as_numeric(cl, "cl")[0])) if np.isscalar(cl) else _as_numeric(cl, "cl"))
    x_ser, x_kind = _x_values(x, length)
    dots_only = x_kind == "category"
    if facet is None:
        f_ser = pd.Series([""] * length, dtype=object)
    else:
        f_ser = facet.reset_index(drop=True) if isinstance(facet, pd.Series) else pd.Series(list(facet))
    ex = []
    for v in ([] if exclude is None else ([exclude] if np.isscalar(exclude) else list(exclude))):
        if not _is_number_like(v) or v is None or float(v) != int(float(v)):
            raise InputError(f"exclude must be 0-based whole-number positions of subgroups; found {v!r}.")
        ex.append(int(float(v)))

    # ---- complete cases, drop missing x / facet -----------------------------
    if nv is not None:
        bad = np.isnan(yv) | np.isnan(nv)
        yv = np.where(bad, np.nan, yv)
        nv = np.where(bad, np.nan, nv)
    keep = (x_ser.notna() & f_ser.notna()).to_numpy()
    breaks = _part_breaks(part, x_ser, keep, length)

    # ---- aggregate rows to subgroups (facet, x), sorted ----------------------
    if isinstance(f_ser.dtype, pd.CategoricalDtype):
        f_codes, f_uniques = pd.factorize(f_ser[keep], sort=True)
    else:
        f_codes, f_uniques = pd.factorize(f_ser[keep].astype(object) if not pd.api.types.is_numeric_dtype(f_ser)
                                          else f_ser[keep], sort=True)
    x_codes, x_uniques = pd.factorize(x_ser[keep], sort=True)
    yk = yv[keep]
    nk = None if nv is None else nv[keep]
    clk = clv[keep]
    nx = max(len(x_uniques), 1)
    key = f_codes.astype(np.int64) * nx + x_codes
    gkeys, gid = np.unique(key, return_inverse=True)
    ng = len(gkeys)
    order = np.argsort(gid, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(gid[order]) != 0])
    first_row = order[starts]
    rows = np.bincount(gid, minlength=ng)
    valid = ~np.isnan(yk)
    y_len = np.bincount(gid[valid], minlength=ng)
    # sums and means as R computes them (long double, rows in input order): the
    # last bit decides whether a point sits exactly on the centre line
    everything = np.ones(len(yk), dtype=bool)
    ysum_skip = _gsum(gid, yk, everything, ng)
    y_sum = np.where((rows > 1) | (y_len > 0), ysum_skip, np.nan)
    y_mean = _gmean(gid, yk, everything, ng)
    y_sd = _gsd(gid, yk, everything, ng)
    if nk is not None:
        n_sum = _gsum(gid, nk, everything, ng)
        with np.errstate(invalid="ignore", divide="ignore"):
            # as qicharts2: 0/0 is NaN (not useful); a count over 0 is +Inf, a useful point above the
            # line without limits (spc-reference u_zero_den_positive_count). Reports never chart such
            # a month: privacy.suppress_small_denominators blanks every denominator below the threshold.
            y_plot = ysum_skip / n_sum
    else:
        n_sum = np.full(ng, np.nan)
        if agg == "mean":
            y_plot = y_mean
        elif agg == "sum":
            y_plot = ysum_skip
        elif agg == "sd":
            y_plot = y_sd
        elif rows.max() == 1:
            y_plot = yk[first_row]
        else:
            y_plot = _gmedian(gid, yk, everything, ng)
    messages = []
    if nk is None and chart in ("run", "i") and (y_len > 1).any():
        messages.append(f"Subgroup size > 1. Data have been aggregated using {agg}().")
    if chart == "t" and (y_plot[~np.isnan(y_plot)] <= 0).any():
        raise InputError("Time between events must be greater than zero: a T chart needs every time "
                         "between events (y) > 0; remove or correct the zero or negative values.")

    # ---- index, parts, baseline, include ------------------------------------
    g_f = gkeys // nx
    f_start = np.flatnonzero(np.r_[True, g_f[1:] != g_f[:-1]])
    f_size = np.diff(np.r_[f_start, ng])
    f_of_g = np.repeat(np.arange(len(f_start)), f_size)
    idx = np.arange(ng) - f_start[f_of_g] + 1
    k_f = f_size[f_of_g]
    part_no = np.ones(ng, dtype=np.int64)
    for b in breaks:  # loop over break points, not over points
        if b > 0:
            part_no += (idx > b) & (b < k_f)
    baseline = np.ones(ng, dtype=bool) if (freeze is None or part is not None) else idx <= int(float(freeze))
    include = ~np.isin(idx - 1, ex)
    segkey = f_of_g.astype(np.int64) * (ng + 1) + part_no
    seg = np.r_[0, np.cumsum(segkey[1:] != segkey[:-1])]
    nseg = int(seg[-1]) + 1
    cl_user = clk[first_row]
    cl_given = np.bincount(seg, weights=np.isnan(cl_user).astype(float), minlength=nseg) == 0

    d = dict(seg=seg, nseg=nseg, y=y_plot, y_sum=y_sum, y_length=y_len, y_mean=y_mean, y_sd=y_sd,
             n=n_sum, base=baseline & include, cl_user=cl_user, cl_given=cl_given,
             screened=bool(screened_mr), dots_only=dots_only)
    y_out, cl_out, lcl, ucl, lcl2, ucl2 = (np.asarray(a, dtype=float) for a in CHARTS[chart](d))

    # ---- runs analysis on unscaled values (as qicharts2) ---------------------
    runs = useful_runs(seg, y_out, cl_out, include, nseg)

    # ---- scale, clean, sigma signal -----------------------------------------
    m = float(multiply)
    y_raw = y_out
    y_out, cl_out, lcl, ucl, lcl2, ucl2 = (a * m for a in (y_out, cl_out, lcl, ucl, lcl2, ucl2))
    lcl, ucl, lcl2, ucl2 = (np.where(np.isfinite(a), a, np.nan) for a in (lcl, ucl, lcl2, ucl2))
    with np.errstate(invalid="ignore"):
        sigma = (y_out > ucl) | (y_out < lcl)

    seg_last_row = np.r_[np.flatnonzero(seg[1:] != seg[:-1]), ng - 1]
    vrow = np.flatnonzero(~np.isnan(y_out))
    seg_last_valid = np.full(nseg, -1)
    seg_last_valid[seg[vrow]] = vrow  # later rows overwrite earlier ones
    ctx = dict(runs=runs, nseg=nseg, seg=seg, y=y_out if method == "mdc" else y_raw,
               cl=cl_out, lcl=lcl, ucl=ucl, lcl_95=lcl2, ucl_95=ucl2, include=include,
               direction=direction, target=None if target is None else float(target),
               seg_last_row=seg_last_row, seg_last_valid_row=seg_last_valid)
    rule = RULES[method](ctx)
    seg_signal = np.asarray(rule.seg_signal, dtype=bool)
    if method in ("anhoej", "bestbox", "cutbox"):
        point_signal = seg_signal[seg]
    else:
        point_signal = np.asarray(rule.point_signal, dtype=bool)
    if dots_only or chart == "mr":
        seg_signal = np.zeros(nseg, dtype=bool)
        point_signal = np.zeros(ng, dtype=bool)
        cand = (np.zeros(0, int), np.zeros(0, int), np.zeros(0), np.zeros(0, dtype=object))
        run_sel = np.zeros(len(runs.run_len), dtype=bool)
    else:
        cand = rule.candidates
        run_sel = np.ones(len(runs.run_len), dtype=bool)

    if not y_neg:
        finite_y = y_out[~np.isnan(y_out)]
        if len(finite_y) == 0 or finite_y.min() >= 0:
            lcl = np.where(lcl < 0, 0.0, lcl)
            lcl2 = np.where(lcl2 < 0, 0.0, lcl2)

    # ---- assemble ----------------------------------------------------------
    facet_labels = np.asarray(f_uniques, dtype=object)[g_f] if len(f_uniques) else np.array([], dtype=object)
    x_out = x_uniques[gkeys % nx] if len(x_uniques) else x_uniques
    points = pd.DataFrame({
        "facet": pd.Series(facet_labels, dtype=object),
        "x": pd.Series(np.asarray(x_out)) if x_kind != "category" else pd.Series(np.asarray(x_out, dtype=object)),
        "part": part_no,
        "y": y_out, "n": n_sum, "y_sum": y_sum, "y_length": y_len,
        "cl": cl_out, "lcl": lcl, "ucl": ucl, "lcl_95": lcl2, "ucl_95": ucl2,
        "sigma_signal": sigma, "runs_signal": point_signal,
        "baseline": baseline, "include": include,
    })
    for name, col in rule.extra_points.items():
        points[name] = pd.Series(col, dtype=object)

    first_of_seg = np.r_[0, seg_last_row[:-1] + 1]
    ok = np.ones(ng, dtype=bool)
    summary = pd.DataFrame({
        "facet": pd.Series(facet_labels[first_of_seg], dtype=object),
        "part": part_no[first_of_seg],
        "n_obs": runs.n_obs,
        "n_useful": runs.n_useful,
        "longest_run": runs.longest,
        "longest_run_max": rule.longest_run_max,
        "n_crossings": runs.n_crossings,
        "n_crossings_min": rule.n_crossings_min,
        "runs_signal": seg_signal,
        "sigma_signal": np.bincount(seg[sigma], minlength=nseg),
        "cl": _gmean(seg, cl_out, ok, nseg),
        "alcl": _gmean(seg, lcl, ok, nseg),
        "aucl": _gmean(seg, ucl, ok, nseg),
    })
    for name, col in rule.extra_summary.items():
        summary[name] = col if np.asarray(col).dtype != object else pd.Series(col, dtype=object)

    # where each signal sits, for verdicts(): rule candidates, sigma points (not for
    # mdc, whose candidates include them) and every run of useful points (kind "run",
    # with its length), from which verdicts() can pick the runs after a baseline
    c_seg, c_row, c_side, c_kind = (np.asarray(a) for a in cand)
    sig_rows = np.flatnonzero(sigma) if method != "mdc" else np.zeros(0, dtype=np.int64)
    r_row, r_side, r_len = runs.run_end[run_sel], runs.run_side[run_sel], runs.run_len[run_sel]
    signals = pd.DataFrame({
        "row": np.r_[c_row.astype(np.int64), sig_rows, r_row.astype(np.int64)],
        "side": np.r_[c_side.astype(float), np.where(y_out[sig_rows] > ucl[sig_rows], 1.0, -1.0),
                      r_side.astype(float)],
        "kind": pd.Series(np.r_[c_kind.astype(object), np.full(len(sig_rows), "sigma", dtype=object),
                                np.full(len(r_row), "run", dtype=object)], dtype=object),
        "length": np.r_[np.full(len(c_row) + len(sig_rows), np.nan), r_len.astype(float)],
    })
    signals["seg"] = seg[signals["row"].to_numpy()] if len(signals) else np.zeros(0, dtype=np.int64)

    return QicResult(
        points=points, summary=summary, chart=chart, method=method, multiply=m,
        freeze=None if freeze is None else int(float(freeze)), part=tuple(breaks), exclude=tuple(ex),
        agg=agg, y_neg=bool(y_neg), screened_mr=bool(screened_mr), direction=direction,
        target=None if target is None else float(target), x_kind=x_kind, messages=tuple(messages),
        signals=signals,
    )
