"""Benchmark: the demo batch three ways, on the same notebooks, data and params.

(a) naive loop  — for each report, one after another: ``papermill`` CLI (a fresh kernel
    that imports everything), then ``jupyter nbconvert --to html --no-input`` CLI;
(b) ``evalkit run --force`` — forked pre-imported workers on all cores, HTML in-process;
(c) ``evalkit run`` again with nothing changed — every report cached.

Prints the three wall times and the ratios a/b and the time of (c). Targets (issue 7):
a/b >= 5 on a 2-core machine, c < 2 s. Work files go to benchmarks/_work/ (git-ignored).

Usage: ``python benchmarks/batch.py [--jobs N] [--limit K]`` (``--limit`` runs only the
first K reports in (a) and scales its time up, for a quick look).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work"
BIN = Path(sys.executable).parent


def _reports(params: Path, data: Path) -> list[tuple[str, str, dict]]:
    """(notebook, output stem, parameters) for every report the batch renders."""
    from evalkit.batch.plan import validate_and_plan
    from evalkit.inputs.kinds import REPORT_KINDS

    problems, plan = validate_and_plan(params, data)
    if problems:
        raise SystemExit("invalid inputs: " + "; ".join(map(str, problems[:3])))
    base = {"data_dir": str(data), "params_dir": str(params), "exclude_units": []}
    out = []
    for kind in REPORT_KINDS.values():
        for uid in plan["reports"][kind.name]:
            parameters = {kind.id_parameter: uid, **base} if kind.id_parameter else dict(base)
            out.append((kind.notebook, f"{kind.name}-{uid}" if kind.id_parameter else uid, parameters))
    return out


def naive_loop(params: Path, data: Path, out: Path, limit: int | None) -> tuple[float, int, int]:
    """papermill CLI then nbconvert CLI per report, sequentially. Returns (seconds, done, total)."""
    out.mkdir(parents=True, exist_ok=True)
    reports = _reports(params, data)
    chosen = reports[:limit] if limit else reports
    t0 = time.perf_counter()
    for notebook, stem, parameters in chosen:
        executed = out / f"{stem}.ipynb"
        cmd = [str(BIN / "papermill"), str(ROOT / "notebooks" / notebook), str(executed), "--cwd",
               str(ROOT / "notebooks"), "--no-progress-bar"]
        for key, value in parameters.items():
            cmd += ["-y", f"{key}: {value!r}"] if isinstance(value, list) else ["-p", key, str(value)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0, len(chosen), len(reports)


def evalkit_run(params: Path, data: Path, out: Path, jobs: int | None, force: bool) -> float:
    cmd = [str(BIN / "evalkit"), "run", "--params", str(params), "--data", str(data), "--out", str(out), "--quiet"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    if force:
        cmd.append("--force")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"evalkit run failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None, help="workers for evalkit run (default: all cores)")
    parser.add_argument("--limit", type=int, default=None, help="naive loop: only the first K reports, scaled up")
    args = parser.parse_args(argv)
    params, data = ROOT / "params", ROOT / "data" / "demo"
    shutil.rmtree(WORK, ignore_errors=True)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    naive, done, total = naive_loop(params, data, WORK / "naive", args.limit)
    naive_all = naive * total / done
    forced = evalkit_run(params, data, WORK / "outputs", args.jobs, force=True)
    cached = evalkit_run(params, data, WORK / "outputs", args.jobs, force=False)

    print(f"demo batch: {total} reports, {cores} cores, jobs={args.jobs or cores}")
    scaled = f" (measured on {done}, scaled to {total})" if done < total else ""
    print(f"(a) naive loop, papermill CLI + nbconvert CLI per report: {naive_all:7.1f} s{scaled}"
          f"  = {naive_all / total:.2f} s/report")
    print(f"(b) evalkit run --force:                               {forced:7.1f} s  = {forced / total:.2f} s/report")
    print(f"(c) evalkit run, nothing changed (all cached):         {cached:7.2f} s")
    print(f"ratio a/b: {naive_all / forced:.1f}x faster (target >= 5x)")
    print(f"ratio a/c: {naive_all / cached:.0f}x; (c) {'meets' if cached < 2 else 'misses'} the < 2 s target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
