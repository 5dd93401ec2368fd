"""The batch runner behind ``evalkit run``: plan, validate, execute in parallel, export, index.

:func:`run_batch` renders one report per participating team, one per country/state and
one collaborative summary (DESIGN.md §4):

1. **Plan** — participating teams are the ``teams.csv`` rows with role ``participant``
   that have a ``params/teams/<id>.yaml``; countries are ``params/countries/*.yaml``.
2. **Validate** — ``evalkit.inputs.validate.validate_inputs``. A problem that concerns every
   report (params, an unreadable or malformed shared table) stops the run before anything
   executes: exit code 2, the problems listed, outputs untouched. A problem scoped to one
   team or jurisdiction fails only that report (its message goes to the manifest and the
   index) and its rows are left out of the collaborative summary.
3. **Cache** — each report's ``inputs_sha256`` covers its notebook, its params files
   (``collaborative.yaml`` + its own file; all team files for the summary), the data
   tables its kind reads (see :data:`evalkit.inputs.kinds.REPORT_KINDS`), its non-path parameters, and evalkit's
   version and source code. An unchanged report that last rendered fine is ``cached``
   and not executed (``force=True`` overrides).
4. **Execute** — ``engine="fast"`` (default): the parent imports pandas, matplotlib,
   seaborn, statsmodels, nbconvert and evalkit once, then forks one fresh child per report
   (never reused, so no matplotlib/seaborn state can pass between reports); the child
   runs the notebook in-process (``evalkit.batch.execute``) and exports HTML with the parent's
   warmed-up exporter. Every table is read and typed once per run (by validation, see
   ``evalkit.inputs.read.parsed_once``); each child keeps only its report's units' rows of
   them (plus the tables its kind reads whole), so loading a team report's data costs the same
   however many other units there are. What every team report computes from all units (the
   comparison fit, the comparison units' charts, every team's start) is computed once in the
   parent (``evalkit.memo``, ``evalkit.report.sections.warm_shared_analyses``) and inherited.
   The parent runs without garbage collection and freezes its objects before forking
   (``gc.freeze``); figures are drawn once each (no tight-bounding-box pass).
   ``engine="papermill"``: the child runs papermill's standard engine (a fresh Jupyter
   kernel). At most ``jobs`` children run at once.
5. **Write** (``evalkit.batch.outputs``) — every file goes to a temporary name in its
   folder, then ``os.replace``: a run killed at any moment (even SIGKILL) leaves earlier
   reports, the index and the manifest intact; children die with their parent
   (``PR_SET_PDEATHSIG``); the manifest is rewritten after each finished report, so the
   next run re-renders only what is missing or changed. A report whose notebook raises is
   written as ``<id>.failed.html``/``.failed.ipynb`` (error cell marked, as papermill
   does) and the previous good ``<id>.html`` is kept and linked from the index.

6. **Or on a Dask cluster** — ``scheduler="tcp://host:8786"`` (``evalkit run --scheduler``,
   DESIGN.md §6): steps 1–3 and 5 stay on this machine; each report to run becomes one
   task on an *existing* Dask distributed cluster. Each worker renders it as the local
   engine does, in a fresh child forked from a warm, pre-imported process of its own
   (``evalkit.batch.zygote``), and sends back the executed notebook and HTML, written here
   atomically as above. What every report shares (params files, notebooks, the tables a
   kind reads whole) goes to each worker once; a task carries only its units' typed rows,
   so workers need no shared filesystem, only the same evalkit installed
   (``pip install 'evalkit[distributed]'``). Same manifest, cache, failure isolation and
   exit codes; a worker that dies fails only its report. See ``evalkit.batch.cluster``.

7. **One run at a time per output folder** — steps 3–5 hold an exclusive lock on
   ``<out>/.evalkit.lock`` (``evalkit.batch.lock``): a second run on the same folder waits up
   to ``wait_lock`` seconds, then stops with exit code 2 naming the holder's pid. The
   manifest is read afresh under the lock and only this run's reports are updated in it, so
   concurrent ``--only a`` and ``--only b`` both end up in the manifest and the index. A
   lock left by a killed run does not block (the kernel releases it with the process).

Exit codes: 0 all reports ok or cached; 1 any failed (others still written); 2 invalid
inputs, an unreachable scheduler, an output folder another run is writing or that cannot
be written (a full disk, a read-only folder): one line, no traceback.
"""
from __future__ import annotations

