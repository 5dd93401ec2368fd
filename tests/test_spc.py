"""Independent checks of evalkit.spc.qic: textbook examples, hand calculations, rule-set
boundaries, verdicts and invariants (hypothesis). Provenance is written beside each
expected number; none was copied from evalkit's own output."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.errors import InputError
from evalkit.spc import VERDICT_SENTENCES, qic, verdicts
from evalkit.spc.rules import anhoej_limits


# ---------------------------------------------------------------------------
# textbook examples with published limits
# ---------------------------------------------------------------------------

def test_montgomery_c_chart_example_7_3():
    # Montgomery, Introduction to SQC 6th ed., Example 7.3: nonconformities in 26 samples
    # of 100 printed circuit boards. Published: c̄ = 516/26 = 19.85, UCL = 33.22,
    # LCL = 6.48; samples 6 and 20 plot outside the limits.
    y = [21, 24, 16, 12, 15, 5, 28, 20, 31, 25, 20, 24, 16, 19, 10, 17, 13, 22, 18, 39,
         30, 24, 16, 19, 17, 15]
    assert sum(y) == 516
    r = qic(y, chart="c")
    p = r.points
    assert p["cl"].iloc[0] == pytest.approx(516 / 26)
    # Montgomery rounds c̄ to 19.85 before adding 3√c̄, hence a tolerance of 0.01
    assert p["ucl"].iloc[0] == pytest.approx(33.22, abs=0.01)
    assert p["lcl"].iloc[0] == pytest.approx(6.48, abs=0.01)
    assert np.flatnonzero(p["sigma_signal"]).tolist() == [5, 19]   # samples 6 and 20 (1-based)


def test_montgomery_p_chart_example_7_1():
    # Montgomery 6th ed., Example 7.1 (orange-juice cans): 30 samples of n = 50,
    # 347 nonconforming. Published: p̄ = 0.2313, UCL = 0.4102, LCL = 0.0524;
    # samples 15 and 23 above the UCL.
    d = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11, 20, 18, 24,
         15, 9, 12, 7, 13, 9, 6]
    r = qic(d, [50] * 30, chart="p")
    p = r.points
    assert p["cl"].iloc[0] == pytest.approx(347 / 1500)
    assert p["ucl"].iloc[0] == pytest.approx(0.4102, abs=5e-5)
    assert p["lcl"].iloc[0] == pytest.approx(0.0524, abs=5e-5)
    assert np.flatnonzero(p["sigma_signal"]).tolist() == [14, 22]
    # percent scale: every line times 100
    r100 = qic(d, [50] * 30, chart="p", multiply=100)
    assert r100.points["ucl"].iloc[0] == pytest.approx(41.02, abs=5e-3)


def test_i_chart_hand_calculation():
    # y = 10, 12, 11, 13, 12: mean 58/5 = 11.6; moving ranges 2, 1, 2, 1 -> AMR 1.5;
    # screening bound 3.267 * 1.5 = 4.9 keeps all; sigma = 1.5 / 1.128.
    r = qic([10, 12, 11, 13, 12], chart="i")
    p = r.points.iloc[0]
    sigma = 1.5 / 1.128
    assert p["cl"] == pytest.approx(11.6)
    assert p["ucl"] == pytest.approx(11.6 + 3 * sigma)
    assert p["lcl"] == pytest.approx(11.6 - 3 * sigma)
    assert p["ucl_95"] == pytest.approx(11.6 + 2 * sigma)


def test_i_chart_screening_drops_large_moving_range():
    # y = eight 1s then 20: MRs 0 (x7) and 19 -> AMR 19/8 = 2.375; screening bound
    # 3.267 * 2.375 = 7.76 drops the 19 -> AMR 0 -> limits collapse onto cl = 28/9.
    r = qic([1] * 8 + [20], chart="i")
    assert r.points["ucl"].iloc[0] == pytest.approx(28 / 9)
    assert r.points["lcl"].iloc[0] == pytest.approx(28 / 9)
    # unscreened: sigma = 2.375 / 1.128
    r2 = qic([1] * 8 + [20], chart="i", screened_mr=False)
    assert r2.points["ucl"].iloc[0] == pytest.approx(28 / 9 + 3 * (19 / 8) / 1.128)
    # all MRs 0: nothing is strictly below the bound 0 -> no limits (qicharts2 quirk)
    assert qic([7] * 6, chart="i").points["ucl"].isna().all()


def test_u_chart_hand_calculation():
    # counts 2, 4, 6 over exposure 100, 200, 300: ū = 12/600 = 0.02;
    # UCL_1 = 0.02 + 3·√(0.02/100); LCL_1 = 0.02 − 3·√(0.0002) < 0 -> 0.
    r = qic([2, 4, 6], [100, 200, 300], chart="u")
    p = r.points
    assert p["cl"].iloc[0] == pytest.approx(0.02)
    assert p["ucl"].iloc[0] == pytest.approx(0.02 + 3 * math.sqrt(0.0002))
    assert p["lcl"].iloc[0] == 0
    assert p["ucl"].iloc[2] == pytest.approx(0.02 + 3 * math.sqrt(0.02 / 300))


def test_sums_and_means_follow_r_long_double_arithmetic():
    # R on x86-64 sums in 80-bit long double, row by row, and rounds to double once
    # (R summary.c rsum). Hand arithmetic: 2^53 + 1 + 1 = 2^53 + 2 exactly in a 64-bit
    # mantissa, so R's sum(c(2^53, 1, 1)) is 9007199254740994; double arithmetic
    # (2^53 + 1 rounds back to 2^53, twice) would give 2^53.
    ld64 = np.finfo(np.longdouble).nmant >= 63
    r = qic([2.0 ** 53, 1, 1], x=[1, 1, 1], chart="run", agg="sum")
    assert r.points["y"].iloc[0] == (2.0 ** 53 + 2 if ld64 else 2.0 ** 53)
    # Order matters too: adding 1 to 2^64 sixteen times, one at a time, rounds back to
    # 2^64 each time (2^64 + 1 is a tie, to even); a pairwise sum would give 2^64 + 16.
    r = qic([2.0 ** 64] + [1.0] * 16, x=[1] * 17, chart="run", agg="sum")
    assert r.points["y"].iloc[0] == 2.0 ** 64
    # R's mean() adds a correction pass, so the mean of ten 0.1 is exactly 0.1 and every
    # point of this I chart sits on the centre line (no useful observations).
    r = qic([0.1] * 10, chart="i")
    assert r.points["cl"].iloc[0] == 0.1
    assert int(r.summary["n_useful"].iloc[0]) == 0


def test_anhoej_critical_values_published_table():
    # Anhøj & Olesen 2014, Table 1 (also SPEC §2): n useful -> (longest run max, crossings min)
    table = {10: (6, 2), 11: (6, 2), 12: (7, 3), 16: (7, 4), 20: (7, 6), 24: (8, 8), 30: (8, 10),
             40: (8, 14), 50: (9, 19), 60: (9, 23), 100: (10, 41), 6: (6, 1), 5: (5, 0), 1: (3, 0)}
    n = np.array(sorted(table))
    lmax, cmin = anhoej_limits(n)
    assert lmax.tolist() == [table[k][0] for k in n]
    assert cmin.tolist() == [table[k][1] for k in n]


def test_run_chart_monotone_1_to_10_signals_but_1_to_9_does_not():
    # SPEC §2: 1..10 -> median 5.5, 1 crossing < 2 -> signal; 1..9 -> 8 useful, 1 crossing = limit 1.
    assert bool(qic(list(range(1, 11))).summary["runs_signal"].iloc[0])
    assert not bool(qic(list(range(1, 10))).summary["runs_signal"].iloc[0])


def test_errors_are_one_line_input_errors():
    with pytest.raises(InputError, match="greater than zero"):
        qic([3, 0, 2], chart="t")
    for kwargs in ({"chart": "zz"}, {"method": "nelson"}, {"agg": "max"}, {"chart": "p", "method": "mdc"},
                   {"direction": "up"}, {"part": [1.5]}):
        with pytest.raises(InputError) as info:
            qic([1, 2, 3], [4, 5, 6], **kwargs)
        assert "\n" not in str(info.value)
    with pytest.raises(InputError, match="n has 2 values"):
        qic([1, 2, 3], [1, 2])
    with pytest.raises(InputError, match="numbers"):
        qic(["a", "b"])


def test_result_shape_and_columns():
    r = qic([1, 2, 3, 4], chart="i")
    assert list(r.points.columns) == ["facet", "x", "part", "y", "n", "y_sum", "y_length", "cl", "lcl",
                                      "ucl", "lcl_95", "ucl_95", "sigma_signal", "runs_signal",
                                      "baseline", "include"]
    assert list(r.summary.columns) == ["facet", "part", "n_obs", "n_useful", "longest_run",
                                       "longest_run_max", "n_crossings", "n_crossings_min",
                                       "runs_signal", "sigma_signal", "cl", "alcl", "aucl"]
    with pytest.raises(Exception):
        r.chart = "run"  # frozen
    assert "<table" in r._repr_html_()


def test_dates_text_and_aggregation():
    months = pd.to_datetime(["2024-03-01", "2024-01-01", "2024-02-01", "2024-01-01"])
    r = qic([4, 1, 2, 3], x=months)
    assert r.x_kind == "date"
    assert r.points["x"].tolist() == list(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]))
    assert r.points["y"].tolist() == [2.0, 2.0, 4.0]   # Jan mean of 1 and 3
    assert r.messages == ("Subgroup size > 1. Data have been aggregated using mean().",)
    t = qic([1, 2, 3], x=["b", "a", "c"])
    assert t.x_kind == "category" and t.points["x"].tolist() == ["a", "b", "c"]


# ---------------------------------------------------------------------------
# IHI rules: hand-checked boundaries (Perla, Provost & Murray 2011)
# ---------------------------------------------------------------------------

def _ihi(y, **kw):
    return qic(y, chart="run", method="ihi", **kw)


def test_ihi_shift_6_signals_5_does_not():
    # centre line fixed at 0 so the run lengths are exactly as written
    six = [-1, 1, -1, 1, 1, 1, 1, 1, 1, -1, 1, -1]
    five = [-1, 1, -1, 1, 1, 1, 1, 1, -1, 1, -1, 1]
    s6 = _ihi(six, cl=0).summary.iloc[0]
    s5 = _ihi(five, cl=0).summary.iloc[0]
    assert s6["longest_shift"] == 6 and bool(s6["shift_signal"])
    assert s5["longest_shift"] == 5 and not bool(s5["shift_signal"])
    pts = _ihi(six, cl=0).points
    assert np.flatnonzero(pts["runs_signal"]).tolist() == [3, 4, 5, 6, 7, 8]


def test_ihi_point_on_median_inside_shift_is_skipped():
    # 3 above, 1 on the line, 3 above: 6 useful points above -> shift
    y = [-1, 1, -1, 1, 1, 1, 0, 1, 1, 1, -1, 1]
    s = _ihi(y, cl=0).summary.iloc[0]
    assert s["longest_shift"] == 6 and bool(s["shift_signal"])


def test_ihi_trend_5_signals_4_does_not_and_ties_count_once():
    base = [0, 9, 0, 9]   # ends high, so the rise starts at the next point
    five = base + [1, 2, 3, 4, 5] + [0, 9, 0]
    four = base + [1, 2, 3, 4] + [0, 9, 0, 9]
    tie = base + [1, 2, 2, 3, 4] + [0, 9, 0]          # 1,2,3,4 once: 4 points
    tie5 = base + [1, 2, 2, 3, 4, 5] + [0, 9]          # 5 distinct rising points
    assert bool(_ihi(five).summary["trend_signal"].iloc[0])
    assert _ihi(five).summary["longest_trend"].iloc[0] == 5
    assert not bool(_ihi(four).summary["trend_signal"].iloc[0])
    assert _ihi(tie).summary["longest_trend"].iloc[0] == 4
    assert bool(_ihi(tie5).summary["trend_signal"].iloc[0])


def test_ihi_too_many_and_too_few_runs_and_not_assessed():
    # sawtooth of 20: 20 runs > upper limit 16 (Perla 2011 Table 1, 20 points: 6-16)
    saw = _ihi([1, 3] * 10).summary.iloc[0]
    assert saw["n_runs"] == 20 and saw["runs_upper"] == 16 and bool(saw["too_many_runs"])
    # 10 below then 10 above the median: 2 runs < lower limit 6
    few = _ihi(list(range(20))).summary.iloc[0]
    assert few["n_runs"] == 2 and bool(few["too_few_runs"])
    # 8 useful points: outside the 10-60 table -> not assessed
    short = _ihi([1, 3, 1, 3, 1, 3, 1, 3]).summary.iloc[0]
    assert not bool(short["runs_rule_assessed"]) and not bool(short["too_many_runs"])
    assert math.isnan(short["runs_lower"])


# ---------------------------------------------------------------------------
# Making Data Count rules (NHSRplotthedots 0.2.2): 7 vs 6 boundaries
# ---------------------------------------------------------------------------

NOISE = [0.0, 2.0, 0.0, 2.0, 0.0, 2.0]    # ends above cl = 1 (for trends)
NOISE2 = [2.0, 0.0, 2.0, 0.0, 2.0, 0.0]   # ends below cl = 1 (for shifts)


def _mdc(y, **kw):
    return qic(y, chart="i", method="mdc", cl=1, direction="increase", **kw)


def test_mdc_shift_7_signals_6_does_not():
    seven = NOISE2 + [1.5, 1.2, 1.6, 1.3, 1.5, 1.2, 1.4] + [0.0, 2.0]
    six = NOISE2 + [1.5, 1.2, 1.6, 1.3, 1.5, 1.2] + [0.0, 2.0, 0.0]
    p7 = _mdc(seven).points
    assert p7["mdc_rule"].tolist()[6:13] == ["shift"] * 7
    assert (p7["point_type"].iloc[6:13] == "special_cause_improvement").all()
    assert p7["runs_signal"].iloc[6:13].all() and not p7["runs_signal"].iloc[:6].any()
    p6 = _mdc(six).points
    assert (p6["point_type"] == "common_cause").all()


def test_mdc_point_on_mean_breaks_shift():
    y = NOISE2 + [1.5, 1.2, 1.6, 1.0, 1.3, 1.5, 1.2, 1.4] + [0.0]   # 3 above, on mean, 4 above
    assert (_mdc(y).points["point_type"] == "common_cause").all()


def test_mdc_trend_7_signals_6_does_not_and_equal_pair_breaks():
    seven = NOISE + [0.2, 0.4, 0.6, 0.8, 1.2, 1.4, 1.6] + [0.0, 2.0]
    six = NOISE + [0.2, 0.4, 0.6, 0.8, 1.2, 1.4] + [0.0, 2.0, 0.0]
    tied = NOISE + [0.2, 0.4, 0.6, 0.6, 0.8, 1.2, 1.4] + [0.0, 2.0]
    assert _mdc(seven).points["mdc_rule"].tolist()[6:13] == ["trend"] * 7
    assert "trend" not in _mdc(six).points["mdc_rule"].tolist()
    assert "trend" not in _mdc(tied).points["mdc_rule"].tolist()
    # a falling trend is a concern when increase is better
    falling = NOISE + [1.6, 1.4, 1.2, 0.8, 0.6, 0.4, 0.2] + [0.0, 2.0]
    assert (_mdc(falling).points["point_type"].iloc[6:13] == "special_cause_concern").all()


def test_mdc_two_of_three_near_limit_and_outside_and_assurance():
    # cl = 1 and limits frozen on the 12 baseline points 0, 2, 0, 2, ...: every MR is 2,
    # so sigma = 2 / 1.128 by hand; the near-limit band is (1 + 2σ, 1 + 3σ].
    base = [0.0, 2.0] * 6
    sigma = 2 / 1.128
    near = 1 + 2.5 * sigma
    y = base + [near, 1.2, near, 0.0]
    p = _mdc(y, freeze=12).points
    assert p["ucl"].iloc[0] == pytest.approx(1 + 3 * sigma)
    assert p["mdc_rule"].tolist()[12:16] == ["two_of_three", "", "two_of_three", ""]
    # one near point only: no signal
    one = _mdc(base + [near, 1.2, 1.3, 0.0], freeze=12).points
    assert "two_of_three" not in one["mdc_rule"].tolist()
    # two near points but the middle one below the mean: not all on one side
    split = _mdc(base + [near, 0.5, near, 0.0], freeze=12).points
    assert "two_of_three" not in split["mdc_rule"].tolist()
    # outside limits and the assurance icon: target above the UCL, increase better -> fail
    out = _mdc(base + [50.0], target=100.0)
    assert out.points["mdc_rule"].iloc[-1] == "outside_limits"
    s = out.summary.iloc[0]
    assert s["variation"] == "improvement_high" and s["assurance"] == "consistently_fail"
    dec = qic(base + [50.0], chart="i", method="mdc", cl=1, direction="decrease", target=100.0)
    assert dec.summary["variation"].iloc[0] == "concern_high"
    assert dec.summary["assurance"].iloc[0] == "consistently_pass"


# ---------------------------------------------------------------------------
# verdicts
# ---------------------------------------------------------------------------

def test_verdict_improvement_run_below_baseline_median_of_turnover():
    # turnover (decrease is better): 12 baseline months around 10, then 12 months around 5.
    base = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 12, 8]
    after = [5, 6, 4, 5, 6, 4, 5, 6, 4, 5, 6, 4]
    r = qic(base + after, chart="run", freeze=12)
    v = verdicts(r, "decrease")
    assert v["verdict"].tolist() == ["improvement"]
    assert v["sentence"].tolist() == ["signal of improvement"]
    assert verdicts(r, "increase")["verdict"].tolist() == ["deterioration"]
    assert verdicts(r, "neutral")["sentence"].tolist() == ["signal (direction neutral)"]


def test_verdict_point_above_ucl_of_decrease_measure_is_deterioration():
    y = [10, 12, 11, 13, 12, 11, 10, 12, 11, 13, 12, 11, 30]
    r = qic(y, chart="i")
    assert bool(r.points["sigma_signal"].iloc[-1])
    v = verdicts(r, "decrease")
    assert v["verdict"].tolist() == ["deterioration"]
    assert v["sentence"].tolist() == ["signal of deterioration"]


def test_verdict_none_and_too_few():
    saw = qic([1, 3] * 10, chart="run")   # 19 crossings, longest run 1: no Anhøj signal
    assert verdicts(saw, "increase")["sentence"].tolist() == ["no signal — common-cause variation"]
    short = qic([1, 2, 3, 4, 5, 6, 7, 8], chart="run")
    assert verdicts(short, "increase")["sentence"].tolist() == ["too few points to judge (n useful < 10)"]
    assert set(VERDICT_SENTENCES) == {"improvement", "deterioration", "neutral", "none", "too_few"}


# verdicts after a frozen baseline: "did the measure change after the baseline?"

def test_verdict_baseline_spike_above_ucl_then_stable_is_none():
    # I chart, freeze 12. Baseline sum 157 -> mean 157/12 = 13.083; moving ranges
    # 2,1,2,1,18,20,2,1,2,1,1 (mean 51/11 = 4.64); screening at 3.267*4.64 = 15.2 drops
    # 18 and 20 -> AMR = 13/9; UCL = 157/12 + 2.66*13/9 = 16.93, LCL = 9.24: the spike
    # (30) is above the UCL; 12 and 14 after the baseline are inside. Runs (24 useful):
    # 5 below, 1 above, 7 below (6 + the first 12), then alternating -> longest 7 <= 8,
    # 13 crossings >= 8: no runs signal.
    base = [10, 12, 11, 13, 12, 30, 10, 12, 11, 13, 12, 11]
    r = qic(base + [12, 14] * 6, chart="i", freeze=12)
    p = r.points
    assert p["ucl"].iloc[0] == pytest.approx(157 / 12 + 3 * (13 / 9) / 1.128)
    assert np.flatnonzero(p["sigma_signal"]).tolist() == [5]
    assert not bool(r.summary["runs_signal"].iloc[0])
    assert verdicts(r, "decrease")["verdict"].tolist() == ["none"]
    assert verdicts(r, "increase")["verdict"].tolist() == ["none"]
    # the whole-part judgement (the old behaviour) still counts the baseline spike
    assert verdicts(r, "decrease", after_baseline=False)["verdict"].tolist() == ["deterioration"]


def test_verdict_stable_baseline_then_run_below_median_of_decrease_measure_is_improvement():
    # run chart, freeze 12; baseline median = (10 + 10)/2 = 10 (sorted 8,8,9,9,10,10,10,10,
    # 11,11,12,12), ending above it (12). After: 12 points below 10 -> one run of 12;
    # useful = 8 + 12 = 20, limit round(log2 20) + 3 = 7 < 12: signal, low.
    base = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 8, 12]
    r = qic(base + [7, 8, 6] * 4, chart="run", freeze=12)
    assert r.points["cl"].iloc[0] == 10
    assert int(r.summary["longest_run"].iloc[0]) == 12
    assert verdicts(r, "decrease")["verdict"].tolist() == ["improvement"]
    assert verdicts(r, "increase")["verdict"].tolist() == ["deterioration"]


def test_verdict_post_baseline_point_above_ucl_of_decrease_measure_is_deterioration():
    # I chart, freeze 12: mean 138/12 = 11.5; moving ranges sum 15 over 11 -> AMR 15/11
    # (none above 3.267*AMR = 4.45); UCL = 11.5 + 2.66*15/11 = 15.13. The 25 after the
    # baseline is above it; runs: longest 3, many crossings.
    base = [10, 12, 11, 13, 12, 11, 10, 12, 11, 13, 12, 11]
    r = qic(base + [11, 12, 11, 12, 25, 12, 11, 12], chart="i", freeze=12)
    assert r.points["ucl"].iloc[0] == pytest.approx(11.5 + 3 * (15 / 11) / 1.128)
    assert np.flatnonzero(r.points["sigma_signal"]).tolist() == [16]
    assert verdicts(r, "decrease")["verdict"].tolist() == ["deterioration"]
    assert verdicts(r, "increase")["verdict"].tolist() == ["improvement"]


def test_verdict_run_starting_in_baseline_and_continuing_after_counts():
    # run chart, freeze 12; baseline six above and six below its median (7 + 12)/2 = 9.5,
    # ending with 7, 6, 7, 6 below. After: 5, 6, 5, 6, 5 below, then alternating 12/7.
    # Below-run = 4 (baseline) + 5 (after) = 9 > round(log2 24) + 3 = 8: Anhøj signal;
    # runs 1,1,2,1,3,9 then 7 alternating -> 12 crossings >= 8, so only the run signals.
    base = [12, 7, 13, 12, 6, 13, 12, 13, 7, 6, 7, 6]
    y = base + [5, 6, 5, 6, 5] + [12, 7] * 3 + [12]
    r = qic(y, chart="run", freeze=12)
    s = r.summary.iloc[0]
    assert r.points["cl"].iloc[0] == 9.5
    assert (int(s["n_useful"]), int(s["longest_run"]), int(s["n_crossings"])) == (24, 9, 12)
    assert verdicts(r, "decrease")["verdict"].tolist() == ["improvement"]
    assert verdicts(r, "increase")["verdict"].tolist() == ["deterioration"]
    # the same run is an IHI shift (>= 6 points) reaching past the baseline
    ihi = qic(y, chart="run", freeze=12, method="ihi")
    assert verdicts(ihi, "decrease")["verdict"].tolist() == ["improvement"]


def test_verdict_run_inside_baseline_only_does_not_count():
    # I chart, freeze 12: one high first value pulls the baseline mean up, so the other
    # eleven baseline points (10, 11 alternating) all sit below it: mean =
    # (40 + 6*10 + 5*11)/12 = 155/12 = 12.92 -> an IHI shift of 11 below that ends on the
    # last baseline point. After: 14, 12 alternating around 12.92 (the first is above, so
    # the shift stops at the baseline); no trend; 14 runs for 23 useful points is inside
    # the IHI table's 7..17.
    base = [40, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10]
    r = qic(base + [14, 12] * 6, chart="i", freeze=12, method="ihi")
    s = r.summary.iloc[0]
    assert r.points["cl"].iloc[0] == pytest.approx(155 / 12)
    assert bool(s["shift_signal"]) and int(s["longest_shift"]) == 11
    assert not bool(s["trend_signal"]) and not bool(s["too_few_runs"]) and not bool(s["too_many_runs"])
    # judged over the whole part the baseline shift (the latest signal) decides ...
    assert verdicts(r, "decrease", after_baseline=False)["verdict"].tolist() == ["improvement"]
    # ... but nothing changed after the baseline
    assert verdicts(r, "decrease")["verdict"].tolist() == ["none"]


def test_verdicts_per_facet_and_part_and_last_part():
    y = [1, 3] * 10 + list(range(20))
    r = qic(y, chart="run", facet=["a"] * 20 + ["b"] * 20, part=[10])
    v = verdicts(r, "increase")
    assert v[["facet", "part"]].values.tolist() == [["a", 1], ["a", 2], ["b", 1], ["b", 2]]
    last = verdicts(r, "increase", parts="last")
    assert last["facet"].tolist() == ["a", "b"] and last["part"].tolist() == [2, 2]


# ---------------------------------------------------------------------------
# invariants (hypothesis)
# ---------------------------------------------------------------------------

series = st.lists(st.one_of(st.integers(-20, 20).map(float), st.just(float("nan"))), min_size=1, max_size=60)


@settings(max_examples=80, deadline=None)
@given(series, st.sampled_from(["run", "i", "c", "g"]))
def test_run_statistics_bounds(y, chart):
    if chart in ("c", "g"):
        y = [abs(v) for v in y]
    s = qic(y, chart=chart).summary.iloc[0]
    m = s["n_useful"]
    assert 0 <= m <= s["n_obs"] <= len(y)
    if m > 0:
        assert 0 <= s["n_crossings"] <= m - 1
        assert 1 <= s["longest_run"] <= m
    else:
        assert math.isnan(s["longest_run"]) and not s["runs_signal"]


@settings(max_examples=60, deadline=None)
@given(series, st.sampled_from([0.5, 10.0, 100.0, 1000.0]))
def test_limits_scale_linearly_with_multiply(y, k):
    a = qic(y, chart="i").points
    b = qic(y, chart="i", multiply=k).points
    for col in ("y", "cl", "lcl", "ucl", "lcl_95", "ucl_95"):
        np.testing.assert_allclose(b[col].to_numpy(), k * a[col].to_numpy(), rtol=1e-12, equal_nan=True)
    assert (a["sigma_signal"] == b["sigma_signal"]).all()


@settings(max_examples=60, deadline=None)
@given(series, st.sampled_from(["run", "i"]))
def test_reversing_series_leaves_runs_analysis_unchanged(y, chart):
    cols = ["n_obs", "n_useful", "longest_run", "n_crossings", "runs_signal"]
    a = qic(y, chart=chart).summary[cols].iloc[0].tolist()
    b = qic(y[::-1], chart=chart).summary[cols].iloc[0].tolist()
    assert [str(v) for v in a] == [str(v) for v in b]


@settings(max_examples=40, deadline=None)
@given(series, series)
def test_facets_are_independent(y1, y2):
    both = qic(y1 + y2, chart="i", facet=["a"] * len(y1) + ["b"] * len(y2),
               x=list(range(len(y1))) + list(range(len(y2))))
    for f, y in (("a", y1), ("b", y2)):
        one = qic(y, chart="i").summary.drop(columns="facet").iloc[0]
        got = both.summary[both.summary["facet"] == f].drop(columns="facet").iloc[0]
        for col in one.index:
            if isinstance(one[col], float):
                assert (math.isnan(one[col]) and math.isnan(got[col])) or got[col] == pytest.approx(one[col])
            else:
                assert one[col] == got[col]
