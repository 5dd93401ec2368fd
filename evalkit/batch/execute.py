"""Execute one report notebook: papermill's parameters and error marking, two engines.

Both engines go through papermill's own pipeline (``parameterize_notebook`` injects a
cell tagged ``injected-parameters`` after the cell tagged ``parameters``;
``NotebookExecutionManager`` records per-cell status and timing; on an error the failing
cell is marked and a banner linking to it is inserted, exactly as ``papermill`` does).
They differ only in what runs the cells:

``papermill``
    papermill's standard nbclient engine: a fresh Jupyter kernel (a new Python process)
    per notebook. The reference path, kept for fidelity.
``fast``
    an IPython shell *inside the calling process* (``_InProcessEngine``). The batch runner
    calls it in a freshly forked child of a parent that has already imported pandas,
    matplotlib, seaborn, statsmodels and evalkit, so a report pays no kernel start-up and
    no imports, and every report still starts from a clean copy of the parent's state.
    The shell captures outputs the way ipykernel + nbclient record them (streams,
    ``display_data``, ``execute_result`` with its execution count, ``error`` with the
    coloured traceback) and shows matplotlib figures through the same inline backend.

Neither engine writes files: the caller gets the executed notebook back and writes it
atomically (see ``evalkit.batch.run``).
"""
from __future__ import annotations

import base64
import contextlib
import datetime as _dt
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

FAST_ENGINE_NAME = "evalkit-inprocess"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"

#: The modules a report needs, imported once by the batch runner's parent process so forked
#: children start warm. Order matters only for speed.
PRELOAD_MODULES = (
    "numpy",
    "pandas",
    "scipy.stats",
    "matplotlib",
    "matplotlib.pyplot",
    "matplotlib_inline.backend_inline",
    "seaborn",
    "yaml",
    "pydantic",
    "IPython",
    "IPython.core.interactiveshell",
    "nbformat",
    "nbconvert",
    "papermill",
    "papermill.execute",
)


@dataclass(frozen=True)
class CellError:
    """Where and why a notebook stopped.

    ``cell`` is the 1-based position of the failing cell in the *input* notebook as
    JupyterLab shows it (markdown cells count; the injected parameters cell does not);
    ``execution_count`` is its ``In [n]`` number in the executed notebook.
    """

    cell: int
    execution_count: int | None
    ename: str
    evalue: str

    def __str__(self) -> str:
        return f"cell {self.cell} (In [{self.execution_count}]): {self.ename}: {self.evalue}"


@dataclass(frozen=True)
class ExecutedNotebook:
    """An executed notebook (``nbformat.NotebookNode``) and its error, if it stopped."""

    nb: object
    error: CellError | None


