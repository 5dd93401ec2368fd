"""The batch runner behind ``evalkit run``: plan, validate, execute in parallel, export, index.

:func:`run_batch` renders one report per participating team, one per country/state and
one collaborative summary (DESIGN.md §4):

1. **Plan** — participating teams are the ``teams.csv`` rows with role ``participant``
   that have a ``params/teams/<id>.yaml``; countries are ``params/countries/*.yaml``.
2. **Validate** — ``evalkit.validation.validate_inputs``. A problem that concerns every
   report (params, an unreadable or malformed shared table) stops the run before anything
   executes: exit code 2, the problems listed, outputs untouched. A problem scoped to one
   team or jurisdiction fails only that report (its message goes to the manifest and the
   index) and its rows are left out of the collaborative summary.
3. **Cache** — each report's ``inputs_sha256`` covers its notebook, its params files
   (``collaborative.yaml`` + its own file; all team files for the summary), the data
   tables its kind reads (see ``TABLES_READ``), its non-path parameters, and evalkit's
   version and source code. An unchanged report that last rendered fine is ``cached``
   and not executed (``force=True`` overrides).
4. **Execute** — ``engine="fast"`` (default): the parent imports pandas, matplotlib,
   seaborn, statsmodels, nbconvert and evalkit once, then forks one fresh child per report
   (never reused, so no matplotlib/seaborn state can pass between reports); the child
   runs the notebook in-process (``evalkit.execute``) and exports HTML with the parent's
   warmed-up exporter. ``engine="papermill"``: the child runs papermill's standard engine
   (a fresh Jupyter kernel). At most ``jobs`` children run at once.
5. **Write** (``evalkit._runner_outputs``) — every file goes to a temporary name in its
   folder, then ``os.replace``: a run killed at any moment (even SIGKILL) leaves earlier
   reports, the index and the manifest intact; children die with their parent
   (``PR_SET_PDEATHSIG``); the manifest is rewritten after each finished report, so the
   next run re-renders only what is missing or changed. A report whose notebook raises is
   written as ``<id>.failed.html``/``.failed.ipynb`` (error cell marked, as papermill
   does) and the previous good ``<id>.html`` is kept and linked from the index.

6. **Or on a Dask cluster** — ``scheduler="tcp://host:8786"`` (``evalkit run --scheduler``,
   DESIGN.md §6): steps 1–3 and 5 stay on this machine; each report to run becomes one
   task on an *existing* Dask distributed cluster, which executes it with papermill's
   standard engine (a fresh kernel per report) and sends back the executed notebook and
   HTML, written here atomically as above. Tasks carry the notebook, the params files and
   the data tables the report reads, so workers need no shared filesystem, only the same
   evalkit installed (``pip install 'evalkit[distributed]'``). Same manifest, cache,
   failure isolation and exit codes; a worker that dies fails only its report. See
   ``evalkit.cluster``.

Exit codes: 0 all reports ok or cached; 1 any failed (others still written); 2 invalid
inputs or an unreachable scheduler (nothing run).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import select
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2

# Writing files (atomic writes, manifest, index, report files) lives in _runner_outputs;
# MANIFEST, INDEX, _entry and _write_report stay importable from here (evalkit.cluster uses them).
from evalkit._runner_outputs import (INDEX, MANIFEST, _entry, _read_manifest,  # noqa: F401
                                     _remove_stale_temp_files, _write_index, _write_manifest, _write_report)

#: Notebook (in ``notebooks/``) for each report kind.
NOTEBOOKS = {
    "team": "01-team-evaluation.ipynb",
    "country": "02-country-evaluation.ipynb",
    "collaborative": "03-collaborative-summary.ipynb",
}

#: The data tables each kind of report reads: its cache key covers their files, and
#: evalkit.sections.load_report_tables reads exactly these.
TABLES_READ = {
    "team": ("teams", "measures", "roster", "positions", "requisitions", "survey", "pdsa", "events", "assessments"),
    "country": ("teams", "roster", "goals", "deliverables", "membership", "outputs", "sessions", "excerpts",
                "training", "partners"),
    "collaborative": ("teams", "measures", "roster", "positions", "requisitions", "survey", "pdsa", "events",
                      "assessments"),
}

_DATA_SUFFIXES = (".csv", ".xlsx", ".parquet")
_COLLABORATIVE_ID = "collaborative"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ReportJob:
    """One report to render: what, from which notebook, with which parameters."""

    kind: str
    id: str
    notebook: Path
    parameters: dict
    inputs_sha256: str
    problems: tuple = ()

    @property
    def folder(self) -> str:
        return {"team": "teams", "country": "countries"}.get(self.kind, "")

    def rel(self, suffix: str) -> str:
        name = f"{self.id}{suffix}"
        return f"{self.folder}/{name}" if self.folder else name


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
              scheduler: str | None = None) -> BatchResult:
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
        ``scheduler`` reports always run with ``papermill`` on the workers.
    progress : bool
        Show a progress bar on stderr.
    notebooks_dir : path-like, optional
        Folder holding the three notebooks (default: the repository's ``notebooks/``).
    timeout : float
        Seconds one report may take before its worker is killed and the report failed
        (with ``scheduler``: seconds one notebook cell may take on the worker).
    scheduler : str, optional
        Address of an existing Dask distributed scheduler (e.g. ``"tcp://10.0.0.5:8786"``):
        run the reports there instead of locally (see ``evalkit.cluster``). Connected only
        when some report needs rendering.

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
        Unknown ``engine``, ``jobs`` below 1, or an ``only`` id that is not a report.
    evalkit.errors.ReportError
        A notebook is missing, the output folder cannot be written, or the Dask scheduler
        cannot be reached (nothing is run).
    """
    from evalkit.errors import InputError, ReportError

    started = time.perf_counter()
    if engine not in ("fast", "papermill"):
        raise InputError(f"engine {engine!r} is unknown; use 'fast' or 'papermill'")
    if jobs is not None and jobs < 1:
        raise InputError(f"--jobs {jobs} is not allowed; give 1 or more")
    if scheduler is not None and not str(scheduler).strip():
        raise InputError("--scheduler needs an address such as tcp://host:8786")
    params_dir, data_dir, out_dir = Path(params_dir).resolve(), Path(data_dir).resolve(), Path(out_dir).resolve()
    notebooks_dir = Path(notebooks_dir).resolve() if notebooks_dir else _default_notebooks_dir()
    for name in NOTEBOOKS.values():
        if not (notebooks_dir / name).is_file():
            raise ReportError(f"{notebooks_dir / name}: notebook not found; run from the evalkit repository "
                              "or give notebooks_dir")
    jobs = jobs or _cpu_count()

    previous = _read_manifest(out_dir)
    fingerprint = _fingerprint(params_dir, data_dir)
    plan = None
    if previous.get("inputs_fingerprint") == fingerprint and "plan" in previous:
        plan = previous["plan"]  # same inputs as the last validated run: skip re-validation
    if plan is None:
        problems, plan = _validate_and_plan(params_dir, data_dir)
        if problems is not None:
            return BatchResult(EXIT_INVALID, (), tuple(problems), out_dir, time.perf_counter() - started)

    batch_jobs = _make_jobs(plan, params_dir, data_dir, notebooks_dir)
    if only:
        wanted = set(only)
        known = {j.id for j in batch_jobs}
        unknown = sorted(wanted - known)
        if unknown:
            raise InputError(f"--only {', '.join(unknown)}: not a report id; known ids: {', '.join(sorted(known))}")
        batch_jobs = [j for j in batch_jobs if j.id in wanted]

    generated_at = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    old_entries = {(e["kind"], e["id"]): e for e in previous.get("reports", [])}
    entries: dict = {}
    if only:
        entries.update(old_entries)
    to_run = []
    for job in batch_jobs:
        key = (job.kind, job.id)
        old = old_entries.get(key)
        if job.problems:
            entries[key] = _entry(job, "failed", error="; ".join(job.problems), out_dir=out_dir)
        elif (not force and old and old.get("status") in ("ok", "cached")
              and old.get("inputs_sha256") == job.inputs_sha256
              and (out_dir / old["html"]).is_file() and (out_dir / old["notebook"]).is_file()):
            entries[key] = {**old, "status": "cached", "seconds": 0.0}
        else:
            to_run.append(job)
            if old:
                entries[key] = old  # keep the last record until this report finishes
    state = {"plan": plan, "fingerprint": fingerprint, "generated_at": generated_at, "engine": engine}
    client = None
    if scheduler:
        state.update(engine="papermill", scheduler=str(scheduler).strip())
        if to_run:
            from evalkit.cluster import connect

            client = connect(state["scheduler"])  # before anything is written: unreachable = nothing run
    finished = None
    try:
        try:
            for sub in ("", "teams", "countries"):
                (out_dir / sub).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ReportError(f"{out_dir}: cannot create the output folder ({exc})") from exc
        _remove_stale_temp_files(out_dir)
        _write_manifest(out_dir, entries, state)
        if to_run:
            if client is not None:
                from evalkit.cluster import execute_on_cluster

                finished = execute_on_cluster(client, to_run, out_dir, params_dir=params_dir, data_dir=data_dir,
                                              generated_at=generated_at, timeout=timeout, progress=progress)
            else:
                finished = _execute_all(to_run, out_dir, engine=engine, jobs=jobs, progress=progress,
                                        generated_at=generated_at, timeout=timeout)
            for key, entry in finished:
                entries[key] = entry
                _write_manifest(out_dir, entries, state)
    finally:
        if finished is not None:
            finished.close()  # an interrupted run stops its workers (local) or cancels its tasks (cluster)
        if client is not None:
            client.close()

    ordered = [entries[(j.kind, j.id)] for j in batch_jobs]
    all_entries = list(entries.values()) if only else ordered
    _write_index(out_dir, all_entries, plan, generated_at)
    _write_manifest(out_dir, {(e["kind"], e["id"]): e for e in all_entries}, state)
    failed = any(e["status"] == "failed" for e in ordered)
    scoped = tuple(p for j in batch_jobs for p in j.problems)
    return BatchResult(EXIT_FAILED if failed else EXIT_OK, tuple(ordered), scoped, out_dir,
                       time.perf_counter() - started)


