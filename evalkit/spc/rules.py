"""Rule sets for run charts and control charts, vectorised over chart segments.

A *segment* is one facet × part of a chart: an independent series with its own
centre line. Every function here takes flat numpy arrays holding all segments
one after another (``seg`` = segment number per row, non-decreasing) so that
10,000 series cost little more than one.

Rule sets are looked up by name in :data:`RULE_SETS` (the one list of them); each cites its source:

- ``anhoej`` — Anhøj & Olesen 2014 (PLoS ONE 9:e113825), exactly as qicharts2
  0.8.1 ``runs.analysis()``: longest run > round(log2(n)) + 3 (Schilling 2012)
  or crossings < qbinom(0.05, n − 1, 0.5) (Chen 2010).
- ``bestbox`` / ``cutbox`` — Anhøj & Wentzel-Larsen 2020 (PLoS ONE
  15:e0233920), the table in qicharts2 ``crsignal()`` for 10–100 useful points.
- ``ihi`` — Perla, Provost & Murray 2011 (BMJ Qual Saf 20:46–51): shift ≥ 6,
  trend ≥ 5, too few / too many runs (their Table 1, 10–60 useful points).
- ``mdc`` — NHS England "Making Data Count" as coded in NHSRplotthedots 0.2.2:
  outside the limits, trend of 7, two of three near a limit, shift of 7.

The public entry point is :func:`evalkit.spc.qic`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.stats import binom

__all__ = ["RULE_SETS", "RULES", "RuleSet", "RuleOutput", "DIRECTIONS"]


# --------------------------------------------------------------------------
# small grouped helpers (segments are contiguous and numbered 0..nseg-1)
# --------------------------------------------------------------------------

def _seg_max(values: np.ndarray, groups: np.ndarray, nseg: int, fill=np.nan) -> np.ndarray:
    """Maximum of ``values`` per group (groups sorted ascending); ``fill`` where empty."""
    out = np.full(nseg, fill, dtype=float)
    if len(values) == 0:
        return out
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    out[groups[starts]] = np.maximum.reduceat(values.astype(float), starts)
    return out


def _spans_mask(n: int, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Boolean mask of length n, True on every row in [start, end] of any span."""
    marks = np.zeros(n + 1, dtype=np.int64)
    np.add.at(marks, starts, 1)
    np.add.at(marks, ends + 1, -1)
    return np.cumsum(marks[:-1]) > 0


@dataclass(frozen=True)
class _Runs:
    """Runs of useful observations (points off the centre line), all segments."""

    n_obs: np.ndarray        # included rows per segment (missing y counted)
    n_useful: np.ndarray     # included, non-missing, off-centre rows per segment
    longest: np.ndarray      # longest run per segment (NaN when n_useful == 0)
    n_crossings: np.ndarray  # runs − 1 per segment (NaN when n_useful == 0)
    run_seg: np.ndarray      # per run: segment
    run_side: np.ndarray     # per run: +1 above / −1 below
    run_len: np.ndarray      # per run: number of useful points
    run_start: np.ndarray    # per run: row of its first point
    run_end: np.ndarray      # per run: row of its last point


def useful_runs(seg, y, cl, include, nseg) -> _Runs:
    """Split each segment's useful observations into runs (qicharts2 ``runs.analysis``).

    Useful = included, y not missing, y − cl ≠ 0 exactly (no tolerance). A y of
    +Inf is useful and above. Points on the line neither break nor extend a run.
    """
    with np.errstate(invalid="ignore"):
        side = np.sign(y - cl)
    useful = include & (side != 0) & ~np.isnan(side)
    iu = np.flatnonzero(useful)
    s = side[iu]
    g = seg[iu]
    n_obs = np.bincount(seg[include], minlength=nseg)
    n_useful = np.bincount(g, minlength=nseg)
    if len(iu):
        new = np.r_[True, (s[1:] != s[:-1]) | (g[1:] != g[:-1])]
        starts = np.flatnonzero(new)
        ends = np.r_[starts[1:] - 1, len(iu) - 1]
        run_len = ends - starts + 1
        run_seg = g[starts]
        n_runs = np.bincount(run_seg, minlength=nseg)
        longest = _seg_max(run_len, run_seg, nseg)
        run_side, run_start, run_end = s[starts], iu[starts], iu[ends]
    else:
        run_len = run_seg = run_start = run_end = np.zeros(0, dtype=np.int64)
        run_side = np.zeros(0)
        n_runs = np.zeros(nseg, dtype=np.int64)
        longest = np.full(nseg, np.nan)
    has = n_useful > 0
    crossings = np.where(has, np.maximum(n_runs - 1, 0), np.nan).astype(float)
    longest = np.where(has, longest, np.nan)
    return _Runs(n_obs, n_useful, longest, crossings, run_seg, run_side, run_len, run_start, run_end)


