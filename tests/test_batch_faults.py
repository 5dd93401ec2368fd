"""The batch runner under faults: one run at a time per output folder (the lock, the merged
manifest), a read-only or full output folder, a foreign manifest.json, and --timeout.

Runs use the tiny notebooks of tests/_tiny_batch.py over the demo inputs (a few seconds
each). Faults of the filesystem are simulated by patching ``os`` calls, because the tests
may run as root, which ignores a folder's permissions; forked report workers inherit the
patches.
"""
from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from _demo_batch import DATA, PARAMS, ROOT
from _tiny_batch import tiny_notebooks
from evalkit.batch import run as run_module
from evalkit.cli import build_parser, main

PYTHON = sys.executable


@pytest.fixture
def notebooks(tmp_path, monkeypatch):
    """Tiny notebooks, also used by the CLI (which has no notebooks option)."""
    folder = tiny_notebooks(tmp_path / "notebooks", "x = 1")
    monkeypatch.setattr(run_module, "default_notebooks_dir", lambda: folder)
    return folder


def _run_cli(out: Path, *extra: str) -> int:
    return main(["run", "--params", str(PARAMS), "--data", str(DATA), "--out", str(out), "--quiet", *extra])


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def _one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    assert len(lines) == 1, err
    assert lines[0].startswith("evalkit: ")
    return lines[0]


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.rglob("*.tmp"))


# --------------------------------------------------------------------------- the lock

# Holds the output folder's lock the way a run does (flock on .evalkit.lock, pid inside)
# until its stdin closes or it is killed.
_HOLDER = textwrap.dedent("""
    import fcntl, os, sys
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, f"pid {os.getpid()}\\nstarted 2026-12-01 09:00:00 UTC\\n".encode())
    print("locked", flush=True)
    sys.stdin.read()
""")