# --------------------------------------------------------------------------- plan + validation


def _default_notebooks_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "notebooks"


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _validate_and_plan(params_dir: Path, data_dir: Path):
    """Validate everything; return (global problems or None, plan)."""
    from evalkit.io import _read_raw, find_table_file, parse_table
    from evalkit.params import list_countries, list_teams
    from evalkit.validation import problems_by_unit, validate_inputs

    problems = validate_inputs(data_dir=data_dir, params_dir=params_dir)
    groups = problems_by_unit(problems)
    if groups.get(None):
        return groups[None], None
    teams_file = find_table_file(data_dir, "teams")[0]
    teams, _ = parse_table(_read_raw(teams_file, str(teams_file)), "teams", str(teams_file))
    role = teams["role"].astype("string").fillna("")
    participants = set(teams.loc[(role == "participant").to_numpy(dtype=bool), "team_id"].dropna().astype(str))
    team_files = list_teams(params_dir)
    countries = list_countries(params_dir)
    team_ids = [t for t in team_files if t in participants]
    title = _collaborative_title(params_dir)
    country_of = {str(t): str(c) for t, c in zip(teams["team_id"], teams["country"]) if t == t and c == c}
    scoped = {}
    for unit, found in groups.items():
        scoped[unit] = [str(p) for p in found]
    plan = {
        "teams": team_ids,
        "countries": countries,
        "team_names": {str(t): str(n) for t, n in zip(teams["team_id"], teams["team_name"]) if n == n},
        "country_of": country_of,
        "problems": scoped,
        "title": title["title"],
        "synthetic": title["synthetic"],
    }
    return None, plan


