"""Small-cell suppression and removal of person-level identifiers.

Every table and chart label that leaves evalkit for a report goes through this
module, so one rule governs them all:

* a count of people below the threshold (default 10; 5 for survey respondents)
  is shown as ``"hidden"``;
* a rate, percentage or mean derived from a suppressed count is suppressed too;
* where a shown total would let a reader work out a single hidden cell by
  subtraction, the next-smallest cell of the same row (or group) is suppressed
  as well (complementary suppression); where cells are tied by several
  identities at once (the monthly staffing table), :func:`protect_linked_cells`
  hides more until :func:`solvable_cells` finds none a reader could solve;
* person-level fields (``staff_key``, ``response_id`` and similar) never reach a
  report (:func:`drop_person_identifiers`).

The rule text for a methods appendix comes from :func:`suppression_rule`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from evalkit.errors import InputError
from evalkit.inputs.schema import PERSON_IDENTIFIERS  # the data model says which columns identify people

__all__ = [
    "DEFAULT_MIN_COUNT",
    "DEFAULT_MIN_RESPONDENTS",
    "PERSON_IDENTIFIERS",
    "SUPPRESSION_RULE",
    "drop_person_identifiers",
    "may_show",
    "suppression_mask",
    "suppress_counts",
    "apply_mask",
    "mask_suppressed",
    "suppression_rule",
    "suppress_small_denominators",
    "solvable_cells",
    "protect_linked_cells",
]

DEFAULT_MIN_COUNT = 10
DEFAULT_MIN_RESPONDENTS = 5


#: Marker shown in place of a rate/mean whose underlying count is suppressed.
RATE_MARK = "suppressed"

#: What a hidden count of people reads in a shared table: the same word for a count under the
#: threshold and for a larger count hidden so that a small one cannot be worked out from it
#: ("hidden" on the latter would be untrue, and a different word would tell which cell is small).
HIDDEN_COUNT = "hidden"


def suppression_rule(threshold: int = DEFAULT_MIN_COUNT, *, unit: str = "people") -> str:
    """Return the suppression rule as one plain-language paragraph.

    Parameters
    ----------
    threshold : int, default 10
        Smallest count that may be shown.
    unit : str, default "people"
        What is counted ("people", "survey respondents").

    Returns
    -------
    str
        Text for a methods appendix.

    Example
    -------
    >>> suppression_rule(5, unit="survey respondents")[:39]
    'Counts of fewer than 5 survey responden'
    """
    return (
        f"Counts of fewer than {threshold} {unit} are not shown (printed as \"hidden\"; a larger count "
        f"is printed \"hidden\" too where it would let a reader work out a small one); "
        f"rates, percentages and means calculated from such a count are suppressed too, and "
        f"charts leave those points out. Where a shown total would let a reader work out a "
        f"single hidden count by subtraction, the next-smallest count in the same row or group "
        f"is also hidden (complementary suppression; never a zero). Where counts are tied "
        f"together (headcount at the start and end of a month, joiners, leavers and transfers; "
        f"leavers by reason), more counts are hidden until no hidden count can be worked out "
        f"from the shown ones. Zero counts are shown unless stated. "
        f"No person-level identifiers (staff keys, response ids) appear in any report."
    )


#: The default rule text (10 people; survey groups use 5 respondents).
SUPPRESSION_RULE = suppression_rule(DEFAULT_MIN_COUNT)


def may_show(n, threshold: int = DEFAULT_MIN_COUNT):
    """Say whether a group of ``n`` people may be shown on its own.

    Parameters
    ----------
    n : int, float, array-like or Series
        Group size(s). Missing sizes are never shown.
    threshold : int, default 10
        Smallest group size that may be shown (5 for survey respondents).

    Returns
    -------
    bool, numpy.ndarray of bool, or Series of bool
        True where ``n >= threshold``.

    Example
    -------
    >>> may_show(12), may_show(9)
    (True, False)
    """
    _check_threshold(threshold)
    if isinstance(n, pd.Series):
        return pd.to_numeric(n, errors="coerce").ge(threshold).fillna(False).astype(bool)
    arr = np.asarray(n, dtype=float)
    out = np.where(np.isnan(arr), False, arr >= threshold)
    return bool(out) if out.ndim == 0 else out


def drop_person_identifiers(df: pd.DataFrame, extra: Iterable[str] = ()) -> pd.DataFrame:
    """Return a copy of ``df`` without person-level identifier columns.

    Parameters
    ----------
    df : DataFrame
    extra : iterable of str
        Further column names to remove.

    Returns
    -------
    DataFrame
        ``df`` without the columns in :data:`PERSON_IDENTIFIERS` (case-insensitive)
        and ``extra``.
    """
    drop = {c.lower() for c in PERSON_IDENTIFIERS} | {str(c).lower() for c in extra}
    return df.loc[:, [c for c in df.columns if str(c).lower() not in drop]].copy()


def suppression_mask(
    df: pd.DataFrame,
    count_cols: Sequence[str],
    *,
    threshold: int = DEFAULT_MIN_COUNT,
    rate_cols: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    total_col: str | None = None,
    group: str | Sequence[str] | None = None,
    suppress_zero: bool = False,
    linked: bool = False,
) -> pd.DataFrame:
    """Decide which cells must be hidden.

    Parameters
    ----------
    df : DataFrame
        Table about to leave the package.
    count_cols : sequence of str
        Columns holding counts of people.
    threshold : int, default 10
        Counts ``< threshold`` are suppressed (primary suppression).
    rate_cols : sequence of str or mapping, optional
        Columns derived from the counts (rates, percentages, means). A sequence
        means "derived from every count column in the row"; a mapping
        ``{rate_col: [count columns it is computed from]}`` is more precise.
        A rate is suppressed when any of its counts is suppressed.
    total_col : str, optional
        A shown column holding the row total of ``count_cols``. When exactly one
        count in a row is suppressed and the total is shown, the next-smallest
        count of that row is suppressed too (complementary suppression).
    group : str or sequence of str, optional
        Long tables: rows of the same group add up to a total shown elsewhere.
        When exactly one row of a group is suppressed in a count column, the
        next-smallest count of that column in the group is suppressed too.
    suppress_zero : bool, default False
        Whether zero counts are suppressed as well (by default a zero is shown,
        as in the CMS cell-size suppression policy, because it identifies no one).
    linked : bool, default False
        The row's counts are tied by a figure shown elsewhere (e.g. hires −
        separations − transfers = change in the shown headcount): when exactly one
        count of a row is hidden, the next-smallest is hidden too, whatever
        ``total_col`` says.

    Returns
    -------
    DataFrame of bool
        Same index as ``df``; one column per count, total and rate column; True
        means "hide".

    Raises
    ------
    InputError
        A named column is missing or the threshold is not a positive integer.
    """
    _check_threshold(threshold)
    count_cols = list(count_cols)
    rate_map = _rate_map(rate_cols, count_cols)
    needed = count_cols + list(rate_map) + ([total_col] if total_col else []) + _as_list(group)
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise InputError(f"suppression: column(s) {', '.join(missing)} not in the table; pass existing column names")

    counts = df[count_cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    small = counts < threshold
    if not suppress_zero:
        small &= counts != 0
    hidden = small.copy()

    if total_col is not None:
        total = pd.to_numeric(df[total_col], errors="coerce").to_numpy(dtype=float)
        total_hidden = (total < threshold) & ((total != 0) | suppress_zero)
        need = (hidden.sum(axis=1) == 1) & ~total_hidden
        hidden |= _next_smallest_rowwise(counts, hidden, need)
    if linked:
        hidden |= _next_smallest_rowwise(counts, hidden, hidden.sum(axis=1) == 1)
    if group is not None:
        keys = _as_list(group)
        codes = df.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
        for j in range(len(count_cols)):  # loop over a handful of columns, not people
            hidden[:, j] |= _next_smallest_in_group(counts[:, j], hidden[:, j], codes)

    out = pd.DataFrame(hidden, index=df.index, columns=count_cols)
    if total_col is not None and total_col not in out:
        out[total_col] = (total < threshold) & ((total != 0) | suppress_zero)
    for rate, sources in rate_map.items():
        out[rate] = out[list(sources)].any(axis=1)
    return out


def suppress_counts(
    df: pd.DataFrame,
    count_cols: Sequence[str],
    *,
    threshold: int = DEFAULT_MIN_COUNT,
    rate_cols: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    total_col: str | None = None,
    group: str | Sequence[str] | None = None,
    suppress_zero: bool = False,
    drop_identifiers: bool = True,
) -> pd.DataFrame:
    """Return a display copy of ``df`` with small counts hidden.

    Suppressed counts read ``"hidden"``; suppressed rates read
    ``"suppressed"``. Cells that are shown keep their value, so the affected
    columns become object columns meant for display only. Person identifiers
    are dropped (see :func:`drop_person_identifiers`) unless
    ``drop_identifiers=False``.

    Parameters
    ----------
    df, count_cols, threshold, rate_cols, total_col, group, suppress_zero
        As in :func:`suppression_mask`.
    drop_identifiers : bool, default True
        Remove person-level identifier columns.

    Returns
    -------
    DataFrame
        Display table.

    Notes
    -----
    Rule text: :func:`suppression_rule`. For charts use :func:`mask_suppressed`,
    which keeps numbers and sets hidden cells to NaN so they are not plotted.

    Example
    -------
    >>> t = pd.DataFrame({"a": [3, 20], "b": [15, 30], "total": [18, 50]})
    >>> suppress_counts(t, ["a", "b"], total_col="total")["b"].tolist()
    ['hidden', 30]
    """
    mask = suppression_mask(
        df, count_cols, threshold=threshold, rate_cols=rate_cols, total_col=total_col,
        group=group, suppress_zero=suppress_zero,
    )
    counts = set(count_cols) | ({total_col} if total_col else set())
    return apply_mask(df, mask, counts, threshold=threshold, drop_identifiers=drop_identifiers)


def apply_mask(
    df: pd.DataFrame, mask: pd.DataFrame, count_cols, *, threshold: int = DEFAULT_MIN_COUNT,
    drop_identifiers: bool = True,
) -> pd.DataFrame:
    """Render a (possibly combined) suppression mask: hidden counts read "<threshold", other cells "suppressed".

    Use when several :func:`suppression_mask` calls are combined with ``|``.
    """
    out = df.copy()
    label = HIDDEN_COUNT
    for col in mask.columns:
        values = out[col].astype(object)
        hide = mask[col].to_numpy()
        values[hide] = label if col in set(count_cols) else RATE_MARK
        out[col] = values
    return drop_person_identifiers(out) if drop_identifiers else out


def mask_suppressed(
    df: pd.DataFrame,
    count_cols: Sequence[str],
    *,
    threshold: int = DEFAULT_MIN_COUNT,
    rate_cols: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    total_col: str | None = None,
    group: str | Sequence[str] | None = None,
    suppress_zero: bool = False,
) -> pd.DataFrame:
    """Return a numeric copy of ``df`` with hidden cells set to NaN (for charts).

    Same arguments and rule as :func:`suppression_mask`; person identifiers are
    dropped.
    """
    mask = suppression_mask(
        df, count_cols, threshold=threshold, rate_cols=rate_cols, total_col=total_col,
        group=group, suppress_zero=suppress_zero,
    )
    out = df.copy()
    for col in mask.columns:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float).mask(mask[col])
    return drop_person_identifiers(out)


# --------------------------------------------------------------------------- linked cells
def solvable_cells(
    identities: np.ndarray, values: np.ndarray, hidden: np.ndarray, *, lower: np.ndarray | None = None
) -> np.ndarray:
    """Say which hidden cells a reader can work out from the shown cells and known identities.

    Parameters
    ----------
    identities : ndarray, shape (m, n)
        One row per identity the reader knows, as coefficients with
        ``identities @ values == 0`` (e.g. end − start − hires + separations +
        transfers_out = 0). Identities touching a missing value are ignored.
    values : ndarray, shape (n,)
        The true cell values.
    hidden : ndarray of bool, shape (n,)
        Cells the reader cannot see.
    lower : ndarray, shape (n,), optional
        Smallest value a hidden cell can take as far as the reader knows.
        Default 1 for every cell: zeros are shown, so a hidden count is at least 1.

    Returns
    -------
    ndarray of bool, shape (n,)
        True for a hidden cell whose exact value follows from what is shown.

    Notes
    -----
    Two ways of solving are checked. (1) Linear algebra: substituting the shown
    values leaves ``A_h x_h = b``; hidden cell j is fixed when the unit vector
    e_j lies in the row space of ``A_h``, i.e. when every null-space vector of
    ``A_h`` is 0 at j (the standard test for exact disclosure in linked tables;
    Hundepool et al. 2012, *Statistical Disclosure Control*, §5.2). (2) Bounds:
    when the hidden cells of one identity all carry the same sign, their
    weighted sum is known and each is at least ``lower``; if the sum equals its
    smallest possible value, every one of them sits at its lower bound (two
    hidden leavers adding up to 2 are one and one).
    """
    return _solvable(identities, values, hidden, lower, quick=False)


def _solvable(identities, values, hidden, lower, *, quick: bool) -> np.ndarray:
    """:func:`solvable_cells`; ``quick`` checks only single identities (no SVD), which finds most cases."""
    A = np.asarray(identities, dtype=float)
    v = np.asarray(values, dtype=float)
    h = np.asarray(hidden, dtype=bool)
    lb = np.ones_like(v) if lower is None else np.asarray(lower, dtype=float)
    out = np.zeros(h.shape, dtype=bool)
    if A.size == 0 or not h.any():
        return out
    A = A[~np.isnan(np.where(A != 0, v[None, :], 0.0)).any(axis=1)]
    rows = (A[:, h] != 0).any(axis=1)
    if not rows.any():
        return out
    A = A[rows]
    cols = np.flatnonzero(h)
    Ah = A[:, cols]
    if quick:  # an identity with one hidden cell gives it by subtraction
        single = (Ah != 0).sum(axis=1) == 1
        out[cols[(Ah[single] != 0).any(axis=0)]] = True
    else:  # (1) null space of the hidden part: cell j is free only if some null vector moves it
        _, sv, vt = np.linalg.svd(Ah, full_matrices=True)
        rank = int((sv > 1e-9 * max(1.0, sv.max(initial=0.0))).sum())
        null = vt[rank:].T  # (k, k - rank)
        fixed = np.ones(len(cols), dtype=bool) if null.shape[1] == 0 else np.abs(null).max(axis=1) < 1e-9
        out[cols[fixed]] = True
    # (2) one identity whose hidden cells share a sign and sum to their smallest possible total
    coef = np.where(Ah != 0, Ah, 0.0)
    in_id = coef != 0
    same_sign = ((coef >= 0) | ~in_id).all(axis=1) | ((coef <= 0) | ~in_id).all(axis=1)
    known_sum = np.abs((coef * v[cols][None, :]).sum(axis=1))
    smallest = (np.abs(coef) * lb[cols][None, :]).sum(axis=1)
    at_bound = same_sign & np.isclose(known_sum, smallest)
    out[cols[(in_id & at_bound[:, None]).any(axis=0)]] = True
    return out


def protect_linked_cells(
    identities: np.ndarray,
    values: np.ndarray,
    hidden: np.ndarray,
    *,
    protect: np.ndarray | None = None,
    eligible: np.ndarray | None = None,
    priority: np.ndarray | None = None,
    lower: np.ndarray | None = None,
) -> np.ndarray:
    """Complementary suppression for cells tied by identities: hide more until nothing hidden can be solved.

    Parameters
    ----------
    identities, values, hidden, lower
        As in :func:`solvable_cells`; ``hidden`` is the primary suppression.
    protect : ndarray of bool, optional
        Hidden cells that must stay unsolvable (default: every hidden cell).
        Cells that never appear in the table but follow from it (e.g. transfers
        folded into separations) are passed as hidden, and protected only when small.
    eligible : ndarray of bool, optional
        Cells that may be hidden as a complement (default: every cell).
    priority : ndarray, optional
        Preference among complements, lower first (e.g. 0 for flows, 1 for
        headcounts); ties go to the smallest value, then the first cell.

    Returns
    -------
    ndarray of bool
        The cells to hide: ``hidden`` plus the complements.

    Notes
    -----
    Repeats until stable: find the protected cells :func:`solvable_cells` says a
    reader can work out; for each, hide the preferred visible non-zero cell of an
    identity it is in (a zero only when no non-zero cell is left). Each pass
    treats at most one solvable cell per identity, so no identity gets two
    complements for one problem.
    """
    v = np.asarray(values, dtype=float)
    h = np.asarray(hidden, dtype=bool).copy()
    A = np.asarray(identities, dtype=float)
    need = h.copy() if protect is None else np.asarray(protect, dtype=bool)
    ok = np.ones(h.shape, dtype=bool) if eligible is None else np.asarray(eligible, dtype=bool)
    pri = np.zeros(h.shape) if priority is None else np.asarray(priority, dtype=float)
    for _ in range(2 * h.size + 2):  # each pass hides at least one more cell, or runs the full check
        guard = need | (h & ok)
        solved = _solvable(A, v, h, lower, quick=True) & guard  # cheap: one identity at a time
        if not solved.any():
            solved = _solvable(A, v, h, lower, quick=False) & guard  # then every identity together
        if not solved.any():
            return h
        used = np.zeros(A.shape[0], dtype=bool)
        changed = False
        for j in np.flatnonzero(solved):
            ids = (A[:, j] != 0) & ~used
            if not ids.any():
                continue
            in_ids = (A[ids] != 0).any(axis=0) & ok & ~h & ~np.isnan(v)
            cand = np.flatnonzero(in_ids & (v != 0))
            if cand.size == 0:  # solved through other identities: look wherever a hidden cell is tied
                near = (A[:, h] != 0).any(axis=1) & ~used
                in_ids = (A[near] != 0).any(axis=0) & ok & ~h & ~np.isnan(v)
                cand = np.flatnonzero(in_ids & (v != 0))
            if cand.size == 0:
                cand = np.flatnonzero(in_ids)
            if cand.size == 0:
                continue
            pick = cand[np.lexsort((cand, v[cand], pri[cand]))[0]]
            h[pick] = True
            used |= A[:, pick] != 0
            used |= A[:, j] != 0
            changed = True
        if not changed:
            return h
    return h


# --------------------------------------------------------------------------- helpers
def _check_threshold(threshold) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or threshold < 1:
        raise InputError(f"suppression threshold must be a whole number of at least 1, got {threshold!r}")


def _as_list(x) -> list[str]:
    if x is None:
        return []
    return [x] if isinstance(x, str) else list(x)


def _rate_map(rate_cols, count_cols) -> dict[str, list[str]]:
    if rate_cols is None:
        return {}
    if isinstance(rate_cols, Mapping):
        return {str(k): _as_list(v) for k, v in rate_cols.items()}
    return {str(r): list(count_cols) for r in _as_list(rate_cols)}


def _next_smallest_rowwise(counts: np.ndarray, hidden: np.ndarray, need: np.ndarray) -> np.ndarray:
    """Mark, in each row flagged by ``need``, the smallest count not yet hidden."""
    extra = np.zeros_like(hidden)
    if not need.any():
        return extra
    # never a zero: "hidden" on a zero would mislead, and hiding it protects nothing
    candidates = np.where(hidden | np.isnan(counts), np.inf, np.where(counts == 0, np.inf, counts))
    pick = np.argmin(candidates, axis=1)
    rows = np.flatnonzero(need & np.isfinite(candidates.min(axis=1)))
    extra[rows, pick[rows]] = True
    return extra


def _next_smallest_in_group(col: np.ndarray, hidden: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Within each group holding exactly one hidden cell, mark its smallest shown cell."""
    n_groups = int(codes.max()) + 1 if codes.size else 0
    n_hidden = np.bincount(codes, weights=hidden.astype(float), minlength=n_groups)
    need_rows = n_hidden[codes] == 1
    cand = np.where(hidden | np.isnan(col) | ~need_rows, np.inf, np.where(col == 0, np.inf, col))
    order = np.lexsort((np.arange(col.size), cand, codes))  # by group, then value, then position
    first = np.ones(col.size, dtype=bool)
    first[1:] = codes[order][1:] != codes[order][:-1]
    extra = np.zeros(col.size, dtype=bool)
    chosen = order[first]
    chosen = chosen[np.isfinite(cand[chosen])]
    extra[chosen] = True
    return extra


