"""Plots of run charts and control charts from :class:`evalkit.spc.qic.QicResult`.

Everything drawn comes from the result's columns (nothing is recomputed).
Colour-blind-safe Okabe-Ito palette; no global style changes; never ``show()``.
Artists carry a ``gid`` (points, sigma-signal, centre-line, limits, target,
annotation, phase-break) so tests and callers can find them.
"""
from __future__ import annotations

import math

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from evalkit.errors import InputError
from evalkit.plotting._palette import OKABE_ITO_NAMED
from evalkit.plotting._text import plain_text
from evalkit.spc import QicResult, verdicts

__all__ = ["plot_qic", "plot_qic_facets", "OKABE_ITO"]

# Okabe & Ito (2008) colour-universal-design palette, by colour name
OKABE_ITO = OKABE_ITO_NAMED
_GREY = "#B0B0B0"
_LIMIT = "#6E6E6E"
_MDC_COLOURS = {
    "special_cause_improvement": OKABE_ITO["sky_blue"],
    "special_cause_concern": OKABE_ITO["orange"],
    "special_cause_neutral_high": OKABE_ITO["purple"],
    "special_cause_neutral_low": OKABE_ITO["purple"],
}


def _facet_points(result: QicResult, facet):
    pts = result.points
    facets = list(dict.fromkeys(pts["facet"].tolist()))
    if facet is None:
        if len(facets) > 1:
            raise InputError(f"this chart has {len(facets)} facets; pass facet=<one of them> to plot_qic "
                             "or use plot_qic_facets.")
        facet = facets[0]
    elif facet not in facets:
        raise InputError(f"facet {facet!r} is not in this chart; use one of {facets[:5]}.")
    keep = (pts["facet"] == facet).to_numpy()
    summ = result.summary[(result.summary["facet"] == facet).to_numpy()]
    return facet, pts[keep].reset_index(drop=True), summ


def _xpos(result: QicResult, pts: pd.DataFrame):
    if result.x_kind == "category":
        return np.arange(len(pts), dtype=float)
    if result.x_kind == "date":
        return mdates.date2num(pd.to_datetime(pts["x"]).to_numpy())
    return pts["x"].to_numpy(dtype=float)


def _caption(result: QicResult, facet, direction) -> str:
    text = f"Rules: {result.rule_label}."
    if direction is not None:
        v = verdicts(result, direction)
        v = v[(v["facet"] == facet).to_numpy()]
        if len(v) == 1:
            text += f" Verdict: {v['sentence'].iloc[0]}."
        elif len(v) > 1:
            text += " Verdict: " + "; ".join(f"phase {p}: {s}" for p, s in zip(v["part"], v["sentence"])) + "."
    return text


