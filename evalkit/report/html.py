"""Reviewer-ready HTML: one self-contained page per report, and the index of all reports.

A report page is the executed notebook without code: narration, tables and charts, a
table of contents, readable typography, every image embedded as a ``data:`` URI, and no
script, stylesheet, font or image fetched from anywhere (it opens offline). Its content
depends only on the executed notebook: cell ids and execution metadata are normalised,
and the single line that changes from run to run is the "generated" line at the bottom
(``class="ek-generated"``).

A notebook tells the index what it found by calling :func:`record_verdicts` once; the
batch runner reads that record back with :func:`read_summary` and shows one badge per
measure on ``index.html``.
"""
from __future__ import annotations

import copy
import html
import re
from functools import lru_cache

#: Mime type of the summary record a notebook leaves for the batch runner.
SUMMARY_MIME = "application/vnd.evalkit.summary+json"

#: Mime type of the record of which optional sections have data (see :func:`record_sections`).
SECTIONS_MIME = "application/vnd.evalkit.sections+json"

#: Cell tag prefix marking the cells of an optional section: ``section:<name>``.
SECTION_TAG = "section:"

_RECORDS = (SUMMARY_MIME, SECTIONS_MIME)

#: Cell tag of cells shown in JupyterLab only (e.g. "change team_id ... Run All"): the HTML
#: export removes them (nbconvert ``TagRemovePreprocessor``).
NOTEBOOK_ONLY_TAG = "notebook-only"

#: Marker the summary box ends with: the export puts the table of contents there, so a page
#: reads h1 (the unit), summary, contents, sections. Without it the contents come first.
CONTENTS_MARKER = "<!-- ek:contents -->"

_GENERATED_CLASS = "ek-generated"

# --------------------------------------------------------------------------- summary record

def record_verdicts(verdicts=None, *, title: str | None = None, period: str | None = None,
                    data_as_of: str | None = None, groups: dict | None = None) -> None:
    """Record what this report found, for the batch runner's index page.

    Call it once in a report notebook (a later call replaces an earlier one). It shows
    one line of plain text in JupyterLab and nothing in the HTML report.

    Parameters
    ----------
    verdicts : DataFrame, mapping or list of dict, optional
        One verdict per measure. A DataFrame or list of dicts with columns ``measure_id``,
        ``verdict`` and optionally ``label`` (display name) and ``detail`` (one line); or
        a mapping ``{measure_id: verdict}``. Missing verdicts (NaN/None) are recorded
        as "no data".
    title : str, optional
        The report's display title (e.g. the team's name), shown on the index as text.
    period : str, optional
        The period covered, e.g. "2022-01 to 2024-12".
    data_as_of : str, optional
        The date the data are current to.
    groups : dict of str to str, optional
        What the index can filter this report by, e.g. ``{"team type": "tribal",
        "region": "Northwest"}`` (missing values left out).

    Returns
    -------
    None
        (Nothing is shown as a cell result.) The record, read back by
        :func:`read_summary`, is ``{"title", "period", "data_as_of", "verdicts":
        [{"measure_id", "label", "verdict", "detail", and where there is one the headline
        effect's "estimate", "ci_low", "ci_high", "design"}, ...]}``.

    Example
    -------
    >>> record_verdicts({"turnover_rate": "improved"}, title="Cedar River Tribe")  # doctest: +SKIP
    """
    record = {
        "title": None if title is None else str(title),
        "period": None if period is None else str(period),
        "data_as_of": None if data_as_of is None else str(data_as_of),
        "verdicts": _verdict_rows(verdicts),
        "groups": {str(k): str(v) for k, v in (groups or {}).items() if _text(v) is not None},
    }
    from IPython.display import display

    n = len(record["verdicts"])
    text = f"Recorded {n} verdict{'s' if n != 1 else ''} for the batch index page."
    display({SUMMARY_MIME: record, "text/plain": text}, raw=True)


def _verdict_rows(verdicts) -> list[dict]:
    if verdicts is None:
        return []
    if hasattr(verdicts, "to_dict") and hasattr(verdicts, "columns"):
        rows = verdicts.to_dict("records")
    elif isinstance(verdicts, dict):
        rows = [{"measure_id": k, "verdict": v} for k, v in verdicts.items()]
    else:
        rows = [dict(r) for r in verdicts]
    out = []
    for row in rows:
        measure_id = _text(row.get("measure_id"))
        verdict = _text(row.get("verdict")) or "no data"
        entry = {
            "measure_id": measure_id,
            "label": _text(row.get("label")) or measure_id,
            "verdict": verdict,
            "detail": _text(row.get("detail")),
        }
        for key in ("estimate", "ci_low", "ci_high"):
            value = row.get(key)
            if value is not None and value == value:
                entry[key] = round(float(value), 6)
        for key in ("design", "scale"):
            if _text(row.get(key)):
                entry[key] = _text(row.get(key))
        out.append(entry)
    return out


