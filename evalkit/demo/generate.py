"""Synthetic demo data: a seeded, reproducible stand-in for a real collaborative.

Everything written here is **synthetic**. Team names are fictional; staff keys are
pseudonymous counters (``s000123``); no row describes a real person or agency.

The collaborative is shaped like seed 000 (a Breakthrough Series Collaborative: 4 tribal
and 8 public teams, plus 4 comparison units that did not take part), 36 months
2022-01 .. 2024-12, learning sessions on 2023-04-25, 2023-11-15 and 2024-06-12. The
state "evergreen" holds two programme units whose staff train together (seed 004); the
country tables (seed 001: Moldova) and the state's qualitative and partnership tables
(seeds 002, 003) are written by :mod:`evalkit.demo._jurisdictions`; the workforce
simulation lives in :mod:`evalkit.demo._workforce` and the survey, PDSA, events and
assessment tables in :mod:`evalkit.demo._activities`.

How the workforce is simulated (no loops over people or months):

* every unit has a fixed number of funded positions ("slots"); each slot is held by a
  chain of incumbents: an incumbent separates, the slot stays vacant while a
  requisition is open (time to fill), then the next person is hired;
* separations follow a monthly hazard ``h[unit, month]`` (all separation types), turned
  into a daily rate; a person's last day employed is drawn by inverting the cumulative
  hazard (one ``searchsorted`` for everybody), with a 1.5x hazard in the first year of
  tenure; the only loop is over incumbent *generations* of the slots (a handful);
* the monthly hazard = unit baseline x shared secular trend x summer seasonality x the
  unit's true effect (a hazard ratio from its effect month on);
* separation types are drawn independently of timing (72% voluntary, 14% involuntary,
  8% other, 6% transfer), so a hazard ratio applies equally to turnover excluding
  transfers.

Measures are then computed from the roster exactly as defined in the team brief
(turnover) or simulated around it (supervision out of the headcount on the 1st,
well-being pulse), and written with the true effects to ``TRUTH.json``.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.demo._workforce import (  # noqa: F401  (MEASURE_IDS re-exported)
    _FIRST_YEAR_MULTIPLIER, _SECULAR, _SEP_TYPE_P, _SEP_TYPES, _SUMMER_MULTIPLIER, MEASURE_IDS, _num,
    _calendar, _drop_missing_months, _measures_long, _month_index, _monthly_hazard, _requisitions_frame,
    _roster_frame, _simulate_workforce, _sort_measures, _teams_frame, _time_to_fill_mean, _Unit,
)

from evalkit.demo._design import DEMO_MONTHS, ESSENTIALS, LEARNING_SESSIONS, SURVEY_FIELDED, TABLE_COLUMNS  # noqa: F401

__all__ = ["TABLE_COLUMNS", "write_demo_data", "write_large_data"]

# The four improving teams had the highest turnover when they joined (why they joined).
_BASE = [
    # team_id, team_name, team_type, role, region, country, start_month,
    #                                         slots hazard sup  wb    ttf cbi rr
    ("cedar-river-tribe", "Cedar River Tribe", "tribal", "participant", "Northwest", "us", "2023-04",
     (56, 4.0, 50, 3.20, 55, 52, 0.80)),
    ("red-willow-nation", "Red Willow Nation", "tribal", "participant", "South", "us", "2023-05",
     (30, 2.2, 55, 3.30, 45, 48, 0.78)),
    ("north-lake-band-east", "North Lake Band, East End", "tribal", "participant", "Great Lakes", "us", "2023-04",
     (7, 2.0, 60, 3.40, 40, 46, 0.75)),
    ("north-lake-band-west", "North Lake Band, West End", "tribal", "participant", "Great Lakes", "us", "2023-04",
     (22, 2.2, 52, 3.20, 45, 49, 0.70)),
    ("prairie-north", "Prairie State, North District", "public", "participant", "Midwest", "us", "2023-04",
     (62, 2.4, 58, 3.30, 42, 47, 0.72)),
    ("prairie-harbor", "Prairie State, Harbor District", "public", "participant", "Midwest", "us", "2023-04",
     (64, 2.4, 50, 3.10, 48, 51, 0.68)),
    ("sunflower-northeast", "Sunflower State, Northeast Region", "public", "participant", "Plains", "us", "2023-04",
     (68, 3.8, 45, 3.10, 55, 53, 0.74)),
    ("sunflower-northwest", "Sunflower State, Northwest Region", "public", "participant", "Plains", "us", "2023-04",
     (40, 2.3, 52, 3.20, 45, 49, 0.76)),
    ("mesa-southeast", "Mesa State, Southeast Region", "public", "participant", "Southwest", "us", "2023-06",
     (36, 2.6, 48, 3.00, 52, 52, 0.65)),
    ("evergreen-metro", "Evergreen State, Metro Office", "public", "participant", "Northwest", "us", "2023-04",
     (70, 4.0, 47, 3.10, 55, 52, 0.70)),
    ("evergreen-east", "Evergreen State, East Office", "public", "participant", "Northwest", "us", "2023-04",
     (34, 2.1, 55, 3.30, 42, 48, 0.78)),
    ("valley-county", "Valley County", "public", "participant", "Northeast", "us", "2023-04",
     (62, 3.8, 50, 3.20, 50, 50, 0.73)),
    ("granite-county", "Granite County", "public", "comparison", "Midwest", "us", None,
     (52, 2.4, 52, 3.20, 48, 50, 0.70)),
    ("bluewater-county", "Bluewater County", "public", "comparison", "Northeast", "us", None,
     (44, 2.5, 50, 3.15, 48, 51, 0.72)),
    ("copper-hills", "Copper Hills County", "public", "comparison", "Southwest", "us", None,
     (38, 2.6, 49, 3.10, 50, 52, 0.66)),
    ("timber-valley", "Timber Valley County", "public", "comparison", "Northwest", "us", None,
     (60, 2.3, 53, 3.25, 45, 49, 0.74)),
    ("evergreen-child-welfare", "Evergreen Child Welfare Services", "public", "programme", "Statewide", "evergreen",
     None, (62, 2.3, 55, 3.20, 45, 50, 0.70)),
    ("evergreen-family-assistance", "Evergreen Family Assistance Program", "public", "programme", "Statewide",
     "evergreen", None, (46, 2.0, 50, 3.30, 42, 47, 0.70)),
]
# True effects from effect_month on (sustained to the end).
_IMPROVE = dict(time_to_fill_multiplier=0.5, burnout_points=-10.0)
_EFFECTS = {
    "cedar-river-tribe": dict(effect_month="2023-06", hazard_ratio=0.5, supervision_points=20,
                              wellbeing_points=0.35, **_IMPROVE),
    "sunflower-northeast": dict(effect_month="2023-06", hazard_ratio=0.5, supervision_points=18,
                                wellbeing_points=0.30, **_IMPROVE),
    "evergreen-metro": dict(effect_month="2023-07", hazard_ratio=0.5, supervision_points=22,
                            wellbeing_points=0.40, **_IMPROVE),
    "valley-county": dict(effect_month="2023-08", hazard_ratio=0.55, supervision_points=20,
                          wellbeing_points=0.30, **_IMPROVE),
    "prairie-north": dict(effect_month="2023-09", hazard_ratio=1.8, supervision_points=-15,
                          wellbeing_points=-0.35, time_to_fill_multiplier=1.8, burnout_points=8.0),
    "north-lake-band-west": dict(missing_months=("2022-11", "2023-07", "2023-08", "2023-09")),
}
DEMO_UNITS: list[_Unit] = [
    _Unit(tid, name, ttype, role, region, country, start, *base, **_EFFECTS.get(tid, {}))
    for tid, name, ttype, role, region, country, start, base in _BASE
]


# ---------------------------------------------------------------------------------------
# TRUTH.json: what was put into the data, so analyses can be checked against it
# ---------------------------------------------------------------------------------------
def _realised(units: list[_Unit], measures: pd.DataFrame, labels: np.ndarray) -> dict:
    """Observed before/after summaries of the generated measures (pooled ratios, mean pulse)."""
    out = {}
    m = measures.copy()
    for u in units:
        split = u.effect_month or u.start_month or "2023-04"
        rows = m[m["team_id"] == u.team_id]
        res = {"split_month": split}
        for mid in MEASURE_IDS:
            r = rows[rows["measure_id"] == mid]
            for side, part in (("before", r[r["period"] < split]), ("after", r[r["period"] >= split])):
                if mid == "wellbeing_pulse":
                    val = float(part["numerator"].mean())
                else:
                    val = float(100 * part["numerator"].sum() / part["denominator"].sum())
                res[f"{mid}_{side}"] = round(val, 3)
        out[u.team_id] = res
    return out


def _truth(units: list[_Unit], seed: int, hazard: np.ndarray, measures_all: pd.DataFrame, labels: np.ndarray,
           extra: dict) -> dict:
    participants = [u for u in units if u.role == "participant"]
    improved = [u.team_id for u in participants if u.effect_month and u.hazard_ratio < 1]
    deteriorated = [u.team_id for u in participants if u.effect_month and u.hazard_ratio > 1]
    collab = [u for u in units if u.country == "us"]
    no_change = [u.team_id for u in collab if u.team_id not in improved + deteriorated]
    non_transfer = 1 - _SEP_TYPE_P[3]
    per_unit = {}
    for i, u in enumerate(units):
        k = _month_index(u.effect_month)
        entry = {
            "role": u.role, "team_type": u.team_type, "start_month": u.start_month,
            "funded_positions": u.slots,
            "baseline": {
                "separation_hazard_pct_per_month_all_types": u.hazard_pct,
                "turnover_hazard_pct_per_month_excl_transfers": round(u.hazard_pct * non_transfer, 4),
                "supervision_pct": u.supervision_pct, "wellbeing_pulse_mean": u.wellbeing,
                "time_to_fill_days_mean": u.time_to_fill_days, "cbi_work_burnout_mean": u.burnout,
                "survey_response_rate": u.response_rate,
            },
            "effects": {},
            "missing_months": list(u.missing_months),
        }
        if k is not None:
            before = float(hazard[i, :k].mean() * 100 * non_transfer)
            after = float(hazard[i, k:].mean() * 100 * non_transfer)
            entry["effects"] = {
                "turnover_rate": {"from": u.effect_month, "kind": "hazard_ratio", "size": u.hazard_ratio,
                                  "expected_pct_per_month_before": round(before, 4),
                                  "expected_pct_per_month_after": round(after, 4), "sustained": True},
                "supervision": {"from": u.effect_month, "kind": "level_change_percentage_points",
                                "size": u.supervision_points, "sustained": True},
                "wellbeing_pulse": {"from": u.effect_month, "kind": "level_change_points_on_1_to_5",
                                    "size": u.wellbeing_points, "sustained": True},
                "vacancy_rate": {"from": u.effect_month, "kind": "time_to_fill_multiplier",
                                 "size": u.time_to_fill_multiplier,
                                 "note": "vacancy follows from faster/slower hiring and fewer/more separations"},
                "cbi_work_burnout": {"from": u.effect_month, "kind": "level_change_points_on_0_to_100",
                                     "size": u.burnout_points,
                                     "note": "about half the size at the first wave after 'from', full a year on"},
            }
        per_unit[u.team_id] = entry
    return {
        "synthetic": True,
        "generator": "evalkit.demo.write_demo_data",
        "seed": seed,
        "command": f"evalkit demo-data --seed {seed} --out data/demo",
        "period": {"first": str(labels[0]), "last": str(labels[-1]), "months": int(labels.size)},
        "learning_sessions": LEARNING_SESSIONS,
        "survey_waves": {str(i): d for i, d in enumerate(SURVEY_FIELDED, start=1)},
        "lists": {
            "participants": [u.team_id for u in participants],
            "comparison": [u.team_id for u in units if u.role == "comparison"],
            "programme": [u.team_id for u in units if u.role == "programme"],
            "improved": improved,
            "no_change": no_change,
            "no_change_participants": [t for t in no_change if t in {u.team_id for u in participants}],
            "deteriorated": deteriorated,
            "missing_months": {u.team_id: list(u.missing_months) for u in units if u.missing_months},
            "small": [u.team_id for u in units if u.slots < 10],
            "late_start": {u.team_id: u.start_month for u in participants if u.start_month != "2023-04"},
        },
        "shared_for_all_units": {
            "secular_turnover_multiplier": {"first_month": _SECULAR[0], "last_month": _SECULAR[1],
                                            "shape": "linear in month index"},
            "summer_turnover_multiplier": {"months": [6, 7, 8], "size": _SUMMER_MULTIPLIER},
            "first_year_of_tenure_hazard_multiplier": _FIRST_YEAR_MULTIPLIER,
            "separation_type_shares": dict(zip(_SEP_TYPES.tolist(), _SEP_TYPE_P.tolist())),
            "missing_months_note": "measures and positions rows are absent for these months; roster is complete",
            "analysis_notes": [
                "Monthly turnover counts are small (about 2-3 separations a month before and 1-1.5 after in the"
                " improving teams, under 1 a month in teams of 30 or fewer), so a run chart of monthly turnover"
                " has limited power even for a true hazard ratio of 0.5; pooled before/after rate ratios or"
                " quarterly aggregation recover it more reliably.",
                "Small teams have many months with 0 separations; a median of 0 leaves only the non-zero months"
                " in the runs analysis, which can produce run-chart signals without a true change.",
                "vacancy_rate is a stock (a vacancy lasts for the time to fill, often across two month starts),"
                " so it is autocorrelated month to month and run charts of no-change units can signal.",
                "supervision and wellbeing_pulse effects are steps of 15-22 points and 0.30-0.40 points from"
                " 'from'; with 36 months they are clearly visible in run charts.",
                "supervision's month-to-month noise is autocorrelated (AR(1), rho 0.5, sd 4 points), so good and"
                " bad stretches last a few months, as real staffing gaps do.",
            ],
            "measures_note": "turnover_rate numerator/denominator are computed from roster.csv exactly as defined;"
                             " supervision is binomial out of the headcount on the 1st; vacancy_rate is from"
                             " positions.csv (filled = headcount on the 1st)",
        },
        "units": per_unit,
        "realised_before_after": _realised(units, measures_all, labels),
        **extra,
    }


# ---------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------
def _write_table(out: Path, name: str, df: pd.DataFrame) -> Path:
    path = out / f"{name}.csv"
    df = df[TABLE_COLUMNS[name]] if name in TABLE_COLUMNS else df
    df.to_csv(path, index=False, lineterminator="\n", na_rep="")
    return path


_README = """# Demo data (SYNTHETIC)

