"""Effect sentences that do not over-claim — the one place reports get them from.

Every sentence built here states

1. the **design** ("Before/after within one team (interrupted time series …)",
   "Compared with 4 non-participating units (difference-in-differences …)"),
2. the **estimate with its 95% CI in the measure's unit** (or as a ratio),
   saying plainly when the interval includes no change, and
3. a **caution** when the design cannot separate the collaborative from other
   changes at the same time (contribution, not attribution).

A list of such sentences may state the caution once, right after the list
(:func:`shared_caution`), instead of repeating it in every item; the design and
the estimate with its CI stay in each sentence.

Series too short to trust get a sentence that says so and no number. Numbers
are rounded here (presentation), never in the computations. Text from data
(labels, units) is passed through unchanged; renderers HTML-escape it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from evalkit.errors import InputError

__all__ = [
    "CAUTION_WITHIN_TEAM",
    "CAUTION_COMPARISON",
    "its_sentence",
    "did_sentence",
    "prepost_sentence",
    "survey_change_sentence",
    "suppressed_change_sentence",
    "turnover_change_sentence",
    "direction_from_higher_is",
    "too_short_sentence",
    "headline_phrase",
    "staggered_sentence",
    "pretrend_words",
    "pooled_sentence",
    "format_number",
    "EffectList",
    "shared_caution",
]

#: Caution for designs with no comparison group.
CAUTION_WITHIN_TEAM = (
    "A before/after comparison within one team cannot separate the collaborative's contribution "
    "from other changes at the same time (contribution, not attribution)."
)
#: Caution for comparisons with non-participating units (no randomisation, few units).
CAUTION_COMPARISON = (
    "Teams were not randomly assigned and there are few comparison units, so this supports a "
    "contribution by the collaborative but cannot prove attribution."
)
_MINUS = "\u2212"


@dataclass(frozen=True)
class EffectList:
    """Effect sentences with their shared cautions taken out, to be stated once after the list.

    ``sentences``: each sentence as built, without a closing caution (design and
    estimate with CI kept); ``cautions``: the cautions taken out, each once, in the
    order first met (empty when no sentence carried one).
    """

    sentences: tuple[str, ...]
    cautions: tuple[str, ...]


def shared_caution(sentences) -> EffectList:
    """Take the closing caution out of each effect sentence, to state it once after the list.

    Parameters
    ----------
    sentences : iterable of str
        Sentences from this module (e.g. the ``sentence`` column of
        :func:`evalkit.collaborative.rollup.team_effect_summary`, or
        ``PrePostSummary.sentences``); items that are not text (NaN) or empty are
        dropped, as :func:`evalkit.report.sections.sentences` drops them.

    Returns
    -------
    EffectList
        ``sentences`` in the same order, each without a closing
        :data:`CAUTION_WITHIN_TEAM` or :data:`CAUTION_COMPARISON`;
        ``cautions``: the cautions removed, each once, in the order first met.
        Sentences without a caution (too short to trust, suppressed) are kept as
        they are. A reader must see ``cautions`` right after the list
        (:func:`evalkit.report.sections.effect_sentences` renders both).

    Example
    -------
    >>> out = shared_caution(["Before/after within one team: x (95% CI 1 to 2). " + CAUTION_WITHIN_TEAM,
    ...                       "Before/after within one team: y (95% CI 3 to 4). " + CAUTION_WITHIN_TEAM])
    >>> out.sentences
    ('Before/after within one team: x (95% CI 1 to 2).', 'Before/after within one team: y (95% CI 3 to 4).')
    >>> out.cautions == (CAUTION_WITHIN_TEAM,)
    True
    """
    kept, cautions = [], []
    for sentence in sentences:
        if not isinstance(sentence, str) or not sentence:
            continue
        for caution in (CAUTION_WITHIN_TEAM, CAUTION_COMPARISON):
            if sentence.endswith(" " + caution):
                sentence = sentence[: -len(caution) - 1]
                if caution not in cautions:
                    cautions.append(caution)
                break
        kept.append(sentence)
    return EffectList(tuple(kept), tuple(cautions))


def format_number(x: float, decimals: int = 1) -> str:
    """Round for presentation, with a true minus sign; NaN becomes "–" and ±inf "∞".

    Examples
    --------
    >>> format_number(-0.04, 1), format_number(2.345, 2)
    ('0.0', '2.35')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if math.isinf(x):
        return ("" if x > 0 else _MINUS) + "∞"
    text = f"{x:.{decimals}f}"
    if text.startswith("-"):
        text = text[1:] if float(text[1:]) == 0 else _MINUS + text[1:]
    return text


