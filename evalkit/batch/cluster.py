"""Render a batch's reports on an existing Dask distributed cluster (``evalkit run --scheduler``).

DESIGN.md §6: for state- or nation-wide runs the same plan is submitted to an existing
Dask cluster instead of the local process pool. Everything except executing a notebook
stays on the machine that runs ``evalkit run`` (the *client*): validation, the plan, the
cache, writing the reports, the manifest and the index. So a cluster run gives the same
output layout, manifest fields, cache hits, failure isolation and exit codes as a local
run, and a report cached by a local run is cached for a cluster run and the other way
round (the cache key does not depend on where a report ran).

What one task does
------------------
Each report is one Dask task. What every report of the run shares is sent once to each
worker (:func:`shared_inputs`: the notebooks, every params YAML file, and the tables a
report kind reads whole, typed, e.g. a team report's ``measures`` and ``teams``); the task
itself carries only its units' typed rows of the other tables (:func:`task_slices`), so its
size does not grow with the number of units in the data. **Workers need no shared
filesystem.** On the worker the task hands the report to the worker's warm process
(:mod:`evalkit.batch.zygote`): a single-threaded helper that imported everything once,
keeps the run's shared inputs and what every team report computes from all units, and
forks a fresh child per report, which executes the notebook with the fast engine, exports
the HTML and returns the executed notebook and page as text, or the failure (cell and
message) with the executed notebook marked as papermill marks it. The worker's private
paths are replaced by the client's paths in the returned notebook and messages, so the
executed notebook and HTML are the same as a local run's (apart from the generated-at line
and timings).

Workers must have the same evalkit (code and version) and its dependencies installed
(``pip install evalkit[distributed]``); a worker whose evalkit differs fails each report
it picks up with a message saying so, instead of rendering with other code than the cache
key records. Tasks are submitted as the cluster has threads free for them (one task per
worker thread, re-counted as reports finish, so workers that join are used), and a
worker that dies was running only its own reports.

Failures
--------
A notebook that raises fails only its report (``<id>.failed.html``/``.ipynb``, cell and
message in the manifest), exactly as locally; so does a report whose own process dies on
the worker (the warm process is started again for the next report). A worker that dies
while running a report is retried by Dask (``distributed.scheduler.allowed-failures``
times, default 3; a report that kills every worker it runs on, e.g. by running out of
memory, so costs that many worker restarts); when Dask gives up, that report is failed
with a message saying the worker died, and the other reports go on. (With several threads
per worker, the reports running beside it on the dying worker count a failure too; they
are retried.) A report still running after ``timeout`` seconds is stopped on its worker
and failed, as locally.
"""
from __future__ import annotations

import hashlib
import time
import uuid
from pathlib import Path

from evalkit.batch.cache import source_sha256
from evalkit.batch.cache import version as evalkit_version
from evalkit.batch.local import progress_bar
from evalkit.batch.outputs import manifest_entry, write_report
from evalkit.inputs.kinds import REPORT_KINDS


def connect(address: str, *, timeout: float = 10.0):
    """Connect to an existing Dask scheduler.

    Parameters
    ----------
    address : str
        The scheduler's address, e.g. ``tcp://10.0.0.5:8786``.
    timeout : float
        Seconds to wait for the connection.

    Returns
    -------
    distributed.Client
        A client that is not made Dask's default (close it when done).

    Raises
    ------
    evalkit.errors.ReportError
        ``distributed`` is not installed, or the scheduler cannot be reached.
    """
    from evalkit.errors import ReportError

    try:
        from distributed import Client
    except ImportError as exc:
        raise ReportError("--scheduler needs the 'distributed' package; install it with "
                          "pip install 'evalkit[distributed]'") from exc
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ReportError(f"cannot reach the Dask scheduler at {address} ({reason}); check the address and "
                          "that the scheduler is running") from exc


def execute_on_cluster(client, to_run, out_dir: Path, *, params_dir: Path, data_dir: Path, generated_at: str,
                       timeout: float, progress: bool):
    """Run each report of ``to_run`` as one task; write results as they arrive.

    Yields ``((kind, id), manifest entry)`` in the order reports finish, like the local
    engine (:func:`evalkit.batch.local.execute_all`). Call it inside
    :func:`evalkit.inputs.read.parsed_once` with the tables typed and indexed (as
    :func:`evalkit.batch.run.run_batch` does): tasks carry slices of them.
    """
    from distributed import as_completed

    source = source_sha256()
    version = evalkit_version()
    shared = shared_inputs(to_run, params_dir, data_dir)
    run = _digest(shared)
    # A task of its own, not scattered data: each worker fetches it once, and if the worker
    # holding it dies the scheduler computes it again (scattered data would be lost with it)
    shared_future = client.submit(_shared, shared, key=f"evalkit-shared-{run}-{uuid.uuid4().hex}", pure=False)
    pending = list(to_run)
    bar = progress_bar(len(to_run), progress)
    futures: dict = {}

    def submit_next():
        job = pending.pop(0)
        key = f"evalkit-report-{job.kind}-{job.id}-{uuid.uuid4().hex}"
        future = client.submit(_run_remote, job, run, shared_future, task_slices(job, data_dir), generated_at,
                               str(out_dir / job.rel(".ipynb")), timeout, source, version, key=key, pure=False,
                               retries=0)
        futures[future] = (job, time.monotonic())
        return future

    def free_threads():
        return max(1, sum(client.nthreads().values())) - len(futures)

    try:
        queue = as_completed([submit_next() for _ in range(min(free_threads(), len(pending)))], loop=client.loop)
        for future in queue:
            job, t0 = futures.pop(future)
            entry = _entry_from_future(job, future, out_dir, time.monotonic() - t0, client)
            future.release()
            for _ in range(min(max(1, free_threads()), len(pending))):
                queue.add(submit_next())
            if bar is not None:
                bar.update(1)
            yield (job.kind, job.id), entry
    finally:
        if futures:  # interrupted: leave nothing running on the cluster
            client.cancel(list(futures))
        shared_future.release()
        if bar is not None:
            bar.close()


