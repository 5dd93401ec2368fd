"""Charts of workforce and survey results (turnover, retention, tenure, vacancy, time to fill, scales).

Each function takes a result from :mod:`evalkit.workforce.staffing` or :mod:`evalkit.workforce.survey`
and an optional ``ax``, returns the Axes, never calls ``plt.show()`` and never
changes global style. Points resting on fewer people than the suppression
threshold are left out (see :mod:`evalkit.privacy`) and the caption says so.
"""
from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from evalkit.plotting._palette import okabe_ito
from evalkit.plotting._text import plain_text
from evalkit.privacy import DEFAULT_MIN_COUNT, DEFAULT_MIN_RESPONDENTS

__all__ = [
    "OKABE_ITO",
    "plot_turnover",
    "plot_retention",
    "plot_new_hire_retention",
    "plot_tenure_survival",
    "plot_vacancy",
    "plot_time_to_fill",
    "plot_survey_scale",
]

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = list(okabe_ito("blue", "orange", "green", "vermillion", "purple", "sky_blue", "yellow", "black"))


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    return ax


def _caption(ax, definition: str, note: str = "") -> None:
    text = textwrap.fill(definition + (" " + note if note else ""), width=120)
    ax.text(0.0, -0.18, text, transform=ax.transAxes, ha="left", va="top", fontsize=7, color="#333333")


def _one(table: pd.DataFrame, col: str, team) -> pd.DataFrame:
    if team is None:
        return table
    return table[table[col].astype(str) == str(team)]


def _hidden_note(n_hidden: int, threshold: int, unit: str = "people") -> str:
    if not n_hidden:
        return ""
    return f"{n_hidden} point(s) not shown: based on fewer than {threshold} {unit}."


