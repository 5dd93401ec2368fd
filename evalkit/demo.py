"""Synthetic demo data: a seeded, reproducible stand-in for a real collaborative.

Everything written here is **synthetic**. Team names are fictional; staff keys are
pseudonymous counters (``s000123``); no row describes a real person or agency.

The collaborative is shaped like seed 000 (a Breakthrough Series Collaborative: 4 tribal
and 8 public teams, plus 4 comparison units that did not take part), 36 months
2022-01 .. 2024-12, learning sessions on 2023-04-25, 2023-11-15 and 2024-06-12. The
state "evergreen" holds two programme units whose staff train together (seed 004); the
country tables (seed 001: Moldova) and the state's qualitative and partnership tables
(seeds 002, 003) are written by :mod:`evalkit._demo_jurisdictions`.

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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["TABLE_COLUMNS", "write_demo_data", "write_large_data"]

# ---------------------------------------------------------------------------------------
# The data model (team brief, DESIGN.md section 3): table -> exact column order
# ---------------------------------------------------------------------------------------
TABLE_COLUMNS: dict[str, list[str]] = {
    "teams": ["team_id", "team_name", "team_type", "role", "region", "country", "start_month"],
    "measures": ["team_id", "period", "measure_id", "numerator", "denominator"],
    "roster": ["team_id", "staff_key", "role", "case_carrying", "hire_date", "separation_date", "separation_type"],
    "positions": ["team_id", "period", "funded_positions", "filled_positions"],
    "requisitions": ["team_id", "requisition_id", "opened", "filled"],
    "survey": ["team_id", "wave", "fielded", "response_id"]
    + [f"cbi_work_{i}" for i in range(1, 8)]
    + [f"itl_{i}" for i in range(1, 4)],
    "pdsa": ["team_id", "pdsa_id", "ramp_id", "change_idea", "essential", "driver", "start_date", "end_date",
             "prediction", "decision", "measure_id"],
    "events": ["team_id", "date", "label", "kind"],
    "assessments": ["team_id", "period", "rater", "score"],
    "goals": ["country", "goal_id", "goal", "indicator", "baseline", "target", "value", "as_of", "gas_level",
              "weight", "evidence"],
    "deliverables": ["country", "group", "deliverable_id", "goal_id", "title", "due", "completed"],
    "membership": ["country", "date", "sector", "members"],
    "outputs": ["country", "date", "output_type", "count"],
    "sessions": ["study", "session_id", "affinity_group", "region", "participants", "hours"],
    "excerpts": ["study", "excerpt_id", "session_id", "code_path", "text"],
    "training": ["unit", "session_id", "date", "module", "level", "staff_key", "programme"],
    "partners": ["unit", "partner", "sector", "joined", "meetings_held", "meetings_attended", "stipend"],
}

FIRST_MONTH = "2022-01"
DEMO_MONTHS = 36
LEARNING_SESSIONS = ["2023-04-25", "2023-11-15", "2024-06-12"]
SURVEY_FIELDED = ["2022-10-03", "2023-10-02", "2024-10-01"]
MEASURE_IDS = ["turnover_rate", "supervision", "vacancy_rate", "wellbeing_pulse"]
ESSENTIALS = ["protection-from-harm", "connection-and-community", "work-life-harmony", "mattering-at-work",
              "opportunity-for-growth"]

_SEP_TYPES = np.array(["voluntary", "involuntary", "other", "transfer"])
_SEP_TYPE_P = np.array([0.72, 0.14, 0.08, 0.06])
_ROLES = np.array(["caseworker", "supervisor", "manager", "support"])
_FIRST_YEAR_MULTIPLIER = 1.5  # new hires leave more often in their first 365 days
_SUMMER_MULTIPLIER = 1.15  # June-August separations
_SECULAR = (1.08, 0.92)  # shared turnover multiplier, linear from the first to the last month


@dataclass(frozen=True)
class _Unit:
    """Generating parameters of one unit (the "truth" before noise)."""

    team_id: str
    team_name: str
    team_type: str
    role: str
    region: str
    country: str
    start_month: str | None
    slots: int
    hazard_pct: float  # monthly separation probability, all types, in %
    supervision_pct: float
    wellbeing: float  # 1-5 pulse mean
    time_to_fill_days: float
    burnout: float  # CBI work-related burnout mean (0-100)
    response_rate: float
    effect_month: str | None = None
    hazard_ratio: float = 1.0
    supervision_points: float = 0.0
    wellbeing_points: float = 0.0
    time_to_fill_multiplier: float = 1.0
    burnout_points: float = 0.0
    missing_months: tuple[str, ...] = field(default_factory=tuple)


# Baselines of every unit. slots = funded positions; hazard = % separating per month (all
# types); sup = % receiving reflective supervision; wb = 1-5 pulse mean; ttf = mean days
# to fill a vacancy; cbi = CBI work-related burnout mean; rr = survey response rate.
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
# Calendar helpers: days are integers counted from the first day of the first month
# ---------------------------------------------------------------------------------------
def _calendar(n_months: int, first: str = FIRST_MONTH):
    """Return (day0, month_first_days[0..n_months], period labels, day -> month index)."""
    m0 = np.datetime64(first, "M")
    day0 = m0.astype("datetime64[D]")
    firsts = (np.arange(m0, m0 + n_months + 1).astype("datetime64[D]") - day0).astype(np.int64)
    labels = np.datetime_as_string(np.arange(m0, m0 + n_months), unit="M")
    n_days = int(firsts[-1])
    month_of_day = np.searchsorted(firsts, np.arange(n_days), side="right") - 1
    return day0, firsts, labels, month_of_day


def _month_index(label: str | None, first: str = FIRST_MONTH) -> int | None:
    if label is None:
        return None
    return int((np.datetime64(label, "M") - np.datetime64(first, "M")).astype(int))


def _iso(day0: np.datetime64, days: np.ndarray) -> np.ndarray:
    """ISO dates for day numbers; negative numbers (never used for blanks) are real dates."""
    return np.datetime_as_string(day0 + days.astype("timedelta64[D]"), unit="D")


def _iso_or_blank(day0: np.datetime64, days: np.ndarray, present: np.ndarray) -> np.ndarray:
    out = np.full(days.shape, "", dtype=object)
    if present.any():
        out[present] = _iso(day0, days[present])
    return out


def _num(values) -> list[str]:
    """Format numbers for CSV: integers without '.0', others with up to 4 decimals, NaN blank."""
    out = []
    for v in np.asarray(values, dtype=float):
        if np.isnan(v):
            out.append("")
        elif v == np.floor(v):
            out.append(str(int(v)))
        else:
            out.append(f"{v:.4f}".rstrip("0").rstrip("."))
    return out


# ---------------------------------------------------------------------------------------
# The workforce simulation (vectorised over people; loops only over slot generations)
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Workforce:
    unit: np.ndarray  # roster rows: unit index
    role: np.ndarray
    case_carrying: np.ndarray
    hire: np.ndarray  # day number (negative = before the first month)
    sep: np.ndarray  # last day employed, -1 = still employed at the end
    sep_type: np.ndarray  # "" while employed
    req_unit: np.ndarray
    req_opened: np.ndarray
    req_filled: np.ndarray  # -1 = still open at the end
    headcount: np.ndarray  # [unit, month 0..n_months] employed on the 1st
    separations: np.ndarray  # [unit, month] excluding transfers


def _monthly_hazard(units: list[_Unit], n_months: int, labels: np.ndarray) -> np.ndarray:
    """h[unit, month]: probability of separating (any type) in the month."""
    t = np.linspace(0.0, 1.0, n_months)
    secular = _SECULAR[0] + (_SECULAR[1] - _SECULAR[0]) * t
    month_number = np.array([int(s[5:7]) for s in labels])
    season = np.where(np.isin(month_number, [6, 7, 8]), _SUMMER_MULTIPLIER, 1.0)
    base = np.array([u.hazard_pct / 100 for u in units])[:, None]
    eff = np.ones((len(units), n_months))
    for i, u in enumerate(units):
        k = _month_index(u.effect_month)
        if k is not None:
            eff[i, k:] = u.hazard_ratio
    return np.clip(base * secular[None, :] * season[None, :] * eff, 1e-6, 0.5)


def _time_to_fill_mean(units: list[_Unit], n_months: int) -> np.ndarray:
    """Mean days from requisition opened to hire, by unit and month the requisition opened."""
    out = np.repeat(np.array([u.time_to_fill_days for u in units], dtype=float)[:, None], n_months, axis=1)
    for i, u in enumerate(units):
        k = _month_index(u.effect_month)
        if k is not None:
            out[i, k:] *= u.time_to_fill_multiplier
    return out


def _slot_roles(rng: np.random.Generator, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Role of every slot (unit-major order): managers, supervisors, support, caseworkers."""
    unit_of_slot = np.repeat(np.arange(len(slots)), slots)
    rank = np.arange(unit_of_slot.size) - np.repeat(np.cumsum(slots) - slots, slots)  # 0.. within unit
    n = slots[unit_of_slot]
    managers = np.maximum(1, np.round(n / 25))
    supervisors = np.maximum(1, np.round(n / 7))
    support = np.round(n * 0.12)
    code = np.select([rank < managers, rank < managers + supervisors, rank < managers + supervisors + support],
                     [2, 1, 3], default=0)
    return unit_of_slot, code


