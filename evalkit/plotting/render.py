"""A figure to PNG in one draw.

``savefig(bbox_inches="tight")`` (what the inline backend and most notebooks use) draws a
figure twice: once to measure the tight bounding box, once to render, and a figure with a
layout engine runs its layout in both. :func:`figure_png` renders in a single Agg draw at
the figure's own size: a figure without a layout engine first gets matplotlib's constrained
layout, which keeps titles, tick labels and legends placed beside the axes inside the
figure (the job the tight bounding box did); a figure already laid out
(``layout="constrained"`` or ``tight_layout()``) keeps its layout.
"""
from __future__ import annotations

import io

__all__ = ["figure_png"]


def figure_png(fig, *, dpi: float | None = None) -> bytes | None:
    """PNG bytes of ``fig`` (a Figure or Axes) drawn once, or None for an empty figure.

    Parameters
    ----------
    fig : matplotlib Figure or Axes
    dpi : float, optional
        Default: the figure's own ``dpi``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = getattr(fig, "figure", fig)
    if not fig.axes and not fig.lines:
        return None
    if fig.get_layout_engine() is None:
        fig.set_layout_engine("constrained")
    if dpi is not None:
        fig.set_dpi(dpi)
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    canvas.print_png(buffer)  # one draw: the layout engine runs inside it, then Agg renders
    return buffer.getvalue()