def execute_notebook(notebook, parameters: dict, *, engine: str = "fast", cwd=None,
                     output_label: str | None = None, cell_timeout: float | None = None) -> ExecutedNotebook:
    """Parameterise and execute one notebook; never raises for errors inside the notebook.

    Parameters
    ----------
    notebook : path-like
        The input notebook (``.ipynb``) with one cell tagged ``parameters``.
    parameters : dict
        Values injected by papermill in a cell tagged ``injected-parameters``.
    engine : {"fast", "papermill"}
        ``fast``: run the cells in this process (call it in a fresh forked process);
        ``papermill``: papermill's standard engine with a fresh kernel (thread-safe: it
        does not change this process's working directory).
    cwd : path-like, optional
        Working directory while the cells run (default: the notebook's folder, as when a
        user presses Run All in JupyterLab). ``papermill``: the kernel's working directory.
    output_label : str, optional
        Recorded as ``metadata.papermill.output_path`` (where the caller will write it).
    cell_timeout : float, optional
        ``papermill`` engine only: seconds one cell may run (default: no limit).

    Returns
    -------
    ExecutedNotebook
        ``nb`` with outputs (and papermill's error markers if a cell raised) and ``error``.

    Raises
    ------
    evalkit.errors.ReportError
        The notebook file cannot be read or the engine name is unknown.
    """
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillExecutionError
    from papermill.execute import prepare_notebook_metadata, raise_for_execution_errors, remove_error_markers
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook
    from papermill.utils import chdir

    from evalkit.errors import ReportError

    if engine not in ("fast", "papermill"):
        raise ReportError(f"engine {engine!r} is unknown; use 'fast' or 'papermill'")
    notebook = Path(notebook)
    try:
        nb = load_notebook_node(str(notebook))
    except (OSError, ValueError) as exc:
        raise ReportError(f"{notebook}: cannot read the notebook ({exc}); check the file") from exc
    cwd = Path(cwd) if cwd is not None else notebook.resolve().parent
    engine_name = None
    engine_kwargs = {}
    if engine == "fast":
        _register_fast_engine()
        engine_name = FAST_ENGINE_NAME
    else:
        # The kernel starts in ``cwd`` (nbclient's ``resources.metadata.path``), so this
        # process's own working directory is never changed: safe in a thread, e.g. a Dask
        # worker running several reports at once.
        engine_kwargs["resources"] = {"metadata": {"path": str(cwd)}}
        # figures drawn once, as the fast engine draws them (see draw_figures_once_in_kernel)
        engine_kwargs["extra_arguments"] = [f"--IPKernelApp.exec_lines={KERNEL_FIGURES_LINE}"]
        if cell_timeout is not None:
            engine_kwargs["execution_timeout"] = cell_timeout

    # The steps of papermill.execute.execute_notebook, minus its file writes (the caller
    # writes atomically) so that the notebook object survives an execution error.
    nb = parameterize_notebook(nb, parameters, kernel_name="python3", language="python", engine_name=engine_name)
    nb = prepare_notebook_metadata(nb, str(notebook), output_label)
    nb = remove_error_markers(nb)
    kernel_name = papermill_engines.nb_kernel_name(engine_name=engine_name, nb=nb, name="python3")
    with (chdir(str(cwd)) if engine == "fast" else contextlib.nullcontext()):
        nb = papermill_engines.execute_notebook_with_engine(
            engine_name, nb, input_path=str(notebook), output_path=None, kernel_name=kernel_name,
            progress_bar=False, log_output=False, start_timeout=60, stdout_file=None, stderr_file=None,
            **engine_kwargs,
        )
    try:
        raise_for_execution_errors(nb, None)  # marks the failing cell in place, then raises
    except PapermillExecutionError as exc:
        return ExecutedNotebook(nb, _cell_error(nb, exc))
    return ExecutedNotebook(nb, None)


def _cell_error(nb, exc) -> CellError:
    """The failing cell's position as the user sees it in the input notebook.

    ``exc.cell_index`` (papermill's pick: the last cell holding an ``error`` output) is the
    cell's index before papermill inserted its two marker cells. It is used rather than the
    cell that stopped the run because an error raised while drawing a figure (the inline
    backend renders figures after the cell's code, in ``post_execute``) leaves an error
    output in the cell that drew it without stopping the run: no cell is then flagged, and
    counting to the flagged cell named the notebook's last cell instead.
    """
    position = 0
    index = -1  # index among the cells papermill saw (its marker cells skipped)
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "papermill-error-cell-tag" in tags:
            continue
        index += 1
        if "injected-parameters" not in tags:
            position += 1
        if index == exc.cell_index:
            break
    evalue = " ".join(str(exc.evalue).split())
    return CellError(cell=position, execution_count=exc.exec_count, ename=str(exc.ename), evalue=evalue)


def preload() -> None:
    """Import everything a report needs, once, so forked children start warm.

    Sets ``MPLBACKEND`` to the inline backend *before* matplotlib is imported (as
    ipykernel does), and renders one tiny figure off-screen to fill the font caches.
    Creates no IPython shell and no pyplot figure, so nothing leaks into children.
    """
    import importlib

    skip_unused_imports()
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    os.environ["MPLBACKEND"] = INLINE_BACKEND
    for name in PRELOAD_MODULES:
        importlib.import_module(name)
    for name in sorted(_evalkit_modules()):
        importlib.import_module(name)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], label="x")
    ax.set_title("warm-up")
    ax.legend()
    fig.canvas.draw()


#: Optional modules that jsonschema imports (inside ``try/except ImportError``) only to offer
#: extra string-format checkers. nbformat validates notebooks with jsonschema but its schema
#: uses none of these formats, and no report needs them; rfc3987_syntax alone builds a Lark
#: grammar at import (~2.5 s CPU).
UNUSED_FORMAT_CHECKERS = ("rfc3987_syntax", "rfc3987", "webcolors", "isoduration", "uri_template", "fqdn")