def _simulate_workforce(rng: np.random.Generator, hazard: np.ndarray, ttf_mean: np.ndarray, slots: np.ndarray,
                        firsts: np.ndarray, month_of_day: np.ndarray) -> _Workforce:
    n_units, n_months = hazard.shape
    n_days = int(firsts[-1])
    days_in_month = np.diff(firsts)
    rate = -np.log1p(-hazard) / days_in_month[None, :]  # per day
    daily = rate[:, month_of_day]
    cum = np.zeros((n_units, n_days + 1))
    np.cumsum(daily, axis=1, out=cum[:, 1:])
    big = float(cum[:, -1].max() * _FIRST_YEAR_MULTIPLIER + 10.0)
    flat = (cum + big * np.arange(n_units)[:, None]).ravel()  # increasing across all units

    unit_of_slot, role_code = _slot_roles(rng, slots)
    n_slots = unit_of_slot.size

    def month_clip(day):
        return month_of_day[np.clip(day, 0, n_days - 1)]

    def draw_fill(units_idx, opened):
        mean = ttf_mean[units_idx, month_clip(opened)]
        return opened + 7 + np.ceil(rng.gamma(4.0, np.maximum(mean - 7, 1) / 4.0)).astype(np.int64)

    # initial state on the first day: occupied with the steady-state probability, else vacant
    h0 = hazard[unit_of_slot, 0]
    fill_months = ttf_mean[unit_of_slot, 0] / 30.4
    p_vacant = h0 * fill_months / (1 + h0 * fill_months)
    vacant = rng.random(n_slots) < p_vacant
    tenure = np.ceil(rng.exponential(4.5 * 365, n_slots)).astype(np.int64) + 14
    hire = np.where(vacant, 0, -tenure)
    req_u, req_o, req_f = [], [], []
    if vacant.any():
        opened0 = -rng.integers(1, 120, vacant.sum())
        filled0 = draw_fill(unit_of_slot[vacant], opened0)
        filled0 = np.where(filled0 < 1, rng.integers(1, 30, filled0.size), filled0)
        hire[vacant] = filled0
        req_u.append(unit_of_slot[vacant])
        req_o.append(opened0)
        req_f.append(np.where(filled0 < n_days, filled0, -1))
    active = hire < n_days
    slot = np.arange(n_slots)[active]
    hire = hire[active]

    rows_u, rows_slot, rows_hire, rows_sep = [], [], [], []
    while slot.size:
        u = unit_of_slot[slot]
        start = np.maximum(hire, 0)
        fy_end = np.clip(hire + 365, start, n_days)
        c_start = cum[u, start]
        c_fy = cum[u, fy_end]
        e = rng.exponential(1.0, slot.size)
        first_year_total = _FIRST_YEAR_MULTIPLIER * (c_fy - c_start)
        target = np.where(e < first_year_total, c_start + e / _FIRST_YEAR_MULTIPLIER,
                          c_fy + (e - first_year_total))
        k = np.searchsorted(flat, target + big * u, side="left") - u * (n_days + 1)
        sep = np.where(k <= n_days, k - 1, -1)
        rows_u.append(u)
        rows_slot.append(slot)
        rows_hire.append(hire)
        rows_sep.append(sep)
        left = sep >= 0
        opened = sep[left] + 1 + rng.integers(0, 8, left.sum())
        nxt = draw_fill(u[left], opened)
        req_u.append(u[left])
        req_o.append(opened)
        req_f.append(np.where(nxt < n_days, nxt, -1))
        again = nxt < n_days
        slot = slot[left][again]
        hire = nxt[again]

    unit = np.concatenate(rows_u)
    slot_all = np.concatenate(rows_slot)
    hire_all = np.concatenate(rows_hire)
    sep_all = np.concatenate(rows_sep)
    order = np.lexsort((slot_all, hire_all, unit))
    unit, slot_all, hire_all, sep_all = unit[order], slot_all[order], hire_all[order], sep_all[order]
    n = unit.size
    left = sep_all >= 0
    sep_type = np.where(left, _SEP_TYPES[rng.choice(4, n, p=_SEP_TYPE_P)], "")
    role = _ROLES[role_code[slot_all]]
    case_carrying = (role == "caseworker") | ((role == "supervisor") & (rng.random(n) < 0.2))

    # headcount on the 1st of every month (and of the month after the last): difference arrays
    lo = np.searchsorted(firsts, hire_all, side="left")
    hi = np.where(left, np.searchsorted(firsts, sep_all, side="right") - 1, n_months)
    ok = lo <= hi
    diff = np.zeros((n_units, n_months + 2), dtype=np.int64)
    np.add.at(diff, (unit[ok], lo[ok]), 1)
    np.add.at(diff, (unit[ok], hi[ok] + 1), -1)
    headcount = np.cumsum(diff, axis=1)[:, : n_months + 1]
    counted = left & (sep_type != "transfer")
    separations = np.zeros((n_units, n_months), dtype=np.int64)
    np.add.at(separations, (unit[counted], month_of_day[sep_all[counted]]), 1)

    ru, ro, rf = np.concatenate(req_u), np.concatenate(req_o), np.concatenate(req_f)
    rorder = np.lexsort((rf, ro, ru))
    return _Workforce(unit, role, case_carrying, hire_all, sep_all, sep_type, ru[rorder], ro[rorder], rf[rorder],
                      headcount, separations)