import datetime as _dt
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.batch.cache import fingerprint
from evalkit.batch.local import execute_all
from evalkit.batch.lock import output_lock
from evalkit.batch.outputs import (INDEX, load_manifest, manifest_entry, read_manifest, remove_stale_temp_files,
                                   write_error, write_index, write_manifest)
from evalkit.batch.plan import cpu_count, default_notebooks_dir, make_jobs, validate_and_plan
from evalkit.inputs.kinds import REPORT_KINDS

__all__ = ["run_batch", "BatchResult", "EXIT_OK", "EXIT_FAILED", "EXIT_INVALID"]

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


@dataclass(frozen=True)
class BatchResult:
    """What one ``evalkit run`` did.

    ``entries`` are the manifest entries of this run (one per planned report: ``kind, id,
    status, html, notebook, seconds, inputs_sha256, error`` plus ``title``, ``verdicts``,
    ``cell`` and ``previous_html``); ``problems`` are the validation problems that stopped
    the run (exit code 2) or failed single reports.
    """

    exit_code: int
    entries: tuple = ()
    problems: tuple = ()
    out_dir: Path | None = None
    seconds: float = 0.0
    messages: tuple = field(default_factory=tuple)

    def counts(self) -> dict:
        return {s: sum(1 for e in self.entries if e["status"] == s) for s in ("ok", "cached", "failed")}

    def summary_table(self) -> str:
        """A plain-text table of every report (status, seconds, error) and the totals."""
        if self.exit_code == EXIT_INVALID and not self.entries:
            lines = [str(p) for p in self.problems] + list(self.messages)
            n = len(self.problems)
            lines.append(f"{n} problem{'s' if n != 1 else ''} found; nothing was run.")
            return "\n".join(lines)
        width = max([len(f"{e['kind']} {e['id']}") for e in self.entries] + [10])
        lines = [f"{'report':<{width}}  {'status':<7} {'seconds':>7}  error"]
        for e in self.entries:
            secs = "" if e["status"] == "cached" else f"{e['seconds']:.1f}"
            error = (e.get("error") or "").replace("\n", " ")
            lines.append(f"{(e['kind'] + ' ' + e['id']):<{width}}  {e['status']:<7} {secs:>7}  {error}".rstrip())
        c = self.counts()
        where = f" Index: {self.out_dir / INDEX}" if self.out_dir is not None else ""
        lines.append(f"{c['ok']} ok, {c['cached']} cached, {c['failed']} failed in {self.seconds:.1f} s.{where}")
        return "\n".join(lines)



# --------------------------------------------------------------------------- public API


