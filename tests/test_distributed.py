"""``run_batch(..., scheduler=...)`` / ``evalkit run --scheduler``: reports rendered on a Dask cluster.

A real ``distributed.LocalCluster`` (one worker process, one thread, loopback only) is
started for this module and shut down in the fixture's finaliser. The reference for
"same content" is a local run of the same reports in this module (fast engine, which
tests/test_runner.py checks equals papermill's standard engine).
"""
from __future__ import annotations

import functools
import json
import shutil
import time

import dask
import nbformat
import pandas as pd
import pytest
from distributed import LocalCluster

from _demo_batch import DATA, NOTEBOOKS, PARAMS, copy_inputs, notebooks_with_team_cell
from evalkit.cli import build_parser
from evalkit.errors import ReportError
from evalkit.report.html import without_generated_line
from evalkit.batch import cache
from evalkit.batch.run import run_batch

ONLY = ["cedar-river-tribe", "moldova"]  # one team, one country
MANIFEST_FIELDS = {"kind", "id", "status", "html", "notebook", "seconds", "inputs_sha256", "error"}  # DESIGN §4


@pytest.fixture(scope="module")
def cluster():
    # The scheduler runs in this process: no retry of a task whose worker died (Dask's default
    # retries it 3 times, i.e. 3 more worker restarts in the dying-worker test).
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None)
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory):
    """A copy of the notebooks, so the local and the cluster run execute the same files."""
    folder = tmp_path_factory.mktemp("notebooks")
    for path in NOTEBOOKS.glob("*.ipynb"):
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def local(notebooks, tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "outputs"
    result = run_batch(PARAMS, DATA, out, only=ONLY, jobs=2, notebooks_dir=notebooks, progress=False)
    assert result.exit_code == 0, result.summary_table()
    return out, result


@pytest.fixture(scope="module")
def remote(cluster, notebooks, tmp_path_factory):
    cache._SOURCE_SHA = None  # hashed afresh at the start of the run (see _fresh_source_hash)
    out = tmp_path_factory.mktemp("remote") / "outputs"
    result = run_batch(PARAMS, DATA, out, only=ONLY, scheduler=cluster.scheduler_address, notebooks_dir=notebooks,
                       progress=False)
    return out, result


def _manifest(out) -> dict:
    return json.loads((out / "manifest.json").read_text())


def _by_id(entries) -> dict:
    return {e["id"]: e for e in entries}


def _normalised(path) -> dict:
    """Executed notebook without run-dependent fields (timings, cell ids)."""
    nb = json.loads(nbformat.writes(nbformat.read(path, as_version=4)))
    for key in ("start_time", "end_time", "duration", "output_path"):  # output_path: each run its own folder
        nb["metadata"]["papermill"].pop(key, None)
    for cell in nb["cells"]:
        cell.pop("id", None)
        cell["metadata"].pop("execution", None)
        for key in ("start_time", "end_time", "duration"):
            cell["metadata"].get("papermill", {}).pop(key, None)
    return nb


def test_cluster_run_writes_the_reports_and_manifest_like_a_local_run(remote, cluster):
    out, result = remote
    assert result.exit_code == 0, result.summary_table()
    entries = _by_id(result.entries)
    assert sorted(entries) == sorted(ONLY)
    manifest = _manifest(out)
    assert manifest["scheduler"] == cluster.scheduler_address and manifest["engine"] == "fast"
    for entry in manifest["reports"]:
        assert MANIFEST_FIELDS <= set(entry)
        assert entry["status"] == "ok" and entry["error"] is None and entry["seconds"] > 0
        assert (out / entry["html"]).is_file() and (out / entry["notebook"]).is_file()
    assert entries["cedar-river-tribe"]["html"] == "teams/cedar-river-tribe.html"
    assert entries["moldova"]["notebook"] == "countries/moldova.ipynb"
    assert (out / "index.html").is_file()
    assert not list(out.rglob(".*.tmp"))


def test_cluster_run_gives_the_same_content_as_a_local_run(remote, local):
    out, result = remote
    local_out, local_result = local
    remote_entries, local_entries = _by_id(result.entries), _by_id(local_result.entries)
    for rid in ONLY:
        assert remote_entries[rid]["verdicts"] == local_entries[rid]["verdicts"]
        assert remote_entries[rid]["title"] == local_entries[rid]["title"]
        # the cache key does not depend on where a report ran
        assert remote_entries[rid]["inputs_sha256"] == local_entries[rid]["inputs_sha256"]
        rel_html, rel_nb = remote_entries[rid]["html"], remote_entries[rid]["notebook"]
        assert without_generated_line((out / rel_html).read_text()) == \
            without_generated_line((local_out / rel_html).read_text())
        remote_nb, local_nb = _normalised(out / rel_nb), _normalised(local_out / rel_nb)
        # the worker's private copies of the inputs are reported under the paths the batch was given
        assert remote_nb["metadata"]["papermill"]["parameters"]["data_dir"] == str(DATA)
        assert remote_nb == local_nb
    assert len(remote_entries["cedar-river-tribe"]["verdicts"]) == 4  # one per demo measure


def test_a_worker_with_other_evalkit_code_refuses_the_report(cluster, tmp_path, monkeypatch):
    # the client's code hash stands for "other code than the workers'": the cache key would lie
    monkeypatch.setattr(cache, "_SOURCE_SHA", "0" * 64)
    result = run_batch(PARAMS, DATA, tmp_path / "out", only=["moldova"], scheduler=cluster.scheduler_address,
                       progress=False)
    assert result.exit_code == 1
    (entry,) = result.entries
    assert entry["status"] == "failed" and "different evalkit code" in entry["error"]
    assert entry["html"] is None and not (tmp_path / "out" / "countries" / "moldova.html").exists()


def test_unchanged_rerun_on_the_cluster_is_all_cached(remote, cluster, notebooks):
    out, _ = remote
    t0 = time.perf_counter()
    result = run_batch(PARAMS, DATA, out, only=ONLY, scheduler=cluster.scheduler_address, notebooks_dir=notebooks,
                       progress=False)
    assert time.perf_counter() - t0 < 2.0
    assert result.exit_code == 0
    assert [e["status"] for e in result.entries] == ["cached", "cached"]




def _fresh_source_hash(monkeypatch) -> None:
    """Hash evalkit's code now, not when an earlier test did: a worker (re)started by this test
    refuses reports if the code changed in between (only possible while someone edits the tree)."""
    monkeypatch.setattr(cache, "_SOURCE_SHA", None)


def test_a_failing_report_and_a_dying_worker_fail_only_their_reports(cluster, tmp_path, monkeypatch):
    _fresh_source_hash(monkeypatch)
    notebooks = notebooks_with_team_cell(
        tmp_path,
        "import os, signal\n"
        'if team_id == "prairie-north":\n'
        '    raise ValueError("boom on the cluster")\n'
        'if team_id == "mesa-southeast":\n'
        "    # the report's parent is the worker's warm process, whose parent is the Dask worker\n"
        "    worker = int(open(f'/proc/{os.getppid()}/stat').read().rsplit(')', 1)[1].split()[1])\n"
        "    os.kill(worker, signal.SIGKILL)",
    )
    out = tmp_path / "out"
    result = run_batch(PARAMS, DATA, out, only=["prairie-north", "mesa-southeast", "moldova"],
                       notebooks_dir=notebooks, scheduler=cluster.scheduler_address, progress=False)
    assert result.exit_code == 1
    entries = _by_id(result.entries)
    bad = entries["prairie-north"]
    assert bad["status"] == "failed"
    assert bad["error"] == "cell 4 (In [4]): ValueError: boom on the cluster"  # 1-based input cell, as locally
    assert bad["cell"] == 4
    assert bad["html"] == "teams/prairie-north.failed.html" and (out / bad["html"]).is_file()
    failed_nb = nbformat.read(out / "teams" / "prairie-north.failed.ipynb", as_version=4)
    assert "papermill-error-cell-tag" in failed_nb.cells[0].metadata.tags
    dead = entries["mesa-southeast"]
    assert dead["status"] == "failed" and "worker" in dead["error"] and "died" in dead["error"]
    assert dead["html"] is None
    assert entries["moldova"]["status"] == "ok"
    assert (out / "countries" / "moldova.html").is_file()
    index = (out / "index.html").read_text()
    assert "boom on the cluster" in index and "died" in index
    summary = result.summary_table()
    assert summary.splitlines()[-1].startswith("1 ok, 0 cached, 2 failed")


def test_a_report_whose_process_dies_on_the_worker_fails_alone_and_the_next_one_runs(cluster, tmp_path,
                                                                                   monkeypatch):
    _fresh_source_hash(monkeypatch)
    notebooks = notebooks_with_team_cell(
        tmp_path,
        "import os, signal\n"
        'if team_id == "prairie-north":\n'
        "    os.kill(os.getpid(), signal.SIGKILL)  # the report's own process, as the kernel OOM killer would\n"
        'if team_id == "mesa-southeast":\n'
        "    os.kill(os.getppid(), signal.SIGKILL)  # the worker's warm process",
    )
    result = run_batch(PARAMS, DATA, tmp_path / "out", only=["prairie-north", "mesa-southeast", "valley-county"],
                       notebooks_dir=notebooks, scheduler=cluster.scheduler_address, progress=False)
    entries = _by_id(result.entries)
    for rid in ("prairie-north", "mesa-southeast"):
        assert entries[rid]["status"] == "failed" and "died" in entries[rid]["error"], entries[rid]
        assert entries[rid]["html"] is None
    assert entries["valley-county"]["status"] == "ok"


def test_a_report_that_runs_too_long_on_a_worker_is_stopped_and_failed_alone(cluster, tmp_path, monkeypatch):
    _fresh_source_hash(monkeypatch)
    notebooks = notebooks_with_team_cell(
        tmp_path, 'import time\nif team_id == "prairie-north":\n    time.sleep(600)')
    t0 = time.perf_counter()
    result = run_batch(PARAMS, DATA, tmp_path / "out", only=["prairie-north", "valley-county"], notebooks_dir=notebooks,
                       scheduler=cluster.scheduler_address, progress=False, timeout=8)
    assert time.perf_counter() - t0 < 120
    entries = _by_id(result.entries)
    assert entries["prairie-north"]["status"] == "failed"
    assert entries["prairie-north"]["error"] == "timed out after 8 s"
    assert entries["valley-county"]["status"] == "ok"


def test_a_second_run_on_the_same_workers_uses_its_own_inputs_not_the_first_runs(cluster, tmp_path,
                                                                                 monkeypatch):
    """The workers' warm processes keep a run's shared inputs and analyses; a new run must not see them."""
    _fresh_source_hash(monkeypatch)
    data, params = copy_inputs(tmp_path)
    only = ["prairie-north"]
    first = run_batch(params, data, tmp_path / "first", only=only, scheduler=cluster.scheduler_address, progress=False)
    assert first.exit_code == 0
    collaborative = params / "collaborative.yaml"
    collaborative.write_text(collaborative.read_text().replace("(synthetic demo)", "(second run)"))
    measures = pd.read_csv(data / "measures.csv", dtype=str, keep_default_na=False)
    comparison = pd.read_csv(data / "teams.csv", dtype=str).query("role == 'comparison'")["team_id"].iloc[0]
    rows = ((measures["team_id"] == comparison) & (measures["measure_id"] == "turnover_rate")
            & (measures["numerator"] != ""))
    measures.loc[rows, "numerator"] = (pd.to_numeric(measures.loc[rows, "numerator"]) + 3).astype(int).astype(str)
    measures.to_csv(data / "measures.csv", index=False)
    remote = run_batch(params, data, tmp_path / "remote", only=only, scheduler=cluster.scheduler_address,
                       progress=False)
    local = run_batch(params, data, tmp_path / "local", only=only, jobs=1, progress=False)
    assert remote.exit_code == local.exit_code == 0
    page = "teams/prairie-north.html"
    remote_html = without_generated_line((tmp_path / "remote" / page).read_text())
    assert "(second run)" in remote_html
    assert remote_html == without_generated_line((tmp_path / "local" / page).read_text())
    assert remote_html != without_generated_line((tmp_path / "first" / page).read_text())


def test_a_team_task_carries_its_own_rows_and_the_shared_tables_go_once(tmp_path):
    from evalkit.batch.cluster import shared_inputs, task_slices
    from evalkit.batch.plan import make_jobs, validate_and_plan
    from evalkit.batch.run import _type_tables_once
    from evalkit.inputs.read import parsed_once

    with parsed_once():
        _, plan = validate_and_plan(PARAMS, DATA)
        _type_tables_once(DATA)
        jobs = make_jobs(plan, PARAMS, DATA, NOTEBOOKS)
        job = next(j for j in jobs if j.id == "cedar-river-tribe")
        slices = task_slices(job, DATA)
        shared = shared_inputs([job, next(j for j in jobs if j.id == "valley-county")], PARAMS, DATA)
    assert "measures" not in slices and "teams" not in slices  # read whole: sent once per worker
    assert set(shared["tables"]) == {"measures", "teams"}
    assert shared["tables"]["measures"].frame["team_id"].nunique() > 12  # every unit, comparison units too
    for name, piece in slices.items():
        teams = set(piece.frame["team_id"].dropna().astype(str))
        assert teams <= {"cedar-river-tribe"}, name
    roster = slices["roster"].frame
    assert len(roster) == int((pd.read_csv(DATA / "roster.csv")["team_id"] == "cedar-river-tribe").sum())
    assert shared["warm"]["team_id"] == "cedar-river-tribe"


def test_an_unreachable_scheduler_stops_the_run_before_anything_is_written(tmp_path, monkeypatch):
    from evalkit.batch import cluster as cluster_module

    monkeypatch.setattr(cluster_module, "connect", functools.partial(cluster_module.connect, timeout=0.5))
    out = tmp_path / "out"
    with pytest.raises(ReportError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:1 "):
        run_batch(PARAMS, DATA, out, only=["moldova"], scheduler="tcp://127.0.0.1:1", progress=False)
    assert not out.exists()  # the CLI turns ReportError into exit code 2


def test_cli_offers_the_scheduler_flag():
    args = build_parser().parse_args(["run", "--scheduler", "tcp://10.0.0.5:8786"])
    assert args.scheduler == "tcp://10.0.0.5:8786"
    assert build_parser().parse_args(["run"]).scheduler is None
    help_text = build_parser()._subparsers._group_actions[0].choices["run"].format_help()
    assert "--scheduler ADDRESS" in help_text and "Dask" in help_text