def _effect_mask(units: list[_Unit], n_months: int) -> np.ndarray:
    mask = np.zeros((len(units), n_months), dtype=bool)
    for i, u in enumerate(units):
        k = _month_index(u.effect_month)
        if k is not None:
            mask[i, k:] = True
    return mask


def _measures_long(rng: np.random.Generator, units: list[_Unit], wf: _Workforce, labels: np.ndarray):
    """Measures and positions as long tables (all units x months, before dropping missing months)."""
    n_units, n_months = wf.separations.shape
    on = _effect_mask(units, n_months)
    head = wf.headcount
    # turnover: separations (no transfers) / average of headcount on this 1st and next 1st
    t_num = wf.separations.astype(float)
    t_den = (head[:, :-1] + head[:, 1:]) / 2.0
    # supervision: binomial out of the staff employed on the 1st
    sup_p = np.array([u.supervision_pct for u in units])[:, None] / 100
    sup_d = np.array([u.supervision_points for u in units])[:, None] / 100
    p = np.clip(sup_p + sup_d * on + rng.normal(0, 0.04, (n_units, n_months)), 0.02, 0.98)
    s_den = head[:, :-1]
    s_num = rng.binomial(s_den, p)
    # vacancy: funded positions are the slots; filled = employed on the 1st
    funded = np.repeat(np.array([u.slots for u in units])[:, None], n_months, axis=1)
    filled = head[:, :-1]
    # well-being pulse: team mean of a 1-5 pulse (i chart); sampling noise shrinks with team size
    wb = np.array([u.wellbeing for u in units])[:, None] + np.array([u.wellbeing_points for u in units])[:, None] * on
    noise_sd = np.sqrt(0.05**2 + 0.5**2 / np.maximum(0.6 * head[:, :-1], 1))
    w_num = np.round(np.clip(wb + rng.normal(0, 1, (n_units, n_months)) * noise_sd, 1, 5), 2)

    ids = np.array([u.team_id for u in units])
    team = np.repeat(ids, n_months)
    period = np.tile(labels, n_units)
    frames = []
    for mid, num, den in [("turnover_rate", t_num, t_den), ("supervision", s_num, s_den),
                          ("vacancy_rate", funded - filled, funded), ("wellbeing_pulse", w_num, None)]:
        frames.append(pd.DataFrame({
            "team_id": team, "period": period, "measure_id": mid,
            "numerator": num.ravel().astype(float),
            "denominator": np.full(team.size, np.nan) if den is None else den.ravel().astype(float),
        }))
    measures = pd.concat(frames, ignore_index=True)
    positions = pd.DataFrame({"team_id": team, "period": period, "funded_positions": funded.ravel(),
                              "filled_positions": filled.ravel()})
    return measures, positions


