"""Reviewer HTML: no code, no prompts, embedded images, no external resources, escaping,
no person-level identifiers, deterministic content, the index page, and a real browser.
"""
from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from _demo_batch import PARAMS, ROOT, copy_inputs, copy_outputs, demo_batch
from evalkit.report.index import render_index
from evalkit.report.html import (
    SECTIONS_MIME,
    SUMMARY_MIME,
    cell_sections,
    export_html,
    omit_absent_sections,
    read_sections,
    read_summary,
    table_of_contents,
    verdict_tone,
    without_generated_line,
)
from evalkit.batch.run import run_batch

# A 1×1 PNG (the smallest valid PNG, written out by hand: signature, IHDR, IDAT, IEND).
PNG_1x1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

EXTERNAL = re.compile(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:|//|ftp:)|url\(\s*["']?\s*(?:https?:|//)|@import""", re.I)


def _nb_with_outputs():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    code = nbformat.v4.new_code_cell("secret_code_text = 1\nplot()")
    code.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="printed line\n"),
        nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(PNG_1x1).decode(),
                                                     "text/plain": "<Figure>"}),
        nbformat.v4.new_output("display_data", data={SUMMARY_MIME: {"title": "T", "verdicts": []},
                                                     "text/plain": "Recorded 0 verdicts"}),
        nbformat.v4.new_output("execute_result", data={"text/plain": "42"}, execution_count=2),
    ]
    code.execution_count = 2
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Report title\n\nIntro."),
        nbformat.v4.new_markdown_cell("## First section\n\nText.\n\n### A subsection"),
        code,
        nbformat.v4.new_markdown_cell("## Methods"),
    ]
    return nb


# --------------------------------------------------------------------------- export_html


def test_export_has_no_code_no_prompts_and_embeds_images():
    page = export_html(_nb_with_outputs(), title="A report")
    assert "secret_code_text" not in page          # input cells excluded
    assert "In&nbsp;[" not in page and "Out[" not in page and "In [" not in page  # no prompts
    assert "printed line" in page and "42" in page
    assert 'src="data:image/png;base64,' in page
    assert "Recorded 0 verdicts" not in page       # the runner's summary record is not shown
    assert not EXTERNAL.search(page)
    assert "<script" not in page.lower() and "<link" not in page.lower()


def test_export_has_a_table_of_contents_of_the_sections():
    page = export_html(_nb_with_outputs(), title="A report")
    toc = table_of_contents(page)
    assert [(lvl, text) for lvl, _, text in toc] == [(2, "First section"), (3, "A subsection"), (2, "Methods")]
    nav = page[page.index('<nav class="ek-toc"'):page.index("</nav>")]
    assert 'href="#First-section"' in nav and 'href="#Methods"' in nav


def test_export_is_deterministic_apart_from_the_generated_line():
    nb = _nb_with_outputs()
    a = export_html(nb, title="A report", generated_at="2024-01-01 00:00 UTC")
    b = export_html(nbformat.from_dict(nb), title="A report", generated_at="2025-06-30 12:34 UTC")
    assert a != b
    assert without_generated_line(a) == without_generated_line(b)
    assert len(a.splitlines()) - len(without_generated_line(a).splitlines()) in (0, 1)