def _hold_lock(out: Path) -> subprocess.Popen:
    out.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([PYTHON, "-c", _HOLDER, str(out / ".evalkit.lock")], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_run_on_a_locked_folder_exits_2_naming_the_holder(tmp_path, notebooks, capsys):
    out = tmp_path / "out"
    holder = _hold_lock(out)
    try:
        code = _run_cli(out, "--only", "moldova")
        line = _one_line_error(capsys.readouterr().err)
    finally:
        holder.kill()
        holder.wait()
    assert code == 2
    assert line == (f"evalkit: another run is writing to {out} (pid {holder.pid}, started 2026-12-01 09:00:00 UTC); "
                    "wait for it (--wait-lock SECONDS) or use another --out")
    assert not (out / "manifest.json").exists() and not (out / "countries" / "moldova.html").exists()
    # the holder was killed (as a crashed run would be): its lock file stays but does not block
    assert (out / ".evalkit.lock").exists()
    assert _run_cli(out, "--only", "moldova") == 0
    assert (out / "countries" / "moldova.html").is_file()
    assert f"pid {os.getpid()}" in (out / ".evalkit.lock").read_text()


def test_wait_lock_waits_for_the_other_run_then_renders(tmp_path, notebooks, capsys):
    out = tmp_path / "out"
    holder = _hold_lock(out)
    subprocess.Popen(["sh", "-c", f"sleep 2; kill {holder.pid}"])
    t0 = time.monotonic()
    code = _run_cli(out, "--only", "moldova", "--wait-lock", "60")
    holder.wait()
    assert code == 0
    assert time.monotonic() - t0 >= 1.5
    err = capsys.readouterr().err
    assert f"evalkit: another run is writing to {out} (pid {holder.pid}" in err and "waiting up to 60 s" in err
    assert [e["id"] for e in _manifest(out)["reports"]] == ["moldova"]


# Run with tiny notebooks whose one cell sleeps (so two runs overlap) and fails if the
# report's worker still holds the batch's lock descriptor (inherited through fork).
_RUN = textwrap.dedent("""
    import sys
    from evalkit.batch.run import run_batch
    params, data, out, notebooks, only = sys.argv[1:]
    result = run_batch(params, data, out, only=[only], notebooks_dir=notebooks, progress=False, jobs=1,
                       wait_lock=120)
    print(result.summary_table())
    sys.exit(result.exit_code)
""")
_CELL = textwrap.dedent("""
    import os, time
    time.sleep(2)
    held = [n for n in os.listdir("/proc/self/fd") if os.path.realpath(f"/proc/self/fd/{n}").endswith(".evalkit.lock")]
    assert not held, f"the report's worker holds the batch lock: fds {held}"
""")


def test_concurrent_runs_on_one_folder_both_end_up_in_manifest_and_index(tmp_path):
    notebooks = tiny_notebooks(tmp_path / "notebooks", _CELL)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    procs = [subprocess.Popen([PYTHON, "-c", _RUN, str(PARAMS), str(DATA), str(out), str(notebooks), only],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for only in ("moldova", "evergreen")]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    reports = {e["id"]: e["status"] for e in _manifest(out)["reports"]}
    assert reports == {"moldova": "ok", "evergreen": "ok"}
    index = (out / "index.html").read_text()
    assert "countries/moldova.html" in index and "countries/evergreen.html" in index
    # the later run waited for the earlier one and said so
    assert sum("another run is writing to" in err for _, err in results) == 1


def test_sequential_only_runs_keep_each_others_entries(tmp_path, notebooks):
    out = tmp_path / "out"
    assert _run_cli(out, "--only", "moldova") == 0
    assert _run_cli(out, "--only", "evergreen") == 0
    assert sorted(e["id"] for e in _manifest(out)["reports"]) == ["evergreen", "moldova"]


# --------------------------------------------------------------------------- filesystem faults


def _fail_inside(folder: Path, err: int, real):
    def patched(path, *args, **kwargs):
        if str(os.fspath(path)).startswith(str(folder)):
            raise OSError(err, os.strerror(err), os.fspath(path))
        return real(path, *args, **kwargs)
    return patched


def test_a_read_only_output_folder_is_a_one_line_error_with_exit_2(tmp_path, notebooks, monkeypatch, capsys):
    out = tmp_path / "out"  # a read-only folder left by an earlier run
    for sub in ("countries", "teams"):
        (out / sub).mkdir(parents=True)
    for name in ("open", "replace", "mkdir"):
        monkeypatch.setattr(os, name, _fail_inside(out, errno.EROFS, getattr(os, name)))
    code = _run_cli(out, "--only", "moldova")
    line = _one_line_error(capsys.readouterr().err)
    assert code == 2
    assert line == (f"evalkit: {out / '.evalkit.lock'}: cannot write (Read-only file system); "
                    "make the folder writable or use another --out")
    assert sorted(p.name for p in out.rglob("*")) == ["countries", "teams"]  # nothing run, nothing written


def test_a_full_disk_leaves_no_partial_files_and_no_notebook_without_its_page(tmp_path, notebooks, monkeypatch,
                                                                               capsys):
    # the disk fills up while any page is written (the report's own, then the index)
    real_fsync = os.fsync

    def fsync(fd):
        if ".html." in os.path.realpath(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    out = tmp_path / "out"
    code = _run_cli(out, "--only", "moldova")
    line = _one_line_error(capsys.readouterr().err)
    assert code == 2
    assert line == f"evalkit: {out / 'index.html'}: cannot write (No space left on device); free some disk space and run again"
    assert _leftovers(out) == []
    for notebook in out.rglob("*.ipynb"):
        assert notebook.with_suffix(".html").is_file(), notebook
    assert not list((out / "countries").iterdir())  # the report could not be written: neither file
    (entry,) = _manifest(out)["reports"]  # the manifest (not a page) was still written, with the reason
    assert entry["status"] == "failed"
    assert entry["error"] == (f"{out / 'countries' / 'moldova.html'}: cannot write (No space left on device); "
                              "free some disk space and run again")


@pytest.mark.parametrize("foreign", [
    [{"kind": "country", "id": "moldova"}],                     # a list, not an object
    {"reports": [{"id": "moldova", "status": "ok"}]},           # entries missing fields
    {"reports": "none"},                                        # reports not a list
], ids=["list", "entries-missing-keys", "reports-not-a-list"])
def test_a_manifest_of_another_structure_is_moved_aside_with_a_warning(tmp_path, notebooks, capsys, foreign):
    out = tmp_path / "out"
    out.mkdir()
    text = json.dumps(foreign)
    (out / "manifest.json").write_text(text)
    code = _run_cli(out, "--only", "moldova")
    err = capsys.readouterr().err
    assert code == 0
    assert "Traceback" not in err
    (warning,) = [line for line in err.splitlines() if line.strip()]
    (aside,) = out.glob("manifest.json.bad-*")
    assert warning.startswith(f"evalkit: warning: {out / 'manifest.json'}: ")
    assert warning.endswith(f"not a manifest evalkit wrote; moved it to {aside.name} and carrying on")
    assert aside.read_text() == text
    assert [(e["id"], e["status"]) for e in _manifest(out)["reports"]] == [("moldova", "ok")]


# --------------------------------------------------------------------------- --timeout


def test_timeout_stops_a_slow_report_and_fails_it(tmp_path, monkeypatch):
    folder = tiny_notebooks(tmp_path / "notebooks", "import time\ntime.sleep(60)")
    monkeypatch.setattr(run_module, "default_notebooks_dir", lambda: folder)
    out = tmp_path / "out"
    t0 = time.monotonic()
    assert _run_cli(out, "--only", "moldova", "--timeout", "1.5") == 1
    assert time.monotonic() - t0 < 30
    (entry,) = _manifest(out)["reports"]
    assert (entry["status"], entry["error"]) == ("failed", "timed out after 2 s")


@pytest.mark.parametrize("value", ["0", "-5", "nan"])
def test_timeout_must_be_above_zero(tmp_path, value, capsys):
    out = tmp_path / "out"
    assert _run_cli(out, "--timeout", value) == 2
    line = _one_line_error(capsys.readouterr().err)
    assert line.startswith(f"evalkit: --timeout {float(value)} is not allowed")
    assert not out.exists()


def test_timeout_and_wait_lock_are_documented_options():
    args = build_parser().parse_args(["run"])
    assert (args.timeout, args.wait_lock) == (1800.0, 0.0)
    help_text = build_parser()._subparsers._group_actions[0].choices["run"].format_help()
    assert "--timeout SECONDS" in help_text and "--wait-lock SECONDS" in help_text
    readme = (ROOT / "README.md").read_text()
    assert "--timeout SECONDS" in readme and "--wait-lock SECONDS" in readme