def _collaborative_title(params_dir: Path) -> dict:
    from evalkit.params import load_collaborative

    collab = load_collaborative(params_dir)
    return {"title": str(getattr(collab, "title", "evalkit reports")), "synthetic": bool(getattr(collab, "synthetic", False))}


def _make_jobs(plan: dict, params_dir: Path, data_dir: Path, notebooks_dir: Path) -> list[ReportJob]:
    """Jobs in index order: the collaborative summary, teams, countries."""
    source = _source_sha256()
    file_hash = _FileHasher()
    problems = plan.get("problems", {})
    failing = sorted(u for u in problems if u)
    jobs = []
    collab_yaml = params_dir / "collaborative.yaml"

    def digest(kind, uid, params_files, exclude):
        h = hashlib.sha256()
        h.update(f"evalkit {_version()} {source}\n".encode())
        h.update(f"{kind} {uid} exclude={','.join(exclude)}\n".encode())
        h.update(file_hash(notebooks_dir / NOTEBOOKS[kind]).encode())
        for path in params_files:
            h.update(f"{path.name} {file_hash(path)}\n".encode())
        for table in TABLES_READ[kind]:
            for suffix in _DATA_SUFFIXES:
                path = data_dir / f"{table}{suffix}"
                if path.is_file():
                    h.update(f"{path.name} {file_hash(path)}\n".encode())
        return h.hexdigest()

    def parameters(kind, uid, exclude):
        base = {"data_dir": str(data_dir), "params_dir": str(params_dir), "exclude_units": list(exclude)}
        if kind == "team":
            return {"team_id": uid, **base}
        if kind == "country":
            return {"country_id": uid, **base}
        return base

    def own_problems(units):
        return tuple(msg for u in units for msg in problems.get(u, []))

    team_files = sorted((params_dir / "teams").glob("*.yaml"))
    exclude = [u for u in failing]
    jobs.append(ReportJob("collaborative", _COLLABORATIVE_ID, notebooks_dir / NOTEBOOKS["collaborative"],
                          parameters("collaborative", None, exclude),
                          digest("collaborative", _COLLABORATIVE_ID, [collab_yaml, *team_files], exclude)))
    for tid in plan["teams"]:
        others = [u for u in failing if u != tid]
        jobs.append(ReportJob("team", tid, notebooks_dir / NOTEBOOKS["team"], parameters("team", tid, others),
                              digest("team", tid, [collab_yaml, params_dir / "teams" / f"{tid}.yaml"], others),
                              own_problems([tid])))
    for cid in plan["countries"]:
        units = [cid] + sorted(t for t, c in plan.get("country_of", {}).items() if c == cid)
        others = [u for u in failing if u not in units]
        jobs.append(ReportJob("country", cid, notebooks_dir / NOTEBOOKS["country"], parameters("country", cid, others),
                              digest("country", cid, [collab_yaml, params_dir / "countries" / f"{cid}.yaml"], others),
                              own_problems(units)))
    return jobs


