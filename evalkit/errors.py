"""One exception family for everything a user can get wrong.

Every message is a single line a non-programmer can act on: it names the file,
row and column where they exist, the bad value, and what is expected. The CLI
prints ``str(error)`` and never a traceback for these.
"""
from __future__ import annotations

from dataclasses import dataclass


class EvalkitError(Exception):
    """Root of every error evalkit raises on purpose (bad input, bad params, bad call)."""


class InputError(EvalkitError, ValueError):
    """A function was called with arguments it cannot use (e.g. ``qic(chart="zz")``)."""


class ParamsError(EvalkitError):
    """A params YAML file is missing, unreadable or invalid."""


class DataError(EvalkitError):
    """A data table is missing, unreadable or holds invalid values."""


class ReportError(EvalkitError):
    """A report could not be rendered."""


@dataclass(frozen=True)
class Problem:
    """One problem found while validating inputs.

    ``row`` is the 1-based line number in the file as a spreadsheet shows it
    (the header is row 1, the first data row is row 2); ``None`` when the
    problem concerns the whole file or column. ``team_id`` (or country id) scopes
    the problem to one report, so the batch runner can fail only that report;
    ``None`` means the problem concerns every report.

    Two forms of the message: ``str(problem)`` is for the operator's terminal and may quote
    any value; :attr:`shared` is for everything others read (the batch manifest, the report
    index, notebook errors) and never quotes the value of a person-level identifier
    (``staff_key``, ``response_id``, ... see ``evalkit.inputs.schema.PERSON_IDENTIFIERS``):
    whoever words a message that quotes one also gives ``shared_message`` without it.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None
    unit: str | None = None
    shared_message: str | None = None

    def _where(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f", column {self.column}" if self.row is not None else f" column {self.column}"
        return where

    def __str__(self) -> str:
        return f"{self._where()}: {self.message}"

    @property
    def shared(self) -> str:
        """The one-line message for shared outputs: as ``str(self)`` without person-level values."""
        return f"{self._where()}: {self.message if self.shared_message is None else self.shared_message}"


class ValidationFailed(EvalkitError):
    """Validation found one or more problems; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        # the exception's own text can reach a notebook's output, so it uses the shared form;
        # the CLI prints every problem in full (str) on the operator's terminal
        first = self.problems[0].shared if self.problems else "no problems"
        more = len(self.problems) - 1
        super().__init__(first + (f" (and {more} more problem{'s' if more != 1 else ''})" if more > 0 else ""))
