"""Workforce simulation behind the demo data (helper of :mod:`evalkit.demo.generate`; SYNTHETIC).

Slots (funded positions) are held by chains of incumbents; separations follow a monthly
hazard turned into a daily rate and drawn by inverting the cumulative hazard for everybody
at once (one ``searchsorted``); vacancies stay open for a gamma-distributed time to fill.
Headcounts on the 1st of each month come from difference arrays over people. The only
Python loop is over incumbent generations of the slots (a handful), never over people or
months. See :mod:`evalkit.demo.generate` for the units and their true effects.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

FIRST_MONTH = "2022-01"
MEASURE_IDS = ["turnover_rate", "supervision", "vacancy_rate", "wellbeing_pulse"]
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


#: Lag-one autocorrelation of the supervision noise.
SUPERVISION_AR1 = 0.5


def _ar1(white: np.ndarray, rho: float) -> np.ndarray:
    """AR(1) series along the last axis from white noise, with the white noise's marginal variance."""
    out = np.empty_like(white)
    out[..., 0] = white[..., 0]
    scale = np.sqrt(1 - rho * rho)
    for k in range(1, white.shape[-1]):
        out[..., k] = rho * out[..., k - 1] + scale * white[..., k]
    return out


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
    # month-to-month noise is autocorrelated (AR(1), rho 0.5, marginal sd 0.04): a good or bad
    # stretch in supervision coverage lasts a few months, as staffing gaps do
    p = np.clip(sup_p + sup_d * on + _ar1(rng.normal(0, 0.04, (n_units, n_months)), SUPERVISION_AR1), 0.02, 0.98)
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