def _text(value) -> str | None:
    if value is None:
        return None
    try:
        if value != value:  # NaN / NA
            return None
    except (TypeError, ValueError):
        pass
    text = str(value)
    return None if text in ("", "<NA>", "nan", "NaT") else text


def record_sections(present) -> None:
    """Record which optional sections of this report have data, for the HTML export.

    Call it once in a report notebook, before or after the sections (a later call
    replaces an earlier one). Cells tagged ``section:<name>`` (the heading, the
    narration and the code of one section) are left out of the HTML report when
    ``present[name]`` is false, so a section without data leaves no heading, no text
    and no table-of-contents entry. In JupyterLab every cell stays visible; the record
    shows one line naming the sections that the HTML report leaves out.

    Parameters
    ----------
    present : mapping of str to bool-like
        Section name -> whether it has data (e.g. a row count; 0 = no data). Sections
        not named are always shown.

    Returns
    -------
    None
        The record, read back by :func:`read_sections`, is ``{name: bool}``.

    Example
    -------
    >>> record_sections({"goals": 3, "partners": 0})  # doctest: +SKIP
    """
    record = {str(k): bool(v) for k, v in dict(present).items()}
    absent = [k for k, v in record.items() if not v]
    text = ("Every optional section has data." if not absent else
            "No data for: " + ", ".join(absent) + " (left out of the HTML report).")
    from IPython.display import display

    display({SECTIONS_MIME: record, "text/plain": text}, raw=True)


def read_sections(nb) -> dict:
    """The last record of :func:`record_sections` in an executed notebook (``{}`` if none)."""
    found = {}
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = out.get("data", {})
            if SECTIONS_MIME in data:
                found = dict(data[SECTIONS_MIME])
    return found


def cell_sections(cell) -> list[str]:
    """Section names a cell is tagged with (tags ``section:<name>``)."""
    tags = cell.get("metadata", {}).get("tags", []) or []
    return [t[len(SECTION_TAG):] for t in tags if isinstance(t, str) and t.startswith(SECTION_TAG)]


def omit_absent_sections(nb, present: dict | None = None):
    """A copy of ``nb`` without the cells of sections recorded as having no data.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.
    present : dict, optional
        Section -> has data; default: the notebook's own :func:`record_sections` record.

    Returns
    -------
    nbformat.NotebookNode
        A copy; a cell is dropped when any of its ``section:<name>`` tags names a section
        recorded as absent. Cells of sections not recorded are kept.
    """
    present = read_sections(nb) if present is None else present
    out = copy.deepcopy(nb)
    out.cells = [c for c in out.cells if all(present.get(name, True) for name in cell_sections(c))]
    return out


def read_summary(nb) -> dict | None:
    """The last summary recorded by :func:`record_verdicts` in an executed notebook, or None."""
    found = None
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = out.get("data", {})
            if SUMMARY_MIME in data:
                found = data[SUMMARY_MIME]
    return None if found is None else dict(found)


def verdict_tone(verdict: str | None) -> str:
    """Badge tone of a verdict code (:data:`evalkit.effects.verdict.VERDICT_TONES`): ``good``, ``bad``,
    ``neutral`` or ``muted``; a missing verdict is muted, any other text (a count across teams) neutral."""
    from evalkit.effects.verdict import VERDICT_TONES

    if verdict is None or verdict == "no data":
        return "muted"
    return VERDICT_TONES.get(verdict, "neutral")


def verdict_words(verdict: str | None) -> str:
    """How the index words a verdict code (other text as it is)."""
    from evalkit.effects.verdict import VERDICT_WORDS

    return VERDICT_WORDS.get(verdict, verdict or "no data")


# --------------------------------------------------------------------------- report page

