"""Reading the data tables: CSV (default), Excel (.xlsx) and Parquet, typed per the data model.

Every table is read through one spec (``evalkit.schema``), so the types evaluators see
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
...) live in ``evalkit.validation``.
"""
from __future__ import annotations

import datetime as _dt
import io as _io
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.errors import DataError, Problem, ValidationFailed
from evalkit.schema import KEY_PATTERN, MAX_ID_LENGTH, SLUG_PATTERN, SUFFIXES, TABLES, Column, Table
from evalkit.schema import table as _table_spec

#: At most this many problems of one kind are listed per report unit and column; the
#: rest are summarised in one line ("... N more rows ...") so a million bad rows do not
#: bury the message.
MAX_PROBLEMS_PER_CHECK = 50

_PANDAS3 = int(pd.__version__.split(".")[0]) >= 3
_TRUE = frozenset({"true", "yes", "1", "t", "y"})
_FALSE = frozenset({"false", "no", "0", "f", "n"})


class DataValidationFailed(ValidationFailed, DataError):
    """A data file could not be read or holds invalid values; ``problems`` lists them all."""


# --------------------------------------------------------------------------- helpers


def show(value: object, width: int = 40) -> str:
    """Quote a value for a one-line message (``'31/02/2023'``), shortened if long."""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, (pd.Timestamp, _dt.datetime)):
        text = value.strftime("%Y-%m-%d") if (value.hour, value.minute, value.second) == (0, 0, 0) else str(value)
    else:
        text = str(value)
    text = text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    if len(text) > width:
        text = text[: width - 1] + "…"
    return f"'{text}'"


def _str_series(values, index=None) -> pd.Series:
    """A pandas string Series with NaN for missing, on pandas 2.2 and 3."""
    s = pd.Series(values, index=index, dtype=object)
    s = s.where(s.notna(), np.nan)
    return s.astype("str") if _PANDAS3 else s


def _to_text(s: pd.Series) -> pd.Series:
    """Turn any column (text, numbers, dates, Excel cells) into stripped text; blank -> NaN."""
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s.dt.strftime("%Y-%m-%d")
        return _str_series(out.where(s.notna(), np.nan))
    if pd.api.types.is_bool_dtype(s):
        return _str_series(s.map({True: "true", False: "false"}))
    if pd.api.types.is_numeric_dtype(s):
        arr = s.to_numpy(dtype=float, na_value=np.nan)
        text = [_num_text(v) for v in arr]
        return _str_series(text, index=s.index)
    if pd.api.types.is_string_dtype(s) and not pd.api.types.is_object_dtype(s):
        out = s.str.strip()
        return out.where(out != "", np.nan)
    if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        out = s.str.strip() if len(s) else s
        out = out.where(out.notna() & (out != ""), np.nan)
        return _str_series(out) if not _PANDAS3 else out.astype("str")
    # object column (Excel cells, mixed): convert each cell
    text = [_cell_text(v) for v in s.to_numpy()]
    return _str_series(text, index=s.index)


def _num_text(v: float) -> object:
    if np.isnan(v):
        return np.nan
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))


def _cell_text(v: object) -> object:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
        return np.nan
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (_dt.datetime, pd.Timestamp)):
        if (v.hour, v.minute, v.second, v.microsecond) == (0, 0, 0, 0):
            return v.strftime("%Y-%m-%d")
        return v.isoformat(sep=" ")
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return _num_text(float(v))
    text = str(v).strip()
    return text if text else np.nan


