"""Staggered-adoption difference-in-differences (Callaway & Sant'Anna 2021).

When teams start an intervention in different months, a single two-way
fixed-effects regression compares late starters with teams that already
started, and its coefficient can even take the wrong sign. This module
implements the group-time average treatment effect estimator of

    Callaway, B. and Sant'Anna, P. H. C. (2021). "Difference-in-Differences
    with Multiple Time Periods." *Journal of Econometrics* 225(2): 200-230.
    https://doi.org/10.1016/j.jeconom.2020.12.001

for unconditional parallel trends (no covariates) with the **never-treated**
units as the comparison group, matching the defaults of R's
``did::att_gt(..., control_group = "nevertreated", base_period = "varying")``
and ``did::aggte``. Without covariates every ATT(g,t) is a closed-form
difference of means, so everything here is a handful of vectorised numpy
operations: the cost is linear in the number of units (an ``n x K`` array
for K group-time cells; no unit-by-unit matrices, no regressions refitted
per cell).

Only :func:`staggered_did` and :class:`StaggeredDiDResult` are public.
"""
from __future__ import annotations

import html
import itertools
import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.errors import InputError

__all__ = ["StaggeredDiDResult", "staggered_did"]

_AGGREGATIONS = ("simple", "group", "dynamic")
_INFERENCE = ("auto", "analytic", "randomisation")
_BOOT_WEIGHTS = ("rademacher", "mammen")
_MAX_EXACT_ASSIGNMENTS = 10_000


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class StaggeredDiDResult:
    """Result of :func:`staggered_did`; every table is a tidy DataFrame.

    Attributes
    ----------
    group_time : DataFrame
        One row per cohort ``group`` and period ``time``: ``base_time`` (the
        period differenced against), ``event_time`` (time - group), ``att``,
        ``se`` (analytic, influence function), ``ci_low``/``ci_high``
        (pointwise), ``band_low``/``band_high`` (simultaneous over all cells,
        multiplier bootstrap), ``se_bootstrap``, ``n_treated``/``n_control``
        (units observed in both periods), ``pre`` (True for t < g).
    event_study : DataFrame
        One row per ``event_time`` e = t - g: ``att``, ``se``, ``ci_low``,
        ``ci_high``, ``band_low``/``band_high`` (simultaneous over all event
        times shown), ``se_bootstrap``, ``n_groups``, ``n_treated``, ``pre``.
    group_effects : DataFrame
        One row per cohort: the average of its post-period ATT(g,t)
        (``did::aggte(type = "group")``), with ``se``, CIs and bands.
    overall : DataFrame
        One row: ``aggregation``, ``att``, ``se``, ``ci_low``, ``ci_high``,
        ``p_value``, ``method`` (which inference ``p_value`` comes from),
        ``ci_method``, ``n_treated_units``, ``n_control_units``,
        ``p_randomisation``, ``randomisation`` (exact or Monte Carlo, and how
        many assignments).
    aggregates : DataFrame
        The three overall summaries side by side (``simple``, ``group``,
        ``dynamic``) with analytic SEs, whatever ``overall`` was chosen.
    pretrend : DataFrame
        One row: ``wald_statistic``, ``df``, ``p_value``, ``n_pre_cells``: the
        Wald test that every pre-period ATT(g,t) is zero, using the
        influence-function covariance (as in ``summary(att_gt(...))``).
    settings : Mapping
        alpha, control group, base period, bootstrap reps and weights, seed,
        aggregation, inference used, permutations, event-time window.
    warnings : tuple of str
        Plain-language cautions (few units, dropped cells, missing months...).
    se_credible : bool
        False when a single treated (or single comparison) unit makes every
        standard error, interval and band meaningless; they are then NaN.
    """

    group_time: pd.DataFrame
    event_study: pd.DataFrame
    group_effects: pd.DataFrame
    overall: pd.DataFrame
    aggregates: pd.DataFrame
    pretrend: pd.DataFrame
    settings: Mapping
    warnings: tuple = ()
    se_credible: bool = True

    @property
    def pre_period_effects(self) -> pd.DataFrame:
        """The pre-period event-study coefficients (e < 0), for a pre-trend look."""
        return self.event_study[self.event_study["pre"]].reset_index(drop=True)

    def _repr_html_(self) -> str:
        o = self.overall.iloc[0]
        head = (f"<p><b>Staggered difference-in-differences</b> (Callaway &amp; Sant'Anna 2021): "
                f"{int(o['n_treated_units'])} treated and {int(o['n_control_units'])} never-treated units; "
                f"overall ({html.escape(str(o['aggregation']))}) ATT = {o['att']:.4g}, "
                f"p = {o['p_value']:.3g} ({html.escape(str(o['method']))})</p>")
        warn = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
        pt = self.pretrend.iloc[0]
        pre = (f"<p>Pre-trend Wald test: chi2({int(pt['df'])}) = {pt['wald_statistic']:.3g}, "
               f"p = {pt['p_value']:.3g}</p>") if pt["df"] > 0 and np.isfinite(pt["wald_statistic"]) else ""
        return (head + (f"<ul>{warn}</ul>" if warn else "")
                + self.overall.to_html(index=False, na_rep="–") + pre
                + "<p>Event study</p>" + self.event_study.to_html(index=False, na_rep="–", float_format="%.4g"))


