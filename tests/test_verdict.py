"""The one verdict function (evalkit.effects.verdict) and that every place shows its answer."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evalkit.effects.verdict import VERDICT_TONES, VERDICT_WORDS, VERDICTS, measure_verdict

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
    assert (up.verdict, up.words, up.n_pre, up.n_post) == ("improved", "improvement", 12, 12)
    assert up.chart.freeze == 12
    down = measure_verdict(STEP_UP, "m", chart="p", direction="decrease", multiply=100, start="2023-01")
    assert down.verdict == "deteriorated"


def test_no_change_when_the_months_after_look_like_the_baseline():
    flat = measure_verdict(_series([28, 32] * 12), "m", chart="p", direction="increase", multiply=100,
                           start="2023-01")
    assert flat.verdict == "no_change" and flat.words == "no signal"


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