def _drop_missing_months(df: pd.DataFrame, units: list[_Unit]) -> pd.DataFrame:
    drop = np.zeros(len(df), dtype=bool)
    for u in units:
        if u.missing_months:
            drop |= (df["team_id"] == u.team_id).to_numpy() & df["period"].isin(u.missing_months).to_numpy()
    return df.loc[~drop].reset_index(drop=True)


def _sort_measures(measures: pd.DataFrame, units: list[_Unit]) -> pd.DataFrame:
    order = {u.team_id: i for i, u in enumerate(units)}
    morder = {m: i for i, m in enumerate(MEASURE_IDS)}
    key = measures["team_id"].map(order) * 10_000_000 + measures["measure_id"].map(morder) * 100_000
    out = measures.assign(_k=key.to_numpy()).sort_values(["_k", "period"], kind="stable").drop(columns="_k")
    out = out.reset_index(drop=True)
    out["numerator"] = _num(out["numerator"])
    out["denominator"] = _num(out["denominator"])
    return out


def _roster_frame(units: list[_Unit], wf: _Workforce, day0) -> pd.DataFrame:
    ids = np.array([u.team_id for u in units])
    width = max(6, len(str(wf.unit.size)))
    left = wf.sep >= 0
    return pd.DataFrame({
        "team_id": ids[wf.unit],
        "staff_key": np.char.add("s", np.char.zfill(np.arange(1, wf.unit.size + 1).astype(str), width)),
        "role": wf.role,
        "case_carrying": np.where(wf.case_carrying, "true", "false"),
        "hire_date": _iso(day0, wf.hire),
        "separation_date": _iso_or_blank(day0, wf.sep, left),
        "separation_type": wf.sep_type,
    })