def run_batch(params_dir, data_dir, out_dir, *, jobs: int | None = None, only=None, force: bool = False,
              engine: str = "fast", progress: bool = True, notebooks_dir=None, timeout: float = 1800.0,
              scheduler: str | None = None, wait_lock: float = 0.0) -> BatchResult:
    """Render every team, country and collaborative report; see the module docstring.

    Parameters
    ----------
    params_dir, data_dir : path-like
        The params folder (collaborative.yaml, teams/, countries/) and the data folder.
    out_dir : path-like
        Where reports go (created if missing).
    jobs : int, optional
        Reports rendered at once (default: the CPUs available to this process). Ignored
        with ``scheduler`` (the cluster's workers decide).
    only : list of str, optional
        Render only these team/country ids (``"collaborative"`` for the summary); the
        other reports keep their previous files and manifest entries. The index is rebuilt.
    force : bool
        Re-render reports whose inputs have not changed.
    engine : {"fast", "papermill"}
        ``fast``: forked pre-imported workers running notebooks in-process (default);
        ``papermill``: a fresh Jupyter kernel per report (the standard path). With
        ``scheduler`` reports always run with the fast engine on the workers.
    progress : bool
        Show a progress bar on stderr.
    notebooks_dir : path-like, optional
        Folder holding the three notebooks (default: the repository's ``notebooks/``).
    timeout : float
        Seconds one report may take before its process is killed and the report failed
        (on a worker too, with ``scheduler``).
    scheduler : str, optional
        Address of an existing Dask distributed scheduler (e.g. ``"tcp://10.0.0.5:8786"``):
        run the reports there instead of locally (see ``evalkit.batch.cluster``). Connected only
        when some report needs rendering.
    wait_lock : float
        Seconds to wait while another run writes to ``out_dir`` (default 0: stop at once).

    Notes
    -----
    A cluster run and a local run share the cache: inputs_sha256 does not depend on
    where or with which engine a report ran.

    Examples
    --------
    >>> result = run_batch("params", "data/demo", "outputs", only=["moldova"])  # doctest: +SKIP
    >>> result.exit_code  # doctest: +SKIP
    0

    Returns
    -------
    BatchResult
        ``exit_code`` 0 (all ok/cached), 1 (some failed) or 2 (invalid inputs; nothing run).

    Raises
    ------
    evalkit.errors.InputError
        Unknown ``engine``, ``jobs`` below 1, ``timeout`` not above 0, ``wait_lock`` below 0,
        or an ``only`` id that is not a report.
    evalkit.errors.ReportError
        A notebook is missing, the output folder cannot be written (read-only, full), another
        run is writing to it, or the Dask scheduler cannot be reached (nothing is run, or for
        a folder that fills up mid-run, what was written stays intact).
    """
    import gc

    from evalkit.inputs.read import parsed_once
    from evalkit.memo import run_memo

    # A local run's parent makes little garbage but holds a large heap (imports, typed tables),
    # so its garbage collections are pure cost: off for the run, as the Python docs advise for a
    # parent that forks (each report's child turns them back on). A cluster client keeps them.
    collecting = gc.isenabled()
    if not scheduler:
        gc.disable()
    try:
        # every table is read and typed once per run, and what every report computes from all
        # units is computed once (evalkit.memo); the forked reports inherit both
        with parsed_once(), run_memo():
            return _run_batch(params_dir, data_dir, out_dir, jobs=jobs, only=only, force=force, engine=engine,
                              progress=progress, notebooks_dir=notebooks_dir, timeout=timeout, scheduler=scheduler,
                              wait_lock=wait_lock)
    finally:
        if collecting:
            gc.enable()


