"""Collecting the problems found while reading data tables, worded one line each.

Private helpers of :mod:`evalkit.inputs.read` (split out because ``io.py`` passed the ~600-line
module size of the style guide). ``show`` quotes a value for a message; ``_Collector``
gathers the problems of one file, listing at most ``MAX_PROBLEMS_PER_CHECK`` rows per
check and report unit. Import them from :mod:`evalkit.inputs.read`.
"""
from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from evalkit.errors import Problem
from evalkit.inputs.schema import identifies_person

#: At most this many problems of one kind are listed per report unit and column; the
#: rest are summarised in one line ("... N more rows ...") so a million bad rows do not
#: bury the message.
MAX_PROBLEMS_PER_CHECK = 50


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


def _hidden(column: str | None, value: object) -> str | None:
    """The shared form of a message about a value of a person-level identifier column (which
    may quote the value, e.g. an e-mail address typed into a survey item column); None otherwise."""
    if column is None or value is None or not identifies_person(column):
        return None
    return (f"holds a value that is not valid here (not shown: {column} identifies a person); "
            "run evalkit validate to see it")


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
        self.problems.append(Problem(self.file, message, row=row, column=column, value=value, unit=unit,
                                     shared_message=_hidden(column, value)))

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
        describe: Callable[[int], tuple],
        units: pd.Series | None = None,
        scoped: bool = True,
    ) -> None:
        """Add one problem per row where ``mask`` is true; ``describe(position)`` gives (value, message)
        or (value, message, shared message) when the message quotes a person-level identifier
        (see :attr:`evalkit.errors.Problem.shared`).

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
            value, text, *shared = describe(pos)
            self.problems.append(Problem(self.file, text, row=pos + 2, column=column, value=value, unit=u,
                                         shared_message=shared[0] if shared else _hidden(column, value)))
        if not keep.all():
            extra = keys[~keep].value_counts(sort=False)
            for key, n in extra.items():
                u = None if key == "\0" else key
                who = f" of {u}" if u is not None else ""
                self.summaries.append(
                    Problem(self.file, f"{n} more row{'s' if n != 1 else ''}{who} with the same problem "
                            f"(only the first {self.limit} are listed)", column=column, unit=u)
                )
