"""Joint training of two programmes: attendance, sequence, coverage of current staff.

Seed 004 (Linkages training): training must be attended by both programmes'
staff, sequenced basic → core → advanced, and repeated because staff keep
changing ("train, train, and retrain"). So coverage is measured on the staff
employed *now*: cumulative "ever trained" counts keep people who have left and
overstate coverage.

Public functions
----------------
programme_staff(roster, teams, unit)
joint_attendance(training, *, unit=None, programmes=None)
sequence_completion(training, *, unit=None, levels=("basic", "core", "advanced"))
trained_coverage(training, roster, *, unit=None, levels=("basic", "core", "advanced"), start=None, end=None)
has_training(training, unit=None)
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from evalkit.country._common import Result, filter_key, has_rows, require_columns, to_datetime, to_text
from evalkit.errors import DataError, InputError

__all__ = [
    "JointAttendance",
    "SequenceCompletion",
    "TrainedCoverage",
    "programme_staff",
    "joint_attendance",
    "sequence_completion",
    "trained_coverage",
    "has_training",
    "LEVELS",
    "COVERAGE_WARNING",
]

TRAINING_COLUMNS = ("unit", "session_id", "date", "module", "level", "staff_key", "programme")
ROSTER_COLUMNS = ("team_id", "staff_key", "hire_date", "separation_date")
#: Training levels in the order they should be completed (seed 004).
LEVELS = ("basic", "core", "advanced")
#: The caution seed 004 implies, printed beside coverage charts.
COVERAGE_WARNING = (
    "Cumulative counts of people ever trained include staff who have since left, so they overstate "
    "coverage; the coverage shown is the share of staff employed on the 1st of each month who had "
    "completed the level by then."
)


def _training(training: pd.DataFrame, unit: str | None, levels: Sequence[str] | None = None) -> pd.DataFrame:
    require_columns(training, TRAINING_COLUMNS, "training")
    t = filter_key(training, "unit", unit).copy()
    t["date"] = to_datetime(t, "date", "training")
    for c in ("unit", "session_id", "module", "level", "staff_key", "programme"):
        t[c] = to_text(t[c])
    if levels is not None:
        bad = t["level"].notna() & ~t["level"].isin(list(levels))
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"training row {pos + 2}, column level: {t['level'].iloc[pos]!r} is not one of "
                            f"{', '.join(levels)}")
    return t


def programme_staff(roster: pd.DataFrame, teams: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Roster rows of the programme units of a jurisdiction.

    Parameters
    ----------
    roster : DataFrame
        The ``roster`` table.
    teams : DataFrame
        The ``teams`` table (team_id, role, country, ...).
    unit : str
        Jurisdiction id (teams.country).

    Returns
    -------
    DataFrame
        The roster rows whose team has ``country == unit`` and ``role ==
        "programme"`` (training.programme is one of these team ids).
    """
    require_columns(teams, ("team_id", "role", "country"), "teams")
    require_columns(roster, ROSTER_COLUMNS, "roster")
    ids = teams.loc[(teams["country"].astype("object") == unit) & (teams["role"].astype("object") == "programme"),
                    "team_id"].astype("object")
    return roster.loc[roster["team_id"].astype("object").isin(set(ids))].reset_index(drop=True)


# ------------------------------------------------------------------ attendance
@dataclasses.dataclass(frozen=True)
class JointAttendance(Result):
    """Which sessions both programmes attended, and each programme's share.

    Attributes
    ----------
    sessions : DataFrame
        One row per training session: ``unit, session_id, date, module, level,
        n_attendees, n_programmes, joint, programmes_present``.
    shares : DataFrame
        One row per session × programme (zeros kept): ``unit, session_id, date,
        level, programme, n_attendees, share_pct``.
    summary : DataFrame
        One row per unit: ``unit, n_sessions, n_joint, pct_joint``.
    settings : dict
    """

    sessions: pd.DataFrame
    shares: pd.DataFrame
    summary: pd.DataFrame
    settings: dict
    # the programmes' attendees add up to the session's shown attendees: complementary per session
    _people_counts = {"sessions": (("n_attendees",), {}, ()),
                      "shares": (("n_attendees",), {"share_pct": ("n_attendees",)}, ("unit", "session_id"))}