class _Collector:
    """Collects problems of one file, at most ``limit`` per check and report unit."""

    def __init__(self, file: str, units: pd.Series | None = None, limit: int = MAX_PROBLEMS_PER_CHECK):
        self.file = file
        self.units = units
        self.limit = limit
        self.problems: list[Problem] = []
        self.summaries: list[Problem] = []

    def sorted(self, columns=()) -> list[Problem]:
        """Problems in spreadsheet order (file-level first, then by row and column), then summaries."""
        order = {name: i for i, name in enumerate(columns)}
        key = lambda p: (p.row if p.row is not None else 0, order.get(p.column, len(order)))  # noqa: E731
        return sorted(self.problems, key=key) + self.summaries

    def add(self, message: str, *, row: int | None = None, column: str | None = None, value: object = None,
            unit: str | None = None) -> None:
        self.problems.append(Problem(self.file, message, row=row, column=column, value=value, unit=unit))

    def add_rows(
        self,
        mask,
        column: str | None,
        message: Callable[[object], str] | str,
        values: pd.Series | None = None,
        units: pd.Series | None = None,
    ) -> None:
        """Add one problem per row where ``mask`` is true; ``message(value)`` words it."""
        def describe(pos: int) -> tuple[object, str]:
            v = values.iloc[pos] if values is not None else None
            return v, (message(v) if callable(message) else message)

        self.add_where(mask, column, describe, units=units)

    def add_where(
        self,
        mask,
        column: str | None,
        describe: Callable[[int], tuple[object, str]],
        units: pd.Series | None = None,
        scoped: bool = True,
    ) -> None:
        """Add one problem per row where ``mask`` is true; ``describe(position)`` gives (value, message).

        Rows are selected with numpy (vectorised); only the listed rows (at most ``limit``
        per report unit) are worded one by one.
        """
        mask = np.asarray(mask, dtype=bool)
        positions = np.flatnonzero(mask)
        if positions.size == 0:
            return
        units = self.units if units is None else units
        if units is not None and scoped:
            unit_vals = units.iloc[positions].astype(object)
            unit_list = [None if (u is None or u != u) else u for u in unit_vals.tolist()]
        else:
            unit_list = [None] * positions.size
        keys = pd.Series(["\0" if u is None else u for u in unit_list], dtype=object)
        order = keys.groupby(keys, sort=False).cumcount().to_numpy()
        keep = order < self.limit
        for pos, u in zip(positions[keep].tolist(), np.asarray(unit_list, dtype=object)[keep].tolist()):
            value, text = describe(pos)
            self.problems.append(Problem(self.file, text, row=pos + 2, column=column, value=value, unit=u))
        if not keep.all():
            extra = keys[~keep].value_counts(sort=False)
            for key, n in extra.items():
                u = None if key == "\0" else key
                who = f" of {u}" if u is not None else ""
                self.summaries.append(
                    Problem(self.file, f"{n} more row{'s' if n != 1 else ''}{who} with the same problem "
                            f"(only the first {self.limit} are listed)", column=column, unit=u)
                )


# --------------------------------------------------------------------------- reading files


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
        raise _fail(file, "file is empty; it needs at least a header row with the column names")
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
        raise _fail(file, "file is empty; it needs at least a header row with the column names")
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
        raise _fail(file, "file is empty; it needs at least a header row with the column names") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


# --------------------------------------------------------------------------- typing columns


def _expected(col: Column) -> str:
    kind = col.kind
    if kind == "id":
        return "use lower-case letters, digits and hyphens (e.g. cedar-river-tribe)"
    if kind == "key":
        return "use lower-case letters, digits, '_', '-' or '.' (e.g. turnover_rate)"
    if kind == "date":
        return "use YYYY-MM-DD"
    if kind == "month":
        return "use YYYY-MM"
    if kind == "int":
        return "use a whole number"
    if kind == "count":
        return "use a number of 0 or more"
    if kind == "number":
        return "use a number such as 12 or 0.5"
    if kind == "bool":
        return "use true or false"
    if kind == "enum":
        return "use one of " + ", ".join(col.allowed)
    return "fill it in"


def _bad_id_message(col: Column) -> Callable[[object], str]:
    pattern = re.compile(KEY_PATTERN if col.kind == "key" else SLUG_PATTERN)

    def message(v: object) -> str:
        text = str(v)
        if col.kind == "id" and ("/" in text or "\\" in text or ".." in text):
            return (f"{show(v)} is not a valid id: ids become file names, so '/', '\\' and '..' would escape "
                    "the output folder; " + _expected(col))
        if len(text) > MAX_ID_LENGTH and pattern.fullmatch(text):
            return f"{show(v)} is longer than {MAX_ID_LENGTH} characters; use a shorter id"
        if text.lower() != text and pattern.fullmatch(text.lower()):
            return f"{show(v)} is not a valid id: ids are lower case; write {show(text.lower())}"
        return f"{show(v)} is not a valid id; " + _expected(col)

    return message


def _check_pattern(text: pd.Series, col: Column) -> np.ndarray:
    """Boolean mask of values that are not valid ids/keys (checked once per distinct value)."""
    pattern = re.compile(KEY_PATTERN if col.kind == "key" else SLUG_PATTERN)
    uniques = pd.unique(text.dropna())
    bad = [u for u in uniques if not pattern.fullmatch(u) or len(u) > MAX_ID_LENGTH]
    if not bad:
        return np.zeros(len(text), dtype=bool)
    return text.isin(bad).to_numpy(dtype=bool)


