"""Chart types for :func:`evalkit.spc.qic.qic`: one small function each, looked up in CHARTS.

Each computes, for all segments (facet × part) at once, the plotted value, the
centre line and the 3- and 2-sigma limits exactly as qicharts2 0.8.1's
``qic.<chart>()`` functions do, citing the textbook formula. Internal module.
"""
from __future__ import annotations

import numpy as np

__all__ = ["CHARTS"]


# ---------------------------------------------------------------------------
# grouped arithmetic over contiguous segments 0..nseg-1 (no Python loops)
#
# R on x86-64 accumulates sum() and mean() in 80-bit long double and rounds to
# double once at the end; mean() adds a correction pass, var()/sd() do their
# own two passes. qicharts2 decides "on the centre line" and "outside the
# limits" with exact comparisons, so the last bit matters: every sum and mean
# below is computed the way R computes it, in np.longdouble, adding rows in
# their original order (np.add.at is sequential per index; np.add.reduceat and
# np.sum would sum pairwise, which is not R's order).
# ---------------------------------------------------------------------------

_LD = np.longdouble


def _ldsum(seg, v, nseg):
    """Long-double sum of v per segment, rows added in order (R's rsum before rounding)."""
    acc = np.zeros(nseg, dtype=_LD)
    np.add.at(acc, seg, np.asarray(v, dtype=_LD))
    return acc


def _to_double(v):
    """Round long double to float64 as R's (double) cast does (overflow gives ±Inf)."""
    with np.errstate(over="ignore"):
        return np.asarray(v, dtype=_LD).astype(np.float64)


def _rmean_ld(seg, v, nseg):
    """R's mean() per segment (v without missing values), rounded to double.

    s = Σx/n in long double; if finite, s += Σ(x − s)/n (long double); then
    rounded to double (R summary.c). NaN for an empty segment.
    """
    cnt = np.bincount(seg, minlength=nseg)
    x = np.asarray(v, dtype=_LD)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        mean = _ldsum(seg, x, nseg) / cnt
        fin = np.isfinite(_to_double(mean))
        rows = fin[seg]
        corr = _ldsum(seg[rows], x[rows] - mean[seg[rows]], nseg) / cnt
        mean = np.where(fin, mean + corr, mean)
    return np.where(cnt > 0, _to_double(mean), np.nan)


def _gsum(seg, v, mask, nseg):
    """Sum of v over masked rows per segment, missing values skipped (R sum(na.rm=TRUE))."""
    m = mask & ~np.isnan(v)
    return _to_double(_ldsum(seg[m], v[m], nseg))


def _gmean(seg, v, mask, nseg):
    """Mean of v over masked rows per segment, missing skipped; NaN when none (R mean(na.rm=TRUE))."""
    m = mask & ~np.isnan(v)
    return _rmean_ld(seg[m], v[m], nseg)


def _gsd(seg, v, mask, nseg):
    """Sample SD (k − 1) of v over masked rows per segment, missing skipped; NaN when < 2 values.

    As R's var() (cov.c): the two-pass long-double mean rounded to double, then
    Σ(x − mean)² / (k − 1) in long double, rounded to double; sd = √ in double.
    """
    m = mask & ~np.isnan(v)
    s, x = seg[m], v[m]
    cnt = np.bincount(s, minlength=nseg)
    mean = _rmean_ld(s, x, nseg)
    dev = np.asarray(x, dtype=_LD) - np.asarray(mean[s], dtype=_LD)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        var = _to_double(_ldsum(s, dev * dev, nseg) / (cnt - 1))
        return np.where(cnt >= 2, np.sqrt(var), np.nan)


def _gmedian(seg, v, mask, nseg):
    """Median of v over masked rows per segment, missing skipped; NaN when none.

    As R's median(): the middle value, or R's mean() (long double, two-pass) of
    the two middle values.
    """
    m = mask & ~np.isnan(v)
    s, x = seg[m], v[m]
    out = np.full(nseg, np.nan)
    if len(x) == 0:
        return out
    order = np.lexsort((x, s))
    s, x = s[order], x[order]
    cnt = np.bincount(s, minlength=nseg)
    start = np.r_[0, np.cumsum(cnt)[:-1]]
    has = np.flatnonzero(cnt > 0)
    c = cnt[has]
    lo = start[has] + (c - 1) // 2
    hi = start[has] + c // 2
    a = x[lo].astype(_LD)
    b = x[hi].astype(_LD)
    with np.errstate(invalid="ignore", over="ignore"):
        mid = (a + b) / 2
        fin = np.isfinite(_to_double(mid))
        mid = np.where(fin, mid + ((a - mid) + (b - mid)) / 2, mid)
    out[has] = np.where(lo == hi, x[lo], _to_double(mid))
    return out


