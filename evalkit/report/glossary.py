"""A short glossary of the technical terms in reports, and links to it from report text.

Every report prints :func:`glossary` in its methods appendix; :func:`link_terms` turns the
fixed spellings of each term in already-escaped report text (sentences, table headers and
notes, the summary box) into links to its entry, so a reviewer who meets "Hedges' g" or
"I²" is one click from plain words.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["GLOSSARY", "glossary", "link_terms"]


@dataclass(frozen=True)
class _Html:
    """Escaped HTML shown as is; its plain repr is the text itself (the same in every process)."""

    html: str

    def _repr_html_(self) -> str:
        return self.html


#: Short glossary of the technical terms a report may use: (anchor, term, plain words, spellings
#: in report text). :func:`glossary` prints it in the methods appendix; :func:`link_terms` turns
#: each spelling in escaped report text into a link to its entry.
GLOSSARY = (
    ("confidence-interval", "95% confidence interval",
     "The range of values the data are compatible with. If it includes no change (0, or 1 for a ratio), "
     "the data cannot tell whether anything changed.", ("95% confidence interval", "95% CI")),
    ("rate-ratio", "Rate ratio",
     "How many times a rate changed: 1 means no change, 0.8 means 20% lower.", ("rate ratio",)),
    ("odds-ratio", "Odds ratio",
     "How many times the odds of something (e.g. a person leaving) changed: 1 means no change, below 1 "
     "means lower odds. Close to a rate ratio when the thing is rare.", ("odds ratio",)),
    ("hedges-g", "Hedges' g",
     "A difference between two average scores expressed in standard deviations (how spread out the "
     "scores are): about 0.2 is small, 0.5 medium and 0.8 large.", ("Hedges' g",)),
    ("cronbach-alpha", "Cronbach's α (alpha)",
     "How consistently the questions of one survey scale measure the same thing, from 0 to 1; 0.7 or more "
     "is usually taken as good enough.", ("Cronbach's alpha", "Cronbach's α")),
    ("i-squared", "I²",
     "The share of the differences between teams' results that is more than chance; above 50% means the "
     "teams really differ and an average hides that.", ("I²",)),
    ("random-effects", "Random effects",
     "A way of averaging across teams that lets each team's true change differ, so the average's interval "
     "is wider and more honest than if all teams were assumed alike.", ("random-effects", "random effects")),
    ("gas-level", "GAS level",
     "Goal attainment scaling: −2 much less than expected, −1 less, 0 as expected, +1 more, +2 much more "
     "than expected.", ("GAS level",)),
    ("control-chart", "Run chart; u, p and i charts",
     "A run chart plots a measure month by month around its median. Control charts add limits: a u chart "
     "for a rate (e.g. leavers per 100 staff), a p chart for a percentage, an i chart for single values "
     "such as an average score. A point outside the limits is an unusual month.",
     ("u chart", "p chart", "i chart", "run chart")),
    ("n-useful", "Useful months (n useful)",
     "Months whose value is not exactly on the centre line: the months the runs rules can count.",
     ("n useful", "useful points")),
)


def glossary() -> _Html:
    """The methods appendix's short glossary as a ``<dl id="glossary">`` (one anchor per term)."""
    esc = html.escape
    items = "".join(f'<dt id="glossary-{anchor}">{esc(term)}</dt><dd>{esc(words)}</dd>'
                    for anchor, term, words, _ in GLOSSARY)
    return _Html(f'<dl id="glossary" class="ek-glossary">{items}</dl>')


def link_terms(escaped: str) -> str:
    """Already-escaped report text with each glossary term (:data:`GLOSSARY`) linked to its entry.

    Only the fixed spellings of :data:`GLOSSARY` are matched, in escaped form, outside
    tags; the result stays safe HTML when the input was escaped.
    """
    pattern, lookup = _pattern()

    def repl(m):
        if m.group(1):
            return m.group(1)
        return f'<a class="ek-term" href="#glossary-{lookup[m.group(2).lower()]}">{m.group(2)}</a>'

    return pattern.sub(repl, escaped)


@lru_cache(maxsize=1)
def _pattern():
    spellings = sorted(((esc_term, anchor) for anchor, _, _, terms in GLOSSARY
                        for esc_term in (html.escape(t) for t in terms)), key=lambda x: -len(x[0]))
    lookup = {t.lower(): a for t, a in spellings}
    pattern = re.compile(r"(<[^>]*>)|\b(" + "|".join(re.escape(t) for t, _ in spellings) + r")(?![\w;])",
                         re.I)
    return pattern, lookup