def _parse_column(raw: pd.Series, col: Column, out: _Collector, units: pd.Series | None) -> pd.Series:
    """Type one column per its spec, adding a problem for every bad value. Returns the typed column."""
    name, kind = col.name, col.kind
    typed_fast = None
    if kind in ("date", "month") and pd.api.types.is_datetime64_any_dtype(raw):
        typed_fast = raw.dt.tz_localize(None) if getattr(raw.dt, "tz", None) is not None else raw
    elif kind in ("count", "number", "int") and pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        typed_fast = raw.astype(float)
    elif kind == "bool" and pd.api.types.is_bool_dtype(raw):
        typed_fast = raw

    text = None if typed_fast is not None else _to_text(raw)
    blank = (typed_fast.isna() if typed_fast is not None else text.isna()).to_numpy(dtype=bool)

    if col.required:
        out.add_rows(blank, name, f"is blank; every row needs a value ({_expected(col)})", units=units)

    if kind in ("id", "key"):
        bad = _check_pattern(text, col) & ~blank
        out.add_rows(bad, name, _bad_id_message(col), text, units=units)
        return text

    if kind == "text":
        if pd.api.types.is_string_dtype(raw) and not pd.api.types.is_object_dtype(raw):
            keep = raw.where(~pd.Series(blank, index=raw.index), np.nan)
            return keep
        return text

    if kind == "enum":
        allowed = list(col.allowed)
        bad = ~text.isin(allowed).to_numpy(dtype=bool) & ~blank

        def enum_message(v: object, allowed=allowed) -> str:
            lower = str(v).strip().lower()
            if lower in allowed:
                return f"{show(v)} is not allowed; write it in lower case: {show(lower)}"
            return f"{show(v)} is not allowed; use one of {', '.join(allowed)}"

        out.add_rows(bad, name, enum_message, text, units=units)
        return text

    if kind in ("date", "month"):
        if typed_fast is not None:
            values = typed_fast.astype("datetime64[ns]")
            if kind == "month":
                values = values.dt.to_period("M").dt.to_timestamp().astype("datetime64[ns]")
            else:
                values = values.dt.normalize()
            return values
        return _parse_dates(text, blank, col, out, units)

    if kind in ("count", "number", "int"):
        if typed_fast is not None:
            values = typed_fast
            bad_number = np.zeros(len(values), dtype=bool)
            shown = values
        else:
            values = pd.to_numeric(text, errors="coerce")
            values = values.astype(float)
            bad_number = values.isna().to_numpy(dtype=bool) & ~blank
            if bad_number.any():
                # decimal commas and thousands separators are common spreadsheet habits
                out.add_rows(bad_number, name, lambda v: _not_number_message(v, col), text, units=units)
            shown = text
        finite = values.notna().to_numpy(dtype=bool)
        arr = values.to_numpy(dtype=float, na_value=np.nan)
        if kind == "int":
            frac = finite & (np.mod(arr, 1) != 0)
            out.add_rows(frac, name, lambda v: f"{show(v)} is not a whole number; {_expected(col)}", shown, units=units)
        if kind == "count":
            neg = finite & (arr < 0)
            out.add_rows(neg, name, lambda v: f"{show(v)} is negative; counts must be 0 or more", shown, units=units)
        if col.step is not None:
            lo, hi = col.minimum, col.maximum
            off = finite & ((np.abs(arr / col.step - np.round(arr / col.step)) > 1e-9) | (arr < lo) | (arr > hi))
            out.add_rows(
                off, name,
                lambda v: f"{show(v)} is not a score from {lo:g} to {hi:.1f} in steps of {col.step:g}",
                shown, units=units,
            )
        else:
            if col.minimum is not None or col.maximum is not None:
                lo = -np.inf if col.minimum is None else col.minimum
                hi = np.inf if col.maximum is None else col.maximum
                off = finite & ((arr < lo) | (arr > hi))
                out.add_rows(off, name, lambda v: f"{show(v)} is outside the allowed range {_range_text(col)}", shown,
                             units=units)
        if kind == "int":
            whole = np.where(finite & (np.mod(np.nan_to_num(arr), 1) == 0), arr, np.nan)
            return pd.Series(whole, index=raw.index).astype("Int64")
        return pd.Series(arr, index=raw.index, dtype="float64")

    if kind == "bool":
        if typed_fast is not None:
            return typed_fast.astype(bool)
        lower = text.str.lower()
        is_true = lower.isin(list(_TRUE)).to_numpy(dtype=bool)
        is_false = lower.isin(list(_FALSE)).to_numpy(dtype=bool)
        bad = ~(is_true | is_false) & ~blank
        out.add_rows(bad, name, lambda v: f"{show(v)} is not true or false; use true or false", text, units=units)
        if col.required:
            return pd.Series(is_true, index=raw.index, dtype=bool)
        result = pd.Series(pd.array(is_true, dtype="boolean"), index=raw.index)
        result[~(is_true | is_false)] = pd.NA
        return result

    raise AssertionError(f"unknown column kind {kind}")  # pragma: no cover - schema is fixed


