"""Progress toward stated goals, Goal Attainment Scaling and deliverables.

For initiatives judged by how far they have come toward their own goals rather
than by monthly team measures (seed 001: the Moldova workforce working group
and its technical groups).

Public functions
----------------
goal_progress(goals, *, as_of=None, country=None, period_start=None, period_end=None, rho=0.3, default_weight=1.0)
gas_tscore(levels, weights=None, *, rho=0.3)
deliverable_status(deliverables, *, as_of, country=None)
has_goals(goals, country=None), has_deliverables(deliverables, country=None)
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from evalkit.country._common import Result, filter_key, has_rows, require_columns, to_datetime, to_number, to_text
from evalkit.errors import DataError, InputError

__all__ = [
    "GoalProgress",
    "DeliverableStatus",
    "goal_progress",
    "gas_tscore",
    "deliverable_status",
    "has_goals",
    "has_deliverables",
    "GOAL_STATUSES",
    "DELIVERABLE_STATUSES",
]

GOALS_COLUMNS = ("country", "goal_id", "goal", "indicator", "baseline", "target", "value", "as_of")
DELIVERABLES_COLUMNS = ("country", "group", "deliverable_id", "goal_id", "title", "due", "completed")

#: Goal statuses, best first.
GOAL_STATUSES = ("achieved", "on track", "in progress", "behind", "no progress", "moved away",
                 "no value yet", "no gap")
#: Deliverable statuses as of a date.
DELIVERABLE_STATUSES = ("on time", "late", "overdue", "not yet due")


# --------------------------------------------------------------------------- GAS
def gas_tscore(levels: Sequence[float], weights: Sequence[float] | None = None, *, rho: float = 0.3) -> float:
    """Goal Attainment Scaling summary T-score (Kiresuk & Sherman 1968).

    Parameters
    ----------
    levels : sequence of float
        Attainment level of each goal on the −2 … +2 scale (0 = expected
        outcome). Missing levels (NaN) are left out together with their weight.
    weights : sequence of float, optional
        Weight of each goal (importance, or importance × difficulty). ``None``
        means every goal weighs 1 (the unweighted score).
    rho : float, default 0.3
        Assumed average correlation between goal scores; 0.3 is Kiresuk &
        Sherman's value, used by most later guides (e.g. Turner-Stokes 2009).

    Returns
    -------
    float
        The T-score (mean 50, SD 10 when goals are set well); NaN when no goal
        has a level.

    Raises
    ------
    InputError
        Levels outside −2 … +2, negative weights, lengths that differ, or
        ``rho`` outside [0, 1).

    Notes
    -----
    T = 50 + 10 Σ wᵢxᵢ / √((1 − ρ) Σ wᵢ² + ρ (Σ wᵢ)²)

    Kiresuk TJ, Sherman RE (1968) Goal attainment scaling: a general method for
    evaluating comprehensive community mental health programs. Community Mental
    Health Journal 4:443–453. With one goal the score is 50 + 10x.

    Example
    -------
    >>> round(gas_tscore([-2, 0, -1, 2, 0, 1], [3, 5, 1, 4, 2, 6]), 6)
    55.0
    """
    x = np.asarray(levels, dtype="float64")
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype="float64")
    if x.shape != w.shape:
        raise InputError(f"gas_tscore: {x.size} levels but {w.size} weights; give one weight per goal")
    if not (0.0 <= rho < 1.0):
        raise InputError(f"gas_tscore: rho={rho!r} must be at least 0 and below 1 (Kiresuk & Sherman use 0.3)")
    keep = ~np.isnan(x) & ~np.isnan(w)
    x, w = x[keep], w[keep]
    if x.size == 0:
        return float("nan")
    if np.any((x < -2) | (x > 2)):
        raise InputError("gas_tscore: attainment levels must lie between -2 and +2")
    if np.any(w < 0) or not np.any(w > 0):
        raise InputError("gas_tscore: weights must be zero or positive, with at least one above zero")
    denom = np.sqrt((1.0 - rho) * np.sum(w**2) + rho * np.sum(w) ** 2)
    return float(50.0 + 10.0 * np.sum(w * x) / denom)


# --------------------------------------------------------------------- progress
@dataclasses.dataclass(frozen=True)
class GoalProgress(Result):
    """Progress toward each goal as of a date.

    Attributes
    ----------
    progress : DataFrame
        One row per country × goal × indicator: ``country, goal_id, goal,
        indicator, baseline, target, value, value_as_of, direction
        (increase/decrease), change, gap, pct_of_way, expected_pct, status,
        gas_level, weight``.
    gas : DataFrame
        One row per country: ``country, n_goals, n_scored, weighted_sum,
        t_score, rho``; t_score NaN when no goal has a GAS level.
    evidence : DataFrame
        One row per distinct evidence text: ``country, goal_id, goal, as_of,
        evidence`` (text unescaped here; escaped when rendered).
    settings : dict
    """

    progress: pd.DataFrame
    gas: pd.DataFrame
    evidence: pd.DataFrame
    settings: dict


def _status(pct: pd.Series, expected: pd.Series, has_value: pd.Series, gap: pd.Series) -> pd.Series:
    # order matters: later assignments do not override earlier decided rows
    status = pd.Series("in progress", index=pct.index, dtype="object")
    status[(pct < expected) & expected.notna()] = "behind"
    status[(pct >= expected) & expected.notna()] = "on track"
    status[pct == 0] = "no progress"
    status[pct < 0] = "moved away"
    status[pct >= 100] = "achieved"
    status[gap == 0] = "no gap"
    status[~has_value] = "no value yet"
    return status


def goal_progress(
    goals: pd.DataFrame,
    *,
    as_of=None,
    country: str | None = None,
    period_start=None,
    period_end=None,
    rho: float = 0.3,
    default_weight: float = 1.0,
) -> GoalProgress:
    """How far each goal has moved from its baseline toward its target.

    Parameters
    ----------
    goals : DataFrame
        The ``goals`` table: country, goal_id, goal, indicator, baseline,
        target, value, as_of, optional gas_level (−2 … +2), weight, evidence.
        Several rows per goal (one per measurement date) are allowed.
    as_of : date-like, optional
        Report date. Only rows measured on or before it count; the latest such
        row gives the value. ``None`` uses every row.
    country : str, optional
        Keep only this jurisdiction's rows (``None``: all, reported per country).
    period_start, period_end : date-like, optional
        Start and planned end of the goal period. When both are given, the
        expected share of the way at ``as_of`` is the elapsed share of the
        period (straight-line), and goals at or above it are "on track", below
        it "behind". Without them, moving goals are "in progress".
    rho : float, default 0.3
        Inter-goal correlation for the GAS T-score (see :func:`gas_tscore`).
    default_weight : float, default 1.0
        Weight used for a goal that has a GAS level but a blank weight
        (1 = unweighted).

    Returns
    -------
    GoalProgress
        ``progress``, ``gas`` and ``evidence`` tables (columns listed on the
        class) and the settings used.

    Raises
    ------
    DataError
        Missing columns, unreadable numbers or dates, GAS levels outside −2 … +2.

    Notes
    -----
    pct_of_way = 100 × (value − baseline) / (target − baseline). The sign of
    (target − baseline) gives the direction, so a goal to *reduce* a figure
    (baseline above target) is handled by the same formula: baseline 40,
    target 20, value 30 is 50 % of the way. Status: achieved (≥ 100 %),
    on track / behind (against the straight-line expectation, when a period is
    given), in progress, no progress (0 %), moved away (< 0 %), no value yet,
    no gap (baseline equals target). Values are not capped: 120 % means the
    target was passed. GAS: Kiresuk & Sherman (1968), one T-score per
    country over the goals that have a level.

    Example
    -------
    >>> g = pd.DataFrame({"country": ["md"], "goal_id": ["g1"], "goal": ["Cut wait"],
    ...     "indicator": ["days"], "baseline": [40.0], "target": [20.0], "value": [30.0],
    ...     "as_of": pd.to_datetime(["2024-06-30"])})
    >>> float(goal_progress(g).progress.loc[0, "pct_of_way"])
    50.0
    """
    require_columns(goals, GOALS_COLUMNS, "goals")
    df = filter_key(goals, "country", country).copy()
    for c in ("baseline", "target", "value"):
        df[c] = to_number(df, c, "goals")
    df["as_of"] = to_datetime(df, "as_of", "goals")
    df["gas_level"] = to_number(df, "gas_level", "goals") if "gas_level" in df else np.nan
    df["weight"] = to_number(df, "weight", "goals") if "weight" in df else np.nan
    if "evidence" not in df:
        df["evidence"] = np.nan
    bad = df["gas_level"].notna() & ~df["gas_level"].isin([-2, -1, 0, 1, 2])
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"goals row {pos + 2}, column gas_level: {df['gas_level'].iloc[pos]!r} is not one of -2, -1, 0, 1, 2"
        )
    for c in ("country", "goal_id", "goal", "indicator", "evidence"):
        df[c] = to_text(df[c])
    as_of_ts = None if as_of is None else pd.Timestamp(as_of)
    key = ["country", "goal_id", "indicator"]
    df["_indicator_key"] = df["indicator"].fillna("")
    k = ["country", "goal_id", "_indicator_key"]
    df = df.sort_values(k + ["as_of"], kind="stable")

    # definition (goal text, baseline, target) from the latest row overall
    definition = df.groupby(k, sort=True, dropna=False).tail(1)[k + ["goal", "indicator", "baseline", "target"]]
    known = df if as_of_ts is None else df.loc[df["as_of"].isna() | (df["as_of"] <= as_of_ts)]
    measured = known.loc[known["value"].notna()]
    latest = measured.groupby(k, sort=True, dropna=False).tail(1)[k + ["value", "as_of"]]
    latest = latest.rename(columns={"as_of": "value_as_of"})
    gas_rows = known.loc[known["gas_level"].notna()].groupby(k, dropna=False).tail(1)[k + ["gas_level", "weight"]]
    out = definition.merge(latest, on=k, how="left").merge(gas_rows, on=k, how="left")

    gap = out["target"] - out["baseline"]
    out["direction"] = np.where(gap < 0, "decrease", np.where(gap > 0, "increase", "none"))
    out["change"] = out["value"] - out["baseline"]
    out["gap"] = gap
    with np.errstate(divide="ignore", invalid="ignore"):
        out["pct_of_way"] = np.where(gap != 0, 100.0 * out["change"] / gap, np.nan)
    if period_start is not None and period_end is not None:
        start, end = pd.Timestamp(period_start), pd.Timestamp(period_end)
        if end <= start:
            raise InputError(f"goal_progress: period_end {end.date()} must be after period_start {start.date()}")
        if as_of_ts is not None:
            frac = pd.Series((as_of_ts - start) / (end - start), index=out.index, dtype="float64")
        else:  # each goal's own measurement date
            frac = (out["value_as_of"] - start) / (end - start)
        out["expected_pct"] = (100.0 * frac.astype("float64")).clip(0.0, 100.0)
    elif (period_start is None) != (period_end is None):
        raise InputError("goal_progress: give both period_start and period_end, or neither")
    else:
        out["expected_pct"] = np.nan
    out["status"] = _status(out["pct_of_way"], out["expected_pct"], out["value"].notna(), gap)
    out["weight"] = out["weight"].where(out["weight"].notna() | out["gas_level"].isna(), default_weight)
    progress = out[key + ["goal", "baseline", "target", "value", "value_as_of", "direction", "change", "gap",
                          "pct_of_way", "expected_pct", "status", "gas_level", "weight"]]
    progress = progress[["country", "goal_id", "goal", "indicator"] + list(progress.columns[4:])]
    progress = progress.reset_index(drop=True)

    # GAS per country over the goal rows that carry a level (latest level per goal × indicator)
    rows = []
    for ctry, grp in progress.groupby("country", sort=True, dropna=False):
        sc = grp.loc[grp["gas_level"].notna()]
        rows.append({
            "country": ctry,
            "n_goals": int(grp["goal_id"].nunique()),
            "n_scored": int(len(sc)),
            "weighted_sum": float((sc["gas_level"] * sc["weight"]).sum()) if len(sc) else np.nan,
            "t_score": gas_tscore(sc["gas_level"].to_numpy(), sc["weight"].to_numpy(), rho=rho),
            "rho": rho,
        })
    gas = pd.DataFrame(rows, columns=["country", "n_goals", "n_scored", "weighted_sum", "t_score", "rho"])

    ev = known.loc[known["evidence"].notna() & (known["evidence"].astype(str).str.strip() != "")]
    evidence = (ev[["country", "goal_id", "goal", "as_of", "evidence"]]
                .drop_duplicates(subset=["country", "goal_id", "evidence"], keep="first")
                .sort_values(["country", "goal_id", "as_of"], kind="stable")
                .reset_index(drop=True))
    settings = {"as_of": None if as_of_ts is None else as_of_ts.date().isoformat(), "country": country,
                "period_start": None if period_start is None else str(pd.Timestamp(period_start).date()),
                "period_end": None if period_end is None else str(pd.Timestamp(period_end).date()),
                "rho": rho, "default_weight": default_weight}
    return GoalProgress(progress=progress, gas=gas, evidence=evidence, settings=settings)


# ------------------------------------------------------------------ deliverables
@dataclasses.dataclass(frozen=True)
class DeliverableStatus(Result):
    """Deliverables due, completed, on time, late and overdue as of a date.

    Attributes
    ----------
    by_group : DataFrame
        One row per country × technical group: ``country, group, n_deliverables,
        n_due, n_completed, n_on_time, n_late, n_overdue, n_not_yet_due,
        pct_due_done_on_time`` (on time / due × 100; NaN when nothing is due).
    deliverables : DataFrame
        One row per deliverable: ``country, group, deliverable_id, goal_id,
        title, due, completed, completed_by_as_of, status, days_late`` (days
        after due for late or overdue items, else 0 or NaN when not yet due).
    timeline : DataFrame
        Ready for a Gantt-like chart, ordered by group then due date:
        ``country, group, deliverable_id, title, label, due, end, status, row``;
        ``end`` is the completion date, or the as-of date for open items.
    settings : dict
    """

    by_group: pd.DataFrame
    deliverables: pd.DataFrame
    timeline: pd.DataFrame
    settings: dict


def deliverable_status(deliverables: pd.DataFrame, *, as_of, country: str | None = None) -> DeliverableStatus:
    """Classify each deliverable as on time, late, overdue or not yet due.

    Parameters
    ----------
    deliverables : DataFrame
        The ``deliverables`` table: country, group, deliverable_id, goal_id,
        title, due, completed (blank = not yet).
    as_of : date-like
        Report date. A completion dated after it is treated as not yet
        completed, so a report for an earlier date can be reproduced.
    country : str, optional
        Keep only this jurisdiction's rows.

    Returns
    -------
    DeliverableStatus
        ``by_group``, ``deliverables`` and ``timeline`` tables (columns listed
        on the class).

    Raises
    ------
    DataError
        Missing columns or unreadable dates, or a blank due date.

    Notes
    -----
    With D the as-of date: completed ≤ D and completed ≤ due → *on time* (a
    deliverable completed exactly on its due date is on time); completed ≤ D
    and completed > due → *late*; not completed by D and due < D → *overdue*;
    not completed by D and due ≥ D → *not yet due* (due today is not yet
    overdue). n_due counts due ≤ D.

    Example
    -------
    >>> d = pd.DataFrame({"country": ["md"], "group": ["tg1"], "deliverable_id": ["d1"],
    ...     "goal_id": ["g1"], "title": ["Curriculum"], "due": pd.to_datetime(["2023-06-30"]),
    ...     "completed": pd.to_datetime(["2023-06-30"])})
    >>> deliverable_status(d, as_of="2024-01-01").deliverables.loc[0, "status"]
    'on time'
    """
    require_columns(deliverables, DELIVERABLES_COLUMNS, "deliverables")
    if as_of is None:
        raise InputError("deliverable_status: as_of is required (the date the report describes)")
    d_ = pd.Timestamp(as_of)
    df = filter_key(deliverables, "country", country).copy()
    df["due"] = to_datetime(df, "due", "deliverables")
    df["completed"] = to_datetime(df, "completed", "deliverables")
    if df["due"].isna().any():
        pos = int(np.flatnonzero(df["due"].isna().to_numpy())[0])
        raise DataError(f"deliverables row {pos + 2}, column due: blank; every deliverable needs a due date")
    for c in ("country", "group", "deliverable_id", "goal_id", "title"):
        df[c] = to_text(df[c])
    done = df["completed"].notna() & (df["completed"] <= d_)
    df["completed_by_as_of"] = done
    status = np.select(
        [done & (df["completed"] <= df["due"]), done, df["due"] < d_],
        ["on time", "late", "overdue"],
        default="not yet due",
    )
    df["status"] = status
    days = np.where(done, (df["completed"] - df["due"]).dt.days.clip(lower=0),
                    np.where(df["due"] < d_, (d_ - df["due"]).dt.days, np.nan))
    df["days_late"] = days.astype("float64")
    df = df.sort_values(["country", "group", "due", "deliverable_id"], kind="stable").reset_index(drop=True)
    table = df[["country", "group", "deliverable_id", "goal_id", "title", "due", "completed",
                "completed_by_as_of", "status", "days_late"]]

    ind = pd.DataFrame({
        "country": df["country"], "group": df["group"],
        "n_deliverables": 1,
        "n_due": (df["due"] <= d_).astype(int),
        "n_completed": done.astype(int),
        "n_on_time": (df["status"] == "on time").astype(int),
        "n_late": (df["status"] == "late").astype(int),
        "n_overdue": (df["status"] == "overdue").astype(int),
        "n_not_yet_due": (df["status"] == "not yet due").astype(int),
    })
    by_group = ind.groupby(["country", "group"], sort=True, dropna=False).sum().reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        by_group["pct_due_done_on_time"] = np.where(
            by_group["n_due"] > 0, 100.0 * by_group["n_on_time"] / by_group["n_due"].where(by_group["n_due"] > 0), np.nan
        )

    timeline = df[["country", "group", "deliverable_id", "title", "due", "status"]].copy()
    timeline["label"] = (df["group"].astype(str) + ": " + df["title"].fillna(df["deliverable_id"]).astype(str))
    timeline["end"] = df["completed"].where(done, d_)
    timeline["row"] = np.arange(len(timeline))
    timeline = timeline[["country", "group", "deliverable_id", "title", "label", "due", "end", "status", "row"]]
    return DeliverableStatus(by_group=by_group, deliverables=table, timeline=timeline,
                             settings={"as_of": d_.date().isoformat(), "country": country})


# -------------------------------------------------------------------- has_data
def has_goals(goals: pd.DataFrame | None, country: str | None = None) -> bool:
    """True when a goals table exists with rows for ``country`` (any, if None)."""
    return has_rows(goals, "country", country)


def has_deliverables(deliverables: pd.DataFrame | None, country: str | None = None) -> bool:
    """True when a deliverables table exists with rows for ``country`` (any, if None)."""
    return has_rows(deliverables, "country", country)