def shared_inputs(to_run, params_dir: Path, data_dir: Path) -> dict:
    """What every task of a run shares, sent once to each worker.

    ``params`` and ``notebooks`` ({relative path: bytes}), ``tables`` (the tables some
    report kind reads whole, typed: a team report's ``measures`` and ``teams``) and
    ``warm`` (one team report's parameters, for the worker to compute what all team reports
    share; None without two team reports).
    """
    from evalkit.inputs.read import parsed_slices

    params = {}
    for pattern in ("**/*.yaml", "**/*.yml"):
        for path in sorted(params_dir.glob(pattern)):
            if path.is_file():
                params[path.relative_to(params_dir).as_posix()] = path.read_bytes()
    notebooks = {job.notebook.name: job.notebook.read_bytes() for job in to_run}
    whole = sorted({name for job in to_run for name in REPORT_KINDS[job.kind].whole_tables})
    teams = [job for job in to_run if job.kind == "team" and not job.problems]
    return {"params": params, "notebooks": notebooks, "tables": parsed_slices(data_dir, whole),
            "warm": teams[0].parameters if len(teams) > 1 else None}


def _shared(shared: dict) -> dict:
    """The run's shared inputs, as a task result every report task depends on."""
    return shared


def task_slices(job, data_dir: Path) -> dict:
    """The rows one report reads beyond the shared tables: its units' rows of every other table."""
    from evalkit.inputs.read import parsed_slices

    kind = REPORT_KINDS[job.kind]
    names = [name for name in kind.tables if name not in kind.whole_tables]
    return parsed_slices(data_dir, names, job.units)


def _digest(shared: dict) -> str:
    from evalkit.memo import frame_digest

    h = hashlib.sha256()
    for group in ("params", "notebooks"):
        for rel, payload in sorted(shared[group].items()):
            h.update(f"{group}/{rel}:{len(payload)}:".encode())
            h.update(payload)
    for name, piece in sorted(shared["tables"].items()):
        h.update(f"table/{name}/{piece.file}:".encode())
        h.update(frame_digest(piece.frame).encode() if piece.frame is not None else b"-")
        h.update(repr(piece.problems).encode())
    h.update(repr(shared["warm"]).encode())
    return h.hexdigest()


def _entry_from_future(job, future, out_dir: Path, wall: float, client) -> dict:
    try:
        rendered = future.result()
    except Exception as exc:  # report isolation: anything that went wrong remotely fails this report only
        return manifest_entry(job, "failed", out_dir=out_dir, error=_remote_failure(exc, client), seconds=wall)
    if rendered.get("ipynb") is None:  # refused on the worker (different evalkit)
        return manifest_entry(job, "failed", out_dir=out_dir, error=rendered["error"], seconds=wall)
    written = write_report(job, out_dir, rendered, seconds=rendered["seconds"])
    return manifest_entry(job, written["status"], out_dir=out_dir, error=written["error"], seconds=written["seconds"],
                         title=written["title"], verdicts=written["verdicts"], cell=written["cell"], groups=written.get("groups"),
                         html=written["html"], notebook=written["notebook"])


def _remote_failure(exc: BaseException, client) -> str:
    """One line for a task that did not return a report."""
    name = type(exc).__name__
    if name == "KilledWorker":
        return ("the Dask worker running this report died (killed, out of memory or crashed) and Dask gave up "
                "retrying it; see the worker's log")
    if name in ("CancelledError", "FutureCancelledError"):
        return f"the report was cancelled on the Dask cluster (connection to the scheduler at {client.scheduler.address} lost?)"
    reason = " ".join(str(exc).split())
    return f"on the Dask worker: {name}: {reason}" if reason else f"on the Dask worker: {name}"


def _run_remote(job, run: str, shared: dict, slices: dict, generated_at: str, output_label: str,
                timeout: float, source: str, version: str) -> dict:
    """The task run on a worker: render the report in the worker's warm process.

    Returns what :func:`evalkit.batch.outputs.write_report` needs (``ipynb`` and ``page`` as
    text, ``status, error, cell, title, verdicts, seconds``), or ``ipynb=None`` with an error
    if this worker's evalkit differs from the client's or the report's process died.
    """
    import socket

    from evalkit.batch.zygote import render_remote

    t0 = time.perf_counter()
    if source_sha256() != source or evalkit_version() != version:
        return {"status": "failed", "ipynb": None,
                "error": (f"the Dask worker on {socket.gethostname()} runs different evalkit code (evalkit "
                          f"{evalkit_version()} there, {version} here, or edited source files); install the same "
                          "evalkit on every worker")}
    rendered = render_remote({"run": run, "shared": shared, "job": job, "slices": slices, "generated_at": generated_at,
                              "output_label": output_label}, timeout)
    rendered["seconds"] = time.perf_counter() - t0
    return rendered