# --------------------------------------------------------------------------- input handling
def _as_time(values: pd.Series, column: str) -> tuple[np.ndarray, bool]:
    """Numbers as float, or datetimes as a month index (year*12 + month - 1)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        v = pd.DatetimeIndex(values)
        out = (v.year.to_numpy(dtype=float) * 12 + v.month.to_numpy(dtype=float) - 1)
        out[np.asarray(v.isna())] = np.nan
        return out, True
    if pd.api.types.is_bool_dtype(values) or not (pd.api.types.is_numeric_dtype(values)
                                                   or values.isna().all()):
        bad = values.dropna()
        shown = repr(bad.iloc[0]) if len(bad) else "?"
        raise InputError(f"column {column!r} must hold numbers or dates, not text (first value {shown})")
    return values.to_numpy(dtype=float), False


def _month_label(m: float):
    m = int(round(m))
    return pd.Timestamp(year=m // 12, month=m % 12 + 1, day=1)


def _prepare(data, unit, time, outcome, first_treated, weights):
    if not isinstance(data, pd.DataFrame):
        raise InputError("data must be a pandas DataFrame with one row per unit and period")
    needed = [unit, time, outcome, first_treated] + ([weights] if weights is not None else [])
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise InputError(f"column {missing[0]!r} is missing from the data (columns present: "
                         f"{', '.join(map(str, data.columns))})")
    if len(data) == 0:
        raise InputError("the data have no rows")
    t_raw, t_is_date = _as_time(data[time], time)
    if np.isnan(t_raw).any():
        raise InputError(f"column {time!r} has blank values; every row needs a period")
    g_col = data[first_treated]
    if t_is_date:
        if pd.api.types.is_datetime64_any_dtype(g_col):
            g_raw, _ = _as_time(g_col, first_treated)
        else:
            g_num = pd.to_numeric(g_col, errors="coerce")
            if not ((g_num.fillna(0) == 0) & (g_col.isna() | (g_num == 0))).all():
                raise InputError(f"column {time!r} holds dates, so {first_treated!r} must hold the start "
                                 f"month as a date (blank for never-treated units)")
            g_raw = np.full(len(data), np.nan)
    else:
        if pd.api.types.is_datetime64_any_dtype(g_col):
            raise InputError(f"column {first_treated!r} holds dates but {time!r} holds numbers; "
                             "use the same kind for both")
        g_raw, _ = _as_time(g_col, first_treated)
        g_raw = g_raw.copy()
        g_raw[g_raw == 0] = np.nan  # 0 = never treated, as in did
    y_col = data[outcome]
    if not (pd.api.types.is_numeric_dtype(y_col) and not pd.api.types.is_bool_dtype(y_col)):
        conv = pd.to_numeric(y_col, errors="coerce")
        bad = y_col[conv.isna() & y_col.notna()]
        if len(bad):
            raise InputError(f"column {outcome!r} must hold numbers (found {bad.iloc[0]!r})")
        y_col = conv
    y = y_col.to_numpy(dtype=float)
    if np.isinf(y).any():
        raise InputError(f"column {outcome!r} has an infinite value")
    if data[unit].isna().any():
        raise InputError(f"column {unit!r} has blank values; every row needs a unit id")
    ucode, uniq_units = pd.factorize(data[unit], sort=True)
    n = len(uniq_units)
    # one first-treated value per unit
    g_unit = np.full(n, np.nan)
    df_g = pd.DataFrame({"u": ucode, "g": np.where(np.isnan(g_raw), -np.inf, g_raw)})
    g_nuniq = df_g.groupby("u")["g"].nunique()
    if (g_nuniq > 1).any():
        bad_u = uniq_units[int(g_nuniq.index[np.argmax(g_nuniq.to_numpy() > 1)])]
        raise InputError(f"column {first_treated!r} changes over time for unit {bad_u!r}; "
                         "give each unit one start period")
    first = df_g.groupby("u")["g"].first().to_numpy()
    g_unit[:] = np.where(np.isneginf(first), np.nan, first)
    if weights is not None:
        w_raw = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(w_raw).all() or (w_raw <= 0).any():
            raise InputError(f"column {weights!r} must hold positive numbers for every row")
        dw = pd.DataFrame({"u": ucode, "w": w_raw}).groupby("u")["w"]
        if (dw.nunique() > 1).any():
            raise InputError(f"column {weights!r} changes over time within a unit; give one weight per unit")
        w = dw.first().to_numpy(dtype=float)
    else:
        w = np.ones(n)
    # keep rows with an outcome; periods are those with at least one outcome
    keep = ~np.isnan(y)
    if not keep.any():
        raise InputError(f"column {outcome!r} has no values")
    tlist = np.unique(t_raw[keep])
    if len(tlist) < 2:
        raise InputError(f"column {time!r} has only one period; at least two are needed")
    tcode = np.searchsorted(tlist, t_raw[keep])
    uk = ucode[keep]
    flat = uk.astype(np.int64) * len(tlist) + tcode
    if len(np.unique(flat)) != len(flat):
        dup = pd.Series(flat).duplicated()
        i = int(np.argmax(dup.to_numpy()))
        raise InputError(f"unit {uniq_units[uk[i]]!r} has more than one row for period "
                         f"{data[time].to_numpy()[keep][i]!r}; give one row per unit and period")
    Y = np.full((n, len(tlist)), np.nan)
    Y[uk, tcode] = y[keep]
    return Y, tlist, g_unit, w, uniq_units, t_is_date, int((~keep).sum())


# --------------------------------------------------------------------------- core estimator
def _cells(tlist, glist):
    """Group-time cells with did's base periods: varying (t-1) before g, g-1 after."""
    rows = []
    for gi, g in enumerate(glist):
        before = np.nonzero(tlist < g)[0]
        base_post = int(before[-1])
        for ti in range(1, len(tlist)):
            post = tlist[ti] >= g
            rows.append((gi, ti, base_post if post else ti - 1, post))
    arr = np.array(rows, dtype=np.int64).reshape(-1, 4)
    return arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3].astype(bool)