def _u(unit: str) -> str:
    return f" {unit}" if unit else ""


def _diff_unit(unit: str) -> str:
    """Unit of a difference: of percentages, percentage points; of a scale given as "(1-5)", points."""
    u = unit.strip()
    if u == "%":
        return "percentage points"
    if u.startswith("% "):
        return "percentage points " + u[2:]
    if u.startswith("(") and u.endswith(")"):
        return "points"
    return unit


def _month_text(start) -> str:
    try:
        return pd.Timestamp(start).strftime("%B %Y")
    except (ValueError, TypeError):
        return f"month {start}"


def headline_phrase(estimate: float, ci_low: float, ci_high: float, *, design: str | None, unit: str = "",
                    decimals: int = 1, conf_level: float = 0.95, scale: str | None = "difference") -> str:
    """The headline effect in plain words: how much higher or lower, than what, with its interval.

    Parameters
    ----------
    estimate, ci_low, ci_high : float
        A difference on the measure's scale (the comparison-adjusted effect of
        :mod:`evalkit.effects.imputation`).
    design : {"comparison", "its"} or None
    unit : str
        The measure's unit ("%" reads as percentage points).
    scale : {"difference", "ratio"}
        A ratio (a count or proportion model of the team's own trend) reads "x times what ...".

    Returns
    -------
    str
        Empty when there is no estimate.

    Examples
    --------
    >>> headline_phrase(18.46, 10.2, 26.81, design="comparison", unit="%")
    '18.5 percentage points higher than expected from the units that did not take part (95% interval 10.2 to 26.8)'
    """
    if design is None or estimate is None or not math.isfinite(estimate):
        return ""
    against = {"comparison": "expected from the units that did not take part",
               "its": "the team's own earlier trend predicted"}[design]
    level = int(round(conf_level * 100))
    if scale == "ratio":
        what = (f"{format_number(estimate, 2)} times the level {against}" if design == "comparison" else
                f"{format_number(estimate, 2)} times what {against}")
        return (f"{what} ({level}% interval {format_number(ci_low, 2)} to {format_number(ci_high, 2)}; "
                "1 means no change)")
    unit = _diff_unit(unit)
    size = format_number(abs(estimate), decimals)
    if size == format_number(0.0, decimals):
        what = f"about the same as {against}"
    else:
        what = f"{size}{_u(unit)} {'higher' if estimate > 0 else 'lower'} than {against}"
    return f"{what} ({level}% interval {format_number(ci_low, decimals)} to {format_number(ci_high, decimals)})"


def too_short_sentence(n_pre: int, n_post: int, minimum: int) -> str:
    """Sentence for a series too short to trust; it reports no estimate.

    Examples
    --------
    >>> too_short_sentence(6, 21, 8)
    'Too short to trust: only 6 months before the start (at least 8 are needed on each side), so no effect estimate is reported.'
    """
    parts = []
    if n_pre < minimum:
        parts.append(f"{n_pre} month{'s' if n_pre != 1 else ''} before the start")
    if n_post < minimum:
        parts.append(f"{n_post} month{'s' if n_post != 1 else ''} after the start")
    if not parts:
        raise InputError(f"the series has {n_pre} and {n_post} months (minimum {minimum}); it is not too short")
    return (f"Too short to trust: only {' and '.join(parts)} (at least {minimum} are needed on each side), "
            "so no effect estimate is reported.")


