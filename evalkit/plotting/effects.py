"""Plots of effect estimates, PDSA activity and progress scores.

Every function takes a result (or the tidy table a function of evalkit returns)
and an optional ``ax``, draws only what the result holds, and returns the Axes
(or a Figure for small multiples). Colour-blind-safe Okabe-Ito palette; no
global style changes; never ``show()``. Artists carry a ``gid`` so tests and
callers can find them.
"""
from __future__ import annotations

import math
from typing import Mapping

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from evalkit.effects.verdict import VERDICT_WORDS
from evalkit.errors import InputError
from evalkit.collaborative.pdsa import ESSENTIALS
from evalkit.plotting._dates import concise_date_axis
from evalkit.plotting._heatmap import heatmap
from evalkit.plotting._text import plain_text

__all__ = [
    "plot_its",
    "plot_its_facets",
    "plot_event_study",
    "plot_pdsa_timeline",
    "plot_pdsa_heatmap",
    "plot_progress",
    "plot_progress_shares",
    "plot_progress_distribution",
    "plot_signal_counts",
    "plot_comparison_event_study",
    "plot_staggered_event_study",
]

# Okabe & Ito (2008) colour-universal-design palette
_OI = {"black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73",
       "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7"}
_GREY = "#8C8C8C"
_DECISION_COLOURS = {"adopt": _OI["green"], "adapt": _OI["sky_blue"], "abandon": _OI["vermillion"],
                     "ongoing": _OI["orange"], "not recorded": _GREY}
_VERDICT_COLOURS = {"improved": _OI["blue"], "deteriorated": _OI["vermillion"], "mixed": _OI["purple"],
                    "no_change": "#D9D9D9", "too_little_data": "#F2F2F2"}