def test_export_escapes_the_title():
    page = export_html(_nb_with_outputs(), title="<script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def _nb_with_sections(present: dict):
    """Summary, then one tagged section per name (heading cell + code cell with a note), then Methods."""
    nb = nbformat.v4.new_notebook()
    record = nbformat.v4.new_code_cell("report.record_sections(found)")
    record.outputs = [nbformat.v4.new_output("display_data", data={SECTIONS_MIME: present,
                                                                   "text/plain": "No data for: x"})]
    nb.cells = [nbformat.v4.new_markdown_cell("## Summary"), record]
    for name in present:
        heading = nbformat.v4.new_markdown_cell(f"## Section {name}\n\nNarration of {name}.")
        code = nbformat.v4.new_code_cell("show()")
        code.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": f"note about {name}"})]
        for cell in (heading, code):
            cell.metadata["tags"] = [f"section:{name}"]
        nb.cells += [heading, code]
    nb.cells.append(nbformat.v4.new_markdown_cell("## Methods"))
    return nb


def test_sections_recorded_without_data_leave_no_heading_text_or_toc_entry():
    nb = _nb_with_sections({"goals": False, "outputs": True, "partners": False})
    assert read_sections(nb) == {"goals": False, "outputs": True, "partners": False}
    assert [cell_sections(c) for c in nb.cells][2:4] == [["goals"], ["goals"]]
    page = export_html(nb, title="A report")
    assert [text for _, _, text in table_of_contents(page)] == ["Summary", "Section outputs", "Methods"]
    for gone in ("Section goals", "Narration of goals", "note about goals", "partners", "No data for"):
        assert gone not in page, gone
    assert "Narration of outputs" in page and "note about outputs" in page
    assert len(omit_absent_sections(nb).cells) == 2 + 2 + 1  # summary pair, outputs pair, methods
    assert len(nb.cells) == 2 + 6 + 1                          # the notebook itself is not changed


def test_sections_not_recorded_are_kept():
    nb = _nb_with_sections({"goals": False})
    nb.cells[1].outputs = []  # no record at all: nothing is dropped
    assert read_sections(nb) == {}
    assert "Section goals" in export_html(nb, title="A report")


# --------------------------------------------------------------------------- summary record + index


def test_read_summary_finds_the_last_record():
    nb = _nb_with_outputs()
    assert read_summary(nb) == {"title": "T", "verdicts": []}
    assert read_summary(nbformat.v4.new_notebook()) is None


@pytest.mark.parametrize("verdict, tone", [
    ("improved", "good"), ("3 of 12 teams improved, 2 deteriorated", "neutral"), ("deteriorated", "bad"),
    ("no_change", "neutral"), ("mixed", "neutral"), ("too_little_data", "muted"),
    ("no data", "muted"), (None, "muted"), ("something else", "neutral"),
])
def test_verdict_tone(verdict, tone):
    assert verdict_tone(verdict) == tone


def test_index_escapes_every_string_and_shows_failures():
    entries = [
        {"kind": "team", "id": "a-team", "status": "ok", "html": "teams/a-team.html", "notebook": "teams/a-team.ipynb",
         "title": "<script>alert(1)</script>", "error": None,
         "verdicts": [{"measure_id": "m", "label": "<b>Turnover</b>", "verdict": "improved", "detail": '"x"'}]},
        {"kind": "team", "id": "b-team", "status": "failed", "html": None, "notebook": None, "title": None,
         "error": "data/measures.csv row 3, column numerator: '<img src=x onerror=alert(1)>' is not a number",
         "verdicts": [], "previous_html": "teams/b-team.html"},
    ]
    page = render_index(entries, title="Demo & <co>", synthetic=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b&gt;Turnover&lt;/b&gt;: improved" in page
    assert "Demo &amp; &lt;co&gt;" in page
    assert 'href="teams/a-team.html"' in page and 'href="teams/b-team.html"' in page  # last good report
    assert "Synthetic data" in page
    assert "1 rendered" in page and "1 failed" in page
    assert not EXTERNAL.search(page)


# --------------------------------------------------------------------------- the rendered demo batch


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    return demo_batch(tmp_path_factory)


def _pages(out: Path) -> list[Path]:
    return [out / "index.html", out / "collaborative.html", *sorted(out.glob("teams/*.html")),
            *sorted(out.glob("countries/*.html"))]


def test_rendered_pages_are_self_contained_and_show_no_code(batch):
    out, _ = batch
    for page in _pages(out):
        text = page.read_text()
        assert not EXTERNAL.search(text), page
        assert "<script" not in text.lower(), page
        assert "import matplotlib" not in text and "load_team(" not in text, page  # no input cells
        for src in re.findall(r'<img[^>]*\ssrc="([^"]*)"', text):
            assert src.startswith("data:image/"), page
        # no path of the machine that rendered it; no warning text in a report
        assert str(ROOT) not in text, page
        if page.name != "index.html":
            assert "Warning" not in text and "output_stream output_stderr" not in text, page


def test_no_person_level_identifiers_in_any_output(batch):
    out, _ = batch
    import pandas as pd

    from _demo_batch import DATA

    staff = set(pd.read_csv(DATA / "roster.csv", dtype=str)["staff_key"].dropna())
    responses = set(pd.read_csv(DATA / "survey.csv", dtype=str)["response_id"].dropna())
    sample = sorted(staff)[:200] + sorted(responses)[:200]
    for path in [*_pages(out), *out.rglob("*.ipynb")]:
        text = path.read_text()
        assert "staff_key" not in text and "response_id" not in text, path
        found = [key for key in sample if key in text]
        assert not found, (path, found[:3])


def test_team_report_opens_with_summary_and_ends_with_methods(batch):
    out, _ = batch
    text = (out / "teams" / "cedar-river-tribe.html").read_text()
    assert text.index("Summary") < text.index("Measures over time") < text.index("Methods")
    for words in ("What was evaluated", "Period covered", "Data as of", "SYNTHETIC DATA", "Verdict per measure",
                  "Staff turnover", "evalkit 0.1.0"):
        assert words in text, words


def _toc(page_text: str) -> list[str]:
    return [text for level, _, text in table_of_contents(page_text) if level == 2]


def test_country_reports_show_only_the_sections_with_data(batch):
    out, _ = batch
    evergreen = (out / "countries" / "evergreen.html").read_text()
    moldova = (out / "countries" / "moldova.html").read_text()
    # BRIEF.md: moldova has goals, deliverables, membership, outputs; evergreen partners, focus groups, training
    # the summary sits above the contents, so the contents list what follows it
    assert _toc(evergreen) == ["Partners at the table", "Focus-group themes", "Joint training", "Methods"]
    assert _toc(moldova) == ["Progress toward goals", "Working-group deliverables",
                             "Membership and sectors", "Outputs", "Methods"]
    for text in (evergreen, moldova):
        assert "left out of the HTML report" not in text and "recorded for this jurisdiction" not in text
    assert "Progress toward goals</h2>" not in evergreen and "Joint training</h2>" not in moldova


def test_a_jurisdiction_with_one_table_renders_only_that_section(batch, tmp_path):
    out, _ = batch
    data, params = copy_inputs(tmp_path)
    (params / "countries" / "lowland.yaml").write_text(
        'country_id: lowland\nname: "Lowland"\nkind: county\nas_of: 2024-06-30\nexpected_sectors: []\n')
    with (data / "outputs.csv").open("a") as f:
        f.write("lowland,2023-03-31,guidelines drafted,2\nlowland,2024-03-31,guidelines drafted,1\n")
    out2 = copy_outputs(out, tmp_path / "out")
    result = run_batch(params, data, out2, only=["lowland"], progress=False)
    assert result.exit_code == 0, result.summary_table()
    page = (out2 / "countries" / "lowland.html").read_text()
    assert _toc(page) == ["Outputs", "Methods"]
    assert "guidelines drafted" in page.lower()


def test_team_name_from_data_is_escaped_end_to_end(batch, tmp_path):
    out, _ = batch
    data, params = copy_inputs(tmp_path)
    teams = (data / "teams.csv").read_text().replace("Valley County,", '"<script>alert(1)</script>",', 1)
    (data / "teams.csv").write_text(teams)
    out2 = copy_outputs(out, tmp_path / "out")
    result = run_batch(params, data, out2, only=["valley-county", "collaborative"], progress=False)
    assert result.exit_code == 0, result.summary_table()
    for page in (out2 / "teams" / "valley-county.html", out2 / "index.html", out2 / "collaborative.html"):
        text = page.read_text()
        assert "<script>alert(1)</script>" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, page


# --------------------------------------------------------------------------- a real browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def test_pages_open_in_headless_chromium_without_errors_or_network(batch, tmp_path):
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.is_file(), "install Debian's chromium (apt-get install -y chromium); .ci/run does"
    out, _ = batch
    site = copy_outputs(out, tmp_path / "site")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            errors, requests = [], []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto((site / "index.html").as_uri())
            page.wait_for_load_state("load")
            links = page.eval_on_selector_all("a[href$='.html']", "els => els.map(e => e.href)")
            assert len(links) >= 15  # every report reachable from the index
            page.click("text=Cedar River Tribe")
            page.wait_for_load_state("load")
            assert page.url.endswith("teams/cedar-river-tribe.html")
            images = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth])")
            assert images and all(done and width > 0 for done, width in images)
            page.goto((site / "countries" / "evergreen.html").as_uri())
            page.wait_for_load_state("load")
            images = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth])")
            assert all(done and width > 0 for done, width in images)
        finally:
            browser.close()
    assert errors == []
    assert requests and all(url.startswith(("file://", "data:")) for url in requests), \
        [u for u in requests if not u.startswith(("file://", "data:"))]


