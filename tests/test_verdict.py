"""The one verdict function (evalkit.effects.verdict) and that every place shows its answer."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit.effects.verdict import (VERDICT_TONES, VERDICT_WORDS, VERDICTS, combine_evidence, measure_verdict,
                                     prime_chart)

ROOT = Path(__file__).resolve().parents[1]
MONTHS = pd.date_range("2022-01-01", periods=24, freq="MS")


def _series(numerators, denominator=100):
    return pd.DataFrame({"period": MONTHS[:len(numerators)], "numerator": numerators,
                         "denominator": [denominator] * len(numerators)})


# 12 baseline months alternating 28/32 of 100 (centre 30%), then 12 months at 60 of 100: by hand every
# post-start point lies above the baseline centre line, a run of 12 > the Anhøj limit round(log2(24)) + 3 = 8.
STEP_UP = _series([28, 32] * 6 + [60] * 12)


def test_a_sustained_rise_is_improved_when_higher_is_better_and_deteriorated_when_lower_is():
    up = measure_verdict(STEP_UP, "m", chart="p", direction="increase", multiply=100, start="2023-01")
    assert (up.verdict, up.words, up.n_pre, up.n_post) == ("improved", "improved", 12, 12)
    assert up.shift == 1 and up.headline["design"] is None  # no comparison, no ITS: the chart alone
    assert up.chart.freeze == 12
    down = measure_verdict(STEP_UP, "m", chart="p", direction="decrease", multiply=100, start="2023-01")
    assert down.verdict == "deteriorated"


def test_no_change_when_the_months_after_look_like_the_baseline():
    flat = measure_verdict(_series([28, 32] * 12), "m", chart="p", direction="increase", multiply=100,
                           start="2023-01")
    assert flat.verdict == "no_change" and flat.words == "no clear change"


@pytest.mark.parametrize("series, start", [
    (_series([28, 32] * 12), None),            # no start: no baseline
    (_series([28, 32] * 12), "2022-02"),       # one baseline month
    (_series([28, 32] * 12), "2024-06"),       # no month after the start
    (_series([None, None] + [30] * 22), "2022-03"),  # baseline months all blank (suppressed)
])
def test_too_little_data_without_a_baseline_or_months_after(series, start):
    v = measure_verdict(series, "m", chart="p", direction="increase", multiply=100, start=start)
    assert v.verdict == "too_little_data"


def test_no_rows_is_too_little_data_worded_no_data():
    v = measure_verdict(_series([]), "m", chart="p", direction="increase", start="2022-06")
    assert (v.verdict, v.words, v.chart) == ("too_little_data", "no data", None)


def test_vocabulary_words_and_tones_cover_every_verdict():
    assert VERDICTS == ("improved", "deteriorated", "no_change", "mixed", "too_little_data")
    assert set(VERDICT_WORDS) == set(VERDICTS) == set(VERDICT_TONES)


def test_team_page_and_collaborative_board_give_the_same_verdicts_on_the_demo():
    from evalkit.collaborative.rollup import team_starts, team_verdicts
    from evalkit.inputs.kinds import REPORT_KINDS
    from evalkit.inputs.params import load_collaborative, load_team
    from evalkit.report import sections

    collaborative = load_collaborative(ROOT / "params")
    tables = sections.load_report_tables(ROOT / "data" / "demo", kind="collaborative", params=collaborative)
    board = team_verdicts(tables["measures"], tables["teams"], collaborative.measures,
                          starts=team_starts(tables["teams"], ROOT / "params"), method=collaborative.rules.method,
                          roles=("participant",)).set_index(["team_id", "measure_id"])["verdict"]
    compared = 0
    for team_id in REPORT_KINDS["team"].ids(ROOT / "params", tables["teams"]):
        params = load_team(ROOT / "params", team_id)
        own = sections.load_report_tables(ROOT / "data" / "demo", team_id, kind="team", params=params)
        page = sections.measure_charts(own, params).verdicts.set_index("measure_id")["verdict"]
        for measure_id, verdict in page.items():
            assert board[(team_id, measure_id)] == verdict, (team_id, measure_id)
            compared += 1
    assert compared == 48  # 12 teams × 4 measures


# --------------------------------------------------------------------------- how the designs combine
@pytest.mark.parametrize("headline, supported, shift, its, expected", [
    (1, 1, 0, None, "improved"),        # 95% interval better, nothing against
    (1, 1, 1, 1, "improved"),           # and both other designs agree
    (-1, -1, 0, 0, "deteriorated"),
    (1, 1, -1, None, "mixed"),          # the chart shifted the other way
    (1, 1, 0, -1, "mixed"),             # the team's own trend points the other way
    (0, 1, 1, None, "improved"),        # 90% interval better and the chart agrees: two designs
    (0, 1, 0, None, "no_change"),       # 90% alone is not enough
    (0, 1, 1, -1, "mixed"),             # chart and 90% agree but the own trend is significant the other way
    (0, 0, 1, 1, "mixed"),              # chart and own trend agree, the comparison shows nothing
    (0, 0, 1, None, "no_change"),       # a chart shift alone beside a null comparison
    (0, 0, 0, 0, "no_change"),
])
def test_combine_evidence_rules(headline, supported, shift, its, expected):
    verdict, strength = combine_evidence(headline_sign=headline, supported_sign=supported,
                                         headline_design="comparison", shift=shift, its_sign=its, estimable=True)
    assert verdict == expected
    if expected in ("improved", "deteriorated"):
        assert "excludes no change" in strength
    if expected == "no_change":
        assert strength == "the interval includes no change"


def test_without_any_estimate_the_chart_decides_and_says_it_is_weak():
    verdict, strength = combine_evidence(headline_sign=0, headline_design=None, shift=-1, its_sign=None,
                                         estimable=False)
    assert verdict == "deteriorated" and "only the run chart" in strength and "weak" in strength


def test_prime_chart_for_an_over_dispersed_baseline_only():
    base = np.ones(12, bool)
    # binomial noise around 30% of 1000: sigma_z ~ 1 -> stays a p chart
    rng = np.random.default_rng(4)
    n = np.full(12, 1000)
    assert prime_chart("p", rng.binomial(n, 0.3), n, base) == "p"
    # months alternating 20% / 40% of 1000: z = ±6.9, moving range 13.8 -> sigma_z = 12.2 > 1.5
    assert prime_chart("p", np.tile([200, 400], 6), n, base) == "pp"
    assert prime_chart("u", np.tile([200, 400], 6), n, base) == "up"
    assert prime_chart("i", np.tile([200, 400], 6), n, base) == "i"


def test_unusual_months_are_listed_but_do_not_decide():
    # flat baseline 30% of 100, then flat 30% with one month at 60%: one point above the limit
    v = measure_verdict(_series([29, 31] * 6 + [30] * 5 + [60] + [30] * 6), "m", chart="p", direction="increase",
                        multiply=100, start="2023-01")
    assert v.unusual_months == ("2023-06",)
    assert v.verdict == "no_change" and "Unusual month (2023-06): worth looking into" in v.sentence


def test_many_months_outside_the_limits_are_summarised_not_listed():
    from evalkit.effects.verdict import unusual_months_text

    assert unusual_months_text(("2023-01", "2023-02")) == "unusual months (2023-01, 2023-02): worth looking into"
    assert unusual_months_text(tuple(f"2023-{m:02d}" for m in range(1, 6))).startswith(
        "5 months outside the control limits")


def test_a_month_with_a_zero_denominator_never_reaches_a_report_chart():
    # qic keeps qicharts2's +Inf for a count over 0 (tests/data/spc_reference/u_zero_den_positive_count);
    # every report blanks denominators under the small-number threshold before charting, 0 included
    from evalkit.privacy import suppress_small_denominators

    measures = pd.DataFrame({"team_id": ["a"] * 3, "period": MONTHS[:3], "measure_id": ["m"] * 3,
                             "numerator": [2.0, 3.0, 4.0], "denominator": [40.0, 0.0, 40.0]})
    out = suppress_small_denominators(measures, {"m": "u"}, threshold=10)
    assert np.isnan(out["numerator"].iloc[1]) and out["numerator"].iloc[[0, 2]].tolist() == [2.0, 4.0]


def test_without_comparison_units_the_teams_own_trend_is_the_headline_and_a_ratio_reads_as_one():
    from evalkit.effects.narrative import headline_phrase

    its = {"estimate": 2.1, "ci_low": 1.6, "ci_high": 2.8, "p_value": 0.001, "null": 1.0}
    v = measure_verdict(STEP_UP, "m", chart="p", direction="increase", multiply=100, start="2023-01", its=its)
    assert v.verdict == "improved" and v.headline["design"] == "its" and v.headline["scale"] == "ratio"
    assert headline_phrase(2.1, 1.6, 2.8, design="its", scale="ratio") == (
        "2.10 times what the team's own earlier trend predicted (95% interval 1.60 to 2.80; 1 means no change)")
