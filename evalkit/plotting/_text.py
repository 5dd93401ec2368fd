"""Text from data is drawn literally (private): no mathtext, no TeX.

matplotlib reads a pair of ``$`` in any text as mathtext (and, with ``text.usetex``, hands
``%`` and ``$`` to TeX): a goal named "Cut $ spent on overtime by 10% ($40k)" stops the
figure from drawing at all, and "Stipends: $50 per visit, $25 per call" comes out as
italic garble. Escaping each ``$`` by hand at every place data text is drawn is easy to
miss once; instead every public plotting function is wrapped with :func:`plain_text`,
which turns off math parsing (``parse_math=False``, matplotlib ≥ 3.6) and TeX on every
text of the Axes or Figure it returns. ``get_text()`` keeps returning the data unchanged.
"""
from __future__ import annotations

import functools

from matplotlib.axis import Axis
from matplotlib.category import StrCategoryFormatter
from matplotlib.text import Text
from matplotlib.ticker import FixedFormatter, FuncFormatter

__all__ = ["plain", "plain_text"]

#: Tick formatters whose labels can be text from data (category names, labels set by hand).
#: Other formatters write numbers and dates, which never hold a pair of ``$``.
DATA_LABEL_FORMATTERS = (StrCategoryFormatter, FixedFormatter, FuncFormatter)


def plain(drawn):
    """Make every text of ``drawn`` (an Axes or a Figure) plain text; return ``drawn``.

    Call it before anything lays the figure out (``tight_layout`` draws the texts).
    Tick labels are made plain on axes whose labels can come from data
    (:data:`DATA_LABEL_FORMATTERS`); the ticks of number and date axes are left alone, so
    they are not built here only to be built again when the figure is drawn.
    """
    for text in _texts(drawn):
        text.set_parse_math(False)
        text.set_usetex(False)
    return drawn


def _texts(artist):
    """Every Text under ``artist`` (as ``findobj(Text)``), skipping number and date tick labels."""
    stack = [artist]
    while stack:
        current = stack.pop()
        if isinstance(current, Text):
            yield current
        if isinstance(current, Axis):
            stack += [current.label, current.offsetText]
            if isinstance(current.get_major_formatter(), DATA_LABEL_FORMATTERS):
                stack += current.get_major_ticks()
            if isinstance(current.get_minor_formatter(), DATA_LABEL_FORMATTERS):
                stack += current.get_minor_ticks()
        else:
            stack += current.get_children()


def plain_text(plot):
    """Decorate a plotting function so the texts of the Axes or Figure it returns are plain."""

    @functools.wraps(plot)
    def wrapper(*args, **kwargs):
        return plain(plot(*args, **kwargs))

    return wrapper
