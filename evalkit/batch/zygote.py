"""A warm process on each Dask worker that forks one fresh child per report.

The local engine imports the libraries once and forks a fresh child per report
(:mod:`evalkit.batch.local`). A Dask worker cannot simply fork itself: it runs an event
loop and other threads, and a fork copies whatever locks they hold. So each worker
process starts, on its first report, one helper process of its own (``python -m
evalkit.batch.zygote``): single-threaded, it imports everything a report needs and then
waits on a Unix socket. For each report it

1. makes sure the run's shared inputs are in place (once per run and helper): the params
   files in a private folder, the tables every report of a kind reads whole (a team
   report's ``measures`` and ``teams``) typed in memory, and what every team report
   computes from all units (:func:`evalkit.report.sections.warm_shared_analyses`);
2. forks a fresh child, which takes the report's own rows (:class:`evalkit.inputs.read.TableSlice`),
   executes the notebook with the fast engine, exports the HTML and sends the result back
   on the socket, then exits.

So a report on a worker costs what it costs locally, and no report sees another's state.
The helper dies with its worker (``PR_SET_PDEATHSIG``); a child that dies fails its
report only; a helper that died is started again for the next report.
"""
from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import pickle
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

__all__ = ["WarmProcess", "warm_process", "render_remote", "main"]

_HEADER = struct.Struct("!Q")
#: Folders of a run's private copy of its inputs on a worker.
_DATA, _PARAMS, _NOTEBOOKS = "data", "params", "notebooks"
#: Runs whose inputs a helper keeps (older ones are deleted).
_KEEP_RUNS = 2


def _send(sock: socket.socket, obj) -> None:
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_HEADER.pack(len(payload)) + payload)


