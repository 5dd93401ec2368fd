"""Which units' rows feed one report: the one place that answers it.

A team report reads its own team's rows. A jurisdiction (country, state, county) report
reads the jurisdiction's own rows plus the rows of the teams whose ``teams.country`` is the
jurisdiction (their programme staff feed training coverage). Reading, validation, the report
loader and the batch plan all ask :func:`report_units`.
"""
from __future__ import annotations

import pandas as pd

from evalkit.errors import InputError

__all__ = ["report_units", "jurisdiction_teams"]


def jurisdiction_teams(teams: pd.DataFrame | None, jurisdiction_id: str) -> set[str]:
    """The team ids whose ``teams.country`` is ``jurisdiction_id`` (empty without a teams table)."""
    if teams is None or "country" not in teams or "team_id" not in teams:
        return set()
    mine = (teams["country"] == jurisdiction_id).fillna(False).to_numpy(dtype=bool)
    return {str(t) for t in teams.loc[mine, "team_id"].dropna()}


def report_units(teams: pd.DataFrame | None, unit_id: str, kind: str = "team") -> set[str]:
    """The unit ids whose rows feed one report.

    Parameters
    ----------
    teams : DataFrame or None
        The teams table (typed).
    unit_id : str
        team_id for a team report, jurisdiction id for a country report.
    kind : {"team", "country"}
        Which report.

    Returns
    -------
    set of str
        ``{team_id}`` for a team; for a jurisdiction, its id plus
        :func:`jurisdiction_teams`.

    Raises
    ------
    InputError
        ``kind`` is neither "team" nor "country".

    Examples
    --------
    >>> teams = pd.DataFrame({"team_id": ["a", "b"], "country": ["x", "y"]})
    >>> sorted(report_units(teams, "x", "country"))
    ['a', 'x']
    """
    if kind == "team":
        return {unit_id}
    if kind == "country":
        return {unit_id} | jurisdiction_teams(teams, unit_id)
    raise InputError(f"kind must be 'team' or 'country', not {kind!r}")
