"""Plain-language verdicts on a run or control chart: one sentence per facet and phase.

:func:`verdicts` reads the signals that :func:`evalkit.spc.qic.qic` located (the
``signals`` table of a :class:`evalkit.spc.qic.QicResult`) and says, in the
evaluator's words, whether the measure shows a signal of improvement, of
deterioration, none, or has too few points to judge. Import it from
:mod:`evalkit.spc` (``from evalkit.spc import qic, verdicts``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evalkit.errors import InputError
from evalkit.spc.rules import DIRECTIONS

if TYPE_CHECKING:
    from evalkit.spc.qic import QicResult

__all__ = ["verdicts", "sustained_shift", "unusual_points", "VERDICT_SENTENCES", "MIN_USEFUL_FOR_VERDICT"]


VERDICT_SENTENCES = {
    "improvement": "signal of improvement",
    "deterioration": "signal of deterioration",
    "neutral": "signal (direction neutral)",
    "none": "no signal — common-cause variation",
    "too_few": "too few points to judge (n useful < 10)",
}
MIN_USEFUL_FOR_VERDICT = 10  # Anhøj rules are useful from about 10 points (qicharts2 vignette)


def verdicts(result: QicResult, direction: str | None = None, *, parts: str = "all",
             after_baseline: bool = True) -> pd.DataFrame:
    """One plain-language verdict per facet × part (or per facet, last part).

    Parameters
    ----------
    result : QicResult
        Output of :func:`evalkit.spc.qic.qic`.
    direction : {"increase", "decrease", "neutral"}, optional
        Which way is better for the measure. Default: ``result.direction``;
        with neither, signals are reported as "signal (direction neutral)".
    parts : {"all", "last"}, default "all"
        "all": one row per facet × part; "last": one row per facet, judging only
        its last part (the current phase).
    after_baseline : bool, default True
        With a frozen baseline (``qic(..., freeze=k)``) judge only what happened
        *after* the baseline: "did the measure change after the baseline?".
        False judges every signal in the part, baseline included (the behaviour
        before this option existed). Parts without points after a baseline (no ``freeze``, or a
        freeze covering every point) are judged whole either way.

    Returns
    -------
    pandas.DataFrame
        Columns ``facet, part, verdict, sentence``; verdict is one of
        improvement, deterioration, neutral, none, too_few and sentence its
        wording from :data:`VERDICT_SENTENCES`.

    Raises
    ------
    InputError
        Unknown direction or parts.

    Notes
    -----
    "too_few" when the part has fewer than 10 useful points (points not on the
    centre line, whole part; the Anhøj rules are meaningful from about 10).
    Otherwise the *most recent* counted signal in the part decides, located
    where it sits: a point above the upper limit or a run/shift above the
    centre line is "high", below is "low"; a trend counts by its direction.
    High is an improvement when direction is "increase" and a deterioration
    when it is "decrease" (e.g. a long run *below* a baseline median of
    turnover, a decrease-is-better measure, is an improvement). A signal with
    no side (IHI "too many runs") or direction "neutral" gives "neutral".

    Which signals count. Without a baseline (or ``after_baseline=False``):
    every sigma point and, for the Anhøj (and box) rules, the longest run (the
    latest of equally long ones); for IHI every shift and trend, else the
    longest run when there are too few runs, else "too many runs"; for MDC
    every special-cause point. With a baseline and ``after_baseline=True`` only
    what reaches past the baseline: a sigma or MDC point after it; a shift or
    trend whose last point is after it (a run that starts in the baseline and
    continues after it counts, on the side where it sits after the baseline);
    for the Anhøj rules the longest of the runs longer than the limit
    (``longest_run_max``) that reach past the baseline, or, when the signal is
    too few crossings (or a box rule), the longest of all runs reaching past
    the baseline (crossings have no side of their own); IHI "too few runs"
    likewise and "too many runs" when no shift or trend counts. So a single
    spike above the upper limit inside the baseline year no longer makes the
    verdict. The runs statistics themselves (and "too_few") still come from
    the whole part, as in qicharts2.

    Example
    -------
    >>> from evalkit.spc import qic
    >>> r = qic([5] * 6 + [1, 2] * 3 + [9] * 12, chart="run", freeze=12)
    >>> verdicts(r, "increase")["verdict"].tolist()
    ['improvement']
    """
    direction = direction if direction is not None else result.direction
    if direction is not None and direction not in DIRECTIONS:
        raise InputError(f"direction {direction!r} is not known; use increase, decrease or neutral.")
    if parts not in ("all", "last"):
        raise InputError(f"parts {parts!r} is not known; use 'all' or 'last'.")
    if not isinstance(after_baseline, (bool, np.bool_)):
        raise InputError(f"after_baseline must be True or False; got {after_baseline!r}.")
    s = result.summary
    nseg = len(s)
    sig = result.signals
    rows = sig["row"].to_numpy()
    side = sig["side"].to_numpy(dtype=float)
    segs = sig["seg"].to_numpy()
    kind = sig["kind"].to_numpy(dtype=object)
    length = sig["length"].to_numpy(dtype=float) if "length" in sig else np.full(len(sig), np.nan)

    # segment of each point; points after the baseline; segments judged after it
    pts = result.points
    facet = pts["facet"].to_numpy(dtype=object)
    part = pts["part"].to_numpy()
    npts = len(pts)
    pseg = np.r_[0, np.cumsum((facet[1:] != facet[:-1]) | (part[1:] != part[:-1]))] if npts else \
        np.zeros(0, dtype=np.int64)
    post = ~pts["baseline"].to_numpy(dtype=bool)
    has_post = np.bincount(pseg[post], minlength=nseg) > 0
    filt = has_post if after_baseline else np.zeros(nseg, dtype=bool)
    counts = ~filt[segs] | post[rows]

    is_run = kind == "run"
    keep = ~is_run & counts
    if filt.any():
        # runs-type signals of filtered segments are re-located among post-baseline runs
        run_signal = s["runs_signal"].to_numpy(dtype=bool)
        relocate = np.isin(kind, ("longest_run", "too_many_runs")) & filt[segs]
        keep &= ~relocate
        cand_runs = is_run & filt[segs] & post[rows] & run_signal[segs]
        new_idx = []
        if result.method in ("anhoej", "bestbox", "cutbox"):
            lmax = s["longest_run_max"].to_numpy(dtype=float)
            with np.errstate(invalid="ignore"):
                long_ = cand_runs & (length > lmax[segs])
                few = (s["n_crossings"].to_numpy(dtype=float) < s["n_crossings_min"].to_numpy(dtype=float)) \
                    | (result.method != "anhoej")
            has_long = np.bincount(segs[long_], minlength=nseg) > 0
            pool = long_ | (cand_runs & ~has_long[segs] & few[segs])
            new_idx = _latest_longest(pool, segs, rows, length)
        elif result.method == "ihi":
            located = keep & np.isin(kind, ("shift", "trend"))
            has_located = np.bincount(segs[located], minlength=nseg) > 0
            too_few = s["too_few_runs"].to_numpy(dtype=bool)
            pool = cand_runs & too_few[segs] & ~has_located[segs]
            new_idx = _latest_longest(pool, segs, rows, length)
            many = relocate & (kind == "too_many_runs") & ~has_located[segs]
            new_idx = np.r_[new_idx, np.flatnonzero(many)].astype(np.int64)
        keep[np.asarray(new_idx, dtype=np.int64)] = True

    # the most recent counted signal per segment; at equal rows a sigma point wins
    idx = np.flatnonzero(keep)
    prio = (kind[idx] == "sigma").astype(int)
    order = idx[np.lexsort((prio, rows[idx], segs[idx]))]
    latest_side = np.full(nseg, np.nan)
    if len(order):
        latest_side[segs[order]] = side[order]  # last assignment per segment wins
    sign = {"increase": 1, "decrease": -1}.get(direction, 0)
    verdict = np.where(np.isnan(latest_side), "none",
                       np.where((latest_side == 0) | (sign == 0), "neutral",
                                np.where(latest_side * sign > 0, "improvement", "deterioration")))
    verdict = np.where(s["n_useful"].to_numpy() < MIN_USEFUL_FOR_VERDICT, "too_few", verdict)
    out = pd.DataFrame({"facet": s["facet"].to_numpy(dtype=object), "part": s["part"].to_numpy(),
                        "verdict": verdict.astype(object)})
    out["sentence"] = out["verdict"].map(VERDICT_SENTENCES)
    if parts == "last":
        out = out.groupby(out["facet"].astype(str), sort=False).tail(1).reset_index(drop=True)
    return out


def _latest_longest(pool: np.ndarray, segs: np.ndarray, rows: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Indices (one per segment) of the longest run in ``pool``, the latest of equally long ones."""
    idx = np.flatnonzero(pool)
    if len(idx) == 0:
        return idx
    order = idx[np.lexsort((rows[idx], length[idx], segs[idx]))]
    last = np.r_[segs[order][1:] != segs[order][:-1], True]
    return order[last]