def _run_batch(params_dir, data_dir, out_dir, *, jobs, only, force, engine, progress, notebooks_dir, timeout,
               scheduler, wait_lock) -> BatchResult:
    from evalkit.errors import InputError, ReportError

    started = time.perf_counter()
    if engine not in ("fast", "papermill"):
        raise InputError(f"engine {engine!r} is unknown; use 'fast' or 'papermill'")
    if jobs is not None and jobs < 1:
        raise InputError(f"--jobs {jobs} is not allowed; give 1 or more")
    if not timeout > 0:  # also refuses NaN
        raise InputError(f"--timeout {timeout} is not allowed; give the seconds one report may take, above 0")
    if not wait_lock >= 0:
        raise InputError(f"--wait-lock {wait_lock} is not allowed; give 0 or more seconds")
    if scheduler is not None and not str(scheduler).strip():
        raise InputError("--scheduler needs an address such as tcp://host:8786")
    params_dir, data_dir, out_dir = Path(params_dir).resolve(), Path(data_dir).resolve(), Path(out_dir).resolve()
    notebooks_dir = Path(notebooks_dir).resolve() if notebooks_dir else default_notebooks_dir()
    for kind in REPORT_KINDS.values():
        if not (notebooks_dir / kind.notebook).is_file():
            raise ReportError(f"{notebooks_dir / kind.notebook}: notebook not found; run from the evalkit repository "
                              "or give notebooks_dir")
    jobs = jobs or cpu_count()

    previous = read_manifest(out_dir)  # not locked: only to reuse a validated plan
    inputs_fingerprint = fingerprint(params_dir, data_dir)
    plan = None
    if previous.get("inputs_fingerprint") == inputs_fingerprint and "reports" in previous.get("plan", {}):
        plan = previous["plan"]  # same inputs as the last validated run: skip re-validation
    if plan is None:
        problems, plan = validate_and_plan(params_dir, data_dir)
        if problems is not None:
            return BatchResult(EXIT_INVALID, (), tuple(problems), out_dir, time.perf_counter() - started)

    batch_jobs = make_jobs(plan, params_dir, data_dir, notebooks_dir)
    if only:
        wanted = set(only)
        known = {j.id for j in batch_jobs}
        unknown = sorted(wanted - known)
        if unknown:
            raise InputError(f"--only {', '.join(unknown)}: not a report id; known ids: {', '.join(sorted(known))}")
        batch_jobs = [j for j in batch_jobs if j.id in wanted]

    generated_at = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    state = {"plan": plan, "fingerprint": inputs_fingerprint, "generated_at": generated_at, "engine": engine}
    entries, to_run = _entries_and_work(batch_jobs, previous, out_dir, only=only, force=force)
    client = None
    messages = []
    if scheduler:
        state.update(engine="fast", scheduler=str(scheduler).strip())
        if to_run:
            from evalkit.batch.cluster import connect  # needs the optional 'distributed' package

            client = connect(state["scheduler"])  # before anything is written: unreachable = nothing run
    finished = None
    try:
        for sub in ("", "teams", "countries"):
            try:
                (out_dir / sub).mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise write_error(out_dir / sub, exc, doing="create the folder") from exc
        with output_lock(out_dir, wait=wait_lock):
            # Under the lock, from the manifest as it is now (another run may have finished
            # since it was first read): merge into it rather than overwrite it.
            current, warning = load_manifest(out_dir)
            if warning:
                messages.append(warning)
                print(f"evalkit: warning: {warning}", file=sys.stderr, flush=True)
            entries, to_run = _entries_and_work(batch_jobs, current, out_dir, only=only, force=force)
            if to_run and scheduler and client is None:
                from evalkit.batch.cluster import connect

                client = connect(state["scheduler"])
            remove_stale_temp_files(out_dir)
            write_manifest(out_dir, entries, state)
            try:
                if to_run:
                    _type_tables_once(data_dir)
                    if client is not None:
                        from evalkit.batch.cluster import execute_on_cluster

                        finished = execute_on_cluster(client, to_run, out_dir, params_dir=params_dir,
                                                      data_dir=data_dir, generated_at=generated_at, timeout=timeout,
                                                      progress=progress)
                    else:
                        finished = execute_all(to_run, out_dir, engine=engine, jobs=jobs, progress=progress,
                                               generated_at=generated_at, timeout=timeout)
                    for key, entry in finished:
                        entries[key] = entry
                        write_manifest(out_dir, entries, state)
            finally:
                if finished is not None:  # before the lock goes: no worker writes after it
                    finished.close()  # an interrupted run stops its workers (local) or cancels its tasks (cluster)
            ordered = [entries[(j.kind, j.id)] for j in batch_jobs]
            all_entries = list(entries.values()) if only else ordered
            write_index(out_dir, all_entries, plan, generated_at)
            write_manifest(out_dir, {(e["kind"], e["id"]): e for e in all_entries}, state)
    finally:
        if client is not None:
            client.close()

    failed = any(e["status"] == "failed" for e in ordered)
    scoped = tuple(p for j in batch_jobs for p in j.problems)
    return BatchResult(EXIT_FAILED if failed else EXIT_OK, tuple(ordered), scoped, out_dir,
                       time.perf_counter() - started, tuple(messages))


def _type_tables_once(data_dir: Path) -> None:
    """Read and type every table now (already done if this run validated), and index units' rows."""
    from evalkit.inputs.read import index_parsed_tables, read_tables
    from evalkit.inputs.schema import TABLES

    read_tables(data_dir, list(TABLES))
    index_parsed_tables()


def _entries_and_work(batch_jobs, previous: dict, out_dir: Path, *, only, force: bool):
    """Manifest entries to start from (keyed by kind and id) and the jobs that must run.

    An unchanged report that last rendered fine is ``cached``; with ``only``, the other
    reports keep their entries from ``previous``.
    """
    old_entries = {(e["kind"], e["id"]): e for e in previous.get("reports", [])}
    entries: dict = {}
    if only:
        entries.update(old_entries)
    to_run = []
    for job in batch_jobs:
        key = (job.kind, job.id)
        old = old_entries.get(key)
        if job.problems:
            entries[key] = manifest_entry(job, "failed", error="; ".join(job.problems), out_dir=out_dir)
        elif (not force and old and old.get("status") in ("ok", "cached")
              and old.get("inputs_sha256") == job.inputs_sha256
              and (out_dir / old["html"]).is_file() and (out_dir / old["notebook"]).is_file()):
            entries[key] = {**old, "status": "cached", "seconds": 0.0}
        else:
            to_run.append(job)
            if old:
                entries[key] = old  # keep the last record until this report finishes
    return entries, to_run