def _recv(sock: socket.socket):
    header = _recv_exactly(sock, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    payload = _recv_exactly(sock, size)
    if payload is None:
        return None
    return pickle.loads(payload)


def _recv_exactly(sock: socket.socket, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# --------------------------------------------------------------------------- worker side


class WarmProcess:
    """The helper process of one Dask worker process, and how to ask it for a report."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="evalkit-warm-"))
        if len(str(self.folder)) > 80:  # a Unix socket's path holds at most 107 bytes
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = Path(tempfile.mkdtemp(prefix="evalkit-warm-", dir="/tmp"))
        self.address = str(self.folder / "socket")
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self.process = subprocess.Popen([sys.executable, "-m", "evalkit.batch.zygote", self.address],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        env=env)
        while True:  # "ready" once everything is imported and the socket listens (a library may print first)
            line = self.process.stdout.readline()
            if not line:
                self.process.kill()
                raise RuntimeError("the warm report process did not start on this worker")
            if line.strip() == b"ready":
                break

    def alive(self) -> bool:
        return self.process.poll() is None

    def render(self, request: dict, timeout: float | None = None) -> dict | None:
        """Send one report's request; the child's result, or None if the child died.

        The child first sends its pid; after ``timeout`` seconds it is killed and the
        result is a failure saying so.
        """
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(self.address)
            _send(sock, request)
            started = _recv(sock)
            if started is None or "pid" not in started:
                return started  # the helper could not prepare the run (its message), or died
            sock.settimeout(timeout)
            try:
                return _recv(sock)
            except TimeoutError:
                try:
                    os.kill(started["pid"], signal.SIGKILL)
                except OSError:
                    pass
                return {"status": "failed", "ipynb": None, "error": f"timed out after {timeout:.0f} s"}

    def close(self) -> None:
        if self.alive():
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


_WARM: WarmProcess | None = None
_WARM_LOCK = threading.Lock()


def warm_process() -> WarmProcess:
    """This worker process's helper, started (again) if it is not running."""
    global _WARM
    with _WARM_LOCK:
        if _WARM is None or not _WARM.alive():
            if _WARM is not None:
                _WARM.close()
            _WARM = WarmProcess()
        return _WARM


def render_remote(request: dict, timeout: float | None = None) -> dict:
    """Render one report in this worker's helper (see the module docstring).

    ``request``: ``run`` (a digest of the shared inputs), ``shared`` (``params``,
    ``notebooks``: {relative path: bytes}, ``tables``: {name: TableSlice}), ``job``
    (:class:`evalkit.batch.plan.ReportJob`), ``slices`` (its own rows), ``generated_at``,
    ``output_label``. ``timeout``: seconds the report may take (then it is stopped and failed).
    """
    result = warm_process().render(request, timeout)
    if result is None:
        return {"status": "failed", "ipynb": None,
                "error": ("the worker process rendering this report died (killed, out of memory or crashed); "
                          "see the worker's log")}
    return result


# --------------------------------------------------------------------------- the helper process


def main(address: str) -> int:
    """The helper: import everything, listen, fork a child per report."""
    from evalkit.batch.execute import preload
    from evalkit.batch.local import _die_with_parent, _warm_exporter
    from evalkit.inputs.read import parsed_once
    from evalkit.memo import run_memo
    from evalkit.report.html import _exporter

    _die_with_parent()
    preload()
    _warm_exporter(_exporter())
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(address)
    server.listen(64)
    runs: dict = {}
    with parsed_once(), run_memo():
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        while True:
            conn, _ = server.accept()
            try:
                try:
                    request = _recv(conn)
                except Exception:  # noqa: BLE001 - a broken request ends its connection, not the helper
                    continue
                if request is None:
                    continue
                try:
                    root = _prepare_run(request, runs, Path(address).parent)
                except Exception as exc:  # noqa: BLE001 - reported as this report's failure
                    with contextlib.suppress(OSError):
                        _send(conn, {"status": "failed", "ipynb": None,
                                     "error": f"on the Dask worker: {type(exc).__name__}: {exc}"})
                    continue
                gc.collect()
                gc.freeze()  # children skip the inherited objects (see evalkit.batch.local.prepare_parent)
                pid = os.fork()
                if pid == 0:
                    code = 0
                    try:
                        server.close()
                        _die_with_parent()
                        _send(conn, {"pid": os.getpid()})
                        _child(conn, request, root)
                    except BaseException:  # noqa: BLE001 - the socket closes: the report failed
                        code = 1
                    finally:
                        os._exit(code)
            finally:
                conn.close()


def _prepare_run(request: dict, runs: dict, folder: Path) -> Path:
    """The run's private folder, with its params, notebooks and whole tables (once per run)."""
    from evalkit.inputs.read import forget_parsed_tables, provide_parsed_tables
    from evalkit.memo import forget

    run = request["run"]
    if run in runs:
        return runs[run]
    # a new run: what earlier runs shared is let go (the inputs of the last few runs are kept)
    gc.unfreeze()
    forget()
    for old in list(runs)[: max(0, len(runs) - _KEEP_RUNS + 1)]:
        forget_parsed_tables(runs[old])
        shutil.rmtree(runs.pop(old), ignore_errors=True)
    gc.collect()
    root = folder / f"run-{run[:16]}"
    shutil.rmtree(root, ignore_errors=True)
    shared = request["shared"]
    for base, files in ((_PARAMS, shared["params"]), (_NOTEBOOKS, shared["notebooks"])):
        for rel, payload in files.items():
            path = root / base / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(payload)
    (root / _DATA).mkdir(parents=True, exist_ok=True)
    provide_parsed_tables(root / _DATA, shared["tables"])
    runs[run] = root
    warm = shared.get("warm")
    if warm is not None:  # one team report's parameters: compute what all team reports share
        from evalkit.report.sections import warm_shared_analyses

        try:
            warm_shared_analyses(_local_parameters(warm, root))
        except Exception:  # noqa: BLE001 - each report then computes (and reports) it itself
            pass
    return root


def _local_parameters(parameters: dict, root: Path) -> dict:
    out = dict(parameters)
    out["data_dir"] = str(root / _DATA)
    out["params_dir"] = str(root / _PARAMS)
    return out


def _child(conn: socket.socket, request: dict, root: Path) -> None:
    from evalkit.batch.local import _quiet_child_output, execute_report
    from evalkit.inputs.read import provide_parsed_tables

    _quiet_child_output()
    job = request["job"]
    provide_parsed_tables(root / _DATA, request["slices"])
    client_paths = {"data_dir": job.parameters.get("data_dir"), "params_dir": job.parameters.get("params_dir")}
    local_job = dataclasses.replace(job, notebook=root / _NOTEBOOKS / job.notebook.name,
                                    parameters=_local_parameters(job.parameters, root))
    path_map = [(str(root / _NOTEBOOKS), str(job.notebook.parent))]
    path_map += [(str(root / folder), client_paths[name]) for folder, name in ((_DATA, "data_dir"),
                                                                               (_PARAMS, "params_dir"))
                 if client_paths[name]]
    rendered = execute_report(local_job, engine="fast", generated_at=request["generated_at"],
                              output_label=request["output_label"], path_map=tuple(path_map))
    _send(conn, rendered)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