def _direction_clause(estimate: float, lo: float, hi: float, null: float, direction: str | None) -> str:
    if lo != lo or hi != hi:
        return "No interval could be computed."
    if lo <= null <= hi:
        return "The interval includes no change."
    if direction in ("increase", "decrease"):
        better = (estimate > null) == (direction == "increase")
        return ("The whole interval is in the direction of improvement." if better
                else "The whole interval is in the direction of deterioration.")
    return "The interval excludes no change."


def its_sentence(result, *, label: str, unit: str = "", direction: str | None = None, decimals: int = 1,
                 ratio_decimals: int = 2) -> str:
    """Sentence for an interrupted time series (before/after within one team).

    Parameters
    ----------
    result : ITSResult
        From :func:`evalkit.effects.its.interrupted_time_series`.
    label : str
        The measure's label ("Staff turnover").
    unit : str, optional
        The measure's unit ("% per month"); used for gaussian models. For
        differences a unit of "%" is written "percentage points" and a scale
        unit in parentheses such as "(1-5)" is written "points".
    direction : {"increase", "decrease", "neutral"}, optional
        Which way is better; only used to say whether a clear change is an
        improvement or a deterioration.
    decimals, ratio_decimals : int
        Rounding of differences and of ratios.

    Returns
    -------
    str
        Design, the average effect over the months after the start (the ITS headline)
        with its CI, whether the interval includes no change, the model used, cautions
        (extrapolation of a segmented model, autocorrelation not allowed for) and the
        contribution-not-attribution caution. For a
        series shorter than ``min_points_each_side`` on either side, or one
        that could not be estimated, :func:`too_short_sentence` instead.

    Examples
    --------
    See tests/test_narrative.py for the exact wording of every case.
    """
    if result.too_short:
        return too_short_sentence(result.n_pre, result.n_post, result.min_points_each_side)
    if not result.estimable:
        return ("No effect estimate could be made for this series "
                f"({'; '.join(result.warnings) or 'the model could not be fitted'}).")
    design = (f"Before/after within one team (interrupted time series, {result.n_pre} months before and "
              f"{result.n_post} months after the start in {_month_text(result.start)}):")
    row = result.headline
    est, lo, hi = float(row["estimate"]), float(row["ci_low"]), float(row["ci_high"])
    level = int(round(result.conf_level * 100))
    when = f"on average over the {result.n_post} months from the start"
    if result.kind == "gaussian":
        unit = _diff_unit(unit)
        size = format_number(abs(est), decimals)
        side = "higher" if est > 0 else "lower"
        if format_number(abs(est), decimals) == format_number(0.0, decimals):
            what = f"{when}, {label} was about where expected without the change"
        else:
            what = f"{when}, {label} was {size}{_u(unit)} {side} than expected without the change"
        ci = (f"(difference {format_number(est, decimals)}, {level}% CI {format_number(lo, decimals)} to "
              f"{format_number(hi, decimals)}{_u(unit)})")
        null = 0.0
    else:
        ratio = "rate ratio" if result.kind == "poisson" else "odds ratio"
        subject = label if result.kind == "poisson" else f"the odds of {label}"
        verb = "was" if result.kind == "poisson" else "were"
        what = (f"{when}, {subject} {verb} {format_number(est, ratio_decimals)} times what was expected without "
                "the change")
        ci = (f"({ratio}, {level}% CI {format_number(lo, ratio_decimals)} to "
              f"{format_number(hi, ratio_decimals)})")
        null = 1.0
    text = f"{design} {what} {ci}. {_direction_clause(est, lo, hi, null, direction)}"
    extra = []
    note = getattr(result, "design_note", "")
    if note:
        extra.append(f"Model: {note}.")
    if getattr(result, "model", "") == "segmented" and any("extrapolation" in w for w in result.warnings):
        extra.append(f"The {result.horizon}-month figure extends the fitted trend beyond the last month of data.")
    autocorrelated = [w for w in result.warnings if w.startswith("residuals are autocorrelated")]
    if autocorrelated and not any("The intervals allow for correlation" in w for w in autocorrelated):
        extra.append("Neighbouring months are correlated, so the interval may be too narrow.")
    return " ".join([text, *extra, CAUTION_WITHIN_TEAM])


