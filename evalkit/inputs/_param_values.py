"""Value types of the params files: dates, months, ids and names, each with a one-line message.

Private helpers of :mod:`evalkit.inputs.params` (split out because ``params.py`` passed the
~600-line module size of the style guide). Each ``_x`` function is a pydantic
``BeforeValidator`` that accepts the value as YAML gives it (dates stay text) or raises a
``ValueError`` whose text becomes the problem's message; ``Date``, ``Month``, ``Slug``,
``Key``, ``Number`` and ``ChartType`` are the annotated types the params models use.
"""
from __future__ import annotations

import datetime as _dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from evalkit.inputs.schema import (CHART_TYPES, KEY_PATTERN, MAX_ABS_NUMBER, MAX_DATE, MAX_ID_LENGTH, MIN_DATE,
                                   SLUG_PATTERN, reserved_name_message)

_LIMIT = f"{MAX_ABS_NUMBER:.0e}".replace("e+", "e")  # '1e15' in messages
_MIN_DATE, _MAX_DATE = _dt.date.fromisoformat(MIN_DATE), _dt.date.fromisoformat(MAX_DATE)


def _show(value: object) -> str:
    text = str(value).replace("\n", "\\n")
    return f"'{text[:60]}{'…' if len(text) > 60 else ''}'"


def _in_range(day: _dt.date, written: object) -> _dt.date:
    """``day`` if it lies in the supported range (see evalkit.inputs.schema), else a ValueError."""
    if not _MIN_DATE <= day <= _MAX_DATE:
        raise ValueError(f"{_show(written)} is outside the supported range {MIN_DATE} to {MAX_DATE}; "
                         "check the year")
    return day


def _date(value: object) -> _dt.date:
    """A calendar date written YYYY-MM-DD (YAML may already have turned it into a date)."""
    if isinstance(value, _dt.datetime):
        raise ValueError(f"{_show(value)} has a time of day; use a date YYYY-MM-DD")
    if isinstance(value, _dt.date):
        return _in_range(value, value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            day = _dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{_show(value)} is not a real calendar date; use YYYY-MM-DD") from None
        return _in_range(day, value)
    raise ValueError(f"{_show(value)} is not a date; use YYYY-MM-DD")


def _month(value: object) -> _dt.date:
    """A month written YYYY-MM, returned as the first day of that month."""
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        if value.day != 1:
            raise ValueError(f"{_show(value)} is a day, not a month; use YYYY-MM")
        return _in_range(value, value)
    if isinstance(value, str):
        match = re.fullmatch(r"(\d{4})-(\d{2})", value.strip())
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12:
                return _in_range(_dt.date(year, month, 1), value)
            raise ValueError(f"{_show(value)} is not a real month; use YYYY-MM with a month from 01 to 12")
    raise ValueError(f"{_show(value)} is not a month; use YYYY-MM (e.g. 2023-04)")


def _slug(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{_show(value)} is not an id; use lower-case letters, digits and hyphens")
    reserved = reserved_name_message(value)
    if reserved:
        raise ValueError(reserved)
    if "/" in value or "\\" in value or ".." in value:
        raise ValueError(
            f"{_show(value)} is not a valid id: ids become file names, so '/', '\\' and '..' would escape the "
            "output folder; use lower-case letters, digits and hyphens"
        )
    if not re.fullmatch(SLUG_PATTERN, value) or len(value) > MAX_ID_LENGTH:
        if re.fullmatch(SLUG_PATTERN, value.lower()):
            raise ValueError(f"{_show(value)} is not a valid id: ids are lower case; write {_show(value.lower())}")
        raise ValueError(f"{_show(value)} is not a valid id; use lower-case letters, digits and hyphens "
                         "(e.g. cedar-river-tribe)")
    return value


def _key(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(KEY_PATTERN, value) or len(value) > MAX_ID_LENGTH:
        raise ValueError(f"{_show(value)} is not a valid name; use lower-case letters, digits and '_' "
                         "(e.g. turnover_rate)")
    return value


def _not_finite(value: object) -> str:
    return f"{_show(value)} is not a finite number within ±{_LIMIT}; fix the value"


def _finite(value: float) -> float:
    """A number within ±MAX_ABS_NUMBER (pydantic already refuses inf and nan)."""
    if abs(value) > MAX_ABS_NUMBER:
        raise ValueError(_not_finite(value))
    return value


def _tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


Date = Annotated[_dt.date, BeforeValidator(_date)]
Month = Annotated[_dt.date, BeforeValidator(_month)]
Slug = Annotated[str, BeforeValidator(_slug)]
Key = Annotated[str, BeforeValidator(_key)]
Number = Annotated[float, Field(allow_inf_nan=False), AfterValidator(_finite)]
ChartType = Literal[CHART_TYPES]  # the chart types of evalkit.inputs.schema (qicharts2 names)
