"""Survey scoring and per-team, per-wave summaries (burnout, intent to leave).

Scoring is driven by an *instrument definition*: any object or mapping with the
fields ``label, items, reverse, response_min, response_max, score ("mean"|"sum"),
min_items, cutoff, cutoff_label, higher_is ("better"|"worse"), subscales`` — a
plain dict, the frozen :class:`Instrument` below, or the pydantic models of
:mod:`evalkit.inputs.params`. No instrument item wording is shipped, only scoring keys.

Survey table columns: team_id, wave, fielded, response_id, then the item columns.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evalkit.workforce._common import _result_html
from evalkit.errors import DataError, ParamsError
from evalkit.intervals import t_interval, wilson_interval
from evalkit.privacy import HIDDEN_COUNT

__all__ = [
    "Instrument",
    "CBI_WORK",
    "INTENT_TO_LEAVE",
    "SurveySummary",
    "score_survey",
    "summarise_survey",
    "suppressed_summary",
    "cronbach_alpha",
]


@dataclass(frozen=True)
class Instrument:
    """Scoring key of a survey scale (no item wording).

    Attributes
    ----------
    label : str
    items : tuple of str
        Item columns in the survey table.
    reverse : tuple of str
        Reverse-keyed items: scored as ``response_min + response_max − answer``.
    response_min, response_max : float
        Range of the coded answers.
    score : {"mean", "sum"}
        Scale score: mean of answered items, or sum prorated to all items.
    min_items : int
        Fewest answered items for a score (fewer → missing).
    cutoff : float or None
        Threshold; ``score >= cutoff`` counts as "at or above".
    cutoff_label : str
    higher_is : {"better", "worse"}
    subscales : mapping of name -> tuple of item columns
    """

    label: str
    items: tuple[str, ...]
    reverse: tuple[str, ...] = ()
    response_min: float = 1.0
    response_max: float = 5.0
    score: str = "mean"
    min_items: int = 1
    cutoff: float | None = None
    cutoff_label: str = ""
    higher_is: str = "worse"
    subscales: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


#: Copenhagen Burnout Inventory, work-related burnout scale (Kristensen, Borritz, Villadsen &
#: Christensen 2005, Work & Stress 19:192–207; PUMA questionnaire scoring key): 7 items coded
#: 100/75/50/25/0, the 7th ("energy for family and friends") reverse-scored, scale score = mean
#: of the items answered, non-responder if fewer than 4 answered; "high burnout" = score >= 50
#: (Borritz & Kristensen 2004 normative data).
CBI_WORK = Instrument(
    label="Work-related burnout (Copenhagen Burnout Inventory)",
    items=tuple(f"cbi_work_{i}" for i in range(1, 8)),
    reverse=("cbi_work_7",),
    response_min=0.0, response_max=100.0, score="mean", min_items=4,
    cutoff=50.0, cutoff_label="burnout (score ≥ 50)", higher_is="worse",
)

#: Intent to leave: three 1–5 agreement items (1 = strongly disagree … 5 = strongly agree),
#: mean of answered items with at least 2 answered; "intends to leave" = mean ≥ 4 (agree).
INTENT_TO_LEAVE = Instrument(
    label="Intent to leave",
    items=("itl_1", "itl_2", "itl_3"),
    response_min=1.0, response_max=5.0, score="mean", min_items=2,
    cutoff=4.0, cutoff_label="intends to leave (mean ≥ 4)", higher_is="worse",
)


def _get(instr, name: str, default=None):
    if isinstance(instr, Mapping):
        return instr.get(name, default)
    return getattr(instr, name, default)


def _spec(instr) -> dict[str, Any]:
    """Read an instrument definition from a mapping or an object with attributes."""
    items = list(_get(instr, "items", None) or [])
    if not items:
        raise ParamsError("instrument: 'items' must list at least one item column")
    spec = {
        "label": str(_get(instr, "label", "") or "scale"),
        "items": items,
        "reverse": list(_get(instr, "reverse", None) or []),
        "response_min": float(_get(instr, "response_min", 1)),
        "response_max": float(_get(instr, "response_max", 5)),
        "score": str(_get(instr, "score", "mean")),
        "min_items": int(_get(instr, "min_items", 1) or 1),
        "cutoff": _get(instr, "cutoff", None),
        "cutoff_label": str(_get(instr, "cutoff_label", "") or ""),
        "higher_is": str(_get(instr, "higher_is", "worse")),
        "subscales": dict(_get(instr, "subscales", None) or {}),
    }
    if spec["score"] not in ("mean", "sum"):
        raise ParamsError(f"instrument {spec['label']}: score must be mean or sum, got {spec['score']!r}")
    if not set(spec["reverse"]) <= set(items):
        raise ParamsError(f"instrument {spec['label']}: reverse items must also be listed in items")
    if not 1 <= spec["min_items"] <= len(items):
        raise ParamsError(f"instrument {spec['label']}: min_items must be between 1 and {len(items)}")
    if spec["response_max"] <= spec["response_min"]:
        raise ParamsError(f"instrument {spec['label']}: response_max must be above response_min")
    for name, sub in spec["subscales"].items():
        sub_items = list(sub if isinstance(sub, (list, tuple)) else (_get(sub, "items") or []))
        if not sub_items or not set(sub_items) <= set(items):
            raise ParamsError(f"instrument {spec['label']}: subscale {name} must list items of the instrument")
        spec["subscales"][name] = sub_items
    return spec


# --------------------------------------------------------------------------- statistics
def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of the item columns, on complete answers (listwise).

    alpha = k/(k−1) · (1 − Σ var(item) / var(total)), variances with ddof=1
    (Cronbach 1951). NaN with fewer than 2 items or 2 complete answers, or
    zero total variance.
    """
    x = items.dropna().to_numpy(dtype=float)
    k = x.shape[1]
    if k < 2 or x.shape[0] < 2:
        return float("nan")
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total_var))


