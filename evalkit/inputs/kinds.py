"""The kinds of report evalkit renders, in one registry.

Each :class:`ReportKind` says which notebook renders it, which ids it runs for, which data
tables it reads (its cache key covers their files, and the report loader reads exactly
these), which params files it depends on, which units' rows it covers and where its output
goes. The batch plan, the cache, validation, the report loader and the index all read
:data:`REPORT_KINDS`; adding a kind (say, one report per region) is one entry here plus one
notebook.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evalkit.errors import InputError
from evalkit.inputs.units import report_units

__all__ = ["ReportKind", "REPORT_KINDS", "COLLABORATIVE_ID", "report_kind"]

#: The id of the one collaborative summary.
COLLABORATIVE_ID = "collaborative"

_TEAM_TABLES = ("teams", "measures", "roster", "positions", "requisitions", "survey", "pdsa", "events",
                "assessments")


@dataclass(frozen=True)
class ReportKind:
    """One kind of report.

    Attributes
    ----------
    name : str
        The kind as the manifest records it (``team``).
    heading : str
        Its heading on the index page.
    notebook : str
        The notebook in ``notebooks/`` that renders it.
    tables : tuple of str
        The data tables it reads.
    folder : str
        Output subfolder (``""`` = the output folder itself).
    id_parameter : str or None
        The notebook parameter that receives the report's id (None: the kind has one report).
    params_folder : str or None
        The params subfolder holding one ``<id>.yaml`` per report (None: none).
    ids : callable
        ``ids(params_dir, teams) -> list of str``: the reports of this kind to render.
    units : callable or None
        ``units(teams, id) -> set``: the units whose rows the report covers (a problem in
        their rows fails the report). None: every unit; bad units are left out instead.
    whole_tables : tuple of str
        Tables the report reads for every unit, not only its own (a team report's
        comparison-adjusted effect fits every unit's ``measures`` with the ``teams`` table);
        the batch runner hands a report only its units' rows of the other tables.
    """

    name: str
    heading: str
    notebook: str
    tables: tuple[str, ...]
    folder: str
    id_parameter: str | None
    params_folder: str | None
    ids: Callable[[Path, pd.DataFrame], list[str]]
    units: Callable[[pd.DataFrame, str], set[str]] | None
    whole_tables: tuple[str, ...] = ()

    def params_files(self, params_dir: Path, report_id: str) -> list[Path]:
        """The params files this report depends on (the cache key covers their contents)."""
        shared = [params_dir / "collaborative.yaml"]
        if self.params_folder:
            return shared + [params_dir / self.params_folder / f"{report_id}.yaml"]
        return shared + sorted((params_dir / "teams").glob("*.yaml"))

    def output(self, report_id: str, suffix: str) -> str:
        """Where one of the report's files goes, relative to the output folder."""
        name = f"{report_id}{suffix}"
        return f"{self.folder}/{name}" if self.folder else name


def _participating_teams(params_dir: Path, teams: pd.DataFrame) -> list[str]:
    """Teams with role ``participant`` in teams.csv that have a ``params/teams/<id>.yaml``."""
    from evalkit.inputs.params import list_teams

    role = teams["role"].astype("string").fillna("")
    participants = set(teams.loc[(role == "participant").to_numpy(dtype=bool), "team_id"].dropna().astype(str))
    return [t for t in list_teams(params_dir) if t in participants]


def _countries(params_dir: Path, teams: pd.DataFrame) -> list[str]:
    """Jurisdictions with a ``params/countries/<id>.yaml``."""
    from evalkit.inputs.params import list_countries

    return list_countries(params_dir)


#: Every kind, in index order.
REPORT_KINDS: dict[str, ReportKind] = {
    "collaborative": ReportKind(
        "collaborative", "Collaborative summary", "03-collaborative-summary.ipynb", _TEAM_TABLES, "",
        None, None, lambda params_dir, teams: [COLLABORATIVE_ID], None),
    "team": ReportKind(
        "team", "Team reports", "01-team-evaluation.ipynb", _TEAM_TABLES, "teams",
        "team_id", "teams", _participating_teams, lambda teams, uid: report_units(teams, uid, "team"),
        whole_tables=("teams", "measures")),
    "country": ReportKind(
        "country", "Country and state reports", "02-country-evaluation.ipynb",
        ("teams", "roster", "goals", "deliverables", "membership", "outputs", "sessions", "excerpts", "training",
         "partners"),
        "countries", "country_id", "countries", _countries,
        lambda teams, uid: report_units(teams, uid, "country"), whole_tables=("teams",)),
}


def report_kind(name: str) -> ReportKind:
    """The registry entry of one kind; an unknown name is an :class:`InputError`."""
    try:
        return REPORT_KINDS[name]
    except KeyError:
        raise InputError(f"report kind {name!r} is unknown; use one of {', '.join(REPORT_KINDS)}") from None
