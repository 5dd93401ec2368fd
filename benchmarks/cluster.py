"""Benchmark: the demo batch on a Dask cluster (``evalkit run --scheduler``) against the local engine.

Starts a local Dask scheduler with 2 single-threaded worker processes on 127.0.0.1, renders
the demo batch there (``--force``), then with the local fast engine (``--jobs 2``), and
prints for each: wall time, seconds per report (manifest ``seconds``, mean of the team
reports) and the size of one team report's task (the pickled bytes it ships to a worker:
its own rows) beside what goes once to each worker (params, notebooks, the tables read
whole), on the demo and, if ``benchmarks/scale.py`` made it, on the 500-unit data. Targets
(issue "a state-wide batch in minutes"): cluster per-report cost close to the local engine's;
a team report's task < 1 MB. Work files go to benchmarks/_work/cluster/ (git-ignored).

Usage: ``python benchmarks/cluster.py`` (needs ``pip install 'evalkit[distributed]'``).
"""
from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work" / "cluster"


def _team_seconds(out: Path) -> float:
    entries = json.loads((out / "manifest.json").read_text())["reports"]
    teams = [e["seconds"] for e in entries if e["kind"] == "team" and e["status"] == "ok"]
    return sum(teams) / len(teams) if teams else float("nan")


def _task_bytes(params: Path, data: Path) -> tuple[int, int]:
    """Pickled bytes of one team report's task, and of the inputs sent once to each worker."""
    import pickle

    from evalkit.batch.cluster import shared_inputs, task_slices
    from evalkit.batch.plan import default_notebooks_dir, make_jobs, validate_and_plan
    from evalkit.batch.run import _type_tables_once
    from evalkit.inputs.read import parsed_once

    with parsed_once():
        _, plan = validate_and_plan(params, data)
        _type_tables_once(data)
        jobs = make_jobs(plan, params, data, default_notebooks_dir())
        job = next(j for j in jobs if j.kind == "team")
        task = len(pickle.dumps((job, task_slices(job, data)), protocol=pickle.HIGHEST_PROTOCOL))
        shared = len(pickle.dumps(shared_inputs(jobs, params, data), protocol=pickle.HIGHEST_PROTOCOL))
    return task, shared


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from distributed import LocalCluster

    from evalkit.batch.run import run_batch

    params, data = ROOT / "params", ROOT / "data" / "demo"
    shutil.rmtree(WORK, ignore_errors=True)
    rows = []
    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", processes=True,
                      dashboard_address=None) as cluster:
        t0 = time.perf_counter()
        result = run_batch(params, data, WORK / "dask", force=True, progress=False, scheduler=cluster.scheduler_address)
        rows.append(("dask, 2 workers", time.perf_counter() - t0, result, WORK / "dask"))
    t0 = time.perf_counter()
    result = run_batch(params, data, WORK / "local", force=True, progress=False, jobs=2)
    rows.append(("local fast engine, jobs=2", time.perf_counter() - t0, result, WORK / "local"))
    for name, wall, result, out in rows:
        c = result.counts()
        print(f"{name:<27} {wall:7.1f} s wall, {c['ok']} ok, {c['failed']} failed; "
              f"team report {_team_seconds(out):.2f} s each")
    ratio = _team_seconds(WORK / "dask") / _team_seconds(WORK / "local")
    print(f"cluster / local seconds per team report: {ratio:.1f}x")
    for name, (p, d) in (("demo", (params, data)),) + tuple(
            (f"{n} units", (ROOT / "benchmarks" / "_work" / f"scale-{n}" / "params", ROOT / "benchmarks" / "_work" /
                            f"scale-{n}")) for n in (500,) if (ROOT / "benchmarks" / "_work" / f"scale-{n}").is_dir()):
        size, shared = _task_bytes(p, d)
        print(f"{name}: one team report's task {size / 1e6:.3f} MB ({'meets' if size < 1e6 else 'misses'} the "
              f"< 1 MB target); sent once per worker: {shared / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