# --------------------------------------------------------------------------- scoring
def _score_matrix(x: np.ndarray, n_total: int, min_items: int, how: str) -> tuple[np.ndarray, np.ndarray]:
    answered = (~np.isnan(x)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(x, axis=1) / answered
    score = mean if how == "mean" else mean * n_total  # sum prorated: sum × k / answered
    return np.where(answered >= min_items, score, np.nan), answered


def score_survey(survey: pd.DataFrame, instrument, *, name: str | None = None) -> pd.DataFrame:
    """Score each response on an instrument (and its subscales).

    Parameters
    ----------
    survey : DataFrame
        Survey table with the instrument's item columns.
    instrument : mapping or object
        Instrument definition (see module docstring).
    name : str, optional
        Scale name used in the ``scale`` column (default: the label).

    Returns
    -------
    DataFrame
        One row per response × scale (the instrument, then each subscale): the
        survey's non-item columns (team_id, wave, fielded, response_id …), ``scale``,
        ``n_answered``, ``score`` (NaN when fewer than min_items answered; subscales
        need ceil(min_items × subscale items / items)), ``at_or_above_cutoff``
        (float 1/0, NaN when unscored or no cut-off). Person-level: do not report
        without :func:`summarise_survey` and suppression.

    Raises
    ------
    DataError
        An item column is missing, or an answer lies outside the response range.

    Notes
    -----
    Reverse-keyed items: answer' = response_min + response_max − answer. Mean
    scoring = mean of answered items; sum scoring is prorated: Σ answered × k / answered.
    """
    spec = _spec(instrument)
    missing = [c for c in spec["items"] if c not in survey.columns]
    if missing:
        raise DataError(f"survey table: item column(s) {', '.join(missing)} missing for {spec['label']}")
    x = np.array(survey[spec["items"]].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float), copy=True)
    bad = ~np.isnan(x) & ((x < spec["response_min"]) | (x > spec["response_max"]))
    if bad.any():
        r, c = (int(v[0]) for v in np.nonzero(bad))
        raise DataError(
            f"survey row {r + 2}, column {spec['items'][c]}: {x[r, c]:g} is outside "
            f"{spec['response_min']:g}–{spec['response_max']:g}; fix the coding"
        )
    rev = np.isin(spec["items"], spec["reverse"])
    x[:, rev] = spec["response_min"] + spec["response_max"] - x[:, rev]
    keep = [c for c in survey.columns if c not in spec["items"]]
    scales = {name or spec["label"]: (spec["items"], spec["min_items"])}
    for sub, sub_items in spec["subscales"].items():
        scales[sub] = (sub_items, math.ceil(spec["min_items"] * len(sub_items) / len(spec["items"])))
    frames = []
    for scale, (items, min_items) in scales.items():  # a few scales, not people
        cols = [spec["items"].index(i) for i in items]
        score, answered = _score_matrix(x[:, cols], len(items), min_items, spec["score"])
        f = survey[keep].reset_index(drop=True).copy()
        f["scale"] = scale
        f["n_answered"] = answered
        f["score"] = score
        if spec["cutoff"] is None:
            f["at_or_above_cutoff"] = np.nan
        else:
            f["at_or_above_cutoff"] = np.where(np.isnan(score), np.nan, (score >= float(spec["cutoff"])).astype(float))
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- summaries
@dataclass(frozen=True)
class SurveySummary:
    """Per team × wave × scale survey summary, with the definition and settings used."""

    table: pd.DataFrame
    definition: str
    settings: dict[str, Any] = field(default_factory=dict)

    def _repr_html_(self) -> str:
        # groups under 5 respondents hidden, as in reports; ``.table`` keeps the exact numbers
        return _result_html("survey summary", self.definition, suppressed_summary(self))