def _att_and_if(Y, w, cohort, c_gi, c_ti, c_bi):
    """ATT(g,t) and its n x K influence function, all cells at once.

    psi_ik = n * [ 1{G_i=g} w_i (dY_ik - mu1_k) / W1_k - 1{C_i} w_i (dY_ik - mu0_k) / W0_k ],
    restricted to units observed in both periods, so that
    ATT_hat - ATT ~ mean_i psi_ik and SE_k = sqrt(sum_i psi_ik^2) / n.
    """
    n = Y.shape[0]
    D = Y[:, c_ti] - Y[:, c_bi]
    valid = ~np.isnan(D)
    Dz = np.where(valid, D, 0.0)
    treat = (cohort[:, None] == c_gi[None, :]) & valid
    ctrl = (cohort[:, None] < 0) & valid
    wt = w[:, None] * treat
    wc = w[:, None] * ctrl
    W1 = wt.sum(0)
    W0 = wc.sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu1 = (wt * Dz).sum(0) / W1
        mu0 = (wc * Dz).sum(0) / W0
        att = mu1 - mu0
        psi = n * (wt * (Dz - mu1) / W1 - wc * (Dz - mu0) / W0)
    ok = (W1 > 0) & (W0 > 0)
    att[~ok] = np.nan
    psi[:, ~ok] = 0.0
    return att, psi, treat.sum(0), ctrl.sum(0), Dz, valid


def _agg_pg(att, psi, cells, pg_cell, w_norm, cohort, c_gi):
    """Aggregate a set of cells with weights proportional to cohort share (did's pg).

    theta = sum_k pg_k att_k / S,  S = sum_k pg_k; its influence function adds did's
    ``wif`` term for estimating the shares, which simplifies to
    w_i * (A(G_i) - N(G_i) * theta) / S with A(g) = sum of att_k over the cells of
    cohort g and N(g) their number.
    """
    cells = cells[np.isfinite(att[cells])]
    if len(cells) == 0:
        return np.nan, np.zeros(psi.shape[0])
    pgk = pg_cell[cells]
    S = pgk.sum()
    theta = float((pgk * att[cells]).sum() / S)
    if_ = psi[:, cells] @ (pgk / S)
    ng = int(c_gi.max()) + 1 if len(c_gi) else 0
    A = np.bincount(c_gi[cells], weights=att[cells], minlength=ng)
    N = np.bincount(c_gi[cells], minlength=ng).astype(float)
    treated = cohort >= 0
    extra = np.zeros(psi.shape[0])
    extra[treated] = w_norm[treated] * (A[cohort[treated]] - N[cohort[treated]] * theta) / S
    return theta, if_ + extra


def _se(if_vec: np.ndarray) -> float:
    n = if_vec.shape[0]
    return float(math.sqrt(float(if_vec @ if_vec)) / n)


def _multipliers(rng, size, kind):
    if kind == "rademacher":
        return rng.integers(0, 2, size=size).astype(float) * 2.0 - 1.0
    s5 = math.sqrt(5.0)
    lo, hi = -(s5 - 1) / 2, (s5 + 1) / 2
    return np.where(rng.random(size) < (s5 + 1) / (2 * s5), lo, hi)