class _FileHasher:
    """sha256 of file contents, each file read once per run."""

    def __init__(self):
        self._seen: dict = {}

    def __call__(self, path: Path) -> str:
        key = str(path)
        if key not in self._seen:
            h = hashlib.sha256()
            try:
                with open(path, "rb") as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        h.update(block)
                self._seen[key] = h.hexdigest()
            except OSError:
                self._seen[key] = "missing"
        return self._seen[key]


def _version() -> str:
    from evalkit import __version__

    return __version__


_SOURCE_SHA = None


def _source_sha256() -> str:
    """sha256 over every .py file of the evalkit package (paths and contents)."""
    global _SOURCE_SHA
    if _SOURCE_SHA is None:
        root = Path(__file__).resolve().parent
        h = hashlib.sha256()
        for path in sorted(root.rglob("*.py")):
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
        _SOURCE_SHA = h.hexdigest()
    return _SOURCE_SHA


def _fingerprint(params_dir: Path, data_dir: Path) -> str:
    """Hash of everything validation looks at (all params and data files) plus evalkit's code."""
    h = hashlib.sha256()
    h.update(f"{_version()} {_source_sha256()}\n".encode())
    hasher = _FileHasher()
    for folder, pattern in ((params_dir, "**/*.yaml"), (params_dir, "**/*.yml"), (data_dir, "*")):
        if folder.is_dir():
            for path in sorted(folder.glob(pattern)):
                if path.is_file():
                    h.update(f"{path.relative_to(folder)} {hasher(path)}\n".encode())
    return h.hexdigest()


# --------------------------------------------------------------------------- execution


def _execute_all(to_run, out_dir: Path, *, engine: str, jobs: int, progress: bool, generated_at: str,
                 timeout: float):
    """Fork one child per report (at most ``jobs`` at once); yield (key, entry) as they finish."""
    from evalkit.execute import preload
    from evalkit.report import _exporter

    preload()
    _warm_exporter(_exporter())
    bar = _progress_bar(len(to_run), progress)
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
                _, status = os.waitpid(pid, 0)
                entry = _child_entry(job, out_dir, b"".join(chunks), status, time.monotonic() - t0)
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


def _warm_exporter(exporter) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# warm-up"), nbformat.v4.new_code_cell("1")]
    exporter.from_notebook_node(nb)


def _progress_bar(total: int, enabled: bool):
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
            os.close(read_fd)
            _die_with_parent()
            _quiet_child_output()
            try:
                result = _render(job, out_dir, engine, generated_at)
            except BaseException as exc:  # report isolation: any failure becomes this report's error
                result = {"status": "failed", "error": f"{type(exc).__name__}: {exc}",
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
    rendered = _execute_report(job, engine=engine, generated_at=generated_at,
                               output_label=str(out_dir / job.rel(".ipynb")))
    return _write_report(job, out_dir, rendered, seconds=time.perf_counter() - t0)


def _execute_report(job: ReportJob, *, engine: str, generated_at: str, output_label: str,
                    cell_timeout: float | None = None, path_map=()) -> dict:
    """Execute one report and export its HTML; write nothing.

    Returns ``status, error, cell, title, verdicts`` and the executed notebook
    (``ipynb``, text) and page (``page``, text). ``path_map`` pairs (``old``, ``new``) are
    replaced in the executed notebook before export (a Dask worker's private copies of
    the inputs become the paths the batch was given).
    """
    import nbformat

    from evalkit.execute import execute_notebook
    from evalkit.report import export_html, read_summary

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
    return _entry(job, result.get("status", "failed"), out_dir=out_dir, error=result.get("error"),
                  seconds=result.get("seconds", wall), title=result.get("title"), verdicts=result.get("verdicts"),
                  cell=result.get("cell"), html=result.get("html"), notebook=result.get("notebook"))
