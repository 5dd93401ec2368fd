"""Reading the data tables: CSV (default), Excel (.xlsx) and Parquet, typed per the data model.

Every table is read through one spec (``evalkit.inputs.schema``), so the types evaluators see
in a notebook are always the same:

- ids and text are pandas strings (blank = missing);
- dates are ``datetime64[ns]``; months (``period``, ``start_month``) are ``datetime64[ns]``
  at the first day of the month;
- counts and other numbers are ``float64``; whole numbers (``wave``, ``gas_level``) are
  ``Int64``; true/false columns are ``bool``.

A file that cannot be read (missing, empty, not UTF-8, wrong delimiter) or holds values
of the wrong type raises :class:`DataValidationFailed` (a :class:`~evalkit.errors.DataError`
and a :class:`~evalkit.errors.ValidationFailed`) listing every problem, one line each.
Checks that need several columns or tables (separation before hire, unknown team ids,
...) live in ``evalkit.inputs.validate``.
"""
from __future__ import annotations

import contextlib
import io as _io
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

# Helpers live in private modules (io.py passed the style guide's ~600-line module size);
# the names other modules import from evalkit.inputs.read stay importable from here.
from evalkit.inputs._parse import _check_pattern, _parse_column, _to_text
from evalkit.inputs._problems import MAX_PROBLEMS_PER_CHECK, _Collector, show  # noqa: F401 - re-exported
from evalkit.errors import DataError, Problem, ValidationFailed
from evalkit.memo import file_stamp
from evalkit.inputs.units import jurisdiction_teams
from evalkit.inputs.schema import SUFFIXES, TABLES, Column, Table
from evalkit.inputs.schema import table as _table_spec


class DataValidationFailed(ValidationFailed, DataError):
    """A data file could not be read or holds invalid values; ``problems`` lists them all."""


# --------------------------------------------------------------------------- reading files

_EMPTY_FILE = "file is empty; it needs at least a header row with the column names"


def find_table_file(data_dir: str | Path, table: str) -> list[Path]:
    """Return the files that hold ``table`` in ``data_dir`` (``<table>.csv|.xlsx|.parquet``)."""
    data_dir = Path(data_dir)
    return [data_dir / f"{table}{suffix}" for suffix in SUFFIXES if (data_dir / f"{table}{suffix}").is_file()]


def _fail(file: str, message: str, **kw) -> DataValidationFailed:
    return DataValidationFailed([Problem(file, message, **kw)])


