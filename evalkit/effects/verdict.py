"""The verdict on a team's measure: the one function every report, badge and board calls.

A team report's summary box, the index badges, the manifest and the collaborative board all
show what :func:`judge_measures` decides, so they cannot disagree. The answer is a code from
a fixed vocabulary (:data:`VERDICTS`); the words a reviewer reads come from
:data:`VERDICT_WORDS`, the badge colour from :data:`VERDICT_TONES`. Nothing downstream parses
English.

Three designs give evidence on each team × measure:

1. **Comparison-adjusted effect** (the headline where comparison units exist): the
   imputation difference-in-differences of :mod:`evalkit.effects.imputation`, which removes
   what all units share (secular trend, season) and suits staggered starts.
2. **Sustained shift on the run/control chart**: a run beyond the rule's limit lying mostly
   after the baseline (:func:`evalkit.spc.verdicts.sustained_shift`). Points outside the
   limits on their own are "unusual months" to look into, never a verdict.
3. **Interrupted time series** of the team alone, where the caller supplies it.

How they combine (:func:`combine_evidence`): the headline design's interval decides
improved / deteriorated / no change; a design that points significantly the *other* way
makes it ``mixed``; with the headline showing no change, the chart and the team's own
trend both pointing the same way is also ``mixed`` (the team changed, but the comparison
units changed as much). ``benchmarks/calibration.py`` measures the rates on generated data.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evalkit.effects.panel import month_start, series_by_team, spec_value
from evalkit.inputs.schema import RATE_CHARTS

__all__ = ["VERDICTS", "VERDICT_WORDS", "VERDICT_TONES", "MeasureVerdict", "Judgement", "measure_verdict",
           "judge_measures", "combine_evidence", "prime_chart", "unusual_months_text", "RATE_CHARTS_WITH_DENOMINATOR",
           "MIN_BASELINE_POINTS", "LANEY_THRESHOLD", "FALSE_IMPROVED_RATE",
           "FALSE_DETERIORATED_RATE"]

#: The fixed vocabulary of a measure's verdict (DESIGN.md section 4).
VERDICTS = ("improved", "deteriorated", "no_change", "mixed", "too_little_data")

#: How a report words each verdict.
VERDICT_WORDS = {
    "improved": "improved",
    "deteriorated": "got worse",
    "no_change": "no clear change",
    "mixed": "mixed evidence",
    "too_little_data": "too little data",
}

#: Badge tone of each verdict on the index: good, bad, neutral or muted.
VERDICT_TONES = {"improved": "good", "deteriorated": "bad", "no_change": "neutral", "mixed": "neutral",
                 "too_little_data": "muted"}

#: Chart types whose denominators enter the chart: the data model's rate charts, and xbar
#: (whose denominator is the subgroup size).
RATE_CHARTS_WITH_DENOMINATOR = RATE_CHARTS + ("xbar",)

#: How often a team that truly did not change is judged improved / deteriorated by this method,
#: measured by ``python benchmarks/calibration.py --seeds 40`` on demo seeds 1-40 (1,120
#: no-change team x measures). The collaborative board uses them to say how many "improved" teams chance
#: alone would give; re-measure them whenever the verdict rule changes.
FALSE_IMPROVED_RATE = 0.026
FALSE_DETERIORATED_RATE = 0.028

#: Most unusual months a report lists by name (more are summarised).
MAX_UNUSUAL_LISTED = 3

#: Fewest baseline months with data that a verdict is judged against.
MIN_BASELINE_POINTS = 2

#: Laney's σz on the baseline above which a p or u chart is drawn as p′ / u′ (the ordinary
#: limits would be more than 50% too narrow: over-dispersion, common with large denominators).
LANEY_THRESHOLD = 1.5

_DESIGN_WORDS = {"comparison": "compared with the units that did not take part",
                 "its": "against the team's own trend before the start",
                 "chart": "on the run chart"}


@dataclass(frozen=True)
class MeasureVerdict:
    """The verdict on one team × measure.

    Attributes
    ----------
    measure_id, verdict, words : str
        ``verdict`` is one of :data:`VERDICTS`; ``words`` how a report says it.
    strength : str
        Plain words on how strong the evidence is (which designs agree, whether the
        interval excludes no change).
    sentence : str
        One sentence for the summary box (escaped by whoever renders it).
    headline : dict
        The headline effect: ``estimate, ci_low, ci_high, design, p_value`` and ``scale``
        ("difference" on the measure's scale, or "ratio" for a count or proportion model of the
        team's own trend); NaN / None when there is none.
    chart : evalkit.spc.QicResult or None
    shift : int
        +1 a sustained shift in the improvement direction, −1 the other way, 0 none.
    unusual_months : tuple of str
        Months (YYYY-MM) after the baseline outside the control limits.
    n_pre, n_post : int
    """

    measure_id: str
    verdict: str
    words: str
    strength: str
    sentence: str
    headline: dict
    chart: object
    shift: int
    unusual_months: tuple
    n_pre: int
    n_post: int


@dataclass(frozen=True)
class Judgement:
    """Verdicts of many teams × measures (see :func:`judge_measures`).

    ``verdicts`` has one row per unit × measure: ``team_id, role, measure_id, verdict,
    words, strength, sentence, estimate, ci_low, ci_high, p_value, design, shift,
    unusual_months, n_pre, n_post``. ``details`` maps ``(team_id, measure_id)`` to the
    :class:`MeasureVerdict` (with its chart); ``comparison`` maps measure_id to the
    :class:`evalkit.effects.imputation.ImputationResult`; ``base_rate`` has per measure
    how many comparison-unit charts show a sustained shift (``measure_id, n_charts,
    n_shift``).
    """

    verdicts: pd.DataFrame
    details: dict
    comparison: dict
    base_rate: pd.DataFrame
    settings: dict = field(default_factory=dict)

    def _repr_html_(self) -> str:
        return self.verdicts.drop(columns=["sentence"]).to_html(index=False, na_rep="–", escape=True)


def prime_chart(chart: str, numerator, denominator, baseline) -> str:
    """``pp``/``up`` (Laney) instead of ``p``/``u`` when the baseline is over-dispersed.

    Laney (2002), Qual Eng 14:531–537: z-scores of the baseline points against the
    binomial (p) or Poisson (u) limits should vary with σ = 1; σz = mean moving range of
    the z-scores / 1.128. With σz above :data:`LANEY_THRESHOLD` the ordinary limits are
    too narrow and every busy month looks special, so the prime chart (limits widened by
    σz, qicharts2 ``pp``/``up``) is used and the chart is named so.
    """
    if chart not in ("p", "u"):
        return chart
    y = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    b = np.asarray(baseline, dtype=bool) & np.isfinite(y) & np.isfinite(n) & (n > 0)
    if b.sum() < 4:
        return chart
    rate = y[b] / n[b]
    centre = y[b].sum() / n[b].sum()
    spread = centre * (1 - centre) if chart == "p" else centre
    if not spread > 0:
        return chart
    z = (rate - centre) / np.sqrt(spread / n[b])
    sigma_z = np.mean(np.abs(np.diff(z))) / 1.128
    return {"p": "pp", "u": "up"}[chart] if sigma_z > LANEY_THRESHOLD else chart


def _interval_sign(evidence, direction_sign: int, null: float = 0.0) -> int:
    """+1 the interval lies wholly on the improvement side of ``null``, −1 wholly on the other, 0 else."""
    if evidence is None or direction_sign == 0:
        return 0
    lo, hi = evidence.get("ci_low", np.nan), evidence.get("ci_high", np.nan)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return 0
    if lo > null:
        return direction_sign
    if hi < null:
        return -direction_sign
    return 0


def combine_evidence(*, headline_sign: int, headline_design: str | None, shift: int, its_sign: int | None,
                     estimable: bool, supported_sign: int = 0) -> tuple[str, str]:
    """The verdict and its strength in words, from the designs' signs (+1 better, −1 worse, 0 none).

    Parameters
    ----------
    headline_sign : int
        Sign of the headline's 95% interval (:func:`_interval_sign`).
    headline_design : {"comparison", "its"} or None
    shift : int
        The chart's sustained shift (+1 / −1 / 0).
    its_sign : int or None
        The team's own interrupted time series, when it is not the headline.
    estimable : bool
        Whether any effect could be estimated; without one the chart alone decides and
        says so.
    supported_sign : int
        Sign of the headline's 90% interval: with a sustained shift the same way on the
        chart, two designs agree and that decides (see Notes).

    Notes
    -----
    improved / deteriorated: the headline's 95% interval excludes no change, or its 90%
    interval does and the run chart shows a sustained shift the same way; ``mixed`` when
    another design points significantly the other way, or when the headline shows no
    change while the chart and the team's own trend agree on a change; otherwise
    ``no_change``. The rates on generated data are in benchmarks/calibration.py.

    Examples
    --------
    >>> combine_evidence(headline_sign=1, headline_design="comparison", shift=1, its_sign=0, estimable=True)[0]
    'improved'
    >>> combine_evidence(headline_sign=1, headline_design="comparison", shift=-1, its_sign=0, estimable=True)[0]
    'mixed'
    >>> combine_evidence(headline_sign=0, supported_sign=1, headline_design="comparison", shift=1, its_sign=None,
    ...                  estimable=True)[0]
    'improved'
    """
    word = {1: "better", -1: "worse"}
    if not estimable:
        if shift == 0:
            return "no_change", "only the run chart could be used: it shows no sustained shift"
        return ("improved" if shift > 0 else "deteriorated",
                f"only the run chart could be used (no effect could be estimated): a sustained shift for the "
                f"{word[shift]}; weak evidence on its own")
    design = _DESIGN_WORDS[headline_design]
    others = {"the run chart": shift}
    if its_sign is not None:
        others["the team's own trend"] = its_sign
    if headline_sign != 0:
        against = [name for name, s in others.items() if s == -headline_sign]
        agree = [name for name, s in others.items() if s == headline_sign]
        if against:
            return "mixed", (f"the interval excludes no change, but {' and '.join(against)} "
                             f"point{'s' if len(against) == 1 else ''} the other way")
        verdict = "improved" if headline_sign > 0 else "deteriorated"
        if agree:
            return verdict, (f"the interval excludes no change, and {' and '.join(agree)} "
                             f"agree{'s' if len(agree) == 1 else ''}")
        return verdict, "the interval excludes no change; the run chart shows no sustained shift"
    if supported_sign != 0 and shift == supported_sign and its_sign != -supported_sign:
        verdict = "improved" if supported_sign > 0 else "deteriorated"
        return verdict, ("two designs agree: the 90% interval excludes no change, and the run chart shows a "
                         "sustained shift the same way")
    moved = {name: s for name, s in others.items() if s != 0}
    if len(set(moved.values())) == 2:
        better = [n for n, s in moved.items() if s > 0]
        worse = [n for n, s in moved.items() if s < 0]
        return "mixed", (f"the designs disagree: {' and '.join(better)} show{'s' if len(better) == 1 else ''} a "
                         f"change for the better, {' and '.join(worse)} for the worse, and the interval "
                         "includes no change")
    if len(moved) >= 2 and len(set(moved.values())) == 1:
        s = next(iter(moved.values()))
        return "mixed", (f"{' and '.join(moved)} show a change for the {word[s]}, but {design} the interval "
                         f"includes no change (the comparison units changed too)")
    return "no_change", "the interval includes no change"


def _narrower(evidence, level: float):
    """The evidence's interval at another confidence level, from its std_error and df (None without them)."""
    from scipy import stats

    se, df = evidence.get("std_error", np.nan), evidence.get("df", np.nan)
    if not (np.isfinite(se) and se > 0):
        return None
    crit = stats.t.ppf(0.5 + level / 2, df) if np.isfinite(df) else stats.norm.ppf(0.5 + level / 2)
    est = evidence["estimate"]
    return {"ci_low": est - crit * se, "ci_high": est + crit * se}


def _unusual(result, shift_side: int) -> tuple:
    """Months after the baseline outside the limits, except those on the side of a sustained shift
    (they are the shift, already judged)."""
    from evalkit.spc.verdicts import unusual_points

    pts = unusual_points(result)
    if shift_side:
        pts = pts.loc[pts["side"] != shift_side]
    out = []
    for x in pts["x"]:
        try:
            out.append(pd.Timestamp(x).strftime("%Y-%m"))
        except (ValueError, TypeError):
            out.append(str(x))
    return tuple(out)


def unusual_months_text(months) -> str:
    """How a report mentions the months outside the limits: a prompt to look, never a verdict."""
    if not months:
        return ""
    if len(months) <= MAX_UNUSUAL_LISTED:
        s = "s" if len(months) > 1 else ""
        return f"unusual month{s} ({', '.join(months)}): worth looking into"
    return (f"{len(months)} months outside the control limits: the month-to-month variation is larger than "
            "the limits allow, so read single months with care")


def measure_verdict(series: pd.DataFrame, measure_id: str, *, chart: str, direction: str | None,
                    multiply: float = 1.0, target=None, start=None, method: str = "anhoej",
                    comparison: Mapping | None = None, its: Mapping | None = None) -> MeasureVerdict:
    """Chart one team's measure against its baseline and give the verdict.

    Parameters
    ----------
    series : DataFrame
        ``period``, ``numerator``, ``denominator`` of one team and measure
        (:func:`evalkit.effects.panel.team_series`); missing months stay gaps.
    measure_id : str
    chart : str
        qicharts2 chart type of the measure (p and u become p′/u′ on an over-dispersed
        baseline, see :func:`prime_chart`).
    direction : {"increase", "decrease", "neutral"} or None
    multiply : float
    target : float, optional
    start : month, optional
        The team's start; the months before it are the baseline.
    method : str
        Rule set (:data:`evalkit.spc.RULE_SETS`).
    comparison : mapping, optional
        The team's comparison-adjusted effect (a row of
        :attr:`evalkit.effects.imputation.ImputationResult.effects`): the headline.
    its : mapping, optional
        The team's own interrupted time series effect: ``estimate, ci_low, ci_high`` and
        ``null`` (0 for a difference, 1 for a ratio); the headline without ``comparison``.

    Returns
    -------
    MeasureVerdict
    """
    from evalkit.spc import qic
    from evalkit.spc.verdicts import sustained_shift

    nan_headline = {"estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan, "design": None,
                    "scale": None}
    if series.empty:
        return MeasureVerdict(measure_id, "too_little_data", "no data", "no data", "no data for this measure",
                              nan_headline, None, 0, (), 0, 0)
    start = month_start(start)
    period = pd.to_datetime(series["period"])
    observed = series["numerator"].notna().to_numpy()
    before = (period < start).to_numpy() if start is not None else np.zeros(len(series), bool)
    n_pre, n_post = int((before & observed).sum()), int((~before & observed).sum())
    n_base = int(before.sum())
    freeze = n_base if MIN_BASELINE_POINTS <= n_base < len(series) else None
    if chart in RATE_CHARTS_WITH_DENOMINATOR:
        denominator = series["denominator"].to_numpy(dtype=float)
        chart = prime_chart(chart, series["numerator"], denominator, before)
    else:
        denominator = None
    result = qic(series["numerator"].to_numpy(dtype=float), denominator, period.to_numpy(), chart=chart,
                 freeze=freeze, multiply=multiply, method=method, direction=direction, target=target)
    if freeze is None or n_pre < MIN_BASELINE_POINTS or n_post == 0:
        return MeasureVerdict(measure_id, "too_little_data", VERDICT_WORDS["too_little_data"], "",
                              "too few months with data before or after the start to judge", nan_headline,
                              result, 0, (), n_pre, n_post)
    sign = {"increase": 1, "decrease": -1}.get(direction or "", 0)
    side = int(sustained_shift(result)["side"].iloc[-1])
    shift = side * sign
    unusual = _unusual(result, side)

    def usable(e):
        return e is not None and np.isfinite(e.get("ci_low", np.nan)) and np.isfinite(e.get("ci_high", np.nan))

    if usable(comparison):
        headline, design = comparison, "comparison"
        its_sign = _interval_sign(its, sign, its.get("null", 0.0)) if usable(its) else None
    elif usable(its):
        headline, design, its_sign = its, "its", None
    else:
        headline, design, its_sign = None, None, None
    null = headline.get("null", 0.0) if design == "its" else 0.0
    head_sign = _interval_sign(headline, sign, null) if headline is not None else 0
    supported = _interval_sign(_narrower(headline, 0.90), sign, null) if headline is not None else 0
    verdict, strength = combine_evidence(headline_sign=head_sign, headline_design=design, shift=shift,
                                         its_sign=its_sign, estimable=headline is not None,
                                         supported_sign=supported)
    sentence = f"{VERDICT_WORDS[verdict]}: {strength}"
    if unusual:
        sentence += f". {unusual_months_text(unusual).capitalize()}"
    headline_out = dict(nan_headline)
    if headline is not None:
        headline_out.update({k: float(headline.get(k, np.nan)) for k in ("estimate", "ci_low", "ci_high",
                                                                            "p_value")}, design=design,
                            scale="ratio" if null == 1.0 else "difference")
    return MeasureVerdict(measure_id, verdict, VERDICT_WORDS[verdict], strength, sentence, headline_out, result,
                          shift, unusual, n_pre, n_post)


def _its_evidence(series: pd.DataFrame, spec, start, options: Mapping) -> dict | None:
    """The team's own interrupted time series as evidence: its headline (average effect) and null."""
    from evalkit.effects.its import measure_its

    if start is None or series.empty:
        return None
    r = measure_its(series, spec, start=start, **options)
    if r.too_short or not r.estimable:
        return None
    h = r.headline
    return {"estimate": float(h["estimate"]), "ci_low": float(h["ci_low"]), "ci_high": float(h["ci_high"]),
            "p_value": float(h["p_value"]), "null": 0.0 if r.kind == "gaussian" else 1.0}


def judge_measures(measures: pd.DataFrame, teams: pd.DataFrame, specs: Mapping, *, starts: Mapping,
                   method: str = "anhoej", only=None, conf_level: float = 0.95,
                   roles=("participant", "comparison"), its_options: Mapping | None = None) -> Judgement:
    """Verdicts of every team × measure, each against the comparison units where they exist.

    Parameters
    ----------
    measures, teams : DataFrame
        The measures table (every unit: the comparison-adjusted effect needs the others'
        months) and the teams table (``team_id, role``).
    specs : mapping
        ``{measure_id: measure params}`` (chart, direction, multiply, target, label, unit).
    starts : mapping
        ``{team_id: start month}`` of participating teams (and, to chart comparison units
        against a baseline, the collaborative's start for them).
    method : str
        SPC rule set.
    only : iterable of str, optional
        Judge only these teams (and the comparison units, whose charts give the base rate);
        the others still feed the comparison.
    conf_level : float
    roles : tuple of str
        Which ``teams.role`` values are judged.
    its_options : mapping, optional
        ``horizon`` and ``min_points_each_side`` of each team's own interrupted time series
        (params ``effects``; default 12 and 8).

    Returns
    -------
    Judgement
    """
    its_options = dict(its_options or {})
    role = dict(zip(teams["team_id"].astype(str), teams["role"].astype(str)))
    participants = [t for t, r in role.items() if r == "participant"]
    comparisons = [t for t, r in role.items() if r == "comparison"]
    # one form for every start (first of the month, one time unit), whichever way it was given
    treated_starts = {t: month_start(starts[t]) for t in participants if month_start(starts.get(t)) is not None}
    wanted = None if only is None else set(only)
    # comparison units are always charted: their sustained shifts are the base rate
    judged = [t for t, r in role.items() if r in roles and (wanted is None or t in wanted or r == "comparison")]
    own = [t for t in judged if role[t] != "comparison"]
    mine = measures if wanted is None else measures.loc[measures["team_id"].astype(str).isin(own).to_numpy(dtype=bool)]
    rows, details, fits, base = [], {}, {}, []
    for mid, spec in specs.items():
        kw = dict(chart=spec_value(spec, "chart", "run"), direction=spec_value(spec, "direction"),
                  multiply=float(spec_value(spec, "multiply", 1.0) or 1.0), target=spec_value(spec, "target"),
                  method=method)
        shared = _shared_comparison(measures, mid, spec, participants, comparisons, treated_starts,
                                    {t: month_start(starts.get(t)) for t in comparisons}, kw, conf_level)
        if shared.fit is not None:
            fits[mid] = shared.fit
        series = series_by_team(mine, mid, spec, own)
        n_shift = n_charts = 0
        for t in judged:
            if role[t] == "comparison":
                v = shared.charts[t]
            else:
                its = _its_evidence(series[t], spec, starts.get(t), its_options) if t in treated_starts else None
                v = measure_verdict(series[t], mid, start=starts.get(t), comparison=shared.effects.get(t), its=its,
                                    **kw)
            details[(t, mid)] = v
            if role[t] == "comparison" and v.verdict != "too_little_data":
                n_charts += 1
                n_shift += int(v.shift != 0)
            h = v.headline
            rows.append({"team_id": t, "role": role[t], "measure_id": mid, "verdict": v.verdict, "words": v.words,
                         "strength": v.strength, "sentence": v.sentence, "estimate": h["estimate"],
                         "ci_low": h["ci_low"], "ci_high": h["ci_high"], "p_value": h["p_value"],
                         "design": h["design"], "shift": v.shift, "unusual_months": ", ".join(v.unusual_months),
                         "n_pre": v.n_pre, "n_post": v.n_post})
        base.append({"measure_id": mid, "n_charts": n_charts, "n_shift": n_shift})
    columns = ["team_id", "role", "measure_id", "verdict", "words", "strength", "sentence", "estimate", "ci_low",
               "ci_high", "p_value", "design", "shift", "unusual_months", "n_pre", "n_post"]
    return Judgement(pd.DataFrame(rows, columns=columns), details, fits, pd.DataFrame(base),
                     {"method": method, "conf_level": conf_level})


@dataclass(frozen=True)
class _SharedComparison:
    """What every team's verdict on one measure shares: the comparison fit and units' charts."""

    fit: object  # ImputationResult or None
    effects: dict  # {treated unit: its effects row}
    charts: dict  # {comparison unit: MeasureVerdict}


def _shared_comparison(measures: pd.DataFrame, measure_id: str, spec, participants, comparisons, treated_starts,
                       comparison_starts: Mapping, kw: Mapping, conf_level: float) -> _SharedComparison:
    """The imputation fit of one measure over every unit, and the comparison units' verdicts.

    The same for every team of a run, so inside :func:`evalkit.memo.run_memo` it is computed
    once (the key is the content of the measure's rows and every setting it depends on).
    """
    from evalkit.memo import frame_digest, remember

    units = set(participants) | set(comparisons)
    rows = measures.loc[((measures["measure_id"].astype(str) == measure_id)
                         & measures["team_id"].astype(str).isin(units)).to_numpy(dtype=bool),
                        ["team_id", "measure_id", "period", "numerator", "denominator"]]
    # a team's own target (params may override it) only draws a line on its own chart: the
    # comparison units' charts leave it out, so every team shares one result
    kw = {k: v for k, v in kw.items() if k != "target"}
    key = ("shared_comparison", measure_id, frame_digest(rows), repr(sorted(kw.items())),
           repr(sorted(treated_starts.items())), repr(sorted(comparison_starts.items())), tuple(sorted(participants)),
           float(conf_level))

    def compute() -> _SharedComparison:
        from evalkit.effects.imputation import imputation_did

        series = series_by_team(rows, measure_id, spec, units)
        fit, effects = None, {}
        if comparisons and treated_starts:
            panel = pd.concat([s.assign(unit=t) for t, s in series.items() if len(s)], ignore_index=True)
            if len(panel) and panel.loc[panel["unit"].isin(comparisons), "value"].notna().any():
                fit = imputation_did(panel, unit="unit", time="period", outcome="value",
                                     start_by_unit=treated_starts, conf_level=conf_level)
                effects = {row["unit"]: row for row in fit.effects.to_dict("records")}
        charts = {t: measure_verdict(series[t], measure_id, start=comparison_starts.get(t), **kw)
                  for t in comparisons}
        return _SharedComparison(fit, effects, charts)

    return remember(key, compute)