@lru_cache(maxsize=1)
def _exporter():
    """One HTMLExporter reused for every report (template compilation happens once)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name="basic",          # body only: no require.js, MathJax or CDN links
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,              # markdown images become data: URIs too
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={NOTEBOOK_ONLY_TAG}, enabled=True),
                                   enabled=True)
    return exporter


def _for_html(nb):
    """A copy of the notebook ready for export: sections without data left out,
    deterministic ids, no summary or section records."""
    nb = omit_absent_sections(nb)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i + 1}"
        cell["metadata"] = {k: v for k, v in cell.get("metadata", {}).items() if k in ("tags", "jupyter")}
        if cell.get("cell_type") == "code":
            # records are for the runner; stderr (warnings, with this machine's paths) is never for a reviewer
            cell["outputs"] = [o for o in cell.get("outputs", [])
                               if not any(m in o.get("data", {}) for m in _RECORDS)
                               and not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in ("kernelspec", "language_info")}
    return nb


_HEADING = re.compile(r'<h([23]) id="([^"]+)">((?:(?!</h[1-6]>).)*?)<a class="anchor-link"', re.S)
_TAG = re.compile(r"<[^>]+>")


def table_of_contents(body: str) -> list[tuple[int, str, str]]:
    """Level-2 and level-3 headings of an exported body as ``(level, anchor, text)``."""
    out = []
    for level, anchor, inner in _HEADING.findall(body):
        text = html.unescape(_TAG.sub("", inner)).strip()
        out.append((int(level), anchor, text))
    return out


def export_html(nb, *, title: str, index_href: str | None = None, generated_at: str | None = None,
                version: str | None = None) -> str:
    """Render an executed notebook as one self-contained HTML page for reviewers.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook (not modified). Cells tagged ``section:<name>`` are left
        out when the notebook recorded that section as having no data
        (:func:`record_sections`).
    title : str
        Page title (escaped).
    index_href : str, optional
        Relative link back to the index page (e.g. ``"../index.html"``).
    generated_at : str, optional
        Shown on the one line that changes between runs.
    version : str, optional
        evalkit version shown on that line (default: the installed version).

    Returns
    -------
    str
        The HTML document: no input cells, no prompts, images embedded, no external URLs.
    """
    from evalkit import __version__

    body, _ = _exporter().from_notebook_node(_for_html(nb))
    toc = table_of_contents(body)
    items = "\n".join(
        f'<li class="ek-toc-l{level}"><a href="#{html.escape(anchor, quote=True)}">{html.escape(text)}</a></li>'
        for level, anchor, text in toc
    )
    nav = f'<nav class="ek-toc" aria-labelledby="ek-contents"><h2 id="ek-contents">Contents</h2><ol>\n{items}\n</ol></nav>' if toc else ""
    back = (f'<nav class="ek-back" aria-label="All reports"><a href="{html.escape(index_href, quote=True)}">'
            '&larr; All reports</a></nav>' if index_href else "")
    generated = _generated_line(generated_at, version or __version__)
    if CONTENTS_MARKER in body:  # h1 and the summary first, then the contents
        body, nav = body.replace(CONTENTS_MARKER, nav, 1), ""
    return _PAGE.format(
        title=html.escape(title), css=_CSS, back=back, nav=nav, body=body, generated=generated,
    )


def _generated_line(generated_at: str | None, version: str) -> str:
    when = f" on {html.escape(generated_at)}" if generated_at else ""
    return f'<p class="{_GENERATED_CLASS}">Generated{when} by evalkit {html.escape(version)}.</p>'


def without_generated_line(page: str) -> str:
    """The page with its generated-at line removed (to compare two renderings)."""
    return re.sub(rf'<p class="{_GENERATED_CLASS}">.*?</p>', "", page)


# --------------------------------------------------------------------------- page shell

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<div class="ek-page">
{back}
{nav}
<main class="ek-main">
{body}
</main>
<footer class="ek-footer">
{generated}
</footer>
</div>
</body>
</html>
"""

