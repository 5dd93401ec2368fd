"""The index page of a batch: every report, the units needing attention first.

A reviewer opens ``index.html`` to find what needs a look. The page says how to read the
badges (a legend), lists the units whose reports failed or whose measures got worse or show
mixed evidence first, explains every badge in its tooltip (the verdict's ``detail`` from the
manifest), and filters by team type and region with radio buttons and CSS alone (no
script: the page works with scripts off, and shows everything where ``:has()`` is not
supported). Under 600 px each row becomes a card, so a phone (390 px) never scrolls sideways.

Badge colours and words come from :mod:`evalkit.effects.verdict` through
:func:`evalkit.report.html.verdict_tone` and :func:`~evalkit.report.html.verdict_words`;
every string from the manifest is escaped.
"""
from __future__ import annotations

import html
import re

from evalkit.report.html import _CSS, _PAGE, _generated_line, verdict_tone, verdict_words

__all__ = ["render_index", "attention_rank", "LEGEND"]

#: What each verdict badge means, in the order the legend lists them (codes of
#: :data:`evalkit.effects.verdict.VERDICTS`).
LEGEND = (
    ("deteriorated", "the measure got worse after the team's changes began; look at this report first"),
    ("mixed", "the designs disagree (e.g. the team's chart moved but the comparison did not); worth a look"),
    ("improved", "the measure improved, beyond what the comparison units and chance explain"),
    ("no_change", "no change the data can tell apart from chance"),
    ("too_little_data", "too few months with data to judge (often a small team, hidden to protect privacy)"),
)

#: Why a badge has its colour, opening its tooltip.
_TONE_WORDS = {"good": "Green: improved", "bad": "Red: got worse", "neutral": "Blue: no clear verdict",
               "muted": "Grey, dashed: not judged"}

#: Attention order: failed reports, then any measure that got worse, then mixed evidence.
_RANK = {"deteriorated": 1, "mixed": 2}


def attention_rank(entry: dict) -> int:
    """0 for a failed report, 1 when a measure got worse, 2 for mixed evidence, else 3."""
    if (entry.get("status") or "failed") == "failed":
        return 0
    codes = [v.get("verdict") for v in entry.get("verdicts") or []]
    return min((_RANK.get(c, 3) for c in codes), default=3)


def _slug(value) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-") or "x"


def render_index(entries, *, title: str, generated_at: str | None = None, synthetic: bool = False,
                 version: str | None = None) -> str:
    """The index page: every report with its status, verdict badges, link and any error.

    Parameters
    ----------
    entries : list of dict
        Manifest entries (``kind, id, status, html, notebook, seconds, error``) plus
        optional ``title``, ``verdicts`` (list of ``{label, verdict, detail}``), ``groups``
        (``{"team type": ..., "region": ...}``, what the filters offer) and
        ``previous_html`` (the last good report when this one failed).
    title : str
        Page heading (escaped).
    generated_at : str, optional
        Shown on the generated line.
    synthetic : bool
        Show the "synthetic data" banner.

    Returns
    -------
    str
        A self-contained HTML page without scripts; every string from the entries is
        escaped. Within each kind, rows are ordered by :func:`attention_rank`, then id.
    """
    from evalkit import __version__
    from evalkit.inputs.kinds import REPORT_KINDS

    esc = html.escape
    counts = {s: sum(1 for e in entries if e.get("status") == s) for s in ("ok", "cached", "failed")}
    attention = sum(1 for e in entries if attention_rank(e) < 3)
    filters, filter_css = _filters(entries)
    parts = []
    for kind, heading in ((k.name, k.heading) for k in REPORT_KINDS.values()):
        rows = [e for e in entries if e.get("kind") == kind]
        if not rows:
            continue
        parts.append(f'<h2 id="{esc(kind, quote=True)}">{esc(heading)}</h2>')
        parts.append('<table class="ek-index"><thead><tr><th scope="col">Report</th><th scope="col">Status</th>'
                     '<th scope="col">Measures</th><th scope="col">Notes</th></tr></thead><tbody>')
        parts.extend(_index_row(e) for e in sorted(rows, key=lambda e: (attention_rank(e), str(e.get("id")))))
        parts.append("</tbody></table>")
    banner = ('<p class="ek-synthetic"><strong>Synthetic data.</strong> These reports are built from generated '
              'demonstration data; no real team, person or place is described.</p>') if synthetic else ""
    summary = (f'<p class="ek-counts">{len(entries)} reports: {counts["ok"]} rendered, {counts["cached"]} unchanged '
               f'(not re-run), {counts["failed"]} failed. Needing attention (failed, a measure got worse, or mixed '
               f'evidence), listed first: {attention}.</p>')
    body = (f"<h1>{esc(title)}</h1>\n{banner}\n{summary}\n{_legend()}\n{filters}\n"
            + '<div class="ek-reports">' + "\n".join(parts) + "</div>")
    return _PAGE.format(title=esc(title), css=_CSS + _INDEX_CSS + filter_css, back="", nav="", body=body,
                        generated=_generated_line(generated_at, version or __version__))


def _legend() -> str:
    items = "".join(
        f'<li><span class="ek-badge ek-{verdict_tone(code)}">{html.escape(verdict_words(code))}</span> '
        f'{html.escape(words)}</li>' for code, words in LEGEND)
    return ('<section class="ek-legend" aria-labelledby="ek-legend"><h2 id="ek-legend">How to read the badges</h2>'
            f'<ul>{items}</ul><p class="ek-note">Each badge names the measure and its verdict; point at a badge '
            'for the size of the change and how sure it is. Reports needing attention are marked '
            '<strong>Needs attention</strong>.</p></section>')


