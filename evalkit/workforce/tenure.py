"""Survival-based workforce measures: Kaplan–Meier, tenure, new-hire retention, vacancy, time to fill.

Public names are re-exported by :mod:`evalkit.workforce.staffing`; call them from there.
People still employed (and requisitions still open) at the as-of date are
*censored*: they count as "at least this long" instead of being dropped.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from evalkit.workforce._common import (
    suppressed_table,
    DEFINITIONS,
    MetricTable,
    _days,
    _groups,
    _require,
    _result_html,
    _roster_arrays,
)
from evalkit.errors import InputError
from evalkit.intervals import wilson_interval

__all__ = [
    "TenureSurvival",
    "kaplan_meier",
    "new_hire_retention",
    "tenure_survival",
    "vacancy_rate",
    "time_to_fill",
]

_COHORTS = {"month": "M", "quarter": "Q", "year": "Y"}


# --------------------------------------------------------------------------- Kaplan–Meier core
def _km_table(codes: np.ndarray, time: np.ndarray, event: np.ndarray, alpha: float) -> pd.DataFrame:
    """Product-limit table for many groups at once (one row per group × distinct time).

    Columns: group, time, n_at_risk, n_events, n_censored, surv, surv_se, ci_lower, ci_upper.
    S(t) = Π_{t_i <= t} (1 − d_i / n_i) (Kaplan & Meier 1958); Greenwood (1926)
    Var S(t) = S(t)² Σ d_i / (n_i (n_i − d_i)); pointwise CI on the log(−log S) scale.
    """
    df = pd.DataFrame({"group": codes, "time": time.astype(float), "event": event.astype(np.int64)})
    agg = df.groupby(["group", "time"], sort=True).agg(n_events=("event", "sum"), n=("event", "size")).reset_index()
    total = agg.groupby("group")["n"].transform("sum")
    before = agg.groupby("group")["n"].cumsum() - agg["n"]
    n_risk = (total - before).to_numpy(dtype=float)
    d = agg["n_events"].to_numpy(dtype=float)
    factor = 1.0 - d / n_risk
    agg["surv"] = pd.Series(factor).groupby(agg["group"].to_numpy()).cumprod().to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(d > 0, d / (n_risk * (n_risk - d)), 0.0)
    cum = pd.Series(term).groupby(agg["group"].to_numpy()).cumsum().to_numpy()
    s = agg["surv"].to_numpy()
    z = norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = s * np.sqrt(cum)
        theta = np.log(-np.log(s))
        se_theta = np.sqrt(cum) / np.abs(np.log(s))
        lo = np.exp(-np.exp(theta + z * se_theta))
        hi = np.exp(-np.exp(theta - z * se_theta))
    lo = np.where(s >= 1.0, 1.0, np.where(s <= 0.0, 0.0, lo))
    hi = np.where(s >= 1.0, 1.0, np.where(s <= 0.0, 0.0, hi))
    return pd.DataFrame({
        "group": agg["group"].to_numpy(), "time": agg["time"].to_numpy(), "n_at_risk": n_risk.astype(np.int64),
        "n_events": d.astype(np.int64), "n_censored": (agg["n"] - agg["n_events"]).to_numpy(),
        "surv": s, "surv_se": np.where(np.isfinite(se), se, np.nan), "ci_lower": lo, "ci_upper": hi,
    })


def _km_at(table: pd.DataFrame, n_groups: int, horizon: float) -> pd.DataFrame:
    """S(horizon) with its CI per group code 0..n_groups-1 (1.0 before the first event)."""
    out = pd.DataFrame({"surv": 1.0, "ci_lower": 1.0, "ci_upper": 1.0}, index=pd.RangeIndex(n_groups))
    last = table[table["time"] <= horizon].groupby("group")[["surv", "ci_lower", "ci_upper"]].last()
    out.loc[last.index, ["surv", "ci_lower", "ci_upper"]] = last.to_numpy()
    return out


def _km_median(table: pd.DataFrame, n_groups: int, alpha: float) -> pd.DataFrame:
    """Median (first event time with S < 0.5, as SAS/statsmodels) and its CI per group.

    The CI inverts z-tests on the cloglog scale at each event time, as
    ``statsmodels.duration.survfunc.SurvfuncRight.quantile_ci`` (Brookmeyer &
    Crowley 1982): lower = first time inside, upper = next event time after the
    last one inside (inf if none).
    """
    ev = table[table["n_events"] > 0].reset_index(drop=True)
    out = pd.DataFrame({"median": np.nan, "median_ci_lower": np.nan, "median_ci_upper": np.nan},
                       index=pd.RangeIndex(n_groups))
    med = ev[ev["surv"] < 0.5].groupby("group")["time"].first()
    out.loc[med.index, "median"] = med.to_numpy()
    z = norm.ppf(1 - alpha / 2)
    s, se = ev["surv"].to_numpy(), ev["surv_se"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (np.log(-np.log(s)) - np.log(-np.log(0.5))) / ((-1.0 / (s * np.log(s))) * se)
    inside = np.abs(r) <= z
    ev = ev.assign(inside=inside, pos=ev.groupby("group").cumcount(), size=ev.groupby("group")["time"].transform("size"))
    ins = ev[ev["inside"]]
    lb = ins.groupby("group")["time"].first()
    last_pos = ins.groupby("group")["pos"].last()
    out.loc[lb.index, "median_ci_lower"] = lb.to_numpy()
    nxt = ev.set_index(["group", "pos"])["time"]
    sizes = ev.groupby("group")["size"].first()
    ub = pd.Series(np.inf, index=last_pos.index)
    has_next = last_pos + 1 < sizes.loc[last_pos.index]
    idx = list(zip(last_pos.index[has_next], last_pos[has_next] + 1))
    if idx:
        ub.loc[has_next[has_next].index] = nxt.loc[idx].to_numpy()
    out.loc[ub.index, "median_ci_upper"] = ub.to_numpy()
    return out


def kaplan_meier(time, event, group=None, *, alpha: float = 0.05) -> MetricTable:
    """Kaplan–Meier product-limit estimate, for one or many groups at once.

    Parameters
    ----------
    time : array-like of float
        Time to the event or to censoring (any unit, e.g. days).
    event : array-like of bool
        True = the event happened at ``time``; False = censored (still at risk then).
    group : array-like, optional
        Group label per row; each group gets its own curve.
    alpha : float, default 0.05
        1 − confidence level of the pointwise band.

    Returns
    -------
    MetricTable
        Columns: ``group``, ``time``, ``n_at_risk``, ``n_events``, ``n_censored``,
        ``surv``, ``surv_se`` (Greenwood), ``ci_lower``, ``ci_upper`` (log-log).
        ``settings["medians"]`` holds a table with ``group``, ``median``,
        ``median_ci_lower``, ``median_ci_upper``.

    Notes
    -----
    S(t) = Π_{t_i ≤ t} (1 − d_i/n_i) (Kaplan & Meier 1958). Censoring at a time
    tied with events is treated as happening just after them (the usual convention).

    Example
    -------
    >>> kaplan_meier([1, 2, 2, 3], [True, True, False, True]).table["surv"].round(3).tolist()
    [0.75, 0.5, 0.0]
    """
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=bool)
    if t.shape != e.shape:
        raise InputError("kaplan_meier: time and event must have the same length")
    if np.isnan(t).any() or (t < 0).any():
        raise InputError("kaplan_meier: times must be present and not negative")
    if group is None:
        codes, labels = np.zeros(t.size, dtype=np.int64), pd.Index(["all"])
    else:
        codes, labels = pd.factorize(pd.Series(group), sort=True)
    tab = _km_table(codes, t, e, alpha)
    med = _km_median(tab, len(labels), alpha)
    tab["group"] = labels[tab["group"].to_numpy()]
    med.insert(0, "group", labels)
    return MetricTable("kaplan_meier", tab, "Kaplan–Meier product-limit estimate. " + DEFINITIONS["tenure"],
                       {"alpha": alpha, "medians": med})


# --------------------------------------------------------------------------- tenure
@dataclass(frozen=True)
class TenureSurvival:
    """Tenure survival curves and median tenure per group.

    ``curves``: group columns, ``time_days``, ``n_at_risk``, ``n_events``, ``surv_prob``,
    ``surv_prob_se``, ``ci_lower``, ``ci_upper``. ``medians``: group columns, ``n_staff``,
    ``n_separations``, ``median_tenure_days``, ``median_ci_lower``, ``median_ci_upper``,
    ``median_tenure_years``.
    """

    curves: pd.DataFrame
    medians: pd.DataFrame
    definition: str
    settings: dict[str, Any] = field(default_factory=dict)

    def _repr_html_(self) -> str:

        return _result_html("tenure_survival", self.definition, suppressed_table(self))


def _durations(hire: np.ndarray, sep: np.ndarray, as_of: np.datetime64):
    """Days employed (last day inclusive) and whether the separation is observed by ``as_of``."""
    event = ~np.isnat(sep) & (sep <= as_of)
    end = np.where(event, sep, as_of)
    days = (end - hire).astype("timedelta64[D]").astype(np.int64) + 1
    return days.astype(float), event


def tenure_survival(
    roster: pd.DataFrame, *, as_of, observed_from=None, by="team_id", alpha: float = 0.05
) -> TenureSurvival:
    """Tenure survival curve per team with a confidence band, and median tenure.

    Parameters
    ----------
    roster : DataFrame
    as_of : date-like
        Data as-of date; people still employed then are censored.
    observed_from : date-like, optional
        First day the roster covers completely. When the roster lists only people
        employed on or after this day (typical extracts), people hired earlier are
        *left-truncated*: they enter the risk set at their tenure on this day
        (``entry`` in statsmodels), and anyone who left before it is ignored. Without
        it (default None) the roster is taken to hold every hire since the team began;
        with a truncated extract that overstates tenure (only survivors of old cohorts
        are seen).
    by : str, list of str or None, default "team_id"
    alpha : float, default 0.05
        1 − confidence level (pointwise band and median interval).

    Returns
    -------
    TenureSurvival

    Notes
    -----
    Fitted per group with ``statsmodels.duration.survfunc.SurvfuncRight`` (Kaplan–Meier
    with Greenwood standard errors); band = pointwise log(−log) interval; median and its
    interval from ``SurvfuncRight.quantile`` / ``quantile_ci`` (cloglog). Tenure in days
    counts the hire day and the last day. Hires after ``as_of`` are left out.
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    hire, sep, _ = _roster_arrays(roster)
    g, keys, cols = _groups(roster, by)
    as_of_d = np.datetime64(pd.Timestamp(as_of).date(), "D")
    ok = (g >= 0) & ~np.isnat(hire) & (hire <= as_of_d)
    if observed_from is not None:
        obs_d = np.datetime64(pd.Timestamp(observed_from).date(), "D")
        ok &= np.isnat(sep) | (sep >= obs_d)
    days, event = _durations(hire[ok], sep[ok], as_of_d)
    if observed_from is not None:
        entry = np.maximum((obs_d - hire[ok]).astype("timedelta64[D]").astype(np.int64), 0).astype(float)
    else:
        entry = np.zeros_like(days)
    g = g[ok]
    order = np.argsort(g, kind="stable")
    bounds = np.searchsorted(g[order], np.arange(len(keys) + 1))
    z = norm.ppf(1 - alpha / 2)
    curves, meds = [], []
    for i in range(len(keys)):  # one statsmodels fit per team (teams, not people)
        idx = order[bounds[i]:bounds[i + 1]]
        row = {"n_staff": idx.size, "n_separations": int(event[idx].sum()),
               "median_tenure_days": np.nan, "median_ci_lower": np.nan, "median_ci_upper": np.nan}
        if idx.size and event[idx].any():
            sf = SurvfuncRight(days[idx], event[idx].astype(float),
                               entry=entry[idx] if observed_from is not None else None)
            s, se = sf.surv_prob, sf.surv_prob_se
            with np.errstate(divide="ignore", invalid="ignore"):
                th, sth = np.log(-np.log(s)), se / (s * np.abs(np.log(s)))
                lo = np.where(s <= 0, 0.0, np.where(s >= 1, 1.0, np.exp(-np.exp(th + z * sth))))
                hi = np.where(s <= 0, 0.0, np.where(s >= 1, 1.0, np.exp(-np.exp(th - z * sth))))
            c = pd.DataFrame({"time_days": sf.surv_times, "n_at_risk": sf.n_risk, "n_events": sf.n_events,
                              "surv_prob": s, "surv_prob_se": se, "ci_lower": lo, "ci_upper": hi})
            c.insert(0, "_g", i)
            curves.append(c)
            row["median_tenure_days"] = sf.quantile(0.5)
            with np.errstate(divide="ignore", invalid="ignore"):
                row["median_ci_lower"], row["median_ci_upper"] = sf.quantile_ci(0.5, alpha=alpha)
        meds.append(row)
    curve_df = pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(
        columns=["_g", "time_days", "n_at_risk", "n_events", "surv_prob", "surv_prob_se", "ci_lower", "ci_upper"])
    curve_df = pd.concat([keys.loc[curve_df["_g"].to_numpy()].reset_index(drop=True),
                          curve_df.drop(columns="_g").reset_index(drop=True)], axis=1)
    med_df = pd.concat([keys.reset_index(drop=True), pd.DataFrame(meds)], axis=1)
    med_df["median_tenure_years"] = med_df["median_tenure_days"] / 365.25
    definition = DEFINITIONS["tenure"]
    if observed_from is not None:
        definition += (f" Staff hired before {pd.Timestamp(obs_d):%Y-%m-%d} (when the roster starts) enter "
                       "the estimate at their tenure on that day (left truncation).")
    return TenureSurvival(curve_df, med_df, definition,
                          {"as_of": pd.Timestamp(as_of_d), "observed_from": observed_from, "by": cols, "alpha": alpha})