def sustained_shift(result: QicResult) -> pd.DataFrame:
    """The sustained shift of each facet's last part that lies mostly after its baseline.

    A one-month spike or a run that sits mostly in the baseline is not evidence that
    something changed after the baseline; a run longer than the rule's limit (or an IHI
    shift) with more than half its points after the baseline is.

    Returns
    -------
    DataFrame
        One row per facet: ``facet, side`` (+1 above the centre line, −1 below, 0 none),
        ``length`` (useful points in the run), ``after`` (of them after the baseline),
        ``first, last`` (x of the run's first and last point).

    Notes
    -----
    Anhøj-family rules: runs longer than ``longest_run_max``; IHI: shifts (≥ 6 points on one
    side of the median, Perla et al. 2011) and trends (counted as their minimum length, 5);
    MDC: runs of 7 or more. Points on the centre line do not extend or break a run (as in
    qicharts2). The latest qualifying run wins. Without a baseline every point counts as
    after it.
    """
    pts = result.points
    s = result.summary
    facet = pts["facet"].to_numpy(dtype=object)
    part = pts["part"].to_numpy()
    n = len(pts)
    pseg = np.r_[0, np.cumsum((facet[1:] != facet[:-1]) | (part[1:] != part[:-1]))] if n else np.zeros(0, int)
    last_seg = {f: sg for f, sg in zip(facet, pseg)}  # the last part of each facet
    post = ~pts["baseline"].to_numpy(dtype=bool)
    useful = pts["y"].notna().to_numpy() & (pts["y"].to_numpy(dtype=float) != pts["cl"].to_numpy(dtype=float))
    sig = result.signals
    kind = sig["kind"].to_numpy(dtype=object)
    seg = sig["seg"].to_numpy()
    row = sig["row"].to_numpy()
    side = sig["side"].to_numpy(dtype=float)
    length = sig["length"].to_numpy(dtype=float) if "length" in sig else np.full(len(sig), np.nan)
    run_len = {(int(a), int(b)): float(c) for a, b, c, k in zip(seg, row, length, kind) if k == "run"}
    if result.method in ("anhoej", "bestbox", "cutbox"):
        limit = s["longest_run_max"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            cand = (kind == "run") & (length > limit[seg])
    elif result.method == "mdc":
        cand = (kind == "run") & (length >= 7)
    else:
        cand = np.isin(kind, ("shift", "trend"))
    x = pts["x"].to_numpy(dtype=object)
    best: dict = {}
    for i in np.flatnonzero(cand):
        g, r = int(seg[i]), int(row[i])
        if kind[i] == "trend":
            k = 5
        else:
            k = int(run_len.get((g, r), length[i] if np.isfinite(length[i]) else 6))
        # the run's useful points: the last k useful points of its segment up to row r
        members = np.flatnonzero(useful[: r + 1] & (pseg[: r + 1] == g))[-k:]
        if len(members) == 0:
            continue
        after = int(post[members].sum())
        if after * 2 <= len(members):
            continue
        if g not in best or r >= best[g][4]:
            best[g] = (side[i], len(members), after, members, r)
    rows = []
    for f, g in last_seg.items():
        if g in best:
            sd, k, after, members, _ = best[g]
            rows.append({"facet": f, "side": int(sd), "length": k, "after": after, "first": x[members[0]],
                         "last": x[members[-1]]})
        else:
            rows.append({"facet": f, "side": 0, "length": 0, "after": 0, "first": None, "last": None})
    return pd.DataFrame(rows, columns=["facet", "side", "length", "after", "first", "last"])


def unusual_points(result: QicResult) -> pd.DataFrame:
    """Points outside the control limits after the baseline (one row each): ``facet, x, side``.

    One point outside the limits is a prompt to look into that month, not a verdict on the
    measure; reports list them as "unusual months".
    """
    sig = result.signals
    pts = result.points
    sigma = sig.loc[sig["kind"].to_numpy(dtype=object) == "sigma"]
    rows = sigma["row"].to_numpy()
    after = ~pts["baseline"].to_numpy(dtype=bool)[rows] if len(rows) else np.zeros(0, bool)
    keep = rows[after]
    return pd.DataFrame({"facet": pts["facet"].to_numpy(dtype=object)[keep], "x": pts["x"].to_numpy(dtype=object)[keep],
                         "side": sigma["side"].to_numpy(dtype=float)[after].astype(int)})
