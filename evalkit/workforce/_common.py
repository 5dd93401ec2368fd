"""Shared pieces of the workforce modules: definitions, the result class, roster parsing.

Private module: import the public names from :mod:`evalkit.workforce.staffing`.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evalkit.errors import DataError, InputError
from evalkit.privacy import apply_mask, protect_linked_cells, suppress_counts, suppression_mask

SEPARATION_TYPES = ("voluntary", "involuntary", "other", "transfer")

_SOURCES = {
    "shrm": "SHRM turnover formula (separations ÷ average headcount × 100)",
    "jolts": "BLS JOLTS separation categories (quits; layoffs and discharges; other separations)",
    "km": "Kaplan & Meier (1958), J. Am. Stat. Assoc. 53:457–481; Greenwood (1926) variance",
}

DEFINITIONS: dict[str, str] = {
    "headcount": (
        "Headcount at the start of a month = staff employed on its 1st day; at the end = staff "
        "employed on the 1st day of the next month; average headcount = the mean of the two. "
        "A person is employed on a day if hired on or before it and not yet separated (the "
        "separation date is the last day worked). Hires are people whose hire date falls after "
        "the month's 1st day and on or before the next month's 1st day, so that end = start + "
        "hires − separations − transfers out holds exactly."
    ),
    "turnover": (
        "Monthly turnover rate = separations in the month ÷ average headcount × 100 (% per month; "
        "source: " + _SOURCES["shrm"] + "). Separations are split as in " + _SOURCES["jolts"]
        + ": voluntary = quits, involuntary = layoffs and discharges, other = retirements, deaths, "
        "disability and unclassified (a separation with no type is counted as other). "
        "{transfers}"
    ),
    "annual_turnover": (
        "Annual turnover = sum of the monthly turnover rates over the 12 months ending with the "
        "month (SHRM). When fewer than 12 monthly rates exist (k months), the sum is annualised "
        "as sum × 12 ÷ k and labelled 'annualised from k months'."
    ),
    "retention": (
        "Retention rate = staff employed on the first day of the period who are still employed on "
        "its last day ÷ staff employed on the first day × 100. People hired during the period are "
        "not counted, so retention is not 100 − turnover."
    ),
    "new_hire_retention": (
        "New-hire 12-month retention = share of people hired in the cohort still employed "
        "{horizon} days after their hire date. Cohorts whose every anniversary has passed by the "
        "as-of date are counted directly; open cohorts are estimated with the Kaplan–Meier "
        "product-limit method, people still employed being censored at the as-of date ("
        + _SOURCES["km"] + ")."
    ),
    "tenure": (
        "Tenure survival = probability of still being employed t days after hire, estimated with "
        "the Kaplan–Meier product-limit method; people still employed are censored at the as-of "
        "date; the band is the pointwise 95% confidence interval (Greenwood variance, log-log "
        "transform); median tenure = first time the curve reaches 50% (" + _SOURCES["km"] + ")."
    ),
    "vacancy": (
        "Vacancy rate = (funded positions − filled positions) ÷ funded positions × 100, per month "
        "from the positions table."
    ),
    "time_to_fill": (
        "Time to fill = days from a requisition's opening to its filling. The median is read from "
        "the Kaplan–Meier curve so that requisitions still open at the as-of date count as "
        "censored (open at least that long) instead of being dropped (" + _SOURCES["km"] + ")."
    ),
}


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class MetricTable:
    """A tidy table of one workforce metric, its definition and the settings used.

    Attributes
    ----------
    name : str
        Metric name (e.g. "monthly_workforce").
    table : DataFrame
        The tidy result (columns documented by the function that made it).
    definition : str
        Plain-language definition with its source; print it beside the figure.
    settings : dict
        Arguments that produced the table.
    """

    name: str
    table: pd.DataFrame
    definition: str
    settings: dict[str, Any] = field(default_factory=dict)

    def _repr_html_(self) -> str:
        # What a notebook displays can end up in a shared report: show the suppressed
        # table (counts of people under 10 as "hidden"); ``.table`` keeps the exact numbers.
        shown = suppressed_table(self) if self.name in _REPORT_RULES else self.table
        return _result_html(self.name, self.definition, shown)


def _result_html(title: str, definition: str, table: pd.DataFrame) -> str:
    """Jupyter HTML of a workforce/survey result: title, definition, first 20 rows (all escaped)."""
    return (
        f"<div><strong>{html.escape(title)}</strong>"
        f"<p style='max-width:60em'>{html.escape(definition)}</p>"
        f"{table.to_html(max_rows=20, index=False)}</div>"
    )


# --------------------------------------------------------------------------- helpers
def _days(values) -> np.ndarray:
    """Dates as numpy datetime64[D] (missing stay NaT), whatever the input resolution."""
    s = pd.to_datetime(pd.Series(values), errors="raise")
    return s.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")


def _month_start(value, what: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{what} must be a month like 2022-01, got {value!r}") from exc
    return ts.to_period("M").to_timestamp()


def _require(df: pd.DataFrame, cols, table: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataError(f"{table} table: column(s) {', '.join(missing)} missing; add them (see the data model)")


def _groups(df: pd.DataFrame, by) -> tuple[np.ndarray, pd.DataFrame, list[str]]:
    """Integer group code per row (-1 = missing key) and the sorted group keys."""
    if by is None:
        return np.zeros(len(df), dtype=np.int64), pd.DataFrame({"group": ["all"]}), ["group"]
    cols = [by] if isinstance(by, str) else list(by)
    _require(df, cols, "roster")
    grouped = df.groupby(cols, sort=True, dropna=True)
    codes = grouped.ngroup().to_numpy(dtype=float)
    codes = np.where(np.isnan(codes), -1, codes).astype(np.int64)
    keys = grouped.size().index.to_frame(index=False)
    return codes, keys, cols


def _month_grid(start, end, dates: list[np.ndarray]) -> pd.DatetimeIndex:
    if start is None or end is None:
        allv = np.concatenate([d[~np.isnat(d)] for d in dates]) if dates else np.array([], "datetime64[D]")
        if allv.size == 0:
            raise DataError("roster table has no hire or separation dates; cannot choose the months")
    start = _month_start(start, "start") if start is not None else _month_start(allv.min(), "start")
    end = _month_start(end, "end") if end is not None else _month_start(allv.max(), "end")
    if end < start:
        raise InputError(f"end month {end:%Y-%m} is before start month {start:%Y-%m}; swap them")
    return pd.date_range(start, end, freq="MS")


def _roster_arrays(roster: pd.DataFrame):
    _require(roster, ["hire_date", "separation_date", "separation_type"], "roster")
    hire = _days(roster["hire_date"])
    sep = _days(roster["separation_date"])
    bad = ~np.isnat(sep) & ~np.isnat(hire) & (sep < hire)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"roster row {i + 2}, column separation_date: {sep[i]} is before hire_date {hire[i]}; "
            "separation_date must be the last day employed"
        )
    raw_codes, uniques = pd.factorize(roster["separation_type"], use_na_sentinel=True)
    norm = pd.Index(uniques.astype(str)).str.strip().str.lower()
    known = pd.Index(list(SEPARATION_TYPES)).get_indexer(norm)
    unknown = (known < 0) & np.asarray(norm != "")  # a blank type counts as missing
    if unknown.any():
        j = int(np.flatnonzero(unknown)[0])
        bad_value = uniques[j]
        i = int(np.flatnonzero(raw_codes == j)[0])
        raise DataError(
            f"roster row {i + 2}, column separation_type: {bad_value!r} is not one of "
            f"{', '.join(SEPARATION_TYPES)}"
        )
    codes = np.where(raw_codes >= 0, known[np.maximum(raw_codes, 0)] if known.size else -1, -1).astype(np.int64)
    codes = np.where(codes < 0, 2, codes)  # separated without a type -> other
    return hire, sep, codes


# --------------------------------------------------------------------------- tables for reports
#: result name -> (count columns, {derived column: counts it comes from}, total column)
_REPORT_RULES: dict[str, tuple[list[str], dict[str, list[str]], str | None]] = {
    "monthly_workforce": (
        ["headcount_start", "headcount_end", "hires", "separations", "separations_voluntary",
         "separations_involuntary", "separations_other", "transfers_out"],
        # a rate beside a shown count gives the average headcount (count ÷ rate), so each rate
        # also rests on both headcounts
        {"average_headcount": ["headcount_start", "headcount_end"],
         **{f"turnover_rate{k}": [f"separations{k}", "headcount_start", "headcount_end"]
            for k in ("", "_voluntary", "_involuntary", "_other")}},
        None,
    ),
    "annual_turnover": (["separations_in_window"], {"rate_sum": ["separations_in_window"],
                                                    "annual_turnover_rate": ["separations_in_window"]}, None),
    "period_retention": (["employed_first_day", "retained"], {"retention_rate": ["employed_first_day", "retained"]}, None),
    "rolling_retention": (["employed_first_day", "retained"], {"retention_rate": ["employed_first_day", "retained"]}, None),
    # n_left_so_far: an open cohort's Kaplan–Meier estimate from 1 leaver of 12 is 11/12
    "new_hire_retention": (["n_hired", "n_left_before_horizon", "n_left_so_far"],
                           {c: ["n_hired", "n_left_before_horizon", "n_left_so_far"]
                            for c in ("retention_rate", "ci_lower", "ci_upper")},
                           None),
    "vacancy_rate": (["filled_positions"], {"vacancy_rate": ["filled_positions"]}, None),
    "time_to_fill": ([], {}, None),  # requisitions are positions, not people
    "turnover_consistency": (["numerator_reported", "numerator_roster"],
                             {c: ["numerator_reported", "numerator_roster"] for c in
                              ("rate_reported", "rate_roster", "difference")}, None),
}


#: result name -> (whole, part) count columns whose difference is a count of people that is
#: not printed but follows by subtraction: when it is 1 … threshold − 1, ``part`` is hidden
#: (and every figure computed from it), so the difference cannot be worked out.
_DIFFERENCES: dict[str, list[tuple[str, str]]] = {
    "period_retention": [("employed_first_day", "retained")],     # leavers
    "rolling_retention": [("employed_first_day", "retained")],    # leavers
    "new_hire_retention": [("n_hired", "n_left_before_horizon"),  # hires still employed
                           ("n_hired", "n_left_so_far")],
    "tenure_survival": [("n_staff", "n_separations")],            # still employed = the current headcount
}


def _hide_small_differences(table: pd.DataFrame, mask: pd.DataFrame, name: str, threshold: int) -> pd.DataFrame:
    """Add to ``mask`` the part of each (whole, part) pair whose difference is a small count of people."""
    for whole, part in _DIFFERENCES.get(name, []):
        if whole not in table or part not in table:
            continue
        diff = (pd.to_numeric(table[whole], errors="coerce") - pd.to_numeric(table[part], errors="coerce")).to_numpy()
        small = (diff > 0) & (diff < threshold) & ~mask[whole].to_numpy(bool) & ~mask[part].to_numpy(bool)
        mask[part] = mask[part].to_numpy(bool) | small
    return mask


def _masked_table(table: pd.DataFrame, name: str, counts: list[str], rates: dict, threshold: int) -> pd.DataFrame:
    """Primary suppression, hidden differences, then the figures computed from hidden counts."""
    mask = suppression_mask(table, counts, threshold=threshold)
    mask = _hide_small_differences(table, mask, name, threshold)
    for rate, sources in rates.items():
        mask[rate] = mask[list(sources)].any(axis=1)
    return apply_mask(table, mask, counts, threshold=threshold)


def suppressed_table(result, *, threshold: int = 10) -> pd.DataFrame:
    """The result's table ready for a report: small counts hidden, identifiers dropped.

    Parameters
    ----------
    result : MetricTable or TenureSurvival
        Any result of this module.
    threshold : int, default 10
        Smallest count of people shown (params ``suppression.min_count``).

    Returns
    -------
    DataFrame
        Display table from :func:`evalkit.privacy.suppress_counts`: counts below the
        threshold read "hidden", rates and other figures computed from them read
        "suppressed". In the monthly table (``monthly_workforce``) hidden cells are
        protected against every identity a reader knows (end = start + hires −
        separations − transfers_out; separations = the three types; this month's
        closing headcount = next month's opening one): see
        :func:`_monthly_workforce_mask`. Each turnover rate is hidden with its count
        or either headcount (separations ÷ rate would give the average headcount).
    """
    if getattr(result, "medians", None) is not None:  # a TenureSurvival (tenure.py builds on this module)
        rates = {c: ["n_staff", "n_separations"] for c in
                 ("median_tenure_days", "median_ci_lower", "median_ci_upper", "median_tenure_years")}
        return _masked_table(result.medians, "tenure_survival", ["n_staff", "n_separations"], rates, threshold)
    if result.name not in _REPORT_RULES:
        raise InputError(f"suppressed_table does not know the result {result.name!r}")
    counts, rates, total = _REPORT_RULES[result.name]
    t = result.table
    counts = [c for c in counts if c in t]
    rates = {k: [c for c in v if c in counts] for k, v in rates.items() if k in t}
    if result.name == "monthly_workforce":
        mask = _monthly_workforce_mask(t, result.settings, counts, threshold)
        for rate, sources in rates.items():
            mask[rate] = mask[sources].any(axis=1)
        return apply_mask(t, mask, counts, threshold=threshold)
    if result.name == "annual_turnover" and "separations_in_window" in t:
        mask = _rolling_sum_mask(t, result.settings, threshold)
        for rate, sources in rates.items():
            mask[rate] = mask[sources].any(axis=1)
        return apply_mask(t, mask, counts, threshold=threshold)
    if result.name in _DIFFERENCES:
        return _masked_table(t, result.name, counts, rates, threshold)
    return suppress_counts(t, counts, threshold=threshold, rate_cols=rates or None, total_col=total)


#: the monthly table's flows, in the order the identities below use them
_FLOWS = ("hires", "separations", "separations_voluntary", "separations_involuntary", "separations_other",
          "transfers_out")


def _monthly_workforce_mask(t: pd.DataFrame, settings: dict, counts: list[str], threshold: int) -> pd.DataFrame:
    """Hidden cells of the monthly staffing table, with complementary suppression over its identities.

    A reader knows three identities, so each is checked together with the others
    (:func:`evalkit.privacy.protect_linked_cells`) until no hidden cell can be solved:

    * stock and flow, per month: end = start + hires − separations − transfers_out;
    * types, per month: separations = voluntary + involuntary + other (+ transfers,
      not shown, when ``count_transfers_as_separations``: that hidden difference is
      a count of people too, so it is protected when it is 1–9);
    * months follow on: a month's ``headcount_end`` is the next month's
      ``headcount_start``.

    The last link is handled by treating a headcount as one value per team and
    month boundary (a *stock*): hiding it hides both the end of one month and the
    start of the next, so the two cells can never disagree. Complements are
    taken from the flows first (smallest non-zero), a headcount only when no
    non-zero flow of the identity is left; zeros stay shown.
    """
    mask = pd.DataFrame(False, index=t.index, columns=counts)
    flows = [c for c in _FLOWS if c in counts]
    if not {"headcount_start", "headcount_end"} <= set(counts):
        return mask.assign(**{c: _small(t[c], threshold) for c in counts})
    transfers_inside = bool(settings.get("count_transfers_as_separations", False))
    by = [c for c in settings.get("by", []) if c in t]
    groups = t.groupby(by, sort=False, dropna=False).indices.values() if by else [np.arange(len(t))]
    period = pd.to_datetime(t["period"]).dt.to_period("M") if "period" in t else None
    for rows in groups:  # one team at a time: identities never cross teams
        rows = np.asarray(rows)
        if period is not None:
            rows = rows[np.argsort(period.iloc[rows].to_numpy(), kind="stable")]
        hidden = _team_monthly_hidden(t.iloc[rows], flows, period.iloc[rows] if period is not None else None,
                                      transfers_inside, threshold)
        for col, flags in hidden.items():
            mask.iloc[rows, mask.columns.get_loc(col)] = flags
    return mask


def _small(values, threshold: int) -> np.ndarray:
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    return (v > 0) & (v < threshold)


def _team_monthly_hidden(t: pd.DataFrame, flows: list[str], period, transfers_inside: bool, threshold: int):
    """Cells to hide in one team's months (rows in month order): ``{column: bool per row}``."""
    K = len(t)
    start = t["headcount_start"].to_numpy(dtype=float)
    end = t["headcount_end"].to_numpy(dtype=float)
    # cells: stocks (headcounts at month boundaries), then flows per month, then unseen transfers
    stock_of_start = np.empty(K, dtype=np.int64)
    stock_of_end = np.empty(K, dtype=np.int64)
    stock_values = []
    for r in range(K):
        follows = (r > 0 and end[r - 1] == start[r]
                   and (period is None or period.iloc[r] == period.iloc[r - 1] + 1))
        if follows:
            stock_of_start[r] = stock_of_end[r - 1]
        else:
            stock_of_start[r] = len(stock_values)
            stock_values.append(start[r])
        stock_of_end[r] = len(stock_values)
        stock_values.append(end[r])
    S, F = len(stock_values), len(flows)
    flow_values = t[flows].to_numpy(dtype=float)  # (K, F)
    flow_cell = S + np.arange(K)[:, None] * F + np.arange(F)[None, :]
    n = S + K * F + (K if transfers_inside else 0)
    values = np.concatenate([stock_values, flow_values.reshape(-1)])
    f = {c: flow_cell[:, i] for i, c in enumerate(flows)}
    identities = []
    for r in range(K):
        if {"hires", "separations"} <= set(f):  # end − start − hires + separations + transfers_out = 0
            a = np.zeros(n)
            a[stock_of_end[r]] += 1
            a[stock_of_start[r]] -= 1
            a[f["hires"][r]] -= 1
            a[f["separations"][r]] += 1
            if "transfers_out" in f:
                a[f["transfers_out"][r]] += 1
            identities.append(a)
        types = [c for c in ("separations_voluntary", "separations_involuntary", "separations_other") if c in f]
        if "separations" in f and len(types) == 3:  # separations − Σ types (− transfers) = 0
            a = np.zeros(n)
            a[f["separations"][r]] = 1
            for c in types:
                a[f[c][r]] = -1
            if transfers_inside:
                a[S + K * F + r] = -1
            identities.append(a)
    if transfers_inside:
        unseen = flow_values[:, flows.index("separations")] - flow_values[:, [flows.index(c) for c in types]].sum(axis=1)
        values = np.concatenate([values, unseen])
    shown_cell = np.arange(n) < S + K * F
    primary = (values > 0) & (values < threshold)
    hidden = primary | ~shown_cell  # the unseen transfers are unknown to the reader
    lower = np.where(shown_cell, 1.0, 0.0)  # a hidden count is never 0; an unseen one may be
    hidden = protect_linked_cells(
        np.array(identities).reshape(-1, n), values, hidden,
        protect=(shown_cell & hidden) | primary, eligible=shown_cell,
        priority=np.where(np.arange(n) < S, 1.0, 0.0), lower=lower,
    )
    out = {"headcount_start": hidden[stock_of_start], "headcount_end": hidden[stock_of_end]}
    out.update({c: hidden[f[c]] for c in flows})
    return out


def _rolling_sum_mask(t: pd.DataFrame, settings: dict, threshold: int) -> pd.DataFrame:
    """Hidden window sums of ``annual_turnover``, so that no month's separations follow from them.

    Two shown windows that differ by one month give that month's separations
    (W_m − W_{m−1} = s_m − s_{m−window}; the first windows are running totals, so the
    chain has a start). Each month's separations are unknowns the table never
    prints; those of 1 … threshold − 1 must stay unsolvable, those of 0 or at least
    ``threshold`` are treated as known (the monthly table may show them).
    """
    window = int(settings.get("window", 12))
    by = [c for c in settings.get("by", []) if c in t]
    mask = pd.DataFrame({"separations_in_window": _small(t["separations_in_window"], threshold)}, index=t.index)
    groups = t.groupby(by, sort=False, dropna=False).indices.values() if by else [np.arange(len(t))]
    for rows in groups:
        rows = np.asarray(rows)
        rows = rows[np.argsort(pd.to_datetime(t["period"].iloc[rows]).to_numpy(), kind="stable")]
        w = t["separations_in_window"].iloc[rows].to_numpy(dtype=float)
        K = len(w)
        monthly = np.zeros(K)
        for m in range(K):  # the monthly separations behind the windows, as a reader could work them out
            monthly[m] = w[m] - (w[m - 1] if m else 0.0) + (monthly[m - window] if m >= window else 0.0)
        monthly = np.round(monthly)
        n = 2 * K  # cells: the K windows (shown), then the K months (never printed)
        identities = np.zeros((K, n))
        for m in range(K):
            identities[m, m] = 1.0
            identities[m, K + max(0, m - window + 1): K + m + 1] = -1.0
        values = np.concatenate([w, monthly])
        small_month = (monthly > 0) & (monthly < threshold)
        hidden = np.concatenate([_small(w, threshold), small_month])
        hidden = protect_linked_cells(
            identities, values, hidden, protect=np.concatenate([hidden[:K], small_month]),
            eligible=np.arange(n) < K, lower=np.concatenate([np.ones(K), np.zeros(K)]),
        )
        mask.iloc[rows, 0] = hidden[:K]
    return mask
