"""Comparison with non-participating units: difference-in-differences (DiD).

Participating teams are compared with comparison units before and after the
start. With 12 participating and 4 comparison units there are only 16 clusters,
too few for cluster-robust standard errors to be trusted, so the p-value and CI
that are REPORTED come from a wild cluster bootstrap (restricted, with the null
imposed; Webb six-point weights) and a randomisation-inference p-value is given
beside it. The usual two-way fixed-effects estimate with cluster-robust errors is
kept in the table for reference. Re-exported by :mod:`evalkit.effects.its`.
"""
from __future__ import annotations

import html
import itertools
import math
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.linear_model import WLS

from evalkit.errors import InputError

__all__ = ["DiDResult", "difference_in_differences", "webb_weights"]

# Webb (2014) six-point distribution: ±sqrt(1/2), ±1, ±sqrt(3/2), each with probability 1/6.
_WEBB = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])
_RADEMACHER = np.array([-1.0, 1.0])
_METHOD_LABEL = {
    "twfe_cluster_robust": "two-way fixed effects, cluster-robust (CR1) errors, t(G−1)",
    "wild_cluster_bootstrap": "wild cluster restricted bootstrap (WCR), CI by test inversion",
    "randomisation_inference": "randomisation inference over which units were treated (p-value only)",
}


@dataclass(frozen=True)
class DiDResult:
    """Difference-in-differences result (see :func:`difference_in_differences`).

    Attributes
    ----------
    estimates : DataFrame
        One row per inference method: ``method`` (twfe_cluster_robust,
        wild_cluster_bootstrap, randomisation_inference), ``description``,
        ``estimate``, ``std_error``, ``ci_low``, ``ci_high``, ``p_value``,
        ``reported`` (True on the one row the report quotes).
    event_study : DataFrame
        ``event_time`` (months relative to the start; −1 is the reference),
        ``estimate``, ``std_error``, ``ci_low``, ``ci_high``, ``p_value``,
        ``n_units`` (treated units observed at that event time), ``binned``
        (True for the end bins that collect all earlier/later months),
        ``reference`` (True on the −1 row, fixed at 0).
    warnings : tuple of str
    n_units, n_treated, n_comparison, n_obs : int
    pretrend_p : float
        Wild cluster bootstrap p-value of a differential linear trend before
        the start (participating vs comparison units, not-yet-started rows
        only; 1 degree of freedom). Small values mean the trends were not
        parallel before the start.
    settings : dict
        n_boot, seed, bootstrap_weights, reported, conf_level, n_permutations,
        exact_permutation, event_window.
    """

    estimates: pd.DataFrame
    event_study: pd.DataFrame
    warnings: tuple[str, ...]
    n_units: int
    n_treated: int
    n_comparison: int
    n_obs: int
    pretrend_p: float
    settings: dict = field(default_factory=dict)

    @property
    def reported(self) -> pd.Series:
        """The row whose estimate, CI and p-value the report quotes."""
        return self.estimates[self.estimates["reported"]].iloc[0]

    @property
    def estimate(self) -> float:
        return float(self.reported["estimate"])

    @property
    def ci(self) -> tuple[float, float]:
        r = self.reported
        return float(r["ci_low"]), float(r["ci_high"])

    @property
    def p_value(self) -> float:
        return float(self.reported["p_value"])

    def _repr_html_(self) -> str:
        head = (f"<p><b>Difference-in-differences</b>: {self.n_treated} participating and {self.n_comparison} "
                f"comparison units, {self.n_obs} unit-months</p>")
        warn = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
        return head + (f"<ul>{warn}</ul>" if warn else "") + self.estimates.to_html(index=False, na_rep="–")


def webb_weights() -> np.ndarray:
    """The six values of Webb's (2014) wild-bootstrap weight distribution (equal probability)."""
    return _WEBB.copy()