def _drop_team_rows(path: Path, team_id: str) -> None:
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0]] + [x for x in lines[1:] if not x.startswith(team_id + ",")]) + "\n")


def test_team_report_leaves_out_sections_without_data(batch, tmp_path):
    out, _ = batch
    cedar = _toc((out / "teams" / "cedar-river-tribe.html").read_text())
    assert cedar == ["Measures over time", "Compared with units that did not take part", "How large was the change?",
                     "Staffing: turnover and headcount", "Vacant positions", "Time to fill vacancies",
                     "Staff survey: burnout and intent to leave",
                     "Before and after", "What the team tried: PDSA cycles", "Progress score", "Methods"]
    data, params = copy_inputs(tmp_path)
    for table in ("positions", "requisitions", "survey"):
        _drop_team_rows(data / f"{table}.csv", "valley-county")
    out2 = copy_outputs(out, tmp_path / "out")
    result = run_batch(params, data, out2, only=["valley-county"], progress=False)
    assert result.exit_code == 0, result.summary_table()
    text = (out2 / "teams" / "valley-county.html").read_text()
    toc = _toc(text)
    for gone in ("Vacant positions", "Time to fill vacancies", "Staff survey: burnout and intent to leave"):
        assert gone not in toc and gone not in text, gone
    assert "Staffing: turnover and headcount" in toc and "Before and after" in toc  # the roster is still there
    assert "left out of the HTML report" not in text and "single wave" not in text


