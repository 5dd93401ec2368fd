"""The data model in one place: every table, its columns and what each may hold.

``evalkit.inputs.read`` reads and types the tables from this spec and ``evalkit.inputs.validate``
checks them against it, so the two can never disagree. The spec mirrors the data
model in DESIGN.md §3 (column names are a contract every module relies on).

Column kinds
------------
``id``     a slug ``[a-z0-9][a-z0-9-]*`` that may become part of a file name (team_id,
           country, study, unit, ...). Read as a pandas string.
``key``    an identifier that never becomes a file name (measure_id, goal_id, ...):
           ``[a-z0-9][a-z0-9_.-]*``. Read as a pandas string.
``text``   free text (pandas string; blank = missing).
``int``    whole number (``Int64``, blank = ``<NA>``).
``count``  a number of things, never negative (``float64``, blank = NaN).
``number`` any real number (``float64``, blank = NaN).
``date``   ISO date ``YYYY-MM-DD`` (``datetime64[ns]``, blank = NaT).
``month``  ISO month ``YYYY-MM`` (``datetime64[ns]`` at the first day of the month).
``bool``   true/false (also yes/no, 1/0; ``bool``, or ``boolean`` if optional).
``enum``   one of a fixed list of lower-case values (pandas string).

Limits every column kind shares
-------------------------------
``id`` values may not be a file name Windows reserves (``con``, ``prn``, ``aux``, ``nul``,
``com1``–``com9``, ``lpt1``–``lpt9``: :data:`RESERVED_NAMES`), since ids become output file
names. Numbers must be finite and within ±:data:`MAX_ABS_NUMBER` (1e15): ``inf``, ``nan``
and ``1e308`` are typing slips, not workforce counts or rates. Dates and months must lie
from :data:`MIN_DATE` to :data:`MAX_DATE` (1900-01-01 to 2100-12-31): wide enough for any
hire date, survey or reporting month of this domain, and well inside what pandas can store
(1677–2262), so a mistyped year is a one-line problem rather than a crash.

``required`` means a value must be present in every row; ``optional_column`` means the
column itself may be absent from the file (it is then added, all blank, on loading).
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Kind = Literal["id", "key", "text", "int", "count", "number", "date", "month", "bool", "enum"]

#: Pattern of ids that may become file or folder names in outputs/ (no '/', '..', upper case).
SLUG_PATTERN = r"[a-z0-9][a-z0-9-]*"
#: Pattern of other identifiers (measure ids such as ``turnover_rate``, goal ids, item names).
KEY_PATTERN = r"[a-z0-9][a-z0-9_.-]*"
#: Longest id accepted (file-name safety on every operating system).
MAX_ID_LENGTH = 80
#: Names Windows reserves for devices (compared case-insensitively): a file called ``con.html``
#: or ``com1.yaml`` cannot be created or opened there, so no id may be one of them.
RESERVED_NAMES = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                            *(f"lpt{i}" for i in range(1, 10))})
#: Largest absolute value a number may have in a data table or params file.
MAX_ABS_NUMBER = 1e15
#: Earliest and latest date (and month) accepted in data tables and params files.
MIN_DATE = "1900-01-01"
MAX_DATE = "2100-12-31"


#: Column names treated as person-level identifiers (compared case-insensitively): never shown
#: in a report (:func:`evalkit.privacy.drop_person_identifiers`) nor quoted in a message that
#: reaches a shared output (:attr:`evalkit.errors.Problem.shared`).
PERSON_IDENTIFIERS = frozenset(
    {
        "staff_key",
        "response_id",
        "person_id",
        "employee_id",
        "staff_id",
        "respondent_id",
        "name",
        "full_name",
        "first_name",
        "last_name",
        "email",
        "phone",
        "ssn",
        "date_of_birth",
        "dob",
    }
)


def identifies_person(column: object) -> bool:
    """Whether a column holds person-level identifiers (:data:`PERSON_IDENTIFIERS`)."""
    return str(column).strip().lower() in PERSON_IDENTIFIERS


def reserved_name_message(value: str) -> str | None:
    """The reason ``value`` cannot be an id if it is a reserved file name, else None."""
    if str(value).lower() in RESERVED_NAMES:
        return (f"'{value}' is not a valid id: CON, PRN, AUX, NUL, COM1–COM9 and LPT1–LPT9 are reserved file "
                "names on Windows; choose another id")
    return None


#: The five essentials of the U.S. Surgeon General's Framework for Workplace Mental Health
#: and Well-Being (2022), as slugs used in ``pdsa.essential``.
ESSENTIALS = (
    "protection-from-harm",
    "connection-and-community",
    "work-life-harmony",
    "mattering-at-work",
    "opportunity-for-growth",
)

#: SPC chart types understood by evalkit.spc.qic (qicharts2 0.8.1 names).
CHART_TYPES = ("run", "i", "mr", "xbar", "s", "t", "p", "pp", "c", "u", "up", "g")
#: Chart types whose numerator/denominator is a proportion (numerator <= denominator).
PROPORTION_CHARTS = ("p", "pp")
#: Chart types whose numerator is a count of events (never negative) and need a denominator.
RATE_CHARTS = ("p", "pp", "u", "up")
COUNT_CHARTS = ("p", "pp", "u", "up", "c", "g", "t")


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Parameters
    ----------
    name : str
        Column name exactly as in the file header (snake_case).
    kind : str
        One of the kinds listed in the module docstring.
    required : bool
        A value must be present (not blank) in every row.
    allowed : tuple of str
        For ``enum`` columns: the values allowed.
    minimum, maximum : float, optional
        Inclusive bounds for numeric columns.
    step : float, optional
        Numeric values must be whole multiples of this step (e.g. 0.5 for IHI scores).
    optional_column : bool
        The column may be missing from the file altogether.
    description : str
        One line for evaluators (used in messages and documentation).
    """

    name: str
    kind: Kind
    required: bool = True
    allowed: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    optional_column: bool = False
    description: str = ""