def suppress_small_denominators(
    measures: pd.DataFrame, charts: Mapping[str, str], *, threshold: int = DEFAULT_MIN_COUNT
) -> pd.DataFrame:
    """Blank the rate-chart rows of ``measures`` whose denominator is under ``threshold``.

    A monthly rate shown on a chart is a figure derived from a count of people: one
    leaver in a team of 7 is a point at 14.3%. Before a report analyses or draws a
    team's measures, rows of proportion and rate charts (p, pp, u, up) whose
    denominator is below the threshold get a blank numerator and denominator, so every
    chart, verdict and effect estimate treats them as missing months. Rows of other
    charts (e.g. i charts of a mean score) are left as they are.

    Parameters
    ----------
    measures : DataFrame
        The measures table (``measure_id``, ``numerator``, ``denominator``, ...).
    charts : mapping
        ``{measure_id: chart type}``; measures not listed are left as they are.
    threshold : int, default 10
        Smallest denominator shown (params ``suppression.min_count``).

    Returns
    -------
    DataFrame
        A copy with the same rows; suppressed rows have NaN numerator and denominator.

    Examples
    --------
    >>> m = pd.DataFrame({"measure_id": ["turnover_rate", "turnover_rate", "wellbeing_pulse"],
    ...                   "numerator": [1.0, 2.0, 3.4], "denominator": [7.0, 40.0, None]})
    >>> suppress_small_denominators(m, {"turnover_rate": "u", "wellbeing_pulse": "i"})["numerator"].tolist()
    [nan, 2.0, 3.4]
    """
    _check_threshold(threshold)
    out = measures.copy()
    if out.empty:
        return out
    from evalkit.inputs.schema import RATE_CHARTS  # p, pp, u, up: denominators count staff or positions

    rate_ids = [m for m, chart in charts.items() if chart in RATE_CHARTS]
    denominator = pd.to_numeric(out["denominator"], errors="coerce")
    small = out["measure_id"].isin(rate_ids).to_numpy(dtype=bool) & (denominator < threshold).to_numpy(dtype=bool)
    out.loc[small, ["numerator", "denominator"]] = np.nan
    return out

