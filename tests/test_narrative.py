"""Exact wording of every effect sentence (evalkit.effects.narrative).

Results are built by hand (the sentence depends only on the result's fields), so these tests
pin the wording independently of the estimation code.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.effects.did import DiDResult
from evalkit.effects.its import ITSResult
from evalkit.errors import InputError
from evalkit.effects.narrative import (
    CAUTION_COMPARISON,
    CAUTION_WITHIN_TEAM,
    did_sentence,
    format_number,
    its_sentence,
    prepost_sentence,
    too_short_sentence,
)
from evalkit.effects.prepost import PrePostResult

WITHIN = ("A before/after comparison within one team cannot separate the collaborative's contribution "
          "from other changes at the same time (contribution, not attribution).")
COMPARED = ("Teams were not randomly assigned and there are few comparison units, so this supports a "
            "contribution by the collaborative but cannot prove attribution.")


def _its(estimate, lo, hi, *, kind="gaussian", n_pre=15, n_post=21, warnings=(), horizon=12, model="level",
         design_note=""):
    est = pd.DataFrame({"term": ["level_change", "slope_change", "effect_at_horizon", "average_effect"],
                        "estimate": [estimate, 0.0, estimate, estimate], "ci_low": [lo, 0.0, lo, lo],
                        "ci_high": [hi, 0.0, hi, hi], "p_value": [0.01] * 4, "scale": ["x"] * 4,
                        "std_error": [1.0] * 4})
    return ITSResult(estimates=est, fitted=pd.DataFrame(), diagnostics=pd.DataFrame(), warnings=tuple(warnings),
                     kind=kind, errors="ar1", start="2023-04", horizon=horizon, maxlags=3, n_pre=n_pre,
                     n_post=n_post, conf_level=0.95, multiply=100, min_points_each_side=8, model=model,
                     design_note=design_note)


def test_cautions_are_the_documented_text():
    assert CAUTION_WITHIN_TEAM == WITHIN
    assert CAUTION_COMPARISON == COMPARED


def test_its_sentence_gaussian_clear_improvement():
    s = its_sentence(_its(17.46, 10.2, 24.9), label="Reflective supervision", unit="%", direction="increase")
    assert s == ("Before/after within one team (interrupted time series, 15 months before and 21 months after the "
                 "start in April 2023): on average over the 21 months from the start, Reflective supervision was 17.5 percentage points "
                 "higher than expected without the change (difference 17.5, 95% CI 10.2 to 24.9 percentage "
                 "points). The whole interval is in the direction of improvement. " + WITHIN)


def test_its_sentence_gaussian_interval_includes_no_change():
    s = its_sentence(_its(-0.42, -1.1, 0.3), label="Well-being pulse", unit="points", direction="increase")
    assert s == ("Before/after within one team (interrupted time series, 15 months before and 21 months after the "
                 "start in April 2023): on average over the 21 months from the start, Well-being pulse was 0.4 points lower than "
                 "expected without the change (difference \u22120.4, 95% CI \u22121.1 to 0.3 points). The interval "
                 "includes no change. " + WITHIN)


def test_its_sentence_ratio_with_deterioration_and_cautions_from_warnings():
    w = ("the horizon (12 months after the start) is beyond the last observed month (9 months after); "
         "the effect there is an extrapolation of the fitted trend",
         "residuals are autocorrelated (Ljung–Box p = 0.010). The intervals assume independent months.")
    s = its_sentence(_its(1.8, 1.2, 2.7, kind="poisson", warnings=w, n_post=10, model="segmented",
                          design_note="level and slope change"), label="Staff turnover",
                     direction="decrease")
    assert s == ("Before/after within one team (interrupted time series, 15 months before and 10 months after the "
                 "start in April 2023): on average over the 10 months from the start, Staff turnover was 1.80 "
                 "times what was expected without the change (rate ratio, 95% CI 1.20 to 2.70). The whole interval is "
                 "in the direction of deterioration. Model: level and slope change. The 12-month figure extends the fitted trend beyond the last month of data. "
                 "Neighbouring months are correlated, so the interval may be too narrow. " + WITHIN)


def test_its_sentence_for_a_short_series_reports_no_number():
    s = its_sentence(_its(5.0, 1.0, 9.0, n_pre=6), label="Staff turnover")
    assert s == ("Too short to trust: only 6 months before the start (at least 8 are needed on each side), "
                 "so no effect estimate is reported.")


def test_too_short_sentence_both_sides_and_singular():
    assert too_short_sentence(1, 5, 8) == ("Too short to trust: only 1 month before the start and 5 months after "
                                           "the start (at least 8 are needed on each side), so no effect estimate "
                                           "is reported.")
    with pytest.raises(InputError):
        too_short_sentence(10, 10, 8)


def _did(est, lo, hi, p, pretrend=0.4):
    e = pd.DataFrame({"method": ["twfe_cluster_robust", "wild_cluster_bootstrap", "randomisation_inference"],
                      "description": ["", "", ""], "estimate": [est] * 3, "std_error": [0.3, 0.3, np.nan],
                      "ci_low": [lo - 0.1, lo, np.nan], "ci_high": [hi + 0.1, hi, np.nan],
                      "p_value": [p / 2, p, p], "reported": [False, True, False]})
    return DiDResult(estimates=e, event_study=pd.DataFrame(), warnings=(), n_units=16, n_treated=12, n_comparison=4,
                     n_obs=576, pretrend_p=pretrend, settings={"conf_level": 0.95})


def test_did_sentence_states_design_estimate_method_and_caution():
    s = did_sentence(_did(-0.63, -1.24, 0.05, 0.072), label="Staff turnover", unit="% per month",
                     direction="decrease")
    assert s == ("Compared with 4 non-participating units (difference-in-differences, 12 participating teams): "
                 "after the start, Staff turnover in participating teams changed by \u22120.6 percentage points per month relative "
                 "to comparison units (95% CI \u22121.2 to 0.1 percentage points per month; wild cluster bootstrap p = 0.07). "
                 "The interval includes no change. " + COMPARED)


def test_did_sentence_warns_about_different_pretrends():
    s = did_sentence(_did(12.0, 5.0, 19.0, 0.004, pretrend=0.01), label="Reflective supervision", unit="%",
                     direction="increase")
    assert s == ("Compared with 4 non-participating units (difference-in-differences, 12 participating teams): "
                 "after the start, Reflective supervision in participating teams changed by 12.0 percentage points "
                 "relative to comparison units (95% CI 5.0 to 19.0 percentage points; wild cluster bootstrap "
                 "p = 0.004). The whole interval is in the direction of improvement. Before the start the two "
                 "groups' trends already differed (p = 0.01), so the estimate may be biased. " + COMPARED)


def _pp(term, est, lo, hi, inputs, extra=None):
    rows = [{"term": term, "estimate": est, "ci_low": lo, "ci_high": hi, "p_value": 0.03, "scale": ""}]
    if extra:
        rows.append(extra)
    return PrePostResult(pd.DataFrame(rows), "m", 0.95, inputs)


def test_prepost_sentence_difference_in_proportions():
    r = _pp("difference_in_proportions", -0.2, -0.375, -0.005, {"p1": 0.4, "p2": 0.6})
    s = prepost_sentence(r, label="staff scoring 50 or more on work burnout", direction="decrease",
                         design="Before/after within one team (survey wave 1 vs wave 3)")
    assert s == ("Before/after within one team (survey wave 1 vs wave 3): the share of staff scoring 50 or more on "
                 "work burnout was 20.0 percentage points lower, from 60.0% before to 40.0% after (95% CI \u221237.5 "
                 "to \u22120.5 percentage points). The whole interval is in the direction of improvement. " + WITHIN)


def test_prepost_sentence_rate_ratio_with_comparison_units():
    r = _pp("rate_ratio", 0.5, 0.23, 1.02, {})
    s = prepost_sentence(r, label="separations", design="Compared with 4 non-participating units (after vs before)",
                         comparison_units=4)
    assert s == ("Compared with 4 non-participating units (after vs before): the rate of separations was 0.50 times "
                 "the earlier rate (rate ratio, 95% CI 0.23 to 1.02). The interval includes no change. " + COMPARED)


def test_prepost_sentence_welch_with_hedges_g():
    g = {"term": "hedges_g", "estimate": 0.45, "ci_low": 0.05, "ci_high": 0.85, "p_value": np.nan, "scale": ""}
    r = _pp("difference_in_means", 0.31, 0.04, 0.58, {}, g)
    s = prepost_sentence(r, label="well-being pulse", unit="points", direction="increase")
    assert s == ("Before/after within one team: the mean well-being pulse was 0.3 points higher (95% CI 0.0 to 0.6 "
                 "points; Hedges' g 0.45, 95% CI 0.05 to 0.85). The whole interval is in the direction of "
                 "improvement. " + WITHIN)


def test_format_number_uses_a_true_minus_and_no_negative_zero():
    assert format_number(-1.25, 1) == "\u22121.2"  # Python rounds half to even on the binary value 1.25
    assert format_number(-0.04, 1) == "0.0"
    assert format_number(float("nan")) == "–"
    assert format_number(float("inf")) == "∞"


def test_its_sentence_odds_ratio_speaks_of_odds():
    s = its_sentence(_its(1.79, 1.64, 1.96, kind="binomial"), label="Reflective supervision", direction="increase")
    assert s == ("Before/after within one team (interrupted time series, 15 months before and 21 months after the "
                 "start in April 2023): on average over the 21 months from the start, the odds of Reflective supervision were 1.79 times "
                 "what was expected without the change (odds ratio, 95% CI 1.64 to 1.96). The whole interval is in the "
                 "direction of improvement. " + WITHIN)


def test_scale_units_in_parentheses_become_points():
    s = its_sentence(_its(0.24, 0.11, 0.37), label="Well-being pulse", unit="(1-5)", direction="increase")
    assert "Well-being pulse was 0.2 points higher than expected without the change (difference 0.2, 95% CI 0.1 " \
           "to 0.4 points)." in s


def test_pooled_sentence_ratio_difference_and_too_few():
    from evalkit.effects.narrative import pooled_sentence

    row = {"k": 12, "estimate": 0.75, "ci_low": 0.54, "ci_high": 1.05, "i2": 0.0, "scale": "rate ratio",
           "group": "all participating teams"}
    assert pooled_sentence(row, label="Staff turnover", direction="decrease") == (
        "Pooled across 12 participating teams (random-effects pooling of each team's before/after change at its "
        "start): at the start, Staff turnover changed by a factor of 0.75 (rate ratio, 95% CI 0.54 to 1.05). "
        "The interval includes no change. " + WITHIN)
    row2 = {"k": 4, "estimate": 0.11, "ci_low": 0.004, "ci_high": 0.22, "i2": 0.82, "scale": "difference",
            "group": "tribal teams"}
    assert pooled_sentence(row2, label="Well-being pulse", unit="(1-5)", direction="increase") == (
        "Pooled across 4 tribal teams (random-effects pooling of each team's before/after change at its start): at "
        "the start, Well-being pulse changed by 0.1 points on average (95% CI 0.0 to 0.2 points). The whole interval "
        "is in the direction of improvement. Teams differ a lot (I² = 82%), so the average hides real differences "
        "between teams. " + WITHIN)
    assert pooled_sentence({"k": 1, "estimate": 1.0, "ci_low": 0.5, "ci_high": 2.0, "i2": 0.0, "scale": "rate ratio",
                            "group": "tribal teams"}, label="x") == (
        "Too few tribal teams with a long enough series to pool (1); no pooled estimate is reported.")


def test_shared_caution_states_each_caution_once_and_keeps_design_and_estimate():
    from evalkit.effects.narrative import EffectList, shared_caution

    supervision = its_sentence(_its(17.46, 10.2, 24.9), label="Reflective supervision", unit="%",
                               direction="increase")
    pulse = its_sentence(_its(-0.42, -1.1, 0.3), label="Well-being pulse", unit="points", direction="increase")
    short = its_sentence(_its(5.0, 1.0, 9.0, n_pre=6), label="Staff turnover")
    did = did_sentence(_did(-0.63, -1.24, 0.05, 0.072), label="Staff turnover", unit="% per month",
                       direction="decrease")
    out = shared_caution([supervision, float("nan"), pulse, short, "", did])
    assert out == EffectList(
        sentences=(
            "Before/after within one team (interrupted time series, 15 months before and 21 months after the start "
            "in April 2023): on average over the 21 months from the start, Reflective supervision was 17.5 percentage points higher "
            "than expected without the change (difference 17.5, 95% CI 10.2 to 24.9 percentage points). The whole "
            "interval is in the direction of improvement.",
            "Before/after within one team (interrupted time series, 15 months before and 21 months after the start "
            "in April 2023): on average over the 21 months from the start, Well-being pulse was 0.4 points lower than expected "
            "without the change (difference \u22120.4, 95% CI \u22121.1 to 0.3 points). The interval includes no change.",
            "Too short to trust: only 6 months before the start (at least 8 are needed on each side), so no effect "
            "estimate is reported.",
            "Compared with 4 non-participating units (difference-in-differences, 12 participating teams): after the "
            "start, Staff turnover in participating teams changed by \u22120.6 percentage points per month relative to comparison "
            "units (95% CI \u22121.2 to 0.1 percentage points per month; wild cluster bootstrap p = 0.07). The interval includes no "
            "change.",
        ),
        cautions=(WITHIN, COMPARED),  # each once, in the order first met
    )


def test_shared_caution_without_cautions_changes_nothing():
    from evalkit.effects.narrative import shared_caution

    short = too_short_sentence(6, 21, 8)
    assert shared_caution([short]).sentences == (short,) and shared_caution([short]).cautions == ()
    assert shared_caution([]).sentences == () and shared_caution([]).cautions == ()
    # the caution is taken only from the end of a sentence, where every sentence of evalkit.effects.narrative puts it
    inside = WITHIN + " Then more text."
    assert shared_caution([inside]).sentences == (inside,)


def test_pooled_sentence_states_the_confidence_level_it_was_given():
    from evalkit.effects.narrative import pooled_sentence

    row = {"k": 3, "estimate": 0.8, "ci_low": 0.6, "ci_high": 1.1, "i2": 0.0, "scale": "rate ratio",
           "group": "all participating teams", "conf_level": 0.9}
    text = pooled_sentence(row, label="Staff turnover")
    assert "90% CI 0.60 to 1.10" in text and "95%" not in text


def test_did_sentence_says_when_the_p_value_and_the_interval_come_from_different_methods():
    # review finding: a randomisation p-value was printed beside the bootstrap interval as if one method
    r = _did(-0.63, -1.24, 0.05, 0.072)
    est = r.estimates.assign(reported=r.estimates["method"] == "randomisation_inference")
    est.loc[est["reported"], ["ci_low", "ci_high"]] = [-1.24, 0.05]
    s = did_sentence(DiDResult(estimates=est, event_study=pd.DataFrame(), warnings=(), n_units=16, n_treated=12,
                               n_comparison=4, n_obs=576, pretrend_p=0.4, settings={"conf_level": 0.95}),
                     label="Staff turnover", unit="% per month")
    assert ("(95% CI \u22121.2 to 0.1 percentage points per month from the wild cluster bootstrap; randomisation "
            "inference p = 0.07, a different method, so the two can disagree near the edge)") in s