@dataclass(frozen=True)
class Table:
    """One table of the data model.

    Parameters
    ----------
    name : str
        Table name; the file is ``<name>.csv`` (or ``.xlsx`` / ``.parquet``).
    columns : tuple of Column
        The columns, in the documented order.
    scope : str, optional
        Column whose value says which report a row belongs to (team_id, country,
        study or unit); ``None`` if rows concern every report.
    required : bool
        The file must exist in every data folder.
    unique : tuple of str
        Columns that together identify a row (duplicates are problems).
    extra_columns : str, optional
        What other columns may hold: ``None`` (kept as text, not checked) or ``"number"``
        (survey item columns: read as numbers and checked against params instruments).
    """

    name: str
    columns: tuple[Column, ...]
    scope: str | None = None
    required: bool = False
    unique: tuple[str, ...] = ()
    extra_columns: str | None = None
    description: str = ""

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name: str, kind: Kind, required: bool = True, **kw) -> Column:
    return Column(name=name, kind=kind, required=required, **kw)


_TABLES = (
    Table(
        "teams",
        (
            _c("team_id", "id"),
            _c("team_name", "text"),
            _c("team_type", "enum", allowed=("tribal", "public")),
            _c("role", "enum", allowed=("participant", "comparison", "programme")),
            _c("region", "text", required=False),
            _c("country", "id"),
            _c("start_month", "month", required=False, description="blank for comparison and programme units"),
        ),
        scope="team_id",
        required=True,
        unique=("team_id",),
        description="one row per team, comparison unit or programme",
    ),
    Table(
        "measures",
        (
            _c("team_id", "id"),
            _c("period", "month"),
            _c("measure_id", "key"),
            _c("numerator", "number", required=False),
            _c("denominator", "count", required=False, description="blank for i-chart measures"),
        ),
        scope="team_id",
        required=True,
        unique=("team_id", "period", "measure_id"),
        description="one row per team, month and measure",
    ),
    Table(
        "roster",
        (
            _c("team_id", "id"),
            _c("staff_key", "text"),
            _c("role", "enum", allowed=("caseworker", "supervisor", "manager", "support")),
            _c("case_carrying", "bool"),
            _c("hire_date", "date"),
            _c("separation_date", "date", required=False, description="last day employed; blank if still employed"),
            _c(
                "separation_type",
                "enum",
                required=False,
                allowed=("voluntary", "involuntary", "other", "transfer"),
            ),
        ),
        scope="team_id",
        description="one row per staff member and spell of employment",
    ),
    Table(
        "positions",
        (
            _c("team_id", "id"),
            _c("period", "month"),
            _c("funded_positions", "count"),
            _c("filled_positions", "count"),
        ),
        scope="team_id",
        unique=("team_id", "period"),
    ),
    Table(
        "requisitions",
        (
            _c("team_id", "id"),
            _c("requisition_id", "key"),
            _c("opened", "date"),
            _c("filled", "date", required=False, description="blank = still open"),
        ),
        scope="team_id",
        unique=("team_id", "requisition_id"),
    ),
    Table(
        "survey",
        (
            _c("team_id", "id"),
            _c("wave", "int", minimum=1),
            _c("fielded", "date"),
            _c("response_id", "text"),
        ),
        scope="team_id",
        unique=("team_id", "wave", "response_id"),
        extra_columns="number",
        description="one row per response; item columns (e.g. cbi_work_1) as listed in params instruments",
    ),
    Table(
        "pdsa",
        (
            _c("team_id", "id"),
            _c("pdsa_id", "key"),
            _c("ramp_id", "key", required=False),
            _c("change_idea", "text"),
            _c("essential", "enum", allowed=ESSENTIALS),
            _c("driver", "text", required=False),
            _c("start_date", "date"),
            _c("end_date", "date", required=False),
            _c("prediction", "text", required=False),
            _c("decision", "enum", allowed=("adopt", "adapt", "abandon", "ongoing")),
            _c("measure_id", "key", required=False),
        ),
        scope="team_id",
        unique=("team_id", "pdsa_id"),
    ),
    Table(
        "events",
        (
            _c("team_id", "id", required=False, description="blank = all teams"),
            _c("date", "date"),
            _c("label", "text"),
            _c("kind", "enum", allowed=("learning_session", "change", "other")),
        ),
        scope="team_id",
    ),
    Table(
        "assessments",
        (
            _c("team_id", "id"),
            _c("period", "month"),
            _c("rater", "enum", allowed=("faculty", "self")),
            _c("score", "number", minimum=0.5, maximum=5.0, step=0.5),
        ),
        scope="team_id",
        unique=("team_id", "period", "rater"),
    ),
    Table(
        "goals",
        (
            _c("country", "id"),
            _c("goal_id", "key"),
            _c("goal", "text"),
            _c("indicator", "text", required=False),
            _c("baseline", "number", required=False),
            _c("target", "number", required=False),
            _c("value", "number", required=False),
            _c("as_of", "date", required=False),
            _c("gas_level", "int", required=False, minimum=-2, maximum=2, optional_column=True),
            _c("weight", "number", required=False, minimum=0, optional_column=True),
            _c("evidence", "text", required=False, optional_column=True),
        ),
        scope="country",
        unique=("country", "goal_id"),
    ),
    Table(
        "deliverables",
        (
            _c("country", "id"),
            _c("group", "text"),
            _c("deliverable_id", "key"),
            _c("goal_id", "key", required=False),
            _c("title", "text"),
            _c("due", "date", required=False),
            _c("completed", "date", required=False, description="blank = not yet"),
        ),
        scope="country",
        unique=("country", "deliverable_id"),
    ),
    Table(
        "membership",
        (
            _c("country", "id"),
            _c("date", "date"),
            _c("sector", "text"),
            _c("members", "count"),
        ),
        scope="country",
        unique=("country", "date", "sector"),
    ),
    Table(
        "outputs",
        (
            _c("country", "id"),
            _c("date", "date"),
            _c("output_type", "text"),
            _c("count", "count"),
        ),
        scope="country",
    ),
    Table(
        "sessions",
        (
            _c("study", "id"),
            _c("session_id", "key"),
            _c("affinity_group", "text"),
            _c("region", "text", required=False),
            _c("participants", "count", required=False),
            _c("hours", "count", required=False),
        ),
        scope="study",
        unique=("study", "session_id"),
    ),
    Table(
        "excerpts",
        (
            _c("study", "id"),
            _c("excerpt_id", "key"),
            _c("session_id", "key"),
            _c("code_path", "text", description="Theme > Topic > Subtopic"),
            _c("text", "text"),
        ),
        scope="study",
        unique=("study", "excerpt_id", "code_path"),
    ),
    Table(
        "training",
        (
            _c("unit", "id"),
            _c("session_id", "key"),
            _c("date", "date"),
            _c("module", "text"),
            _c("level", "enum", allowed=("basic", "core", "advanced")),
            _c("staff_key", "text"),
            _c("programme", "id"),
        ),
        scope="unit",
    ),
    Table(
        "partners",
        (
            _c("unit", "id"),
            _c("partner", "text"),
            _c("sector", "text"),
            _c("joined", "date", required=False),
            _c("meetings_held", "count", required=False),
            _c("meetings_attended", "count", required=False),
            _c("stipend", "text", required=False, description="true/false, or the amount paid (0 or more)"),
        ),
        scope="unit",
        unique=("unit", "partner"),
    ),
)

