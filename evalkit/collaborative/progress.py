"""IHI progress score: how far along each team is, by faculty and by self-assessment.

The Breakthrough Series progress score runs from 0.5 (intent to participate) to
5.0 (outstanding sustainable results) in 0.5 steps (Institute for Healthcare
Improvement 2003, The Breakthrough Series, Innovation Series white paper,
Appendix: "Assessment scale"). 3.0 means "improvement" (modest improvement in
measures) and 4.0 "significant improvement". This module reads the
``assessments`` table (team_id, period, rater faculty/self, score) and gives
each team's trajectory, the faculty − self gap, the months each team took to
first reach 3.0, and the share of teams at or above 3.0 and 4.0 month by month.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from evalkit.errors import InputError

__all__ = [
    "ProgressSummary",
    "summarise_progress",
    "progress_trajectory",
    "months_to_threshold",
    "share_at_or_above",
    "score_distribution",
]

_RATERS = ("faculty", "self")


def _prepare(assessments: pd.DataFrame) -> pd.DataFrame:
    need = ["team_id", "period", "rater", "score"]
    missing = [c for c in need if c not in assessments.columns]
    if missing:
        raise InputError(f"the assessments table has no column {', '.join(missing)}; it needs {', '.join(need)}")
    d = assessments[need].copy()
    d["team_id"] = d["team_id"].astype(str)
    d["rater"] = d["rater"].astype(str)
    if not pd.api.types.is_datetime64_any_dtype(d["period"]):
        d["period"] = pd.to_datetime(d["period"].astype(str), format="%Y-%m", errors="coerce")
    d["period"] = d["period"].dt.to_period("M").dt.to_timestamp()
    d["score"] = pd.to_numeric(d["score"], errors="coerce")
    # one score per team × month × rater: the last row given wins (as a later correction would)
    return d.drop_duplicates(["team_id", "period", "rater"], keep="last")


def _check_rater(rater: str) -> None:
    if rater not in _RATERS:
        raise InputError(f"rater {rater!r} is not known; use 'faculty' or 'self'")


def _month_number(ts: pd.Series) -> np.ndarray:
    v = pd.DatetimeIndex(ts)
    return (v.year.to_numpy() * 12 + v.month.to_numpy()).astype(float)


def progress_trajectory(assessments: pd.DataFrame) -> pd.DataFrame:
    """Faculty and self scores per team and month, with the faculty − self gap.

    Returns
    -------
    DataFrame
        ``team_id``, ``period`` (first of month), ``faculty``, ``self``,
        ``gap`` (faculty − self; negative when the team rates itself higher than
        faculty do; NaN unless both rated that month). Months where only one
        rater scored keep their row.

    Examples
    --------
    >>> a = pd.DataFrame({"team_id": ["t", "t"], "period": ["2023-04", "2023-04"],
    ...                   "rater": ["faculty", "self"], "score": [1.5, 2.0]})
    >>> progress_trajectory(a)["gap"].tolist()
    [-0.5]
    """
    d = _prepare(assessments)
    wide = d.pivot_table(index=["team_id", "period"], columns="rater", values="score", aggfunc="last")
    for r in _RATERS:
        if r not in wide:
            wide[r] = np.nan
    out = wide[list(_RATERS)].reset_index()
    out.columns.name = None
    out["gap"] = out["faculty"] - out["self"]
    return out.sort_values(["team_id", "period"], ignore_index=True)


def _carried(d: pd.DataFrame, rater: str, teams, periods) -> pd.DataFrame:
    """Team × month grid with each team's last score carried forward (NaN before its first)."""
    r = d[(d["rater"] == rater) & d["score"].notna()]
    teams_ = sorted(pd.unique(r["team_id"])) if teams is None else [str(t) for t in teams]
    if periods is None:
        if r.empty:
            periods = pd.DatetimeIndex([])
        else:
            periods = pd.date_range(r["period"].min(), r["period"].max(), freq="MS")
    else:
        periods = pd.DatetimeIndex(pd.to_datetime(pd.Series(periods).astype(str), format="mixed")).to_period("M").to_timestamp()
    wide = r.pivot_table(index="period", columns="team_id", values="score", aggfunc="last")
    all_periods = wide.index.union(periods)
    wide = wide.reindex(index=all_periods, columns=teams_).sort_index().ffill()
    return wide.reindex(periods)


