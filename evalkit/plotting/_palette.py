"""The one Okabe–Ito palette every evalkit chart draws from (private).

Okabe, M. & Ito, K. (2008), *Color Universal Design (CUD): how to make figures and
presentations that are friendly to colorblind people*, https://jfly.uni-koeln.de/color/.
Each plotting module picks the colours it needs by name, in its own order.
"""
from __future__ import annotations

#: Okabe & Ito (2008) colour-universal-design palette, by colour name.
OKABE_ITO_NAMED: dict[str, str] = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}


def okabe_ito(*names: str) -> tuple[str, ...]:
    """Hex colours of the named Okabe–Ito colours, in the order given."""
    return tuple(OKABE_ITO_NAMED[n] for n in names)