def pretrend_words(result) -> str:
    """Plain words on the months before the starts of a staggered DiD (its pre-trend check)."""
    pre = result.pretrend.iloc[0] if len(result.pretrend) else None
    if pre is not None and pre["p_value"] == pre["p_value"]:
        if pre["p_value"] < 0.05:
            return (f"before the starts the teams already moved differently from the comparison units "
                    f"(test p = {_p_text(float(pre['p_value']))}), so the estimate may be biased")
        return f"before the starts the two groups moved alike (test p = {_p_text(float(pre['p_value']))})"
    es = result.event_study
    before = es[es["event_time"] < 0]
    if before.empty:
        return "there are no months before the starts to check"
    outside = int(((before["ci_low"] > 0) | (before["ci_high"] < 0)).sum())
    return (f"the joint test of the months before the starts cannot be computed with so few units; "
            f"{outside} of the {len(before)} monthly estimates before the starts {'is' if outside == 1 else 'are'} "
            f"clear of zero (about {0.05 * len(before):.0f} would be by chance)")


def staggered_sentence(result, *, label: str, unit: str = "", direction: str | None = None,
                       decimals: int = 1) -> str:
    """Sentence for the staggered difference in differences across the collaborative.

    Parameters
    ----------
    result : evalkit.effects.staggered.StaggeredDiDResult
    label, unit, direction, decimals
        As :func:`its_sentence`.

    Returns
    -------
    str
        Design, the average effect with its interval, the p-value and which method gave
        each (they differ: the interval is analytic and approximate with few units, the
        p-value comes from randomisation), the pre-trend check and the comparison caution.
    """
    unit = _diff_unit(unit)
    o = result.overall.iloc[0]
    est, lo, hi, p = float(o["att"]), float(o["ci_low"]), float(o["ci_high"]), float(o["p_value"])
    n_t, n_c = int(o["n_treated_units"]), int(o["n_control_units"])
    level = int(round((1 - result.settings.get("alpha", 0.05)) * 100))
    design = (f"Across the {n_t} participating team{'s' if n_t != 1 else ''}, compared with the {n_c} unit"
              f"{'s' if n_c != 1 else ''} that did not take part (difference in differences for staggered starts, "
              "Callaway & Sant'Anna):")
    if format_number(abs(est), decimals) == format_number(0.0, decimals):
        what = f"after their starts, {label} changed about as much in the teams as in the comparison units"
    else:
        what = (f"after their starts, {label} changed by {format_number(est, decimals)}{_u(unit)} more than in the "
                "comparison units" if est > 0 else
                f"after their starts, {label} changed by {format_number(est, decimals)}{_u(unit)} relative to the "
                "comparison units")
    if lo == lo and hi == hi:
        ci = (f"(approximate {level}% interval {format_number(lo, decimals)} to {format_number(hi, decimals)}"
              f"{_u(unit)}, from the usual large-sample formula, which is too narrow with so few units)")
    else:
        ci = "(no interval: too few units)"
    method = str(o["method"])
    if method.startswith("randomisation"):
        test = (f"A randomisation test, a different method from the interval, asks how often teams picked at random "
                f"from all {n_t + n_c} units show a change this large: p = {_p_text(p)}.")
    else:
        test = f"p = {_p_text(p)} ({method})."
    verdict = ("The change is larger than random picks give" if p < 0.05 else
               "A change this large could be chance") + "."
    if p < 0.05 and direction in ("increase", "decrease"):
        better = (est > 0) == (direction == "increase")
        verdict = f"The change is larger than random picks give, in the direction of {'improvement' if better else 'deterioration'}."
    return " ".join([f"{design} {what} {ci}.", test, verdict,
                     f"Pre-start check: {pretrend_words(result)}.", CAUTION_COMPARISON])


