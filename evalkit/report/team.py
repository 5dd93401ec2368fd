"""Team-report building blocks for staffing (retention, new hires, tenure, vacancy, time to fill),
survey waves and the before/after comparison.

Each ``*_panel`` function takes the team's tables and returns a frozen
:class:`StaffingPanel`: the metric result (for the chart), whether the team is large
enough to chart it, plain sentences for a reviewer, and a table already suppressed
for small counts (format it with :func:`evalkit.report.sections.format_table`). The
notebook draws the chart with :func:`evalkit.plotting.plot_*` only when
``panel.show_chart`` is true and otherwise shows ``panel.sentences`` (one line saying
why there is no chart), so a small team never gets an empty chart.

Public names are re-exported by :mod:`evalkit.report.sections`.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evalkit.privacy import DEFAULT_MIN_COUNT, DEFAULT_MIN_RESPONDENTS

__all__ = [
    "StaffingPanel",
    "comparison_table",
    "comparison_note",
    "retention_panel",
    "new_hire_panel",
    "tenure_panel",
    "vacancy_panel",
    "time_to_fill_panel",
    "survey_wave_table",
    "BeforeAfter",
    "before_after",
    "prepost_table",
    "TEAM_TABLE_LABELS",
    "label_chart",
    "turnover_note",
]

#: Headers of the staffing, survey-wave and before/after tables (pass as ``format_table(labels=...)``).
TEAM_TABLE_LABELS = {
    "window_start": "From", "period": "To", "employed_first_day": "Staff at the start",
    "retained": "Still employed at the end", "retention_rate": "Retention (%)",
    "cohort": "Hired in", "n_hired": "Hired", "method": "Method", "ci_lower": "95% CI from", "ci_upper": "95% CI to",
    "n_staff": "Staff", "n_separations": "Left", "median_tenure_years": "Median tenure (years)",
    "median_ci_lower_years": "95% CI from (years)", "median_ci_upper_years": "95% CI to (years)",
    "n_requisitions": "Requisitions", "median_days_to_fill": "Median days to fill",
    "median_ci_lower": "95% CI from (days)", "median_ci_upper": "95% CI to (days)",
    "wave": "Wave", "fielded": "Fielded", "n_respondents": "Respondents", "staff_employed": "Staff employed",
    "response_rate": "Response rate (%)", "mean": "Mean score", "pct_at_or_above_cutoff": "At or above cut-off (%)",
    "cronbach_alpha": "Answers consistent (Cronbach's α)",
    "scale": "Scale", "n_before": "Respondents before", "n_after": "Respondents after", "mean_before": "Mean before",
    "mean_after": "Mean after", "pct_before": "At or above cut-off before (%)",
    "pct_after": "At or above cut-off after (%)", "kind": "Separations",
    "staff_months_before": "Staff-months before", "staff_months_after": "Staff-months after",
    "separations_before": "Left before", "separations_after": "Left after",
    "rate_before": "% per month before", "rate_after": "% per month after",
}


@dataclass(frozen=True)
class StaffingPanel:
    """One staffing metric of one team, ready for the report.

    Attributes
    ----------
    name : str
        "retention", "new_hire_retention", "tenure", "vacancy" or "time_to_fill".
    result : MetricTable or TenureSurvival
        The result for the matching ``plot_*`` function: exact, except that figures
        the suppressed table hides are NaN (not drawn).
    show_chart : bool
        False when every point would rest on fewer than ``threshold`` people
        (or positions/requisitions): show ``sentences`` instead of a chart.
    sentences : tuple of str
        Plain-language findings, or one line saying why nothing is shown.
    table : DataFrame
        Suppressed display table (may be empty: nothing to tabulate).
    definition : str
        The metric's definition (also the chart caption).
    title : str
        Chart title without the team (e.g. "Staff retention, 12-month periods").
    settings : dict
    """

    name: str
    result: Any
    show_chart: bool
    sentences: tuple[str, ...]
    table: pd.DataFrame
    definition: str
    title: str = ""
    settings: dict[str, Any] = field(default_factory=dict)

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(s)}</li>" for s in self.sentences)
        return (f"<div><strong>{html.escape(self.name)}</strong><p>{html.escape(self.definition)}</p>"
                f"<ul>{items}</ul>{self.table.to_html(index=False, na_rep='–')}</div>")


_METHOD_WORDS = {"direct": "counted", "Kaplan–Meier": "estimated (Kaplan–Meier)"}


def label_chart(ax, title: str, team_id: str, name: str):
    """Set a chart's title and show the team's name instead of its id in the legend; returns ``ax``."""
    ax.set_title(title)
    legend = ax.get_legend()
    if legend is not None:
        for text in legend.get_texts():
            text.set_text(text.get_text().replace(str(team_id), str(name)))
    return ax


def _hidden(result, threshold: int, column: str) -> np.ndarray:
    """Rows whose ``column`` the suppressed report table hides (True = hidden)."""
    from evalkit.workforce import suppressed_table

    shown = suppressed_table(result, threshold=threshold)[column]
    return np.array([isinstance(v, str) for v in shown], dtype=bool)


def _masked(result, hidden: np.ndarray, columns):
    """A copy of a MetricTable for charts: ``columns`` set to NaN where ``hidden`` (so no chart shows
    a figure the suppressed table hides)."""
    from evalkit.workforce import MetricTable

    table = result.table.copy()
    for col in columns:
        table[col] = table[col].where(~hidden)
    return MetricTable(result.name, table, result.definition, result.settings)


def _month(value) -> pd.Timestamp:
    return pd.Timestamp(value).to_period("M").to_timestamp()


def _day(value) -> str:
    return f"{pd.Timestamp(value):%Y-%m-%d}"


def _pct(value: float) -> str:
    return f"{value:.0f}%"


def _team_rows(frame: pd.DataFrame, team_id: str | None) -> pd.DataFrame:
    if team_id is None or frame is None or "team_id" not in frame:
        return frame
    return frame.loc[(frame["team_id"] == team_id).fillna(False).to_numpy(dtype=bool)].reset_index(drop=True)


# --------------------------------------------------------------------------- retention
def retention_panel(roster: pd.DataFrame, *, first_month, last_month, threshold: int = DEFAULT_MIN_COUNT,
                    window: int = 12, team_id: str | None = None) -> StaffingPanel:
    """Retention over ``window``-month periods that lie inside the evaluation months.

    Parameters
    ----------
    roster : DataFrame
        The team's roster rows.
    first_month, last_month : month-like
        The evaluation months (e.g. "2022-01", "2024-12"). The roster lists leavers
        only from ``first_month``, so the first period reported is the one starting
        then (it ends ``window − 1`` months later).
    threshold : int, default 10
        Periods with fewer staff employed on their first day are not shown
        (params ``suppression.min_count``).
    window : int, default 12
        Period length in months.
    team_id : str, optional
        Keep only this team's rows.

    Returns
    -------
    StaffingPanel
        ``result`` from :func:`evalkit.workforce.staffing.rolling_retention`; ``table`` = the
        suppressed rows of the periods ending in the same calendar month as
        ``last_month`` (with 12 months and December: calendar years), columns
        window_start, period, employed_first_day, retained, retention_rate.

    Notes
    -----
    retention = staff employed on the period's first day and still employed on its
    last day ÷ staff employed on its first day × 100 (not 100 − turnover: hires during
    the period are not counted).
    """
    from evalkit.workforce import rolling_retention, suppressed_table

    roster = _team_rows(roster, team_id)
    first, last = _month(first_month), _month(last_month)
    start = first + pd.DateOffset(months=window - 1)
    if start > last:
        empty = pd.DataFrame()
        return StaffingPanel("retention", None, False,
                             (f"The evaluation covers fewer than {window} months, so {window}-month retention "
                              "cannot be shown.",), empty, "", "", {"window": window, "threshold": threshold})
    exact = rolling_retention(roster, start=start, end=last, window=window)
    hidden = _hidden(exact, threshold, "retention_rate")
    result = _masked(exact, hidden, ["retention_rate"])
    t = exact.table
    shown = t.loc[~hidden]
    if shown.empty:
        sentences = (f"Every {window}-month period rests on fewer than {threshold} staff (at its start, still "
                     "employed at its end, or leaving in between), so retention is not shown.",)
    else:
        a, b = shown.iloc[0], shown.iloc[-1]
        what = f"{window}-month retention (staff still employed at the end of the period, of those employed at its start)"
        if len(shown) == 1:
            sentences = (f"{what[0].upper()}{what[1:]} was {_pct(a['retention_rate'])} from {a['window_start']:%Y-%m} "
                         f"to {a['period']:%Y-%m}.",)
        else:
            sentences = (f"{what[0].upper()}{what[1:]} was {_pct(a['retention_rate'])} from "
                         f"{a['window_start']:%Y-%m} to {a['period']:%Y-%m} and {_pct(b['retention_rate'])} from "
                         f"{b['window_start']:%Y-%m} to {b['period']:%Y-%m}.",)
    same_month = (t["period"].dt.month == last.month).to_numpy(dtype=bool)
    table = suppressed_table(exact, threshold=threshold).loc[same_month]
    table = table[["window_start", "period", "employed_first_day", "retained", "retention_rate"]].reset_index(drop=True)
    for col in ("window_start", "period"):
        table[col] = [f"{pd.Timestamp(v):%Y-%m}" for v in table[col]]
    return StaffingPanel("retention", result, not shown.empty, sentences, table, result.definition,
                         f"Staff retention, {window}-month periods", {"window": window, "threshold": threshold, "first_month": first, "last_month": last})


# --------------------------------------------------------------------------- new hires and tenure
def new_hire_panel(roster: pd.DataFrame, *, as_of, since, threshold: int = DEFAULT_MIN_COUNT,
                   horizon_days: int = 365, cohort: str = "year", team_id: str | None = None) -> StaffingPanel:
    """New-hire retention by hire cohort (people hired on or after ``since``).

    Parameters
    ----------
    roster : DataFrame
    as_of : date-like
        Data as-of date (params ``data_as_of``).
    since : date-like
        First day the roster covers completely (the first evaluation month): earlier
        cohorts would hold only their survivors.
    threshold : int, default 10
        Cohorts of fewer hires are not shown.
    horizon_days : int, default 365
    cohort : {"month", "quarter", "year"}, default "year"
        Cohort width; a year keeps most cohorts of a team above the threshold.
    team_id : str, optional

    Returns
    -------
    StaffingPanel
        ``result`` from :func:`evalkit.workforce.staffing.new_hire_retention`; ``table`` columns
        cohort, n_hired, method, retention_rate, ci_lower, ci_upper (suppressed).
    """
    from evalkit.workforce import new_hire_retention, suppressed_table

    roster = _team_rows(roster, team_id)
    exact = new_hire_retention(roster, as_of=as_of, since=since, horizon_days=horizon_days, cohort=cohort)
    hidden = _hidden(exact, threshold, "retention_rate") | (exact.table["n_hired"] < threshold).to_numpy(dtype=bool)
    result = _masked(exact, hidden, ["retention_rate", "ci_lower", "ci_upper"])
    t = exact.table
    shown = t.loc[~hidden]
    if shown.empty:
        sentences = (f"Every hire cohort rests on fewer than {threshold} people (hired, leaving within "
                     f"{horizon_days} days, or staying), so new-hire retention is not shown.",)
    else:
        sentences = []
        done = shown.loc[shown["complete"].to_numpy(dtype=bool)]
        if len(done):
            r = done.iloc[-1]
            sentences.append(f"Of the people hired in {r['cohort']}, {_pct(r['retention_rate'])} were still employed "
                             f"{horizon_days} days after their hire date (95% CI {_pct(r['ci_lower'])} to "
                             f"{_pct(r['ci_upper'])}).")
        open_ = shown.loc[~shown["complete"].to_numpy(dtype=bool)]
        if len(open_):
            r = open_.iloc[-1]
            sentences.append(f"For people hired in {r['cohort']}, not all have reached {horizon_days} days yet: an "
                             f"estimated {_pct(r['retention_rate'])} will still be employed then (Kaplan–Meier, 95% CI "
                             f"{_pct(r['ci_lower'])} to {_pct(r['ci_upper'])}).")
        sentences = tuple(sentences)
    table = suppressed_table(exact, threshold=threshold)
    table = table[["cohort", "n_hired", "method", "retention_rate", "ci_lower", "ci_upper"]].reset_index(drop=True)
    table["method"] = table["method"].map(_METHOD_WORDS).fillna(table["method"])
    return StaffingPanel("new_hire_retention", result, not shown.empty, sentences, table, result.definition,
                         f"New hires still employed after {horizon_days} days, by {cohort} of hire", {"threshold": threshold, "since": since, "cohort": cohort, "horizon_days": horizon_days})


def tenure_panel(roster: pd.DataFrame, *, as_of, observed_from, threshold: int = DEFAULT_MIN_COUNT,
                 team_id: str | None = None) -> StaffingPanel:
    """Tenure survival curve and median tenure of the team's staff.

    Parameters
    ----------
    roster : DataFrame
    as_of : date-like
        Data as-of date; staff still employed then are censored.
    observed_from : date-like
        First day the roster covers (left truncation of earlier hires).
    threshold : int, default 10
        The curve and the median are shown only with at least ``threshold`` staff,
        ``threshold`` separations (the curve's steps reveal the separations) and, when
        anyone is still employed, ``threshold`` of them (staff − separations, which
        the steps would give away too).
    team_id : str, optional

    Returns
    -------
    StaffingPanel
        ``result`` from :func:`evalkit.workforce.staffing.tenure_survival`; ``table`` columns
        n_staff, n_separations, median_tenure_years, median_ci_lower_years,
        median_ci_upper_years (suppressed).
    """
    from evalkit.workforce import suppressed_table, tenure_survival

    roster = _team_rows(roster, team_id)
    result = tenure_survival(roster, as_of=as_of, observed_from=observed_from)
    m = result.medians.iloc[0] if len(result.medians) else None
    ok = m is not None and m["n_staff"] >= threshold and m["n_separations"] >= threshold
    if ok and _hidden(result, threshold, "n_separations")[0]:  # 1 … threshold − 1 still employed
        ok = False
        sentences = (f"Fewer than {threshold} of the staff are still employed, so the tenure curve and median "
                     "tenure are not shown (with the number of staff they would give that number away).",)
    elif not ok:
        sentences = (f"Fewer than {threshold} staff, or fewer than {threshold} of them left, so the tenure curve "
                     "and median tenure are not shown.",)
    elif not np.isfinite(m["median_tenure_days"]):
        sentences = ("More than half of the staff were still employed at the longest tenure seen, so the median "
                     "tenure is not reached yet.",)
    else:
        years = m["median_tenure_days"] / 365.25
        lo, hi = m["median_ci_lower"] / 365.25, m["median_ci_upper"] / 365.25
        upper = f"{hi:.1f}" if np.isfinite(hi) else "no upper limit yet"
        sentences = (f"Half of the staff had left within {years:.1f} years of being hired (median tenure "
                     f"{years:.1f} years, 95% CI {lo:.1f} to {upper}{'' if not np.isfinite(hi) else ' years'}).",)
    table = suppressed_table(result, threshold=threshold)
    for src, dst in (("median_ci_lower", "median_ci_lower_years"), ("median_ci_upper", "median_ci_upper_years")):
        table[dst] = [v / 365.25 if isinstance(v, (int, float, np.number)) and not isinstance(v, bool) else v
                      for v in table[src]]
    table = table[["n_staff", "n_separations", "median_tenure_years", "median_ci_lower_years",
                   "median_ci_upper_years"]].reset_index(drop=True)
    return StaffingPanel("tenure", result, bool(ok), sentences, table, result.definition,
                         "How long staff stay (tenure, Kaplan–Meier with 95% band)", {"threshold": threshold, "observed_from": observed_from})


# --------------------------------------------------------------------------- vacancy and time to fill
def vacancy_panel(positions: pd.DataFrame, *, first_month, last_month, threshold: int = DEFAULT_MIN_COUNT,
                  recent_months: int = 12, team_id: str | None = None) -> StaffingPanel:
    """Monthly vacancy rate over the evaluation months and its recent average.

    Parameters
    ----------
    positions : DataFrame
        team_id, period, funded_positions, filled_positions.
    first_month, last_month : month-like
        Evaluation months (rows outside are dropped).
    threshold : int, default 10
        Months with fewer funded or filled positions are not shown (filled
        positions are people).
    recent_months : int, default 12
        Months at the end averaged in the sentence.
    team_id : str, optional

    Returns
    -------
    StaffingPanel
        ``result`` from :func:`evalkit.workforce.staffing.vacancy_rate`; ``table`` empty (the
        monthly values are in the chart).

    Notes
    -----
    The average is the unweighted mean of the monthly rates of the shown months;
    with constant funded positions it equals vacant ÷ funded pooled over the months.
    """
    from evalkit.workforce import vacancy_rate

    positions = _team_rows(positions, team_id)
    first, last = _month(first_month), _month(last_month)
    inside = ((positions["period"] >= first) & (positions["period"] <= last)).fillna(False).to_numpy(dtype=bool)
    result = vacancy_rate(positions.loc[inside].reset_index(drop=True))
    t = result.table
    shown = t.loc[((t["funded_positions"] >= threshold) & (t["filled_positions"] >= threshold)).to_numpy(dtype=bool)]
    if shown.empty:
        sentences = (f"The team has fewer than {threshold} funded or filled positions, so the vacancy rate is "
                     "not shown.",)
    else:
        recent = shown.loc[shown["period"] > last - pd.DateOffset(months=recent_months)]
        if recent.empty:
            recent = shown
        sentences = (f"From {recent['period'].min():%Y-%m} to {recent['period'].max():%Y-%m}, on average "
                     f"{recent['vacancy_rate'].mean():.1f}% of funded positions were vacant (monthly values "
                     f"{recent['vacancy_rate'].min():.1f}% to {recent['vacancy_rate'].max():.1f}%).",)
    return StaffingPanel("vacancy", result, not shown.empty, sentences, pd.DataFrame(), result.definition,
                         "Vacancy rate", {"threshold": threshold, "recent_months": recent_months})


def time_to_fill_panel(requisitions: pd.DataFrame, *, as_of, threshold: int = DEFAULT_MIN_COUNT,
                       team_id: str | None = None) -> StaffingPanel:
    """Median days to fill a requisition, open requisitions counted as censored.

    Parameters
    ----------
    requisitions : DataFrame
        team_id, requisition_id, opened, filled (blank = still open).
    as_of : date-like
        Data as-of date (params ``data_as_of``).
    threshold : int, default 10
        Fewer requisitions: no chart and no median. Counts of open requisitions
        below it are written as "fewer than 10".
    team_id : str, optional

    Returns
    -------
    StaffingPanel
        ``result`` from :func:`evalkit.workforce.staffing.time_to_fill`; ``table`` columns
        n_requisitions, median_days_to_fill, median_ci_lower, median_ci_upper.
    """
    from evalkit.workforce import time_to_fill

    requisitions = _team_rows(requisitions, team_id)
    result = time_to_fill(requisitions, as_of=as_of)
    t = result.table
    r = t.iloc[0] if len(t) else None
    ok = r is not None and r["n_requisitions"] >= threshold
    if not ok:
        sentences = (f"Fewer than {threshold} requisitions were opened, so time to fill is not shown.",)
        table = pd.DataFrame()
    else:
        n_open = int(r["n_open"])
        open_text = (f"{n_open} requisitions" if n_open >= threshold else
                     "no requisition" if n_open == 0 else f"fewer than {threshold} requisitions")
        verb = "was" if n_open == 0 else "were"
        censored = (f" On {_day(as_of)} {open_text} {verb} still open; open requisitions count as open at least "
                    "that long (censored), not dropped.")
        if np.isfinite(r["median_days_to_fill"]):
            hi = r["median_ci_upper"]
            upper = f"{hi:.0f} days" if np.isfinite(hi) else "no upper limit yet"
            first = (f"Half of the {int(r['n_requisitions'])} requisitions were filled within "
                     f"{r['median_days_to_fill']:.0f} days of opening (median; 95% CI {r['median_ci_lower']:.0f} "
                     f"to {upper}).")
        else:
            first = (f"Fewer than half of the {int(r['n_requisitions'])} requisitions were filled by {_day(as_of)}, "
                     "so the median time to fill is not reached.")
        sentences = (first + censored,)
        table = t[["n_requisitions", "median_days_to_fill", "median_ci_lower", "median_ci_upper"]].reset_index(drop=True)
    return StaffingPanel("time_to_fill", result, bool(ok), sentences, table, result.definition,
                         "Time to fill a requisition (share still open)", {"threshold": threshold, "as_of": as_of})


# --------------------------------------------------------------------------- survey waves
def turnover_note(monthly, *, threshold: int = DEFAULT_MIN_COUNT) -> str | None:
    """A one-line note when no month of the turnover chart can be shown, else None.

    Parameters
    ----------
    monthly : MetricTable
        :func:`evalkit.workforce.staffing.monthly_workforce` of the team.
    threshold : int, default 10
        :func:`evalkit.plotting.plot_turnover` hides months whose average headcount is
        below it; when every month is hidden the chart would be empty.
    """
    t = monthly.table
    if len(t) and (pd.to_numeric(t["average_headcount"], errors="coerce") >= threshold).any():
        return None
    return (f"The team had fewer than {threshold} staff on average in every month, so monthly turnover is not "
            "shown; the before/after comparison below pools the months instead.")


def survey_wave_table(summary, *, threshold: int = DEFAULT_MIN_RESPONDENTS,
                      staff_threshold: int = DEFAULT_MIN_COUNT) -> pd.DataFrame:
    """One row per survey wave of one scale, suppressed (for :func:`evalkit.report.sections.format_table`).

    Parameters
    ----------
    summary : evalkit.workforce.survey.SurveySummary
        From :func:`evalkit.workforce.survey.summarise_survey` for one team.
    threshold, staff_threshold : int
        Respondents and staff below which counts are hidden (params
        ``suppression.min_respondents`` and ``suppression.min_count``).

    Returns
    -------
    DataFrame
        Columns wave, fielded, n_respondents, staff_employed, response_rate, mean,
        ci_lower, ci_upper, pct_at_or_above_cutoff, cronbach_alpha (those present), from
        :func:`evalkit.workforce.survey.suppressed_summary`.
    """
    from evalkit.workforce.survey import suppressed_summary

    shown = suppressed_summary(summary, threshold=threshold, staff_threshold=staff_threshold)
    cols = ["wave", "fielded", "n_respondents", "staff_employed", "response_rate", "mean", "ci_lower", "ci_upper",
            "pct_at_or_above_cutoff", "cronbach_alpha"]
    return shown[[c for c in cols if c in shown]].reset_index(drop=True)


# --------------------------------------------------------------------------- before and after
@dataclass(frozen=True)
class BeforeAfter:
    """Before/after comparisons of one team: survey scales and turnover.

    ``summaries``: (title, :class:`evalkit.effects.workforce_change.PrePostSummary`) pairs;
    ``notes``: why a comparison is missing. ``sentences`` lists every summary's
    sentences, then the notes.
    """

    summaries: tuple
    notes: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def sentences(self) -> tuple[str, ...]:
        return tuple(s for _, summary in self.summaries for s in summary.sentences) + self.notes

    def _repr_html_(self) -> str:
        return "<ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in self.sentences) + "</ul>"


def before_after(tables, params, team_id: str, *, start, first_month, last_month) -> BeforeAfter:
    """Survey scales (first vs last wave) and turnover (before vs after the start) of one team.

    Parameters
    ----------
    tables : Tables or mapping
        The team's tables (``survey``, ``roster``; either may be absent).
    params : evalkit.inputs.params.TeamParams
        ``instruments`` and ``suppression`` (min_respondents, min_count).
    team_id : str
    start : month-like or None
        The team's intervention start (None: no turnover comparison).
    first_month, last_month : month-like or None
        The evaluation months.

    Returns
    -------
    BeforeAfter
        One :func:`evalkit.effects.workforce_change.survey_change` per instrument (when the
        team has two or more survey waves) and one
        :func:`evalkit.effects.workforce_change.turnover_change` (when the team has a roster
        and months on both sides of the start); a note for each comparison that
        cannot be made.
    """
    from evalkit.effects.workforce_change import survey_change, turnover_change

    summaries, notes = [], []
    survey = _team_rows(tables["survey"], team_id) if "survey" in tables and tables["survey"] is not None else None
    waves = sorted(pd.to_numeric(survey["wave"], errors="coerce").dropna().unique()) if survey is not None else []
    if len(waves) >= 2:
        for instrument in params.instruments.values():
            summaries.append((instrument.label, survey_change(
                survey, instrument, team_id=team_id, min_respondents=params.suppression.min_respondents)))
    elif survey is not None and len(survey):
        notes.append("The staff survey has a single wave for this team, so there is no before/after comparison "
                     "of survey scores.")
    roster = _team_rows(tables["roster"], team_id) if "roster" in tables and tables["roster"] is not None else None
    if roster is not None and len(roster):
        if start is None or first_month is None:
            notes.append("No start month is known for this team, so turnover is not compared before and after.")
        elif not _month(first_month) < _month(start) <= _month(last_month):
            notes.append(f"The start month {_month(start):%Y-%m} is not inside the evaluation months, so turnover "
                         "is not compared before and after.")
        else:
            summaries.append(("Staff turnover", turnover_change(
                roster, team_id=team_id, start=start, first_month=first_month, last_month=last_month,
                min_count=params.suppression.min_count)))
    return BeforeAfter(tuple(summaries), tuple(notes), {"team_id": team_id, "start": start})


def _num(v) -> float | None:
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and not pd.isna(v):
        return float(v)
    return None


def _ci_text(est, lo, hi, digits: int = 1) -> str:
    """'−7.7 (−15.2 to −0.3)'; 'suppressed' or '—' when a part is hidden or missing."""
    values = [_num(v) for v in (est, lo, hi)]
    if any(isinstance(v, str) and v.startswith("suppress") for v in (est, lo, hi)):
        return "suppressed"
    if values[0] is None and values[1] is None:
        return "—"

    def f(x):
        if x is None:
            return "—"
        if math.isinf(x):
            return "no limit" if x > 0 else "−no limit"
        text = f"{x:.{digits}f}"
        return text.lstrip("-") if float(text) == 0 else text.replace("-", "−")

    e = "no finite value" if values[0] is not None and math.isinf(values[0]) else f(values[0])
    return f"{e} ({f(values[1])} to {f(values[2])})"


def _arrow(before, after, digits: int | None = 1, suffix: str = "") -> str:
    """'36 → 48', '63.9% → 43.8%'; hidden values stay as they are ('<5', 'suppressed')."""
    def f(v):
        x = _num(v)
        if x is None:
            return "—" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
        return (f"{x:,.0f}" if digits is None else f"{x:.{digits}f}") + suffix
    b, a = f(before), f(after)
    return b if b == a == "suppressed" else f"{b} → {a}"


def prepost_table(summary) -> pd.DataFrame:
    """A short display table of a before/after summary (from its suppressed ``report_table()``).

    Parameters
    ----------
    summary : evalkit.effects.workforce_change.PrePostSummary

    Returns
    -------
    DataFrame
        Survey (one row per scale): "Scale", "Respondents (before → after)",
        "Mean score (before → after)", "Difference (95% CI)", "Size in standard deviations (Hedges' g, 95% CI)",
        "At or above cut-off (before → after)", "Difference in % points (95% CI)".
        Turnover (rows all separations, voluntary): "Separations", "Staff-months
        (before → after)", "Left (before → after)", "% per month (before → after)",
        "Rate ratio (95% CI)". Hidden counts stay "hidden" and hidden figures
        "suppressed"; one decimal (two for Hedges' g and ratios). Text only: for reading.
    """
    t = summary.report_table()
    if summary.kind == "survey":
        return pd.DataFrame({
            "Scale": t["scale"],
            "Respondents (before → after)": [_arrow(b, a, None) for b, a in zip(t["n_before"], t["n_after"])],
            "Mean score (before → after)": [_arrow(b, a) for b, a in zip(t["mean_before"], t["mean_after"])],
            "Difference (95% CI)": [_ci_text(*r) for r in zip(t["difference"], t["ci_low"], t["ci_high"])],
            "Size in standard deviations (Hedges' g, 95% CI)": [_ci_text(*r, digits=2) for r in
                                   zip(t["hedges_g"], t["hedges_g_ci_low"], t["hedges_g_ci_high"])],
            "At or above cut-off (before → after)": [_arrow(b, a, 1, "%") for b, a in
                                                     zip(t["pct_before"], t["pct_after"])],
            "Difference in % points (95% CI)": [_ci_text(*r) for r in
                                                zip(t["pct_difference"], t["pct_ci_low"], t["pct_ci_high"])],
        }).reset_index(drop=True)
    return pd.DataFrame({
        "Separations": t["kind"].map({"total": "All separations", "voluntary": "Voluntary"}).fillna(t["kind"]),
        "Staff-months (before → after)": [_arrow(b, a) for b, a in zip(t["staff_months_before"], t["staff_months_after"])],
        "Left (before → after)": [_arrow(b, a, None) for b, a in zip(t["separations_before"], t["separations_after"])],
        "% per month (before → after)": [_arrow(b, a) for b, a in zip(t["rate_before"], t["rate_after"])],
        "Rate ratio (95% CI)": [_ci_text(*r, digits=2) for r in zip(t["rate_ratio"], t["ci_low"], t["ci_high"])],
    }).reset_index(drop=True)


# --------------------------------------------------------------------------- comparison units
def comparison_table(charts) -> pd.DataFrame:
    """One row per measure: the comparison-adjusted effect behind the verdict, in report words.

    Parameters
    ----------
    charts : evalkit.report.sections.MeasureCharts

    Returns
    -------
    DataFrame
        Columns ``measure``, ``verdict``, ``change vs comparison`` (the headline estimate with
        its unit), ``95% interval``, ``months before / after``, ``drift before the start``
        ("none seen" or the warning). Measures without a comparison fit read "–".
    """
    from evalkit.effects.narrative import _diff_unit, format_number

    judged = charts.judgement
    rows = []
    for _, v in charts.verdicts.iterrows():
        fit = judged.comparison.get(v["measure_id"]) if judged is not None else None
        effect = fit.effect(charts.team_id) if fit is not None else None
        has = effect is not None and effect["estimate"] == effect["estimate"]
        unit = _diff_unit(str(v["unit"] or ""))
        if has:
            drift = ("none seen" if not effect["pretrend_p"] < 0.05 else
                     f"yes (p = {effect['pretrend_p']:.2f}): the comparison may not fit this team")
        rows.append({
            "measure": v["label"],
            "verdict": v["verdict_text"],
            "change vs comparison": f"{format_number(effect['estimate'])} {unit}".strip() if has else "–",
            "95% interval": (f"{format_number(effect['ci_low'])} to {format_number(effect['ci_high'])}" if has
                             else "–"),
            "months before / after": f"{int(effect['n_pre'])} / {int(effect['n_post'])}" if has else "–",
            "drift before the start": drift if has else "–",
        })
    return pd.DataFrame(rows, columns=["measure", "verdict", "change vs comparison", "95% interval",
                                       "months before / after", "drift before the start"])


def comparison_note(charts) -> str:
    """One sentence on the comparison units behind a team's verdicts, and their base rate."""
    judged = charts.judgement
    if judged is None or not judged.comparison:
        return ("No units that did not take part are in the data, so each verdict rests on the team's own chart "
                "and trend only.")
    fit = next(iter(judged.comparison.values()))
    n = fit.n_comparison
    base = judged.base_rate
    shifts, charts_n = int(base["n_shift"].sum()), int(base["n_charts"].sum())
    return (f"Each change is measured against what the {n} units that did not take part predicted for this team "
            f"(the months they share with it: the general trend and the seasons). For reference, {shifts} of "
            f"{charts_n} charts of those units show a sustained shift too, although they changed nothing as part "
            "of the collaborative.")
