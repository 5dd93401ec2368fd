"""The reviewer's pages in a real browser (headless Chromium via Playwright).

axe-core (vendored in tests/vendor, see its README) finds no serious or critical
accessibility violation on the index and on one report of each kind; every page has one
h1 and headings in order; nothing scrolls sideways on a 390 px phone; a team report's
first 900 px name the unit and give every measure's verdict; the index filters work with
scripts turned off; every chart has alt text.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from _demo_batch import copy_outputs, demo_batch

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"

#: The index and one report of each kind (two team reports: a full one and the small team
#: whose charts are replaced by sentences; both country-report layouts).
PAGES = ("index.html", "teams/cedar-river-tribe.html", "teams/north-lake-band-east.html",
         "countries/moldova.html", "countries/evergreen.html", "collaborative.html")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out, _ = demo_batch(tmp_path_factory)
    return copy_outputs(out, tmp_path_factory.mktemp("browser") / "site")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.is_file(), "install Debian's chromium (apt-get install -y chromium); .ci/run does"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _open(browser, site: Path, rel: str, *, width=1280, height=900, scripts=True):
    context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=scripts)
    page = context.new_page()
    page.goto((site / rel).as_uri())
    page.wait_for_load_state("load")
    return context, page


@pytest.mark.parametrize("rel", PAGES)
def test_axe_finds_no_serious_or_critical_violation(browser, site, rel):
    context, page = _open(browser, site, rel)
    try:
        page.add_script_tag(content=AXE.read_text())
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    finally:
        context.close()
    assert result["testEngine"]["version"] == "4.14.1"
    bad = [(v["id"], v["impact"], v["nodes"][0]["html"][:200]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == [], json.dumps(bad, indent=1)


@pytest.mark.parametrize("rel", PAGES)
def test_one_h1_and_headings_in_order(browser, site, rel):
    context, page = _open(browser, site, rel)
    try:
        levels = page.eval_on_selector_all("h1, h2, h3, h4, h5, h6", "els => els.map(e => +e.tagName[1])")
    finally:
        context.close()
    assert levels[0] == 1 and levels.count(1) == 1, levels
    jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert jumps == [], jumps  # never h2 -> h4


@pytest.mark.parametrize("rel", PAGES)
def test_no_horizontal_scrolling_on_a_390px_phone(browser, site, rel):
    context, page = _open(browser, site, rel, width=390, height=844)
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
    finally:
        context.close()
    assert width <= 390


def test_team_report_first_screen_names_the_unit_and_every_verdict(browser, site):
    context, page = _open(browser, site, "teams/cedar-river-tribe.html")
    try:
        h1 = page.locator("h1")
        assert h1.count() == 1
        assert h1.inner_text().startswith("Cedar River Tribe — team evaluation, Jan 2022")
        assert h1.bounding_box()["y"] + h1.bounding_box()["height"] <= 900
        verdicts = page.locator(".ek-summary .ek-verdicts li")
        texts = verdicts.all_inner_texts()
        assert [t.split(":")[0] for t in texts] == ["Staff turnover", "Reflective supervision", "Vacancy rate",
                                                    "Well-being pulse"]
        for i in range(verdicts.count()):
            word = verdicts.nth(i).locator(".ek-verdict")
            box = word.bounding_box()
            assert box["y"] + box["height"] <= 900, texts[i]
        # the contents come after the summary, not before the heading
        order = page.evaluate("""() => [...document.querySelectorAll('h1, .ek-summary, nav.ek-toc')]
                                 .map(e => e.tagName === 'H1' ? 'h1' : e.className.split(' ')[0])""")
        assert order == ["h1", "ek-summary", "ek-toc"]
        assert "Run All" not in page.inner_text("body")  # notebook-only instructions are left out
    finally:
        context.close()


def test_index_filters_by_team_type_with_scripts_off(browser, site):
    context, page = _open(browser, site, "index.html", scripts=False)
    try:
        rows = page.locator("tr[data-team-type]")
        assert rows.count() == 12
        assert all(r.is_visible() for r in rows.all())
        page.click("label[for='f-team-type-tribal']")
        visible = [r.get_attribute("data-team-type") for r in rows.all() if r.is_visible()]
        assert visible and set(visible) == {"tribal"}
        page.click("label[for='f-team-type-all']")
        assert all(r.is_visible() for r in rows.all())
    finally:
        context.close()


@pytest.mark.parametrize("rel", PAGES[1:])
def test_every_chart_has_alt_text(browser, site, rel):
    context, page = _open(browser, site, rel)
    try:
        alts = page.eval_on_selector_all("img", "els => els.map(e => e.getAttribute('alt'))")
    finally:
        context.close()
    assert alts, rel
    assert all(a and len(a) > 20 and "No description" not in a for a in alts), alts