def did_sentence(result, *, label: str, unit: str = "", direction: str | None = None, decimals: int = 1) -> str:
    """Sentence for a difference-in-differences comparison with non-participating units.

    Parameters
    ----------
    result : DiDResult
        From :func:`evalkit.effects.its.difference_in_differences`.
    label, unit, direction, decimals
        As :func:`its_sentence`.

    Returns
    -------
    str
        Design (number of comparison and participating units), the reported
        estimate with its CI and p-value and the method that produced them,
        whether the interval includes no change, a warning when the pre-start
        trends differed, and the comparison caution.
    """
    unit = _diff_unit(unit)
    r = result.reported
    est, lo, hi, p = float(r["estimate"]), float(r["ci_low"]), float(r["ci_high"]), float(r["p_value"])
    level = int(round(result.settings.get("conf_level", 0.95) * 100))
    n_c, n_t = result.n_comparison, result.n_treated
    design = (f"Compared with {n_c} non-participating unit{'s' if n_c != 1 else ''} "
              f"(difference-in-differences, {n_t} participating team{'s' if n_t != 1 else ''}):")
    if format_number(abs(est), decimals) == format_number(0.0, decimals):
        what = f"after the start, {label} changed about as much in participating teams as in comparison units"
    else:
        what = (f"after the start, {label} in participating teams changed by {format_number(est, decimals)}"
                f"{_u(unit)} relative to comparison units")
    method = {"wild_cluster_bootstrap": "wild cluster bootstrap", "randomisation_inference": "randomisation inference",
              "twfe_cluster_robust": "cluster-robust errors"}[r["method"]]
    if r["method"] == "randomisation_inference":
        # the interval comes from the wild cluster bootstrap, the p-value from randomisation: say so
        ci = (f"({level}% CI {format_number(lo, decimals)} to {format_number(hi, decimals)}{_u(unit)} from the wild "
              f"cluster bootstrap; randomisation inference p = {_p_text(p)}, a different method, so the two can "
              "disagree near the edge)")
    else:
        ci = (f"({level}% CI {format_number(lo, decimals)} to {format_number(hi, decimals)}{_u(unit)}; "
              f"{method} p = {_p_text(p)})")
    parts = [f"{design} {what} {ci}.", _direction_clause(est, lo, hi, 0.0, direction)]
    if result.pretrend_p == result.pretrend_p and result.pretrend_p < 0.05:
        parts.append(f"Before the start the two groups' trends already differed (p = {_p_text(result.pretrend_p)}), "
                     "so the estimate may be biased.")
    parts.append(CAUTION_COMPARISON)
    return " ".join(parts)


def _p_text(p: float) -> str:
    if p != p:
        return "–"
    if p < 0.001:
        return "< 0.001"
    return f"{p:.3f}" if p < 0.01 else f"{p:.2f}"