def _axes(ax, figsize=(8, 4)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _date_axis(ax):
    """Compact date labels that do not overlap (per-Axes; no global setting)."""
    concise_date_axis(ax, maxticks=8)


def _month_axis(ax, first, last, max_labels: int = 8):
    """Whole-month limits and at most ``max_labels`` month ticks labelled 'Apr 2023'."""
    lo = pd.Timestamp(first).to_period("M").to_timestamp()
    hi = (pd.Timestamp(last).to_period("M") + 1).to_timestamp()
    n_months = (hi.year - lo.year) * 12 + hi.month - lo.month
    step = max(1, -(-(n_months + 1) // max_labels))
    ax.set_xlim(lo, hi)
    ax.xaxis.set_major_locator(mdates.MonthLocator(interval=step))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.xaxis.set_minor_locator(mdates.MonthLocator())


def _empty(ax, message: str):
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color=_GREY, gid="empty-note")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


# --------------------------------------------------------------------------- ITS
@plain_text
def plot_its(result, ax=None, *, title: str | None = None, ylabel: str | None = None):
    """Interrupted time series: observed points, fitted segments, counterfactual and start line.

    Parameters
    ----------
    result : ITSResult
    ax : matplotlib Axes, optional
    title, ylabel : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        Artists: ``observed`` (points), ``fitted-before`` / ``fitted-after``
        (lines), ``counterfactual`` (dashed: the pre-start trend carried
        forward), ``start`` (vertical line). Warnings of the result are written
        under the plot.
    """
    ax = _axes(ax)
    f = result.fitted
    if f.empty:
        return _empty(ax, "no data")
    x = f["period"]
    ax.plot(x, f["observed"], "o", color=_OI["black"], ms=4, gid="observed", label="observed")
    pre, post = ~f["post"].astype(bool), f["post"].astype(bool)
    if f["fitted"].notna().any():
        ax.plot(x[pre], f.loc[pre, "fitted"], "-", color=_OI["blue"], lw=2, gid="fitted-before", label="fitted")
        ax.plot(x[post], f.loc[post, "fitted"], "-", color=_OI["blue"], lw=2, gid="fitted-after")
        ax.plot(x[post], f.loc[post, "counterfactual"], "--", color=_OI["orange"], lw=2, gid="counterfactual",
                label="pre-start trend continued")
    if post.any():
        first_post = x[post].iloc[0]
        start = first_post - (first_post - x[pre].iloc[-1]) / 2 if pre.any() else first_post
        ax.axvline(start, color=_GREY, lw=1, ls=":", gid="start")
    ax.set_ylabel(ylabel or "")
    if pd.api.types.is_datetime64_any_dtype(x):
        _date_axis(ax)
    if title:
        ax.set_title(title)
    ax.legend(frameon=False, fontsize="small")
    if result.warnings:
        ax.text(0, -0.18, "Note: " + result.warnings[0], transform=ax.transAxes, fontsize="x-small", color=_GREY,
                va="top", wrap=True, gid="warning")
    return ax


@plain_text
def plot_its_facets(results: Mapping, *, ncols: int = 4, titles: Mapping | None = None, sharey: bool = True,
                    ylabel: str | None = None):
    """Small multiples of interrupted time series, one panel per team.

    Parameters
    ----------
    results : mapping
        ``{panel key: ITSResult}`` (e.g. team_id → result for one measure).
    ncols : int, default 4
    titles : mapping, optional
        Panel titles (default: the keys).

    Returns
    -------
    matplotlib.figure.Figure
    """
    keys = list(results)
    if not keys:
        raise InputError("plot_its_facets needs at least one result")
    nrows = math.ceil(len(keys) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.4 * nrows), sharex=True, sharey=sharey,
                             squeeze=False)
    for ax, key in zip(axes.flat, keys):
        plot_its(results[key], ax=ax, title=(titles or {}).get(key, str(key)))
        leg = ax.get_legend()
        if leg is not None:
            leg.remove()
        for t in list(ax.texts):
            if t.get_gid() == "warning":
                t.remove()
        ax.title.set_fontsize("small")
        ax.tick_params(labelsize="x-small")
    for ax in list(axes.flat)[len(keys):]:
        ax.set_visible(False)
    if ylabel:
        fig.supylabel(ylabel)
    fig.set_layout_engine("tight")  # laid out when drawn: after plain_text, so data text is never mathtext
    return fig


# --------------------------------------------------------------------------- DiD event study
@plain_text
def plot_event_study(result, ax=None, *, title: str | None = None, ylabel: str | None = None):
    """Event-study estimates (leads and lags) with their CIs; the reference month −1 is hollow at 0.

    Parameters
    ----------
    result : DiDResult (or its ``event_study`` DataFrame)

    Returns
    -------
    matplotlib.axes.Axes
        Artists: ``estimates`` (error bars), ``reference`` (hollow marker),
        ``zero`` (horizontal line), ``start`` (vertical line at −0.5).
    """
    es = result.event_study if hasattr(result, "event_study") else result
    ax = _axes(ax)
    if es.empty:
        return _empty(ax, "no event-study estimates")
    est = es[~es["reference"].astype(bool)]
    yerr = np.vstack([est["estimate"] - est["ci_low"], est["ci_high"] - est["estimate"]])
    colours = np.where(est["event_time"] < 0, _GREY, _OI["blue"])
    for c in (_GREY, _OI["blue"]):
        m = colours == c
        ax.errorbar(est["event_time"][m], est["estimate"][m], yerr=yerr[:, m], fmt="o", color=c, ms=4, capsize=2,
                    gid="estimates")
    ref = es[es["reference"].astype(bool)]
    ax.plot(ref["event_time"], ref["estimate"], "o", mfc="white", mec=_OI["black"], gid="reference")
    ax.axhline(0, color=_OI["black"], lw=0.8, gid="zero")
    ax.axvline(-0.5, color=_GREY, lw=1, ls=":", gid="start")
    ax.set_xlabel("months relative to the start (−1 = reference; end points collect earlier/later months)")
    ax.set_ylabel(ylabel or "difference vs comparison units")
    if title:
        ax.set_title(title)
    return ax


# --------------------------------------------------------------------------- PDSA
@plain_text
def plot_pdsa_timeline(pdsa: pd.DataFrame, team_id: str, ax=None, *, lanes: str = "essential",
                       as_of=None, title: str | None = None, month_ticks: bool = False):
    """One team's PDSA cycles as bars on a timeline, one lane per essential (or ramp).

    Parameters
    ----------
    pdsa : DataFrame
        The pdsa table.
    team_id : str
    lanes : {"essential", "ramp"}, default "essential"
    as_of : date-like, optional
        End drawn for cycles without an end date (ongoing). Default: the
        latest date in the team's log.
    month_ticks : bool, default False
        Whole months on the x-axis: limits at the first of the first month and of the
        month after the last, one labelled tick ("Apr 2023") per month, or every 2nd,
        3rd, ... month so that at most 8 are labelled.

    Returns
    -------
    matplotlib.axes.Axes
        Bars (gid ``cycle``) coloured by decision (adopt, adapt, abandon,
        ongoing, not recorded), with a legend.
    """
    if lanes not in ("essential", "ramp"):
        raise InputError(f"lanes {lanes!r} is not known; use 'essential' or 'ramp'")
    ax = _axes(ax, figsize=(9, 3.5))
    d = pdsa[pdsa["team_id"].astype(str) == str(team_id)].copy()
    if d.empty:
        return _empty(ax, f"no PDSA cycles logged for {team_id}")
    for c in ("start_date", "end_date"):
        d[c] = pd.to_datetime(d[c], errors="coerce")
    end_default = pd.Timestamp(as_of) if as_of is not None else max(d["start_date"].max(), d["end_date"].max())
    d["end"] = d["end_date"].fillna(end_default)
    col = "essential" if lanes == "essential" else "ramp_id"
    d[col] = d[col].astype("object").fillna("(none)")
    order = [e for e in ESSENTIALS if e in set(d[col])] + sorted(set(d[col]) - set(ESSENTIALS)) \
        if lanes == "essential" else sorted(set(d[col]))
    pos = {k: i for i, k in enumerate(order)}
    dec = d["decision"].astype("object").fillna("not recorded") if "decision" in d else "not recorded"
    d["dec"] = dec
    for _, r in d.iterrows():
        width = max((r["end"] - r["start_date"]).days, 3)
        ax.barh(pos[r[col]], width, left=r["start_date"], height=0.6, color=_DECISION_COLOURS.get(r["dec"], _GREY),
                edgecolor="white", gid="cycle")
    if month_ticks:
        _month_axis(ax, d["start_date"].min(), d["end"].max())
    else:
        _date_axis(ax)
    ax.set_yticks(range(len(order)))
    ax.set_yticklabels(order, fontsize="small")
    ax.invert_yaxis()
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for k, c in _DECISION_COLOURS.items() if (d["dec"] == k).any()]
    labels = [k for k in _DECISION_COLOURS if (d["dec"] == k).any()]
    ax.legend(handles, labels, frameon=False, fontsize="small", loc="upper left", bbox_to_anchor=(1, 1))
    ax.set_title(title or f"PDSA cycles by {'essential' if lanes == 'essential' else 'ramp'}")
    return ax


