"""Report tables that read like a report, not a DataFrame dump.

One formatter for every table a report shows: text left-aligned, counts without ".0",
rates to one decimal, missing values as "—", plain-language headers, slugs as words, and
id columns dropped when the whole table is one unit. Suppression happens before this
step (:mod:`evalkit.privacy`); formatting never reveals a hidden count.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit.privacy import HIDDEN_COUNT
from evalkit.report.glossary import link_terms


#: Plain-language column headers for report tables (other names: see :func:`column_label`).
COLUMN_LABELS = {
    "n_partners": "Partners", "meetings_held": "Meetings held", "meetings_attended": "Meetings attended",
    "attendance_pct": "Attendance (%)", "n_with_stipend": "Partners with a stipend", "stipend_total": "Stipends (total)",
    "pct_of_way": "Of the way to target (%)", "expected_pct": "Expected by now (%)", "gas_level": "Goal attainment (GAS level)",
    "value_as_of": "Value as of", "first_members": "Members at first count", "last_members": "Members at last count",
    "first_date": "First count", "last_date": "Last count", "pct_change": "Change (%)", "output_type": "Output",
    "n_attendees": "Attendees", "n_programmes": "Programmes", "share_pct": "Share (%)", "pct_joint": "Joint (%)",
    "n_sessions": "Sessions", "n_joint": "Joint sessions", "team_name": "Team", "measure_id": "Measure",
    "better when": "Better when",
}

#: Id columns dropped from a report table when the whole table is about one unit.
ID_COLUMNS = ("unit", "team_id", "country", "study")

_SLUG = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
MISSING = "—"


def column_label(name: str) -> str:
    """Plain-language header for a column name ('n_partners' -> 'Partners', 'attendance_pct' -> 'Attendance (%)').

    Uses :data:`COLUMN_LABELS` first; otherwise drops an ``n_`` prefix, turns a ``_pct``
    suffix (or ``pct_`` prefix) into " (%)", underscores into spaces and capitalises
    the first letter.
    """
    name = str(name)
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    text, pct = name, False
    if text.startswith("n_"):
        text = text[2:]
    if text.endswith("_pct"):
        text, pct = text[:-4], True
    elif text.startswith("pct_"):
        text, pct = text[4:], True
    text = text.replace("_", " ").strip()
    text = text[:1].upper() + text[1:]
    return f"{text} (%)" if pct else text


def slug_label(value: str) -> str:
    """'child-care-centers' -> 'Child care centers' (text that is not a slug is returned unchanged)."""
    value = str(value)
    if not _SLUG.match(value):
        return value
    text = value.replace("-", " ")
    return text[:1].upper() + text[1:]


def _is_missing(v) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _number_text(v: float, integer: bool, digits: int) -> str:
    return f"{int(round(v)):,d}" if integer else f"{v:,.{digits}f}"


def _format_column(col: pd.Series, name: str, digits: int, value_labels: dict | None) -> tuple[list[str], bool]:
    """Display strings of one column and whether it is numeric (right-aligned)."""
    values = col.tolist()
    present = [v for v in values if not _is_missing(v)]
    if value_labels:
        values = [value_labels.get(v, v) if not _is_missing(v) else v for v in values]
        present = [v for v in values if not _is_missing(v)]
    if pd.api.types.is_bool_dtype(col) or (present and all(isinstance(v, (bool, np.bool_)) for v in present)):
        return [MISSING if _is_missing(v) else ("yes" if v else "no") for v in values], False
    if pd.api.types.is_datetime64_any_dtype(col):
        return [MISSING if _is_missing(v) else f"{pd.Timestamp(v):%Y-%m-%d}" for v in values], False
    numbers = [v for v in present if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)]
    if numbers:
        # a count column stays integer even where suppression put text ("hidden") in it
        integer = all(float(v).is_integer() for v in numbers)
        out = []
        for v in values:
            if _is_missing(v):
                out.append(MISSING)
            elif isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
                out.append(_number_text(float(v), integer, digits))
            else:
                out.append(str(v))
        return out, len(numbers) == len(present) or all(
            isinstance(v, (int, float, np.integer, np.floating)) or str(v) == HIDDEN_COUNT or str(v).startswith("<")
            for v in present)
    is_id = name.endswith("_id") or name in ID_COLUMNS
    # a column of slugs (at least one with a hyphen, so plain words such as verdicts keep their case)
    slugs = (not is_id and not value_labels and bool(present)
             and all(isinstance(v, str) and _SLUG.match(v) for v in present) and any("-" in v for v in present))
    return [MISSING if _is_missing(v) else (slug_label(v) if slugs else str(v)) for v in values], False


@dataclass(frozen=True)
class Table:
    """A table ready for reading: display strings, plain headers, numbers right-aligned.

    ``frame`` holds the display text (every cell a string, missing as "—"), ``numeric``
    the columns to right-align and ``note`` an optional line under the table (e.g.
    rows not shown). Rendered with every string escaped.
    """

    frame: pd.DataFrame
    numeric: tuple = ()
    note: str | None = None

    def _repr_html_(self) -> str:
        esc = html.escape
        cols = list(self.frame.columns)
        num = ' class="ek-num"'
        head = "".join(f'<th scope="col"{num if c in self.numeric else ""}>{esc(str(c))}</th>' for c in cols)
        rows = []
        for rec in self.frame.itertuples(index=False):
            cells = "".join(f'<td{num if c in self.numeric else ""}>{esc(str(v))}</td>' for c, v in zip(cols, rec))
            rows.append(f"<tr>{cells}</tr>")
        note = f'<p class="ek-note"><em>{link_terms(esc(self.note))}</em></p>' if self.note else ""
        # focusable: on a narrow screen the table scrolls sideways inside the page (keyboard users too)
        return (f'<table class="ek-table" tabindex="0"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
                f"{note}")


def format_table(frame: pd.DataFrame, *, digits: int = 1, columns=None, labels: dict | None = None,
                 value_labels: dict | None = None, drop_single=ID_COLUMNS, drop_empty: bool = True,
                 max_rows: int | None = 40) -> Table:
    """Make a result table read like a report table (the one formatter every report uses).

    Parameters
    ----------
    frame : DataFrame
        A result table, already suppressed where it holds counts of people (e.g. a
        result's ``report_table(..., threshold=...)`` or a workforce ``suppressed_table``).
    digits : int, default 1
        Decimals of numbers that are not whole (rates, percentages, means).
    columns : list of str, optional
        Columns to show, in this order (default: all).
    labels : dict, optional
        Header overrides ``{column: header}``; others from :func:`column_label`.
    value_labels : dict, optional
        ``{column: {value: label}}``, e.g. team ids to team names. Text columns whose
        every value is a slug (at least one with a hyphen) and that are not ids are
        shown as words (:func:`slug_label`). Column names that already contain capitals
        (e.g. measure labels) are kept as headers.
    drop_single : iterable of str, default ("unit", "team_id", "country", "study")
        Id columns dropped when the whole table holds one value of them.
    drop_empty : bool, default True
        Drop columns with no value at all.
    max_rows : int or None, default 40
        Rows shown; a note says how many more there are.

    Returns
    -------
    Table
        Display strings: whole numbers without decimals and with thousands separators,
        other numbers to ``digits`` decimals, True/False as yes/no, dates as
        YYYY-MM-DD, missing as "—"; person identifiers (staff_key, response_id) dropped.

    Notes
    -----
    Presentation only: the numbers were computed unrounded. Suppressed cells ("hidden",
    "suppressed") are kept as they are.

    Example
    -------
    >>> t = format_table(pd.DataFrame({"unit": ["ev", "ev"], "sector": ["head-start", "state-agency"],
    ...                                "n_partners": [1.0, 2.0], "attendance_pct": [85.416, None]}))
    >>> t.frame.to_dict("list")
    {'Sector': ['Head start', 'State agency'], 'Partners': ['1', '2'], 'Attendance (%)': ['85.4', '—']}
    """
    from evalkit.privacy import drop_person_identifiers

    df = drop_person_identifiers(frame.reset_index(drop=True))
    if columns is not None:
        df = df[[c for c in columns if c in df.columns]]
    drop = [c for c in df.columns if c in set(drop_single) and df[c].nunique(dropna=True) <= 1]
    if drop_empty:
        drop += [c for c in df.columns if df[c].isna().all() and c not in drop]
    df = df.drop(columns=drop)
    note = None
    if max_rows is not None and len(df) > max_rows:
        note = f"{len(df) - max_rows} more rows not shown."
        df = df.head(max_rows)
    labels = labels or {}
    value_labels = value_labels or {}
    out, numeric = {}, []
    for c in df.columns:
        header = labels.get(c, column_label(c)) if isinstance(c, str) and c == c.lower() or c in labels else str(c)
        out[header], is_num = _format_column(df[c], str(c), digits, value_labels.get(c))
        if is_num:
            numeric.append(header)
    return Table(pd.DataFrame(out, columns=list(out), dtype=object), tuple(numeric), note)


def as_table(frame: pd.DataFrame, *, digits: int = 1, **options) -> Table:
    """Wrap a DataFrame for display in a report: :func:`format_table` with the same options."""
    return format_table(frame, digits=digits, **options)


# --------------------------------------------------------------------------- page furniture