def _staff_on(roster: pd.DataFrame, keys: pd.DataFrame) -> np.ndarray:
    """Staff employed on each key row's ``fielded`` date in its team."""
    r = roster[["team_id", "hire_date", "separation_date"]].assign(team_id=roster["team_id"].astype(str))
    k = keys[["team_id", "fielded"]].assign(team_id=keys["team_id"].astype(str), _row=np.arange(len(keys)))
    j = k.merge(r, on="team_id", how="inner")
    d = pd.to_datetime(j["fielded"])
    on = (pd.to_datetime(j["hire_date"]) <= d) & (j["separation_date"].isna() | (pd.to_datetime(j["separation_date"]) >= d))
    return np.bincount(j["_row"].to_numpy()[on.to_numpy()], minlength=len(keys))


def _cutoff_words(label, cutoff) -> str:
    """'burnout (score ≥ 50)': the label once, the threshold once (labels may already state it)."""
    threshold = f"score ≥ {cutoff:g}"
    if not label:
        return threshold
    return str(label) if "≥" in str(label) or f"{cutoff:g}" in str(label) else f"{label} ({threshold})"


def _item_words(items, reverse) -> str:
    """Reverse-scored items by their number in the scale ('item 7'), not their column names."""
    order = {name: i + 1 for i, name in enumerate(items)}
    numbers = [order[r] for r in reverse if r in order]
    if not numbers:
        return f"{len(reverse)} item{'s' if len(reverse) != 1 else ''}"
    return ("item " if len(numbers) == 1 else "items ") + ", ".join(str(n) for n in sorted(numbers))