def _requisitions_frame(units: list[_Unit], wf: _Workforce, day0) -> pd.DataFrame:
    ids = np.array([u.team_id for u in units])
    n = wf.req_unit.size
    width = max(5, len(str(n)))
    return pd.DataFrame({
        "team_id": ids[wf.req_unit],
        "requisition_id": np.char.add("req-", np.char.zfill(np.arange(1, n + 1).astype(str), width)),
        "opened": _iso(day0, wf.req_opened),
        "filled": _iso_or_blank(day0, wf.req_filled, wf.req_filled >= 0),
    })


def _teams_frame(units: list[_Unit]) -> pd.DataFrame:
    return pd.DataFrame({
        "team_id": [u.team_id for u in units], "team_name": [u.team_name for u in units],
        "team_type": [u.team_type for u in units], "role": [u.role for u in units],
        "region": [u.region for u in units], "country": [u.country for u in units],
        "start_month": [u.start_month or "" for u in units],
    })


# ---------------------------------------------------------------------------------------
# Survey, PDSA, events, assessments (collaborative teams)
# ---------------------------------------------------------------------------------------
def _quantise_cbi(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x / 25.0) * 25.0, 0, 100)


def _survey_frame(rng, units: list[_Unit], wf: _Workforce, day0) -> pd.DataFrame:
    frames = []
    rid = 0
    for wave, fielded in enumerate(SURVEY_FIELDED, start=1):
        d = int((np.datetime64(fielded) - day0).astype(int))
        for i, u in enumerate(units):
            if u.country != "us":
                continue
            employed = (wf.unit == i) & (wf.hire <= d) & ((wf.sep < 0) | (wf.sep >= d))
            n = int(rng.binomial(employed.sum(), u.response_rate))
            if n == 0:
                continue
            eff = 0.0
            if u.effect_month is not None and fielded[:7] >= u.effect_month:
                # effects build up: about half at the first survey after the effect month, full a year on
                months_on = _month_index(fielded[:7]) - _month_index(u.effect_month)
                eff = u.burnout_points * min(1.0, 0.5 + months_on / 24)
            latent = rng.normal(u.burnout + eff, 14.0, n)
            items = _quantise_cbi(latent[:, None] + rng.normal(0, 14.0, (n, 7)) + np.array([4, 2, 0, -3, 6, -5, 0]))
            items[:, 6] = 100 - items[:, 6]  # item 7 is reverse-keyed: the raw answer is stored
            itl = np.clip(np.round(2.6 + (latent[:, None] - 50) / 18 + rng.normal(0, 0.8, (n, 3))), 1, 5)
            answers = np.hstack([items, itl])
            answers[rng.random(answers.shape) < 0.015] = np.nan  # a few skipped items
            df = pd.DataFrame(answers, columns=TABLE_COLUMNS["survey"][4:])
            df.insert(0, "response_id", [f"r{wave}-{rid + j:05d}" for j in range(1, n + 1)])
            rid += n
            df.insert(0, "fielded", fielded)
            df.insert(0, "wave", wave)
            df.insert(0, "team_id", u.team_id)
            frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    for col in TABLE_COLUMNS["survey"][4:]:
        out[col] = _num(out[col])
    return out


