"""Month axes labelled as matplotlib's concise date format, computed once per view (private).

A figure asks its date locator for ticks many times while it lays itself out and draws
(about 30 times per chart: tight bounding boxes, each constrained-layout pass, the draw
itself), and :class:`matplotlib.dates.AutoDateLocator` builds a ``dateutil`` rule set each
time: about a tenth of a chart's CPU. :class:`RememberingDateLocator` gives the same ticks,
remembered for the view interval they were computed for.
"""
from __future__ import annotations

import matplotlib.dates as mdates

__all__ = ["RememberingDateLocator", "concise_date_axis"]


class RememberingDateLocator(mdates.AutoDateLocator):
    """:class:`~matplotlib.dates.AutoDateLocator` whose ticks are computed once per view interval."""

    _view = None
    _ticks = None

    def __call__(self):
        view = tuple(self.axis.get_view_interval()) if self.axis is not None else None
        if view is None or view != self._view:
            self._ticks, self._view = super().__call__(), view
        return self._ticks.copy() if hasattr(self._ticks, "copy") else list(self._ticks)


def concise_date_axis(ax, **locator_options):
    """Automatic date ticks with concise labels on ``ax``'s x axis; returns the locator."""
    loc = RememberingDateLocator(**locator_options)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    return loc