def summarise_survey(
    survey: pd.DataFrame,
    instrument,
    roster: pd.DataFrame | None = None,
    *,
    name: str | None = None,
    by: tuple[str, ...] = ("team_id", "wave"),
    alpha: float = 0.05,
) -> SurveySummary:
    """Per team and wave: respondents, response rate, mean with t CI, % at/above cut-off, alpha.

    Parameters
    ----------
    survey : DataFrame
        team_id, wave, fielded, response_id and the item columns.
    instrument : mapping or object
        Instrument definition (see module docstring).
    roster : DataFrame, optional
        For the response rate denominator: staff employed in the team on the wave's
        fielded date (earliest ``fielded`` of the team × wave). Without it the
        response rate is NaN.
    name : str, optional
        Scale name (default: the instrument label).
    by : tuple of str, default ("team_id", "wave")
    alpha : float, default 0.05

    Returns
    -------
    SurveySummary
        ``table`` columns: the ``by`` columns, ``scale``, ``fielded``, ``n_respondents``
        (responses in the group), ``n_scored`` (responses with a score), ``staff_employed``,
        ``response_rate`` (% = n_respondents / staff_employed × 100), ``mean``, ``sd``,
        ``ci_lower``, ``ci_upper`` (t interval), ``n_at_or_above_cutoff``,
        ``pct_at_or_above_cutoff``, ``pct_ci_lower``, ``pct_ci_upper`` (Wilson, %),
        ``cronbach_alpha`` (items of the scale, complete answers, reverse-scored).

    Notes
    -----
    Mean CI: x̄ ± t_{n−1,0.975}·s/√n. Proportion CI: Wilson (1927). Internal
    consistency: Cronbach (1951). Groups of fewer than 5 respondents must be
    suppressed before reporting (:mod:`evalkit.privacy`).
    """
    spec = _spec(instrument)
    by = list(by)
    missing = [c for c in by if c not in survey.columns]
    if missing:
        raise DataError(f"survey table: column(s) {', '.join(missing)} missing")
    scored = score_survey(survey, instrument, name=name)
    grp = scored.groupby(by + ["scale"], sort=True, dropna=False)
    out = grp.agg(n_respondents=("score", "size"), n_scored=("score", "count"), mean=("score", "mean"),
                  sd=("score", "std"), n_at_or_above_cutoff=("at_or_above_cutoff", "sum")).reset_index()
    if "fielded" in scored.columns:
        out.insert(len(by) + 1, "fielded", grp["fielded"].min().to_numpy())
    else:
        out.insert(len(by) + 1, "fielded", pd.NaT)
    if roster is not None and "team_id" in by and "fielded" in scored.columns:
        out["staff_employed"] = _staff_on(roster, out).astype(float)
    else:
        out["staff_employed"] = np.nan
    out["response_rate"] = out["n_respondents"] / out["staff_employed"].where(out["staff_employed"] > 0) * 100.0
    lo, hi = t_interval(out["mean"], out["sd"], out["n_scored"], conf_level=1 - alpha)
    out["ci_lower"], out["ci_upper"] = lo, hi
    if spec["cutoff"] is None:
        out["n_at_or_above_cutoff"] = np.nan
    out["pct_at_or_above_cutoff"] = out["n_at_or_above_cutoff"] / out["n_scored"].where(out["n_scored"] > 0) * 100.0
    wl, wu = wilson_interval(out["n_at_or_above_cutoff"], out["n_scored"], conf_level=1 - alpha)
    out["pct_ci_lower"], out["pct_ci_upper"] = wl * 100.0, wu * 100.0
    out["cronbach_alpha"] = _alpha_by_group(survey, spec, by, out, name)
    cols = by + ["scale", "fielded", "n_respondents", "n_scored", "staff_employed", "response_rate", "mean", "sd",
                 "ci_lower", "ci_upper", "n_at_or_above_cutoff", "pct_at_or_above_cutoff", "pct_ci_lower",
                 "pct_ci_upper", "cronbach_alpha"]
    cut = "" if spec["cutoff"] is None else f" Cut-off: {_cutoff_words(spec['cutoff_label'], spec['cutoff'])}."
    definition = (
        f"{spec['label']}: {'mean' if spec['score'] == 'mean' else 'prorated sum'} of the items answered "
        f"({len(spec['items'])} items, answers {spec['response_min']:g}–{spec['response_max']:g}"
        f"{', reverse-scored: ' + _item_words(spec['items'], spec['reverse']) if spec['reverse'] else ''}; at least "
        f"{spec['min_items']} answered), higher is {spec['higher_is']}.{cut} Response rate = respondents ÷ staff "
        f"employed on the date the wave opened. Mean with 95% t interval; share at or above the cut-off with "
        f"Wilson (1927) interval; internal consistency = Cronbach's alpha (1951)."
    )
    return SurveySummary(out[cols], definition, {"by": by, "alpha": alpha, "instrument": spec})


