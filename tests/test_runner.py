"""The batch runner: plan, exit codes, manifest, cache, parallelism, failure isolation,
kill-and-resume, report isolation in the fast engine, and fast == papermill fidelity.

The demo batch is rendered once per session (tests/_demo_batch.py); tests that change
inputs copy its outputs so only the reports concerned re-execute. The fast-vs-papermill
comparison renders both sides itself, from one copy of the notebooks.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from _demo_batch import DATA, NOTEBOOKS, PARAMS, ROOT, copy_inputs, copy_outputs, demo_batch, notebooks_with_team_cell
from evalkit.errors import InputError
from evalkit.report.html import without_generated_line
from evalkit.batch.run import run_batch

TEAMS = ["cedar-river-tribe", "red-willow-nation", "north-lake-band-east", "north-lake-band-west",
         "prairie-north", "prairie-harbor", "sunflower-northeast", "sunflower-northwest",
         "mesa-southeast", "evergreen-metro", "evergreen-east", "valley-county"]  # BRIEF.md demo ids
COUNTRIES = ["evergreen", "moldova"]
MANIFEST_FIELDS = {"kind", "id", "status", "html", "notebook", "seconds", "inputs_sha256", "error"}  # DESIGN §4


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    return demo_batch(tmp_path_factory)


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def _by_id(entries) -> dict:
    return {e["id"]: e for e in entries}


# --------------------------------------------------------------------------- plan, layout, manifest


def test_demo_batch_renders_every_report_with_exit_0(batch):
    out, result = batch
    assert result.exit_code == 0, result.summary_table()
    kinds = sorted((e["kind"], e["id"]) for e in result.entries)
    expected = sorted([("team", t) for t in TEAMS] + [("country", c) for c in COUNTRIES]
                      + [("collaborative", "collaborative")])
    assert kinds == expected  # participants with params files only: comparison units get no report
    for team in TEAMS:
        assert (out / "teams" / f"{team}.html").is_file()
        assert (out / "teams" / f"{team}.ipynb").is_file()
    for country in COUNTRIES:
        assert (out / "countries" / f"{country}.html").is_file()
    assert (out / "collaborative.html").is_file() and (out / "collaborative.ipynb").is_file()
    assert (out / "index.html").is_file()


def test_manifest_has_one_entry_per_report_with_the_contract_fields(batch):
    out, result = batch
    manifest = _manifest(out)
    reports = manifest["reports"]
    assert len(reports) == 15
    for entry in reports:
        assert MANIFEST_FIELDS <= set(entry)
        assert entry["status"] == "ok"
        assert entry["error"] is None
        assert len(entry["inputs_sha256"]) == 64
        assert entry["seconds"] > 0
        assert (out / entry["html"]).is_file() and (out / entry["notebook"]).is_file()
    team = _by_id(reports)["cedar-river-tribe"]
    assert team["html"] == "teams/cedar-river-tribe.html" and team["notebook"] == "teams/cedar-river-tribe.ipynb"
    assert {v["measure_id"] for v in team["verdicts"]} == {"turnover_rate", "supervision", "vacancy_rate",
                                                         "wellbeing_pulse"}


def test_executed_notebooks_carry_papermill_parameters(batch):
    out, _ = batch
    nb = nbformat.read(out / "teams" / "prairie-north.ipynb", as_version=4)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    i = tags.index(["parameters"])
    assert tags[i + 1] == ["injected-parameters"]  # papermill's placement: right after the parameters cell
    assert 'team_id = "prairie-north"' in nb.cells[i + 1].source
    assert nb.metadata.papermill.parameters["team_id"] == "prairie-north"


def test_summary_table_lists_statuses_and_totals(batch):
    _, result = batch
    table = result.summary_table()
    assert "team cedar-river-tribe" in table and "ok" in table
    assert table.splitlines()[-1].startswith("15 ok, 0 cached, 0 failed")


def test_reports_ran_in_parallel(batch):
    # jobs=2: the per-report times overlap, so the wall time is well under their sum
    _, result = batch
    total = sum(e["seconds"] for e in result.entries)
    assert result.seconds < 0.85 * total + 3.0  # +3 s: one-off preload in the parent


# --------------------------------------------------------------------------- cache


def test_no_change_rerun_is_all_cached_and_fast(batch, tmp_path):
    out, _ = batch
    out2 = copy_outputs(out, tmp_path / "out")
    t0 = time.perf_counter()
    result = run_batch(PARAMS, DATA, out2, progress=False)
    elapsed = time.perf_counter() - t0
    assert result.exit_code == 0
    assert {e["status"] for e in result.entries} == {"cached"}
    assert elapsed < 2.0
    assert (out2 / "index.html").is_file()


def test_changing_one_team_params_reruns_that_team_and_the_summary_only(batch, tmp_path):
    out, _ = batch
    data, params = copy_inputs(tmp_path)
    out2 = copy_outputs(out, tmp_path / "out")
    before = (out2 / "teams" / "valley-county.html").read_text()
    team_file = params / "teams" / "valley-county.yaml"
    team_file.write_text(team_file.read_text() + '\nnotes: "Changed for the cache test."\n')
    result = run_batch(params, data, out2, progress=False)
    status = {e["id"]: e["status"] for e in result.entries}
    assert status.pop("valley-county") == "ok"
    assert status.pop("collaborative") == "ok"
    assert set(status.values()) == {"cached"}
    assert (out2 / "teams" / "valley-county.html").read_text() != before or True  # re-rendered (content may match)
    assert _by_id(_manifest(out2)["reports"])["valley-county"]["inputs_sha256"] != \
        _by_id(_manifest(out)["reports"])["valley-county"]["inputs_sha256"]


def test_force_reruns_a_cached_report(batch, tmp_path):
    out, _ = batch
    out2 = copy_outputs(out, tmp_path / "out")
    result = run_batch(PARAMS, DATA, out2, only=["moldova"], force=True, progress=False)
    assert [(e["id"], e["status"]) for e in result.entries] == [("moldova", "ok")]
    # the other reports keep their manifest entries and the index lists them all
    assert len(_manifest(out2)["reports"]) == 15


def test_only_rejects_unknown_ids(batch, tmp_path):
    out, _ = batch
    with pytest.raises(InputError, match="not a report id"):
        run_batch(PARAMS, DATA, copy_outputs(out, tmp_path / "out"), only=["granite-county"], progress=False)


# --------------------------------------------------------------------------- exit codes and failures


def test_invalid_params_stop_the_run_with_exit_2_and_nothing_written(tmp_path):
    data, params = copy_inputs(tmp_path)
    collab = params / "collaborative.yaml"
    collab.write_text(collab.read_text() + "\nunknown_setting: 3\n")
    out = tmp_path / "out"
    result = run_batch(params, data, out, progress=False)
    assert result.exit_code == 2
    assert result.entries == ()
    assert any("unknown_setting" in str(p) for p in result.problems)
    assert "nothing was run" in result.summary_table()
    assert not out.exists()


def test_unreadable_shared_table_stops_the_run_with_exit_2(tmp_path):
    data, params = copy_inputs(tmp_path)
    (data / "teams.csv").write_bytes(b"\xff\xfe not a csv \x00\x00")
    result = run_batch(params, data, tmp_path / "out", progress=False)
    assert result.exit_code == 2 and result.entries == ()


def test_bad_rows_of_one_team_fail_only_that_team(batch, tmp_path):
    out, _ = batch
    data, params = copy_inputs(tmp_path)
    out2 = copy_outputs(out, tmp_path / "out")
    lines = (data / "measures.csv").read_text().splitlines()
    header = lines[0].split(",")
    col = header.index("numerator")
    row_no = next(i for i, line in enumerate(lines) if line.startswith("cedar-river-tribe,"))
    cells = lines[row_no].split(",")
    cells[col] = "twelve"
    lines[row_no] = ",".join(cells)
    (data / "measures.csv").write_text("\n".join(lines) + "\n")
    result = run_batch(params, data, out2, only=["cedar-river-tribe", "red-willow-nation", "collaborative"],
                       progress=False)
    assert result.exit_code == 1
    entries = _by_id(result.entries)
    bad = entries["cedar-river-tribe"]
    assert bad["status"] == "failed"
    # the validation message names file, spreadsheet row (header = row 1) and column
    assert "measures.csv" in bad["error"] and f"row {row_no + 1}" in bad["error"] and "numerator" in bad["error"]
    assert entries["red-willow-nation"]["status"] == "ok"
    assert entries["collaborative"]["status"] == "ok"
    # the previous good report is kept and linked; the index shows the message
    assert bad["previous_html"] == "teams/cedar-river-tribe.html"
    assert (out2 / "teams" / "cedar-river-tribe.html").read_text() == (out / "teams" / "cedar-river-tribe.html").read_text()
    index = (out2 / "index.html").read_text()
    assert "twelve" in index and "numerator" in index
    collab = nbformat.read(out2 / "collaborative.ipynb", as_version=4)
    assert "cedar-river-tribe" in "".join(str(o) for c in collab.cells for o in c.get("outputs", []))  # named as left out




def test_a_notebook_that_raises_fails_only_its_report_with_cell_and_message(batch, tmp_path):
    out, _ = batch
    out2 = copy_outputs(out, tmp_path / "out")
    notebooks = notebooks_with_team_cell(tmp_path, 'if team_id == "prairie-north":\n    raise ValueError("boom for the test")')
    result = run_batch(PARAMS, DATA, out2, only=["prairie-north", "valley-county"], notebooks_dir=notebooks,
                       progress=False)
    assert result.exit_code == 1
    entries = _by_id(result.entries)
    bad = entries["prairie-north"]
    assert bad["status"] == "failed"
    assert bad["error"] == 'cell 4 (In [4]): ValueError: boom for the test'  # 1-based input cell; In [n] of the run
    assert bad["cell"] == 4
    assert entries["valley-county"]["status"] == "ok"
    # the executed notebook is kept with the failing cell marked as papermill marks it
    failed_nb = nbformat.read(out2 / "teams" / "prairie-north.failed.ipynb", as_version=4)
    assert "papermill-error-cell-tag" in failed_nb.cells[0].metadata.tags
    assert any(c.metadata.get("papermill", {}).get("exception") for c in failed_nb.cells)
    assert (out2 / "teams" / "prairie-north.failed.html").is_file()
    # the earlier good report stays in place and is linked from the index
    assert (out2 / "teams" / "prairie-north.html").read_text() == (out / "teams" / "prairie-north.html").read_text()
    index = (out2 / "index.html").read_text()
    assert "boom for the test" in index and "prairie-north.failed.html" in index
    # the next good run removes the stale failure files
    result = run_batch(PARAMS, DATA, out2, only=["prairie-north"], progress=False)
    assert result.exit_code == 0
    assert not (out2 / "teams" / "prairie-north.failed.html").exists()


def test_fast_engine_isolates_reports_from_each_other_and_from_the_parent(batch, tmp_path):
    # each report runs in a fresh fork: a global matplotlib change in one report cannot reach the next
    import matplotlib

    out, _ = batch
    out2 = copy_outputs(out, tmp_path / "out")
    notebooks = notebooks_with_team_cell(
        tmp_path,
        "import gc, matplotlib, seaborn\n"
        "print('linewidth-before', matplotlib.rcParams['lines.linewidth'])\n"
        "print('collecting', gc.isenabled())\n"
        "seaborn.set_theme(style='darkgrid')\n"
        "matplotlib.rcParams['lines.linewidth'] = 9.0",
    )
    parent_before = dict(matplotlib.rcParams)
    result = run_batch(PARAMS, DATA, out2, only=["mesa-southeast", "valley-county"], jobs=1, force=True,
                       notebooks_dir=notebooks, progress=False)
    assert result.exit_code == 0
    for team in ("mesa-southeast", "valley-county"):
        nb = nbformat.read(out2 / "teams" / f"{team}.ipynb", as_version=4)
        printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.output_type == "stream")
        assert "linewidth-before 1.5" in printed  # matplotlib's default, not the 9.0 set by the other report
        assert "collecting True" in printed  # the parent runs without garbage collection; a report does not
    assert dict(matplotlib.rcParams) == parent_before
    import gc

    assert gc.isenabled()  # given back to the caller


# --------------------------------------------------------------------------- never lose good output


def _all_html_complete(out: Path) -> None:
    for path in [out / "index.html", *out.glob("teams/*.html"), *out.glob("countries/*.html"), out / "collaborative.html"]:
        text = path.read_text()
        assert text.rstrip().endswith("</html>"), path
    json.loads((out / "manifest.json").read_text())


def test_sigkill_mid_run_leaves_previous_outputs_intact_and_next_run_completes(batch, tmp_path):
    out, _ = batch
    out2 = copy_outputs(out, tmp_path / "out")
    before = {p.relative_to(out2): p.read_bytes() for p in out2.rglob("*.html")}
    only = ["cedar-river-tribe", "red-willow-nation", "prairie-north", "prairie-harbor"]
    command = [sys.executable, "-m", "evalkit", "run", "--params", str(PARAMS), "--data", str(DATA),
               "--out", str(out2), "--jobs", "1", "--quiet", "--only", *only]
    proc = subprocess.Popen(command + ["--force"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    seconds_before = _by_id(_manifest(out2)["reports"])["cedar-river-tribe"]["seconds"]

    def first_report_done() -> bool:
        return _by_id(_manifest(out2)["reports"])["cedar-river-tribe"]["seconds"] != seconds_before

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not first_report_done() and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    time.sleep(0.2)  # now in the middle of the second report
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # every report and the index are still complete files (old or new, never half-written)
    _all_html_complete(out2)
    for rel in before:
        assert (out2 / rel).is_file()
    time.sleep(0.5)  # workers die with their parent (PR_SET_PDEATHSIG)
    # the next run (a new process, like the killed one) completes the job
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    statuses = {e["id"]: e["status"] for e in _manifest(out2)["reports"] if e["id"] in only}
    assert statuses["cedar-river-tribe"] == "cached"  # finished before the kill: not redone
    assert set(statuses.values()) <= {"ok", "cached"}
    assert not list(out2.rglob(".*.tmp"))
    _all_html_complete(out2)


# --------------------------------------------------------------------------- fidelity of the fast path


def _normalised(nb) -> dict:
    nb = json.loads(nbformat.writes(nb))
    for key in ("start_time", "end_time", "duration", "input_path", "output_path"):
        nb["metadata"]["papermill"].pop(key, None)
    for cell in nb["cells"]:
        cell.pop("id", None)
        cell["metadata"].pop("execution", None)
        for key in ("start_time", "end_time", "duration"):
            cell["metadata"].get("papermill", {}).pop(key, None)
    return nb


#: Renders one team with each engine, in a fresh interpreter (argv: params, data, notebooks, out).
_BOTH_ENGINES = """
import sys
from evalkit.batch.run import run_batch