def _mboot(IF, B, kind, rng, alpha):
    """did's multiplier bootstrap: bootstrap SEs (IQR scale) and sup-t critical value."""
    n, k = IF.shape
    z = stats.norm.ppf(1 - alpha / 2)
    if B <= 0 or k == 0:
        return np.full(k, np.nan), z
    bres = np.empty((B, k))
    chunk = max(1, min(B, 2_000_000 // max(n, 1)))
    for s in range(0, B, chunk):
        V = _multipliers(rng, (min(chunk, B - s), n), kind)
        bres[s:s + V.shape[0]] = V @ IF
    bres /= math.sqrt(n)
    nondeg = np.isfinite(bres).all(0) & ((bres ** 2).sum(0) > math.sqrt(np.finfo(float).eps) * 10)
    se = np.full(k, np.nan)
    if not nondeg.any():
        return se, z
    b = bres[:, nondeg]
    q75 = np.quantile(b, 0.75, axis=0, method="inverted_cdf")
    q25 = np.quantile(b, 0.25, axis=0, method="inverted_cdf")
    bsig = (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
    se[nondeg] = bsig / math.sqrt(n)
    good = bsig > 0
    if not good.any():
        return se, z
    bT = np.max(np.abs(b[:, good] / bsig[good]), axis=1)
    crit = float(np.quantile(bT, 1 - alpha, method="inverted_cdf"))
    if not np.isfinite(crit) or crit < z:
        crit = z
    return se, crit


# --------------------------------------------------------------------------- randomisation
def _log10_assignments(counts) -> float:
    """log10 of the number of distinct rearrangements (multinomial coefficient)."""
    return (math.lgamma(sum(counts) + 1) - sum(math.lgamma(c + 1) for c in counts)) / math.log(10)


def _all_assignments(labels: np.ndarray) -> np.ndarray:
    """Every distinct rearrangement of ``labels`` (a multiset), one per row."""
    n = len(labels)
    vals, counts = np.unique(labels, return_counts=True)
    rows = []

    def rec(free, k, cur):
        if k == len(vals) - 1:
            out = cur.copy()
            out[list(free)] = vals[k]
            rows.append(out)
            return
        for pick in itertools.combinations(free, int(counts[k])):
            nxt = cur.copy()
            nxt[list(pick)] = vals[k]
            rec(tuple(i for i in free if i not in pick), k + 1, nxt)

    rec(tuple(range(n)), 0, np.empty(n, dtype=labels.dtype))
    return np.array(rows)


def _perm_statistics(L, Dz, valid, w, c_gi, n_cohorts, agg):
    """Overall statistic for each row of cohort labels L (P x n); -1 = never treated."""
    P = L.shape[0]
    K = Dz.shape[1]
    Vw = valid.astype(float)
    num1 = np.zeros((P, K))
    den1 = np.zeros((P, K))
    pg = np.zeros((P, n_cohorts))
    wsum = w.sum()
    for c in range(n_cohorts):
        M = (L == c) * w
        pg[:, c] = M.sum(1) / wsum
        cols = np.nonzero(c_gi == c)[0]
        if len(cols):
            num1[:, cols] = M @ Dz[:, cols]
            den1[:, cols] = M @ Vw[:, cols]
    M0 = (L < 0) * w
    num0 = M0 @ Dz
    den0 = M0 @ Vw
    with np.errstate(invalid="ignore", divide="ignore"):
        att = num1 / den1 - num0 / den0
    att[~np.isfinite(att)] = np.nan
    return agg(att, pg[:, c_gi])


def _make_aggregator(kind, c_gi, e_cell, n_cohorts):
    """Vectorised overall statistic over P rows of cell ATTs (NaN cells skipped)."""
    def weighted(att, wts, member):  # member: K x m 0/1
        ok = np.isfinite(att)
        a = np.where(ok, att, 0.0)
        ww = np.where(ok, wts, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (a * ww) @ member / (ww @ member)

    if kind == "simple":
        def agg(att, pgc):
            return weighted(att, pgc, np.ones((att.shape[1], 1)))[:, 0]
    elif kind == "group":
        Mg = (c_gi[:, None] == np.arange(n_cohorts)[None, :]).astype(float)

        def agg(att, pgc):
            attg = weighted(att, np.ones_like(att), Mg)          # mean over the cohort's cells
            pgg = pgc @ Mg / np.maximum(Mg.sum(0), 1)            # cohort share
            ok = np.isfinite(attg)
            pw = np.where(ok, pgg, 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                return (np.where(ok, attg, 0.0) * pw).sum(1) / pw.sum(1)
    else:
        es = np.unique(e_cell)
        Me = (e_cell[:, None] == es[None, :]).astype(float)

        def agg(att, pgc):
            atte = weighted(att, pgc, Me)
            return np.nanmean(np.where(np.isfinite(atte), atte, np.nan), axis=1) if atte.size else \
                np.full(att.shape[0], np.nan)
    return agg


def _randomisation(cohort, Dz, valid, w, c_gi, c_post, e_cell, include, eseq, max_e, overall, n_cohorts,
                   n_permutations, rng):
    """Randomisation p-value for the overall statistic: reassign cohort labels among all units."""
    n = len(cohort)
    cells = np.nonzero(c_post)[0]
    if overall == "dynamic":
        cells = cells[include[cells] & np.isin(e_cell[cells], eseq[eseq >= 0])]
    else:
        cells = cells[e_cell[cells] <= (np.inf if max_e is None else max_e)]
    pc_gi, pe = c_gi[cells], e_cell[cells]
    aggf = _make_aggregator(overall, pc_gi, pe, n_cohorts)
    Dzp, validp = Dz[:, cells], valid[:, cells]

    def stat(L):
        return _perm_statistics(L, Dzp, validp, w, pc_gi, n_cohorts, aggf)

    t_obs = stat(cohort[None, :])[0]
    if not np.isfinite(t_obs):
        return np.nan, "not run (no post-period estimate)"
    tol = 1e-10 * max(1.0, abs(t_obs))
    counts = np.bincount(cohort + 1)
    log_assign = _log10_assignments([int(c) for c in counts[counts > 0]])
    if log_assign <= math.log10(_MAX_EXACT_ASSIGNMENTS) + 1e-9 and 10 ** log_assign * n <= 20_000_000:
        n_assign = int(round(10 ** log_assign))
        L = _all_assignments(cohort)
        values = np.concatenate([stat(L[s:s + 2000]) for s in range(0, len(L), 2000)])
        # NaN (a reassignment with no usable cell) counts as extreme: conservative
        return float((~(np.abs(values) < abs(t_obs) - tol)).mean()), f"exact, all {n_assign:,} assignments"
    if n_permutations <= 0:
        return np.nan, "not run (n_permutations=0)"
    R = int(n_permutations)
    hits = 0
    for s in range(0, R, 500):
        L = rng.permuted(np.broadcast_to(cohort, (min(500, R - s), n)), axis=1)
        hits += int((~(np.abs(stat(L)) < abs(t_obs) - tol)).sum())
    size = f"{round(10 ** log_assign):,}" if log_assign < 12 else f"about 10^{int(log_assign)}"
    return (1 + hits) / (1 + R), f"Monte Carlo, {R:,} random assignments out of {size}"


# --------------------------------------------------------------------------- public API
def staggered_did(
    data: pd.DataFrame,
    *,
    unit: str = "team_id",
    time: str = "period",
    outcome: str = "value",
    first_treated: str = "first_treated",
    weights: str | None = None,
    overall: str = "group",
    alpha: float = 0.05,
    min_e: float | None = None,
    max_e: float | None = None,
    balance_e: float | None = None,
    n_boot: int = 999,
    bootstrap_weights: str = "rademacher",
    n_permutations: int = 999,
    inference: str = "auto",
    min_units_asymptotic: int = 20,
    seed: int | np.random.Generator | None = 20230425,
) -> StaggeredDiDResult:
    r"""Group-time ATTs for staggered adoption, never-treated comparison (Callaway & Sant'Anna 2021).

    For each cohort :math:`g` (units first treated in period :math:`g`) and
    period :math:`t`, with :math:`C` the never-treated units,

    .. math::

        \widehat{ATT}(g,t) = \bar{\Delta Y}_{G=g} - \bar{\Delta Y}_{C},
        \qquad \Delta Y_i = Y_{i,t} - Y_{i,b(g,t)},

    where the base period is :math:`b = g-1` (the last period before
    :math:`g`) for post-periods :math:`t \ge g` (a "long difference") and
    :math:`b = t-1` for pre-periods :math:`t < g` (the "varying" base period):
    exactly ``did::att_gt(yname, tname, idname, gname, xformla = ~1,
    control_group = "nevertreated", base_period = "varying")``. Means are
    weighted by the optional unit weights. Aggregations follow ``did::aggte``:

    * ``simple``: :math:`\sum_{t \ge g} \pi_g ATT(g,t) / \sum_{t \ge g} \pi_g`
      (cohort share :math:`\pi_g` times number of post periods, so early
      cohorts weigh more);
    * ``group``: :math:`\theta_g = \text{mean}_{t \ge g} ATT(g,t)`, then
      :math:`\sum_g \pi_g \theta_g / \sum_g \pi_g` (did's default and the
      authors' recommended overall summary);
    * ``dynamic``: :math:`\theta(e) = \sum_{g} \pi_g ATT(g, g+e) / \sum_g
      \pi_g` per event time :math:`e = t - g`; the overall is the mean of
      :math:`\theta(e)` over :math:`e \ge 0`.

    Parameters
    ----------
    data : DataFrame
        Long panel, one row per unit and period. Missing unit-periods (or a
        blank outcome) are allowed: each ATT(g,t) uses the units observed in
        *both* of its periods (pairwise-balanced). This differs from
        ``did``'s default (which drops every unit with any missing period)
        and from ``allow_unbalanced_panel = TRUE`` (a repeated-cross-section
        style estimator); on a balanced panel all three agree.
    unit, time, outcome, first_treated : str
        Column names. ``time`` holds numbers (e.g. months 1..36, years) or
        dates (read as calendar months). ``first_treated`` is the first
        treated period on the same scale; 0 or blank means never treated.
        Units whose start is after the last period are counted as never
        treated within the window (as ``did`` does); a start at or before
        the first period is an error (there is no before-period).
    weights : str, optional
        Column with one positive weight per unit (e.g. staff count);
        default equal weights.
    overall : {"group", "simple", "dynamic"}
        Which aggregation fills the one-row ``overall`` table (all three are
        in ``aggregates``).
    alpha : float
        1 - confidence level for intervals and bands.
    min_e, max_e : float, optional
        Event-time window for the event study (``did``'s ``min_e``/``max_e``;
        ``max_e`` also limits the post periods used by ``simple`` and ``group``).
    balance_e : float, optional
        Keep only cohorts observed for at least ``balance_e`` periods after
        starting, and event times up to ``balance_e`` (``did``'s ``balance_e``).
    n_boot : int
        Multiplier-bootstrap draws for simultaneous bands (0 = none).
    bootstrap_weights : {"rademacher", "mammen"}
        Multiplier distribution (current ``did`` uses Rademacher).
    n_permutations : int
        Random reassignments for the randomisation p-value when the number of
        distinct assignments exceeds 10,000; below that every assignment is
        enumerated and the p-value is exact. 0 skips it.
    inference : {"auto", "analytic", "randomisation"}
        Which inference gives ``overall.p_value``. ``"auto"`` (default) uses
        the analytic influence-function p-value only when there are at least
        ``min_units_asymptotic`` treated *and* never-treated units, and the
        randomisation p-value otherwise; see Notes.
    min_units_asymptotic : int
        Threshold for ``"auto"``.
    seed : int or numpy Generator or None
        Seeds the bootstrap and the Monte Carlo permutations (reproducible by
        default).

    Returns
    -------
    StaggeredDiDResult

    Raises
    ------
    InputError
        Missing columns, text times, duplicate unit-periods, a start that
        changes within a unit, no never-treated units, no treated units, or a
        cohort that starts at or before the first period.

    Notes
    -----
    **Inference.** Standard errors come from the influence function of each
    estimator, clustered by unit (each unit's whole series is one
    observation), as in ``did`` with ``bstrap = FALSE``:
    :math:`SE = \sqrt{\sum_i \psi_i^2}/n`. Simultaneous bands use ``did``'s
    multiplier bootstrap (sup-t critical value from ``n_boot`` draws, applied
    to the analytic SE). Both are large-sample approximations in the number
    of units. With the handful of teams and four comparison units typical of
    an improvement collaborative they are unreliable (the SE of a mean of
    four units is itself very noisy, and a single treated unit contributes
    no variance at all), so by default (``inference="auto"``) the reported
    p-value is then the **randomisation** p-value: cohort labels (including
    "never treated") are reassigned among all units, the overall statistic
    recomputed, and :math:`p = \#\{|T_\pi| \ge |T_{obs}|\} / \#\pi`. With few
    units every distinct assignment is enumerated, so the p-value is exact
    under the sharp null of no effect for any unit (e.g. one treated unit
    and four comparison units give only 5 assignments, so p >= 0.2: no
    result can be "significant"). With exactly one treated or one comparison
    unit, SEs, intervals and bands are set to NaN and ``se_credible`` is
    False. The pre-trend Wald statistic is
    :math:`W = n\,\hat a' \hat V^{-1} \hat a`, :math:`\hat V = \Psi'\Psi/n`
    over the pre-period cells, referred to :math:`\chi^2_{\#pre}` (as
    ``did``).

    References
    ----------
    Callaway, B. and Sant'Anna, P. H. C. (2021). Difference-in-Differences
    with multiple time periods. *Journal of Econometrics*, 225(2), 200-230.
    """
    if overall not in _AGGREGATIONS:
        raise InputError(f"overall must be one of {', '.join(_AGGREGATIONS)}, not {overall!r}")
    if inference not in _INFERENCE:
        raise InputError(f"inference must be one of {', '.join(_INFERENCE)}, not {inference!r}")
    if bootstrap_weights not in _BOOT_WEIGHTS:
        raise InputError(f"bootstrap_weights must be 'rademacher' or 'mammen', not {bootstrap_weights!r}")
    if not (0 < alpha < 1):
        raise InputError(f"alpha must be between 0 and 1, not {alpha!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    warns: list[str] = []

    Y, tlist, g_unit, w, unit_ids, t_is_date, n_blank = _prepare(data, unit, time, outcome, first_treated, weights)
    label = _month_label if t_is_date else (lambda v: int(v) if float(v).is_integer() else float(v))
    if n_blank:
        warns.append(f"{n_blank} row(s) with a blank outcome were treated as missing months")
    n_missing = int(np.isnan(Y).sum())
    if n_missing:
        warns.append(f"{n_missing} of {Y.size} unit-periods have no outcome; each ATT(g,t) uses the units "
                     "observed in both of its periods")
    # cohorts
    late = np.isfinite(g_unit) & (g_unit > tlist[-1])
    if late.any():
        warns.append(f"{int(late.sum())} unit(s) start after the last period and are used as never-treated "
                     "comparison units (as did does)")
        g_unit = np.where(late, np.nan, g_unit)
    early = np.isfinite(g_unit) & (g_unit <= tlist[0])
    if early.any():
        bad = unit_ids[int(np.argmax(early))]
        raise InputError(f"unit {bad!r} in column {first_treated!r} starts at {label(g_unit[early][0])}, at or "
                         f"before the first period {label(tlist[0])}; it has no before-period, so drop it")
    never = ~np.isfinite(g_unit)
    if never.sum() == 0:
        raise InputError(f"no never-treated units: column {first_treated!r} needs 0 or blank for the "
                         "comparison units")
    if never.all():
        raise InputError(f"no treated units: every value of column {first_treated!r} is 0 or blank")
    glist = np.unique(g_unit[~never])
    cohort = np.full(len(g_unit), -1, dtype=np.int64)
    cohort[~never] = np.searchsorted(glist, g_unit[~never])
    n = len(g_unit)
    n_treated_units = int((~never).sum())
    n_control_units = int(never.sum())
    w_norm = w * n / w.sum()
    pgg = np.bincount(cohort[~never], weights=w_norm[~never], minlength=len(glist)) / n

    # ---------------------------------------------------------------- ATT(g,t)
    c_gi, c_ti, c_bi, c_post = _cells(tlist, glist)
    att, psi, n1, n0, Dz, valid = _att_and_if(Y, w, cohort, c_gi, c_ti, c_bi)
    K = len(att)
    se_gt = np.sqrt((psi ** 2).sum(0)) / n
    se_gt[~np.isfinite(att)] = np.nan
    g_val, t_val, b_val = glist[c_gi], tlist[c_ti], tlist[c_bi]
    e_cell = t_val - g_val
    if np.isnan(att).any():
        warns.append(f"{int(np.isnan(att).sum())} group-time cell(s) have no treated or no comparison unit "
                     "observed in both periods and are left out")
    post_valid = (cohort[:, None] == c_gi[None, c_post]) & valid[:, c_post]
    lost = (cohort >= 0) & ~post_valid.any(1)
    if lost.any():
        warns.append(f"{int(lost.sum())} treated unit(s) have no outcome in the period before their start "
                     "(or none after it) and drop out of every post-period estimate")
    z = float(stats.norm.ppf(1 - alpha / 2))
    se_credible = n_treated_units >= 2 and n_control_units >= 2
    few = min(n_treated_units, n_control_units) < min_units_asymptotic

    fin = np.isfinite(att)
    boot_gt_se, crit_gt = _mboot(psi[:, fin], n_boot, bootstrap_weights, rng, alpha)
    se_boot_gt = np.full(K, np.nan)
    se_boot_gt[fin] = boot_gt_se

    # ---------------------------------------------------------------- aggregations
    pg_cell = pgg[c_gi]
    post_cells = np.nonzero(c_post & (e_cell <= (np.inf if max_e is None else max_e)))[0]
    # simple
    simple_att, simple_if = _agg_pg(att, psi, post_cells, pg_cell, w_norm, cohort, c_gi)
    # group
    g_att = np.full(len(glist), np.nan)
    g_if = np.zeros((n, len(glist)))
    for gi in range(len(glist)):
        cells = post_cells[(c_gi[post_cells] == gi) & np.isfinite(att[post_cells])]
        if len(cells):
            g_att[gi] = att[cells].mean()
            g_if[:, gi] = psi[:, cells].mean(1)
    okg = np.isfinite(g_att)
    Sg = pgg[okg].sum()
    group_att = float((pgg[okg] * g_att[okg]).sum() / Sg) if okg.any() else np.nan
    group_if = g_if[:, okg] @ (pgg[okg] / Sg) if okg.any() else np.zeros(n)
    tr = cohort >= 0
    if okg.any():
        A = np.where(okg, g_att, 0.0)
        extra = np.zeros(n)
        extra[tr] = w_norm[tr] * okg[cohort[tr]] * (A[cohort[tr]] - group_att) / Sg
        group_if = group_if + extra
    # dynamic
    include = np.ones(K, dtype=bool)
    eseq = np.unique(e_cell)
    if balance_e is not None:
        include = (tlist[-1] - g_val) >= balance_e
        eseq = eseq[(eseq <= balance_e) & (eseq >= balance_e - (tlist[-1] - tlist[1]))]
    if min_e is not None:
        eseq = eseq[eseq >= min_e]
    if max_e is not None:
        eseq = eseq[eseq <= max_e]
    e_att, e_if, e_ng, e_nt = [], [], [], []
    for e in eseq:
        cells = np.nonzero((e_cell == e) & include)[0]
        a, f = _agg_pg(att, psi, cells, pg_cell, w_norm, cohort, c_gi)
        cells = cells[np.isfinite(att[cells])]
        e_att.append(a)
        e_if.append(f)
        e_ng.append(len(cells))
        e_nt.append(int(np.isin(cohort, c_gi[cells]).sum()))
    e_att = np.array(e_att, dtype=float)
    e_if = np.column_stack(e_if) if e_if else np.zeros((n, 0))
    keep_e = np.isfinite(e_att)
    epos = (eseq >= 0) & keep_e
    dyn_att = float(e_att[epos].mean()) if epos.any() else np.nan
    dyn_if = e_if[:, epos].mean(1) if epos.any() else np.zeros(n)

    agg_est = {"simple": (simple_att, simple_if), "group": (group_att, group_if), "dynamic": (dyn_att, dyn_if)}

    # bootstrap bands for event study and group effects
    se_e = np.array([_se(e_if[:, j]) for j in range(e_if.shape[1])])
    boot_e_se = np.full(len(eseq), np.nan)
    crit_e = z
    if keep_e.any():
        s, crit_e = _mboot(e_if[:, keep_e], n_boot, bootstrap_weights, rng, alpha)
        boot_e_se[keep_e] = s
    se_g = np.array([_se(g_if[:, j]) if okg[j] else np.nan for j in range(len(glist))])
    boot_g_se = np.full(len(glist), np.nan)
    crit_g = z
    if okg.any():
        s, crit_g = _mboot(g_if[:, okg], n_boot, bootstrap_weights, rng, alpha)
        boot_g_se[okg] = s

    # ---------------------------------------------------------------- pre-trend Wald
    pre_cells = np.nonzero(~c_post & fin)[0]
    wald, wald_p = np.nan, np.nan
    if len(pre_cells):
        Vpre = psi[:, pre_cells].T @ psi[:, pre_cells] / n
        a_pre = att[pre_cells]
        if se_credible and np.linalg.cond(Vpre) < 1 / np.finfo(float).eps:
            wald = float(n * a_pre @ np.linalg.solve(Vpre, a_pre))
            wald_p = float(stats.chi2.sf(wald, len(pre_cells)))
        else:
            warns.append("the pre-trend Wald test could not be computed (singular covariance or too few units)")
    pretrend = pd.DataFrame({"wald_statistic": [wald], "df": [len(pre_cells)], "p_value": [wald_p],
                             "n_pre_cells": [len(pre_cells)]})

    # ---------------------------------------------------------------- randomisation
    theta, theta_if = agg_est[overall]
    use_rand = inference == "randomisation" or (inference == "auto" and (few or not se_credible))
    p_rand, rand_desc = np.nan, "not run"
    if n_permutations > 0 or use_rand:
        p_rand, rand_desc = _randomisation(cohort, Dz, valid, w, c_gi, c_post, e_cell, include, eseq, max_e,
                                           overall, len(glist), n_permutations, rng)
    if use_rand and not np.isfinite(p_rand):
        if inference == "randomisation":
            raise InputError(f"the randomisation p-value could not be computed ({rand_desc}); "
                             "set n_permutations above 0")
        use_rand = False
        warns.append(f"the randomisation p-value was not computed ({rand_desc}), so the analytic p-value is "
                     "reported although there are few units")

    if not se_credible:
        warns.append(f"only {n_treated_units} treated and {n_control_units} comparison unit(s): no standard "
                     "error, interval or band is credible, so they are left blank; read the estimate with the "
                     "randomisation p-value")
    elif few:
        warns.append(f"only {n_treated_units} treated and {n_control_units} comparison units: the "
                     "influence-function standard errors and bands assume many units and are likely too "
                     "narrow; " + ("the p-value reported is the randomisation p-value" if use_rand else
                                   "prefer the randomisation p-value (p_randomisation)"))

    # ---------------------------------------------------------------- overall row
    se_theta = _se(theta_if) if (np.isfinite(theta) and se_credible) else np.nan
    p_analytic = float(2 * stats.norm.sf(abs(theta / se_theta))) if se_theta > 0 else np.nan
    ci = (theta - z * se_theta, theta + z * se_theta)
    if use_rand:
        method = f"randomisation ({rand_desc})"
    else:
        method = "analytic influence function (clustered by unit)"
    ci_method = ("analytic influence function (unreliable with few units)" if few and se_credible else
                 "none (one treated or one comparison unit)" if not se_credible else
                 "analytic influence function")
    overall_df = pd.DataFrame([{
        "aggregation": overall, "att": theta, "se": se_theta, "ci_low": ci[0], "ci_high": ci[1],
        "p_value": p_rand if use_rand else p_analytic, "method": method, "ci_method": ci_method,
        "n_treated_units": n_treated_units, "n_control_units": n_control_units,
        "p_randomisation": p_rand, "randomisation": rand_desc,
    }])
    agg_rows = []
    for name, (a, f) in agg_est.items():
        s = _se(f) if (np.isfinite(a) and se_credible) else np.nan
        agg_rows.append({"aggregation": name, "att": a, "se": s, "ci_low": a - z * s, "ci_high": a + z * s,
                         "p_value_analytic": float(2 * stats.norm.sf(abs(a / s))) if s > 0 else np.nan})
    aggregates = pd.DataFrame(agg_rows)

    # ---------------------------------------------------------------- tables
    nan_if = (lambda v: np.full_like(np.asarray(v, dtype=float), np.nan)) if not se_credible else (lambda v: v)
    se_gt_r, se_e_r, se_g_r = nan_if(se_gt), nan_if(np.where(keep_e, se_e, np.nan)), nan_if(se_g)
    group_time = pd.DataFrame({
        "group": [label(v) for v in g_val], "time": [label(v) for v in t_val],
        "base_time": [label(v) for v in b_val], "event_time": e_cell if not t_is_date else e_cell.astype(int),
        "att": att, "se": se_gt_r, "ci_low": att - z * se_gt_r, "ci_high": att + z * se_gt_r,
        "band_low": att - crit_gt * se_gt_r, "band_high": att + crit_gt * se_gt_r,
        "se_bootstrap": nan_if(se_boot_gt), "n_treated": n1, "n_control": n0, "pre": ~c_post,
    })
    event_study = pd.DataFrame({
        "event_time": eseq if not t_is_date else eseq.astype(int), "att": e_att, "se": se_e_r,
        "ci_low": e_att - z * se_e_r, "ci_high": e_att + z * se_e_r,
        "band_low": e_att - crit_e * se_e_r, "band_high": e_att + crit_e * se_e_r,
        "se_bootstrap": nan_if(boot_e_se), "n_groups": np.array(e_ng, dtype=int),
        "n_treated": np.array(e_nt, dtype=int), "pre": eseq < 0,
    })
    if not t_is_date and np.all(np.mod(event_study["event_time"], 1) == 0):
        event_study["event_time"] = event_study["event_time"].astype(int)
        group_time["event_time"] = group_time["event_time"].astype(int)
    group_effects = pd.DataFrame({
        "group": [label(v) for v in glist], "att": g_att, "se": se_g_r,
        "ci_low": g_att - z * se_g_r, "ci_high": g_att + z * se_g_r,
        "band_low": g_att - crit_g * se_g_r, "band_high": g_att + crit_g * se_g_r,
        "se_bootstrap": nan_if(boot_g_se), "n_treated": np.bincount(cohort[tr], minlength=len(glist)),
    })
    settings = MappingProxyType({
        "alpha": alpha, "control_group": "never treated",
        "base_period": "varying (t-1) before the start, g-1 after (did default)",
        "unbalanced": "each ATT(g,t) uses units observed in both of its periods",
        "estimator": "unconditional DiD of means (no covariates)",
        "overall": overall, "inference": "randomisation" if use_rand else "analytic",
        "inference_requested": inference, "min_units_asymptotic": min_units_asymptotic,
        "n_boot": n_boot, "bootstrap_weights": bootstrap_weights,
        "n_permutations": n_permutations, "randomisation": rand_desc,
        "seed": seed if not isinstance(seed, np.random.Generator) else "Generator",
        "min_e": min_e, "max_e": max_e, "balance_e": balance_e,
        "critical_value_group_time": crit_gt, "critical_value_event_study": crit_e,
        "n_units": n, "n_periods": len(tlist),
    })
    return StaggeredDiDResult(group_time=group_time, event_study=event_study, group_effects=group_effects,
                              overall=overall_df, aggregates=aggregates, pretrend=pretrend, settings=settings,
                              warnings=tuple(warns), se_credible=se_credible)