# Headers of the team report's tables that hold counts of people, and the smallest count each may show
# (BRIEF.md: fewer than 10 people, or fewer than 5 survey respondents, are not shown).
_PEOPLE_COLUMNS = {"Staff at the start": 10, "Still employed at the end": 10, "Hired": 10, "Staff": 10, "Left": 10,
                   "Staff employed": 10, "Respondents": 5}
_ARROW_COLUMNS = {"Left (before → after)": 10, "Respondents (before → after)": 5}


def _tables(page: str):
    for table in re.findall(r'<table class="ek-table"[^>]*>(.*?)</table>', page, re.S):
        heads = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("</thead>")[-1], re.S):
            cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            yield dict(zip(heads, cells))


def test_no_small_count_of_people_in_the_team_tables(batch):
    import html as html_lib

    out, _ = batch
    # north-lake-band-east has 4-8 staff (BRIEF): every count of its people must be hidden
    for team in ("north-lake-band-east", "cedar-river-tribe", "red-willow-nation"):
        page = (out / "teams" / f"{team}.html").read_text()
        checked = 0
        for row in _tables(page):
            for head, cell in row.items():
                cell = html_lib.unescape(cell).strip()
                values = []
                if head in _PEOPLE_COLUMNS:
                    values, minimum = [cell], _PEOPLE_COLUMNS[head]
                elif head in _ARROW_COLUMNS:
                    values, minimum = cell.split(" → "), _ARROW_COLUMNS[head]
                for v in values:
                    checked += 1
                    if v.replace(",", "").isdigit():
                        assert int(v.replace(",", "")) == 0 or int(v.replace(",", "")) >= minimum, (team, head, v)
        assert checked, team


def test_team_effect_lists_state_the_caution_once_right_after_each_list(batch):
    # issue rule: every effect sentence states its design and its estimate with CI; the within-team
    # caution appears once, right after the list, not in every item (cedar-river-tribe: BRIEF.md demo team
    # with 36 months of measures, three survey waves and a roster, so both lists have estimates)
    from html import unescape

    from evalkit.effects.narrative import CAUTION_WITHIN_TEAM

    out, _ = batch
    text = re.sub(r'<a class="ek-term" href="#glossary-[a-z-]+">(.*?)</a>', r"\1",  # glossary links
                  (out / "teams" / "cedar-river-tribe.html").read_text())
    lists = [(m.start(), m.group(1), m.group(2)) for m in
             re.finditer(r'<ul>((?:<li>[^<]*</li>)+)</ul><p class="ek-caution">([^<]*)</p>', text)]
    assert [unescape(caution) for _, _, caution in lists] == [CAUTION_WITHIN_TEAM] * 2
    assert text.count("(contribution, not attribution).") == 2
    how_large, before_after = text.index('<h2 id="How-large-was-the-change?"'), text.index('<h2 id="Before-and-after"')
    assert how_large < lists[0][0] < before_after < lists[1][0]
    for _, items, _ in lists:
        for item in re.findall(r"<li>([^<]*)</li>", items):
            assert item.startswith("Before/after within one team (") and "95% CI" in item, item
            assert "attribution" not in item


def test_stderr_output_never_reaches_the_page():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1")
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="/home/x/evalkit/a.py:3: UserWarning: y"),
                    nbformat.v4.new_output("stream", name="stdout", text="shown")]
    nb.cells = [nbformat.v4.new_markdown_cell("# T"), cell]
    page = export_html(nb, title="T")
    assert "UserWarning" not in page and "/home/x" not in page and "shown" in page


# --------------------------------------------------------------------------- the first screen