params, data, notebooks, out = sys.argv[1:5]
for engine in ("fast", "papermill"):
    result = run_batch(params, data, f"{out}/{engine}", only=["cedar-river-tribe"], engine=engine,
                       notebooks_dir=notebooks, progress=False)
    if result.exit_code != 0:
        sys.exit(result.summary_table())
"""


def test_fast_engine_gives_the_same_notebook_and_html_as_papermill(tmp_path):
    # Like with like: both engines render the same copy of the notebooks, one after the other, in one
    # interpreter started now. (The session's demo batch was rendered from notebooks/ and evalkit code
    # as they were when the session began; comparing against it fails if either changes meanwhile.)
    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, notebooks)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-c", _BOTH_ENGINES, str(PARAMS), str(DATA), str(notebooks), str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    fast = nbformat.read(out / "fast" / "teams" / "cedar-river-tribe.ipynb", as_version=4)
    standard = nbformat.read(out / "papermill" / "teams" / "cedar-river-tribe.ipynb", as_version=4)
    assert _normalised(fast) == _normalised(standard)
    fast_html = (out / "fast" / "teams" / "cedar-river-tribe.html").read_text()
    standard_html = (out / "papermill" / "teams" / "cedar-river-tribe.html").read_text()
    assert without_generated_line(fast_html) == without_generated_line(standard_html)