def _read_raw(path: Path, file: str) -> pd.DataFrame:
    """Read a file into a frame of raw cells (text for CSV); raise for unreadable files."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise _fail(file, "file not found; check the folder name and that the file is named as documented")
    if path.stat().st_size == 0:
        raise _fail(file, _EMPTY_FILE)
    if suffix == ".csv" or suffix not in (".xlsx", ".parquet"):
        return _read_csv(path, file)
    if suffix == ".xlsx":
        try:
            frame = pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")
        except (ValueError, OSError, KeyError) as exc:
            raise _fail(file, f"cannot be read as an Excel workbook ({_one_line(exc)}); save it as .xlsx or CSV UTF-8") from None
        except Exception as exc:  # openpyxl raises zipfile.BadZipFile and others for damaged files
            raise _fail(file, f"cannot be read as an Excel workbook ({type(exc).__name__}); save it again as .xlsx or CSV UTF-8") from None
    else:
        try:
            frame = pd.read_parquet(path)
        except (ValueError, OSError) as exc:
            raise _fail(file, f"cannot be read as Parquet ({_one_line(exc)}); write it again or use CSV UTF-8") from None
        except Exception as exc:  # pyarrow raises its own ArrowInvalid for damaged files
            raise _fail(file, f"cannot be read as Parquet ({type(exc).__name__}); write it again or use CSV UTF-8") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.reset_index(drop=True)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:120] + ("…" if len(text) > 120 else "")


def _read_csv(path: Path, file: str) -> pd.DataFrame:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _fail(
            file,
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
            "save it as 'CSV UTF-8' (in Excel: Save As > CSV UTF-8)",
        ) from None
    if not text.strip():
        raise _fail(file, _EMPTY_FILE)
    header = text.lstrip().splitlines()[0]
    if "," not in header:
        for sep, name in ((";", "semicolons (;)"), ("\t", "tabs"), ("|", "vertical bars (|)")):
            if sep in header:
                raise _fail(
                    file,
                    f"columns are separated by {name}, not commas; save it as comma-separated 'CSV UTF-8'",
                )
    try:
        frame = pd.read_csv(
            _io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""], skip_blank_lines=True
        )
    except pd.errors.ParserError as exc:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if match:
            expected, line, saw = match.groups()
            raise _fail(
                file,
                f"has {saw} values but the header has {expected} columns; put text containing commas in double quotes",
                row=int(line),
            ) from None
        raise _fail(file, f"cannot be read as CSV ({_one_line(exc)}); check quotes and commas") from None
    except pd.errors.EmptyDataError:
        raise _fail(file, _EMPTY_FILE) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def parse_table(raw: pd.DataFrame, table: str | Table, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Type a frame of raw cells per the data model, collecting every problem.

    Parameters
    ----------
    raw : DataFrame
        Cells as read from the file (text for CSV; Excel/Parquet cells as stored).
    table : str or Table
        Table name or spec.
    file : str
        File name used in messages.

    Returns
    -------
    (DataFrame, list of Problem)
        The typed frame (columns of the spec in documented order, then any other
        columns) and the problems found. Columns missing from ``raw`` are absent from the
        frame unless they are optional columns (added blank).
    """
    spec = _table_spec(table) if isinstance(table, str) else table
    raw = raw.reset_index(drop=True)
    out = _Collector(file)

    # header
    columns = list(raw.columns)
    seen: set[str] = set()
    for position, name in enumerate(columns, start=1):
        if name in seen:
            out.add(f"appears twice in the header row (column {position}); give each column one name", column=name)
        seen.add(name)
    unnamed = [c for c in columns if c.startswith("Unnamed:") or c == ""]
    for c in unnamed:
        if raw[c].notna().any():
            out.add(f"column {columns.index(c) + 1} has values but no name in the header row; name it or delete it")
    raw = raw.loc[:, [c for c in dict.fromkeys(columns) if c not in unnamed]]
    lower_map = {c.lower(): c for c in raw.columns}
    for col in spec.columns:
        if col.name in raw.columns or col.optional_column:
            continue
        hint = ""
        if col.name in lower_map and lower_map[col.name] != col.name:
            hint = f" (found {show(lower_map[col.name])}; column names are lower case)"
        out.add(
            f"is missing from the header row{hint}; {spec.name} needs the columns {', '.join(spec.column_names)}",
            column=col.name,
        )

    # the column that says which report a row belongs to, once valid
    units = None
    if spec.scope and spec.scope in raw.columns:
        scope_text = _to_text(raw[spec.scope])
        valid = ~pd.Series(_check_pattern(scope_text, spec.column(spec.scope)), index=scope_text.index)
        units = scope_text.where(valid & scope_text.notna(), np.nan)
    out.units = units

    typed: dict[str, pd.Series] = {}
    for col in spec.columns:
        if col.name in raw.columns:
            typed[col.name] = _parse_column(raw[col.name], col, out, units)
        elif col.optional_column:
            typed[col.name] = _parse_column(pd.Series([np.nan] * len(raw), index=raw.index, dtype=object), col, out, units)
    for name in raw.columns:
        if name in typed:
            continue
        if spec.extra_columns == "number":
            extra = Column(name, "number", required=False)
            typed[name] = _parse_column(raw[name], extra, out, units)
        else:
            typed[name] = _to_text(raw[name])
    frame = pd.DataFrame(typed, index=raw.index)
    return frame, out.sorted(list(typed))