def _range_text(col: Column) -> str:
    if col.minimum is not None and col.maximum is not None:
        return f"{col.minimum:g} to {col.maximum:g}"
    if col.minimum is not None:
        return f"{col.minimum:g} or more"
    return f"{col.maximum:g} or less"


def _not_number_message(v: object, col: Column) -> str:
    text = str(v)
    if re.fullmatch(r"-?\d+,\d+", text):
        return f"{show(v)} is not a number; use a decimal point, not a comma (e.g. {text.replace(',', '.')})"
    if re.fullmatch(r"-?\d+%", text):
        return f"{show(v)} is not a number; leave out the % sign"
    return f"{show(v)} is not a number; {_expected(col)}"


_ISO_DAY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def _parse_dates(text: pd.Series, blank: np.ndarray, col: Column, out: _Collector, units) -> pd.Series:
    if col.kind == "date":
        values = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        bad = values.isna().to_numpy(dtype=bool) & ~blank
        if bad.any():
            # Excel exports sometimes add a midnight time: accept 'YYYY-MM-DD 00:00:00'
            retry = pd.to_datetime(text[bad], format="%Y-%m-%d %H:%M:%S", errors="coerce")
            ok = retry.notna() & (retry == retry.dt.normalize())
            values = values.copy()
            values[retry.index[ok.to_numpy()]] = retry[ok]
            bad = values.isna().to_numpy(dtype=bool) & ~blank

        def message(v: object) -> str:
            if _ISO_DAY.fullmatch(str(v)):
                return f"{show(v)} is not a real calendar date (check the day and month); use YYYY-MM-DD"
            return f"{show(v)} is not a date; use YYYY-MM-DD"

        out.add_rows(bad, col.name, message, text, units=units)
        return values.astype("datetime64[ns]")
    # months: YYYY-MM, also YYYY-MM-01 as spreadsheets write it
    values = pd.to_datetime(text, format="%Y-%m", errors="coerce")
    bad = values.isna().to_numpy(dtype=bool) & ~blank
    if bad.any():
        retry = pd.to_datetime(text[bad], format="%Y-%m-%d", errors="coerce")
        ok = (retry.dt.day == 1).to_numpy(dtype=bool)
        values = values.copy()
        values[retry.index[ok]] = retry[ok]
        bad = values.isna().to_numpy(dtype=bool) & ~blank

    def month_message(v: object) -> str:
        text_v = str(v)
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text_v):
            return f"{show(v)} is a day, not a month; use YYYY-MM (e.g. {text_v[:7]})"
        if re.fullmatch(r"\d{4}-\d{1,2}", text_v):
            return f"{show(v)} is not a real month; use YYYY-MM with a month from 01 to 12"
        return f"{show(v)} is not a month; use YYYY-MM"

    out.add_rows(bad, col.name, month_message, text, units=units)
    return values.astype("datetime64[ns]")


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
        Which table of the data model it holds (e.g. ``"roster"``); see ``evalkit.schema.TABLES``.

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
    Only column types are checked here; run ``evalkit.validation.validate_inputs`` for the
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
    files, problems = _table_files(data_dir, names)
    frames: dict[str, pd.DataFrame] = {}
    for name, path in files.items():
        try:
            raw = _read_raw(path, str(path))
        except DataValidationFailed as exc:
            problems.extend(exc.problems)
            continue
        frame, found = parse_table(raw, name, str(path))
        problems.extend(found)
        frames[name] = frame
    if problems:
        raise DataValidationFailed(problems)
    return Tables(frames, files, data_dir)


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
    if kind == "team":
        team_ids = {unit_id}
    else:
        team_ids = set(teams.loc[teams["country"] == unit_id, "team_id"].dropna()) if teams is not None else set()
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
    "load_tables",
    "load_unit_tables",
    "parse_table",
    "read_table",
    "select_unit",
]