@lru_cache(maxsize=64)
def _crossings_min_table(m_max: int) -> np.ndarray:
    """qbinom(0.05, m − 1, 0.5) for m = 0..m_max (Chen 2010): smallest c with P(X ≤ c) ≥ 0.05."""
    out = np.zeros(m_max + 1)
    for m in range(1, m_max + 1):
        out[m] = binom.ppf(0.05, m - 1, 0.5)
    out[0] = np.nan
    return out


def anhoej_limits(n_useful: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Upper limit of the longest run and lower limit of crossings (qicharts2 0.8.1).

    longest.run.max = round(log2(m)) + 3 (Schilling 2012; log2 of an integer is
    never x.5, so rounding ties cannot occur); n.crossings.min = qbinom(0.05,
    m − 1, 0.5) (Chen 2010). Both NaN when m = 0.
    """
    m = np.asarray(n_useful)
    has = m > 0
    with np.errstate(divide="ignore"):
        lmax = np.where(has, np.round(np.log2(np.where(has, m, 1))) + 3, np.nan)
    table = _crossings_min_table(int(m.max()) if len(m) else 0)
    cmin = np.where(has, table[m], np.nan)
    return lmax, cmin


@dataclass(frozen=True)
class RuleOutput:
    """What a rule set adds to a chart.

    ``seg_signal`` (per segment) and ``point_signal`` (per row) feed the contract
    columns ``runs_signal``; ``longest_run_max`` / ``n_crossings_min`` replace
    Anhøj's limits in the summary; ``extra_summary`` / ``extra_points`` are
    appended columns; ``candidates`` are (segment, row, side, kind) arrays
    locating each signal for the plain-language verdict (row = last point of a
    run or trend; side +1 high, −1 low, 0 none; kind "longest_run" (Anhøj,
    box, IHI too few runs: the latest of the longest runs), "shift", "trend",
    "too_many_runs" (IHI) or "mdc" (a Making Data Count special-cause point)).
    """

    seg_signal: np.ndarray
    point_signal: np.ndarray
    longest_run_max: np.ndarray
    n_crossings_min: np.ndarray
    extra_summary: dict
    extra_points: dict
    candidates: tuple


def _kinds(n: int, kind: str) -> np.ndarray:
    return np.full(n, kind, dtype=object)


def _latest_longest_run(r: _Runs, seg_signal: np.ndarray, nseg: int):
    """Per signalling segment: the most recent of its longest runs (segment, row, side)."""
    if len(r.run_len) == 0:
        return np.zeros(0, int), np.zeros(0, int), np.zeros(0)
    is_longest = r.run_len == r.longest[r.run_seg]
    keep = is_longest & seg_signal[r.run_seg]
    idx = np.flatnonzero(keep)
    # last qualifying run in each segment (runs are in row order)
    segs = r.run_seg[idx]
    last = np.r_[segs[1:] != segs[:-1], True] if len(idx) else np.zeros(0, bool)
    idx = idx[last]
    return r.run_seg[idx], r.run_end[idx], r.run_side[idx]


# --------------------------------------------------------------------------
# Anhøj rules (qicharts2 default) and the experimental best box / cut box
# --------------------------------------------------------------------------

def _rule_anhoej(ctx) -> RuleOutput:
    """Anhøj & Olesen 2014: longest run > round(log2 n)+3 or crossings < qbinom(.05, n−1, .5)."""
    r, nseg = ctx["runs"], ctx["nseg"]
    lmax, cmin = anhoej_limits(r.n_useful)
    with np.errstate(invalid="ignore"):
        sig = (r.n_useful > 0) & ((r.longest > lmax) | (r.n_crossings < cmin))
    cs, cr, cd = _latest_longest_run(r, sig, nseg)
    return RuleOutput(sig, sig[ctx["seg"]], lmax, cmin, {}, {},
                      (cs, cr, cd, _kinds(len(cs), "longest_run")))


# qicharts2 crsignal() table (Anhøj & Wentzel-Larsen 2020), n = 10..100.
_BOX_CB = [2, 3, 3, 3, 3, 4, 5, 5, 5, 5, 6, 7, 6, 6, 6, 6, 9, 9, 9, 10, 11, 11, 11, 11, 11, 12,
           13, 14, 13, 15, 15, 15, 14, 14, 17, 17, 17, 17, 19, 19, 19, 19, 19, 21, 21, 21, 21, 23,
           23, 23, 23, 23, 25, 25, 26, 26, 27, 27, 27, 28, 29, 29, 29, 30, 30, 31, 31, 31, 32, 33,
           33, 33, 34, 33, 35, 35, 35, 35, 37, 37, 38, 37, 39, 39, 39, 39, 39, 41, 41, 42, 41]
_BOX_LB = [6, 7, 6, 6, 6, 7, 8, 7, 7, 7, 7, 8, 7, 7, 7, 7, 9, 8, 8, 8, 10, 9, 8, 8, 8, 8,
           9, 10, 8, 11, 9, 9, 8, 8, 10, 9, 9, 9, 12, 10, 9, 9, 9, 11, 10, 9, 9, 12, 10, 10, 9, 9,
           11, 10, 11, 10, 12, 10, 10, 11, 14, 11, 10, 11, 10, 12, 11, 10, 11, 13, 11, 10, 11, 10,
           11, 11, 10, 10, 12, 11, 12, 10, 13, 11, 11, 10, 10, 12, 11, 12, 10]
_NA = np.nan
_BOX_CBORD = [3, 4, _NA, _NA, _NA, 6, 6, _NA, 6, 6, _NA, _NA, 7, 7, 7, _NA, 10, 10, 11, _NA, 12, 14,
              _NA, 12, 13, _NA, 15, _NA, _NA, _NA, _NA, 17, _NA, _NA, _NA, _NA, 19, 20, 20, 21, _NA,
              21, 21, 23, 23, _NA, 23, 25, 24, 26, _NA, 24, 27, 27, 27, 27, 29, _NA, 29, 29, 30, 31,
              30, 31, _NA, 32, 34, 33, 33, 37, 35, _NA, 36, 36, _NA, 38, 36, 38, 38, 39, _NA, 39, 41,
              40, 42, _NA, 41, 42, 44, 43, 42]
_BOX_LBORD = [5, 6, _NA, _NA, _NA, 6, 7, _NA, 6, 5, _NA, _NA, 6, 6, 6, _NA, 7, 7, 7, _NA, 9, 8, _NA,
              7, 7, _NA, 8, _NA, _NA, _NA, _NA, 8, _NA, _NA, _NA, _NA, 8, 7, 11, 9, _NA, 8, 7, 9, 8,
              _NA, 8, 11, 9, 8, _NA, 8, 9, 9, 10, 9, 10, _NA, 8, 8, 13, 9, 9, 10, _NA, 9, 8, 9, 8, 11,
              9, _NA, 10, 7, _NA, 8, 9, 8, 10, 9, _NA, 9, 12, 10, 8, _NA, 8, 9, 9, 10, 9]


def _box_lookup(values, m):
    arr = np.full(101, np.nan)
    arr[10:101] = values
    return arr[np.clip(m, 0, 100)]


def _rule_box(ctx, cut: bool) -> RuleOutput:
    """Best box / cut box (Anhøj & Wentzel-Larsen 2020); Anhøj rule outside 10 ≤ n ≤ 100."""
    r, nseg = ctx["runs"], ctx["nseg"]
    lmax, cmin = anhoej_limits(r.n_useful)
    m = r.n_useful
    c, l = r.n_crossings, r.longest
    with np.errstate(invalid="ignore"):
        anh = (m > 0) & ((l > lmax) | (c < cmin))
        cb, lb = _box_lookup(_BOX_CB, m), _box_lookup(_BOX_LB, m)
        box = ~((c >= cb) & (l <= lb))
        if cut:
            cbord, lbord = _box_lookup(_BOX_CBORD, m), _box_lookup(_BOX_LBORD, m)
            ok = ((c >= cb + 1) & (l <= lb - 1)) | ((c == cb) & (l <= lbord)) | ((c >= cbord) & (l <= lb))
            box = np.where(np.isnan(cbord), box, ~ok)
    in_table = (m >= 10) & (m <= 100)
    sig = np.where(in_table, box, anh) & (m > 0)
    cs, cr, cd = _latest_longest_run(r, sig, nseg)
    return RuleOutput(sig, sig[ctx["seg"]], lmax, cmin, {}, {},
                      (cs, cr, cd, _kinds(len(cs), "longest_run")))


# --------------------------------------------------------------------------
# IHI run-chart rules (Perla, Provost & Murray 2011)
# --------------------------------------------------------------------------

# Perla RJ, Provost LP, Murray SK. BMJ Qual Saf 2011;20:46-51, Table 1:
# lower and upper limits for the number of runs, by number of useful
# observations (points not on the median), 10..60.
IHI_RUNS_TABLE = {
    10: (3, 9), 11: (3, 10), 12: (3, 11), 13: (4, 11), 14: (4, 12), 15: (5, 12),
    16: (5, 13), 17: (5, 13), 18: (6, 14), 19: (6, 15), 20: (6, 16), 21: (7, 16),
    22: (7, 17), 23: (7, 17), 24: (8, 18), 25: (8, 18), 26: (9, 19), 27: (10, 19),
    28: (10, 20), 29: (10, 20), 30: (11, 21), 31: (11, 22), 32: (11, 23), 33: (12, 23),
    34: (12, 24), 35: (13, 24), 36: (13, 25), 37: (13, 25), 38: (14, 26), 39: (14, 26),
    40: (15, 27), 41: (15, 27), 42: (16, 28), 43: (16, 28), 44: (17, 29), 45: (17, 30),
    46: (17, 31), 47: (18, 31), 48: (18, 32), 49: (19, 32), 50: (19, 33), 51: (20, 33),
    52: (20, 34), 53: (21, 34), 54: (21, 35), 55: (22, 35), 56: (22, 36), 57: (23, 36),
    58: (23, 37), 59: (24, 38), 60: (24, 38),
}
IHI_SHIFT = 6   # six or more consecutive points on one side of the median
IHI_TREND = 5   # five or more consecutive points all going up or all going down


def _monotone_runs(seg, y, valid, drop_ties: bool):
    """Runs of consecutive rising (+1) or falling (−1) steps among valid rows.

    With ``drop_ties`` (IHI) equal neighbours are skipped: they neither make nor
    break a run. Without it (MDC) an equal pair breaks the run.
    Returns per run: segment, direction, number of points, first row, last row.
    """
    iv = np.flatnonzero(valid)
    if len(iv) < 2:
        z = np.zeros(0, dtype=np.int64)
        return z, np.zeros(0), z, z, z
    same = seg[iv[1:]] == seg[iv[:-1]]
    d = np.sign(y[iv[1:]] - y[iv[:-1]])
    a, b = iv[:-1], iv[1:]
    if drop_ties:
        keep = same & (d != 0)
        # a tie still links the steps on either side of it
        d, a, b = d[keep], a[keep], b[keep]
        # two kept steps are consecutive if no segment break lies between them
        gs = seg[a]
        link = np.r_[False, (d[1:] == d[:-1]) & (gs[1:] == gs[:-1])]
    else:
        d, a, b = d[same], a[same], b[same]
        gs = seg[a]
        link = np.r_[False, (d[1:] == d[:-1]) & (d[1:] != 0) & (a[1:] == b[:-1])]
        keep0 = d != 0
    starts = np.flatnonzero(~link)
    ends = np.r_[starts[1:] - 1, len(d) - 1]
    if not drop_ties:
        ok = keep0[starts]
        starts, ends = starts[ok], ends[ok]
    steps = ends - starts + 1
    return gs[starts], d[starts], steps + 1, a[starts], b[ends]


def _rule_ihi(ctx) -> RuleOutput:
    """Perla, Provost & Murray 2011: shift ≥ 6, trend ≥ 5, too few/many runs (Table 1)."""
    r, nseg, seg, y = ctx["runs"], ctx["nseg"], ctx["seg"], ctx["y"]
    n = len(seg)
    longest_shift = r.longest
    shift_sig = np.nan_to_num(longest_shift) >= IHI_SHIFT
    valid = ctx["include"] & np.isfinite(y)
    t_seg, t_dir, t_pts, t_start, t_end = _monotone_runs(seg, y, valid, drop_ties=True)
    longest_trend = _seg_max(t_pts, t_seg, nseg, fill=np.nan)
    has_points = np.bincount(seg[valid], minlength=nseg) > 0
    longest_trend = np.where(np.isnan(longest_trend) & has_points, 1.0, longest_trend)
    trend_sig = np.nan_to_num(longest_trend) >= IHI_TREND
    n_runs = r.n_crossings + 1
    m = r.n_useful
    lower = np.array([IHI_RUNS_TABLE.get(int(k), (np.nan, np.nan))[0] for k in range(61)] + [np.nan])
    upper = np.array([IHI_RUNS_TABLE.get(int(k), (np.nan, np.nan))[1] for k in range(61)] + [np.nan])
    mm = np.clip(m, 0, 61)
    lo, up = lower[mm], upper[mm]
    assessed = ~np.isnan(lo)
    with np.errstate(invalid="ignore"):
        few = assessed & (n_runs < lo)
        many = assessed & (n_runs > up)
    sig = shift_sig | trend_sig | few | many
    # points that belong to a shift or a trend (from first to last point)
    sh = r.run_len >= IHI_SHIFT
    tr = t_pts >= IHI_TREND
    pts = _spans_mask(n, np.r_[r.run_start[sh], t_start[tr]], np.r_[r.run_end[sh], t_end[tr]])
    # verdict candidates: every shift and trend, plus "too many runs" (no direction)
    c_seg = np.r_[r.run_seg[sh], t_seg[tr]]
    c_row = np.r_[r.run_end[sh], t_end[tr]]
    c_side = np.r_[r.run_side[sh], t_dir[tr]].astype(float)
    fs, fr, fsd = _latest_longest_run(r, few & ~shift_sig & ~trend_sig, nseg)
    many_only = np.flatnonzero(many & ~shift_sig & ~trend_sig & ~few)
    last_row = ctx["seg_last_row"]
    c_seg = np.r_[c_seg, fs, many_only]
    c_row = np.r_[c_row, fr, last_row[many_only]]
    c_side = np.r_[c_side, fsd, np.zeros(len(many_only))]
    c_kind = np.r_[_kinds(int(sh.sum()), "shift"), _kinds(int(tr.sum()), "trend"),
                   _kinds(len(fs), "longest_run"), _kinds(len(many_only), "too_many_runs")]
    extra = {
        "longest_shift": longest_shift,
        "longest_trend": longest_trend,
        "n_runs": n_runs,
        "runs_lower": lo,
        "runs_upper": up,
        "runs_rule_assessed": assessed,
        "shift_signal": shift_sig,
        "trend_signal": trend_sig,
        "too_few_runs": few,
        "too_many_runs": many,
    }
    lmax = np.where(m > 0, float(IHI_SHIFT - 1), np.nan)
    return RuleOutput(sig, pts & ctx["include"], lmax, lo - 1, extra, {},
                      (c_seg, c_row, c_side, c_kind))


# --------------------------------------------------------------------------
# NHS Making Data Count (NHSRplotthedots 0.2.2), XmR charts only
# --------------------------------------------------------------------------

MDC_TREND = 7   # seven points each strictly higher (lower) than the previous one
MDC_SHIFT = 7   # seven or more points on the same side of the mean
#: Directions of improvement a measure can have, and the sign each gives a shift.
DIRECTIONS = {"increase": 1, "decrease": -1, "neutral": 0}


def _rule_mdc(ctx) -> RuleOutput:
    """NHS Making Data Count: outside limits, trend of 7, 2 of 3 near a limit, shift of 7."""
    seg, nseg, y, cl = ctx["seg"], ctx["nseg"], ctx["y"], ctx["cl"]
    lcl, ucl, lcl95, ucl95 = ctx["lcl"], ctx["ucl"], ctx["lcl_95"], ctx["ucl_95"]
    n = len(seg)
    valid = ctx["include"] & np.isfinite(y)
    with np.errstate(invalid="ignore"):
        side = np.where(valid, np.sign(y - cl), np.nan)
        outside = (y > ucl) | (y < lcl)
        near = valid & ~outside & (((y > ucl95) & (y <= ucl)) | ((y < lcl95) & (y >= lcl)))
    # rule 2: trend of 7 (an equal pair breaks it)
    t_seg, t_dir, t_pts, t_start, t_end = _monotone_runs(seg, y, valid, drop_ties=False)
    tr = t_pts >= MDC_TREND
    trend = _spans_mask(n, t_start[tr], t_end[tr])
    trend_dir = np.zeros(n)
    for s_, e_, d_ in zip(t_start[tr], t_end[tr], t_dir[tr]):  # few spans; not per point
        trend_dir[s_:e_ + 1] = d_
    # rule 3: two of three near a limit, all three on the same side of the mean
    iv = np.flatnonzero(valid)
    two3 = np.zeros(n, dtype=bool)
    if len(iv) >= 3:
        a, b, c = iv[:-2], iv[1:-1], iv[2:]
        same_seg = (seg[a] == seg[c])
        same_side = (side[a] == side[b]) & (side[b] == side[c]) & (side[a] != 0)
        k = near[a].astype(int) + near[b] + near[c]
        win = same_seg & same_side & (k >= 2)
        for rows in (a[win], b[win], c[win]):
            two3[rows[near[rows]]] = True
    # rule 4: shift of 7 (a point on the mean breaks it)
    sv = side[iv]
    gv = seg[iv]
    if len(iv):
        new = np.r_[True, (sv[1:] != sv[:-1]) | (gv[1:] != gv[:-1])]
        st = np.flatnonzero(new)
        en = np.r_[st[1:] - 1, len(iv) - 1]
        ln = en - st + 1
        ok = (ln >= MDC_SHIFT) & (sv[st] != 0)
        shift = _spans_mask(n, iv[st[ok]], iv[en[ok]])
        shift_len = np.where(sv[st] != 0, ln, 0)
        longest_shift = _seg_max(shift_len, gv[st], nseg, fill=np.nan)
    else:
        shift = np.zeros(n, dtype=bool)
        longest_shift = np.full(nseg, np.nan)
    longest_trend = _seg_max(t_pts, t_seg, nseg, fill=np.nan)
    has_points = np.bincount(seg[valid], minlength=nseg) > 0
    longest_trend = np.where(np.isnan(longest_trend) & has_points, 1.0, longest_trend)
    # label precedence: outside > trend > two of three > shift
    with np.errstate(invalid="ignore"):
        pside = np.sign(y - cl)
    rule = np.full(n, "", dtype=object)
    rule[shift] = "shift"
    rule[two3] = "two_of_three"
    rule[trend] = "trend"
    rule[outside] = "outside_limits"
    label_side = np.where(trend & ~outside, trend_dir, pside)
    special = outside | trend | two3 | shift
    d = DIRECTIONS[ctx["direction"] or "neutral"]
    ptype = np.full(n, "common_cause", dtype=object)
    if d == 0:
        ptype[special & (label_side > 0)] = "special_cause_neutral_high"
        ptype[special & (label_side < 0)] = "special_cause_neutral_low"
    else:
        ptype[special & (label_side == d)] = "special_cause_improvement"
        ptype[special & (label_side == -d)] = "special_cause_concern"
    ptype[np.isnan(y)] = None
    rule[np.isnan(y)] = ""
    runs_pts = trend | two3 | shift
    seg_sig = np.bincount(seg[runs_pts], minlength=nseg) > 0

    def count(kind):
        return np.bincount(seg[ptype == kind], minlength=nseg)

    n_neutral = count("special_cause_neutral_high") + count("special_cause_neutral_low")
    # variation icon of the last non-missing point of each segment
    last = ctx["seg_last_valid_row"]
    variation = np.full(nseg, None, dtype=object)
    ok = np.flatnonzero(last >= 0)
    rows = last[ok]
    t = ptype[rows].astype(str)
    hl = np.where(label_side[rows] > 0, "high", "low")
    variation[ok] = np.select(
        [t == "common_cause", t == "special_cause_improvement", t == "special_cause_concern",
         t == "special_cause_neutral_high", t == "special_cause_neutral_low"],
        [np.full(len(rows), "common_cause"), np.char.add("improvement_", hl), np.char.add("concern_", hl),
         np.full(len(rows), "neutral_high"), np.full(len(rows), "neutral_low")],
        default="").astype(object)
    assurance = np.full(nseg, None, dtype=object)
    target = ctx["target"]
    if target is not None and d != 0:
        lrow = ctx["seg_last_row"]
        u, l_ = ucl[lrow], lcl[lrow]
        above, below = target > u, target < l_
        known = ~np.isnan(u) | ~np.isnan(l_)
        assurance[:] = np.where(known, "hit_and_miss", None)
        assurance[above] = "consistently_fail" if d == 1 else "consistently_pass"
        assurance[below] = "consistently_pass" if d == 1 else "consistently_fail"
    cand = np.flatnonzero(special & ~np.isnan(y))
    c_side = label_side[cand].astype(float)
    extra = {
        "longest_shift": longest_shift,
        "longest_trend": longest_trend,
        "n_common_cause": count("common_cause"),
        "n_improvement": count("special_cause_improvement"),
        "n_concern": count("special_cause_concern"),
        "n_neutral": n_neutral,
        "variation": variation,
        "assurance": assurance,
    }
    nan = np.full(nseg, np.nan)
    return RuleOutput(seg_sig, runs_pts, nan, nan, extra,
                      {"point_type": ptype, "mdc_rule": rule},
                      (seg[cand], cand, c_side, _kinds(len(cand), "mdc")))


@dataclass(frozen=True)
class RuleSet:
    """One rule set: the function that applies it, and how a report names and explains it."""

    apply: object
    title: str
    text: str


#: Every rule set evalkit offers: ``qic(method=...)``, the params ``rules.method`` and the
#: methods text of every report read this one dict.
RULE_SETS = {
    # Anhøj & Olesen 2014; qicharts2 default
    "anhoej": RuleSet(_rule_anhoej, "Anhøj rules",
                      "Anhøj rules (Anhøj & Olesen 2014): an unusually long run of points on one side of the centre "
                      "line, or unusually few crossings of it, signals non-random variation; on control charts a "
                      "point outside the 3-sigma limits also signals."),
    # Anhøj & Wentzel-Larsen 2020
    "bestbox": RuleSet(lambda ctx: _rule_box(ctx, cut=False), "Anhøj best-box rules",
                       "Anhøj best-box rules (Anhøj & Wentzel-Larsen 2020): limits for the longest run and the "
                       "number of crossings chosen to balance false and missed signals; on control charts a point "
                       "outside the 3-sigma limits also signals."),
    "cutbox": RuleSet(lambda ctx: _rule_box(ctx, cut=True), "Anhøj cut-box rules",
                      "Anhøj cut-box rules (Anhøj & Wentzel-Larsen 2020): the best-box limits, cut to the largest "
                      "run and crossing counts that give a signal; on control charts a point outside the 3-sigma "
                      "limits also signals."),
    # Perla, Provost & Murray 2011
    "ihi": RuleSet(_rule_ihi, "IHI run-chart rules",
                   "IHI run-chart rules (Perla, Provost & Murray 2011): a shift of 6 or more points on one side of "
                   "the median, a trend of 5 or more points going one way, too few or too many runs, or an "
                   "astronomical point."),
    # NHS Making Data Count / NHSRplotthedots 0.2.2
    "mdc": RuleSet(_rule_mdc, "NHS Making Data Count rules",
                   "NHS Making Data Count rules: a point outside the limits, a run of 7 on one side of the mean, "
                   "a trend of 7, or 2 of 3 points near a limit."),
}

#: name -> function, for the chart code
RULES = {name: rule.apply for name, rule in RULE_SETS.items()}