def _prepost_clause(result, *, label: str, unit: str, decimals: int, ratio_decimals: int):
    """The "what (CI)" part of a pre/post sentence and the numbers the direction clause needs."""
    terms = list(result.estimates["term"])
    level = int(round(result.conf_level * 100))
    if "difference_in_proportions" in terms:
        row = result.term("difference_in_proportions")
        est, lo, hi = (100 * float(row[c]) for c in ("estimate", "ci_low", "ci_high"))
        p1, p2 = 100 * result.inputs["p1"], 100 * result.inputs["p2"]
        size = format_number(abs(est), decimals)
        if size == format_number(0.0, decimals):
            what = (f"the share of {label} was about the same, {format_number(p2, decimals)}% before and "
                    f"{format_number(p1, decimals)}% after")
        else:
            what = (f"the share of {label} was {size} percentage points {'higher' if est > 0 else 'lower'}, "
                    f"from {format_number(p2, decimals)}% before to {format_number(p1, decimals)}% after")
        ci = f"({level}% CI {format_number(lo, decimals)} to {format_number(hi, decimals)} percentage points)"
        null = 0.0
    elif "rate_ratio" in terms:
        row = result.term("rate_ratio")
        est, lo, hi = (float(row[c]) for c in ("estimate", "ci_low", "ci_high"))
        what = f"the rate of {label} was {format_number(est, ratio_decimals)} times the earlier rate"
        ci = f"(rate ratio, {level}% CI {format_number(lo, ratio_decimals)} to {format_number(hi, ratio_decimals)})"
        null = 1.0
    elif "difference_in_means" in terms:
        row = result.term("difference_in_means")
        g = result.term("hedges_g")
        est, lo, hi = (float(row[c]) for c in ("estimate", "ci_low", "ci_high"))
        size = format_number(abs(est), decimals)
        if size == format_number(0.0, decimals):
            what = f"the mean {label} was unchanged"
        else:
            what = f"the mean {label} was {size}{_u(unit)} {'higher' if est > 0 else 'lower'}"
        ci = (f"({level}% CI {format_number(lo, decimals)} to {format_number(hi, decimals)}{_u(unit)}; "
              f"Hedges' g {format_number(float(g['estimate']), 2)}, {level}% CI "
              f"{format_number(float(g['ci_low']), 2)} to {format_number(float(g['ci_high']), 2)})")
        null = 0.0
    else:
        raise InputError(f"no sentence for a result with terms {terms}")
    return what, ci, est, lo, hi, null


def prepost_sentence(result, *, label: str, unit: str = "", direction: str | None = None,
                     design: str = "Before/after within one team", decimals: int = 1,
                     ratio_decimals: int = 2, comparison_units: int | None = None,
                     notes: tuple[str, ...] = ()) -> str:
    """Sentence for a pre/post comparison (proportions, rate ratio or Welch's t).

    Parameters
    ----------
    result : PrePostResult
        From :func:`evalkit.effects.its.difference_in_proportions`,
        :func:`~evalkit.effects.its.rate_ratio` or :func:`~evalkit.effects.its.welch_t`.
    label : str
        What is compared ("staff scoring 50 or more on work burnout").
    unit : str, optional
        Unit of means (Welch) or of rates.
    design : str, default "Before/after within one team"
        First words of the sentence, naming the design and what is compared
        (e.g. "Before/after within one team (survey wave 1 vs wave 3)").
    comparison_units : int, optional
        If the comparison is with non-participating units, how many; the
        comparison caution is then used instead of the within-team one.
    notes : tuple of str, default ()
        Extra sentences placed before the caution (e.g. about small counts).

    Returns
    -------
    str
    """
    what, ci, est, lo, hi, null = _prepost_clause(result, label=label, unit=unit, decimals=decimals,
                                                  ratio_decimals=ratio_decimals)
    caution = CAUTION_COMPARISON if comparison_units else CAUTION_WITHIN_TEAM
    return " ".join([f"{design}: {what} {ci}.", _direction_clause(est, lo, hi, null, direction), *notes, caution])


