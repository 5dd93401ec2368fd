"""Building blocks of the collaborative summary: the verdict board across participating
teams, counts of teams that improved, the false-signal reference from comparison units,
and the summary's caveats.

Shared helpers (loading, measure charts, tables, summary box) are in
:mod:`evalkit.report.sections`; the report notebook is ``notebooks/03-collaborative-summary.ipynb``.
"""
from __future__ import annotations

import pandas as pd

from evalkit.effects.verdict import VERDICT_WORDS
from evalkit.report.sections import measure_charts, team_name

_BOARD_COLUMNS = ["team_id", "team_name", "measure_id", "label", "verdict", "verdict_text"]

__all__ = [
    "participating_teams", "verdict_board", "board_from_rollup", "board_counts", "board_table",
    "SIGNAL_VERDICTS", "false_signal_reference", "collaborative_caveats",
]


def participating_teams(tables, team_files) -> list[str]:
    """Team ids with role participant in teams.csv and a params file, in teams.csv order."""
    teams = tables["teams"]
    ids = teams.loc[(teams["role"] == "participant").fillna(False).to_numpy(dtype=bool), "team_id"].astype(str)
    files = set(team_files)
    return [t for t in ids if t in files]


def verdict_board(tables, team_params) -> pd.DataFrame:
    """One row per team × measure: team_id, team_name, measure_id, label, verdict (code), verdict_text.

    Parameters
    ----------
    tables : Tables
        Loaded with ``kind="collaborative"``.
    team_params : list of TeamParams
        One per participating team.
    """
    rows = []
    for params in team_params:
        charts = measure_charts(tables, params)
        v = charts.verdicts.assign(team_id=params.team_id, team_name=team_name(tables, params.team_id))
        rows.append(v[_BOARD_COLUMNS])
    if not rows:
        return pd.DataFrame(columns=_BOARD_COLUMNS)
    return pd.concat(rows, ignore_index=True)


def board_from_rollup(verdicts: pd.DataFrame, measures) -> pd.DataFrame:
    """Participating teams' verdicts from :func:`evalkit.collaborative.rollup.team_verdicts`.

    Returns columns team_id, team_name, measure_id, label, verdict (a code of
    :data:`evalkit.effects.verdict.VERDICTS`), verdict_text (its words).
    """
    v = verdicts.loc[(verdicts["role"] == "participant").fillna(False).to_numpy(dtype=bool)].copy()
    v["label"] = v["measure_id"].map({k: m.label for k, m in measures.items()}).fillna(v["measure_id"])
    v["verdict_text"] = v["verdict"].map(VERDICT_WORDS)
    return v[_BOARD_COLUMNS].reset_index(drop=True)


def board_counts(board: pd.DataFrame) -> pd.DataFrame:
    """Per measure: how many teams improved or got worse, and how many chance alone would give.

    Returns columns measure_id, label, verdict (e.g. "4 of 12 teams improved, 1 got worse"),
    detail (the teams judged, and the number chance alone would call improved with this
    method's measured false rate, :data:`evalkit.effects.verdict.FALSE_IMPROVED_RATE`).
    """
    from evalkit.effects.verdict import FALSE_DETERIORATED_RATE, FALSE_IMPROVED_RATE

    if board.empty:
        return pd.DataFrame(columns=["measure_id", "label", "verdict", "detail"])
    g = board.groupby(["measure_id", "label"], sort=False)["verdict"]
    out = g.agg(improved=lambda v: int((v == "improved").sum()), teams="size",
                worse=lambda v: int((v == "deteriorated").sum()),
                judged=lambda v: int((v != "too_little_data").sum())).reset_index()
    out["verdict"] = [f"{i} of {n} teams improved" + (f", {w} got worse" if w else "")
                      for i, n, w in zip(out["improved"], out["teams"], out["worse"])]
    out["detail"] = [f"{j} of {n} teams had enough data to judge; if none had truly changed, about "
                     f"{j * FALSE_IMPROVED_RATE:.1f} would be called improved and {j * FALSE_DETERIORATED_RATE:.1f} "
                     f"worse by chance (this method's false rates on generated data: "
                     f"{FALSE_IMPROVED_RATE:.0%} and {FALSE_DETERIORATED_RATE:.0%})"
                     for j, n in zip(out["judged"], out["teams"])]
    return out[["measure_id", "label", "verdict", "detail"]]


def board_table(board: pd.DataFrame) -> pd.DataFrame:
    """Wide table: one row per team (its name), one column per measure label, cells = verdict."""
    if board.empty:
        return pd.DataFrame(columns=["team"])
    wide = board.pivot_table(index=["team_name"], columns="label", values="verdict_text", aggfunc="first",
                             sort=False)
    wide = wide.reset_index().rename(columns={"team_name": "team"})
    wide.columns.name = None
    return wide


#: Verdicts of :func:`evalkit.collaborative.rollup.team_verdicts` that count as a signal.
SIGNAL_VERDICTS = ("improved", "deteriorated", "mixed")


def false_signal_reference(verdicts: pd.DataFrame, *, start=None) -> str:
    """The empirical false-signal reference: how many comparison units' charts show a sustained shift.

    Parameters
    ----------
    verdicts : DataFrame
        :func:`evalkit.collaborative.rollup.team_verdicts` (``RollupResult.verdicts``): columns
        ``team_id, role, measure_id, verdict`` (codes of
        :data:`evalkit.effects.verdict.VERDICTS`).
    start : month-like, optional
        Where the comparison units' charts were split (the collaborative's start), named
        in the sentence.

    Returns
    -------
    str
        E.g. "For reference, 3 of 16 charts of the 4 units that did not take part also
        show a sustained shift (judged the same way from the collaborative's start, 2023-04):
        shifts can appear without any change." Charts with too few points are not
        counted. A sentence saying there is no reference when no comparison unit was
        charted.

    Notes
    -----
    Comparison units made no changes as part of the collaborative, so their signals show
    how often the rules flag a chart when nothing was done: the base rate to hold the
    participating teams' count against (the empirical false-alarm rate of the rules on
    these data; cf. Anhøj & Olesen 2014 for simulated rates).
    """
    v = verdicts.loc[(verdicts["role"] == "comparison").fillna(False).to_numpy(dtype=bool)]
    judged = v.loc[v["verdict"].isin(list(SIGNAL_VERDICTS) + ["no_change"]).fillna(False).to_numpy(dtype=bool)]
    if judged.empty:
        return ("No units outside the collaborative were charted, so there is no reference for how often "
                "signals appear without any change.")
    n_units = int(judged["team_id"].nunique())
    n_signal = int(judged["verdict"].isin(list(SIGNAL_VERDICTS)).sum())
    when = f", {pd.Timestamp(start):%Y-%m}" if start is not None else ""
    units = "unit that did" if n_units == 1 else "units that did"
    charts = "chart" if len(judged) == 1 else "charts"
    verb = "shows" if n_signal == 1 else "show"
    return (f"For reference, {n_signal} of {len(judged)} {charts} of the {n_units} {units} not take part also "
            f"{verb} a sustained shift (judged the same way from the collaborative's start{when}): shifts can appear "
            "without any change.")


def collaborative_caveats(exclude_units) -> list[str]:
    """Caveats of the collaborative summary (names the teams left out for invalid data)."""
    out = ["Counting teams that improved does not show that the collaborative caused it: teams were not "
           "chosen at random, and each verdict compares a team with a few units that did not take part."]
    if exclude_units:
        out.append("Left out because their data failed validation: " + ", ".join(map(str, exclude_units)) + ".")
    return out