_CHANGE_IDEAS = {
    "protection-from-harm": ("Physical and psychological safety",
                             ["Peer debrief within 48 hours of a critical incident",
                              "Safety check-in call before evening home visits",
                              "Secondary traumatic stress screening in supervision"]),
    "connection-and-community": ("Social support and belonging",
                                 ["Monthly team talking circle", "Buddy pairs for new caseworkers",
                                  "Shared cultural lunch with elders"]),
    "work-life-harmony": ("Flexibility and autonomy",
                          ["Protected no-meeting Friday afternoons", "Flexible start times for field staff",
                           "Caseload cap for workers in their first 6 months"]),
    "mattering-at-work": ("Recognition and dignity",
                          ["Reflective supervision for every caseworker every month",
                           "Weekly recognition shout-outs at unit meeting", "Director listening sessions"]),
    "opportunity-for-growth": ("Learning and career pathways",
                               ["Stay interviews at 6 months of tenure", "Individual development plans",
                                "Mentoring for aspiring supervisors"]),
}
_ESSENTIAL_MEASURE = {"protection-from-harm": "turnover_rate", "connection-and-community": "wellbeing_pulse",
                      "work-life-harmony": "wellbeing_pulse", "mattering-at-work": "supervision",
                      "opportunity-for-growth": "vacancy_rate"}


def _pdsa_frame(rng, units: list[_Unit], day0, end_day: int) -> pd.DataFrame:
    rows = []
    pid = rid = 0
    for u in units:
        if u.role != "participant":
            continue
        improved = u.effect_month is not None and u.hazard_ratio < 1
        n_ramps = 4 if improved else (1 if u.slots < 10 or u.hazard_ratio > 1 else int(rng.integers(2, 4)))
        essentials = rng.permutation(ESSENTIALS)[:n_ramps]
        if improved:  # the improving teams all worked on reflective supervision
            essentials[0] = "mattering-at-work"
        start = int((np.datetime64(u.start_month, "M").astype("datetime64[D]") - day0).astype(int))
        for r, ess in enumerate(essentials):
            rid += 1
            driver, ideas = _CHANGE_IDEAS[ess]
            idea = ideas[0] if (improved and r == 0) else ideas[int(rng.integers(0, len(ideas)))]
            measure = _ESSENTIAL_MEASURE[ess] if rng.random() < 0.85 else ""
            d = start + int(rng.integers(5, 40)) + r * int(rng.integers(45, 120))
            n_cycles = int(rng.integers(3, 6)) if improved else int(rng.integers(2, 5))
            for c in range(n_cycles):
                if d > end_day - 10:
                    break
                pid += 1
                length = int(rng.integers(14, 43))
                end = d + length
                last = c == n_cycles - 1
                if end > end_day:
                    decision, end_txt = "ongoing", ""
                else:
                    if last:
                        decision = "adopt" if (improved or rng.random() < 0.5) else "abandon"
                    else:
                        decision = "adapt" if rng.random() < 0.75 else "adopt"
                    end_txt = str(day0 + np.timedelta64(end, "D"))
                scale = ["one worker", "one unit", "two units", "the whole team", "the whole team"][min(c, 4)]
                prediction = "" if rng.random() < 0.2 else f"{idea} with {scale} will move {measure or 'staff morale'} in the intended direction"
                rows.append({"team_id": u.team_id, "pdsa_id": f"pdsa-{pid:03d}", "ramp_id": f"ramp-{rid:02d}",
                             "change_idea": f"{idea} ({scale})", "essential": ess, "driver": driver,
                             "start_date": str(day0 + np.timedelta64(d, "D")), "end_date": end_txt,
                             "prediction": prediction, "decision": decision, "measure_id": measure})
                d = end + int(rng.integers(3, 22))
    return pd.DataFrame(rows, columns=TABLE_COLUMNS["pdsa"])