def share_at_or_above(assessments: pd.DataFrame, *, thresholds=(3.0, 4.0), rater: str = "faculty",
                      teams=None, periods=None) -> pd.DataFrame:
    """Share of the collaborative's teams at or above each threshold, month by month.

    Parameters
    ----------
    thresholds : sequence of float, default (3.0, 4.0)
    rater : {"faculty", "self"}, default "faculty"
    teams : list of str, optional
        The teams of the collaborative (the denominator). Default: every team
        with a score from this rater.
    periods : sequence of month-like, optional
        Months to report. Default: first to last assessed month.

    Returns
    -------
    DataFrame
        ``period``, ``threshold``, ``n_teams`` (denominator), ``n_assessed``
        (teams with a score in or before the month), ``n_at_or_above``,
        ``share`` (n_at_or_above / n_teams, 0–1).

    Notes
    -----
    Scores are not given every month, so each team's **last score is carried
    forward** until its next assessment (last observation carried forward).
    A team not yet assessed counts in the denominator but not as reaching the
    threshold, so early shares describe the whole collaborative, not only the
    teams already scored.
    """
    _check_rater(rater)
    wide = _carried(_prepare(assessments), rater, teams, periods)
    rows = []
    for thr in thresholds:
        at = (wide >= float(thr)).sum(axis=1)
        rows.append(pd.DataFrame({"period": wide.index, "threshold": float(thr), "n_teams": wide.shape[1],
                                  "n_assessed": wide.notna().sum(axis=1).to_numpy(),
                                  "n_at_or_above": at.to_numpy()}))
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["period", "threshold", "n_teams", "n_assessed", "n_at_or_above"])
    out["share"] = out["n_at_or_above"] / out["n_teams"].where(out["n_teams"] > 0)
    return out.sort_values(["threshold", "period"], ignore_index=True)


def months_to_threshold(assessments: pd.DataFrame, start_by_team: Mapping | pd.DataFrame | None = None, *,
                        threshold: float = 3.0, rater: str = "faculty") -> pd.DataFrame:
    """Months from each team's start to the first month its score reached ``threshold``.

    Parameters
    ----------
    start_by_team : mapping or DataFrame, optional
        ``{team_id: start month}``, or the teams table (team_id, start_month).
        Teams without a start use their first assessed month.
    threshold : float, default 3.0
    rater : {"faculty", "self"}, default "faculty"

    Returns
    -------
    DataFrame
        ``team_id``, ``start_month``, ``first_reached`` (month, NaT if never),
        ``months_to_reach`` (0 = in the start month; NaN if never),
        ``reached`` (bool), ``last_score``.
    """
    _check_rater(rater)
    d = _prepare(assessments)
    r = d[(d["rater"] == rater) & d["score"].notna()].sort_values(["team_id", "period"])
    teams_ = sorted(pd.unique(r["team_id"]))
    if isinstance(start_by_team, pd.DataFrame):
        given = dict(zip(start_by_team["team_id"].astype(str), start_by_team["start_month"]))
    else:
        given = {str(k): v for k, v in (start_by_team or {}).items()}
    starts = pd.to_datetime(pd.Series([given.get(t) for t in teams_], index=teams_, dtype=object), errors="coerce")
    first_assessed = r.groupby("team_id")["period"].min().reindex(teams_)
    starts = starts.fillna(first_assessed).dt.to_period("M").dt.to_timestamp()
    hit = r[r["score"] >= float(threshold)].groupby("team_id")["period"].min().reindex(teams_)
    out = pd.DataFrame({"team_id": teams_, "start_month": starts.to_numpy(), "first_reached": hit.to_numpy()})
    out["months_to_reach"] = _month_number(out["first_reached"]) - _month_number(out["start_month"])
    out["reached"] = out["first_reached"].notna()
    out["last_score"] = r.groupby("team_id")["score"].last().reindex(teams_).to_numpy()
    return out


