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

from matplotlib.text import Text

__all__ = ["plain", "plain_text"]


def plain(drawn):
    """Make every text of ``drawn`` (an Axes or a Figure) plain text; return ``drawn``.

    Call it before anything lays the figure out (``tight_layout`` draws the texts).
    """
    for text in drawn.findobj(Text):
        text.set_parse_math(False)
        text.set_usetex(False)
    return drawn


def plain_text(plot):
    """Decorate a plotting function so the texts of the Axes or Figure it returns are plain."""

    @functools.wraps(plot)
    def wrapper(*args, **kwargs):
        return plain(plot(*args, **kwargs))

    return wrapper
