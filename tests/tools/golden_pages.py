"""Record (``--update``) or compare the demo batch's pages against tests/data/golden/.

A page's *golden text* is its HTML with the generated-at line removed and every embedded
image replaced by ``[image]``: what a reviewer reads, independent of the machine's fonts
and PNG encoder. ``tests/test_golden_pages.py`` renders the demo batch and compares.
When a change is meant to alter what a report says, run

    python tests/tools/golden_pages.py --update OUTPUTS_DIR

and commit the new golden files with the change, so the diff shows exactly what changed.
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
_IMAGE = re.compile(r'data:image/[a-z+]+;base64,[A-Za-z0-9+/=\s]+')
_GENERATED = re.compile(r'<p class="ek-generated">.*?</p>', re.S)


def golden_text(page: str) -> str:
    """The page as compared: no generated-at line, images as ``[image]``, one tag per line."""
    text = _GENERATED.sub("", page)
    text = _IMAGE.sub("[image]", text)
    return re.sub(r">\s*<", ">\n<", text).strip() + "\n"


def pages(out_dir: Path) -> dict[str, Path]:
    """Every report page of a rendered batch (not the index, whose rows carry timings)."""
    return {p.relative_to(out_dir).as_posix(): p for p in sorted(out_dir.rglob("*.html"))
            if p.name != "index.html" and ".failed." not in p.name}


def golden_name(rel: str) -> str:
    return rel.replace("/", "__").replace(".html", ".txt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--update", action="store_true", help="write the golden files from OUT_DIR")
    args = parser.parse_args()
    found = pages(args.out_dir)
    if args.update:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for old in GOLDEN.glob("*.txt"):
            old.unlink()
        for rel, path in found.items():
            (GOLDEN / golden_name(rel)).write_text(golden_text(path.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"wrote {len(found)} golden pages to {GOLDEN}")
        return
    bad = [rel for rel, path in found.items()
           if not (GOLDEN / golden_name(rel)).is_file()
           or (GOLDEN / golden_name(rel)).read_text(encoding="utf-8") != golden_text(path.read_text(encoding="utf-8"))]
    print("differ:", bad or "none")


if __name__ == "__main__":
    main()
