"""PDSA activity: which tests of change each team ran, how they ramped, what it decided.

Reads the ``pdsa`` table (team_id, pdsa_id, ramp_id, change_idea, essential,
driver, start_date, end_date, prediction, decision, measure_id) and answers the
seed-000 questions: how many cycles each team started per month (and in all),
how cycles build into ramps, what share were adopted / adapted / abandoned /
still ongoing, how many carried a written prediction, and which of the five
Surgeon General essentials and which change-framework drivers the team worked
on. PDSA starts are also offered as annotations for the team's run charts.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit.errors import InputError
from evalkit.inputs.schema import ESSENTIALS as _SCHEMA_ESSENTIALS

__all__ = [
    "ESSENTIALS",
    "DECISIONS",
    "PDSASummary",
    "summarise_pdsa",
    "cycles_by_month",
    "ramp_summary",
    "decision_shares",
    "prediction_share",
    "essential_coverage",
    "driver_coverage",
    "pdsa_heatmap",
    "pdsa_annotations",
]

#: Surgeon General's Framework for Workplace Mental Health & Well-Being (2022), five essentials
#: (one list for the whole package: the data model's allowed values).
ESSENTIALS = _SCHEMA_ESSENTIALS
#: What a team decided at the end of a cycle; "not recorded" is added for blanks.
DECISIONS = ("adopt", "adapt", "abandon", "ongoing")
_NOT_RECORDED = "not recorded"
_REQUIRED = ("team_id", "pdsa_id", "start_date")


def _prepare(pdsa: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in _REQUIRED if c not in pdsa.columns]
    if missing:
        raise InputError(f"the pdsa table has no column {', '.join(missing)}; it needs team_id, pdsa_id, start_date, ...")
    d = pdsa.copy()
    for c in ("start_date", "end_date"):
        if c in d.columns and not pd.api.types.is_datetime64_any_dtype(d[c]):
            d[c] = pd.to_datetime(d[c], errors="coerce")
    d["month"] = d["start_date"].dt.to_period("M").dt.to_timestamp()
    return d


def _team_list(d: pd.DataFrame, teams) -> list:
    if teams is None:
        return sorted(pd.unique(d["team_id"].dropna().astype(str)))
    return [str(t) for t in teams]


def _months(d: pd.DataFrame, start, end) -> pd.DatetimeIndex:
    lo = pd.Timestamp(start).to_period("M").to_timestamp() if start is not None else d["month"].min()
    hi = pd.Timestamp(end).to_period("M").to_timestamp() if end is not None else d["month"].max()
    if pd.isna(lo) or pd.isna(hi):
        return pd.DatetimeIndex([], name="month")
    return pd.date_range(lo, hi, freq="MS", name="month")


def cycles_by_month(pdsa: pd.DataFrame, *, teams=None, start=None, end=None) -> pd.DataFrame:
    """PDSA cycles started per team per month, and the running total.

    Parameters
    ----------
    pdsa : DataFrame
        The pdsa table (start_date as datetime or ISO text).
    teams : list of str, optional
        Teams to include (teams with no cycles get rows of zeros). Default:
        every team in the log.
    start, end : month-like, optional
        First and last month of the grid. Default: the months of the first and
        last cycle start in the log.

    Returns
    -------
    DataFrame
        ``team_id``, ``month`` (datetime64, first of month), ``cycles_started``
        (int), ``cumulative`` (cycles started up to and including the month; cycles
        before ``start`` are counted in it). One row per team × month, complete.

    Examples
    --------
    >>> log = pd.DataFrame({"team_id": ["a", "a"], "pdsa_id": ["p1", "p2"],
    ...                     "start_date": ["2023-04-03", "2023-06-10"]})
    >>> cycles_by_month(log)["cumulative"].tolist()
    [1, 1, 2]
    """
    d = _prepare(pdsa)
    teams_ = _team_list(d, teams)
    months = _months(d, start, end)
    grid = pd.MultiIndex.from_product([teams_, months], names=["team_id", "month"])
    counts = d.groupby([d["team_id"].astype(str), "month"]).size()
    counts.index.names = ["team_id", "month"]
    out = counts.reindex(grid, fill_value=0).rename("cycles_started").reset_index()
    out["cycles_started"] = out["cycles_started"].astype(int)
    earlier = d[d["month"] < months.min()].groupby(d["team_id"].astype(str)).size() if len(months) else None
    out["cumulative"] = out.groupby("team_id")["cycles_started"].cumsum()
    if earlier is not None and len(earlier):
        out["cumulative"] += out["team_id"].map(earlier).fillna(0).astype(int)
    return out


def pdsa_heatmap(pdsa: pd.DataFrame, *, teams=None, start=None, end=None) -> pd.DataFrame:
    """Team × month table of cycles started (rows: teams, columns: months) for a heat map.

    Parameters and counting as :func:`cycles_by_month`. Returns a wide DataFrame
    (index ``team_id``, columns month Timestamps, values int).
    """
    long = cycles_by_month(pdsa, teams=teams, start=start, end=end)
    wide = long.pivot(index="team_id", columns="month", values="cycles_started")
    order = _team_list(_prepare(pdsa), teams)
    return wide.reindex(order).fillna(0).astype(int)


def ramp_summary(pdsa: pd.DataFrame) -> pd.DataFrame:
    """Ramps (linked sequences of cycles testing one change idea) and cycles per ramp.

    Returns
    -------
    DataFrame
        ``team_id``, ``ramp_id``, ``cycles``, ``first_start``, ``last_start``,
        ``essential`` and ``driver`` (of the ramp's first cycle),
        ``last_decision`` (decision of its latest cycle; "not recorded" if blank).
        Cycles with a blank ramp_id are each their own ramp (ramp_id = pdsa_id).
    """
    d = _prepare(pdsa)
    d["ramp_id"] = d["ramp_id"].astype("object").where(d["ramp_id"].notna(), d["pdsa_id"]) if "ramp_id" in d else d["pdsa_id"]
    for c in ("essential", "driver", "decision"):
        if c not in d:
            d[c] = np.nan
    d = d.sort_values(["team_id", "ramp_id", "start_date", "pdsa_id"], kind="mergesort")
    g = d.groupby(["team_id", "ramp_id"], sort=True)
    out = g.agg(cycles=("pdsa_id", "size"), first_start=("start_date", "min"), last_start=("start_date", "max"),
                essential=("essential", "first"), driver=("driver", "first"), last_decision=("decision", "last"))
    out["last_decision"] = out["last_decision"].astype("object").where(out["last_decision"].notna(), _NOT_RECORDED)
    return out.reset_index()


def decision_shares(pdsa: pd.DataFrame, *, by_team: bool = True) -> pd.DataFrame:
    """Share of cycles adopted, adapted, abandoned, still ongoing (and not recorded).

    Parameters
    ----------
    by_team : bool, default True
        One block of rows per team; False gives the whole log (team_id "all").

    Returns
    -------
    DataFrame
        ``team_id``, ``decision`` (adopt, adapt, abandon, ongoing, and
        "not recorded" only when some are blank), ``cycles``, ``share``
        (cycles / all cycles of the team, 0–1).
    """
    d = _prepare(pdsa)
    dec = d["decision"].astype("object") if "decision" in d else pd.Series(np.nan, index=d.index, dtype=object)
    d["decision"] = dec.where(dec.notna(), _NOT_RECORDED)
    levels = list(DECISIONS) + ([_NOT_RECORDED] if (d["decision"] == _NOT_RECORDED).any() else [])
    d["team_id"] = d["team_id"].astype(str) if by_team else "all"
    teams_ = sorted(pd.unique(d["team_id"]))
    grid = pd.MultiIndex.from_product([teams_, levels], names=["team_id", "decision"])
    counts = d.groupby(["team_id", "decision"]).size().reindex(grid, fill_value=0).rename("cycles").reset_index()
    totals = counts.groupby("team_id")["cycles"].transform("sum")
    counts["share"] = counts["cycles"] / totals.where(totals > 0)
    return counts


def prediction_share(pdsa: pd.DataFrame) -> pd.DataFrame:
    """Share of cycles with a written prediction (a non-blank ``prediction``).

    Returns
    -------
    DataFrame
        ``team_id``, ``cycles``, ``with_prediction``, ``share`` (0–1).
    """
    d = _prepare(pdsa)
    pred = d["prediction"] if "prediction" in d else pd.Series(np.nan, index=d.index)
    has = pred.notna() & (pred.astype("object").astype(str).str.strip() != "")
    out = pd.DataFrame({"team_id": d["team_id"].astype(str), "has": has.to_numpy()})
    out = out.groupby("team_id").agg(cycles=("has", "size"), with_prediction=("has", "sum")).reset_index()
    out["with_prediction"] = out["with_prediction"].astype(int)
    out["share"] = out["with_prediction"] / out["cycles"]
    return out


def essential_coverage(pdsa: pd.DataFrame, *, teams=None) -> pd.DataFrame:
    """Cycles per Surgeon General essential, for every team × all five essentials.

    Returns
    -------
    DataFrame
        ``team_id``, ``essential`` (the five slugs in :data:`ESSENTIALS` order,
        plus any other value found in the log after them), ``cycles``,
        ``covered`` (cycles > 0).
    """
    return _coverage(pdsa, "essential", list(ESSENTIALS), teams)


def driver_coverage(pdsa: pd.DataFrame, *, drivers=None, teams=None) -> pd.DataFrame:
    """Cycles per change-framework driver, for every team × driver.

    Parameters
    ----------
    drivers : list of str, optional
        The framework's drivers (so uncovered ones show as 0). Default: every
        driver named in the log.

    Returns
    -------
    DataFrame
        ``team_id``, ``driver``, ``cycles``, ``covered``.
    """
    return _coverage(pdsa, "driver", list(drivers) if drivers is not None else [], teams)


def _coverage(pdsa, column, levels, teams):
    d = _prepare(pdsa)
    if column not in d:
        raise InputError(f"the pdsa table has no column {column}")
    found = [v for v in sorted(pd.unique(d[column].dropna().astype(str))) if v not in levels]
    levels = levels + found
    teams_ = _team_list(d, teams)
    grid = pd.MultiIndex.from_product([teams_, levels], names=["team_id", column])
    counts = d.dropna(subset=[column]).groupby([d["team_id"].astype(str), d[column].astype(str)]).size()
    counts.index.names = ["team_id", column]
    out = counts.reindex(grid, fill_value=0).rename("cycles").reset_index()
    out["cycles"] = out["cycles"].astype(int)
    out["covered"] = out["cycles"] > 0
    return out


def pdsa_annotations(pdsa: pd.DataFrame, team_id: str, *, level: str = "cycle", max_chars: int = 40) -> pd.DataFrame:
    """PDSA starts of one team as run-chart annotations.

    Parameters
    ----------
    team_id : str
    level : {"cycle", "ramp"}, default "cycle"
        One annotation per cycle start, or one per ramp (at its first cycle).
    max_chars : int, default 40
        Change ideas longer than this are shortened with "…" (the label is for
        a chart; the full text stays in the pdsa table).

    Returns
    -------
    DataFrame
        ``date`` (datetime64), ``label`` ("pdsa-003: <change idea>" or
        "ramp-01: <change idea>"), sorted by date. Empty (with those columns)
        when the team has no cycles.
    """
    if level not in ("cycle", "ramp"):
        raise InputError(f"level {level!r} is not known; use 'cycle' or 'ramp'")
    d = _prepare(pdsa)
    d = d[d["team_id"].astype(str) == str(team_id)].sort_values(["start_date", "pdsa_id"], kind="mergesort")
    idea = d["change_idea"].astype("object").fillna("") if "change_idea" in d else pd.Series("", index=d.index)
    if level == "ramp":
        key = d["ramp_id"].astype("object").where(d["ramp_id"].notna(), d["pdsa_id"]) if "ramp_id" in d else d["pdsa_id"]
        first = ~key.duplicated()
        d, idea, key = d[first], idea[first], key[first]
    else:
        key = d["pdsa_id"]
    short = idea.astype(str).map(lambda s: s if len(s) <= max_chars else s[: max_chars - 1].rstrip() + "…")
    label = key.astype(str) + np.where(short.str.len() > 0, ": " + short, "")
    return pd.DataFrame({"date": d["start_date"].to_numpy(), "label": label.to_numpy(dtype=object)}).reset_index(drop=True)


@dataclass(frozen=True)
class PDSASummary:
    """Everything :func:`summarise_pdsa` computes, as tidy tables.

    Attributes
    ----------
    by_team : DataFrame
        ``team_id``, ``cycles``, ``ramps``, ``cycles_per_ramp``, ``share_adopt``,
        ``share_adapt``, ``share_abandon``, ``share_ongoing``,
        ``share_with_prediction``, ``essentials_covered`` (0–5),
        ``drivers_covered``.
    by_month : DataFrame
        As :func:`cycles_by_month`.
    ramps, decisions, predictions, essentials, drivers : DataFrame
        As :func:`ramp_summary`, :func:`decision_shares`,
        :func:`prediction_share`, :func:`essential_coverage`,
        :func:`driver_coverage`.
    """

    by_team: pd.DataFrame
    by_month: pd.DataFrame
    ramps: pd.DataFrame
    decisions: pd.DataFrame
    predictions: pd.DataFrame
    essentials: pd.DataFrame
    drivers: pd.DataFrame

    def _repr_html_(self) -> str:
        return "<p><b>PDSA activity by team</b></p>" + self.by_team.to_html(index=False, na_rep="–", escape=True)


def summarise_pdsa(pdsa: pd.DataFrame, *, teams=None, start=None, end=None, drivers=None) -> PDSASummary:
    """All PDSA summaries for a set of teams.

    Parameters
    ----------
    pdsa : DataFrame
        The pdsa table.
    teams : list of str, optional
        Teams to report (those with no cycles get zero rows). Default: teams in the log.
    start, end : month-like, optional
        Month grid of ``by_month`` (default: first to last cycle start).
    drivers : list of str, optional
        The change framework's drivers (default: those named in the log).

    Returns
    -------
    PDSASummary

    Notes
    -----
    Shares are of all cycles the team started (ongoing cycles included in the
    denominator). A ramp is the set of cycles sharing a ramp_id (Langley et al.
    2009, The Improvement Guide, ch. 7: sequential PDSA cycles building up
    scale).

    Examples
    --------
    >>> log = pd.DataFrame({"team_id": ["a", "a"], "pdsa_id": ["p1", "p2"], "ramp_id": ["r1", "r1"],
    ...     "essential": ["work-life-harmony"] * 2, "driver": ["d"] * 2,
    ...     "start_date": ["2023-04-03", "2023-06-10"], "prediction": ["x", None],
    ...     "decision": ["adapt", "adopt"], "change_idea": ["c", "c"]})
    >>> row = summarise_pdsa(log).by_team.iloc[0]
    >>> int(row["cycles"]), int(row["ramps"]), float(row["share_with_prediction"])
    (2, 1, 0.5)
    """
    d = _prepare(pdsa)
    teams_ = _team_list(d, teams)
    ramps = ramp_summary(pdsa)
    decisions = decision_shares(pdsa)
    preds = prediction_share(pdsa)
    ess = essential_coverage(pdsa, teams=teams_)
    drv = driver_coverage(pdsa, drivers=drivers, teams=teams_) if "driver" in d else pd.DataFrame(
        columns=["team_id", "driver", "cycles", "covered"])
    by = pd.DataFrame({"team_id": teams_})
    n = d.groupby(d["team_id"].astype(str)).size()
    by["cycles"] = by["team_id"].map(n).fillna(0).astype(int)
    nr = ramps.groupby("team_id").size()
    by["ramps"] = by["team_id"].map(nr).fillna(0).astype(int)
    by["cycles_per_ramp"] = by["cycles"] / by["ramps"].where(by["ramps"] > 0)
    wide = decisions.pivot(index="team_id", columns="decision", values="share")
    for dec in DECISIONS:
        by[f"share_{dec}"] = by["team_id"].map(wide[dec]) if dec in wide else np.nan
    by["share_with_prediction"] = by["team_id"].map(preds.set_index("team_id")["share"])
    by["essentials_covered"] = by["team_id"].map(
        ess[ess["essential"].isin(ESSENTIALS)].groupby("team_id")["covered"].sum()).fillna(0).astype(int)
    by["drivers_covered"] = by["team_id"].map(drv.groupby("team_id")["covered"].sum()).fillna(0).astype(int) \
        if len(drv) else 0
    return PDSASummary(by_team=by, by_month=cycles_by_month(pdsa, teams=teams_, start=start, end=end), ramps=ramps,
                       decisions=decisions, predictions=preds, essentials=ess, drivers=drv)