@plain_text
def plot_pdsa_heatmap(table: pd.DataFrame, ax=None, *, title: str | None = None):
    """Team × month heat map of PDSA cycles started (from :func:`evalkit.collaborative.pdsa.pdsa_heatmap`).

    Returns
    -------
    matplotlib.axes.Axes
        A seaborn heat map (gid ``heatmap``) with the count written in each non-zero cell.
    """
    ax = _axes(ax, figsize=(10, 0.35 * max(len(table), 4) + 1))
    if table.empty or table.shape[1] == 0:
        return _empty(ax, "no PDSA cycles")
    cols = [pd.Timestamp(c) for c in table.columns]
    step = max(1, len(cols) // 12)
    months = [c.strftime("%Y-%m") if i % step == 0 else "" for i, c in enumerate(cols)]
    heatmap(ax, table, fmt=".0f", cmap="Blues", hide_zeros=True, xlabels=months,
            ylabels=[str(i) for i in table.index])
    plt.setp(ax.get_xticklabels(), rotation=90, fontsize="x-small")
    plt.setp(ax.get_yticklabels(), fontsize="small")
    ax.set_title(title or "PDSA cycles started per month")
    return ax


# --------------------------------------------------------------------------- progress scores
@plain_text
def plot_progress(trajectory: pd.DataFrame, team_id: str | None = None, ax=None, *, title: str | None = None):
    """Progress-score trajectory: faculty and self scores of one team, or faculty scores of every team.

    Parameters
    ----------
    trajectory : DataFrame
        From :func:`evalkit.collaborative.progress.progress_trajectory`.
    team_id : str, optional
        One team (faculty and self lines); None draws each team's faculty score.

    Returns
    -------
    matplotlib.axes.Axes
        Step lines (gid ``faculty``, ``self`` or ``team``) on the 0.5–5.0 scale with
        reference lines at 3.0 and 4.0 (gid ``threshold``).
    """
    ax = _axes(ax)
    if trajectory.empty:
        return _empty(ax, "no progress scores")
    if team_id is not None:
        t = trajectory[trajectory["team_id"].astype(str) == str(team_id)]
        if t.empty:
            return _empty(ax, f"no progress scores for {team_id}")
        for rater, colour, style in (("faculty", _OI["blue"], "-"), ("self", _OI["orange"], "--")):
            s = t[["period", rater]].dropna()
            ax.step(s["period"], s[rater], where="post", color=colour, ls=style, lw=2, label=rater, gid=rater)
    else:
        palette = list(_OI.values())[1:]
        for i, (tid, t) in enumerate(trajectory.groupby("team_id")):
            s = t[["period", "faculty"]].dropna()
            ax.step(s["period"], s["faculty"], where="post", lw=1.2, color=palette[i % len(palette)],
                    label=str(tid), gid="team")
    for y in (3.0, 4.0):
        ax.axhline(y, color=_GREY, lw=0.8, ls=":", gid="threshold")
    _date_axis(ax)
    ax.set_ylim(0.25, 5.25)
    ax.set_ylabel("progress score (0.5–5.0)")
    ax.legend(frameon=False, fontsize="x-small", loc="upper left", bbox_to_anchor=(1, 1))
    if title:
        ax.set_title(title)
    return ax


@plain_text
def plot_progress_shares(shares: pd.DataFrame, ax=None, *, title: str | None = None):
    """Share of teams at or above each threshold by month (from :func:`evalkit.collaborative.progress.share_at_or_above`).

    Returns
    -------
    matplotlib.axes.Axes
        One step line per threshold (gid ``share``), y axis 0–100%.
    """
    ax = _axes(ax)
    if shares.empty:
        return _empty(ax, "no progress scores")
    colours = [_OI["blue"], _OI["green"], _OI["orange"], _OI["purple"]]
    for i, (thr, s) in enumerate(shares.groupby("threshold")):
        ax.step(s["period"], 100 * s["share"], where="post", lw=2, color=colours[i % 4], gid="share",
                label=f"score ≥ {thr:g}")
    _date_axis(ax)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of teams (last score carried forward)")
    ax.legend(frameon=False, fontsize="small")
    ax.set_title(title or "Teams at or above progress-score thresholds")
    return ax


@plain_text
def plot_progress_distribution(distribution: pd.DataFrame, ax=None, *, title: str | None = None):
    """Stacked bars: how many teams hold each progress score, month by month.

    Parameters
    ----------
    distribution : DataFrame
        From :func:`evalkit.collaborative.progress.score_distribution`.

    Returns
    -------
    matplotlib.axes.Axes
        One bar container per score step that occurs (its bars have gid ``score-<value>``).
    """
    ax = _axes(ax)
    if distribution.empty:
        return _empty(ax, "no progress scores")
    wide = distribution.pivot(index="period", columns="score", values="n_teams").fillna(0)
    wide = wide.loc[:, wide.sum() > 0]
    cmap = plt.get_cmap("viridis")
    bottom = np.zeros(len(wide))
    x = np.arange(len(wide))
    for i, score in enumerate(wide.columns):
        colour = cmap((score - 0.5) / 4.5)
        bars = ax.bar(x, wide[score].to_numpy(), bottom=bottom, color=colour, width=0.85, label=f"{score:g}")
        for patch in bars:
            patch.set_gid(f"score-{score:g}")
        bottom += wide[score].to_numpy()
    step = max(1, len(wide) // 12)
    ax.set_xticks(x[::step])
    ax.set_xticklabels([pd.Timestamp(p).strftime("%Y-%m") for p in wide.index][::step], rotation=90,
                       fontsize="x-small")
    ax.set_ylabel("teams")
    ax.legend(title="score", frameon=False, fontsize="x-small", loc="upper left", bbox_to_anchor=(1, 1))
    ax.set_title(title or "Progress scores of the collaborative's teams")
    return ax


# --------------------------------------------------------------------------- roll-up
@plain_text
def plot_signal_counts(counts: pd.DataFrame, ax=None, *, group: str = "all participating teams",
                       labels: Mapping | None = None, title: str | None = None):
    """Horizontal stacked bars: teams with a signal of improvement / deterioration / none, per measure.

    Parameters
    ----------
    counts : DataFrame
        From :func:`evalkit.collaborative.rollup.signal_counts`.
    group : str, default "all participating teams"
        Which group's rows to draw.
    labels : mapping, optional
        ``{measure_id: label}`` for the y axis.

    Returns
    -------
    matplotlib.axes.Axes
        One bar container per verdict (its bars have gid ``verdict-<name>``).
    """
    ax = _axes(ax, figsize=(8, 3))
    c = counts[counts["group"] == group]
    if c.empty:
        return _empty(ax, f"no verdicts for {group}")
    y = np.arange(len(c))
    left = np.zeros(len(c))
    for v, colour in _VERDICT_COLOURS.items():
        vals = c[v].to_numpy(float) if v in c else np.zeros(len(c))
        bars = ax.barh(y, vals, left=left, color=colour, edgecolor="white", label=VERDICT_WORDS[v])
        for patch in bars:
            patch.set_gid(f"verdict-{v}")
        left += vals
    ax.set_yticks(y)
    ax.set_yticklabels([(labels or {}).get(m, m) for m in c["measure_id"]])
    ax.invert_yaxis()
    ax.set_xlabel("teams")
    ax.legend(frameon=False, fontsize="small", loc="upper left", bbox_to_anchor=(1, 1))
    ax.set_title(title or f"Run-chart signals, {group}")
    return ax


@plain_text
def plot_comparison_event_study(judgement, team_id: str, *, labels: Mapping | None = None,
                                units: Mapping | None = None, ncols: int = 2):
    """Small multiples: the team's monthly difference from what the comparison units predicted.

    Parameters
    ----------
    judgement : evalkit.effects.verdict.Judgement
        Its ``comparison`` fits (:class:`evalkit.effects.imputation.ImputationResult`) per measure.
    team_id : str
    labels, units : mapping, optional
        ``{measure_id: label}`` and ``{measure_id: unit}`` for panel titles and axes.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per measure with a comparison fit: the monthly residual (observed − predicted)
        by month from the start (gid ``residual``), the mean before and after (gid ``mean``),
        zero (gid ``zero``) and the start (gid ``start``). Before the start the points should
        scatter around zero: a drift there warns that the comparison may not fit the team.
    """
    fits = {mid: fit for mid, fit in judgement.comparison.items()
            if (fit.residuals["unit"] == team_id).any()}
    n = max(len(fits), 1)
    rows = math.ceil(n / ncols)
    fig, axes = plt.subplots(rows, ncols, figsize=(10, 3.0 * rows), squeeze=False)
    for ax in axes.ravel()[len(fits):]:
        ax.set_visible(False)
    for ax, (mid, fit) in zip(axes.ravel(), fits.items()):
        r = fit.residuals.loc[fit.residuals["unit"] == team_id]
        before, after = r[~r["treated"].astype(bool)], r[r["treated"].astype(bool)]
        ax.plot(before["event_time"], before["residual"], "o", ms=3, color=_GREY, gid="residual")
        ax.plot(after["event_time"], after["residual"], "o", ms=3, color=_OI["blue"], gid="residual")
        for part, colour in ((before, _GREY), (after, _OI["blue"])):
            if len(part):
                ax.hlines(part["residual"].mean(), part["event_time"].min(), part["event_time"].max(), colors=colour,
                          lw=2, gid="mean")
        ax.axhline(0, color=_OI["black"], lw=0.8, gid="zero")
        ax.axvline(-0.5, color=_GREY, lw=1, ls=":", gid="start")
        ax.set_title((labels or {}).get(mid, mid), fontsize=10)
        ax.set_ylabel(f"observed − expected{' (' + str((units or {}).get(mid)) + ')' if units else ''}", fontsize=8)
        ax.set_xlabel("months from the team's start", fontsize=8)
    fig.set_layout_engine("tight")  # laid out when drawn: after plain_text, so data text is never mathtext
    return fig


@plain_text
def plot_staggered_event_study(result, ax=None, *, title: str | None = None, ylabel: str | None = None):
    """Event study of a staggered difference in differences (Callaway & Sant'Anna).

    Parameters
    ----------
    result : evalkit.effects.staggered.StaggeredDiDResult

    Returns
    -------
    matplotlib.axes.Axes
        Estimates by month from each team's start with pointwise intervals (gid
        ``estimates``) and the simultaneous band where it could be computed (gid ``band``),
        zero (gid ``zero``) and the start (gid ``start``). Months before the start are grey:
        they test for trends that differed before anything was done.
    """
    es = result.event_study
    ax = _axes(ax)
    if es.empty:
        return _empty(ax, "no event-study estimates")
    if {"band_low", "band_high"} <= set(es.columns) and es["band_low"].notna().any():
        ax.fill_between(es["event_time"], es["band_low"], es["band_high"], color=_OI["sky_blue"], alpha=0.25, lw=0,
                        gid="band", label="simultaneous 95% band")
    pre = es["event_time"] < 0
    for mask, colour in ((pre, _GREY), (~pre, _OI["blue"])):
        part = es[mask]
        yerr = np.vstack([part["att"] - part["ci_low"], part["ci_high"] - part["att"]])
        ax.errorbar(part["event_time"], part["att"], yerr=yerr, fmt="o", color=colour, ms=3, capsize=0, lw=0.8,
                    gid="estimates")
    ax.axhline(0, color=_OI["black"], lw=0.8, gid="zero")
    ax.axvline(-0.5, color=_GREY, lw=1, ls=":", gid="start")
    ax.set_xlabel("months from each team's start")
    ax.set_ylabel(ylabel or "difference vs comparison units")
    if title:
        ax.set_title(title)
    return ax