@plain_text
def plot_turnover(
    monthly,
    team: str | None = None,
    *,
    kinds: tuple[str, ...] = ("total", "voluntary"),
    threshold: int = DEFAULT_MIN_COUNT,
    suppress_on: str = "denominator",
    title: str | None = None,
    ax=None,
):
    """Monthly turnover rate (total and voluntary by default) with its definition as caption.

    Parameters
    ----------
    monthly : MetricTable
        Result of :func:`evalkit.workforce.staffing.monthly_workforce`.
    team : str, optional
        Value of the first grouping column to draw (default: all rows, one line per kind;
        pass a team when the result holds several).
    kinds : tuple of {"total", "voluntary", "involuntary", "other"}
    threshold : int, default 10
        Suppression threshold (people).
    suppress_on : {"denominator", "numerator"}, default "denominator"
        "denominator": a month is hidden when its average headcount is below the
        threshold (the group is too small to show). "numerator": hidden when the
        separations counted are 1..threshold−1 (strict count rule; hides most months
        of small teams).
    title : str, optional
        Chart title (default "Staff turnover — <team>"; pass the team's name to show
        it instead of its id).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    cols = {"total": ("turnover_rate", "separations"),
            "voluntary": ("turnover_rate_voluntary", "separations_voluntary"),
            "involuntary": ("turnover_rate_involuntary", "separations_involuntary"),
            "other": ("turnover_rate_other", "separations_other")}
    by = monthly.settings["by"][0]
    t = _one(monthly.table, by, team)
    ax = _axes(ax)
    hidden = 0
    for i, kind in enumerate(kinds):
        rate_col, count_col = cols[kind]
        if suppress_on == "numerator":
            hide = (t[count_col] > 0) & (t[count_col] < threshold)
        else:
            hide = t["average_headcount"] < threshold
        hidden = max(hidden, int(hide.sum()))
        ax.plot(t["period"], t[rate_col].mask(hide), marker="o", ms=3, color=OKABE_ITO[i],
                label=f"{kind} turnover")
    ax.set_ylabel("% per month")
    ax.set_title(title if title is not None else f"Staff turnover{' — ' + str(team) if team is not None else ''}")
    ax.legend(frameon=False, fontsize=8)
    ax.set_ylim(bottom=0)
    _caption(ax, monthly.definition, _hidden_note(hidden, threshold))
    return ax


@plain_text
def plot_retention(retention, team: str | None = None, *, threshold: int = DEFAULT_MIN_COUNT, ax=None):
    """Retention rate per month (from :func:`evalkit.workforce.staffing.rolling_retention`).

    Months where fewer than ``threshold`` people were employed on the first day are
    not drawn. Returns the Axes.
    """
    by = retention.settings["by"][0]
    t = _one(retention.table, by, team)
    ax = _axes(ax)
    hide = t["employed_first_day"] < threshold
    ax.plot(t["period"], t["retention_rate"].mask(hide), marker="o", ms=3, color=OKABE_ITO[2])
    ax.set_ylabel("% retained")
    ax.set_ylim(0, 100)
    ax.set_title(f"Staff retention ({retention.settings.get('window', '')}-month periods)"
                 f"{' — ' + str(team) if team is not None else ''}")
    _caption(ax, retention.definition, _hidden_note(int(hide.sum()), threshold))
    return ax


@plain_text
def plot_new_hire_retention(new_hires, team: str | None = None, *, threshold: int = DEFAULT_MIN_COUNT, ax=None):
    """New-hire retention by hire cohort with confidence intervals.

    Filled markers: complete cohorts counted directly; open markers: Kaplan–Meier
    estimates for cohorts whose anniversaries are not all past. Cohorts of fewer
    than ``threshold`` hires are not drawn. Returns the Axes.
    """
    by = new_hires.settings["by"][0]
    t = _one(new_hires.table, by, team).reset_index(drop=True)
    ax = _axes(ax)
    show = t["n_hired"] >= threshold
    x = np.arange(len(t))
    for complete, face, label in ((True, OKABE_ITO[0], "counted (complete cohort)"),
                                  (False, "white", "Kaplan–Meier (open cohort)")):
        sel = show & (t["complete"] == complete)
        if sel.any():
            y = t.loc[sel, "retention_rate"]
            err = np.vstack([y - t.loc[sel, "ci_lower"], t.loc[sel, "ci_upper"] - y])
            ax.errorbar(x[sel.to_numpy()], y, yerr=err, fmt="o", color=OKABE_ITO[0], mfc=face,
                        capsize=3, label=label)
    ax.set_xticks(x, t["cohort"], rotation=45, ha="right", fontsize=7)
    ax.set_ylim(0, 100)
    ax.set_ylabel(f"% still employed after {new_hires.settings['horizon_days']} days")
    ax.set_title(f"New-hire retention by hire cohort{' — ' + str(team) if team is not None else ''}")
    ax.legend(frameon=False, fontsize=8)
    _caption(ax, new_hires.definition, _hidden_note(int((~show).sum()), threshold, "hires"))
    return ax


@plain_text
def plot_tenure_survival(tenure, teams=None, *, threshold: int = DEFAULT_MIN_COUNT, ax=None):
    """Kaplan–Meier tenure curves with pointwise confidence bands, median marked.

    Parameters
    ----------
    tenure : TenureSurvival
        Result of :func:`evalkit.workforce.staffing.tenure_survival`.
    teams : str or list of str, optional
        Groups to draw (default: all).
    threshold : int, default 10
        Groups with fewer staff are not drawn.
    ax : Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    by = tenure.settings["by"][0]
    meds = tenure.medians
    if teams is not None:
        teams = [teams] if isinstance(teams, str) else list(teams)
        meds = meds[meds[by].astype(str).isin([str(t) for t in teams])]
    ax = _axes(ax)
    hidden = 0
    for i, (_, m) in enumerate(meds.iterrows()):  # one curve per team
        if m["n_staff"] < threshold:
            hidden += 1
            continue
        c = tenure.curves[tenure.curves[by].astype(str) == str(m[by])]
        years = np.concatenate([[0.0], c["time_days"].to_numpy() / 365.25])
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        ax.step(years, np.concatenate([[1.0], c["surv_prob"]]) * 100, where="post", color=colour, label=str(m[by]))
        ax.fill_between(years, np.concatenate([[1.0], c["ci_lower"]]) * 100,
                        np.concatenate([[1.0], c["ci_upper"]]) * 100, step="post", color=colour, alpha=0.2, lw=0)
        if np.isfinite(m["median_tenure_years"]):
            ax.axvline(m["median_tenure_years"], color=colour, ls=":", lw=1)
    ax.axhline(50, color="#999999", lw=0.8)
    ax.set_xlabel("years since hire")
    ax.set_ylabel("% still employed")
    ax.set_ylim(0, 100)
    ax.set_title("Tenure survival (Kaplan–Meier, 95% band)")
    if len(meds) - hidden:
        ax.legend(frameon=False, fontsize=8)
    _caption(ax, tenure.definition, _hidden_note(hidden, threshold, "staff (teams)"))
    return ax