Every file in this folder is **synthetic**: generated by `evalkit.demo.write_demo_data`
with seed {seed}. Team, partner and programme names are fictional; `staff_key` and
`response_id` are counters, not people. Do not read anything here as a finding about a
real agency, tribe, state or country.

Regenerate (byte-identical for the same seed):

    .venv/bin/evalkit demo-data --seed {seed} --out data/demo

What was built in (true effects, when, how large; improved / no-change / deteriorated /
missing-months / small units) is in `TRUTH.json`, so analyses can be checked against it.

- Collaborative (shaped like seed 000): 4 tribal + 8 public participating teams, 4
  comparison units, {months} months {first}..{last}; learning sessions {ls}.
- Improved (sustained, after their effect month): {improved}.
- Deteriorated: {deteriorated}. Missing months (measures/positions rows absent):
  {missing}. Very small team (suppression): {small}.
- Moldova (seed 001): goals, technical-group deliverables, working-group membership by
  sector (15 to 30 members), outputs.
- Evergreen (seeds 002-004): focus-group sessions and coded excerpts, partners by sector,
  joint training of the two programme units (staff keys match roster.csv).

Tables: {tables}.
"""


def write_demo_data(out: Path, seed: int = 2023) -> list[Path]:
    """Write the synthetic demo data set (every table of the data model) into a folder.

    Parameters
    ----------
    out : Path
        Folder to write into (created if missing); existing demo files are overwritten.
    seed : int, default 2023
        Seed of ``numpy.random.default_rng``; the same seed gives byte-identical files.

    Returns
    -------
    list of Path
        The files written: one ``<table>.csv`` per table of :data:`TABLE_COLUMNS`
        (columns in that order), then ``TRUTH.json`` and ``README.md``.

    Notes
    -----
    Turnover (numerator = separations in the month excluding transfers, denominator =
    mean of the headcounts on the 1st of the month and of the next month) is computed
    from the simulated roster, so ``measures.csv`` and ``roster.csv`` agree exactly.
    See the module docstring for the simulation and ``TRUTH.json`` for the effects.

    Example
    -------
    >>> from pathlib import Path
    >>> paths = write_demo_data(Path("data/demo"), seed=2023)  # doctest: +SKIP
    """
    from evalkit.demo import _activities as act
    from evalkit.demo import _jurisdictions as jur

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    units = DEMO_UNITS
    day0, firsts, labels, month_of_day = _calendar(DEMO_MONTHS)
    hazard = _monthly_hazard(units, DEMO_MONTHS, labels)
    wf = _simulate_workforce(rng, hazard, _time_to_fill_mean(units, DEMO_MONTHS),
                             np.array([u.slots for u in units]), firsts, month_of_day)
    measures_all, positions = _measures_long(rng, units, wf, labels)
    roster = _roster_frame(units, wf, day0)
    end_day = int(firsts[-1]) - 1
    tables = {
        "teams": _teams_frame(units),
        "measures": _sort_measures(_drop_missing_months(measures_all, units), units),
        "roster": roster,
        "positions": _drop_missing_months(positions, units),
        "requisitions": _requisitions_frame(units, wf, day0),
        "survey": act.survey_frame(rng, units, wf, day0),
        "pdsa": act.pdsa_frame(rng, units, day0, end_day),
        "events": act.events_frame(units),
        "assessments": act.assessments_frame(rng, units, labels),
    }
    jtables, jtruth = jur.jurisdiction_tables(rng, roster)
    tables.update(jtables)
    written = [_write_table(out, name, tables[name]) for name in TABLE_COLUMNS]

    truth = _truth(units, seed, hazard, _drop_missing_months(measures_all, units), labels,
                   {"jurisdictions": jtruth})
    tpath = out / "TRUTH.json"
    tpath.write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    lists = truth["lists"]
    readme = _README.format(
        seed=seed, months=DEMO_MONTHS, first=labels[0], last=labels[-1], ls=", ".join(LEARNING_SESSIONS),
        improved=", ".join(lists["improved"]), deteriorated=", ".join(lists["deteriorated"]),
        missing="; ".join(f"{k} ({', '.join(v)})" for k, v in lists["missing_months"].items()),
        small=", ".join(lists["small"]), tables=", ".join(TABLE_COLUMNS))
    rpath = out / "README.md"
    rpath.write_text(readme, encoding="utf-8")
    return written + [tpath, rpath]


def write_large_data(out: Path, seed: int, units: int = 500, months: int = 36) -> list[Path]:
    """Write large synthetic benchmark data (teams, roster, positions, measures); never commit it.

    Parameters
    ----------
    out : Path
        Folder to write into (default on the command line ``data/large``, git-ignored).
    seed : int
        Seed of ``numpy.random.default_rng``; same seed, same files.
    units : int, default 500
        Number of units; half take part (start in month 15), half are comparisons.
    months : int, default 36
        Number of months from 2022-01.

    Returns
    -------
    list of Path
        ``teams.csv``, ``roster.csv``, ``positions.csv``, ``measures.csv``, ``TRUTH.json``
        and the matching params folder ``params/`` (``collaborative.yaml``, one
        ``teams/<id>.yaml`` per participating unit), so ``evalkit run --data <out> --params
        <out>/params`` renders the large batch.

    Notes
    -----
    Unit sizes are log-normal with a mean of about 1,200 funded positions, so 500 units over
    36 months give about one million roster rows. A fifth of the participating units get a
    true improvement (turnover hazard ratio 0.5, supervision +20 points) from month 17.
    Everything is vectorised over people; it takes seconds.

    Example
    -------
    >>> write_large_data(Path("data/large"), seed=1)  # doctest: +SKIP
    """
    from evalkit.errors import InputError

    if units < 1 or months < 2:
        raise InputError(f"--units must be at least 1 and --months at least 2 (got {units} and {months})")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    day0, firsts, labels, month_of_day = _calendar(months)
    sizes = np.clip(np.round(rng.lognormal(np.log(880), 0.8, units)), 8, 20_000).astype(int)
    width = max(4, len(str(units)))
    start_k = min(15, months - 1)
    effect_k = min(17, months - 1)
    role = np.where(np.arange(units) % 2 == 0, "participant", "comparison")
    improved = (role == "participant") & (rng.random(units) < 0.2)
    tribal = rng.random(units) < 0.1
    regions = np.array(["Northeast", "Midwest", "South", "West", "Plains", "Northwest"])
    unit_list = []
    for i in range(units):
        eff = dict(effect_month=str(labels[effect_k]), hazard_ratio=0.5, supervision_points=20.0,
                   wellbeing_points=0.3, time_to_fill_multiplier=0.5) if improved[i] else {}
        unit_list.append(_Unit(
            f"unit-{i + 1:0{width}d}", f"Unit {i + 1:0{width}d}", "tribal" if tribal[i] else "public", str(role[i]),
            str(regions[i % regions.size]), "us", str(labels[start_k]) if role[i] == "participant" else None,
            int(sizes[i]), float(rng.uniform(1.6, 3.0)), float(rng.uniform(40, 65)), float(rng.uniform(2.9, 3.5)),
            float(rng.uniform(80, 140)), 50.0, 0.7, **eff))
    hazard = _monthly_hazard(unit_list, months, labels)
    wf = _simulate_workforce(rng, hazard, _time_to_fill_mean(unit_list, months),
                             sizes, firsts, month_of_day)
    measures, positions = _measures_long(rng, unit_list, wf, labels)
    measures["numerator"] = _num(measures["numerator"])
    measures["denominator"] = _num(measures["denominator"])
    paths = [
        _write_table(out, "teams", _teams_frame(unit_list)),
        _write_table(out, "roster", _roster_frame(unit_list, wf, day0)),
        _write_table(out, "positions", positions),
        _write_table(out, "measures", measures),
    ]
    truth = {"synthetic": True, "generator": "evalkit.demo.write_large_data", "seed": seed, "units": units,
             "months": months, "roster_rows": int(wf.unit.size),
             "improved": [u.team_id for u in unit_list if u.effect_month],
             "effect": {"from": str(labels[effect_k]), "turnover_hazard_ratio": 0.5, "supervision_points": 20.0,
                        "wellbeing_points": 0.3, "time_to_fill_multiplier": 0.5}}
    tpath = out / "TRUTH.json"
    tpath.write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    params = _write_large_params(out / "params", unit_list, last_month=str(labels[-1]))
    return paths + [tpath] + params


#: The shared params of large benchmark data: the demo's four monthly measures, no survey.
_LARGE_COLLABORATIVE = """\
# Params for large synthetic benchmark data (evalkit demo-data --large); never commit them.
title: "Large synthetic benchmark ({units} units)"
synthetic: true
data_as_of: {as_of}
rules:
  method: anhoej