# --------------------------------------------------------------------------- helpers
def _time_index(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(values):
        v = pd.DatetimeIndex(values)
        return (v.year.to_numpy() * 12 + v.month.to_numpy() - 1).astype(float)
    out = pd.to_numeric(values, errors="coerce")
    if out.isna().any():
        bad = values[out.isna()].iloc[0]
        raise InputError(f"time column value {bad!r} is not a month or a number; give months as dates "
                         "(datetime64, first of month) or months as numbers")
    return out.to_numpy(dtype=float)


def _scalar_time(value, datetime_like: bool) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return np.nan
    if datetime_like:
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError) as exc:
            raise InputError(f"start {value!r} is not a month; use YYYY-MM") from exc
        if ts is pd.NaT:
            return np.nan
        return float(ts.year * 12 + ts.month - 1)
    return float(value)


def _orthobasis(X: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the column space of X (SVD; drops collinear columns)."""
    u, s, _ = np.linalg.svd(X, full_matrices=False)
    keep = s > s.max() * max(X.shape) * np.finfo(float).eps
    return u[:, keep]


def _resid(Q: np.ndarray, v: np.ndarray) -> np.ndarray:
    return v - Q @ (Q.T @ v)


# --------------------------------------------------------------------------- DiD
def difference_in_differences(
    panel: pd.DataFrame,
    *,
    unit: str = "team_id",
    time: str = "period",
    outcome: str = "value",
    treated: str | None = None,
    post: str | None = None,
    start_by_unit: Mapping | None = None,
    weights: str | None = None,
    n_boot: int = 9999,
    seed: int = 20230425,
    bootstrap_weights: str = "webb",
    reported: str = "wild_cluster_bootstrap",
    n_permutations: int = 9999,
    event_window: tuple[int, int] | None = (-12, 12),
    conf_level: float = 0.95,
) -> DiDResult:
    """Two-way fixed-effects difference-in-differences with few-cluster-valid inference.

    Model: ``outcome_it = a_i + g_t + beta·D_it + e_it`` with unit effects
    ``a_i``, month effects ``g_t`` and ``D_it = 1`` for a participating unit in
    or after its start month. ``beta`` is the average change in participating
    units over and above the change in comparison units.

    Parameters
    ----------
    panel : DataFrame
        One row per unit × month (long form). Rows with a missing outcome are
        left out.
    unit, time, outcome : str
        Column names: unit id, month (datetime64 or number), outcome (in the
        measure's unit, e.g. % per month).
    treated : str, optional
        Column of booleans, True for participating units (constant within unit).
        Not needed when ``start_by_unit`` is given.
    post : str, optional
        Column of booleans, True in and after the (common) start month. Give
        this OR ``start_by_unit``.
    start_by_unit : mapping, optional
        ``{unit_id: start month}`` for participating units (staggered starts
        allowed); units not in it, or with a missing start, are comparison units.
    weights : str, optional
        Column of analytic weights (e.g. headcount); weighted least squares.
    n_boot : int, default 9999
        Wild bootstrap replications.
    seed : int, default 20230425
        Seed for the bootstrap weights and sampled permutations (results are
        deterministic for a given seed).
    bootstrap_weights : {"webb", "rademacher"}, default "webb"
        Webb's six-point weights are preferred with fewer than ~12 clusters
        (Rademacher has only 2^G distinct draws).
    reported : {"wild_cluster_bootstrap", "randomisation_inference", "twfe_cluster_robust"}
        Which row the report quotes. Default the wild cluster bootstrap, the
        only one of the three that gives both a p-value and a CI that are
        valid with few clusters. (Randomisation inference gives a p-value only;
        if chosen, its CI is the bootstrap's.)
    n_permutations : int, default 9999
        Randomisation inference: every possible assignment of the treated units
        (with their start months) is enumerated when there are at most this
        many; otherwise this many are sampled (with the seed).
    event_window : (int, int) or None, default (-12, 12)
        Event-study leads/lags; months before/after are binned into the end
        points. −1 is the reference month. None skips the event study (e.g. in
        simulations); ``event_study`` is then empty.
    conf_level : float, default 0.95

    Returns
    -------
    DiDResult
        ``.estimates`` (method, description, estimate, std_error, ci_low,
        ci_high, p_value, reported), ``.event_study`` (event_time, estimate,
        std_error, ci_low, ci_high, p_value, n_units, binned, reference),
        ``.warnings``, ``.pretrend_p`` and the counts. ``.estimate``, ``.ci``
        and ``.p_value`` give the reported row.

    Raises
    ------
    InputError
        Missing columns, neither/both of ``post`` and ``start_by_unit``, no
        treated or no comparison units, unknown option values.

    Notes
    -----
    Cluster-robust (CR1) errors: ``V = c · Σ_g s_g s_g' / (D̃'D̃)²`` with
    ``c = G/(G−1)·(N−1)/(N−K)`` and t(G−1) reference (Cameron & Miller 2015,
    J Hum Resour 50:317–372). They over-reject when G is small.

    Wild cluster restricted bootstrap (WCR; Cameron, Gelbach & Miller 2008,
    Rev Econ Stat 90:414–427; Roodman, MacKinnon, Nielsen & Webb 2019, Stata J
    19:4–60): residuals from the model with ``beta = beta0`` imposed are
    multiplied by one weight per cluster, the model is re-fitted and the
    bootstrap t-statistics are compared with the observed one (symmetric
    two-sided p-value). The p-value is for ``beta0 = 0``; the CI collects every
    ``beta0`` not rejected at ``1 − conf_level`` (test inversion by bisection,
    the same weight draws for every ``beta0``). Everything is computed by the
    Frisch–Waugh–Lovell theorem in closed form, so 9999 replications take a
    fraction of a second. With few *treated* or few *comparison* clusters
    the WCR tends to be conservative (MacKinnon & Webb 2017, J Appl Econom
    32:233–254).

    Randomisation inference (Fisher): the t-statistic is recomputed for every
    re-assignment of the participating units' start months to units; the
    p-value is the share at least as extreme as the observed one (observed
    included). Valid under the sharp null of no effect in any unit.

    With staggered starts, two-way fixed effects averages comparisons that
    include already-treated units as controls (Goodman-Bacon 2021, J Econom
    225:254–277); a warning says so.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> p = pd.DataFrame([(u, t) for u in range(8) for t in range(20)], columns=["u", "t"])
    >>> p["tr"] = p["u"] < 4
    >>> p["post"] = p["t"] >= 10
    >>> p["y"] = rng.normal(size=len(p)) + 2.0 * (p["tr"] & p["post"])
    >>> r = difference_in_differences(p, unit="u", time="t", outcome="y", treated="tr", post="post", n_boot=999)
    >>> 1.0 < r.estimate < 3.0
    True
    """
    if bootstrap_weights not in ("webb", "rademacher"):
        raise InputError(f"bootstrap_weights {bootstrap_weights!r} is not known; use 'webb' or 'rademacher'")
    if reported not in _METHOD_LABEL:
        raise InputError(f"reported {reported!r} is not known; use one of {', '.join(_METHOD_LABEL)}")
    if (post is None) == (start_by_unit is None):
        raise InputError("give either post= (a column, common start) or start_by_unit= (a mapping), not both or neither")
    if n_boot < 99:
        raise InputError(f"n_boot {n_boot} is too small; use at least 999 (default 9999)")
    if not 0 < conf_level < 1:
        raise InputError(f"conf_level {conf_level!r} must be between 0 and 1, e.g. 0.95")
    cols = [unit, time, outcome] + [c for c in (treated, post, weights) if c is not None]
    missing = [c for c in cols if c not in panel.columns]
    if missing:
        raise InputError(f"column(s) {', '.join(missing)} not in the panel; it has {', '.join(map(str, panel.columns))}")

    d = panel[cols].copy()
    d[outcome] = pd.to_numeric(d[outcome], errors="coerce")
    keep = d[outcome].notna()
    if weights is not None:
        d[weights] = pd.to_numeric(d[weights], errors="coerce")
        keep &= d[weights].notna() & (d[weights] > 0)
    d = d[keep].reset_index(drop=True)
    dt_like = pd.api.types.is_datetime64_any_dtype(d[time])
    tix = _time_index(d[time])
    units = pd.Index(pd.unique(d[unit].astype(object)))
    ucode = units.get_indexer(d[unit].astype(object))

    # start month per unit (NaN = comparison unit)
    if start_by_unit is not None:
        starts = np.array([_scalar_time(start_by_unit.get(u), dt_like) for u in units], float)
        if treated is not None:
            tr_flag = d.groupby(ucode)[treated].first().reindex(range(len(units))).fillna(False).astype(bool).to_numpy()
            starts = np.where(tr_flag, starts, np.nan)
    else:
        if treated is None:
            raise InputError("post= needs treated= (a column of True for participating units)")
        tr = d[treated].astype(bool).to_numpy()
        ps = d[post].astype(bool).to_numpy()
        starts = np.full(len(units), np.nan)
        first_post = pd.Series(tix[tr & ps]).groupby(ucode[tr & ps]).min()
        starts[first_post.index.to_numpy()] = first_post.to_numpy()
    n_treated = int(np.isfinite(starts).sum())
    n_comp = len(units) - n_treated
    if n_treated == 0 or n_comp == 0:
        raise InputError(f"DiD needs participating and comparison units; found {n_treated} participating and {n_comp} comparison")

    D = (np.isfinite(starts[ucode]) & (tix >= np.nan_to_num(starts[ucode], nan=np.inf))).astype(float)
    y = d[outcome].to_numpy(float)
    w = d[weights].to_numpy(float) if weights is not None else np.ones(len(d))
    sw = np.sqrt(w)
    times = np.unique(tix)
    tcode = np.searchsorted(times, tix)
    G, T, N = len(units), len(times), len(d)
    FE = np.zeros((N, G + T - 1))
    FE[np.arange(N), ucode] = 1.0
    later = tcode > 0
    FE[np.arange(N)[later], G + tcode[later] - 1] = 1.0
    Q = _orthobasis(FE * sw[:, None])
    K = Q.shape[1] + 1
    yt = _resid(Q, y * sw)
    Dt = _resid(Q, D * sw)
    S = float(Dt @ Dt)
    if S <= 1e-12:
        raise InputError("the treatment indicator is collinear with unit and month effects; check the start months")
    beta = float(Dt @ yt) / S
    e = yt - beta * Dt
    C = np.zeros((N, G))
    C[np.arange(N), ucode] = 1.0
    corr = G / (G - 1) * (N - 1) / (N - K)
    scores = C.T @ (Dt * e)
    se = math.sqrt(corr * float(scores @ scores)) / S
    alpha = 1 - conf_level

    # statsmodels TWFE with cluster-robust errors (the conventional row; same beta as above)
    exog = np.column_stack([D, FE])
    ols = WLS(y, exog, weights=w).fit(cov_type="cluster", cov_kwds={"groups": ucode}, use_t=True)
    b_sm, se_sm = float(ols.params[0]), float(ols.bse[0])
    crit = stats.t.ppf(1 - alpha / 2, G - 1)
    p_sm = float(2 * stats.t.sf(abs(b_sm / se_sm), G - 1)) if se_sm > 0 else np.nan

    # wild cluster restricted bootstrap, closed form (see Notes)
    rng = np.random.default_rng(seed)
    vals = _WEBB if bootstrap_weights == "webb" else _RADEMACHER
    V = rng.choice(vals, size=(G, n_boot))
    boot_p = _wcr(Q, yt, Dt, C, corr, V)
    p_wild = boot_p(0.0)
    ci_wild = (_invert(boot_p, beta, se, -1, alpha), _invert(boot_p, beta, se, +1, alpha))

    # randomisation inference: re-assign the treated units' start months to units
    p_ri, n_perm_used, exact = _randomisation_p(Q, yt, tix, ucode, starts, sw, C, corr, beta, se,
                                                n_permutations, rng)

    warnings: list[str] = []
    if G < 30:
        warnings.append(f"only {G} units: cluster-robust errors are unreliable with so few clusters, so the "
                        f"{'wild cluster bootstrap' if reported == 'wild_cluster_bootstrap' else reported.replace('_', ' ')} "
                        "p-value and CI are the ones reported")
    if min(n_treated, n_comp) < 6:
        warnings.append(f"only {min(n_treated, n_comp)} {'comparison' if n_comp <= n_treated else 'participating'} "
                        "units: bootstrap and randomisation p-values are coarse and tend to be conservative")
    if len(np.unique(starts[np.isfinite(starts)])) > 1:
        warnings.append("participating units start in different months; two-way fixed effects then mixes "
                        "comparisons with already-started units (Goodman-Bacon 2021); read the event study")

    if event_window is None:
        es = pd.DataFrame(columns=["event_time", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n_units",
                                   "binned", "reference"])
    else:
        es = _event_study(y, w, tix, ucode, starts, FE, event_window, G, alpha)
    pretrend_p = _pretrend_p(y, sw, tix, ucode, starts, D, V, G)
    if np.isfinite(pretrend_p) and pretrend_p < 0.05:
        warnings.append(f"before the start the trends already differed (test of a differential pre-start trend p = {pretrend_p:.3f}); "
                        "the DiD estimate may be biased")

    rows = [
        ("twfe_cluster_robust", b_sm, se_sm, b_sm - crit * se_sm, b_sm + crit * se_sm, p_sm),
        ("wild_cluster_bootstrap", beta, se, ci_wild[0], ci_wild[1], p_wild),
        ("randomisation_inference", beta, np.nan, np.nan, np.nan, p_ri),
    ]
    est = pd.DataFrame(rows, columns=["method", "estimate", "std_error", "ci_low", "ci_high", "p_value"])
    est.insert(1, "description", est["method"].map(_METHOD_LABEL))
    est["reported"] = est["method"] == reported
    if reported == "randomisation_inference":
        est.loc[est["reported"], ["ci_low", "ci_high"]] = ci_wild
    settings = dict(n_boot=n_boot, seed=seed, bootstrap_weights=bootstrap_weights, reported=reported,
                    conf_level=conf_level, n_permutations=n_perm_used, exact_permutation=exact,
                    event_window=tuple(event_window) if event_window is not None else None,
                    weights=weights)
    return DiDResult(estimates=est, event_study=es, warnings=tuple(warnings), n_units=G, n_treated=n_treated,
                     n_comparison=n_comp, n_obs=N, pretrend_p=pretrend_p, settings=settings)


def _wcr(Q, yt, Dt, C, corr, V):
    """Return p(beta0): the wild cluster restricted bootstrap p-value of H0: beta = beta0.

    ``Q`` is an orthonormal basis of the fixed effects, ``yt``/``Dt`` the outcome and
    regressor with the fixed effects partialled out, ``C`` the N × G cluster indicator,
    ``V`` the G × B bootstrap weights. Closed form by Frisch–Waugh–Lovell: with
    u(beta0) = yt − beta0·Dt, bootstrap beta* − beta0 = a'v / S and the bootstrap cluster
    scores are A v − (beta* − beta0)·c, where a_g = Σ_g Dt·u, c_g = Σ_g Dt² and
    A = C' diag(Dt) M W with W_ig = u_i·1[i in g] and M the fixed-effects annihilator.
    """
    S = float(Dt @ Dt)
    beta = float(Dt @ yt) / S
    e = yt - beta * Dt
    sc = C.T @ (Dt * e)
    se = math.sqrt(corr * float(sc @ sc)) / S
    cg = C.T @ (Dt * Dt)
    ay = C.T @ (Dt * yt)
    Ay = C.T @ (Dt[:, None] * _resid(Q, yt[:, None] * C))
    Ad = C.T @ (Dt[:, None] * _resid(Q, Dt[:, None] * C))

    def p_of(beta0: float) -> float:
        a = ay - beta0 * cg
        A = Ay - beta0 * Ad
        db = (a @ V) / S
        s = A @ V - np.outer(cg, db)
        se_b = np.sqrt(corr * np.sum(s * s, axis=0)) / S
        with np.errstate(divide="ignore", invalid="ignore"):
            tb = np.where(se_b > 0, db / se_b, 0.0)
        t_obs = (beta - beta0) / se if se > 0 else 0.0
        return float(np.mean(np.abs(tb) >= abs(t_obs) - 1e-12))

    return p_of


def _invert(pfun, beta: float, se: float, sign: int, alpha: float) -> float:
    """Bound where the bootstrap p-value falls to alpha, searching away from beta."""
    if not se > 0:
        return beta
    lo_step, step = 0.0, 1.0
    while pfun(beta + sign * step * se) > alpha:
        lo_step, step = step, step * 2
        if step > 1e6:
            return sign * np.inf
    hi_step = step
    for _ in range(50):
        mid = (lo_step + hi_step) / 2
        if pfun(beta + sign * mid * se) > alpha:
            lo_step = mid
        else:
            hi_step = mid
        if hi_step - lo_step < 1e-6:
            break
    return beta + sign * (lo_step + hi_step) / 2 * se


def _randomisation_p(Q, yt, tix, ucode, starts, sw, C, corr, beta, se, n_permutations, rng):
    """Fisher randomisation p-value of the CR1 t-statistic over re-assignments of start months."""
    G = len(starts)
    treated_units = np.flatnonzero(np.isfinite(starts))
    k = len(treated_units)
    tr_starts = starts[treated_units]
    common = len(np.unique(tr_starts)) == 1
    total = math.comb(G, k) if common else math.perm(G, k)
    exact = total <= n_permutations
    assignments = []  # each: array of start per unit
    if exact:
        it = itertools.combinations(range(G), k) if common else itertools.permutations(range(G), k)
        for chosen in it:
            s = np.full(G, np.nan)
            s[list(chosen)] = tr_starts
            assignments.append(s)
    else:
        assignments.append(starts.copy())
        for _ in range(n_permutations - 1):
            chosen = rng.choice(G, size=k, replace=False)
            s = np.full(G, np.nan)
            s[chosen] = tr_starts
            assignments.append(s)
    t_obs = beta / se if se > 0 else 0.0
    tvals = []
    for chunk in range(0, len(assignments), 1000):
        S_ = np.array(assignments[chunk:chunk + 1000])            # P × G
        st = S_[:, ucode].T                                       # N × P
        Dp = (np.isfinite(st) & (tix[:, None] >= np.nan_to_num(st, nan=np.inf))).astype(float) * sw[:, None]
        Dpt = _resid(Q, Dp)
        Sp = np.sum(Dpt * Dpt, axis=0)
        ok = Sp > 1e-12
        bp = np.where(ok, (Dpt.T @ yt) / np.where(ok, Sp, 1.0), 0.0)
        ep = yt[:, None] - Dpt * bp
        sc = C.T @ (Dpt * ep)
        sep = np.sqrt(corr * np.sum(sc * sc, axis=0)) / np.where(ok, Sp, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            tvals.append(np.where(ok & (sep > 0), bp / sep, 0.0))
    tv = np.concatenate(tvals)
    p = float(np.mean(np.abs(tv) >= abs(t_obs) - 1e-10))
    return p, len(assignments), exact


def _event_study(y, w, tix, ucode, starts, FE, window, G, alpha):
    lo, hi = int(window[0]), int(window[1])
    if lo > -1 or hi < 0:
        raise InputError(f"event_window {window!r} must run from −1 or earlier to 0 or later, e.g. (-12, 12)")
    st = starts[ucode]
    treated_row = np.isfinite(st)
    rel = np.where(treated_row, tix - np.nan_to_num(st), np.nan)
    relb = np.clip(rel, lo, hi)
    ks = [k for k in range(lo, hi + 1) if k != -1]
    E = np.column_stack([(treated_row & (relb == k)).astype(float) for k in ks])
    present = E.sum(axis=0) > 0
    ks_p = [k for k, p in zip(ks, present) if p]
    X = np.column_stack([E[:, present], FE])
    fit = WLS(y, X, weights=w).fit(cov_type="cluster", cov_kwds={"groups": ucode}, use_t=True)
    crit = stats.t.ppf(1 - alpha / 2, G - 1)
    b = np.asarray(fit.params[: len(ks_p)], float)
    s = np.asarray(fit.bse[: len(ks_p)], float)
    pv = 2 * stats.t.sf(np.abs(b / np.where(s > 0, s, np.nan)), G - 1)
    n_units = [int(len(np.unique(ucode[treated_row & (relb == k)]))) for k in ks_p]
    es = pd.DataFrame({"event_time": ks_p, "estimate": b, "std_error": s, "ci_low": b - crit * s,
                       "ci_high": b + crit * s, "p_value": pv, "n_units": n_units})
    ref_units = int(len(np.unique(ucode[treated_row & (relb == -1)])))
    ref = pd.DataFrame({"event_time": [-1], "estimate": [0.0], "std_error": [np.nan], "ci_low": [np.nan],
                        "ci_high": [np.nan], "p_value": [np.nan], "n_units": [ref_units]})
    es = pd.concat([es, ref], ignore_index=True).sort_values("event_time", ignore_index=True)
    # an end bin collects months beyond the window only when there are such months
    beyond_lo = bool((treated_row & (rel < lo)).any())
    beyond_hi = bool((treated_row & (rel > hi)).any())
    es["binned"] = ((es["event_time"] == lo) & beyond_lo) | ((es["event_time"] == hi) & beyond_hi)
    es["reference"] = es["event_time"] == -1
    return es


def _pretrend_p(y, sw, tix, ucode, starts, D, V, G):
    """WCR p-value for a differential linear trend before the start (1 df, not-yet-treated rows)."""
    keep = D == 0
    st = starts[ucode]
    rel = np.where(np.isfinite(st), tix - np.nan_to_num(st), 0.0)
    if not np.any(keep & np.isfinite(st)):
        return np.nan
    uk, tk = ucode[keep], tix[keep]
    units_k = np.unique(uk)
    u_idx = np.searchsorted(units_k, uk)
    times_k = np.unique(tk)
    t_idx = np.searchsorted(times_k, tk)
    n = int(keep.sum())
    FE = np.zeros((n, len(units_k) + len(times_k) - 1))
    FE[np.arange(n), u_idx] = 1.0
    later = t_idx > 0
    FE[np.arange(n)[later], len(units_k) + t_idx[later] - 1] = 1.0
    swk = sw[keep]
    Q = _orthobasis(FE * swk[:, None])
    yt = _resid(Q, y[keep] * swk)
    Dt = _resid(Q, rel[keep] * swk)
    if float(Dt @ Dt) <= 1e-12:
        return np.nan
    C = np.zeros((n, G))
    C[np.arange(n), uk] = 1.0
    C = C[:, units_k]
    g = len(units_k)
    corr = g / (g - 1) * (n - 1) / (n - Q.shape[1] - 1)
    return _wcr(Q, yt, Dt, C, corr, V[units_k])(0.0)
