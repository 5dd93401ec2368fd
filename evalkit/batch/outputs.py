"""Files the batch runner writes: atomic writes, the manifest, the index, report files.

Step 5 of :func:`evalkit.batch.run_batch`. Every file goes to a temporary name in its folder, is
fsynced, then ``os.replace``-d into place, so a run killed at any moment leaves the
previous file intact. A report whose notebook raised is written as
``<id>.failed.html``/``.failed.ipynb`` beside the last good ``<id>.html``; a report that
renders fine again removes its stale ``.failed`` files.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evalkit.batch.plan import ReportJob

MANIFEST = "manifest.json"
INDEX = "index.html"

__all__ = ["MANIFEST", "INDEX", "write_atomic", "remove_stale_temp_files", "read_manifest", "write_manifest",
           "write_index", "manifest_entry", "write_report"]


def write_atomic(path: Path, data) -> None:
    """Write to a temporary file in the same folder, fsync, then os.replace into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with open(tmp, "wb") as fh:
        fh.write(payload)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def remove_stale_temp_files(out_dir: Path) -> None:
    for folder in (out_dir, out_dir / "teams", out_dir / "countries"):
        for path in folder.glob(".*.tmp"):
            try:
                path.unlink()
            except OSError:
                pass


def read_manifest(out_dir: Path) -> dict:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_manifest(out_dir: Path, entries: dict, state: dict) -> None:
    from evalkit import __version__

    manifest = {
        "evalkit_version": __version__,
        "generated_at": state["generated_at"],
        "engine": state["engine"],
        **({"scheduler": state["scheduler"]} if state.get("scheduler") else {}),
        "inputs_fingerprint": state["fingerprint"],
        "plan": state["plan"],
        "reports": list(entries.values()),
    }
    write_atomic(out_dir / MANIFEST, json.dumps(manifest, indent=1, sort_keys=False, default=str) + "\n")


def write_index(out_dir: Path, entries: list, plan: dict, generated_at: str) -> None:
    from evalkit.report.html import render_index

    page = render_index(entries, title=plan.get("title") or "evalkit reports", generated_at=generated_at,
                        synthetic=bool(plan.get("synthetic")))
    write_atomic(out_dir / INDEX, page)


def manifest_entry(job: ReportJob, status: str, *, out_dir: Path, error=None, seconds=0.0, title=None, verdicts=(),
           cell=None, html=None, notebook=None) -> dict:
    previous = job.rel(".html")
    return {
        "kind": job.kind,
        "id": job.id,
        "status": status,
        "html": html,
        "notebook": notebook,
        "seconds": round(float(seconds), 3),
        "inputs_sha256": job.inputs_sha256,
        "error": error,
        "title": title,
        "verdicts": list(verdicts or []),
        "cell": cell,
        "previous_html": previous if status == "failed" and (out_dir / previous).is_file() else None,
    }


def write_report(job: ReportJob, out_dir: Path, rendered: dict, *, seconds: float) -> dict:
    """Write one rendered report atomically (``<id>.failed.*`` if it failed); the manifest's view of it."""
    failed = rendered["status"] == "failed"
    suffix = ".failed" if failed else ""
    html_rel, nb_rel = job.rel(f"{suffix}.html"), job.rel(f"{suffix}.ipynb")
    write_atomic(out_dir / nb_rel, rendered["ipynb"])
    write_atomic(out_dir / html_rel, rendered["page"])
    if not failed:
        for stale in (job.rel(".failed.html"), job.rel(".failed.ipynb")):
            try:
                (out_dir / stale).unlink()
            except FileNotFoundError:
                pass
    return {
        "status": rendered["status"],
        "error": rendered["error"],
        "cell": rendered["cell"],
        "title": rendered["title"],
        "verdicts": rendered["verdicts"],
        "html": html_rel,
        "notebook": nb_rel,
        "seconds": seconds,
    }
