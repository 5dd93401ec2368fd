"""A measure's panel: every unit's monthly series of a measure, and each unit's start.

The verdict, the comparison-adjusted effect, the interrupted time series and the
collaborative roll-up all read a measure the same way: :func:`team_series` gives one unit's
months (numerator, denominator and the plotted value), :func:`team_starts` each unit's start
(params ``intervention_start`` over ``teams.start_month``).
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["team_series", "team_starts", "month_start", "spec_value"]


def spec_value(spec, key, default=None):
    """``spec[key]`` of a mapping or ``spec.key`` of a params object (``default`` when absent)."""
    if isinstance(spec, Mapping):
        return spec.get(key, default)
    return getattr(spec, key, default)


def month_start(value) -> pd.Timestamp | None:
    """The first day of ``value``'s month, or None for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    ts = pd.Timestamp(value)
    if ts is pd.NaT:
        return None
    return ts.to_period("M").to_timestamp()


def team_starts(teams: pd.DataFrame, params_dir=None, *, default=None) -> dict:
    """Intervention start month of every team.

    Parameters
    ----------
    teams : DataFrame
        The teams table (team_id, start_month).
    params_dir : str or Path, optional
        If given, a team's ``intervention_start`` in ``params/teams/<team_id>.yaml``
        overrides its start_month (teams without a params file keep start_month).
    default : month-like, optional
        Start used for units with neither (e.g. comparison units, to split their
        series at the collaborative's start). Default: none (left out).

    Returns
    -------
    dict
        ``{team_id: Timestamp (first of month)}``.
    """
    ids = [str(t) for t in teams["team_id"]]
    overrides = _params_starts(params_dir, ids) if params_dir is not None else {}
    out = {}
    for tid, sm in zip(ids, teams.get("start_month", pd.Series([None] * len(teams)))):
        start = overrides.get(tid, month_start(sm))
        if start is None and default is not None:
            start = month_start(default)
        if start is not None:
            out[tid] = start
    return out


def _params_starts(params_dir, team_ids) -> dict:
    """``{team_id: intervention_start}`` of the teams whose params file gives one.

    Reading every team's params costs milliseconds each; inside :func:`evalkit.memo.run_memo`
    it is done once per run (keyed by the files' sizes and modification times).
    """
    from pathlib import Path

    from evalkit.inputs.params import load_team
    from evalkit.memo import file_stamp, remember

    folder = Path(params_dir).resolve()
    files = {tid: folder / "teams" / f"{tid}.yaml" for tid in team_ids}
    key = ("params_starts", str(folder), tuple((tid, file_stamp(f)) for tid, f in files.items()),
           tuple((p.name, file_stamp(p)) for p in sorted(folder.glob("*.y*ml"))))

    def compute() -> dict:
        found = {}
        for tid, path in files.items():
            if path.exists():
                p = load_team(params_dir, tid)
                if p.intervention_start is not None:
                    found[tid] = month_start(p.intervention_start)
        return found

    return remember(key, compute)


def team_series(measures: pd.DataFrame, team_id: str, measure_id: str, spec) -> pd.DataFrame:
    """One team's monthly series of one measure.

    Returns
    -------
    DataFrame
        ``period``, ``numerator``, ``denominator``, ``value`` (numerator /
        denominator × multiply, or numerator × multiply when there is no
        denominator, in the measure's unit), sorted by period.
    """
    d = measures[(measures["team_id"].astype(str) == str(team_id)) & (measures["measure_id"].astype(str) == measure_id)]
    d = d[["period", "numerator", "denominator"]].sort_values("period").reset_index(drop=True)
    num = pd.to_numeric(d["numerator"], errors="coerce").astype(float)
    den = pd.to_numeric(d["denominator"], errors="coerce").astype(float)
    mult = float(spec_value(spec, "multiply", 1.0) or 1.0)
    d["numerator"], d["denominator"] = num, den
    d["value"] = np.where(den.notna(), num / den.where(den > 0), num) * mult
    return d


def series_by_team(measures: pd.DataFrame, measure_id: str, spec, team_ids) -> dict:
    """:func:`team_series` of many teams, computed in one pass over ``measures``.

    Returns ``{team_id: DataFrame}`` equal to ``team_series(measures, team_id, measure_id, spec)``
    for each id (same columns, types and values, sorted by period with missing periods last).
    The arithmetic is done once for the measure and the rows are then split by team, so the
    cost is linear in the table instead of a dozen pandas operations per team.
    """
    sub = measures[measures["measure_id"].astype(str) == measure_id]
    num = pd.to_numeric(sub["numerator"], errors="coerce").astype(float)
    den = pd.to_numeric(sub["denominator"], errors="coerce").astype(float)
    mult = float(spec_value(spec, "multiply", 1.0) or 1.0)
    frame = pd.DataFrame({"period": sub["period"], "numerator": num, "denominator": den})
    frame["value"] = np.where(den.notna(), num / den.where(den > 0), num) * mult
    keys = sub["team_id"].astype(str).to_numpy()
    period = pd.to_datetime(sub["period"]).to_numpy(dtype="datetime64[ns]")
    missing = np.isnat(period)
    # by team, then period (missing periods last, as sort_values puts them), stable
    order = np.lexsort((period.view("i8"), missing, keys))
    frame = frame.iloc[order].reset_index(drop=True)
    keys = keys[order]
    bounds = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    starts = np.r_[0, bounds]
    ends = np.r_[bounds, len(keys)]
    where = {keys[a]: (a, b) for a, b in zip(starts, ends) if b > a}
    empty = frame.iloc[:0]
    out = {}
    for t in team_ids:
        span = where.get(str(t))
        out[t] = (frame.iloc[span[0]:span[1]] if span else empty).reset_index(drop=True)
    return out