def _moving_ranges(seg, v, mask):
    """|differences| of consecutive masked rows within a segment, and their segment."""
    iv = np.flatnonzero(mask)
    a, b = iv[:-1], iv[1:]
    same = seg[a] == seg[b]
    return np.abs(v[b[same]] - v[a[same]]), seg[b[same]]


def _amr(mr, mr_seg, nseg, screened):
    """Average moving range; with ``screened``, MRs not below 3.267·AMR dropped once (Nelson 1982)."""
    ok = np.ones(len(mr), dtype=bool)
    amr = _gmean(mr_seg, mr, ok, nseg)
    if screened:
        with np.errstate(invalid="ignore"):
            keep = mr < 3.267 * amr[mr_seg]
        amr = _gmean(mr_seg, mr, keep, nseg)
    return amr


def _c4(k):
    """c4(k) = √(2/(k−1))·Γ(k/2)/Γ((k−1)/2); NaN for k ≤ 1 (exact, not tabulated)."""
    from scipy.special import gammaln
    k = np.where(k <= 1, np.nan, k.astype(float))
    return np.sqrt(2 / (k - 1)) * np.exp(gammaln(k / 2) - gammaln((k - 1) / 2))


def _a3(k, sigma):
    k = np.where(k <= 1, np.nan, k.astype(float))
    return sigma / (_c4(k) * np.sqrt(k))


def _b3_b4(k, sigma):
    c4 = _c4(k)
    c5 = np.sqrt(1 - c4 ** 2)
    return np.maximum(0, 1 - sigma * c5 / c4), 1 + sigma * c5 / c4


# ---------------------------------------------------------------------------
# chart types: one small function each, looked up in CHARTS
# Each receives the context dict ``d`` and returns y, cl, lcl, ucl, lcl_95, ucl_95.
# ---------------------------------------------------------------------------

def _centre(d, computed_per_seg):
    """Centre line per row: the user's cl where given for the whole segment, else computed."""
    return np.where(d["cl_given"][d["seg"]], d["cl_user"], computed_per_seg[d["seg"]])


def _limits(cl, sd):
    return cl - 3 * sd, cl + 3 * sd, cl - 2 * sd, cl + 2 * sd


def _clip(lims, low=True, high=False):
    """Clip finite limits to [0, 1] as qicharts2 does for p (both) and c/u (low)."""
    out = []
    for i, v in enumerate(lims):
        v = v.copy()
        fin = np.isfinite(v)
        if low and i in (0, 2):
            v[fin & (v < 0)] = 0
        if high and i in (1, 3):
            v[fin & (v > 1)] = 1
        out.append(v)
    return out


def _chart_run(d):
    """Run chart: centre line = median of baseline points (Anhøj 2014)."""
    cl = _centre(d, _gmedian(d["seg"], d["y"], d["base"], d["nseg"]))
    nan = np.full(len(cl), np.nan)
    return d["y"], cl, nan, nan, nan, nan


def _chart_i(d, y=None):
    """I chart: cl ± 3·AMR/1.128 (Montgomery 6.33), MRs of baseline rows, Nelson screening."""
    seg, nseg = d["seg"], d["nseg"]
    y = d["y"] if y is None else y
    cl = _centre(d, _gmean(seg, y, d["base"], nseg))
    mr, mr_seg = _moving_ranges(seg, y - cl, d["base"])
    sd = _amr(mr, mr_seg, nseg, d["screened"])[seg] / 1.128
    return (y, cl, *_limits(cl, sd))


def _chart_mr(d):
    """MR chart: |y_i − y_(i−1)| within the part; ucl = 3.267·mean MR (Montgomery 6.33)."""
    seg, y = d["seg"], d["y"]
    mr = np.full(len(y), np.nan)
    same = seg[1:] == seg[:-1]
    mr[1:][same] = np.abs(y[1:] - y[:-1])[same]
    cl = _centre(d, _gmean(seg, mr, d["base"], d["nseg"]))
    zero = np.zeros(len(y))
    return mr, cl, zero, 3.267 * cl, zero.copy(), (3.267 / 3) * 2 * cl


