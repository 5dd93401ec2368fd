"""Workforce metrics from the staff roster: headcount, hires, separations, turnover, retention.

All functions take the tidy ``roster`` table of the data model (team_id, staff_key,
role, case_carrying, hire_date, separation_date, separation_type), where
``separation_date`` is the **last day employed**. A person is *employed on day d*
when ``hire_date <= d`` and (``separation_date`` is blank or ``separation_date >= d``).

Every result carries a ``definition``: the plain-language formula and its source,
to be printed beside the figure. Computations are vectorised (counts per team and
month come from ``np.searchsorted`` and ``np.bincount`` over month indices), so a
national roster of a million rows takes well under a second.

Survival-based measures (tenure, new-hire retention, time to fill) and vacancy live
in :mod:`evalkit.workforce.tenure` and are re-exported here, so one import serves a notebook.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit.workforce._common import (
    DEFINITIONS,
    MetricTable,
    _groups,
    _month_grid,
    _require,
    _roster_arrays,
)
from evalkit.errors import InputError

__all__ = [
    "DEFINITIONS",
    "MetricTable",
    "QicSeries",
    "monthly_workforce",
    "annual_turnover",
    "period_retention",
    "rolling_retention",
    "turnover_series",
    "retention_series",
    "check_against_measures",
]

@dataclass(frozen=True)
class QicSeries:
    """Inputs for :func:`evalkit.spc.qic.qic` built from a workforce metric.

    ``y``, ``n`` and ``x`` are aligned Series (one row per team × month);
    ``facet`` holds the group label. Call :meth:`qic` to draw the chart.
    """

    y: pd.Series
    n: pd.Series
    x: pd.Series
    facet: pd.Series
    chart: str
    multiply: float
    definition: str
    measure_id: str

    def qic(self, **kwargs):
        """Run :func:`evalkit.spc.qic.qic` on the series (extra keyword arguments are passed on)."""
        from evalkit.spc import qic  # imported lazily: spc is another engineer's module

        facet = self.facet if self.facet.nunique() > 1 else None
        kwargs.setdefault("multiply", self.multiply)
        return qic(self.y, n=self.n, x=self.x, chart=self.chart, facet=facet, **kwargs)



# --------------------------------------------------------------------------- monthly flows
def monthly_workforce(
    roster: pd.DataFrame,
    *,
    start=None,
    end=None,
    by: str | list[str] | None = "team_id",
    count_transfers_as_separations: bool = False,
) -> MetricTable:
    """Headcount, hires, separations and turnover per team and month.

    Parameters
    ----------
    roster : DataFrame
        Roster table (hire_date, separation_date = last day employed,
        separation_type in voluntary/involuntary/other/transfer, and the ``by`` columns).
    start, end : str or Timestamp, optional
        First and last month (``"2022-01"``). Default: the months of the earliest and
        latest hire or separation date in the roster.
    by : str, list of str or None, default "team_id"
        Grouping columns; None gives one group labelled "all".
    count_transfers_as_separations : bool, default False
        When True, transfers out are added to ``separations`` (and so to
        ``turnover_rate``; the voluntary/involuntary/other columns are unchanged) and
        ``transfers_out`` is 0.

    Returns
    -------
    MetricTable
        ``table`` has one row per group × month, ordered, with columns: the ``by``
        columns, ``period`` (first day of the month), ``headcount_start``,
        ``headcount_end``, ``average_headcount``, ``hires``, ``separations``,
        ``separations_voluntary``, ``separations_involuntary``, ``separations_other``,
        ``transfers_out``, ``turnover_rate``, ``turnover_rate_voluntary``,
        ``turnover_rate_involuntary``, ``turnover_rate_other`` (% per month; NaN when
        the average headcount is 0).

    Raises
    ------
    DataError
        Missing columns, a separation before the hire date, an unknown separation type.
    InputError
        ``end`` before ``start``.

    Notes
    -----
    Turnover rate = separations / ((headcount_start + headcount_end)/2) × 100
    (SHRM). Stock and flow agree exactly:
    ``headcount_end = headcount_start + hires − separations − transfers_out``.
    A person hired on the 1st of a month is already in that month's opening
    headcount and so is counted as a hire of the month before.

    Example
    -------
    >>> r = pd.DataFrame({"team_id": ["a"], "hire_date": pd.to_datetime(["2022-01-10"]),
    ...                   "separation_date": pd.NaT, "separation_type": [None]})
    >>> monthly_workforce(r, start="2022-01", end="2022-02").table["hires"].tolist()
    [1, 0]
    """
    hire, sep, types = _roster_arrays(roster)
    g, keys, cols = _groups(roster, by)
    months = _month_grid(start, end, [hire, sep])
    K, G = len(months), len(keys)
    bounds = np.append(months.to_numpy(), months[-1] + pd.offsets.MonthBegin(1)).astype("datetime64[ns]").astype("datetime64[D]")

    ok = (g >= 0) & ~np.isnat(hire)
    g, hire, sep, types = g[ok], hire[ok], sep[ok], types[ok]
    # boundary indices: h = first boundary on which employed, s = last one (K = beyond the window)
    h = np.searchsorted(bounds, hire, side="left")
    has_sep = ~np.isnat(sep)
    s = np.where(has_sep, np.searchsorted(bounds, np.where(has_sep, sep, bounds[0]), side="right") - 1, K + 1)
    s = np.minimum(s, K + 1)

    width = K + 2
    diff = np.bincount(g * width + np.minimum(h, K + 1), minlength=G * width)
    diff -= np.bincount(g * width + np.clip(s + 1, 0, K + 1), minlength=G * width)
    stock = np.cumsum(diff.reshape(G, width), axis=1)[:, : K + 1]

    hm = h - 1  # hire in (b_m, b_{m+1}]  <=>  h == m + 1
    in_h = (hm >= 0) & (hm < K)
    hires = np.bincount(g[in_h] * K + hm[in_h], minlength=G * K).reshape(G, K)
    in_s = has_sep & (s >= 0) & (s < K)  # separation (last day) in [b_m, b_{m+1})
    flows = np.bincount((g[in_s] * K + s[in_s]) * 4 + types[in_s], minlength=G * K * 4).reshape(G, K, 4)

    vol, invol, other, transfer = (flows[..., i] for i in range(4))
    separations = vol + invol + other
    transfers_out = transfer
    if count_transfers_as_separations:
        separations = separations + transfer
        transfers_out = np.zeros_like(transfer)
    start_hc, end_hc = stock[:, :K], stock[:, 1:]
    avg = (start_hc + end_hc) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        def rate(x):
            return np.where(avg > 0, x / np.where(avg > 0, avg, 1.0) * 100.0, np.nan)

        table = keys.loc[np.repeat(np.arange(G), K)].reset_index(drop=True)
        table["period"] = np.tile(months.to_numpy(dtype="datetime64[ns]"), G)
        data = {
            "headcount_start": start_hc, "headcount_end": end_hc, "average_headcount": avg,
            "hires": hires, "separations": separations, "separations_voluntary": vol,
            "separations_involuntary": invol, "separations_other": other,
            "transfers_out": transfers_out, "turnover_rate": rate(separations),
            "turnover_rate_voluntary": rate(vol), "turnover_rate_involuntary": rate(invol),
            "turnover_rate_other": rate(other),
        }
    for name, arr in data.items():
        table[name] = arr.reshape(-1)
    transfers_text = (
        "Transfers to another unit are counted as separations."
        if count_transfers_as_separations
        else "Transfers to another unit are reported apart (transfers_out) and not counted as separations."
    )
    return MetricTable(
        name="monthly_workforce",
        table=table,
        definition=DEFINITIONS["headcount"] + " " + DEFINITIONS["turnover"].format(transfers=transfers_text),
        settings={"start": months[0], "end": months[-1], "by": cols,
                  "count_transfers_as_separations": count_transfers_as_separations},
    )


def annual_turnover(monthly: MetricTable, *, window: int = 12, rate_col: str = "turnover_rate") -> MetricTable:
    """Annual turnover: rolling sum of monthly turnover rates, annualised when short.

    Parameters
    ----------
    monthly : MetricTable
        Result of :func:`monthly_workforce`.
    window : int, default 12
        Months summed.
    rate_col : str, default "turnover_rate"
        Which monthly rate (e.g. "turnover_rate_voluntary").

    Returns
    -------
    MetricTable
        Columns: group columns, ``period`` (last month of the window), ``months_in_window``
        (k, months with a rate), ``rate_sum`` (% summed), ``annual_turnover_rate``
        (% per year = rate_sum × 12/k), ``annualised`` (True when k ≠ 12), ``label``,
        ``separations_in_window`` (the separations behind the rates, for suppression).

    Notes
    -----
    SHRM: annual turnover = Σ of 12 monthly rates. With k < 12 months:
    Σ × 12/k. Example: 1, 0, 2 separations on 40, 40, 38 average headcount give
    (1/40 + 0/40 + 2/38) × 100 × 12/3 = 31.05% annualised.
    """
    if window < 1:
        raise InputError(f"window must be at least 1 month, got {window}")
    t = monthly.table
    cols = monthly.settings["by"]
    K = t["period"].nunique()
    G = len(t) // K if K else 0
    r = t[rate_col].to_numpy(dtype=float).reshape(G, K)
    have = ~np.isnan(r)
    csum = np.cumsum(np.where(have, r, 0.0), axis=1)
    ccount = np.cumsum(have, axis=1)
    pad = lambda a: np.concatenate([np.zeros((G, window)), a], axis=1)[:, :K]  # noqa: E731
    rsum = csum - pad(csum)
    k = ccount - pad(ccount)
    with np.errstate(divide="ignore", invalid="ignore"):
        annual = np.where(k > 0, rsum * 12.0 / np.maximum(k, 1), np.nan)
    out = t[cols + ["period"]].copy()
    out["months_in_window"] = k.reshape(-1).astype(np.int64)
    out["rate_sum"] = np.where(k > 0, rsum, np.nan).reshape(-1)
    out["annual_turnover_rate"] = annual.reshape(-1)
    count_col = {"turnover_rate": "separations"}.get(rate_col, rate_col.replace("turnover_rate", "separations"))
    if count_col in t:
        c = np.cumsum(t[count_col].to_numpy(dtype=float).reshape(G, K), axis=1)
        out["separations_in_window"] = (c - pad(c)).reshape(-1)
    out["annualised"] = (k != 12).reshape(-1)
    kk = out["months_in_window"].astype(str)
    out["label"] = np.where(out["annualised"], "annualised from " + kk + " months", "12-month sum")
    return MetricTable(
        name="annual_turnover",
        table=out,
        definition=DEFINITIONS["annual_turnover"] + f" Monthly rate used: {rate_col}.",
        settings={"window": window, "rate_col": rate_col, "by": cols},
    )


# --------------------------------------------------------------------------- retention
def period_retention(roster: pd.DataFrame, first_day, last_day, *, by="team_id") -> MetricTable:
    """Retention over one period: still employed on the last day among those employed on the first.

    Parameters
    ----------
    roster : DataFrame
    first_day, last_day : date-like
        The period's first and last day (inclusive).
    by : str, list of str or None, default "team_id"

    Returns
    -------
    MetricTable
        Columns: group columns, ``first_day``, ``last_day``, ``employed_first_day``,
        ``retained`` (also employed on the last day), ``retention_rate`` (%; NaN when
        nobody was employed on the first day).

    Notes
    -----
    retention = retained / employed_first_day × 100. Hires during the period are
    excluded, so this is not 100 − turnover.
    """
    hire, sep, _ = _roster_arrays(roster)
    g, keys, cols = _groups(roster, by)
    d0 = np.datetime64(pd.Timestamp(first_day).date(), "D")
    d1 = np.datetime64(pd.Timestamp(last_day).date(), "D")
    if d1 < d0:
        raise InputError(f"last_day {d1} is before first_day {d0}; swap them")
    nosep = np.isnat(sep)
    at0 = (g >= 0) & (hire <= d0) & (nosep | (sep >= d0))
    at1 = at0 & (nosep | (sep >= d1))
    G = len(keys)
    base = np.bincount(g[at0], minlength=G)
    kept = np.bincount(g[at1], minlength=G)
    out = keys.copy()
    out["first_day"] = pd.Timestamp(d0)
    out["last_day"] = pd.Timestamp(d1)
    out["employed_first_day"] = base
    out["retained"] = kept
    with np.errstate(divide="ignore", invalid="ignore"):
        out["retention_rate"] = np.where(base > 0, kept / np.maximum(base, 1) * 100.0, np.nan)
    return MetricTable("period_retention", out, DEFINITIONS["retention"],
                       {"first_day": d0, "last_day": d1, "by": cols})


def rolling_retention(
    roster: pd.DataFrame, *, start=None, end=None, window: int = 12, by="team_id"
) -> MetricTable:
    """Retention over the ``window`` months ending with each month.

    Parameters
    ----------
    roster : DataFrame
    start, end : month-like, optional
        Months reported (as in :func:`monthly_workforce`).
    window : int, default 12
        Length of each period in months: from the 1st day of month m − window + 1
        to the last day of month m.
    by : str, list of str or None, default "team_id"

    Returns
    -------
    MetricTable
        Columns: group columns, ``period`` (last month of the window), ``window_start``,
        ``employed_first_day``, ``retained``, ``retention_rate`` (%).

    Notes
    -----
    Consecutive windows overlap when ``window > 1``, so their points are not
    independent; for a p chart of retention prefer ``window=1`` or read the chart
    as a trend only.
    """
    if window < 1:
        raise InputError(f"window must be at least 1 month, got {window}")
    hire, sep, _ = _roster_arrays(roster)
    g, keys, cols = _groups(roster, by)
    months = _month_grid(start, end, [hire, sep])
    K, G = len(months), len(keys)
    firsts = (months - pd.offsets.MonthBegin(window - 1)) if window > 1 else months
    firsts_d = firsts.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    lasts_d = (months + pd.offsets.MonthEnd(0)).to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    ok = (g >= 0) & ~np.isnat(hire)
    g, hire, sep = g[ok], hire[ok], sep[ok]
    nosep = np.isnat(sep)
    # a = first window start on/after hire (employed at firsts[j] needs j >= a, firsts sorted)
    a = np.searchsorted(firsts_d, hire, side="left")
    # employed at firsts[j] needs sep >= firsts[j]: j < f
    f = np.where(nosep, K, np.searchsorted(firsts_d, np.where(nosep, firsts_d[0], sep), side="right"))
    # still employed on lasts[j] needs sep >= lasts[j]: j < t
    t = np.where(nosep, K, np.searchsorted(lasts_d, np.where(nosep, lasts_d[0], sep), side="right"))
    base = _interval_counts(g, a, f, G, K)
    kept = _interval_counts(g, a, np.minimum(f, t), G, K)
    out = keys.loc[np.repeat(np.arange(G), K)].reset_index(drop=True)
    out["period"] = np.tile(months.to_numpy(dtype="datetime64[ns]"), G)
    out["window_start"] = np.tile(firsts.to_numpy(dtype="datetime64[ns]"), G)
    out["employed_first_day"] = base.reshape(-1)
    out["retained"] = kept.reshape(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["retention_rate"] = np.where(out["employed_first_day"] > 0,
                                         out["retained"] / out["employed_first_day"].clip(lower=1) * 100.0, np.nan)
    return MetricTable("rolling_retention", out,
                       DEFINITIONS["retention"] + f" Period = the {window} month(s) ending with the month.",
                       {"window": window, "by": cols, "start": months[0], "end": months[-1]})


def _interval_counts(g: np.ndarray, lo: np.ndarray, hi: np.ndarray, G: int, K: int) -> np.ndarray:
    """Count, per group and index j in 0..K-1, the rows with lo <= j < hi."""
    lo = np.clip(lo, 0, K)
    hi = np.clip(hi, 0, K)
    keep = lo < hi
    width = K + 1
    diff = np.bincount(g[keep] * width + lo[keep], minlength=G * width)
    diff -= np.bincount(g[keep] * width + hi[keep], minlength=G * width)
    return np.cumsum(diff.reshape(G, width), axis=1)[:, :K]


# --------------------------------------------------------------------------- series for SPC
def _facet(table: pd.DataFrame, cols: list[str]) -> pd.Series:
    return table[cols].astype(str).agg(" / ".join, axis=1) if len(cols) > 1 else table[cols[0]].astype(str)


def turnover_series(monthly: MetricTable, *, kind: str = "total", team: str | None = None) -> QicSeries:
    """Turnover as a u chart: separations over average headcount, × 100.

    Parameters
    ----------
    monthly : MetricTable
        Result of :func:`monthly_workforce`.
    kind : {"total", "voluntary", "involuntary", "other"}, default "total"
    team : str, optional
        Keep one group (value of the first ``by`` column).

    Returns
    -------
    QicSeries
        ``y`` = separations, ``n`` = average headcount, ``x`` = period, chart "u",
        multiply 100 (so the centre line is in % per month).
    """
    col = {"total": "separations", "voluntary": "separations_voluntary",
           "involuntary": "separations_involuntary", "other": "separations_other"}.get(kind)
    if col is None:
        raise InputError(f"kind must be total, voluntary, involuntary or other, got {kind!r}")
    t = _select(monthly, team)
    cols = monthly.settings["by"]
    return QicSeries(y=t[col].astype(float), n=t["average_headcount"].astype(float), x=t["period"],
                     facet=_facet(t, cols), chart="u", multiply=100.0,
                     definition=monthly.definition, measure_id="turnover_rate")


def retention_series(retention: MetricTable, *, team: str | None = None) -> QicSeries:
    """Retention as a p chart: retained over employed on the first day, × 100."""
    t = _select(retention, team)
    cols = retention.settings["by"]
    return QicSeries(y=t["retained"].astype(float), n=t["employed_first_day"].astype(float),
                     x=t["period"], facet=_facet(t, cols), chart="p", multiply=100.0,
                     definition=retention.definition, measure_id="retention_rate")


def _select(result: MetricTable, team) -> pd.DataFrame:
    t = result.table
    if team is None:
        return t.reset_index(drop=True)
    col = result.settings["by"][0]
    sel = t[t[col].astype(str) == str(team)]
    if sel.empty:
        raise InputError(f"no rows for {col} {team!r}; check the id against the roster")
    return sel.reset_index(drop=True)


def check_against_measures(
    monthly: MetricTable,
    measures: pd.DataFrame,
    *,
    measure_id: str = "turnover_rate",
    tolerance: float = 1e-6,
) -> MetricTable:
    """Compare roster-derived turnover with the rows reported in measures.csv.

    Parameters
    ----------
    monthly : MetricTable
        Result of :func:`monthly_workforce` grouped by ``team_id``.
    measures : DataFrame
        Measures table (team_id, period, measure_id, numerator, denominator).
    measure_id : str, default "turnover_rate"
    tolerance : float, default 1e-6
        Largest absolute difference accepted in numerator, denominator and rate
        (rate in percentage points).

    Returns
    -------
    MetricTable
        One row per team × month present in both sources: ``team_id``, ``period``,
        ``numerator_reported``, ``numerator_roster``, ``denominator_reported``,
        ``denominator_roster``, ``rate_reported``, ``rate_roster``, ``difference``
        (rate, percentage points), ``agrees``. ``settings["n_disagreements"]`` counts
        the rows that disagree. Only rows whose team and month are in both are compared.
    """
    _require(measures, ["team_id", "period", "measure_id", "numerator", "denominator"], "measures")
    if monthly.settings["by"] != ["team_id"]:
        raise InputError("check_against_measures needs monthly_workforce(..., by='team_id')")
    m = measures[measures["measure_id"].astype(str) == measure_id]
    m = m.assign(team_id=m["team_id"].astype(str), period=pd.to_datetime(m["period"]).dt.to_period("M").dt.to_timestamp())
    r = monthly.table.assign(team_id=monthly.table["team_id"].astype(str),
                             period=pd.to_datetime(monthly.table["period"]).astype("datetime64[ns]"))
    m = m.assign(period=m["period"].astype("datetime64[ns]"))
    j = m.merge(r, on=["team_id", "period"], how="inner")
    out = pd.DataFrame({
        "team_id": j["team_id"], "period": j["period"],
        "numerator_reported": pd.to_numeric(j["numerator"], errors="coerce").astype(float),
        "numerator_roster": j["separations"].astype(float),
        "denominator_reported": pd.to_numeric(j["denominator"], errors="coerce").astype(float),
        "denominator_roster": j["average_headcount"].astype(float),
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate_reported"] = out["numerator_reported"] / out["denominator_reported"] * 100.0
    out["rate_roster"] = j["turnover_rate"].astype(float)
    out["difference"] = out["rate_reported"] - out["rate_roster"]
    close = lambda a, b: ((a - b).abs() <= tolerance) | (a.isna() & b.isna())  # noqa: E731
    out["agrees"] = (close(out["numerator_reported"], out["numerator_roster"])
                     & close(out["denominator_reported"], out["denominator_roster"])
                     & close(out["rate_reported"], out["rate_roster"]))
    out = out.sort_values(["team_id", "period"]).reset_index(drop=True)
    return MetricTable(
        "turnover_consistency", out,
        f"Each {measure_id} row of measures.csv compared with the same team and month computed from the "
        f"roster (difference allowed: {tolerance}). " + monthly.definition,
        {"measure_id": measure_id, "tolerance": tolerance, "n_disagreements": int((~out["agrees"]).sum())},
    )
