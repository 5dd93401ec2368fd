"""Private helpers shared by the country/state evaluation modules.

Used by :mod:`evalkit.country.goals`, :mod:`evalkit.country.collaboration`, :mod:`evalkit.country.qual`
and :mod:`evalkit.country.training` (not public API). Holds the small result base class
that renders itself as escaped HTML, column checks with one-line errors, and
date coercion for frames that did not come through :mod:`evalkit.inputs.read`.
"""
from __future__ import annotations

import dataclasses
import html
import typing
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from evalkit.errors import DataError, InputError
from evalkit.privacy import DEFAULT_MIN_COUNT, drop_person_identifiers, suppress_counts

#: Columns that identify a person; never rendered by ``_repr_html_``.
PERSON_COLUMNS = frozenset({"staff_key", "response_id"})


def require_columns(frame: pd.DataFrame, columns: Iterable[str], table: str) -> None:
    """Raise DataError naming the table and the missing columns."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{table}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{table} table is missing column(s) {', '.join(missing)}; "
            f"add them (see the data model in the README)"
        )


def to_datetime(frame: pd.DataFrame, column: str, table: str) -> pd.Series:
    """Return ``frame[column]`` as datetime64[ns]; blanks become NaT.

    Raises DataError naming the first unparseable value (row numbered as a
    spreadsheet shows it: header is row 1).
    """
    s = frame[column]
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.astype("datetime64[ns]")
    raw = s.astype("object").where(s.notna(), None)
    raw = raw.map(lambda v: None if (v is None or (isinstance(v, str) and not v.strip())) else v)
    out = pd.to_datetime(raw, errors="coerce", format="mixed")
    bad = out.isna() & raw.notna()
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{table} row {pos + 2}, column {column}: {raw.iloc[pos]!r} is not a date; use YYYY-MM-DD"
        )
    return out.astype("datetime64[ns]")


def to_number(frame: pd.DataFrame, column: str, table: str) -> pd.Series:
    """Return ``frame[column]`` as float64; blanks become NaN; text raises DataError."""
    s = frame[column]
    if pd.api.types.is_bool_dtype(s):
        return s.astype("float64")
    if pd.api.types.is_numeric_dtype(s):
        return pd.Series(s.to_numpy(dtype="float64", na_value=np.nan), index=s.index, name=s.name)
    raw = s.astype("object").where(s.notna(), None)
    raw = raw.map(lambda v: None if (v is None or (isinstance(v, str) and not v.strip())) else v)
    out = pd.to_numeric(raw, errors="coerce")
    bad = out.isna() & raw.notna()
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{table} row {pos + 2}, column {column}: {raw.iloc[pos]!r} is not a number"
        )
    return out.astype("float64")


def to_text(series: pd.Series) -> pd.Series:
    """Return a text column as object dtype with missing values as None-free NaN."""
    return series.astype("object").where(series.notna(), np.nan)


def filter_key(frame: pd.DataFrame, column: str, value: str | None) -> pd.DataFrame:
    """Rows whose ``column`` equals ``value`` (all rows when value is None)."""
    if value is None:
        return frame
    return frame.loc[frame[column].astype("object") == value]


def has_rows(frame: pd.DataFrame | None, column: str | None = None, value: str | None = None) -> bool:
    """True when ``frame`` exists and has at least one row (for ``column == value``)."""
    if frame is None or not isinstance(frame, pd.DataFrame) or frame.empty:
        return False
    if column is None or value is None:
        return True
    if column not in frame.columns:
        return False
    return bool((frame[column].astype("object") == value).any())


def html_table(frame: pd.DataFrame, max_rows: int = 30) -> str:
    """Render a frame as an HTML table with every cell escaped; person ids dropped."""
    shown = frame.drop(columns=[c for c in frame.columns if c in PERSON_COLUMNS])
    more = ""
    if len(shown) > max_rows:
        more = f"<p><em>{len(shown) - max_rows} more rows not shown</em></p>"
        shown = shown.head(max_rows)
    return shown.to_html(index=False, escape=True, na_rep="", border=0) + more


def settings_html(settings: Mapping[str, object]) -> str:
    items = "".join(
        f"<li><code>{html.escape(str(k))}</code> = {html.escape(repr(v))}</li>" for k, v in settings.items()
    )
    return f"<ul>{items}</ul>" if items else ""


@dataclasses.dataclass(frozen=True)
class Result:
    """Base for frozen result objects: DataFrame fields plus a ``settings`` dict.

    Subclasses declare DataFrame fields and a ``settings`` field; ``_repr_html_``
    shows every DataFrame field (escaped, person identifiers removed, counts of
    people below the threshold suppressed) and the settings. ``has_data`` is True
    when the first DataFrame field has rows.

    Subclasses list their counts of people in ``_people_counts``:
    ``{frame field: (count columns, {derived column: its counts}, group columns)}``
    (group columns: rows of one group add up to a total shown elsewhere, so one
    hidden cell per group gets a complementary one).
    """

    _people_counts: typing.ClassVar[dict[str, tuple[tuple[str, ...], dict[str, tuple[str, ...]], tuple[str, ...]]]] = {}

    def report_table(self, name: str, *, threshold: int = DEFAULT_MIN_COUNT) -> pd.DataFrame:
        """The frame ``name`` ready for a report: small counts of people hidden, identifiers dropped.

        Parameters
        ----------
        name : str
            A DataFrame field of the result (e.g. ``"counts"``).
        threshold : int, default 10
            Smallest count of people shown (params ``suppression.min_count``).

        Returns
        -------
        DataFrame
            Display copy from :func:`evalkit.privacy.suppress_counts`: counts of
            people below ``threshold`` read "hidden", figures computed from them read
            "suppressed"; frames without counts of people are returned without
            person identifiers.
        """
        frame = getattr(self, name, None)
        if not isinstance(frame, pd.DataFrame) or name in getattr(self, "_hidden", ()):
            raise InputError(f"{type(self).__name__} has no reportable table {name!r}")
        rule = self._people_counts.get(name)
        if rule is None:
            return drop_person_identifiers(frame)
        counts, rates, group = rule
        return suppress_counts(frame, list(counts), threshold=threshold,
                               rate_cols={k: list(v) for k, v in rates.items()} or None,
                               group=list(group) or None)

    def _frames(self) -> list[tuple[str, pd.DataFrame]]:
        out = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, pd.DataFrame) and f.name not in getattr(self, "_hidden", ()):
                out.append((f.name, value))
        return out

    @property
    def has_data(self) -> bool:
        frames = self._frames()
        return bool(frames) and not frames[0][1].empty

    def _repr_html_(self) -> str:
        parts = [f"<h4>{html.escape(type(self).__name__)}</h4>"]
        for name, frame in self._frames():
            parts.append(f"<h5>{html.escape(name)}</h5>")
            parts.append(html_table(self.report_table(name)))
        settings = getattr(self, "settings", None)
        if settings:
            parts.append("<h5>settings</h5>" + settings_html(settings))
        return "\n".join(parts)
