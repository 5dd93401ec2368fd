"""Charts for country / state evaluations (goals, deliverables, membership, themes, training).

Every function takes a result object from evalkit.country.goals / collaboration / qual /
training and an optional ``ax``, returns the matplotlib Axes, never calls
``plt.show()`` and never changes global style. Colours: Okabe & Ito (2008).
No person identifier is ever drawn. Text from data is drawn as plain text
(matplotlib renders an image, so nothing is HTML-escaped here; ``$`` is not mathtext).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from evalkit.errors import InputError
from evalkit.plotting._dates import concise_date_axis
from evalkit.plotting._heatmap import heatmap
from evalkit.plotting._palette import okabe_ito
from evalkit.plotting._text import plain_text

__all__ = [
    "plot_goal_progress",
    "plot_deliverable_timeline",
    "plot_membership_by_sector",
    "plot_theme_heatmap",
    "plot_cooccurrence",
    "plot_training_coverage",
]

#: Okabe & Ito (2008) colour-blind-safe palette, in their order.
OKABE_ITO = okabe_ito("orange", "sky_blue", "green", "yellow", "blue", "vermillion", "purple", "black")

_GOAL_COLOURS = {
    "achieved": OKABE_ITO[2], "on track": OKABE_ITO[4], "in progress": OKABE_ITO[1], "behind": OKABE_ITO[0],
    "no progress": "#999999", "moved away": OKABE_ITO[5], "no value yet": "#DDDDDD", "no gap": "#DDDDDD",
}
_DELIVERABLE_COLOURS = {"on time": OKABE_ITO[2], "late": OKABE_ITO[0], "overdue": OKABE_ITO[5],
                        "not yet due": OKABE_ITO[1]}


def _ax(ax: Axes | None, figsize=(8, 4)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _empty(ax: Axes, message: str) -> Axes:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    return ax


def _short(text, n: int = 45) -> str:
    s = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
    return s if len(s) <= n else s[: n - 1] + "…"


@plain_text
def plot_goal_progress(result, ax: Axes | None = None, *, country: str | None = None) -> Axes:
    """Horizontal bars: % of the way from baseline to target, coloured by status.

    Parameters
    ----------
    result : evalkit.country.goals.GoalProgress
    ax : matplotlib Axes, optional
    country : str, optional
        Show one country only.

    Returns
    -------
    matplotlib.axes.Axes
        Bars are clipped to −25 … 125 % for drawing (the label shows the true
        value); the dashed line at 100 % is the target, the dotted marks are
        the expected share when a period was given.
    """
    p = result.progress if country is None else result.progress.loc[result.progress["country"] == country]
    ax = _ax(ax, (8, 0.5 * max(len(p), 2) + 1))
    if p.empty:
        return _empty(ax, "No goals to show")
    y = np.arange(len(p))[::-1]
    pct = p["pct_of_way"].to_numpy(dtype=float)
    shown = np.clip(np.nan_to_num(pct, nan=0.0), -25, 125)
    colours = [_GOAL_COLOURS.get(s, "#999999") for s in p["status"]]
    ax.barh(y, shown, color=colours, height=0.6)
    for yi, v, s in zip(y, pct, p["status"]):
        label = s if np.isnan(v) else f"{v:.0f}% · {s}"
        ax.text(max(np.nan_to_num(v), 0) if np.isnan(v) or v < 125 else 125, yi, " " + label, va="center",
                fontsize=8)
    exp = p["expected_pct"].to_numpy(dtype=float)
    if np.isfinite(exp).any():
        ax.scatter(exp, y, marker="|", s=200, color="black", label="expected by now", zorder=3)
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.axvline(100, color="black", linestyle="--", linewidth=1)
    ax.axvline(0, color="black", linewidth=0.8)
    labels = [_short(f"{g} — {i}" if isinstance(i, str) and i else g, 60) for g, i in zip(p["goal"], p["indicator"])]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlim(-30, 160)
    ax.set_xlabel("% of the way from baseline to target")
    ax.set_title("Progress toward goals")
    return ax


@plain_text
def plot_deliverable_timeline(result, ax: Axes | None = None, *, country: str | None = None) -> Axes:
    """Gantt-like timeline: due date (diamond) and completion (or as-of date), coloured by status.

    Parameters
    ----------
    result : evalkit.country.goals.DeliverableStatus
    ax : matplotlib Axes, optional
    country : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    t = result.timeline if country is None else result.timeline.loc[result.timeline["country"] == country]
    ax = _ax(ax, (9, 0.35 * max(len(t), 2) + 1.2))
    if t.empty:
        return _empty(ax, "No deliverables to show")
    y = np.arange(len(t))[::-1]
    due = pd.to_datetime(t["due"])
    end = pd.to_datetime(t["end"])
    for yi, d, e, s in zip(y, due, end, t["status"]):
        c = _DELIVERABLE_COLOURS.get(s, "#999999")
        lo, hi = min(d, e), max(d, e)
        ax.plot([lo, hi], [yi, yi], color=c, linewidth=5, solid_capstyle="butt", alpha=0.85)
        if s in ("on time", "late"):
            ax.plot([e], [yi], marker="o", color=c, markersize=6)
    ax.scatter(due, y, marker="D", color="black", s=18, zorder=3)
    ax.axvline(pd.Timestamp(result.settings["as_of"]), color="black", linestyle=":", linewidth=1)
    ax.set_yticks(y, [_short(lbl, 55) for lbl in t["label"]], fontsize=8)
    concise_date_axis(ax, minticks=3, maxticks=8)  # beside long labels and the legend the axis is narrow
    handles = [Patch(color=c, label=s) for s, c in _DELIVERABLE_COLOURS.items()]
    handles.append(plt.Line2D([], [], marker="D", color="black", linestyle="none", markersize=4, label="due"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    ax.set_title(f"Deliverables as of {result.settings['as_of']}")
    return ax


@plain_text
def plot_membership_by_sector(result, ax: Axes | None = None, *, country: str | None = None) -> Axes:
    """Stacked bars of members per sector at each reported date; missing sectors noted.

    Parameters
    ----------
    result : evalkit.country.collaboration.Membership
    ax : matplotlib Axes, optional
    country : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        The missing expected sectors at the last date are listed under the title.
    """
    bs = result.by_sector if country is None else result.by_sector.loc[result.by_sector["country"] == country]
    ax = _ax(ax, (9, 4.5))
    if bs.empty:
        return _empty(ax, "No membership data to show")
    wide = bs.pivot_table(index="date", columns="sector", values="members", aggfunc="sum", sort=True).fillna(0)
    wide = wide.loc[:, wide.sum(axis=0) > 0]
    x = np.arange(len(wide))
    bottom = np.zeros(len(wide))
    for i, sector in enumerate(wide.columns):
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        hatch = None if i < len(OKABE_ITO) else "//"
        ax.bar(x, wide[sector].to_numpy(), bottom=bottom, color=colour, hatch=hatch, label=_short(sector, 30),
               edgecolor="white", linewidth=0.5)
        bottom += wide[sector].to_numpy()
    ax.set_xticks(x, [d.strftime("%Y-%m-%d") for d in wide.index], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("members")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False, title="sector")
    rep = result.representation if country is None else result.representation.loc[
        result.representation["country"] == country]
    title = "Members by sector"
    if len(rep) and rep["n_expected"].iloc[-1] > 0:
        miss = rep["missing_sectors"].iloc[-1]
        title += "\nmissing at last date: " + (_short(miss, 80) if miss else "none")
    ax.set_title(title, fontsize=10)
    return ax


def _heatmap(ax: Axes, mat: pd.DataFrame, fmt: str, cmap: str, label: str, vmax=None) -> Axes:
    heatmap(ax, mat, fmt=fmt, cmap=cmap, label=label, vmax=vmax,
            xlabels=[_short(c, 25) for c in mat.columns], ylabels=[_short(r, 40) for r in mat.index])
    plt.setp(ax.get_xticklabels(), rotation=45, ha="right", fontsize=8)
    plt.setp(ax.get_yticklabels(), fontsize=8)
    return ax


@plain_text
def plot_theme_heatmap(result, ax: Axes | None = None, *, value: str = "n_sessions",
                       study: str | None = None) -> Axes:
    """Heat map of codes × affinity groups (breadth of each theme).

    Parameters
    ----------
    result : evalkit.country.qual.ThemeBreadth
    ax : matplotlib Axes, optional
    value : str, default "n_sessions"
        A column of ``result.cells``: n_excerpts, n_sessions or pct_group_sessions.
        People counts (n_participants) are refused, so small groups are not exposed.
    study : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        Groups below the small-group threshold are marked "*" in their label.
    """
    if value not in ("n_excerpts", "n_sessions", "pct_group_sessions"):
        raise InputError(f"plot_theme_heatmap: value={value!r}; use n_excerpts, n_sessions or pct_group_sessions")
    ax = _ax(ax, (8, 5))
    if result.cells.empty:
        return _empty(ax, "No coded excerpts to show")
    mat = result.matrix(value, study=study)
    small = set(result.groups.loc[result.groups["small_group"], "affinity_group"])
    mat.columns = [f"{c} *" if c in small else c for c in mat.columns]
    _heatmap(ax, mat, ".0f", "Blues", value.replace("_", " "), vmax=100 if value == "pct_group_sessions" else None)
    title = f"{result.settings['level'].capitalize()}s by affinity group"
    if small:
        title += f"\n* fewer than {result.settings['min_group_size']} participants"
    ax.set_title(title, fontsize=10)
    return ax


@plain_text
def plot_cooccurrence(result, ax: Axes | None = None, *, value: str = "p_b_given_a",
                      study: str | None = None) -> Axes:
    """Heat map of code co-occurrence within excerpts.

    Parameters
    ----------
    result : evalkit.country.qual.CoOccurrence
    ax : matplotlib Axes, optional
    value : {"p_b_given_a", "jaccard", "n_both"}, default "p_b_given_a"
        Row code A, column code B; P(B|A) is asymmetric, read along rows.
    study : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if value not in ("p_b_given_a", "jaccard", "n_both"):
        raise InputError(f"plot_cooccurrence: value={value!r}; use p_b_given_a, jaccard or n_both")
    ax = _ax(ax, (7, 6))
    if result.pairs.empty:
        return _empty(ax, "No coded excerpts to show")
    mat = result.matrix(value, study=study).astype(float)
    mat = mat.mask(np.eye(len(mat), mat.shape[1], dtype=bool))  # diagonal is the code itself
    _heatmap(ax, mat, ".2f" if value != "n_both" else ".0f", "Purples",
             {"p_b_given_a": "share of row-code excerpts also coded column", "jaccard": "Jaccard",
              "n_both": "excerpts with both"}[value], vmax=1 if value != "n_both" else None)
    ax.set_title("Co-occurrence of codes within excerpts", fontsize=10)
    return ax


@plain_text
def plot_training_coverage(result, ax: Axes | None = None, *, team_id: str = "all",
                           levels=None) -> Axes:
    """Coverage of current staff over time, beside the cumulative ever-trained share.

    Parameters
    ----------
    result : evalkit.country.training.TrainedCoverage
    ax : matplotlib Axes, optional
    team_id : str, default "all"
        A programme team_id, or "all".
    levels : sequence of str, optional
        Levels to draw (default all in the result).

    Returns
    -------
    matplotlib.axes.Axes
        One line per level: of the staff employed on the 1st of each month, the
        share who had completed it (0–100 %). Levels differ in colour, line style
        and marker. Cumulative "ever trained" counts (which include leavers and
        can pass 100 % of current staff) are not drawn: the report says them in
        words (:func:`evalkit.report.country.training_coverage_sentences`).
    """
    m = result.monthly.loc[result.monthly["team_id"] == team_id]
    ax = _ax(ax, (9, 4.5))
    if m.empty:
        return _empty(ax, "No training coverage to show")
    styles = ("-", "--", "-.", ":")
    markers = ("o", "s", "^", "D")
    for i, lvl in enumerate(levels or result.settings["levels"]):
        d = m.loc[m["level"] == lvl]
        c = OKABE_ITO[[4, 0, 2, 6, 5, 1][i % 6]]
        ax.plot(d["month"], d["coverage_pct"], color=c, linewidth=2, linestyle=styles[i % 4], marker=markers[i % 4],
                markevery=6, markersize=5, label=f"{lvl}")
    ax.set_ylabel("of current staff, % trained")
    ax.set_ylim(0, 100)
    ax.legend(title="level", loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    ax.set_title(f"Training coverage — {team_id}\nof the staff employed on the 1st of each month, % trained",
                 fontsize=10)
    return ax
