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
from evalkit.plotting._dates import concise_date_axis
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


def _with_gaps(xs: np.ndarray, y: np.ndarray, dates: bool) -> tuple[np.ndarray, np.ndarray]:
    """x and y with a NaN inserted wherever months are missing, so the line breaks there
    instead of joining across the gap (blank months are NaN already)."""
    if len(xs) < 3:
        return xs, y
    steps = np.diff(xs)
    usual = np.nanmedian(steps)
    if not np.isfinite(usual) or usual <= 0:
        return xs, y
    gap = np.flatnonzero(steps > 1.5 * usual)
    if not len(gap):
        return xs, y
    mids = (xs[gap] + xs[gap + 1]) / 2
    return np.insert(xs, gap + 1, mids), np.insert(y.astype(float), gap + 1, np.nan)


#: Width of an 8-point label character in pixels at 100 dpi (DejaVu Sans averages about
#: 0.55 em), and the gap kept between two labels on one row.
_LABEL_CHAR_PX, _LABEL_GAP_PX = 6.2, 8.0


def _event_rows(ax_x: np.ndarray, labels, span: float, axes_px: float) -> list[int]:
    """Label row of each event (0, 1, 2, ...), lowest first, so that no two labels overlap.

    Labels are centred on their event; a label goes on the lowest row whose last label ends
    (by its estimated width) before this one begins. ``span`` is the x range in data units,
    ``axes_px`` the axes' width in pixels at 100 dpi.
    """
    right: dict[int, float] = {}  # row -> right edge (pixels from the axis start) of its last label
    rows = []
    for xv, label in zip(ax_x, labels):
        centre = (xv / span) * axes_px if span > 0 else 0.0
        half = len(str(label)) * _LABEL_CHAR_PX / 2
        row = 0
        while row in right and centre - half < right[row] + _LABEL_GAP_PX:
            row += 1
        right[row] = centre + half
        rows.append(row)
    return rows