def test_export_removes_notebook_only_cells_and_puts_the_contents_after_the_summary():
    from evalkit.report.html import CONTENTS_MARKER, NOTEBOOK_ONLY_TAG

    nb = _nb_with_outputs()
    howto = nbformat.v4.new_markdown_cell("# Notebook title\n\nChange team_id and choose Run All.")
    howto.metadata["tags"] = [NOTEBOOK_ONLY_TAG]
    summary = nbformat.v4.new_code_cell("summary()")
    summary.outputs = [nbformat.v4.new_output("display_data", data={
        "text/html": f'<h1>Unit &lt;x&gt;</h1><section class="ek-summary"><h2 id="summary">Summary</h2>'
                     f'</section>{CONTENTS_MARKER}', "text/plain": "summary"})]
    nb.cells = [howto, summary] + nb.cells[1:]
    page = export_html(nb, title="T")
    assert "Run All" not in page and "Notebook title" not in page
    assert page.count("<h1") == 1
    assert page.index("<h1>Unit") < page.index('class="ek-summary"') < page.index('class="ek-toc"') \
        < page.index('<h2 id="First-section"')
    assert [text for _, _, text in table_of_contents(page)] == ["First section", "A subsection", "Methods"]


def test_export_writes_the_alt_text_of_an_image_output():
    nb = _nb_with_outputs()
    out = nb.cells[2].outputs[1]
    out.metadata = {"image/png": {"alt": 'Run chart of "Turnover" <b>'}}
    page = export_html(nb, title="T")
    import html as html_lib

    alts = [html_lib.unescape(m[1]) for m in re.findall(r"<img[^>]*\salt=(['\"])(.*?)\1", page)]
    assert alts == ['Run chart of "Turnover" <b>'] and "<b>" not in page


def test_index_legend_tooltips_attention_first_and_filters():
    from evalkit.report.index import attention_rank

    def team(i, verdict, status="ok", kind="tribal"):
        return {"kind": "team", "id": i, "status": status, "html": f"teams/{i}.html", "title": i.upper(),
                "groups": {"team type": kind, "region": "North <west>"},
                "verdicts": [{"measure_id": "t", "label": "Turnover", "verdict": verdict,
                              "detail": "3 points lower (95% interval 1 to 5)"}]}

    entries = [team("a", "improved"), team("b", "mixed", kind="public"), team("c", "deteriorated"),
               team("d", "no_change", status="failed")]
    assert [attention_rank(e) for e in entries] == [3, 2, 1, 0]
    page = render_index(entries, title="x")
    ids = re.findall(r'<div class="ek-id">([a-z])</div>', page)
    assert ids == ["d", "c", "b", "a"]  # failed, got worse, mixed, then the rest
    assert page.count("Needs attention</div>") == 3
    assert "How to read the badges" in page and ">got worse</span>" in page and ">too little data</span>" in page
    assert 'title="Red: got worse. Turnover: got worse — 3 points lower (95% interval 1 to 5)"' in page
    assert 'data-team-type="tribal"' in page and 'data-region="north-west"' in page
    assert '<label for="f-team-type-public">public</label>' in page and "North &lt;west&gt;" in page
    assert "#f-team-type-public:checked" in page and "<script" not in page
    assert "@media (max-width: 600px)" in page


def test_small_team_gets_sentences_not_empty_charts(batch):
    out, _ = batch
    text = (out / "teams" / "north-lake-band-east.html").read_text()
    for label in ("Staff turnover", "Reflective supervision", "Vacancy rate"):
        assert f"{label}: fewer than 10 people in most months: not shown to protect privacy." in text
    alts = re.findall(r'<img[^>]*\salt="([^"]*)"', text)
    assert sum(a.startswith("Control chart") for a in alts) == 1  # only the well-being pulse is charted
    assert "No measures to judge" not in (out / "countries" / "moldova.html").read_text()
    assert "moved the wrong way" in (out / "countries" / "moldova.html").read_text()


def test_quotes_are_block_quotes_attributed_to_groups_and_training_never_passes_100(batch):
    out, _ = batch
    text = (out / "countries" / "evergreen.html").read_text()
    quotes = re.findall(r'<figure class="ek-quote"><blockquote><p>.*?</p></blockquote>'
                        r'<figcaption>— A participant in the (.*?) affinity group', text)
    assert quotes
    assert "ever trained:" not in text and "of current staff, " in text
    percents = [int(p) for p in re.findall(r"of current staff, (\d+)% had completed", text)]
    assert percents and all(0 <= p <= 100 for p in percents)
    assert "(score ≥ 50) (score ≥ 50)" not in (out / "teams" / "cedar-river-tribe.html").read_text()