@plain_text
def plot_qic(result: QicResult, ax=None, *, title=None, target=None, annotations=None, ylabel=None,
             show_verdict_direction=None, facet=None):
    """Draw one run or control chart.

    Parameters
    ----------
    result : QicResult
        Output of :func:`evalkit.spc.qic.qic`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure (9 × 4 in) is made when omitted.
    title, ylabel : str, optional
        Axis title and y label (ylabel should name the unit, e.g. "% per month").
    target : float, optional
        Target line in plotted units; default ``result.target``.
    annotations : pandas.DataFrame, optional
        Columns ``date, label`` (e.g. PDSA starts, learning sessions from the
        events table); each draws a thin vertical line with its label. Rows
        outside the chart's x range are skipped. For numeric x, ``date`` holds
        x values.
    show_verdict_direction : {"increase", "decrease", "neutral"}, optional
        Adds the plain-language verdict for that direction to the caption;
        default ``result.direction`` (no verdict when both are None).
    facet : optional
        Which facet to draw when the result has several.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Data line and points in blue (dots only for categorical x); points beyond
    the 3-sigma limits in vermillion; excluded points and points exactly on
    the centre line in grey; centre line grey, dashed orange when the phase has
    a runs signal; limits stepped where they vary; dotted vertical lines
    between phases; target dash-dot green. The caption names the rule set.
    """
    facet, pts, summ = _facet_points(result, facet)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4), layout="constrained")
    xs = _xpos(result, pts)
    y = pts["y"].to_numpy(dtype=float)
    cl = pts["cl"].to_numpy(dtype=float)
    dots_only = result.x_kind == "category"
    line_colour = OKABE_ITO["blue"]
    if not dots_only:
        ax.plot(xs, y, "-", color=line_colour, lw=1.3, zorder=2, gid="data-line")
    grey = (~pts["include"].to_numpy(dtype=bool)) | (y == cl)
    normal = ~grey
    ax.scatter(xs[normal], y[normal], s=18, color=line_colour, zorder=3, gid="points")
    ax.scatter(xs[grey], y[grey], s=18, color=_GREY, zorder=3, gid="grey-points")
    sig = pts["sigma_signal"].to_numpy(dtype=bool)
    ax.scatter(xs[sig], y[sig], s=46, color=OKABE_ITO["vermillion"], edgecolor="black", lw=0.5,
               zorder=4, gid="sigma-signal", label="outside limits")
    if "point_type" in pts:
        for kind, colour in _MDC_COLOURS.items():
            m = (pts["point_type"] == kind).to_numpy() & ~sig
            if m.any():
                ax.scatter(xs[m], y[m], s=34, color=colour, zorder=4, gid=f"mdc-{kind}")
    elif result.method == "ihi":
        m = pts["runs_signal"].to_numpy(dtype=bool) & ~sig
        ax.scatter(xs[m], y[m], s=30, facecolor="none", edgecolor=OKABE_ITO["orange"], lw=1.2,
                   zorder=4, gid="runs-points")

    step = xs[1] - xs[0] if len(xs) > 1 else 1.0
    signal_by_part = dict(zip(summ["part"], summ["runs_signal"].astype(bool)))
    parts = pts["part"].to_numpy()
    for p in np.unique(parts):
        m = parts == p
        px = xs[m]
        lo, hi = px.min() - step / 2 if len(px) == 1 else px.min(), px.max()
        signal = signal_by_part.get(p, False)
        pcl = cl[m]
        ax.step(px, pcl, where="mid", color=OKABE_ITO["orange"] if signal else _LIMIT,
                ls="--" if signal else "-", lw=1.6 if signal else 1.1, zorder=1, gid="centre-line")
        for col in ("lcl", "ucl"):
            v = pts[col].to_numpy(dtype=float)[m]
            if np.isfinite(v).any():
                ax.step(px, v, where="mid", color=_LIMIT, ls="-", lw=0.9, alpha=0.9, zorder=1, gid="limits")
        del lo, hi
    breaks = np.flatnonzero(parts[1:] != parts[:-1])
    for b in breaks:
        ax.axvline((xs[b] + xs[b + 1]) / 2, color=_LIMIT, ls=":", lw=1, gid="phase-break")

    target = result.target if target is None else target
    if target is not None and np.isfinite(target):
        ax.axhline(target, color=OKABE_ITO["green"], ls="-.", lw=1.2, gid="target")
        ax.annotate("target", xy=(1, target), xycoords=("axes fraction", "data"), xytext=(2, 0),
                    textcoords="offset points", va="center", fontsize=8, color=OKABE_ITO["green"])

    if annotations is not None and len(annotations):
        if not {"date", "label"} <= set(annotations.columns):
            raise InputError("annotations need the columns date and label (e.g. from the events table).")
        ann = annotations.dropna(subset=["date"])
        if result.x_kind == "date":
            ax_x = mdates.date2num(pd.to_datetime(ann["date"]).to_numpy())
        else:
            ax_x = pd.to_numeric(ann["date"], errors="coerce").to_numpy(dtype=float)
        lo, hi = np.nanmin(xs) - step, np.nanmax(xs) + step
        for xv, label in zip(ax_x, ann["label"].astype(str)):
            if np.isfinite(xv) and lo <= xv <= hi:
                ax.axvline(xv, color=OKABE_ITO["purple"], lw=0.9, alpha=0.8, gid="annotation")
                ax.annotate(label, xy=(xv, 1), xycoords=("data", "axes fraction"), xytext=(2, -2),
                            textcoords="offset points", rotation=90, va="top", ha="left", fontsize=7,
                            color=OKABE_ITO["purple"])

    if dots_only:
        ax.set_xticks(xs, [str(v) for v in pts["x"]], rotation=45, ha="right")
    elif result.x_kind == "date":
        loc = mdates.AutoDateLocator(minticks=4, maxticks=10)
        ax.xaxis.set_major_locator(loc)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    if ylabel:
        ax.set_ylabel(ylabel)
    default_title = f"{result.chart.upper()} chart" + (f" — {facet}" if facet != "" else "")
    ax.set_title(default_title if title is None else title, loc="left", fontsize=11)
    direction = show_verdict_direction if show_verdict_direction is not None else result.direction
    ax.annotate(_caption(result, facet, direction), xy=(0, 0), xycoords="axes fraction",
                xytext=(0, -34), textcoords="offset points", va="top", fontsize=8, color="#333333",
                gid="caption")
    return ax


@plain_text
def plot_qic_facets(result: QicResult, *, ncols=4, sharey=True, titles=None, ylabel=None, target=None,
                    annotations=None, show_verdict_direction=None, panel_size=(3.6, 2.6)):
    """Small multiples: one panel per facet (e.g. every team for one measure).

    Parameters
    ----------
    result : QicResult
        A chart with one or more facets.
    ncols : int, default 4
        Panels per row.
    sharey : bool, default True
        Same y axis for every panel (x is always shared).
    titles : dict, optional
        Facet → panel title (e.g. team names); default the facet label.
    ylabel, target, annotations, show_verdict_direction
        As in :func:`plot_qic`, applied to every panel.
    panel_size : (float, float)
        Inches per panel.

    Returns
    -------
    matplotlib.figure.Figure
        Unused panels are hidden.
    """
    facets = list(dict.fromkeys(result.points["facet"].tolist()))
    ncols = max(1, min(int(ncols), len(facets)))
    nrows = math.ceil(len(facets) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size[0] * ncols, panel_size[1] * nrows + 0.4),
                             sharex=True, sharey=sharey, squeeze=False, layout="constrained")
    for ax, f in zip(axes.flat, facets):
        plot_qic(result, ax, facet=f, title=(titles or {}).get(f, str(f)), ylabel=ylabel, target=target,
                 annotations=annotations, show_verdict_direction=show_verdict_direction)
        ax.title.set_fontsize(9)
        for text in ax.texts:
            if text.get_gid() == "caption":
                text.set_visible(False)
    for ax in list(axes.flat)[len(facets):]:
        ax.set_visible(False)
    fig.suptitle(f"{result.chart.upper()} chart · {result.rule_label}", fontsize=10, x=0.01, ha="left")
    return fig