def direction_from_higher_is(higher_is: str) -> str:
    """Which way is better for a survey scale: ``"worse"`` → ``"decrease"``, ``"better"`` → ``"increase"``."""
    if higher_is not in ("better", "worse"):
        raise InputError(f"higher_is must be 'better' or 'worse', got {higher_is!r}")
    return "decrease" if higher_is == "worse" else "increase"


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym ("CBI")."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def survey_change_sentence(means, shares, *, label: str, cutoff: float | None, higher_is: str, design: str,
                           unit: str = "points", share_note: str | None = None, decimals: int = 1) -> str:
    """Sentence for the change in a survey scale between two waves of one team.

    Parameters
    ----------
    means : PrePostResult
        :func:`evalkit.effects.prepost.welch_t` of the scale scores (after, before).
    shares : PrePostResult or None
        :func:`evalkit.effects.prepost.difference_in_proportions` of the share at or
        above the cut-off (after, before); None when there is no cut-off or
        the share is not shown (then ``share_note`` says why).
    label : str
        The scale's label ("Work-related burnout (Copenhagen Burnout
        Inventory)"); its first letter is lower-cased inside the sentence.
    cutoff : float or None
        The instrument's cut-off (score at or above it counts).
    higher_is : {"better", "worse"}
        From the instrument: says whether a fall is an improvement.
    design : str
        "Before/after within one team (survey waves W1 and W3)".
    unit : str, default "points"
        Unit of the scale score.
    share_note : str, optional
        Sentence used in place of the share comparison.
    decimals : int, default 1

    Returns
    -------
    str
        Design; mean change with its CI and Hedges' g; whether the interval is
        in the direction of improvement or deterioration (from ``higher_is``);
        the same for the share at or above the cut-off; the within-team
        caution (contribution, not attribution).
    """
    direction = direction_from_higher_is(higher_is)
    name = _lower_first(label)
    what, ci, est, lo, hi, null = _prepost_clause(means, label=f"{name} score", unit=unit, decimals=decimals,
                                                  ratio_decimals=2)
    parts = [f"{design}: {what} {ci}.", _direction_clause(est, lo, hi, null, direction)]
    if shares is not None and cutoff is not None:
        what, ci, est, lo, hi, null = _prepost_clause(
            shares, label=f"respondents scoring {format_number(float(cutoff), _decimals_of(cutoff))} or more",
            unit="", decimals=decimals, ratio_decimals=2)
        parts += [f"{what[0].upper()}{what[1:]} {ci}.", _direction_clause(est, lo, hi, null, direction)]
    elif share_note:
        parts.append(share_note)
    parts.append(CAUTION_WITHIN_TEAM)
    return " ".join(parts)


def _decimals_of(x: float) -> int:
    return 0 if float(x) == round(float(x)) else len(f"{float(x):g}".split(".")[-1])


def suppressed_change_sentence(*, design: str, label: str, threshold: int, waves: tuple[str, ...]) -> str:
    """Sentence for a survey comparison not shown because a wave has too few respondents.

    Examples
    --------
    >>> suppressed_change_sentence(design="Before/after within one team (survey waves W1 and W3)",
    ...                            label="Intent to leave", threshold=5, waves=("W3",))
    'Before/after within one team (survey waves W1 and W3): results for intent to leave are not shown because fewer than 5 respondents had a score in wave W3 (small numbers are suppressed to protect confidentiality).'
    """
    where = " and ".join(waves)
    return (f"{design}: results for {_lower_first(label)} are not shown because fewer than {threshold} respondents "
            f"had a score in wave{'s' if len(waves) > 1 else ''} {where} (small numbers are suppressed to protect "
            "confidentiality).")