@plain_text
def plot_qic(result: QicResult, ax=None, *, title=None, target=None, annotations=None, ylabel=None,
             show_verdict_direction=None, facet=None, caption=True, legend=True):
    """Draw one run or control chart.

    Parameters
    ----------
    result : QicResult
        Output of :func:`evalkit.spc.qic.qic`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure (9 × 4.6 in) is made when omitted.
    title, ylabel : str, optional
        Axis title and y label (ylabel should name the unit, e.g. "% per month").
    target : float, optional
        Target line in plotted units; default ``result.target``.
    annotations : pandas.DataFrame, optional
        Columns ``date, label`` (e.g. PDSA starts, learning sessions from the
        events table); each draws a thin vertical line, labelled above the plot
        area (labels of close events on staggered rows). Rows outside the
        chart's x range are skipped. For numeric x, ``date`` holds x values.
    show_verdict_direction : {"increase", "decrease", "neutral"}, optional
        Adds the plain-language verdict for that direction to the caption;
        default ``result.direction`` (no verdict when both are None).
    facet : optional
        Which facet to draw when the result has several.
    caption : bool, default True
        Draw the caption (rule set and verdict) under the chart. Reports pass False
        and print the caption as HTML text instead
        (:func:`evalkit.report.sections.chart_caption`).
    legend : bool, default True
        A legend under the chart naming data, baseline, centre line, limits,
        signals, target and events (those drawn).

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Never colour alone: data are blue circles on a solid line; points beyond the
    3-sigma limits are vermillion diamonds; excluded points and points exactly on
    the centre line grey circles; the centre line is solid grey, dashed orange
    when the phase has a sustained shift (runs signal); limits are dotted; the
    target dash-dot green; events thin purple lines; the baseline months
    (``points.baseline``) are shaded. Missing months break the line (no line is
    drawn across a gap).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    facet, pts, summ = _facet_points(result, facet)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.6), layout="constrained")
    xs = _xpos(result, pts)
    y = pts["y"].to_numpy(dtype=float)
    cl = pts["cl"].to_numpy(dtype=float)
    dots_only = result.x_kind == "category"
    line_colour = OKABE_ITO["blue"]
    handles = []
    step = xs[1] - xs[0] if len(xs) > 1 else 1.0
    if "baseline" in pts and pts["baseline"].astype(bool).any() and not pts["baseline"].astype(bool).all():
        base_x = xs[pts["baseline"].to_numpy(dtype=bool)]
        ax.axvspan(base_x.min() - step / 2, base_x.max() + step / 2, color="#EDEDED", zorder=0, lw=0,
                   gid="baseline")
        handles.append(Patch(facecolor="#EDEDED", label="baseline months (limits from these)"))
    if not dots_only:
        gx, gy = _with_gaps(xs, y, result.x_kind == "date")
        ax.plot(gx, gy, "-", color=line_colour, lw=1.3, zorder=2, gid="data-line")
    grey = (~pts["include"].to_numpy(dtype=bool)) | (y == cl)
    normal = ~grey
    ax.scatter(xs[normal], y[normal], s=18, marker="o", color=line_colour, zorder=3, gid="points")
    handles.append(Line2D([], [], color=line_colour, marker="o", ms=4, lw=0 if dots_only else 1.3,
                          label="monthly value"))
    ax.scatter(xs[grey], y[grey], s=18, marker="o", color=_GREY, zorder=3, gid="grey-points")
    sig = pts["sigma_signal"].to_numpy(dtype=bool)
    ax.scatter(xs[sig], y[sig], s=52, marker="D", color=OKABE_ITO["vermillion"], edgecolor="black", lw=0.5,
               zorder=4, gid="sigma-signal", label="outside limits")
    if sig.any():
        handles.append(Line2D([], [], lw=0, marker="D", ms=6, color=OKABE_ITO["vermillion"], mec="black",
                              label="unusual month (outside the limits)"))
    if "point_type" in pts:
        for kind, colour in _MDC_COLOURS.items():
            m = (pts["point_type"] == kind).to_numpy() & ~sig
            if m.any():
                ax.scatter(xs[m], y[m], s=34, marker="s", color=colour, zorder=4, gid=f"mdc-{kind}")
                handles.append(Line2D([], [], lw=0, marker="s", ms=5, color=colour,
                                      label=kind.replace("_", " ").replace("special cause", "special cause:")))
    elif result.method == "ihi":
        m = pts["runs_signal"].to_numpy(dtype=bool) & ~sig
        ax.scatter(xs[m], y[m], s=30, facecolor="none", edgecolor=OKABE_ITO["orange"], lw=1.2,
                   zorder=4, gid="runs-points")
        if m.any():
            handles.append(Line2D([], [], lw=0, marker="o", ms=6, mfc="none", mec=OKABE_ITO["orange"],
                                  label="part of a run or trend"))

    signal_by_part = dict(zip(summ["part"], summ["runs_signal"].astype(bool)))
    parts = pts["part"].to_numpy()
    any_signal, any_limits = False, False
    for p in np.unique(parts):
        m = parts == p
        px = xs[m]
        signal = signal_by_part.get(p, False)
        any_signal |= bool(signal)
        ax.step(px, cl[m], where="mid", color=OKABE_ITO["orange"] if signal else _LIMIT,
                ls="--" if signal else "-", lw=1.6 if signal else 1.1, zorder=1, gid="centre-line")
        for col in ("lcl", "ucl"):
            v = pts[col].to_numpy(dtype=float)[m]
            if np.isfinite(v).any():
                any_limits = True
                ax.step(px, v, where="mid", color=_LIMIT, ls=":", lw=1.1, alpha=0.9, zorder=1, gid="limits")
    centre = "median" if result.chart == "run" else "centre line (average)"
    if any(not signal_by_part.get(p, False) for p in np.unique(parts)):
        handles.append(Line2D([], [], color=_LIMIT, lw=1.1, label=centre))
    if any_signal:
        handles.append(Line2D([], [], color=OKABE_ITO["orange"], ls="--", lw=1.6,
                              label=f"{centre}, sustained shift found"))
    if any_limits:
        handles.append(Line2D([], [], color=_LIMIT, ls=":", lw=1.1, label="limits (expected range)"))
    breaks = np.flatnonzero(parts[1:] != parts[:-1])
    for b in breaks:
        ax.axvline((xs[b] + xs[b + 1]) / 2, color=_LIMIT, ls=":", lw=1, gid="phase-break")

    target = result.target if target is None else target
    if target is not None and np.isfinite(target):
        ax.axhline(target, color=OKABE_ITO["green"], ls="-.", lw=1.2, gid="target")
        ax.annotate("target", xy=(1, target), xycoords=("axes fraction", "data"), xytext=(2, 0),
                    textcoords="offset points", va="center", fontsize=8, color="#00664A")
        handles.append(Line2D([], [], color=OKABE_ITO["green"], ls="-.", lw=1.2, label="target"))

    label_rows = 0
    if annotations is not None and len(annotations):
        if not {"date", "label"} <= set(annotations.columns):
            raise InputError("annotations need the columns date and label (e.g. from the events table).")
        ann = annotations.dropna(subset=["date"])
        if result.x_kind == "date":
            ax_x = mdates.date2num(pd.to_datetime(ann["date"]).to_numpy())
        else:
            ax_x = pd.to_numeric(ann["date"], errors="coerce").to_numpy(dtype=float)
        lo, hi = np.nanmin(xs) - step, np.nanmax(xs) + step
        keep = [(xv, label) for xv, label in zip(ax_x, ann["label"].astype(str)) if np.isfinite(xv) and lo <= xv <= hi]
        keep.sort(key=lambda t: t[0])
        axes_px = ax.get_position().width * ax.figure.get_figwidth() * 100  # before layout: near enough
        rows = _event_rows(np.array([k[0] - lo for k in keep]), [k[1] for k in keep], hi - lo, axes_px)
        for (xv, label), row in zip(keep, rows):
            ax.axvline(xv, color=OKABE_ITO["purple"], lw=0.9, alpha=0.8, gid="annotation")
            ax.annotate(label, xy=(xv, 1), xycoords=("data", "axes fraction"), xytext=(0, 3 + 11 * row),
                        textcoords="offset points", va="bottom", ha="center", fontsize=8, color="#7A3B69",
                        gid="annotation-label")
            label_rows = max(label_rows, row + 1)
        if keep:
            handles.append(Line2D([], [], color=OKABE_ITO["purple"], lw=0.9, label="event (labelled above)"))
    if not dots_only and (np.isnan(y).any() or len(_with_gaps(xs, y, True)[0]) > len(xs)):
        handles.append(Line2D([], [], color="white", lw=0, label="gap in the line = month without a value"))

    if dots_only:
        ax.set_xticks(xs, [str(v) for v in pts["x"]], rotation=45, ha="right")
    elif result.x_kind == "date":
        concise_date_axis(ax, minticks=4, maxticks=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    if ylabel:
        ax.set_ylabel(ylabel)
    default_title = f"{result.chart.upper()} chart" + (f" — {facet}" if facet != "" else "")
    ax.set_title(default_title if title is None else title, loc="left", fontsize=11, pad=6 + 11 * label_rows + 4)
    direction = show_verdict_direction if show_verdict_direction is not None else result.direction
    if caption:
        ax.annotate(_caption(result, facet, direction), xy=(0, 0), xycoords="axes fraction",
                    xytext=(0, -34), textcoords="offset points", va="top", fontsize=8, color="#333333",
                    gid="caption")
    if legend and handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, -0.1 if not caption else -0.22),
                  ncol=3, fontsize=8, frameon=False, handlelength=2.2)
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
                 annotations=annotations, show_verdict_direction=show_verdict_direction, legend=False)
        ax.title.set_fontsize(9)
        for text in ax.texts:
            if text.get_gid() == "caption":
                text.set_visible(False)
    for ax in list(axes.flat)[len(facets):]:
        ax.set_visible(False)
    fig.suptitle(f"{result.chart.upper()} chart · {result.rule_label}", fontsize=10, x=0.01, ha="left")
    return fig