_CSS = """
:root { --ink:#1f2328; --muted:#57606a; --rule:#d0d7de; --paper:#fff; --tint:#f6f8fa;
        --good:#0b6e4f; --bad:#b3261e; --neutral:#3d5a80; --accent:#0072b2; }
* { box-sizing: border-box; }
html { font-size: 17px; }
body { margin: 0; background: var(--paper); color: var(--ink);
       font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       line-height: 1.55; }
.ek-page { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1, h2, h3, h4 { line-height: 1.25; margin: 1.6em 0 0.5em; }
h1 { font-size: 1.9rem; margin-top: 0.5rem; }
h2 { font-size: 1.45rem; border-bottom: 1px solid var(--rule); padding-bottom: 0.2em; }
h3 { font-size: 1.15rem; }
p, li { max-width: 46rem; }
a { color: var(--accent); }
a.anchor-link { display: none; }
img { max-width: 100%; height: auto; }
pre { white-space: pre-wrap; font-size: 0.85rem; background: var(--tint); padding: 0.6em 0.8em;
      border-radius: 4px; overflow-x: auto; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--rule); padding: 0.3em 0.6em; vertical-align: top; text-align: left; }
thead th { background: var(--tint); }
table.dataframe td { text-align: right; }
.ek-table td.ek-num, .ek-table th.ek-num { text-align: right; }
.ek-note { color: var(--muted); font-size: 0.92rem; }
.output_stderr pre { background: #fff5f5; }
.output_area { margin: 0.6em 0; overflow-x: auto; }
.ek-back { margin: 0 0 0.5rem; font-size: 0.9rem; }
.ek-toc { border: 1px solid var(--rule); border-radius: 6px; padding: 0.6rem 1rem; margin: 1rem 0;
          background: var(--tint); }
.ek-toc h2 { font-size: 1rem; margin: 0 0 0.3rem; border: 0; }
.ek-toc ol { margin: 0; padding-left: 0.3rem; list-style: none; counter-reset: ek-toc; }
.ek-toc .ek-toc-l2 { counter-increment: ek-toc; }
.ek-toc .ek-toc-l2::before { content: counter(ek-toc) ". "; }
.ek-toc .ek-toc-l3 { margin-left: 1.6rem; font-size: 0.92rem; }
.ek-toc .ek-toc-l3::before { content: "– "; }
.ek-footer { margin-top: 3rem; border-top: 1px solid var(--rule); color: var(--muted); font-size: 0.85rem; }
.ek-synthetic { background: #fff8e1; border-left: 4px solid #e69f00; padding: 0.5rem 0.8rem; }
.ek-index { width: 100%; }
.ek-index th[scope=row] { font-weight: 600; }
.ek-id { font-weight: 400; font-size: 0.8rem; color: var(--muted); }
.ek-badge { display: inline-block; margin: 0.1em 0.2em 0.1em 0; padding: 0.05em 0.5em; border-radius: 1em;
            font-size: 0.8rem; border: 1px solid currentColor; white-space: nowrap; }
.ek-good { color: var(--good); }
.ek-bad { color: var(--bad); }
.ek-neutral { color: var(--neutral); }
.ek-muted { color: var(--muted); border-style: dashed; }
.ek-status { font-weight: 600; }
.ek-status-ok { color: var(--good); }
.ek-status-cached { color: var(--neutral); }
.ek-status-failed { color: var(--bad); }
.ek-error { color: var(--bad); font-size: 0.85rem; white-space: pre-wrap; }
.ansi-red-fg { color: #b3261e; } .ansi-green-fg { color: #0b6e4f; } .ansi-yellow-fg { color: #8a6d00; }
.ansi-blue-fg { color: #0072b2; } .ansi-cyan-fg { color: #00707a; } .ansi-magenta-fg { color: #8e3a80; }
.ansi-bold { font-weight: 700; }
.ek-main { overflow-wrap: break-word; }
.ek-title h1 { margin-bottom: 0.2rem; }
.ek-subtitle { color: var(--muted); margin: 0 0 0.8rem; }
.ek-summary { border: 2px solid var(--rule); border-radius: 8px; padding: 0.2rem 1rem 0.4rem; margin: 0.8rem 0; }
.ek-summary h2 { margin-top: 0.5rem; }
.ek-summary h3 { font-size: 1rem; margin: 0.8em 0 0.2em; }
.ek-summary ul { margin: 0.2em 0; padding-left: 1.2rem; }
.ek-verdict { white-space: nowrap; }
.ek-caption { font-size: 0.92rem; margin: 0.2rem 0 1.4rem; }
.ek-no-chart { border-left: 4px solid var(--rule); padding-left: 0.6rem; }
a.ek-term { color: inherit; text-decoration: underline dotted; }
.ek-quote { margin: 1em 0; }
.ek-quote blockquote { margin: 0; padding: 0.4em 1em; border-left: 4px solid var(--accent); background: var(--tint); }
.ek-quote blockquote p { margin: 0.2em 0; font-style: italic; }
.ek-quote figcaption { color: var(--muted); font-size: 0.9rem; margin: 0.2em 0 0 1.2rem; }
blockquote.evalkit-quote { margin: 1em 0; padding: 0.4em 1em; border-left: 4px solid var(--accent);
                           background: var(--tint); }
blockquote.evalkit-quote p { margin: 0.2em 0; font-style: italic; }
blockquote.evalkit-quote footer { color: var(--muted); font-size: 0.9rem; }
blockquote.evalkit-quote footer::before { content: "— "; }
.ek-glossary dt { font-weight: 700; margin-top: 0.6em; }
.ek-glossary dd { margin: 0.1em 0 0 1.2rem; max-width: 46rem; }
@media (max-width: 600px) {
  html { font-size: 16px; }
  .ek-page { padding: 1rem 0.75rem 2rem; }
  h1 { font-size: 1.5rem; }
  table { display: block; max-width: 100%; overflow-x: auto; }
  .ek-verdict { white-space: normal; }
}
@media print { .ek-toc, .ek-back { display: none; } html { font-size: 12pt; } }
"""