suppression:
  min_count: 10
  min_respondents: 5
effects:
  horizon_months: 12
  min_points_each_side: 8
measures:
  turnover_rate:
    label: "Staff turnover"
    definition: "Separations in the month divided by the average headcount of the month, times 100."
    chart: u
    direction: decrease
    multiply: 100
    unit: "% per month"
    target: null
  supervision:
    label: "Reflective supervision"
    definition: "Staff who received reflective supervision in the month divided by staff on the 1st, times 100."
    chart: p
    direction: increase
    multiply: 100
    unit: "%"
    target: null
  vacancy_rate:
    label: "Vacancy rate"
    definition: "Funded positions not filled divided by funded positions, times 100."
    chart: p
    direction: decrease
    multiply: 100
    unit: "%"
    target: null
  wellbeing_pulse:
    label: "Well-being pulse"
    definition: "The unit's average answer to a monthly one-question well-being pulse (1-5)."
    chart: i
    direction: increase
    multiply: 1
    unit: "(1-5)"
    target: null
"""


def _write_large_params(folder: Path, unit_list, *, last_month: str) -> list[Path]:
    """Write ``collaborative.yaml`` and one ``teams/<id>.yaml`` per participating unit.

    The folder matches the large data, so ``evalkit run --params <out>/params --data <out>``
    renders one report per participating unit plus the summary (no country reports).
    Files of units no longer in the data (an earlier, larger run) are removed.
    """
    as_of = (pd.Period(last_month, "M").end_time.normalize()).strftime("%Y-%m-%d")
    teams_dir = folder / "teams"
    teams_dir.mkdir(parents=True, exist_ok=True)
    shared = folder / "collaborative.yaml"
    shared.write_text(_LARGE_COLLABORATIVE.format(units=len(unit_list), as_of=as_of), encoding="utf-8")
    written = [shared]
    wanted = {u.team_id for u in unit_list if u.role == "participant"}
    for stale in teams_dir.glob("*.yaml"):
        if stale.stem not in wanted:
            stale.unlink()
    for team_id in sorted(wanted):
        path = teams_dir / f"{team_id}.yaml"
        path.write_text(f"team_id: {team_id}\n", encoding="utf-8")
        written.append(path)
    return written

