"""One run at a time per output folder: an exclusive lock on ``<out>/.evalkit.lock``.

DESIGN.md §4: two ``evalkit run`` writing the same folder at once would each merge the
manifest they read at the start and the last to finish would drop the other's reports.
:func:`output_lock` holds ``fcntl.flock(LOCK_EX)`` on the lock file for the whole run; the
file records the holder's pid and start time for the second run's message.

A stale lock cannot block: the kernel releases a flock when the last descriptor of its open
file is closed, which happens when the holding process dies, however it dies. The file is
never removed (removing a lock file lets a third run lock a new file while the second still
waits on the old one). The descriptor is opened ``O_CLOEXEC`` so no kernel or subprocess
inherits it, and forked report workers close their inherited copy first
(:func:`close_inherited_locks`), so no worker can keep the lock alive after its run.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import os
import sys
import time
from pathlib import Path

from evalkit.batch.outputs import write_error
from evalkit.errors import ReportError

__all__ = ["LOCK_NAME", "output_lock", "close_inherited_locks"]

LOCK_NAME = ".evalkit.lock"

_HELD: set[int] = set()  # descriptors of the locks this process holds


@contextlib.contextmanager
def output_lock(out_dir: Path, *, wait: float = 0.0):
    """Hold the exclusive lock of ``out_dir`` (which must exist) while the block runs.

    Parameters
    ----------
    out_dir : Path
        The output folder.
    wait : float
        Seconds to wait for another run to finish (a one-line note goes to stderr while
        waiting); 0 fails at once.

    Raises
    ------
    evalkit.errors.ReportError
        Another run still holds the lock after ``wait`` seconds, or the lock file cannot be
        written (read-only folder, no space).
    """
    path = Path(out_dir) / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        raise write_error(path, exc) from exc
    try:
        _acquire(fd, Path(out_dir), path, wait)
        _HELD.add(fd)
        started = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}\nstarted {started}\n".encode(), 0)
        except OSError as exc:
            raise write_error(path, exc) from exc
        yield
    finally:
        _HELD.discard(fd)
        os.close(fd)  # releases the lock (forked workers closed their copies)


def close_inherited_locks() -> None:
    """In a forked child: close the lock descriptors inherited from the parent.

    Only closes them: ``flock(LOCK_UN)`` here would release the parent's lock too.
    """
    for fd in list(_HELD):
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


def _acquire(fd: int, out_dir: Path, path: Path, wait: float) -> None:
    deadline = time.monotonic() + max(wait, 0.0)
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = _holder(path)
        left = deadline - time.monotonic()
        if left <= 0:
            raise ReportError(f"another run is writing to {out_dir} ({holder}); wait for it (--wait-lock SECONDS) "
                              "or use another --out")
        if not told:
            print(f"evalkit: another run is writing to {out_dir} ({holder}); waiting up to {wait:g} s",
                  file=sys.stderr, flush=True)
            told = True
        time.sleep(min(0.2, left))


def _holder(path: Path) -> str:
    """'pid N, started T' from the lock file (best effort: the holder may be rewriting it)."""
    try:
        fields = dict(line.split(" ", 1) for line in path.read_text(encoding="utf-8").splitlines() if " " in line)
    except (OSError, ValueError):
        fields = {}
    pid = fields.get("pid", "unknown")
    return f"pid {pid}, started {fields['started']}" if "started" in fields else f"pid {pid}"