def score_distribution(assessments: pd.DataFrame, *, rater: str = "faculty", teams=None,
                       periods=None) -> pd.DataFrame:
    """How many teams hold each score in each month (last score carried forward).

    Returns
    -------
    DataFrame
        ``period``, ``score`` (0.5 … 5.0 in steps of 0.5, every step present),
        ``n_teams``, ``share`` (of the teams assessed by then). Teams not yet
        assessed are left out of that month.
    """
    _check_rater(rater)
    wide = _carried(_prepare(assessments), rater, teams, periods)
    scores = np.arange(0.5, 5.01, 0.5)
    long = wide.stack().rename("score").reset_index()
    long.columns = ["period", "team_id", "score"]
    grid = pd.MultiIndex.from_product([wide.index, scores], names=["period", "score"])
    counts = long.groupby(["period", "score"]).size().reindex(grid, fill_value=0).rename("n_teams").reset_index()
    tot = counts.groupby("period")["n_teams"].transform("sum")
    counts["share"] = counts["n_teams"] / tot.where(tot > 0)
    return counts


@dataclass(frozen=True)
class ProgressSummary:
    """Result of :func:`summarise_progress`.

    Attributes
    ----------
    trajectory : DataFrame  (as :func:`progress_trajectory`)
    time_to_threshold : DataFrame  (as :func:`months_to_threshold`)
    shares : DataFrame  (as :func:`share_at_or_above`)
    distribution : DataFrame  (as :func:`score_distribution`)
    rater : str
    thresholds : tuple of float
    """

    trajectory: pd.DataFrame
    time_to_threshold: pd.DataFrame
    shares: pd.DataFrame
    distribution: pd.DataFrame
    rater: str
    thresholds: tuple

    def _repr_html_(self) -> str:
        return ("<p><b>Progress scores</b> (rater: " + self.rater + "; last score carried forward)</p>"
                + self.time_to_threshold.to_html(index=False, na_rep="–"))


def summarise_progress(assessments: pd.DataFrame, teams: pd.DataFrame | None = None, *,
                       thresholds=(3.0, 4.0), rater: str = "faculty") -> ProgressSummary:
    """Trajectories, faculty − self gap, months to 3.0 and shares ≥ 3.0 / ≥ 4.0.

    Parameters
    ----------
    assessments : DataFrame
        The assessments table.
    teams : DataFrame, optional
        The teams table; its participating teams (role == "participant") form the
        denominator of the shares and their start_month the start for
        months-to-threshold. Default: the teams in ``assessments``.
    thresholds : sequence of float, default (3.0, 4.0)
        The first one is used for months-to-threshold.
    rater : {"faculty", "self"}, default "faculty"

    Returns
    -------
    ProgressSummary

    Examples
    --------
    >>> a = pd.DataFrame({"team_id": ["t"] * 2, "period": ["2023-04", "2023-06"],
    ...                   "rater": ["faculty"] * 2, "score": [2.0, 3.0]})
    >>> summarise_progress(a).time_to_threshold["months_to_reach"].tolist()
    [2.0]
    """
    team_list = None
    if teams is not None:
        t = teams[teams["role"].astype(str) == "participant"] if "role" in teams else teams
        team_list = sorted(t["team_id"].astype(str))
    return ProgressSummary(
        trajectory=progress_trajectory(assessments),
        time_to_threshold=months_to_threshold(assessments, teams, threshold=thresholds[0], rater=rater),
        shares=share_at_or_above(assessments, thresholds=thresholds, rater=rater, teams=team_list),
        distribution=score_distribution(assessments, rater=rater, teams=team_list),
        rater=rater,
        thresholds=tuple(float(x) for x in thresholds),
    )