def _filters(entries) -> tuple[str, str]:
    """Radio-button filters per group (team type, region) and the CSS that applies them."""
    groups: dict[str, dict[str, str]] = {}
    for e in entries:
        for key, value in (e.get("groups") or {}).items():
            groups.setdefault(str(key), {})[_slug(value)] = str(value)
    if not groups:
        return "", ""
    fieldsets, css = [], []
    for key in sorted(groups):
        k = _slug(key)
        radios = [f'<input type="radio" name="f-{k}" id="f-{k}-all" checked><label for="f-{k}-all">all</label>']
        for slug, label in sorted(groups[key].items(), key=lambda kv: kv[1]):
            radios.append(f'<input type="radio" name="f-{k}" id="f-{k}-{slug}">'
                          f'<label for="f-{k}-{slug}">{html.escape(label)}</label>')
            css.append(f'.ek-page:has(#f-{k}-{slug}:checked) .ek-index tbody tr:not([data-{k}="{slug}"])'
                       '{display:none}')
        fieldsets.append(f'<fieldset><legend>{html.escape(key.capitalize())}</legend>{"".join(radios)}</fieldset>')
    form = ('<form class="ek-filters" aria-label="Filter the reports">' + "".join(fieldsets)
            + '<p class="ek-note">Filters hide the other rows (reports without that information too).</p></form>')
    return form, "\n" + "\n".join(css)


def _index_row(entry: dict) -> str:
    esc = html.escape
    name = entry.get("title") or entry.get("id") or ""
    href = entry.get("html")
    status = entry.get("status") or "failed"
    if href and status != "failed":
        link = f'<a href="{esc(href, quote=True)}">{esc(name)}</a>'
    else:
        link = esc(name)
    sub = f'<div class="ek-id">{esc(str(entry.get("id") or ""))}</div>' if entry.get("title") else ""
    groups = entry.get("groups") or {}
    if groups:
        sub += '<div class="ek-id">' + esc(", ".join(str(v) for _, v in sorted(groups.items()))) + "</div>"
    rank = attention_rank(entry)
    flag = '<div class="ek-attention-flag">Needs attention</div>' if rank < 3 else ""
    badges = " ".join(_badge(v) for v in entry.get("verdicts") or [])
    notes = []
    if status == "failed":
        notes.append(f'<div class="ek-error">{esc(entry.get("error") or "failed")}</div>')
        if href:
            notes.append(f'<a href="{esc(href, quote=True)}">executed notebook with the error marked</a>')
        if entry.get("previous_html"):
            notes.append(f'<a href="{esc(entry["previous_html"], quote=True)}">last good report (earlier run)</a>')
    elif entry.get("notebook"):
        notes.append(f'<a href="{esc(entry["notebook"], quote=True)}">notebook</a>')
    data = "".join(f' data-{_slug(k)}="{_slug(v)}"' for k, v in sorted(groups.items()))
    return (f'<tr class="ek-{esc(status)}{" ek-attention" if rank < 3 else ""}"{data}>'
            f'<th scope="row">{link}{sub}{flag}</th>'
            f'<td data-label="Status"><span class="ek-status ek-status-{esc(status)}">{esc(status)}</span></td>'
            f'<td data-label="Measures">{badges}</td><td data-label="Notes">{" ".join(notes)}</td></tr>')


def _badge(v: dict) -> str:
    esc = html.escape
    tone = verdict_tone(v.get("verdict"))
    words = verdict_words(v.get("verdict"))
    why = f"{_TONE_WORDS[tone]}. {v.get('label') or v.get('measure_id') or ''}: {words}"
    if v.get("detail"):
        why += f" — {v['detail']}"
    return (f'<span class="ek-badge ek-{tone}" title="{esc(why, quote=True)}">'
            f'{esc(v.get("label") or v.get("measure_id") or "")}: {esc(words)}</span>')


_INDEX_CSS = """
.ek-legend ul { list-style: none; padding: 0; }
.ek-legend li { margin: 0.25em 0; }
.ek-filters { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; margin: 1rem 0; }
.ek-filters fieldset { border: 1px solid var(--rule); border-radius: 6px; padding: 0.3rem 0.7rem; margin: 0; }
.ek-filters legend { font-weight: 600; font-size: 0.9rem; }
.ek-filters label { margin: 0 0.8em 0 0.2em; font-size: 0.9rem; }
.ek-filters .ek-note { flex-basis: 100%; margin: 0; }
.ek-attention-flag { display: inline-block; margin-top: 0.2em; font-size: 0.8rem; font-weight: 700;
                     color: var(--bad); }
.ek-attention-flag::before { content: "⚠ "; }
tr.ek-attention th[scope=row] { border-left: 4px solid var(--bad); }
@media (max-width: 600px) {
  .ek-index, .ek-index tbody, .ek-index tr, .ek-index th, .ek-index td { display: block; width: 100%; }
  .ek-index thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .ek-index tr { border: 1px solid var(--rule); border-radius: 6px; margin: 0 0 0.8rem; }
  .ek-index th, .ek-index td { border: 0; border-top: 1px solid var(--rule); }
  .ek-index td::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
  .ek-badge { white-space: normal; }
}
"""
