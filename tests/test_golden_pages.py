"""Every demo report says exactly what its golden text says (tests/data/golden/README.md)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from _demo_batch import demo_batch

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))
import golden_pages  # noqa: E402

pytestmark = pytest.mark.slow


def test_golden_text_drops_only_the_generated_line_and_image_bytes():
    page = ('<p>Team A</p>  <img src="data:image/png;base64,iVBORw0KGgo=\n">'
            '<p class="ek-generated">Generated 2026-01-01 by evalkit 0.1.0</p>')
    assert golden_pages.golden_text(page) == '<p>Team A</p>\n<img src="[image]">\n'


def test_every_demo_page_matches_its_golden_text(tmp_path_factory):
    out, result = demo_batch(tmp_path_factory)
    assert result.exit_code == 0
    found = golden_pages.pages(out)
    recorded = sorted(p.name for p in golden_pages.GOLDEN.glob("*.txt"))
    assert sorted(golden_pages.golden_name(rel) for rel in found) == recorded
    for rel, path in found.items():
        expected = (golden_pages.GOLDEN / golden_pages.golden_name(rel)).read_text(encoding="utf-8")
        got = golden_pages.golden_text(path.read_text(encoding="utf-8"))
        if got != expected:
            import difflib

            diff = "".join(list(difflib.unified_diff(expected.splitlines(True), got.splitlines(True),
                                                     "golden", rel, n=1))[:40])
            pytest.fail(f"{rel} differs from its golden text:\n{diff}")
