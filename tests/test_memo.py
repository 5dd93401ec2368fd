"""Run-scoped memory (evalkit.memo): what every report shares is computed once, and is exact."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from evalkit.memo import frame_digest, remember, run_memo

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"


def test_remember_computes_each_key_once_inside_a_run_and_every_time_outside():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert remember("k", compute) == 1 and remember("k", compute) == 2  # outside: no memory
    with run_memo():
        assert remember("k", compute) == 3
        assert remember("k", compute) == 3
        with run_memo():  # a nested block shares the outer memory
            assert remember("k", compute) == 3
        assert remember("other", compute) == 4
    assert remember("k", compute) == 5  # forgotten after the block


def test_forget_drops_what_was_remembered_and_keeps_the_block_open():
    from evalkit.memo import forget

    with run_memo():
        remember("k", lambda: 1)
        forget()
        assert remember("k", lambda: 2) == 2
        assert remember("k", lambda: 3) == 2
    forget()  # outside a block: nothing to do


def test_frame_digest_sees_values_and_types_not_the_index():
    a = pd.DataFrame({"team_id": ["x", "y"], "numerator": [1.0, 2.0]})
    assert frame_digest(a) == frame_digest(a.set_axis([10, 11]))
    assert frame_digest(a) != frame_digest(a.assign(numerator=[1.0, 2.5]))
    assert frame_digest(a) != frame_digest(a.assign(numerator=[1, 2]))  # same numbers, another type
    assert frame_digest(a) != frame_digest(a.iloc[::-1])


def _team_page(team_id: str, params_dir: Path = ROOT / "params"):
    from evalkit.inputs.params import load_team
    from evalkit.report import sections

    params = load_team(params_dir, team_id)
    tables = sections.load_report_tables(DEMO, team_id, kind="team", params=params, params_dir=params_dir)
    return sections.measure_charts(tables, params)


@pytest.mark.parametrize("team", ["prairie-north", "valley-county"])  # valley-county sets its own target
def test_a_team_page_from_the_run_memory_equals_the_page_computed_alone(monkeypatch, team):
    """The batch parent warms the memory with one team; another team's page must not change."""
    import evalkit.effects.imputation as imputation
    from evalkit.report.sections import comparison_note, comparison_table, warm_shared_analyses

    alone = _team_page(team)
    with run_memo():
        warm_shared_analyses({"team_id": "cedar-river-tribe", "data_dir": str(DEMO), "params_dir": str(ROOT / "params"),
                              "exclude_units": []})

        def refit(*args, **kwargs):
            raise AssertionError("the comparison was fitted again")

        monkeypatch.setattr(imputation, "imputation_did", refit)
        warmed = _team_page(team)
    pd.testing.assert_frame_equal(alone.verdicts, warmed.verdicts)
    pd.testing.assert_frame_equal(comparison_table(alone), comparison_table(warmed))
    assert comparison_note(alone) == comparison_note(warmed)
    pd.testing.assert_frame_equal(alone.judgement.base_rate, warmed.judgement.base_rate)
    for measure_id, fit in alone.judgement.comparison.items():
        for part in ("effects", "residuals", "event_study"):  # types too: a start given as '2023-06' or a Timestamp
            pd.testing.assert_frame_equal(getattr(fit, part), getattr(warmed.judgement.comparison[measure_id], part))


def test_a_changed_params_file_is_read_again_for_the_starts(tmp_path):
    from evalkit.effects.panel import team_starts
    from evalkit.inputs.read import load_tables

    params = tmp_path / "params"
    shutil.copytree(ROOT / "params", params)
    teams = load_tables(DEMO)["teams"]
    team = "evergreen-metro"
    with run_memo():
        before = team_starts(teams, params)[team]
        path = params / "teams" / f"{team}.yaml"
        text = path.read_text()
        assert "intervention_start" in text
        lines = [("intervention_start: 2021-01" if line.startswith("intervention_start") else line)
                 for line in text.splitlines()]
        path.write_text("\n".join(lines) + "\n# changed\n")
        after = team_starts(teams, params)[team]
    assert before != pd.Timestamp("2021-01-01") and after == pd.Timestamp("2021-01-01")


def test_a_judgement_on_changed_numbers_is_computed_again():
    from evalkit.effects.verdict import judge_measures
    from evalkit.inputs.params import load_collaborative
    from evalkit.inputs.read import load_tables
    from evalkit.collaborative.rollup import team_starts

    collaborative = load_collaborative(ROOT / "params")
    tables = load_tables(DEMO)
    measures, teams = tables["measures"], tables["teams"]
    starts = team_starts(teams, ROOT / "params")
    specs = {"turnover_rate": collaborative.measures["turnover_rate"]}
    comparison = teams.loc[teams["role"] == "comparison", "team_id"].iloc[0]
    changed = measures.copy()
    rows = (changed["team_id"] == comparison) & (changed["measure_id"] == "turnover_rate")
    changed.loc[rows, "numerator"] = changed.loc[rows, "numerator"] + 5
    with run_memo():
        first = judge_measures(measures, teams, specs, starts=starts, only=["prairie-north"])
        second = judge_measures(changed, teams, specs, starts=starts, only=["prairie-north"])
    alone = judge_measures(changed, teams, specs, starts=starts, only=["prairie-north"])
    assert not first.comparison["turnover_rate"].effects.equals(second.comparison["turnover_rate"].effects)
    pd.testing.assert_frame_equal(second.verdicts, alone.verdicts)
    pd.testing.assert_frame_equal(second.comparison["turnover_rate"].effects, alone.comparison["turnover_rate"].effects)


@pytest.fixture(autouse=True)
def _no_memory_leaks_between_tests():
    import evalkit.memo as memo

    assert memo._MEMO is None
    yield
    assert memo._MEMO is None
