"""Run-scoped memory for results that every report of a run computes from the same inputs.

Each team report judges its measures against the units that did not take part, and that
comparison (the imputation fit over every unit, the base rate of their charts) is the same
for every team of a run. Inside :func:`run_memo` a computation wrapped in :func:`remember`
runs once per key; the batch runner opens the block, computes the shared parts once in its
parent process and then forks the reports, which inherit the results (each fork has its own
copy: nothing a report does reaches another).

Keys are built from the *content* of the inputs (:func:`frame_digest`), never from object
identity, so a remembered result is exactly what computing it again would give. Outside the
block nothing is remembered: a notebook run on its own computes everything itself.
"""
from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Hashable
from typing import TypeVar

import pandas as pd

__all__ = ["run_memo", "remember", "forget", "frame_digest", "file_stamp"]

T = TypeVar("T")
_MEMO: dict | None = None


@contextlib.contextmanager
def run_memo():
    """Within this block :func:`remember` computes each key once (nested blocks share one)."""
    global _MEMO
    previous = _MEMO
    if previous is None:
        _MEMO = {}
    try:
        yield
    finally:
        _MEMO = previous


def remember(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or its remembered result for ``key`` inside :func:`run_memo`.

    Callers must treat the result as read-only: it is shared by every later caller in the
    same process.
    """
    if _MEMO is None:
        return compute()
    if key not in _MEMO:
        _MEMO[key] = compute()
    return _MEMO[key]


def forget() -> None:
    """Drop everything remembered so far (the block stays open): a long-lived process that
    serves run after run (:mod:`evalkit.batch.zygote`) calls it when a new run begins."""
    if _MEMO is not None:
        _MEMO.clear()


def frame_digest(frame: pd.DataFrame) -> str:
    """A digest of a frame's column names, types and values (not its index)."""
    h = hashlib.sha256(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    if len(frame):
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


def file_stamp(path) -> tuple | None:
    """``(modification time ns, size, inode)`` of a file, or None if it cannot be read: a key
    part that changes whenever the file is rewritten."""
    import os

    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)
