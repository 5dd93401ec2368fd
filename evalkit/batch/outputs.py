"""Files the batch runner writes: atomic writes, the manifest, the index, report files.

Step 5 of :func:`evalkit.batch.run_batch`. Every file goes to a temporary name in its folder, is
fsynced, then ``os.replace``-d into place, so a run killed at any moment leaves the
previous file intact. A report whose notebook raised is written as
``<id>.failed.html``/``.failed.ipynb`` beside the last good ``<id>.html``; a report that
renders fine again removes its stale ``.failed`` files.

A write that fails (read-only folder, disk full) removes its temporary file and raises a
one-line :class:`~evalkit.errors.ReportError`; a report's notebook and page are both written
to temporary files before either is moved into place, so a full disk never leaves an
``.ipynb`` without its ``.html``. A ``manifest.json`` evalkit cannot read (another tool's
file, entries missing fields) is moved aside to ``manifest.json.bad-<timestamp>`` with a
one-line warning, and the run carries on as if there were none.
"""
from __future__ import annotations

import datetime as _dt
import errno
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evalkit.batch.plan import ReportJob

MANIFEST = "manifest.json"
INDEX = "index.html"

#: Fields every manifest entry must have for the runner to reuse it (DESIGN.md §4).
ENTRY_FIELDS = ("kind", "id", "status", "html", "notebook", "inputs_sha256")

__all__ = ["MANIFEST", "INDEX", "write_atomic", "write_error", "remove_stale_temp_files", "read_manifest",
           "load_manifest", "write_manifest", "write_index", "manifest_entry", "write_report"]

_WRITE_HINTS = {
    errno.ENOSPC: "free some disk space and run again",
    errno.EDQUOT: "free some disk space and run again",
    errno.EROFS: "make the folder writable or use another --out",
    errno.EACCES: "make the folder writable or use another --out",
    errno.EPERM: "make the folder writable or use another --out",
}


def write_error(path: Path, exc: OSError, doing: str = "write"):
    """A one-line ReportError for a file or folder that could not be written (or created)."""
    from evalkit.errors import ReportError

    hint = _WRITE_HINTS.get(exc.errno, "check the output folder")
    return ReportError(f"{path}: cannot {doing} ({exc.strerror or exc}); {hint}")


def _discard(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _write_temp(path: Path, data) -> Path:
    """Write ``data`` to a temporary file beside ``path`` and fsync it; remove it on failure."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        _discard(tmp)
        raise write_error(path, exc) from exc
    return tmp


def _move_into_place(pairs) -> None:
    """os.replace each (tmp, path); a failure removes the temporary files not yet moved."""
    for i, (tmp, path) in enumerate(pairs):
        try:
            os.replace(tmp, path)
        except OSError as exc:
            for rest, _ in pairs[i:]:
                _discard(rest)
            raise write_error(path, exc) from exc


def write_atomic(path: Path, data) -> None:
    """Write to a temporary file in the same folder, fsync, then os.replace into place.

    Raises ``ReportError`` (one line) if the file cannot be written; no temporary file is left.
    """
    _move_into_place([(_write_temp(path, data), path)])


def _write_together(files) -> None:
    """Write several (path, data) so that none is replaced unless all could be written.

    Every temporary file is written (and fsynced) first; only then are they renamed into
    place, in the order given. Renames within a folder need no free space.
    """
    temps = []
    try:
        for path, data in files:
            temps.append((_write_temp(path, data), path))
    except BaseException:
        for tmp, _ in temps:
            _discard(tmp)
        raise
    _move_into_place(temps)


def remove_stale_temp_files(out_dir: Path) -> None:
    for folder in (out_dir, out_dir / "teams", out_dir / "countries"):
        for path in folder.glob(".*.tmp"):
            try:
                path.unlink()
            except OSError:
                pass


def read_manifest(out_dir: Path) -> dict:
    """The manifest of the last run, or ``{}`` if there is none or it is not one evalkit can read."""
    data, problem = _parse_manifest(out_dir / MANIFEST)
    return data if problem is None else {}


def load_manifest(out_dir: Path) -> tuple[dict, str | None]:
    """Like :func:`read_manifest`, but an unreadable manifest is moved aside (call under the lock).

    Returns the manifest (``{}`` if none) and a one-line warning when one was moved aside.
    """
    path = out_dir / MANIFEST
    data, problem = _parse_manifest(path)
    if problem is None:
        return data, None
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    aside = path.with_name(f"{MANIFEST}.bad-{stamp}")
    try:
        os.replace(path, aside)
    except OSError as exc:
        raise write_error(aside, exc) from exc
    return {}, f"{path}: {problem}, not a manifest evalkit wrote; moved it to {aside.name} and carrying on"


def _parse_manifest(path: Path) -> tuple[dict, str | None]:
    """(manifest, None), ({}, None) when there is no file, or ({}, what is wrong with it)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        return {}, f"cannot be read ({exc.strerror or exc})"
    try:
        data = json.loads(text)
    except ValueError as exc:
        return {}, f"is not JSON ({exc})"
    if not isinstance(data, dict):
        return {}, f"holds a JSON {type(data).__name__}, not an object"
    reports = data.get("reports")
    if not isinstance(reports, list):
        return {}, "has no list of reports"
    if not isinstance(data.get("plan", {}), dict):
        return {}, "has a plan that is not an object"
    for number, entry in enumerate(reports, start=1):
        if not isinstance(entry, dict):
            return {}, f"report {number} is not an object"
        missing = [f for f in ENTRY_FIELDS if f not in entry]
        if missing:
            return {}, f"report {number} lacks {', '.join(missing)}"
        wrong = [f for f in ENTRY_FIELDS if not isinstance(entry[f], str)
                 and not (f in ("html", "notebook") and entry[f] is None)]
        if wrong:
            return {}, f"report {number} has {', '.join(wrong)} of the wrong type"
    return data, None


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
    from evalkit.report.index import render_index

    page = render_index(entries, title=plan.get("title") or "evalkit reports", generated_at=generated_at,
                        synthetic=bool(plan.get("synthetic")))
    write_atomic(out_dir / INDEX, page)


def manifest_entry(job: ReportJob, status: str, *, out_dir: Path, error=None, seconds=0.0, title=None, verdicts=(),
           cell=None, html=None, notebook=None, groups=None) -> dict:
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
        "groups": dict(groups or {}),  # e.g. {"team type": "tribal", "region": "Northwest"}: index filters
        "cell": cell,
        "previous_html": previous if status == "failed" and (out_dir / previous).is_file() else None,
    }


def write_report(job: ReportJob, out_dir: Path, rendered: dict, *, seconds: float) -> dict:
    """Write one rendered report atomically (``<id>.failed.*`` if it failed); the manifest's view of it."""
    failed = rendered["status"] == "failed"
    suffix = ".failed" if failed else ""
    html_rel, nb_rel = job.rel(f"{suffix}.html"), job.rel(f"{suffix}.ipynb")
    # both or neither (a full disk fails before either is replaced); the page first, so a
    # notebook never stands without its page
    _write_together([(out_dir / html_rel, rendered["page"]), (out_dir / nb_rel, rendered["ipynb"])])
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
        "groups": rendered.get("groups") or {},
        "html": html_rel,
        "notebook": nb_rel,
        "seconds": seconds,
    }