def read_table(path: str | Path, table: str) -> pd.DataFrame:
    """Read one table from a CSV, Excel or Parquet file, typed per the data model.

    Parameters
    ----------
    path : str or Path
        The file (``.csv`` UTF-8 comma-separated; ``.xlsx`` first sheet; ``.parquet``).
    table : str
        Which table of the data model it holds (e.g. ``"roster"``); see ``evalkit.inputs.schema.TABLES``.

    Returns
    -------
    DataFrame
        The documented columns in order (then any extra columns as text); types as in the
        module docstring; blank cells are NaN/NaT/<NA>.

    Raises
    ------
    DataValidationFailed
        (a DataError) if the file is missing, empty, not UTF-8, uses another delimiter,
        lacks a column or holds a value of the wrong type; ``.problems`` lists every
        problem, one line each.

    Example
    -------
    >>> roster = read_table("data/demo/roster.csv", "roster")  # doctest: +SKIP
    >>> roster["hire_date"].dtype  # doctest: +SKIP
    dtype('<M8[ns]')
    """
    path = Path(path)
    file = str(path)
    raw = _read_raw(path, file)
    frame, problems = parse_table(raw, table, file)
    if problems:
        raise DataValidationFailed(problems)
    return frame


# --------------------------------------------------------------------------- many tables


class Tables(Mapping):
    """A read-only mapping of table name -> typed DataFrame, as loaded from one data folder.

    Tables that are not in the folder are simply absent (``"pdsa" in tables`` is False),
    so notebooks can skip sections without data. Tables are also attributes
    (``tables.roster``). ``data_dir`` and ``files`` record where they came from.
    """

    __slots__ = ("_frames", "_files", "_data_dir")

    def __init__(self, frames: Mapping[str, pd.DataFrame], files: Mapping[str, Path], data_dir: Path):
        object.__setattr__(self, "_frames", dict(frames))
        object.__setattr__(self, "_files", dict(files))
        object.__setattr__(self, "_data_dir", Path(data_dir))

    def __getitem__(self, name: str) -> pd.DataFrame:
        try:
            return self._frames[name]
        except KeyError:
            if name in TABLES:
                raise KeyError(f"table '{name}' is not in {self._data_dir}") from None
            raise KeyError(f"'{name}' is not a table of the data model") from None

    def __getattr__(self, name: str) -> pd.DataFrame:
        frames = object.__getattribute__(self, "_frames")
        if name in frames:
            return frames[name]
        raise AttributeError(f"no table '{name}' was loaded")

    def __setattr__(self, name, value):
        raise AttributeError("Tables is read-only")

    def __iter__(self) -> Iterator[str]:
        return iter(self._frames)

    def __len__(self) -> int:
        return len(self._frames)

    @property
    def data_dir(self) -> Path:
        return self._data_dir

    @property
    def files(self) -> Mapping[str, Path]:
        """Table name -> file it was read from."""
        return dict(self._files)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}: {len(v)} rows" for k, v in self._frames.items())
        return f"Tables({self._data_dir}; {inner})"

    def _repr_html_(self) -> str:
        import html

        rows = "".join(
            f"<tr><td>{html.escape(k)}</td><td>{len(v)}</td><td>{html.escape(', '.join(map(str, v.columns)))}</td></tr>"
            for k, v in self._frames.items()
        )
        return (f"<p>Tables from {html.escape(str(self._data_dir))}</p><table><thead><tr><th>table</th>"
                f"<th>rows</th><th>columns</th></tr></thead><tbody>{rows}</tbody></table>")


def _table_files(data_dir: Path, names) -> tuple[dict[str, Path], list[Problem]]:
    files: dict[str, Path] = {}
    problems: list[Problem] = []
    for name in names:
        found = find_table_file(data_dir, name)
        if len(found) > 1:
            problems.append(Problem(str(found[0]), f"{name} is given twice ({', '.join(p.name for p in found)}); "
                                                   "keep one file per table"))
        elif found:
            files[name] = found[0]
        elif TABLES[name].required:
            problems.append(Problem(str(data_dir / f"{name}.csv"), f"file not found; every data folder needs the "
                                    f"{name} table ({', '.join(TABLES[name].column_names)})"))
    return files, problems


def _check_names(tables) -> list[str]:
    names = list(TABLES) if tables is None else list(tables)
    for name in names:
        _table_spec(name)
    return names


