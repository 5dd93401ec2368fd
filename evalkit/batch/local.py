"""Render reports on this machine: one forked, pre-imported child per report.

Step 4 of :func:`evalkit.batch.run_batch` (see its docstring): the parent imports the heavy
libraries once and forks a fresh child per report (never reused); the child executes the
notebook (:mod:`evalkit.batch.execute`), exports the HTML and writes both atomically
(:mod:`evalkit.batch.outputs`), then sends a small JSON result back through a pipe.
"""
from __future__ import annotations

import gc
import json
import os
import select
import signal
import sys
import time
import traceback
from pathlib import Path

from evalkit.batch.lock import close_inherited_locks
from evalkit.batch.outputs import manifest_entry, write_report
from evalkit.batch.plan import ReportJob
from evalkit.errors import EvalkitError

__all__ = ["execute_all", "execute_report", "progress_bar"]


def execute_all(to_run, out_dir: Path, *, engine: str, jobs: int, progress: bool, generated_at: str,
                 timeout: float):
    """Fork one child per report (at most ``jobs`` at once); yield (key, entry) as they finish."""
    prepare_parent(to_run)
    bar = progress_bar(len(to_run), progress)
    pending = list(to_run)
    running: dict = {}  # fd -> [job, pid, started, chunks]
    try:
        while pending or running:
            while pending and len(running) < jobs:
                job = pending.pop(0)
                fd, pid = _fork_report(job, out_dir, engine, generated_at)
                running[fd] = [job, pid, time.monotonic(), []]
            ready, _, _ = select.select(list(running), [], [], 0.5)
            for fd in ready:
                chunk = os.read(fd, 1 << 16)
                if chunk:
                    running[fd][3].append(chunk)
                    continue
                job, pid, t0, chunks = running.pop(fd)
                os.close(fd)
                _, status, usage = os.wait4(pid, 0)
                entry = _child_entry(job, out_dir, b"".join(chunks), status, time.monotonic() - t0)
                entry["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 3)  # the report's own CPU
                if bar is not None:
                    bar.update(1)
                yield (job.kind, job.id), entry
            now = time.monotonic()
            for fd, (job, pid, t0, _) in list(running.items()):
                if now - t0 > timeout:
                    os.kill(pid, signal.SIGKILL)
                    running[fd][3] = [json.dumps({"status": "failed", "error": f"timed out after {timeout:.0f} s"}).encode()]
    finally:
        for fd, (job, pid, _, _) in running.items():  # interrupted: take the children down too
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass
            os.close(fd)
        if bar is not None:
            bar.close()


def prepare_parent(to_run) -> None:
    """Everything the parent does once before forking reports.

    Imports every library a report needs, warms the HTML exporter, computes what all team
    reports share (:func:`_warm_shared_analyses`) and then freezes the garbage collector's
    view of the parent's objects (:func:`gc.freeze`), as the Python docs advise before
    ``fork()`` without ``exec()``: a child's collections then skip the inherited objects
    instead of walking them all, which would cost time and copy their memory pages.
    """
    from evalkit.batch.execute import preload
    from evalkit.report.html import _exporter

    preload()
    _warm_exporter(_exporter())
    _warm_shared_analyses(to_run)
    gc.freeze()


def _warm_shared_analyses(to_run) -> None:
    """Before forking: compute once what every team report computes from all units.

    Worth it from two team reports on (see :func:`evalkit.report.sections.warm_shared_analyses`).
    A failure here is ignored: the reports then compute it themselves, and a report whose
    inputs are bad says so in its own entry.
    """
    teams = [job for job in to_run if job.kind == "team" and not job.problems]
    if len(teams) < 2:
        return
    from evalkit.report.sections import warm_shared_analyses

    try:
        warm_shared_analyses(teams[0].parameters)
    except Exception:  # noqa: BLE001 - the children meet (and report) the same problem
        pass


def _warm_exporter(exporter) -> None:
    """Export a small notebook shaped like a report once, so the children inherit what the
    exporter builds on first use (templates, and HTML-entity tables when a page has ``&amp;``)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    table = nbformat.v4.new_output("display_data", data={"text/html": "<table><tr><td>a &amp; b</td></tr></table>",
                                                         "text/plain": "a & b"})
    code = nbformat.v4.new_code_cell("1", outputs=[table])
    nb.cells = [nbformat.v4.new_markdown_cell("# warm-up &amp; [link](#x)"), code]
    exporter.from_notebook_node(nb)


def progress_bar(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    class _Bar(tqdm):
        monitor_interval = 0  # no monitor thread: the parent forks while the bar is open

    return _Bar(total=total, file=sys.stderr, unit="report", desc="evalkit run", leave=True)


def _fork_report(job: ReportJob, out_dir: Path, engine: str, generated_at: str):
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # child: never returns
        code = 0
        try:
            gc.enable()  # off in a run's parent (see evalkit.batch.run.run_batch); a report makes garbage
            os.close(read_fd)
            close_inherited_locks()  # the run's lock stays the parent's alone
            _die_with_parent()
            _quiet_child_output()
            try:
                result = _render(job, out_dir, engine, generated_at)
            except BaseException as exc:  # report isolation: any failure becomes this report's error
                error = str(exc) if isinstance(exc, EvalkitError) else f"{type(exc).__name__}: {exc}"
                result = {"status": "failed", "error": error,
                          "trace": traceback.format_exc(limit=5)}
                code = 1
            payload = json.dumps(result, default=str).encode()
            view = memoryview(payload)
            while view:
                written = os.write(write_fd, view)
                view = view[written:]
            os.close(write_fd)
        finally:
            os._exit(code)
    os.close(write_fd)
    return read_fd, pid


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this child when the batch process dies (prctl PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() == 1:  # the parent already died before prctl took effect
        os._exit(1)


def _quiet_child_output() -> None:
    """Send a child's C-level stdout/stderr to /dev/null (notebook output is captured by the engine)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def _render(job: ReportJob, out_dir: Path, engine: str, generated_at: str) -> dict:
    """Run in the child: execute, export, write atomically; return a small JSON-able result."""
    t0 = time.perf_counter()
    _only_own_rows(job)
    rendered = execute_report(job, engine=engine, generated_at=generated_at,
                               output_label=str(out_dir / job.rel(".ipynb")))
    return write_report(job, out_dir, rendered, seconds=time.perf_counter() - t0)


def _only_own_rows(job: ReportJob) -> None:
    """In the report's child: keep only its units' rows of the tables the parent typed.

    The parent read and typed every table once (``evalkit.inputs.read.parsed_once``); the
    notebook's ``load_report_tables`` then finds them in memory instead of parsing files, and
    sees only this report's units (plus the tables its kind reads whole), so its cost does
    not grow with the number of other units in the data.
    """
    if job.units is None:
        return
    from evalkit.inputs.kinds import REPORT_KINDS
    from evalkit.inputs.read import narrow_parsed_tables

    narrow_parsed_tables(job.units, whole=REPORT_KINDS[job.kind].whole_tables)


def execute_report(job: ReportJob, *, engine: str, generated_at: str, output_label: str,
                    cell_timeout: float | None = None, path_map=()) -> dict:
    """Execute one report and export its HTML; write nothing.

    Returns ``status, error, cell, title, verdicts`` and the executed notebook
    (``ipynb``, text) and page (``page``, text). ``path_map`` pairs (``old``, ``new``) are
    replaced in the executed notebook before export (a Dask worker's private copies of
    the inputs become the paths the batch was given).
    """
    import nbformat

    from evalkit.batch.execute import execute_notebook
    from evalkit.report.html import export_html, read_summary

    executed = execute_notebook(job.notebook, job.parameters, engine=engine, output_label=output_label,
                                cell_timeout=cell_timeout)
    nb, error = executed.nb, executed.error
    text = nbformat.writes(nb)
    if path_map:
        message = str(error) if error is not None else None
        for old, new in path_map:
            text = text.replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1])
            if message is not None:
                message = message.replace(old, new)
        nb = nbformat.reads(text, as_version=4)
    else:
        message = str(error) if error is not None else None
    summary = read_summary(nb) or {}
    title = summary.get("title") or job.id
    index_href = "../index.html" if job.folder else "index.html"
    page = export_html(nb, title=title, index_href=index_href, generated_at=generated_at)
    return {
        "status": "failed" if error is not None else "ok",
        "error": message,
        "cell": error.cell if error is not None else None,
        "title": summary.get("title"),
        "verdicts": summary.get("verdicts") or [],
        "groups": summary.get("groups") or {},
        "ipynb": text,
        "page": page,
    }


def _child_entry(job: ReportJob, out_dir: Path, payload: bytes, status: int, wall: float) -> dict:
    try:
        result = json.loads(payload.decode("utf-8")) if payload else None
    except ValueError:
        result = None
    if not isinstance(result, dict):
        if os.WIFSIGNALED(status):
            why = f"the worker was killed by signal {os.WTERMSIG(status)} (out of memory or interrupted?)"
        else:
            why = f"the worker stopped without a result (exit code {os.WEXITSTATUS(status)})"
        result = {"status": "failed", "error": why}
    return manifest_entry(job, result.get("status", "failed"), out_dir=out_dir, error=result.get("error"),
                  seconds=result.get("seconds", wall), title=result.get("title"), verdicts=result.get("verdicts"),
                  groups=result.get("groups"), cell=result.get("cell"), html=result.get("html"), notebook=result.get("notebook"))