def _pooled_sd(d):
    """Montgomery 6.31 pooled SD, or mean SD (6.29) when subgroup sizes are constant.

    qicharts2 quirk kept: the pooled denominator Σ(k−1) also counts all-missing
    subgroups (k = 0 contributes −1).
    """
    seg, nseg, base, k, sd = d["seg"], d["nseg"], d["base"], d["y_length"], d["y_sd"]
    kmin = np.full(nseg, np.inf)
    kmax = np.full(nseg, -np.inf)
    np.minimum.at(kmin, seg, k)
    np.maximum.at(kmax, seg, k)
    var_n = kmin != kmax
    num = _gsum(seg, (k - 1) * sd ** 2, base, nseg)
    den = np.bincount(seg[base], weights=(k - 1)[base], minlength=nseg)
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = np.sqrt(num / den)
    return np.where(var_n, pooled, _gmean(seg, sd, base, nseg))


def _chart_xbar(d):
    """Xbar chart: grand mean ± A3(k)·s (Montgomery 6.29–6.31, exact c4)."""
    seg, nseg, base, k = d["seg"], d["nseg"], d["base"], d["y_length"]
    num = _gsum(seg, k * d["y_mean"], base, nseg)
    den = _gsum(seg, k.astype(float), base, nseg)
    with np.errstate(invalid="ignore", divide="ignore"):
        cl = _centre(d, num / den)
    s = _pooled_sd(d)[seg]
    a3, a2 = _a3(k, 3), _a3(k, 2)
    return d["y"], cl, cl - a3 * s, cl + a3 * s, cl - a2 * s, cl + a2 * s


def _chart_s(d):
    """S chart: cl = s̄ (or pooled s); limits B3·cl, B4·cl (Montgomery 6.29–6.31)."""
    k = d["y_length"]
    cl = _centre(d, _pooled_sd(d))
    b3, b4 = _b3_b4(k, 3)
    b3_2, b4_2 = _b3_b4(k, 2)
    return d["y_sd"], cl, b3 * cl, b4 * cl, b3_2 * cl, b4_2 * cl


def _chart_t(d):
    """T chart: I chart of y^(1/3.6), back-transformed (Provost & Murray 2011)."""
    with np.errstate(invalid="ignore"):
        yt = d["y"] ** (1 / 3.6)
        y, cl, lcl, ucl, lcl2, ucl2 = _chart_i(d, y=yt)
        y, cl, ucl, ucl2 = y ** 3.6, cl ** 3.6, ucl ** 3.6, ucl2 ** 3.6
        lcl, lcl2 = np.power(lcl, 3.6), np.power(lcl2, 3.6)
    lcl = np.where((lcl < 0) | np.isnan(lcl), 0.0, lcl)
    return y, cl, lcl, ucl, lcl2, ucl2


def _ratio_cl(d):
    seg, nseg, base = d["seg"], d["nseg"], d["base"]
    with np.errstate(invalid="ignore", divide="ignore"):
        return _centre(d, _gsum(seg, d["y_sum"], base, nseg) / _gsum(seg, d["n"], base, nseg))


def _laney_sigma_z(d, cl, sd):
    """Laney 2002 σz: AMR of z-scores /1.128 (screened like the I chart), or SD(z) for categorical x."""
    seg, nseg, base = d["seg"], d["nseg"], d["base"]
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (d["y"] - cl) / sd
    if d["dots_only"]:
        # R sd() without na.rm: any missing z makes the SD (and every limit) missing
        bad = np.bincount(seg[base], weights=np.isnan(z[base]).astype(float), minlength=nseg) > 0
        return np.where(bad, np.nan, _gsd(seg, z, base, nseg))[seg]
    mr, mr_seg = _moving_ranges(seg, z, base)
    return (_amr(mr, mr_seg, nseg, d["screened"]) / 1.128)[seg]


def _chart_p(d):
    """P chart: p̄ ± 3·√(p̄(1−p̄)/n_i) (Montgomery 7.8), clipped to [0, 1]."""
    cl = _ratio_cl(d)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(cl * (1 - cl) / d["n"])
    return (d["y"], cl, *_clip(_limits(cl, sd), low=True, high=True))