def load_tables(data_dir: str | Path = "data/demo", tables=None) -> Tables:
    """Load every table of a data folder, typed per the data model.

    Parameters
    ----------
    data_dir : str or Path
        Folder holding ``<table>.csv`` (or ``.xlsx`` / ``.parquet``) files. Default: ``data/demo``.
    tables : list of str, optional
        Load only these tables (default: every table of the data model that is present).

    Returns
    -------
    Tables
        Read-only mapping of table name -> DataFrame; optional tables that are not in the
        folder are absent.

    Raises
    ------
    DataValidationFailed
        If the folder does not exist, a required table (teams, measures) is missing, or any
        file cannot be read or typed; every problem of every file is listed.

    Notes
    -----
    Only column types are checked here; run ``evalkit.inputs.validate.validate_inputs`` for the
    checks across columns and tables.

    Example
    -------
    >>> tables = load_tables("data/demo")  # doctest: +SKIP
    >>> tables["measures"].columns.tolist()  # doctest: +SKIP
    ['team_id', 'period', 'measure_id', 'numerator', 'denominator']
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise _fail(str(data_dir), "data folder not found; give the folder that holds teams.csv, measures.csv, ...")
    names = _check_names(tables)
    files, frames, problems = read_tables(data_dir, names)
    if problems:
        raise DataValidationFailed(problems)
    return Tables(frames, files, data_dir)


def read_tables(data_dir: Path, names) -> tuple[dict[str, Path], dict[str, pd.DataFrame], list[Problem]]:
    """Read and type every named table present in ``data_dir``, collecting all problems.

    Returns the files found, the typed frames that could be read, and every problem
    (missing required files, unreadable files, bad values) without raising, so
    :func:`load_tables` and :func:`evalkit.inputs.validate.validate_inputs` share one reader.
    """
    files, problems = _table_files(Path(data_dir), names)
    frames: dict[str, pd.DataFrame] = {}
    for name, path in files.items():
        parsed = _parsed_file(path, name)
        problems.extend(parsed.problems)
        if parsed.frame is not None:
            frames[name] = parsed.frame
    return files, frames, problems


# --------------------------------------------------------------------------- parse once per run


@dataclass(frozen=True)
class _Parsed:
    """One file as :func:`read_tables` typed it, with where each unit's rows are."""

    stamp: tuple            # (st_mtime_ns, st_size, st_ino) when it was read
    table: str
    frame: pd.DataFrame | None  # None: the file could not be read
    problems: tuple
    rows: dict | None = None    # unit id -> row positions (scoped tables, see index_parsed_tables)


#: Absolute file path -> _Parsed while :func:`parsed_once` is active (None: no memory at all).
_PARSED: dict | None = None


def _parse_file(path: Path, name: str) -> _Parsed:
    stamp = file_stamp(path)
    try:
        raw = _read_raw(path, str(path))
    except DataValidationFailed as exc:
        return _Parsed(stamp, name, None, tuple(exc.problems))
    frame, found = parse_table(raw, name, str(path))
    return _Parsed(stamp, name, frame, tuple(found))


def _parsed_file(path: Path, name: str) -> _Parsed:
    """Typed frame and problems of one file: parsed now, or reused within :func:`parsed_once`.

    A reused frame is a shallow copy (pandas copy-on-write: changing it never changes the
    remembered one); a file whose modification time, size or inode changed is read again.
    """
    if _PARSED is None:
        return _parse_file(path, name)
    key = os.path.abspath(path)
    kept = _PARSED.get(key)
    if kept is None or kept.table != name or kept.stamp != file_stamp(path) or kept.stamp is None:
        kept = _PARSED[key] = _parse_file(path, name)
    if kept.frame is None:
        return kept
    return _Parsed(kept.stamp, name, kept.frame.copy(deep=False), kept.problems)


@contextlib.contextmanager
def parsed_once():
    """Within this block :func:`read_tables` reads and types each file once and reuses it.

    The batch runner validates every table once inside this block and forks its report
    processes inside it, so each report inherits the typed tables instead of parsing every
    file again (each fork has its own copy: no report sees another's changes). Nothing is
    remembered after the block; a notebook run on its own always reads ``data_dir``.
    """
    global _PARSED
    previous = _PARSED
    if previous is None:
        _PARSED = {}
    try:
        yield
    finally:
        _PARSED = previous


def index_parsed_tables() -> None:
    """Record where each unit's rows are in every remembered table that has a unit column.

    One pass per table (in the batch parent, before forking), so that
    :func:`narrow_parsed_tables` costs what one unit's rows cost, not what all units' cost.
    """
    if _PARSED is None:
        return
    for key, parsed in list(_PARSED.items()):
        _PARSED[key] = _index_one(parsed)