def joint_attendance(training: pd.DataFrame, *, unit: str | None = None,
                     programmes: Sequence[str] | None = None) -> JointAttendance:
    """Sessions attended by both programmes and each programme's share of attendees.

    Parameters
    ----------
    training : DataFrame
        The ``training`` table: unit, session_id, date, module, level,
        staff_key, programme (one row per person attending a session).
    unit : str, optional
        Keep only this jurisdiction's rows.
    programmes : sequence of str, optional
        The programmes expected to train together. ``None``: every programme
        that appears in the unit's training data.

    Returns
    -------
    JointAttendance

    Notes
    -----
    A session is *joint* when every expected programme had at least one
    attendee. share_pct = 100 × attendees from the programme / all attendees
    of the session (distinct staff_key). Person keys are counted, never shown.

    Example
    -------
    >>> t = pd.DataFrame({"unit": ["ev"] * 3, "session_id": ["s1"] * 3, "date": pd.to_datetime(["2023-01-10"] * 3),
    ...     "module": ["orientation"] * 3, "level": ["basic"] * 3, "staff_key": ["a", "b", "c"],
    ...     "programme": ["cw", "cw", "fa"]})
    >>> joint_attendance(t).shares["share_pct"].round(1).tolist()
    [66.7, 33.3]
    """
    t = _training(training, unit)
    att = t.drop_duplicates(["unit", "session_id", "programme", "staff_key"])
    info = t.sort_values("date").groupby(["unit", "session_id"], sort=True).agg(
        date=("date", "first"), module=("module", "first"), level=("level", "first")).reset_index()
    if programmes is None:
        expected = att[["unit", "programme"]].dropna().drop_duplicates()
    else:
        expected = info[["unit"]].drop_duplicates().merge(pd.DataFrame({"programme": list(programmes)}), how="cross")
    counts = att.groupby(["unit", "session_id", "programme"], sort=True)["staff_key"].nunique().rename(
        "n_attendees").reset_index()
    grid = info[["unit", "session_id", "date", "level"]].merge(expected, on="unit")
    extra = counts.merge(grid[["unit", "session_id", "programme"]], how="left", indicator=True)
    extra = extra.loc[extra["_merge"] == "left_only", ["unit", "session_id", "programme"]]
    if len(extra):  # programmes present but not listed as expected still get a share row
        grid = pd.concat([grid, extra.merge(info[["unit", "session_id", "date", "level"]])], ignore_index=True)
    shares = grid.merge(counts, on=["unit", "session_id", "programme"], how="left")
    shares["n_attendees"] = shares["n_attendees"].fillna(0).astype(int)
    total = att.groupby(["unit", "session_id"])["staff_key"].nunique().rename("_total")
    shares = shares.merge(total.reset_index(), on=["unit", "session_id"], how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        shares["share_pct"] = 100.0 * shares["n_attendees"] / shares["_total"]
    shares = shares.drop(columns="_total").sort_values(["unit", "date", "session_id", "programme"]).reset_index(
        drop=True)

    exp_sets = expected.groupby("unit")["programme"].agg(frozenset)
    present = counts.loc[counts["n_attendees"] > 0].groupby(["unit", "session_id"])["programme"].agg(
        lambda s: frozenset(s))
    sessions = info.merge(total.rename("n_attendees").reset_index(), on=["unit", "session_id"], how="left")
    pres = sessions.set_index(["unit", "session_id"]).index.map(lambda k: present.get(k, frozenset()))
    sessions["n_programmes"] = [len(p) for p in pres]
    sessions["joint"] = [bool(exp_sets.get(u, frozenset())) and exp_sets.get(u, frozenset()) <= p
                         for u, p in zip(sessions["unit"], pres)]
    sessions["programmes_present"] = ["; ".join(sorted(p)) for p in pres]
    sessions = sessions[["unit", "session_id", "date", "module", "level", "n_attendees", "n_programmes", "joint",
                         "programmes_present"]].sort_values(["unit", "date", "session_id"]).reset_index(drop=True)
    g = sessions.groupby("unit", sort=True)
    summary = pd.DataFrame({"n_sessions": g.size(), "n_joint": g["joint"].sum().astype(int)}).reset_index()
    summary["pct_joint"] = 100.0 * summary["n_joint"] / summary["n_sessions"]
    return JointAttendance(sessions=sessions, shares=shares, summary=summary,
                           settings={"unit": unit, "programmes": None if programmes is None else list(programmes)})


# -------------------------------------------------------------------- sequence
@dataclasses.dataclass(frozen=True)
class SequenceCompletion(Result):
    """Completion of the levels in order, per person and summarised.

    Attributes
    ----------
    summary : DataFrame
        One row per unit × programme × status: ``unit, programme, status,
        n_people, pct`` (statuses: in sequence, out of sequence, incomplete).
    people : DataFrame
        PERSON-LEVEL, for analysis only (never put it in a report):
        ``unit, staff_key, programme, first_<level>… , n_levels, status``.
    settings : dict
    """

    summary: pd.DataFrame
    people: pd.DataFrame
    settings: dict
    _hidden = ("people",)
    _people_counts = {"summary": (("n_people",), {"pct": ("n_people",)}, ("unit", "programme"))}


def sequence_completion(training: pd.DataFrame, *, unit: str | None = None,
                        levels: Sequence[str] = LEVELS) -> SequenceCompletion:
    """Did each person complete basic → core → advanced, and in that order?

    Parameters
    ----------
    training : DataFrame
        The ``training`` table.
    unit : str, optional
        Keep only this jurisdiction's rows.
    levels : sequence of str, default ("basic", "core", "advanced")
        The levels in the order they should be completed.

    Returns
    -------
    SequenceCompletion

    Notes
    -----
    Attending a session of a level counts as completing it; the first such
    date is used. With d₁ … d_k the first dates per level: *out of sequence*
    when some level was completed while an earlier level was not yet completed
    (dᵢ missing or dᵢ > dⱼ for i < j; same day counts as in order);
    otherwise *in sequence* when all levels are completed, else *incomplete*
    (the levels done so far were done in order). A person's programme is the
    one on their latest training row.
    """
    levels = tuple(levels)
    t = _training(training, unit, levels)
    t = t.loc[t["staff_key"].notna()]
    first = t.groupby(["unit", "staff_key", "level"], sort=True)["date"].min().unstack("level")
    first = first.reindex(columns=list(levels))
    prog = t.sort_values("date", kind="stable").groupby(["unit", "staff_key"])["programme"].last()
    d = first.to_numpy(dtype="datetime64[ns]")
    done = ~np.isnat(d)
    out = np.zeros(len(first), dtype=bool)
    for i in range(len(levels)):
        for j in range(i + 1, len(levels)):  # level pairs, not people
            out |= done[:, j] & (~done[:, i] | (np.where(done[:, i], d[:, i], d[:, j]) > d[:, j]))
    status = np.where(out, "out of sequence", np.where(done.all(axis=1), "in sequence", "incomplete"))
    people = first.copy()
    people.columns = [f"first_{lvl}" for lvl in levels]
    people = people.reset_index()
    people.insert(2, "programme", prog.reindex(first.index).to_numpy())
    people["n_levels"] = done.sum(axis=1)
    people["status"] = status
    cats = ["in sequence", "out of sequence", "incomplete"]
    grp = people.groupby(["unit", "programme"], sort=True)["status"].value_counts().rename("n_people")
    idx = pd.MultiIndex.from_tuples(
        [(u, p, s) for (u, p) in people[["unit", "programme"]].drop_duplicates().itertuples(index=False) for s in cats],
        names=["unit", "programme", "status"])
    summary = grp.reindex(idx, fill_value=0).reset_index()
    summary["pct"] = 100.0 * summary["n_people"] / summary.groupby(["unit", "programme"])["n_people"].transform("sum")
    summary = summary.sort_values(["unit", "programme"], kind="stable").reset_index(drop=True)
    return SequenceCompletion(summary=summary, people=people, settings={"unit": unit, "levels": list(levels)})


# -------------------------------------------------------------------- coverage
@dataclasses.dataclass(frozen=True)
class TrainedCoverage(Result):
    """Monthly trained coverage of current staff, beside the cumulative count.

    Attributes
    ----------
    monthly : DataFrame
        One row per team × level × month (team_id "all" = all programme teams
        together): ``team_id, level, month, n_staff, n_trained, coverage_pct,
        n_ever_trained, ever_trained_pct_of_staff``.
    settings : dict
    warning : str
        :data:`COVERAGE_WARNING`.
    """

    monthly: pd.DataFrame
    settings: dict
    warning: str = COVERAGE_WARNING
    _people_counts = {"monthly": (("n_staff", "n_trained", "n_ever_trained"),
                                  {"coverage_pct": ("n_staff", "n_trained"),
                                   "ever_trained_pct_of_staff": ("n_staff", "n_ever_trained")}, ())}


def _interval_counts(group: np.ndarray, a: np.ndarray, b: np.ndarray, n_groups: int, n_months: int) -> np.ndarray:
    """Count, per group and month index m, the intervals [a, b) that contain m (vectorised)."""
    keep = a < b
    diff = np.zeros((n_groups, n_months + 1), dtype="int64")
    np.add.at(diff, (group[keep], a[keep]), 1)
    np.add.at(diff, (group[keep], b[keep]), -1)
    return np.cumsum(diff, axis=1)[:, :n_months]


def trained_coverage(
    training: pd.DataFrame,
    roster: pd.DataFrame,
    *,
    unit: str | None = None,
    levels: Sequence[str] = LEVELS,
    start=None,
    end=None,
) -> TrainedCoverage:
    """Share of staff employed on the 1st of each month who had completed each level.

    Parameters
    ----------
    training : DataFrame
        The ``training`` table (staff_key, level, date, ...).
    roster : DataFrame
        Roster rows of the programme units (team_id, staff_key, hire_date,
        separation_date); see :func:`programme_staff`.
    unit : str, optional
        Keep only this jurisdiction's training rows.
    levels : sequence of str, default ("basic", "core", "advanced")
    start, end : date-like, optional
        First and last month. Defaults: the month of the first training date,
        and the latest month of any training, hire or separation date.

    Returns
    -------
    TrainedCoverage

    Raises
    ------
    DataError
        Missing columns, unreadable dates, blank hire dates.

    Notes
    -----
    For month m (its 1st day): staff(m) = roster spells with hire_date ≤ m
    and (separation_date blank or ≥ m) — the same "employed on day d" rule as
    the workforce measures. trained(m) = those staff whose first completion of
    the level (any session of that level, in either programme) is on or before
    m. coverage_pct = 100 × trained / staff. A trained person who leaves drops
    out of both numerator and denominator. n_ever_trained(m) = people on the
    team's roster (past or present) who had completed the level by m: the
    cumulative count that overstates coverage (ever_trained_pct_of_staff can
    exceed 100). Training is matched to the roster by staff_key.
    Vectorised: one pass of interval counting over all spells; no loop over
    people or months.

    Example
    -------
    >>> r = pd.DataFrame({"team_id": ["cw", "cw"], "staff_key": ["a", "b"],
    ...     "hire_date": pd.to_datetime(["2020-01-01", "2020-01-01"]),
    ...     "separation_date": pd.to_datetime(["2023-02-15", None])})
    >>> t = pd.DataFrame({"unit": ["ev"], "session_id": ["s1"], "date": pd.to_datetime(["2023-01-10"]),
    ...     "module": ["orientation"], "level": ["basic"], "staff_key": ["a"], "programme": ["cw"]})
    >>> m = trained_coverage(t, r, levels=["basic"], start="2023-01-01", end="2023-03-01").monthly
    >>> m.loc[m["team_id"] == "cw", "coverage_pct"].tolist()
    [0.0, 50.0, 0.0]
    """
    levels = tuple(levels)
    t = _training(training, unit, levels)
    require_columns(roster, ROSTER_COLUMNS, "roster")
    r = roster[list(ROSTER_COLUMNS)].copy()
    r["hire_date"] = to_datetime(r, "hire_date", "roster")
    r["separation_date"] = to_datetime(r, "separation_date", "roster")
    r["team_id"], r["staff_key"] = to_text(r["team_id"]), to_text(r["staff_key"])
    if r["hire_date"].isna().any():
        pos = int(np.flatnonzero(r["hire_date"].isna().to_numpy())[0])
        raise DataError(f"roster row {pos + 2}, column hire_date: blank; every roster row needs a hire date")

    if start is None:
        if t["date"].notna().any():
            start = t["date"].min()
        elif len(r):
            start = r["hire_date"].min()
        else:
            start = pd.Timestamp("2000-01-01")
    if end is None:
        cands = [x for x in (t["date"].max(), r["hire_date"].max(), r["separation_date"].max()) if pd.notna(x)]
        end = max(cands) if cands else start
    months = pd.date_range(pd.Timestamp(start).to_period("M").to_timestamp(),
                           pd.Timestamp(end).to_period("M").to_timestamp(), freq="MS")
    if len(months) == 0:
        raise InputError(f"trained_coverage: end {pd.Timestamp(end).date()} is before start "
                         f"{pd.Timestamp(start).date()}")
    mv = months.to_numpy(dtype="datetime64[ns]")
    n_m = len(months)

    first = t.loc[t["staff_key"].notna()].groupby(["staff_key", "level"])["date"].min().unstack("level")
    first = first.reindex(columns=list(levels))

    teams = sorted(r["team_id"].dropna().unique().tolist())
    team_ids = teams + ["all"]
    n_t, n_l = len(team_ids), len(levels)
    tix = r["team_id"].map({k: i for i, k in enumerate(teams)}).to_numpy()
    hire = r["hire_date"].to_numpy(dtype="datetime64[ns]")
    sep = r["separation_date"].to_numpy(dtype="datetime64[ns]")
    a_emp = np.searchsorted(mv, hire, side="left")  # first month whose 1st is on/after hire
    b_emp = np.where(np.isnat(sep), n_m, np.searchsorted(mv, sep, side="right"))  # first month after leaving
    staff = _interval_counts(tix, a_emp, b_emp, len(teams), n_m)
    staff = np.vstack([staff, staff.sum(axis=0, keepdims=True)])

    rows = []
    for li, lvl in enumerate(levels):  # levels, not people
        tl = r["staff_key"].map(first[lvl]).to_numpy(dtype="datetime64[ns]") if len(first) else \
            np.full(len(r), np.datetime64("NaT"), dtype="datetime64[ns]")
        trained = ~np.isnat(tl)
        entry = np.where(trained & (tl > hire), tl, hire)
        a_tr = np.where(trained, np.searchsorted(mv, entry, side="left"), n_m)
        cur = _interval_counts(tix, a_tr, b_emp, len(teams), n_m)
        cur = np.vstack([cur, cur.sum(axis=0, keepdims=True)])
        # ever trained: distinct people per team (and overall) with completion <= m
        ppl = pd.DataFrame({"team_id": r["team_id"], "staff_key": r["staff_key"], "t": tl}).dropna(subset=["t"])
        ever = np.zeros((n_t, n_m), dtype="int64")
        if len(ppl):
            per_team = ppl.drop_duplicates(["team_id", "staff_key"])
            g = per_team["team_id"].map({k: i for i, k in enumerate(teams)}).to_numpy()
            a = np.searchsorted(mv, per_team["t"].to_numpy(dtype="datetime64[ns]"), side="left")
            ever[:-1] = _interval_counts(g, a, np.full(len(a), n_m), len(teams), n_m)
            overall = ppl.drop_duplicates(["staff_key"])
            a = np.searchsorted(mv, overall["t"].to_numpy(dtype="datetime64[ns]"), side="left")
            ever[-1] = _interval_counts(np.zeros(len(a), dtype=int), a, np.full(len(a), n_m), 1, n_m)[0]
        rows.append(pd.DataFrame({
            "team_id": np.repeat(team_ids, n_m), "level": lvl, "month": np.tile(mv, n_t),
            "n_staff": staff.ravel(), "n_trained": cur.ravel(), "n_ever_trained": ever.ravel(),
        }))
    monthly = pd.concat(rows, ignore_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        den = monthly["n_staff"].where(monthly["n_staff"] > 0)
        monthly["coverage_pct"] = 100.0 * monthly["n_trained"] / den
        monthly["ever_trained_pct_of_staff"] = 100.0 * monthly["n_ever_trained"] / den
    monthly = monthly[["team_id", "level", "month", "n_staff", "n_trained", "coverage_pct", "n_ever_trained",
                       "ever_trained_pct_of_staff"]]
    settings = {"unit": unit, "levels": list(levels), "start": months[0].date().isoformat(),
                "end": months[-1].date().isoformat(),
                "rule": "employed on the 1st of the month; level completed on or before that day"}
    return TrainedCoverage(monthly=monthly, settings=settings)


def has_training(training: pd.DataFrame | None, unit: str | None = None) -> bool:
    """True when a training table exists with rows for ``unit``."""
    return has_rows(training, "unit", unit)