def _events_frame(units: list[_Unit]) -> pd.DataFrame:
    rows = [{"team_id": "", "date": d, "label": f"Learning Session {i}", "kind": "learning_session"}
            for i, d in enumerate(LEARNING_SESSIONS, start=1)]
    for u in units:
        if u.role == "participant" and u.effect_month and u.hazard_ratio < 1:
            rows.append({"team_id": u.team_id, "date": f"{u.effect_month}-01",
                         "label": "Reflective supervision for all caseworkers began", "kind": "change"})
            rows.append({"team_id": u.team_id, "date": f"{u.effect_month[:4]}-{int(u.effect_month[5:]) + 2:02d}-15",
                         "label": "Hiring panel with fast-track offers adopted", "kind": "change"})
        if u.hazard_ratio > 1:
            rows.append({"team_id": u.team_id, "date": f"{u.effect_month}-01",
                         "label": "Hiring freeze & caseload increase after budget cut", "kind": "other"})
        if u.missing_months:
            rows.append({"team_id": u.team_id, "date": "2023-07-05",
                         "label": "Records system migration: monthly reports paused", "kind": "other"})
    rows += [{"team_id": "prairie-harbor", "date": "2023-06-12", "label": "Monthly team talking circle started",
              "kind": "change"},
             {"team_id": "mesa-southeast", "date": "2024-02-01", "label": "New regional director", "kind": "other"},
             {"team_id": "red-willow-nation", "date": "2023-09-18", "label": "Elders' lunch became monthly",
              "kind": "change"}]
    return pd.DataFrame(rows, columns=TABLE_COLUMNS["events"]).sort_values(["date", "team_id"], kind="stable")


def _assessments_frame(rng, units: list[_Unit], labels: np.ndarray) -> pd.DataFrame:
    rows = []
    bimonthly = {"red-willow-nation", "mesa-southeast", "north-lake-band-east"}
    for u in units:
        if u.role != "participant":
            continue
        k0 = _month_index(u.start_month)
        ks = np.arange(k0, labels.size, 2 if u.team_id in bimonthly else 1)
        improved = u.effect_month is not None and u.hazard_ratio < 1
        final = 4.0 if improved else (1.5 if u.hazard_ratio > 1 else float(rng.choice([2.0, 2.5])))
        frac = (ks - k0) / max(labels.size - 1 - k0, 1)
        if u.hazard_ratio > 1:  # the deteriorating team stalls after a first step
            frac = np.minimum(frac * 3, 1.0)
        faculty = np.maximum.accumulate(np.round((1.0 + (final - 1.0) * frac + rng.normal(0, 0.2, ks.size)) * 2) / 2)
        faculty = np.clip(faculty, 0.5, 5.0)
        faculty[-1] = max(faculty[-1], final) if improved else faculty[-1]
        self_ = np.clip(faculty + np.where(rng.random(ks.size) < 0.6, 0.5, 0.0), 0.5, 5.0)
        for rater, score in (("faculty", faculty), ("self", self_)):
            rows += [{"team_id": u.team_id, "period": labels[k], "rater": rater, "score": s}
                     for k, s in zip(ks, score)]
    out = pd.DataFrame(rows, columns=TABLE_COLUMNS["assessments"])
    out["score"] = _num(out["score"])
    return out


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
    from evalkit import _demo_jurisdictions as jur

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
        "survey": _survey_frame(rng, units, wf, day0),
        "pdsa": _pdsa_frame(rng, units, day0, end_day),
        "events": _events_frame(units),
        "assessments": _assessments_frame(rng, units, labels),
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
        ``teams.csv``, ``roster.csv``, ``positions.csv``, ``measures.csv`` and ``TRUTH.json``.

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
    return paths + [tpath]

