"""Benchmark: the demo batch three ways, on the same notebooks, data and params.

(a) naive loop  — for each report, one after another: ``papermill`` CLI (a fresh kernel
    that imports everything), then ``jupyter nbconvert --to html --no-input`` CLI;
(b) ``evalkit run --force`` — forked pre-imported workers on all cores, HTML in-process
    (three runs into fresh folders, the median reported);
(c) ``evalkit run`` again with nothing changed — every report cached.

Prints the three wall times, the ratios a/b and the time of (c), and the CPU time of (a) and
(b), split for (b) into the reports' own CPU (manifest ``cpu_seconds``) and the run's fixed
cost. Targets: a/b >= 8 on a 2-core machine, c < 2 s, fixed cost < 3 s CPU, a team report's
own CPU <= 2.5 s. Work files go to benchmarks/_work/ (git-ignored).

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
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    return time.perf_counter() - t0, len(chosen), len(reports)


def _env() -> dict:
    """This checkout's evalkit first on the path (also for the kernels the naive loop starts)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def evalkit_run(params: Path, data: Path, out: Path, jobs: int | None, force: bool) -> tuple[float, float]:
    """Run ``python -m evalkit run``; its wall time and CPU time (the run and all its children)."""
    cmd = [sys.executable, "-m", "evalkit", "run", "--params", str(params), "--data", str(data), "--out", str(out),
           "--quiet"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    if force:
        cmd.append("--force")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    stdout, stderr = proc.communicate()
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"evalkit run failed ({proc.returncode}):\n{stdout}\n{stderr}")
    return elapsed, _children_cpu()


_CPU_SEEN = [0.0]


def _children_cpu() -> float:
    """CPU time (user + system) of the children waited for since the last call."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    spent, _CPU_SEEN[0] = total - _CPU_SEEN[0], total
    return spent


def report_cpu(out: Path) -> tuple[float, float, int]:
    """Sum of the reports' own CPU (manifest ``cpu_seconds``), mean of the team reports', count."""
    import json

    entries = json.loads((out / "manifest.json").read_text())["reports"]
    own = [e.get("cpu_seconds") or 0.0 for e in entries]
    teams = [e["cpu_seconds"] for e in entries if e["kind"] == "team" and e.get("cpu_seconds")]
    return sum(own), (sum(teams) / len(teams) if teams else float("nan")), len(entries)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None, help="workers for evalkit run (default: all cores)")
    parser.add_argument("--limit", type=int, default=None, help="naive loop: only the first K reports, scaled up")
    parser.add_argument("--repeat", type=int, default=3, help="runs of (b); the median is reported")
    args = parser.parse_args(argv)
    params, data = ROOT / "params", ROOT / "data" / "demo"
    for own in ("naive", "outputs"):  # only this benchmark's folders (scale.py keeps its data in WORK too)
        shutil.rmtree(WORK / own, ignore_errors=True)
    for old in WORK.glob("outputs-*"):
        shutil.rmtree(old, ignore_errors=True)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    naive, done, total = naive_loop(params, data, WORK / "naive", args.limit)
    naive_all = naive * total / done
    naive_cpu = _children_cpu() * total / done
    # (b) three times, the median run reported: one run's wall time moves by +-15% here
    forced_runs = []
    for i in range(args.repeat):
        out = WORK / f"outputs-{i}"
        shutil.rmtree(out, ignore_errors=True)
        wall, cpu = evalkit_run(params, data, out, args.jobs, force=True)
        forced_runs.append((wall, cpu, out))
    forced, forced_cpu, forced_out = sorted(forced_runs)[len(forced_runs) // 2]
    own_cpu, team_cpu, _ = report_cpu(forced_out)
    cached, _ = evalkit_run(params, data, forced_out, args.jobs, force=False)

    print(f"demo batch: {total} reports, {cores} cores, jobs={args.jobs or cores}")
    scaled = f" (measured on {done}, scaled to {total})" if done < total else ""
    print(f"(a) naive loop, papermill CLI + nbconvert CLI per report: {naive_all:7.1f} s{scaled}"
          f"  = {naive_all / total:.2f} s/report")
    print(f"(b) evalkit run --force:                               {forced:7.1f} s  = {forced / total:.2f} s/report"
          f" (median of {len(forced_runs)} runs: {', '.join(f'{w:.1f}' for w, _, _ in forced_runs)} s)")
    print(f"(c) evalkit run, nothing changed (all cached):         {cached:7.2f} s")
    print(f"CPU: (a) {naive_cpu:.1f} s, (b) {forced_cpu:.1f} s = reports' own {own_cpu:.1f} s + fixed cost of the run "
          f"{forced_cpu - own_cpu:.1f} s (target < 3 s); a team report's own CPU: {team_cpu:.2f} s (target <= 2.5 s)")
    print(f"ratio a/b: {naive_all / forced:.1f}x faster (target >= 8x)")
    print(f"ratio a/c: {naive_all / cached:.0f}x; (c) {'meets' if cached < 2 else 'misses'} the < 2 s target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