def _chart_pp(d):
    """P′ chart (Laney 2002): p̄ ± 3·σ_i·σz, clipped to [0, 1]."""
    cl = _ratio_cl(d)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(cl * (1 - cl) / d["n"])
    sd = sd * _laney_sigma_z(d, cl, sd)
    return (d["y"], cl, *_clip(_limits(cl, sd), low=True, high=True))


def _chart_c(d):
    """C chart: c̄ ± 3·√c̄ (Montgomery 7.17), lcl clipped at 0; y = subgroup sum."""
    y = d["y_sum"]
    cl = _centre(d, _gmean(d["seg"], y, d["base"], d["nseg"]))
    with np.errstate(invalid="ignore"):
        sd = np.sqrt(cl)
    return (y, cl, *_clip(_limits(cl, sd), low=True))


def _chart_u(d):
    """U chart: ū ± 3·√(ū/n_i) (Montgomery 7.19), lcl clipped at 0."""
    cl = _ratio_cl(d)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(cl / d["n"])
    return (d["y"], cl, *_clip(_limits(cl, sd), low=True))


def _chart_up(d):
    """U′ chart (Laney 2002): ū ± 3·σ_i·σz, lcl clipped at 0."""
    cl = _ratio_cl(d)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(cl / d["n"])
    sd = sd * _laney_sigma_z(d, cl, sd)
    return (d["y"], cl, *_clip(_limits(cl, sd), low=True))


def _chart_g(d):
    """G chart: limits ȳ ± 3·√(ȳ(ȳ+1)) (Montgomery p. 319), lcl ≥ 0; line = median (or 0.693·cl)."""
    seg, nseg, base, y = d["seg"], d["nseg"], d["base"], d["y"]
    mean = _centre(d, _gmean(seg, y, base, nseg))
    with np.errstate(invalid="ignore"):
        sd = np.sqrt(mean * (mean + 1))
        lims = list(_limits(mean, sd))
        for i in (0, 2):
            lims[i] = np.where(lims[i] < 0, 0.0, lims[i])
    cl = np.where(d["cl_given"][seg], 0.693 * d["cl_user"], _gmedian(seg, y, base, nseg)[seg])
    return (y, cl, *lims)


def _chart_ip(d):
    """I′ chart (Taylor; qicharts2 ≥ 0.8.0): cl = Σy·n/Σn, σ_i = mean(s)·√(1/n_i)."""
    seg, nseg, base, y = d["seg"], d["nseg"], d["base"], d["y"]
    n = d["n"].copy()
    all_na = np.bincount(seg, weights=(~np.isnan(n)).astype(float), minlength=nseg) == 0
    n = np.where(all_na[seg], d["y_length"].astype(float), n)
    with np.errstate(invalid="ignore", divide="ignore"):
        cl = _centre(d, _gsum(seg, y * n, base, nseg) / _gsum(seg, n, base, nseg))
        same = seg[1:] == seg[:-1]
        s = np.sqrt(np.pi / 2) * np.abs(y[1:] - y[:-1]) / np.sqrt(1 / n[:-1] + 1 / n[1:])
        s, s_seg = s[same], seg[1:][same]
        ok = np.ones(len(s), dtype=bool)
        mean_s = _gmean(s_seg, s, ok, nseg)
        if d["screened"]:
            mean_s = _gmean(s_seg, s, s < 3.2665 * mean_s[s_seg], nseg)
        sd = mean_s[seg] * np.sqrt(1 / n)
    return (y, cl, *_limits(cl, sd))


CHARTS = {
    "run": _chart_run,   # Anhøj & Olesen 2014 (median)
    "i": _chart_i,       # Montgomery 6.33; Nelson 1982 screening
    "mr": _chart_mr,     # Montgomery 6.33
    "xbar": _chart_xbar,  # Montgomery 6.29-6.31
    "s": _chart_s,       # Montgomery 6.29-6.31
    "t": _chart_t,       # Provost & Murray 2011, y^(1/3.6)
    "p": _chart_p,       # Montgomery 7.8
    "pp": _chart_pp,     # Laney 2002
    "c": _chart_c,       # Montgomery 7.17
    "u": _chart_u,       # Montgomery 7.19
    "up": _chart_up,     # Laney 2002
    "g": _chart_g,       # Montgomery p. 319
    "ip": _chart_ip,     # qicharts2 0.8.0 I-prime
}