def turnover_change_sentence(result, *, label: str, design: str, rate_before: float, rate_after: float,
                             small_counts: bool, threshold: int = 10, unit: str = "% per month",
                             decimals: int = 1, ratio_decimals: int = 2) -> str:
    """Sentence for separations before vs after a team's start, as a rate ratio.

    Parameters
    ----------
    result : PrePostResult
        :func:`evalkit.effects.prepost.rate_ratio` (after / before, exposure = staff-months).
    label : str
        "separations" or "voluntary separations".
    design : str
        "Before/after within one team (separations per staff-month, 17 months
        before and 19 months after the start in June 2023)".
    rate_before, rate_after : float
        Separations per 100 staff-months (% per month) in each period.
    small_counts : bool
        True when a period has fewer than ``threshold`` separations: nothing
        computed from the counts is stated (not the ratio, its interval, its
        width, the direction or the rates), because with the staff-months
        shown each of them gives the hidden counts back (1 and 2 leavers in a
        team of 8 give the same ratio as 2 and 4 but a different interval).
    threshold : int, default 10
    unit : str, default "% per month"

    Returns
    -------
    str
        Design; rate ratio (after ÷ before) with its CI and the two rates;
        whether the interval is in the direction of improvement (fewer
        separations is better); the within-team caution. With small counts:
        the design and one line saying the comparison is not shown, and why.
    """
    if result.inputs.get("events2", 1) == 0 and result.inputs.get("events1", 0) == 0:
        return (f"{design}: there were no {label} in either period, so no rate ratio can be estimated. "
                + CAUTION_WITHIN_TEAM)
    if small_counts:
        return (f"{design}: the change in {label} is not shown because there were fewer than {threshold} in at "
                "least one period; the rate ratio, its interval and the rates would give the hidden counts away "
                "(small numbers are suppressed to protect confidentiality).")
    what, ci, est, lo, hi, null = _prepost_clause(result, label=label, unit="", decimals=decimals,
                                                  ratio_decimals=ratio_decimals)
    if result.inputs.get("events2", 1) == 0:
        what = f"there were no {label} before the start, so the rate ratio has no finite value"
    sep = "" if unit.startswith("%") else " "
    ci = (f"({format_number(rate_after, decimals)}{sep}{unit} after against "
          f"{format_number(rate_before, decimals)}{sep}{unit} before; {ci[1:]}")
    return " ".join([f"{design}: {what} {ci}.", _direction_clause(est, lo, hi, null, "decrease"),
                     CAUTION_WITHIN_TEAM])


def pooled_sentence(row, *, label: str, unit: str = "", direction: str | None = None, decimals: int = 1,
                    ratio_decimals: int = 2) -> str:
    """Sentence for a pooled (random-effects) estimate across teams.

    Parameters
    ----------
    row : mapping or Series
        One row of :func:`evalkit.collaborative.rollup.pooled_effects` (k, estimate, ci_low,
        ci_high, i2, scale, group).
    label, unit, direction, decimals, ratio_decimals
        As :func:`its_sentence`.

    Returns
    -------
    str
        Design (number of teams, random-effects pooling of each team's
        before/after level change), the pooled estimate with its CI, whether the
        interval includes no change, a note when teams differ a lot (I² ≥ 50%)
        and the within-team caution (each team's estimate is before/after).
        Fewer than 2 teams: a sentence saying no pooled estimate is reported.
    """
    k = int(row["k"])
    group = str(row.get("group", "participating teams")) if hasattr(row, "get") else "participating teams"
    group = group.replace("all participating teams", "participating teams")
    if k < 2:
        return f"Too few {group} with a long enough series to pool ({k}); no pooled estimate is reported."
    est, lo, hi = float(row["estimate"]), float(row["ci_low"]), float(row["ci_high"])
    ratio = "ratio" in str(row["scale"])
    cl = row.get("conf_level", 0.95) if hasattr(row, "get") else 0.95
    level = int(round(float(cl if cl == cl else 0.95) * 100))
    design = (f"Pooled across {k} {group} (random-effects pooling of each team's before/after change at its "
              "start):")
    if ratio:
        if "odds" in str(row["scale"]):
            label = f"the odds of {label}"
        what = (f"at the start, {label} changed by a factor of {format_number(est, ratio_decimals)} "
                f"({row['scale']}, {level}% CI {format_number(lo, ratio_decimals)} to {format_number(hi, ratio_decimals)}).")
        null = 1.0
    else:
        unit = _diff_unit(unit)
        what = (f"at the start, {label} changed by {format_number(est, decimals)}{_u(unit)} on average "
                f"({level}% CI {format_number(lo, decimals)} to {format_number(hi, decimals)}{_u(unit)}).")
        null = 0.0
    parts = [design, what, _direction_clause(est, lo, hi, null, direction)]
    i2 = float(row.get("i2", float("nan"))) if hasattr(row, "get") else float("nan")
    if i2 == i2 and i2 >= 0.5:
        parts.append(f"Teams differ a lot (I² = {100 * i2:.0f}%), so the average hides real differences between teams.")
    parts.append(CAUTION_WITHIN_TEAM)
    return " ".join(parts)