def _index_one(parsed: _Parsed) -> _Parsed:
    scope = TABLES[parsed.table].scope if parsed.table in TABLES else None
    if parsed.frame is None or parsed.rows is not None or scope is None or scope not in parsed.frame:
        return parsed
    column = parsed.frame[scope]
    rows = {str(unit): np.asarray(pos) for unit, pos in column.groupby(column, sort=False, dropna=True).indices.items()}
    rows[None] = np.flatnonzero(column.isna().to_numpy(dtype=bool))
    return _Parsed(parsed.stamp, parsed.table, parsed.frame, parsed.problems, rows)


def _rows_of(parsed: _Parsed, units: set) -> _Parsed:
    """``parsed`` keeping only the rows and problems of ``units`` (and rows with no unit)."""
    problems = tuple(p for p in parsed.problems if p.unit is None or p.unit in units)
    if parsed.frame is None or parsed.rows is None:
        return _Parsed(parsed.stamp, parsed.table, parsed.frame, problems, parsed.rows)
    chosen = [parsed.rows[u] for u in units if u in parsed.rows] + [parsed.rows[None]]
    positions = np.sort(np.concatenate(chosen)) if chosen else np.array([], dtype=np.intp)
    return _Parsed(parsed.stamp, parsed.table, parsed.frame.take(positions).reset_index(drop=True), problems, None)


def narrow_parsed_tables(units, *, whole=()) -> None:
    """Keep only the rows of ``units`` (and rows with no unit) in the remembered tables.

    Called in a report's own forked process before its notebook runs: the report then
    reads only its units' rows (and problems), whatever the data hold for other units.
    Tables named in ``whole`` are kept entire (a team report's comparison panel needs every
    unit's ``measures`` and the ``teams`` table). A no-op outside :func:`parsed_once`.
    """
    if _PARSED is None:
        return
    units = {str(u) for u in units}
    for key, parsed in list(_PARSED.items()):
        if parsed.table in whole:
            problems = tuple(p for p in parsed.problems if p.unit is None or p.unit in units)
            _PARSED[key] = _Parsed(parsed.stamp, parsed.table, parsed.frame, problems, parsed.rows)
        else:
            _PARSED[key] = _rows_of(parsed, units)


@dataclass(frozen=True)
class TableSlice:
    """One data file's typed rows as a report reads them, to send to another machine.

    ``file`` is the file's name in the data folder (``roster.csv``), ``frame`` the typed rows
    (None: the file could not be read), ``problems`` those rows' problems.
    """

    file: str
    table: str
    frame: pd.DataFrame | None
    problems: tuple


def parsed_slices(data_dir, names, units=None, *, whole=()) -> dict[str, TableSlice]:
    """The typed rows of tables ``names`` that a report on ``units`` reads (None: every unit).

    Inside :func:`parsed_once` (after :func:`index_parsed_tables`) this slices the tables
    typed once per run; tables in ``whole`` are given entire. The batch runner sends these
    to a Dask worker instead of the files, so a task carries its units' rows only.
    """
    files, _ = _table_files(Path(data_dir), names)
    keep = None if units is None else {str(u) for u in units}
    out = {}
    for name, path in files.items():
        parsed = _parsed_file(path, name)
        if keep is not None and name not in whole:
            parsed = _rows_of(_index_one(parsed), keep)  # (indexing is a no-op once done)
        out[name] = TableSlice(path.name, name, parsed.frame, parsed.problems)
    return out


def forget_parsed_tables(folder) -> None:
    """Drop the remembered tables of files under ``folder`` (a run's inputs no longer needed)."""
    if _PARSED is None:
        return
    prefix = os.path.join(os.path.abspath(folder), "")
    for key in [k for k in _PARSED if k.startswith(prefix)]:
        del _PARSED[key]