#: Every table of the data model by name (read-only).
TABLES: MappingProxyType[str, Table] = MappingProxyType({t.name: t for t in _TABLES})

#: Tables whose scope column names a jurisdiction (params/countries/<id>.yaml).
JURISDICTION_TABLES = tuple(t.name for t in _TABLES if t.scope in ("country", "study", "unit"))
#: Tables whose scope column names a team (params/teams/<id>.yaml).
TEAM_TABLES = tuple(t.name for t in _TABLES if t.scope == "team_id")

#: File suffixes evalkit.inputs.read reads, in order of preference.
SUFFIXES = (".csv", ".xlsx", ".parquet")


def table(name: str) -> Table:
    """Return the spec of one table.

    Parameters
    ----------
    name : str
        A table name from the data model (e.g. ``"roster"``).

    Returns
    -------
    Table

    Raises
    ------
    evalkit.errors.InputError
        If ``name`` is not a table of the data model.

    Example
    -------
    >>> table("positions").column_names
    ('team_id', 'period', 'funded_positions', 'filled_positions')
    """
    from evalkit.errors import InputError

    try:
        return TABLES[name]
    except KeyError:
        raise InputError(f"'{name}' is not a table of the data model; use one of {', '.join(TABLES)}") from None


__all__ = [
    "CHART_TYPES",
    "COUNT_CHARTS",
    "Column",
    "ESSENTIALS",
    "JURISDICTION_TABLES",
    "KEY_PATTERN",
    "MAX_ABS_NUMBER",
    "MAX_DATE",
    "MAX_ID_LENGTH",
    "MIN_DATE",
    "PERSON_IDENTIFIERS",
    "PROPORTION_CHARTS",
    "RATE_CHARTS",
    "RESERVED_NAMES",
    "SLUG_PATTERN",
    "SUFFIXES",
    "TABLES",
    "TEAM_TABLES",
    "Table",
    "identifies_person",
    "reserved_name_message",
    "table",
]
