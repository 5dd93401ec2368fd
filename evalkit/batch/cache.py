"""The cache key of a report, and the fingerprint of a run's inputs.

Step 3 of :func:`evalkit.batch.run_batch`: a report whose ``inputs_sha256`` is unchanged and
whose last render was fine is not executed again. The key covers the notebook, the params
files the report depends on, the data tables its kind reads
(:attr:`evalkit.inputs.kinds.ReportKind.tables`), its non-path parameters, and evalkit's
version and source code.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["FileHasher", "job_digest", "source_sha256", "fingerprint", "version", "DATA_SUFFIXES"]

#: Data file endings a table may have (a table's cache key covers each that exists).
DATA_SUFFIXES = (".csv", ".xlsx", ".parquet")


class FileHasher:
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


def version() -> str:
    from evalkit import __version__

    return __version__


_SOURCE_SHA = None


def source_sha256() -> str:
    """sha256 over every .py file of the evalkit package (paths and contents)."""
    global _SOURCE_SHA
    if _SOURCE_SHA is None:
        root = Path(__file__).resolve().parents[1]
        h = hashlib.sha256()
        for path in sorted(root.rglob("*.py")):
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
        _SOURCE_SHA = h.hexdigest()
    return _SOURCE_SHA


def job_digest(kind, report_id: str, *, notebook: Path, params_files, data_dir: Path, exclude, source: str,
               file_hash: FileHasher) -> str:
    """``inputs_sha256`` of one report: evalkit's version and source, the kind, id and left-out
    units, the notebook, the params files and the data tables the kind reads."""
    h = hashlib.sha256()
    h.update(f"evalkit {version()} {source}\n".encode())
    h.update(f"{kind.name} {report_id} exclude={','.join(exclude)}\n".encode())
    h.update(file_hash(notebook).encode())
    for path in params_files:
        h.update(f"{path.name} {file_hash(path)}\n".encode())
    for table in kind.tables:
        for suffix in DATA_SUFFIXES:
            path = data_dir / f"{table}{suffix}"
            if path.is_file():
                h.update(f"{path.name} {file_hash(path)}\n".encode())
    return h.hexdigest()


def fingerprint(params_dir: Path, data_dir: Path) -> str:
    """Hash of everything validation looks at (all params and data files) plus evalkit's code."""
    h = hashlib.sha256()
    h.update(f"{version()} {source_sha256()}\n".encode())
    hasher = FileHasher()
    for folder, pattern in ((params_dir, "**/*.yaml"), (params_dir, "**/*.yml"), (data_dir, "*")):
        if folder.is_dir():
            for path in sorted(folder.glob(pattern)):
                if path.is_file():
                    h.update(f"{path.relative_to(folder)} {hasher(path)}\n".encode())
    return h.hexdigest()


