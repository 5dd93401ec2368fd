"""Collaborative roll-up: how many teams improved, by how much, and how active they were.

For every measure this module counts the participating teams whose run/control
chart shows a signal of improvement, deterioration or none (the SPC verdicts of
:func:`evalkit.spc.qic.verdicts`, with the baseline frozen at the months before each
team's start and the measure's direction of improvement), separately for tribal
and public teams and for the comparison units (whose signals show how often the
charts flag change where none was made). Beside the counts it gives each team's
interrupted-time-series estimate, a **pooled effect across teams**
(DerSimonian–Laird random-effects pooling of the per-team ITS level changes, on
the model's linear scale) and a **difference-in-differences** comparison with
the non-participating units; plus the PDSA activity heat map (team × month) and
the progress-score distribution over time.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from evalkit.effects.its import measure_its
from evalkit.effects.panel import month_start as _month
from evalkit.effects.panel import spec_value as _spec
from evalkit.effects.panel import series_by_team, team_series, team_starts
from evalkit.effects.pooling import pooled_effects
from evalkit.effects.verdict import VERDICTS
from evalkit.errors import InputError
from evalkit.effects.narrative import its_sentence, pooled_sentence
from evalkit.collaborative.pdsa import pdsa_heatmap
from evalkit.collaborative.progress import score_distribution, share_at_or_above

__all__ = [
    "RollupResult",
    "collaborative_rollup",
    "team_starts",
    "team_series",
    "team_verdicts",
    "signal_counts",
    "team_effects",
    "comparison_effects",
    "team_effect_summary",
]

# chart type → ITS model (counts/rates: Poisson with exposure; proportions: binomial; values: OLS)


def team_verdicts(measures: pd.DataFrame, teams: pd.DataFrame, specs: Mapping, *, starts: Mapping,
                  method: str = "anhoej", roles=("participant", "comparison"), horizon: int = 12,
                  min_points_each_side: int = 8) -> pd.DataFrame:
    """The verdict of every team × measure, judged against the team's own baseline.

    Each series is judged by :func:`evalkit.effects.verdict.measure_verdict`, the same
    function a team's own report calls, so the board and the team page agree.

    Parameters
    ----------
    measures, teams : DataFrame
        The measures and teams tables.
    specs : mapping
        ``{measure_id: measure params}`` (label, chart, direction, multiply, unit),
        e.g. ``load_collaborative(...).measures``.
    starts : mapping
        ``{team_id: start month}`` (see :func:`team_starts`); teams without a start
        get verdict "too_little_data".
    method : str, default "anhoej"
        SPC rule set.
    roles : tuple of str
        Which teams.role values to include.

    Returns
    -------
    DataFrame
        ``team_id``, ``team_name``, ``team_type``, ``role``, ``measure_id``,
        ``start_month``, then the columns of :attr:`evalkit.effects.verdict.Judgement.verdicts`
        (verdict, words, strength, sentence, the headline estimate and interval, shift, ...).
    """
    from evalkit.effects.verdict import judge_measures

    judged = judge_measures(measures, teams, specs, starts=starts, method=method, roles=roles,
                            its_options={"horizon": horizon, "min_points_each_side": min_points_each_side}).verdicts
    info = teams.assign(team_id=teams["team_id"].astype(str)).set_index("team_id")
    judged.insert(1, "team_name", judged["team_id"].map(info["team_name"]).fillna(judged["team_id"]))
    judged.insert(2, "team_type", judged["team_id"].map(info["team_type"]) if "team_type" in info else None)
    judged.insert(5, "start_month", judged["team_id"].map(lambda t: _month(starts.get(t))))
    return judged


def _group(df: pd.DataFrame) -> pd.Series:
    part = df["role"].astype(str) == "participant"
    return np.where(part, df["team_type"].astype(str) + " teams", "comparison units")


def signal_counts(verdicts_table: pd.DataFrame) -> pd.DataFrame:
    """How many teams show each verdict, per measure and group.

    Returns
    -------
    DataFrame
        ``measure_id``, ``group`` ("all participating teams", "tribal teams",
        "public teams", "comparison units"), ``n_teams``, then one column per
        verdict (improvement, deterioration, neutral, none, too_few) with counts.
    """
    v = verdicts_table.copy()
    v["group"] = _group(v)
    part = v[v["role"].astype(str) == "participant"].assign(group="all participating teams")
    both = pd.concat([part, v], ignore_index=True)
    counts = both.groupby(["measure_id", "group", "verdict"]).size().unstack("verdict", fill_value=0)
    counts = counts.reindex(columns=list(VERDICTS), fill_value=0)  # the fixed vocabulary
    counts.insert(0, "n_teams", counts.sum(axis=1))
    order = {"all participating teams": 0, "tribal teams": 1, "public teams": 2, "comparison units": 3}
    out = counts.reset_index()
    out.columns.name = None
    out["_o"] = out["group"].map(order).fillna(9)
    return out.sort_values(["measure_id", "_o", "group"]).drop(columns="_o").reset_index(drop=True)


def team_effects(measures: pd.DataFrame, teams: pd.DataFrame, specs: Mapping, *, starts: Mapping,
                 horizon: int = 12, min_points_each_side: int = 8, roles=("participant",)):
    """Interrupted time series for every team × measure.

    The model follows the chart type: u/c charts → Poisson GLM (denominator as
    exposure), p charts → binomial GLM, others → OLS with HAC errors on the
    plotted value (see :func:`evalkit.effects.its.interrupted_time_series`).

    Returns
    -------
    (DataFrame, dict)
        Table with ``team_id``, ``team_type``, ``role``, ``measure_id``, ``kind``,
        ``n_pre``, ``n_post``, ``too_short``, then for ``level_change`` and
        ``effect_at_horizon``: ``<term>``, ``<term>_low``, ``<term>_high``,
        ``<term>_p``, ``<term>_se`` (SE on the linear scale), ``scale``,
        ``warnings`` ("; "-joined); and ``{(team_id, measure_id): ITSResult}``.
    """
    rows, results = [], {}
    t = teams[teams["role"].astype(str).isin(roles)]
    series = {mid: series_by_team(measures, mid, spec, t["team_id"].astype(str)) for mid, spec in specs.items()}
    for _, team in t.iterrows():
        tid = str(team["team_id"])
        start = _month(starts.get(tid))
        if start is None:
            continue
        for mid, spec in specs.items():
            r = measure_its(series[mid][tid], spec, start=start, horizon=horizon,
                            min_points_each_side=min_points_each_side)
            kind = r.kind
            results[(tid, mid)] = r
            row = {"team_id": tid, "team_type": team.get("team_type"), "role": team.get("role"), "measure_id": mid,
                   "kind": kind, "n_pre": r.n_pre, "n_post": r.n_post, "too_short": r.too_short}
            for term in ("level_change", "effect_at_horizon", "average_effect"):
                e = r.term(term)
                row.update({term: e["estimate"], f"{term}_low": e["ci_low"], f"{term}_high": e["ci_high"],
                            f"{term}_p": e["p_value"], f"{term}_se": e["std_error"]})
            row["scale"] = r.term("level_change")["scale"]
            row["warnings"] = "; ".join(r.warnings)
            rows.append(row)
    return pd.DataFrame(rows), results


def comparison_effects(measures: pd.DataFrame, teams: pd.DataFrame, specs: Mapping, *, starts: Mapping,
                       n_boot: int = 999, seed: int = 20230425, n_permutations: int = 999):
    """Participating teams vs comparison units per measure: staggered difference in differences.

    Callaway & Sant'Anna (2021) with the never-treated comparison units
    (:func:`evalkit.effects.staggered.staggered_did`): each team is compared from its own start,
    so staggered starts are handled (plain two-way fixed effects is not). The outcome is the
    plotted value; units are weighted equally. With a dozen teams and a few comparison units the
    reported p-value is the randomisation p-value, and the interval is approximate.

    Returns
    -------
    (DataFrame, dict)
        Table: ``measure_id``, ``estimate`` (the average effect across teams and months after
        their starts), ``ci_low``, ``ci_high`` (approximate), ``p_value`` (randomisation),
        ``method``, ``n_treated``, ``n_comparison``, ``pretrend`` (plain words), ``unit``,
        ``sentence`` (:func:`evalkit.effects.narrative.staggered_sentence`); and
        ``{measure_id: StaggeredDiDResult}``. Measures without comparison units are left out.
    """
    from evalkit.effects.narrative import staggered_sentence
    from evalkit.effects.staggered import staggered_did

    t = teams[teams["role"].astype(str).isin(["participant", "comparison"])]
    part = t.loc[t["role"].astype(str) == "participant", "team_id"].astype(str)
    comp = t.loc[t["role"].astype(str) == "comparison", "team_id"].astype(str)
    start_map = {tid: _month(starts[tid]) for tid in part if _month(starts.get(tid)) is not None}
    columns = ["measure_id", "estimate", "ci_low", "ci_high", "p_value", "method", "n_treated", "n_comparison",
               "pretrend", "unit", "sentence"]
    rows, results = [], {}
    if comp.empty or not start_map:
        return pd.DataFrame(columns=columns), results
    for mid, spec in specs.items():
        units = list(start_map) + list(comp)
        by_team = series_by_team(measures, mid, spec, units)
        frames = [by_team[tid].assign(team_id=tid, first_treated=start_map.get(tid, pd.NaT)) for tid in units]
        panel = pd.concat(frames, ignore_index=True)
        panel = panel[panel["value"].notna()]
        if panel.empty or not panel["team_id"].isin(list(comp)).any():
            continue
        panel["first_treated"] = pd.to_datetime(panel["first_treated"])
        r = staggered_did(panel, unit="team_id", time="period", outcome="value", first_treated="first_treated",
                          n_boot=n_boot, n_permutations=n_permutations, seed=seed)
        results[mid] = r
        o = r.overall.iloc[0]
        label, unit = str(_spec(spec, "label", mid)), str(_spec(spec, "unit", "") or "")
        rows.append({"measure_id": mid, "estimate": o["att"], "ci_low": o["ci_low"], "ci_high": o["ci_high"],
                     "p_value": o["p_value"], "method": o["method"], "n_treated": int(o["n_treated_units"]),
                     "n_comparison": int(o["n_control_units"]), "pretrend": _pretrend_words(r), "unit": unit,
                     "sentence": staggered_sentence(r, label=label, unit=unit, direction=_spec(spec, "direction"))})
    return pd.DataFrame(rows, columns=columns), results


def _pretrend_words(result) -> str:
    from evalkit.effects.narrative import pretrend_words

    return pretrend_words(result)


def team_effect_summary(measures: pd.DataFrame, specs: Mapping, team_id: str, *, start, horizon: int = 12,
                        min_points_each_side: int = 8):
    """Every measure's interrupted time series for ONE team, with its over-claim-safe sentence.

    For the team report: the model follows each measure's chart type as in
    :func:`team_effects`.

    Parameters
    ----------
    measures : DataFrame
        The measures table (other teams' rows are ignored).
    specs : mapping
        ``{measure_id: measure params}`` (label, chart, direction, multiply, unit).
    team_id : str
    start : month-like
        The team's intervention start (params ``intervention_start`` or
        teams.start_month).
    horizon, min_points_each_side : int
        Params ``effects.horizon_months`` and ``effects.min_points_each_side``.

    Returns
    -------
    (DataFrame, dict)
        Table: ``measure_id``, ``label``, ``kind``, ``n_pre``, ``n_post``,
        ``estimate``, ``ci_low``, ``ci_high``, ``scale`` (the average effect over the months
        after the start, the ITS headline),
        ``sentence`` (:func:`evalkit.effects.narrative.its_sentence`), ``warnings``;
        and ``{measure_id: ITSResult}`` for :func:`evalkit.plotting.effects.plot_its`.
    """
    teams = pd.DataFrame({"team_id": [str(team_id)], "team_type": [None], "role": ["participant"]})
    table, results = team_effects(measures, teams, specs, starts={str(team_id): start}, horizon=horizon,
                                  min_points_each_side=min_points_each_side)
    rows = []
    for mid, spec in specs.items():
        r = results.get((str(team_id), mid))
        if r is None:
            continue
        e = r.headline
        rows.append({"measure_id": mid, "label": _spec(spec, "label", mid), "kind": r.kind, "n_pre": r.n_pre,
                     "n_post": r.n_post, "estimate": e["estimate"], "ci_low": e["ci_low"], "ci_high": e["ci_high"],
                     "scale": e["scale"],
                     "sentence": its_sentence(r, label=str(_spec(spec, "label", mid)),
                                              unit=str(_spec(spec, "unit", "") or ""),
                                              direction=_spec(spec, "direction")),
                     "warnings": "; ".join(r.warnings)})
    return pd.DataFrame(rows), {mid: results[(str(team_id), mid)] for mid in specs if (str(team_id), mid) in results}


@dataclass(frozen=True)
class RollupResult:
    """Everything the collaborative summary report shows (see :func:`collaborative_rollup`).

    Attributes
    ----------
    verdicts : DataFrame
        One row per team × measure (:func:`team_verdicts`), participating teams
        and comparison units.
    signal_counts : DataFrame
        :func:`signal_counts`.
    effects : DataFrame
        Per-team ITS estimates (:func:`team_effects`).
    pooled : DataFrame
        :func:`pooled_effects` of the ITS level changes.
    comparison : DataFrame
        :func:`comparison_effects` (DiD per measure).
    pdsa_heatmap : DataFrame
        Team × month cycles started (:func:`evalkit.collaborative.pdsa.pdsa_heatmap`).
    progress_shares, progress_distribution : DataFrame
        :func:`evalkit.collaborative.progress.share_at_or_above` and
        :func:`evalkit.collaborative.progress.score_distribution` (faculty scores,
        participating teams).
    its : dict
        ``{(team_id, measure_id): ITSResult}`` for small multiples.
    did : dict
        ``{measure_id: StaggeredDiDResult}`` (:func:`comparison_effects`).
    settings : dict
    """

    verdicts: pd.DataFrame
    signal_counts: pd.DataFrame
    effects: pd.DataFrame
    pooled: pd.DataFrame
    comparison: pd.DataFrame
    pdsa_heatmap: pd.DataFrame
    progress_shares: pd.DataFrame
    progress_distribution: pd.DataFrame
    its: dict = field(default_factory=dict, repr=False)
    did: dict = field(default_factory=dict, repr=False)
    settings: dict = field(default_factory=dict)

    def _repr_html_(self) -> str:
        c = self.signal_counts
        c = c[c["group"] == "all participating teams"]
        return ("<p><b>Collaborative roll-up</b>: teams with a signal, per measure (SPC rules: "
                f"{html.escape(str(self.settings.get('method')))})</p>" + c.to_html(index=False))


def collaborative_rollup(tables: Mapping[str, pd.DataFrame], specs: Mapping, *, starts: Mapping | None = None,
                         method: str = "anhoej", horizon: int = 12, min_points_each_side: int = 8,
                         n_boot: int = 999, seed: int = 20230425, comparison_start=None) -> RollupResult:
    """Build the collaborative roll-up from loaded tables and the measure definitions.

    Parameters
    ----------
    tables : mapping
        ``evalkit.inputs.read.load_tables(...)``: needs teams and measures; pdsa and
        assessments are used when present.
    specs : mapping
        ``{measure_id: measure params}``, e.g. ``load_collaborative(dir).measures``.
    starts : mapping, optional
        ``{team_id: start month}``; default :func:`team_starts` of the teams table
        (pass ``team_starts(teams, params_dir)`` to honour intervention_start in
        team params).
    method : str, default "anhoej"
        SPC rule set for the verdicts.
    horizon, min_points_each_side : int
        ITS settings (params ``effects``).
    n_boot, seed : int
        Multiplier bootstrap draws and seed of the staggered DiD (its simultaneous bands).
    comparison_start : month-like, optional
        Where comparison units' charts are split for their (false-alarm) verdicts;
        default the earliest participating start.

    Returns
    -------
    RollupResult
    """
    if "teams" not in tables or "measures" not in tables:
        raise InputError("the roll-up needs the teams and measures tables")
    teams, measures = tables["teams"], tables["measures"]
    starts = dict(starts) if starts is not None else team_starts(teams)
    part_ids = teams.loc[teams["role"].astype(str) == "participant", "team_id"].astype(str).tolist()
    first = min((starts[t] for t in part_ids if t in starts), default=None)
    cstart = _month(comparison_start) if comparison_start is not None else first
    vstarts = dict(starts)
    for tid in teams.loc[teams["role"].astype(str) == "comparison", "team_id"].astype(str):
        if tid not in vstarts and cstart is not None:
            vstarts[tid] = cstart
    verdicts_ = team_verdicts(measures, teams, specs, starts=vstarts, method=method, horizon=horizon,
                              min_points_each_side=min_points_each_side)
    counts = signal_counts(verdicts_)
    effects, its = team_effects(measures, teams, specs, starts=starts, horizon=horizon,
                                min_points_each_side=min_points_each_side)
    pooled = pooled_effects(effects)
    if not pooled.empty:
        pooled["sentence"] = [pooled_sentence(r, label=str(_spec(specs[r["measure_id"]], "label", r["measure_id"])),
                                              unit=str(_spec(specs[r["measure_id"]], "unit", "") or ""),
                                              direction=_spec(specs[r["measure_id"]], "direction"))
                              for _, r in pooled.iterrows()]
    comp_starts = {t: starts[t] for t in part_ids if t in starts}
    comparison, did = comparison_effects(measures, teams, specs, starts=comp_starts, n_boot=n_boot, seed=seed)
    if "pdsa" in tables:
        heat = pdsa_heatmap(tables["pdsa"], teams=part_ids)
    else:
        heat = pd.DataFrame(index=pd.Index(part_ids, name="team_id"))
    if "assessments" in tables:
        shares = share_at_or_above(tables["assessments"], teams=part_ids)
        dist = score_distribution(tables["assessments"], teams=part_ids)
    else:
        shares = dist = pd.DataFrame()
    settings = dict(method=method, horizon=horizon, min_points_each_side=min_points_each_side, n_boot=n_boot,
                    seed=seed, pooled_term="level_change", pooling="DerSimonian–Laird",
                    comparison_start=cstart)
    return RollupResult(verdicts=verdicts_, signal_counts=counts, effects=effects, pooled=pooled,
                        comparison=comparison, pdsa_heatmap=heat, progress_shares=shares,
                        progress_distribution=dist, its=its, did=did, settings=settings)