def provide_parsed_tables(data_dir, slices: Mapping[str, TableSlice]) -> None:
    """Make :func:`read_tables` find ``slices`` in ``data_dir`` as if they were its files.

    For a report on a Dask worker (inside :func:`parsed_once`): each table gets an empty
    placeholder file of its name, so that the folder lists it, and the typed rows are
    remembered for it, so nothing parses the placeholder.
    """
    if _PARSED is None:
        raise RuntimeError("provide_parsed_tables needs parsed_once()")
    folder = Path(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for name, piece in slices.items():
        path = folder / piece.file
        if not path.exists():
            path.touch()
        _PARSED[os.path.abspath(path)] = _Parsed(file_stamp(path), name, piece.frame, tuple(piece.problems))


def select_unit(tables: Mapping[str, pd.DataFrame], unit_id: str, kind: str | None = None) -> Tables:
    """Keep only the rows of ``tables`` that belong to one team's or one jurisdiction's report.

    Parameters
    ----------
    tables : Tables or mapping
        As returned by :func:`load_tables` (must include ``teams`` to tell teams apart).
    unit_id : str
        A team_id (team report) or a country/state id (jurisdiction report).
    kind : {"team", "country"}, optional
        Which report; default: ``"team"`` if ``unit_id`` is in ``teams.team_id``, else ``"country"``.

    Returns
    -------
    Tables
        For a team: that team's row of ``teams`` and its rows of every team-keyed table
        (``events`` also keeps rows with a blank team_id, which concern all teams).
        For a jurisdiction: rows of goals, deliverables, membership, outputs (country ==
        id), sessions and excerpts (study == id), training and partners (unit == id), and
        the teams whose ``teams.country`` is the id with their team-keyed rows (the
        programme staff whose training coverage is measured). A table with no rows for
        the unit is absent (``"pdsa" in tables`` is False), as if its file were missing.

    Raises
    ------
    evalkit.errors.InputError
        If ``kind`` is not "team" or "country".
    """
    from evalkit.errors import InputError

    teams = tables.get("teams")
    if kind is None:
        kind = "team" if teams is not None and (teams["team_id"] == unit_id).any() else "country"
    if kind not in ("team", "country"):
        raise InputError(f"kind must be 'team' or 'country', not {show(kind)}")
    frames: dict[str, pd.DataFrame] = {}
    team_ids = {unit_id} if kind == "team" else jurisdiction_teams(teams, unit_id)
    for name, frame in tables.items():
        spec = TABLES.get(name)
        if spec is None or spec.scope is None:
            frames[name] = frame
            continue
        if spec.scope == "team_id":
            keep = frame["team_id"].isin(list(team_ids))
            if name == "events":
                keep = keep | frame["team_id"].isna()
        elif kind == "country":
            keep = frame[spec.scope] == unit_id
        else:
            continue  # jurisdiction tables are not part of a team report
        rows = frame.loc[keep.fillna(False).to_numpy(dtype=bool)].reset_index(drop=True)
        if len(rows):
            frames[name] = rows  # a table with no rows for this unit is absent, like a missing file
    files = getattr(tables, "files", {})
    data_dir = getattr(tables, "data_dir", Path("."))
    return Tables(frames, files, data_dir)


def load_unit_tables(data_dir: str | Path, unit_id: str, kind: str | None = None, tables=None) -> Tables:
    """Load a data folder and keep only one team's or one jurisdiction's rows.

    Parameters
    ----------
    data_dir : str or Path
        The data folder (see :func:`load_tables`).
    unit_id : str
        A team_id or a country/state id.
    kind : {"team", "country"}, optional
        See :func:`select_unit`.
    tables : list of str, optional
        Load only these tables (``teams`` is always loaded when present).

    Returns
    -------
    Tables
        See :func:`select_unit`.

    Raises
    ------
    DataValidationFailed
        As :func:`load_tables`.

    Example
    -------
    >>> t = load_unit_tables("data/demo", "cedar-river-tribe")  # doctest: +SKIP
    >>> set(t["measures"]["team_id"])  # doctest: +SKIP
    {'cedar-river-tribe'}
    """
    if tables is not None and "teams" not in tables:
        tables = ["teams", *tables]
    return select_unit(load_tables(data_dir, tables), unit_id, kind)


__all__ = [
    "MAX_PROBLEMS_PER_CHECK",
    "DataValidationFailed",
    "Tables",
    "find_table_file",
    "index_parsed_tables",
    "parsed_slices",
    "provide_parsed_tables",
    "forget_parsed_tables",
    "TableSlice",
    "load_tables",
    "load_unit_tables",
    "narrow_parsed_tables",
    "parsed_once",
    "parse_table",
    "read_table",
    "select_unit",
]
