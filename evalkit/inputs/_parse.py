"""Typing the columns of a data table: raw cells to the data model's types, problems one line each.

Private helpers of :mod:`evalkit.inputs.read` (split out because ``io.py`` passed the ~600-line
module size of the style guide): turning any cell (CSV text, Excel cell, Parquet value)
into stripped text, then typing each column per its ``evalkit.inputs.schema`` spec (ids, keys,
enums, dates, months, numbers, booleans) and wording every bad value.
"""
from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from evalkit.inputs._problems import _Collector, show
from evalkit.inputs.schema import (KEY_PATTERN, MAX_ABS_NUMBER, MAX_DATE, MAX_ID_LENGTH, MIN_DATE, RESERVED_NAMES,
                                   SLUG_PATTERN, Column, reserved_name_message)

_PANDAS3 = int(pd.__version__.split(".")[0]) >= 3
_LIMIT = f"{MAX_ABS_NUMBER:.0e}".replace("e+", "e")  # '1e15' in messages
_TRUE = frozenset({"true", "yes", "1", "t", "y"})
_FALSE = frozenset({"false", "no", "0", "f", "n"})


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


def _id_pattern(col: Column) -> re.Pattern:
    """The pattern valid values of an id or key column match."""
    return re.compile(KEY_PATTERN if col.kind == "key" else SLUG_PATTERN)


def _bad_id_message(col: Column) -> Callable[[object], str]:
    pattern = _id_pattern(col)

    def message(v: object) -> str:
        text = str(v)
        if col.kind == "id" and reserved_name_message(text):
            return reserved_name_message(text)
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
    """Boolean mask of values that are not valid ids/keys (checked once per distinct value).

    Ids (which become file names) may also not be a name Windows reserves (``con``, ``com1``...).
    """
    pattern = _id_pattern(col)
    uniques = pd.unique(text.dropna())
    reserved = RESERVED_NAMES if col.kind == "id" else frozenset()
    bad = [u for u in uniques if not pattern.fullmatch(u) or len(u) > MAX_ID_LENGTH or u.lower() in reserved]
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
            values = _date_range(typed_fast, blank, col, out, units, typed_fast)
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
        arr = values.to_numpy(dtype=float, na_value=np.nan)
        # inf, -inf and values such as 1e308 are typing slips; refuse them once, then treat as blank
        with np.errstate(invalid="ignore"):
            huge = values.notna().to_numpy(dtype=bool) & ~(np.abs(arr) <= MAX_ABS_NUMBER)
        if huge.any():
            out.add_rows(huge, name, lambda v: (f"{show(v)} is not a finite number within ±{_LIMIT}; "
                                                f"{_expected(col)}"), shown, units=units)
            arr = np.where(huge, np.nan, arr)
        finite = ~np.isnan(arr)
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
        return _date_range(values, blank | bad, col, out, units, text)
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
        if _ISO_DAY.fullmatch(text_v):
            return f"{show(v)} is a day, not a month; use YYYY-MM (e.g. {text_v[:7]})"
        if re.fullmatch(r"\d{4}-\d{1,2}", text_v):
            return f"{show(v)} is not a real month; use YYYY-MM with a month from 01 to 12"
        return f"{show(v)} is not a month; use YYYY-MM"

    out.add_rows(bad, col.name, month_message, text, units=units)
    return _date_range(values, blank | bad, col, out, units, text)


_MIN_TS, _MAX_TS = pd.Timestamp(MIN_DATE), pd.Timestamp(MAX_DATE)


def _date_range(values: pd.Series, skip: np.ndarray, col: Column, out: _Collector, units, shown) -> pd.Series:
    """``values`` as ``datetime64[ns]``, dates outside MIN_DATE..MAX_DATE reported and blanked.

    pandas parses years such as 2300 or 1600 (microsecond resolution) but cannot store them
    in nanoseconds; checking the range first turns a mistyped year into a one-line problem.
    """
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    outside = (values.notna() & ((values < _MIN_TS) | (values > _MAX_TS))).to_numpy(dtype=bool) & ~skip
    if outside.any():
        out.add_rows(outside, col.name, lambda v: f"{show(v)} is outside the supported range {MIN_DATE} to "
                                                  f"{MAX_DATE}; check the year", shown, units=units)
        values = values.where(~outside, pd.NaT)
    return values.astype("datetime64[ns]")