def skip_unused_imports() -> None:
    """Mark :data:`UNUSED_FORMAT_CHECKERS` unimportable in this process (and its forks).

    Called by the batch runner before it imports nbformat; a module already imported is
    left alone. A notebook opened in JupyterLab is unaffected.
    """
    for name in UNUSED_FORMAT_CHECKERS:
        sys.modules.setdefault(name, None)


def _evalkit_modules() -> list[str]:
    """Names of evalkit's importable modules (for preloading), excluding entry points."""
    root = Path(__file__).resolve().parents[1]
    names = []
    for path in root.rglob("*.py"):
        rel = path.relative_to(root.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts[-1] in ("__main__",):
            continue
        names.append(".".join(parts))
    return names


# --------------------------------------------------------------------------- fast engine

_LANGUAGE_INFO = {
    # What ipykernel's IPythonKernel reports in kernel_info (nbclient copies it into the
    # notebook metadata).
    "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": f"ipython{sys.version_info[0]}",
    "version": sys.version.split()[0],
}

# Python's own default warning filters (what a fresh kernel process starts from).
_DEFAULT_WARNING_FILTERS = (
    ("default", DeprecationWarning, "__main__"),
    ("ignore", DeprecationWarning, ""),
    ("ignore", PendingDeprecationWarning, ""),
    ("ignore", ImportWarning, ""),
    ("ignore", ResourceWarning, ""),
)


def _pandas_as_in_a_kernel() -> None:
    """Give pandas the display defaults it picks when imported inside a Jupyter kernel.

    pandas decides ``display.max_columns`` at import time (0 = fit the terminal, 20 in a
    kernel: ``pandas.core.config_init.is_terminal``). The batch parent imported pandas
    outside any shell, so set the kernel value (and make it the default ``reset_option``
    returns to).
    """
    pd = sys.modules.get("pandas")
    if pd is None:
        return
    registry = getattr(getattr(pd, "_config", None), "config", None)
    options = getattr(registry, "_registered_options", None)
    key = "display.max_columns"
    if options is not None and key in options and options[key].defval == 0:
        options[key] = options[key]._replace(defval=20)
    if pd.get_option(key) == 0:
        pd.set_option(key, 20)


def _register_fast_engine() -> None:
    from papermill.engines import papermill_engines

    if FAST_ENGINE_NAME not in papermill_engines._engines:
        papermill_engines.register(FAST_ENGINE_NAME, _engine_class())


_ENGINE_CLASS = None


def _engine_class():
    """Build the papermill engine class lazily (papermill is imported only when needed)."""
    global _ENGINE_CLASS
    if _ENGINE_CLASS is not None:
        return _ENGINE_CLASS
    from papermill.engines import Engine

    class _InProcessEngine(Engine):
        """papermill engine running the cells in an IPython shell in this process."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            session = _Session()
            for index, cell in enumerate(nb_man.nb.cells):
                try:
                    nb_man.cell_start(cell, index)
                    ok = session.run(cell)
                    if not ok:
                        nb_man.cell_exception(nb_man.nb.cells[index], cell_index=index)
                        break
                finally:
                    nb_man.cell_complete(nb_man.nb.cells[index], cell_index=index)
            nb_man.nb.metadata["language_info"] = dict(_LANGUAGE_INFO)

    _ENGINE_CLASS = _InProcessEngine
    return _ENGINE_CLASS


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _json_data(data: dict) -> dict:
    """Mime bundle as the kernel's JSON session would send it (bytes become base64)."""
    out = {}
    for key, value in data.items():
        if isinstance(value, bytes):
            value = base64.b64encode(value).decode("ascii")
        out[key] = value
    return out


def _node(output: dict):
    import nbformat

    return nbformat.from_dict(output)


def _draw_figures_once(shell) -> None:
    """Show figures as PNG drawn once instead of the inline backend's two or three passes.

    The inline backend saves with ``bbox_inches="tight"``: matplotlib then draws every figure
    once to measure it and again to render it (and a figure with a layout engine runs its
    layout in both). Here every figure is rendered by a single Agg draw at its own size and
    DPI (``figure.dpi``, as the inline backend uses), the layout running once inside it: a
    figure without a layout engine gets matplotlib's constrained layout (which keeps titles,
    tick labels and legends placed beside the axes inside the figure, the job the tight
    bounding box did); figures already laid out (``layout="constrained"``,
    ``tight_layout()``) keep theirs.
    """
    from matplotlib.figure import Figure

    shell.display_formatter.formatters["image/png"].for_type(Figure, _figure_png)


#: Run by the papermill engine's kernel at start-up (not a notebook cell: no execution count).
KERNEL_FIGURES_LINE = "__import__('evalkit.batch.execute', fromlist=['_']).draw_figures_once_in_kernel()"


def draw_figures_once_in_kernel() -> None:
    """In a Jupyter kernel: show figures as :func:`_draw_figures_once` does, like the fast engine.

    Runs before any cell; the inline backend, set up later when a cell imports pyplot, then
    keeps this PNG formatter instead of installing its own (``bbox_inches="tight"``).
    """
    from IPython import get_ipython
    from matplotlib_inline.backend_inline import configure_inline_support

    shell = get_ipython()
    if shell is None:
        return
    _draw_figures_once(shell)
    configure_inline_support.current_backend = "inline"


def _figure_png(fig):
    """PNG (base64 text) of ``fig`` in one draw, or None for an empty figure (as IPython does)."""
    from binascii import b2a_base64

    from evalkit.plotting.render import figure_png

    png = figure_png(fig)
    return None if png is None else b2a_base64(png, newline=False).decode("ascii")


class _Sink:
    """Collects one cell's outputs in the order the kernel would have sent them."""

    def __init__(self):
        self.outputs: list = []
        self.clear_on_next = False
        self.display_ids: dict = {}   # display_id -> list of output dicts (across cells)

    def _before_output(self):
        if self.clear_on_next:
            self.outputs.clear()
            self.clear_on_next = False

    def stream(self, name: str, text: str):
        if not text:
            return
        self._before_output()
        if self.outputs and self.outputs[-1]["output_type"] == "stream" and self.outputs[-1]["name"] == name:
            self.outputs[-1]["text"] += text
        else:
            self.outputs.append(_node({"output_type": "stream", "name": name, "text": text}))

    def display(self, data, metadata, transient, update):
        display_id = (transient or {}).get("display_id")
        if update:
            for out in self.display_ids.get(display_id, []):
                out["data"] = _json_data(data)
                out["metadata"] = metadata or {}
            return
        self._before_output()
        out = _node({"output_type": "display_data", "data": _json_data(data), "metadata": metadata or {}})
        self.outputs.append(out)
        if display_id:
            self.display_ids.setdefault(display_id, []).append(out)

    def result(self, data, metadata, execution_count):
        self._before_output()
        self.outputs.append(_node({"output_type": "execute_result", "data": _json_data(data),
                                   "metadata": metadata or {}, "execution_count": execution_count}))

    def error(self, ename, evalue, traceback):
        self._before_output()
        self.outputs.append(_node({"output_type": "error", "ename": ename, "evalue": evalue,
                                   "traceback": list(traceback)}))

    def clear(self, wait: bool):
        if wait:
            self.clear_on_next = True
        else:
            self.outputs.clear()
            self.clear_on_next = False


class _Session:
    """One IPython shell set up as ipykernel sets up a fresh kernel, plus output capture."""

    def __init__(self):
        import io

        import matplotlib
        from IPython.core.displayhook import DisplayHook
        from IPython.core.displaypub import DisplayPublisher
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        sink = self.sink = _Sink()

        class _Stream(io.TextIOBase):
            def __init__(self, name):
                super().__init__()
                self.name = name

            @property
            def encoding(self):
                return "UTF-8"

            def writable(self):
                return True

            def isatty(self):
                return False

            def write(self, text):
                if not isinstance(text, str):
                    raise TypeError(f"write() argument must be str, not {type(text).__name__}")
                sink.stream(self.name, text)
                return len(text)

        class _Publisher(DisplayPublisher):
            def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
                sys.stdout.flush()
                sys.stderr.flush()
                sink.display(data, metadata, transient, update)

            def clear_output(self, wait=False):
                sink.clear(wait)

        class _Hook(DisplayHook):
            _pending = None

            def start_displayhook(self):
                super().start_displayhook()
                self._pending = None

            def write_output_prompt(self):
                pass

            def write_format_data(self, format_dict, md_dict=None):
                self._pending = (format_dict, md_dict)

            def finish_displayhook(self):
                sys.stdout.flush()
                sys.stderr.flush()
                if self._pending is not None:
                    sink.result(self._pending[0], self._pending[1], self.prompt_count)
                self._pending = None
                self._is_active = False

        class _ZMQCompatibleShell(InteractiveShell):
            # "zmq" in the class name on purpose: pandas (in_ipython_frontend) and others
            # detect a Jupyter kernel by it and then format for a notebook, not a terminal.
            displayhook_class = _Hook
            display_pub_class = _Publisher

            def _showtraceback(self, etype, evalue, stb):
                sys.stdout.flush()
                sys.stderr.flush()
                sink.error(str(etype.__name__), str(evalue), stb)

            def enable_gui(self, gui=None):
                self.active_eventloop = gui

        # A fresh kernel process starts from matplotlib's file defaults, the inline
        # backend and Python's default warning filters: reset whatever the parent did.
        os.environ["MPLBACKEND"] = INLINE_BACKEND
        matplotlib.rc_file_defaults()
        warnings.resetwarnings()
        for action, category, module in reversed(_DEFAULT_WARNING_FILTERS):
            warnings.filterwarnings(action, category=category, module=module)
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")
        cwd = os.getcwd()
        if sys.path[:1] != [cwd]:
            sys.path.insert(0, cwd)  # `python -m ipykernel_launcher` puts its cwd first

        existing = InteractiveShell._instance
        if existing is not None and not getattr(existing, "_evalkit_fast_engine", False):
            from evalkit.errors import ReportError

            raise ReportError("the fast engine runs a notebook inside a fresh process and cannot run inside an "
                              "IPython session; use engine='papermill' here")
        if existing is not None:  # an earlier notebook of this process (e.g. a test): start a new shell
            InteractiveShell.clear_instance()
            existing.events.callbacks["post_execute"].clear()

        config = Config()
        config.HistoryManager.hist_file = ":memory:"  # as nbclient asks of a kernel
        # ipykernel's ZMQInteractiveShell sets this so tqdm.auto knows it runs in a kernel
        config.IPKernelApp.tqdm = "dummy value for https://github.com/tqdm/tqdm/pull/1628"
        self.stdout, self.stderr = _Stream("stdout"), _Stream("stderr")
        self._saved = (sys.stdout, sys.stderr, sys.stdin)
        sys.stdout, sys.stderr, sys.stdin = self.stdout, self.stderr, io.StringIO()
        try:
            # ipykernel compiles cells with its XCachingCompiler (cell "files" in a temp
            # folder); tracebacks depend on it, so use the same.
            from ipykernel.compiler import XCachingCompiler

            self.shell = _ZMQCompatibleShell.instance(config=config, compiler_class=XCachingCompiler)
            self.shell._evalkit_fast_engine = True
            from IPython.core.pylabtools import activate_matplotlib
            from matplotlib_inline.backend_inline import configure_inline_support

            activate_matplotlib(INLINE_BACKEND)
            configure_inline_support(self.shell, INLINE_BACKEND)
            _draw_figures_once(self.shell)
            sys.modules["matplotlib.pyplot"].install_repl_displayhook()  # as pyplot does when imported in a kernel
            _pandas_as_in_a_kernel()
        finally:
            sys.stdout, sys.stderr, sys.stdin = self._saved

    def run(self, cell) -> bool:
        """Run one cell (as nbclient would ask a kernel to); False if it raised."""
        if cell.get("cell_type") != "code" or not cell.get("source", "").strip():
            return True
        if "skip-execution" in cell.get("metadata", {}).get("tags", []):
            return True
        sink = self.sink
        sink.outputs = []
        sink.clear_on_next = False
        timing = {"iopub.status.busy": _now()}
        cell["outputs"] = []
        sys.stdout, sys.stderr, sys.stdin = self.stdout, self.stderr, self._saved[2]
        try:
            timing["iopub.execute_input"] = _now()
            result = self.shell.run_cell(cell["source"], store_history=True, silent=False)
        finally:
            sys.stdout, sys.stderr, sys.stdin = self._saved
        timing["shell.execute_reply"] = _now()
        timing["iopub.status.idle"] = timing["shell.execute_reply"]
        cell["outputs"] = list(sink.outputs)
        cell["execution_count"] = result.execution_count
        cell.setdefault("metadata", {})["execution"] = timing
        allowed = "raises-exception" in cell.get("metadata", {}).get("tags", [])
        return bool(result.success) or allowed