def _alpha_by_group(survey, spec, by, out, name) -> np.ndarray:
    """Cronbach's alpha per group × scale, vectorised over groups with groupby variances."""
    x = survey[spec["items"]].apply(pd.to_numeric, errors="coerce").astype(float)
    rev = spec["reverse"]
    x[rev] = spec["response_min"] + spec["response_max"] - x[rev]
    scales = {name or spec["label"]: spec["items"], **spec["subscales"]}
    res = pd.Series(np.nan, index=pd.MultiIndex.from_frame(out[by + ["scale"]]))
    for scale, items in scales.items():  # a few scales
        k = len(items)
        if k < 2:
            continue
        sub = x[items]
        complete = sub.notna().all(axis=1)
        keys = survey.loc[complete, by].reset_index(drop=True)
        sub = sub[complete].reset_index(drop=True)
        frame = pd.concat([keys, sub, sub.sum(axis=1).rename("_total")], axis=1)
        g = frame.groupby(by, sort=True, dropna=False)
        var = g[items + ["_total"]].var(ddof=1)
        cnt = g.size()
        a = k / (k - 1) * (1 - var[items].sum(axis=1) / var["_total"])
        a = a.where((cnt >= 2) & (var["_total"] > 0))
        idx = pd.MultiIndex.from_frame(a.index.to_frame(index=False).assign(scale=scale))
        res.loc[res.index.intersection(idx)] = pd.Series(a.to_numpy(), index=idx).loc[res.index.intersection(idx)]
    return res.to_numpy(dtype=float)


def suppressed_summary(summary: SurveySummary, *, threshold: int = 5, staff_threshold: int = 10) -> pd.DataFrame:
    """The survey summary ready for a report: groups under ``threshold`` respondents hidden.

    Parameters
    ----------
    summary : SurveySummary
    threshold : int, default 5
        Smallest number of respondents shown (params ``suppression.min_respondents``).
    staff_threshold : int, default 10
        Smallest number of staff shown (params ``suppression.min_count``): the staff
        employed on the fielding date is a count of people like any other.

    Returns
    -------
    DataFrame
        Display table (:func:`evalkit.privacy.suppress_counts`): ``n_respondents`` and
        ``n_scored`` below the threshold read "hidden" and every figure computed from the
        group (response rate, mean, CI, alpha, % at/above the cut-off) reads "suppressed";
        the count at or above the cut-off is hidden when it, or the count below the cut-off
        (n_scored − n_at_or_above_cutoff), is 1..threshold−1, with its percentage.
        ``staff_employed`` under ``staff_threshold`` reads "hidden", and the response rate
        with it (respondents ÷ rate would reveal the staff count).
    """
    from evalkit.privacy import suppress_counts

    group = ["n_respondents", "n_scored"]
    rates = {c: group for c in ("response_rate", "mean", "sd", "ci_lower", "ci_upper", "cronbach_alpha")}
    rates.update({c: group + ["n_at_or_above_cutoff"] for c in ("pct_at_or_above_cutoff", "pct_ci_lower", "pct_ci_upper")})
    t = summary.table
    shown = suppress_counts(t, group + ["n_at_or_above_cutoff"], threshold=threshold, rate_cols=rates)
    if {"n_scored", "n_at_or_above_cutoff"} <= set(t.columns):
        # the count below the cut-off is n_scored − n_at_or_above_cutoff: hide the share when it is small
        below = (pd.to_numeric(t["n_scored"], errors="coerce")
                 - pd.to_numeric(t["n_at_or_above_cutoff"], errors="coerce")).to_numpy()
        small = (below > 0) & (below < threshold)
        for col, text in (("n_at_or_above_cutoff", HIDDEN_COUNT), ("pct_at_or_above_cutoff", "suppressed"),
                          ("pct_ci_lower", "suppressed"), ("pct_ci_upper", "suppressed")):
            if col in shown:
                keep = ~small | shown[col].map(lambda v: isinstance(v, str)).to_numpy(bool)
                shown[col] = shown[col].astype(object).where(keep, text)
    if "staff_employed" in shown:
        staff = pd.to_numeric(summary.table["staff_employed"], errors="coerce").to_numpy()
        small = (staff > 0) & (staff < staff_threshold)
        for col, text in (("staff_employed", HIDDEN_COUNT), ("response_rate", "suppressed")):
            if col in shown:
                shown[col] = shown[col].astype(object).where(~small, text)
    return shown