@plain_text
def plot_vacancy(vacancy, team: str | None = None, *, threshold: int = DEFAULT_MIN_COUNT, ax=None):
    """Vacancy rate per month. Months with fewer than ``threshold`` funded positions are not drawn."""
    by = vacancy.settings["by"][0]
    t = _one(vacancy.table, by, team)
    ax = _axes(ax)
    hide = t["funded_positions"] < threshold
    ax.plot(t["period"], t["vacancy_rate"].mask(hide), marker="o", ms=3, color=OKABE_ITO[3])
    ax.set_ylabel("% of funded positions vacant")
    ax.set_ylim(bottom=0)
    ax.set_title(f"Vacancy rate{' — ' + str(team) if team is not None else ''}")
    _caption(ax, vacancy.definition, _hidden_note(int(hide.sum()), threshold, "funded positions"))
    return ax


@plain_text
def plot_time_to_fill(ttf, team: str | None = None, *, ax=None):
    """Share of requisitions still open by days since opening (Kaplan–Meier), median marked.

    Requisitions are positions, not people, so no suppression applies. Returns the Axes.
    """
    by = ttf.settings["by"][0]
    rows = ttf.table.reset_index(drop=True)
    curves = ttf.settings["curves"]
    ax = _axes(ax)
    for i, row in rows.iterrows():
        if team is not None and str(row[by]) != str(team):
            continue
        c = curves[curves["group"] == i]
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        ax.step(np.concatenate([[0.0], c["time"]]), np.concatenate([[1.0], c["surv"]]) * 100, where="post",
                color=colour, label=f"{row[by]} (median {row['median_days_to_fill']:.0f} days)"
                if np.isfinite(row["median_days_to_fill"]) else f"{row[by]} (median not reached)")
    ax.axhline(50, color="#999999", lw=0.8)
    ax.set_xlabel("days since the requisition opened")
    ax.set_ylabel("% still open")
    ax.set_ylim(0, 100)
    ax.set_title("Time to fill")
    ax.legend(frameon=False, fontsize=8)
    _caption(ax, ttf.definition)
    return ax


@plain_text
def plot_survey_scale(summary, team: str | None = None, scale: str | None = None, *,
                      threshold: int = DEFAULT_MIN_RESPONDENTS, title: str | None = None, ax=None):
    """Scale mean per wave with its 95% t interval, and the cut-off line.

    Waves with fewer than ``threshold`` respondents (default 5) are not drawn.
    ``title`` replaces the default "<scale> — <team>" (e.g. the instrument's label and
    the team's name). Returns the Axes.
    """
    t = summary.table
    if team is not None and "team_id" in t:
        t = t[t["team_id"].astype(str) == str(team)]
    scale = scale if scale is not None else t["scale"].iloc[0]
    t = t[t["scale"] == scale]
    ax = _axes(ax)
    show = t["n_respondents"] >= threshold
    s = t[show]
    ax.errorbar(s["wave"].astype(float), s["mean"], yerr=np.vstack([s["mean"] - s["ci_lower"], s["ci_upper"] - s["mean"]]),
                fmt="o-", color=OKABE_ITO[4], capsize=3)
    spec = summary.settings.get("instrument", {})
    if spec.get("cutoff") is not None:
        ax.axhline(float(spec["cutoff"]), color="#999999", ls="--", lw=0.8, label=spec.get("cutoff_label") or "cut-off")
        ax.legend(frameon=False, fontsize=8)
    ax.set_xticks(sorted(t["wave"].astype(float).unique()))
    ax.set_xlabel("survey wave")
    ax.set_ylabel(f"mean score (higher is {spec.get('higher_is', '')})")
    if "response_min" in spec:
        ax.set_ylim(spec["response_min"], spec["response_max"])
    ax.set_title(title if title is not None else f"{scale}{' — ' + str(team) if team is not None else ''}")
    _caption(ax, summary.definition, _hidden_note(int((~show).sum()), threshold, "respondents"))
    return ax