# --------------------------------------------------------------------------- new-hire retention
def new_hire_retention(
    roster: pd.DataFrame,
    *,
    as_of,
    horizon_days: int = 365,
    cohort: str = "quarter",
    since=None,
    by="team_id",
    alpha: float = 0.05,
) -> MetricTable:
    """Share of new hires still employed ``horizon_days`` after hire, by hire cohort.

    Parameters
    ----------
    roster : DataFrame
    as_of : date-like
        Data as-of date. Separations after it are not yet known (censored).
    horizon_days : int, default 365
        Days after the hire date on which the person must still be employed.
    cohort : {"month", "quarter", "year"}, default "quarter"
        Hire cohort width.
    since : date-like, optional
        Only people hired on or after this day (e.g. the first day the roster covers
        completely: earlier cohorts in a truncated extract hold only their survivors).
    by : str, list of str or None, default "team_id"
    alpha : float, default 0.05

    Returns
    -------
    MetricTable
        One row per group × cohort with columns: group columns, ``cohort`` (e.g.
        "2023Q1"), ``cohort_start``, ``n_hired``, ``n_left_before_horizon`` (complete
        cohorts; NaN for open ones), ``n_left_so_far`` (people who left within the
        horizon by as_of, every cohort: the events behind the Kaplan–Meier estimate
        of an open cohort, so that a report can suppress it when they are few),
        ``complete`` (every anniversary passed by as_of),
        ``method`` ("direct" or "Kaplan–Meier"), ``retention_rate`` (%), ``ci_lower``,
        ``ci_upper`` (Wilson for direct counts, log-log Greenwood for Kaplan–Meier).

    Notes
    -----
    Retained ⇔ employed on day hire_date + horizon_days, i.e. separation_date
    blank or ≥ hire_date + horizon_days. Complete cohorts: retained / hired.
    Open cohorts: Kaplan–Meier S(horizon) with people still employed censored at
    as_of (days employed = as_of − hire_date + 1).
    """

    if cohort not in _COHORTS:
        raise InputError(f"cohort must be month, quarter or year, got {cohort!r}")
    hire, sep, _ = _roster_arrays(roster)
    g, keys, cols = _groups(roster, by)
    as_of_d = np.datetime64(pd.Timestamp(as_of).date(), "D")
    ok = (g >= 0) & ~np.isnat(hire) & (hire <= as_of_d)
    if since is not None:
        ok &= hire >= np.datetime64(pd.Timestamp(since).date(), "D")
    hire, sep, g = hire[ok], sep[ok], g[ok]
    days, event = _durations(hire, sep, as_of_d)
    per = pd.PeriodIndex(pd.DatetimeIndex(hire.astype("datetime64[ns]")), freq=_COHORTS[cohort])
    pcodes, plabels = pd.factorize(per, sort=True)
    combo = g * max(len(plabels), 1) + pcodes
    ccodes, cuniq = pd.factorize(combo, sort=True)
    n_cells = len(cuniq)
    n_hired = np.bincount(ccodes, minlength=n_cells)
    latest_hire = pd.Series(hire).groupby(ccodes).max().to_numpy()
    complete = latest_hire + np.timedelta64(horizon_days, "D") <= as_of_d
    left = np.bincount(ccodes, weights=(event & (days <= horizon_days)).astype(float), minlength=n_cells)
    direct = 1.0 - left / n_hired
    wl, wu = wilson_interval(n_hired - left, n_hired, conf_level=1 - alpha)
    km = _km_at(_km_table(ccodes, days, event, alpha), n_cells, float(horizon_days))
    out = keys.loc[cuniq // max(len(plabels), 1)].reset_index(drop=True)
    labels = plabels[cuniq % max(len(plabels), 1)]
    out["cohort"] = labels.astype(str)
    out["cohort_start"] = labels.to_timestamp()
    out["n_hired"] = n_hired
    out["n_left_before_horizon"] = np.where(complete, left, np.nan)
    out["n_left_so_far"] = left.astype(np.int64)
    out["complete"] = complete
    out["method"] = np.where(complete, "direct", "Kaplan–Meier")
    out["retention_rate"] = np.where(complete, direct, km["surv"].to_numpy()) * 100.0
    out["ci_lower"] = np.where(complete, wl, km["ci_lower"].to_numpy()) * 100.0
    out["ci_upper"] = np.where(complete, wu, km["ci_upper"].to_numpy()) * 100.0
    return MetricTable("new_hire_retention", out, DEFINITIONS["new_hire_retention"].format(horizon=horizon_days),
                       {"as_of": pd.Timestamp(as_of_d), "horizon_days": horizon_days, "cohort": cohort,
                        "since": since, "by": cols, "alpha": alpha})


# --------------------------------------------------------------------------- vacancy and time to fill
def vacancy_rate(positions: pd.DataFrame, *, by="team_id") -> MetricTable:
    """Vacancy rate per team and month from the positions table.

    Parameters
    ----------
    positions : DataFrame
        team_id, period, funded_positions, filled_positions.
    by : str or list of str, default "team_id"

    Returns
    -------
    MetricTable
        Columns: group columns, ``period``, ``funded_positions``, ``filled_positions``,
        ``vacant_positions`` (funded − filled; negative when over-filled),
        ``vacancy_rate`` (% = vacant / funded × 100; NaN when funded is 0 or missing).
    """
    cols = [by] if isinstance(by, str) else list(by)
    _require(positions, cols + ["period", "funded_positions", "filled_positions"], "positions")
    out = positions[cols + ["period", "funded_positions", "filled_positions"]].copy()
    funded = pd.to_numeric(out["funded_positions"], errors="coerce").astype(float)
    filled = pd.to_numeric(out["filled_positions"], errors="coerce").astype(float)
    out["funded_positions"], out["filled_positions"] = funded, filled
    out["vacant_positions"] = funded - filled
    out["vacancy_rate"] = (out["vacant_positions"] / funded.where(funded > 0)) * 100.0
    out = out.sort_values(cols + ["period"]).reset_index(drop=True)
    return MetricTable("vacancy_rate", out, DEFINITIONS["vacancy"], {"by": cols})


def time_to_fill(requisitions: pd.DataFrame, *, as_of, by="team_id", alpha: float = 0.05) -> MetricTable:
    """Median days from opening to filling a requisition, open ones censored.

    Parameters
    ----------
    requisitions : DataFrame
        team_id, requisition_id, opened, filled (blank = still open).
    as_of : date-like
        Data as-of date: requisitions open then (or filled later) are censored at
        ``as_of − opened`` days; requisitions opened after it are left out.
    by : str, list of str or None, default "team_id"
    alpha : float, default 0.05

    Returns
    -------
    MetricTable
        One row per group: group columns, ``n_requisitions``, ``n_filled``, ``n_open``,
        ``median_days_to_fill`` (Kaplan–Meier; NaN when the curve never falls below 50%),
        ``median_ci_lower``, ``median_ci_upper`` (days; inf = not bounded yet).
        ``settings["curves"]`` holds the Kaplan–Meier table (group code, time, surv, ...).

    Notes
    -----
    Median = first time the "still open" curve falls below 0.5 (SAS/statsmodels
    convention); CI by inverting cloglog z-tests (Brookmeyer & Crowley 1982), as
    statsmodels ``SurvfuncRight.quantile_ci``.
    """
    _require(requisitions, ["opened", "filled"], "requisitions")
    g, keys, cols = _groups(requisitions, by)
    opened = _days(requisitions["opened"])
    filled = _days(requisitions["filled"])
    as_of_d = np.datetime64(pd.Timestamp(as_of).date(), "D")
    ok = (g >= 0) & ~np.isnat(opened) & (opened <= as_of_d)
    g, opened, filled = g[ok], opened[ok], filled[ok]
    event = ~np.isnat(filled) & (filled <= as_of_d)
    end = np.where(event, filled, as_of_d)
    days = (end - opened).astype("timedelta64[D]").astype(np.int64).astype(float)
    if (days < 0).any():
        raise InputError("requisitions: a requisition is filled before it was opened; check the dates")
    G = len(keys)
    tab = _km_table(g, days, event, alpha)
    med = _km_median(tab, G, alpha)
    out = keys.copy()
    out["n_requisitions"] = np.bincount(g, minlength=G)
    out["n_filled"] = np.bincount(g, weights=event.astype(float), minlength=G).astype(np.int64)
    out["n_open"] = out["n_requisitions"] - out["n_filled"]
    out["median_days_to_fill"] = med["median"].to_numpy()
    out["median_ci_lower"] = med["median_ci_lower"].to_numpy()
    out["median_ci_upper"] = med["median_ci_upper"].to_numpy()
    return MetricTable("time_to_fill", out, DEFINITIONS["time_to_fill"],
                       {"as_of": pd.Timestamp(as_of_d), "by": cols, "alpha": alpha, "curves": tab})
