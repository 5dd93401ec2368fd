"""Tests of evalkit.inputs.params: YAML params validated into frozen objects, one line per problem."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pydantic
import pytest

from evalkit.errors import ParamsError, ValidationFailed
from evalkit.inputs.params import (
    ParamsValidationFailed,
    check_params,
    list_countries,
    list_teams,
    load_collaborative,
    load_country,
    load_team,
)

ROOT = Path(__file__).resolve().parents[1]

COLLABORATIVE = """\
title: "Test"
synthetic: true
data_as_of: 2024-12-31
rules: {method: ihi}
suppression: {min_count: 11, min_respondents: 5}
measures:
  turnover_rate: {label: Turnover, definition: d, chart: u, direction: decrease, multiply: 100, unit: "%", target: 3}
  supervision: {label: Supervision, definition: d, chart: p, direction: increase, multiply: 100, unit: "%"}
"""


def folder(tmp_path, files: dict[str, str]) -> Path:
    root = tmp_path / "params"
    for name, text in {"collaborative.yaml": COLLABORATIVE, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def failure(call, *args) -> list[str]:
    with pytest.raises(ParamsValidationFailed) as info:
        call(*args)
    assert isinstance(info.value, ParamsError) and isinstance(info.value, ValidationFailed)
    return [str(p) for p in info.value.problems]


# --------------------------------------------------------------------------- the committed params


def test_committed_params_are_valid_and_cover_every_demo_unit():
    assert [str(p) for p in check_params(ROOT / "params")] == []
    # demo ids fixed by the team brief: 12 participating teams + 4 comparison units
    assert list_teams(ROOT / "params") == sorted([
        "cedar-river-tribe", "red-willow-nation", "north-lake-band-east", "north-lake-band-west",
        "prairie-north", "prairie-harbor", "sunflower-northeast", "sunflower-northwest",
        "mesa-southeast", "evergreen-metro", "evergreen-east", "valley-county",
        "granite-county", "bluewater-county", "copper-hills", "timber-valley",
    ])
    assert list_countries(ROOT / "params") == ["evergreen", "moldova"]


def test_committed_measures_match_the_brief():
    p = load_collaborative(ROOT / "params")
    assert p.synthetic is True and p.data_as_of == dt.date(2024, 12, 31)
    assert (p.rules.method, p.suppression.min_count, p.suppression.min_respondents) == ("anhoej", 10, 5)
    # measure_id -> (chart, direction, multiply, unit) as defined in the team brief
    assert {k: (m.chart, m.direction, m.multiply, m.unit) for k, m in p.measures.items()} == {
        "turnover_rate": ("u", "decrease", 100, "% per month"),
        "supervision": ("p", "increase", 100, "%"),
        "vacancy_rate": ("p", "decrease", 100, "%"),
        "wellbeing_pulse": ("i", "increase", 1, "(1-5)"),
    }


def test_cbi_scoring_keys_follow_kristensen_2005():
    # Kristensen, Borritz, Villadsen & Christensen (2005), Work & Stress 19(3):192-207:
    # work-related burnout = 7 items coded 100/75/50/25/0; "enough energy for family and friends
    # during leisure time" (item 7) reversed; scale score = mean of answered items; respondents
    # with fewer than half the items answered are missing (half of 7 is 3.5, so at least 4).
    cbi = load_collaborative(ROOT / "params").instruments["cbi_work"]
    assert cbi.items == tuple(f"cbi_work_{i}" for i in range(1, 8))
    assert cbi.reverse == ("cbi_work_7",)
    assert (cbi.response_min, cbi.response_max, cbi.score, cbi.min_items) == (0, 100, "mean", 4)
    assert (cbi.cutoff, cbi.higher_is) == (50, "worse")
    itl = load_collaborative(ROOT / "params").instruments["intent_to_leave"]
    assert itl.items == ("itl_1", "itl_2", "itl_3") and (itl.response_min, itl.response_max) == (1, 5)
    assert (itl.score, itl.min_items, itl.cutoff, itl.higher_is) == ("mean", 2, 4, "worse")


def test_team_defaults_merged_with_team_file():
    team = load_team(ROOT / "params", "valley-county")
    assert team.team_id == "valley-county"
    assert team.intervention_start == dt.date(2023, 8, 1)
    assert team.measures["vacancy_rate"].target == 10  # the team's own goal
    assert team.measures["turnover_rate"].target is None  # shared default
    assert team.measures["vacancy_rate"].chart == "p" and team.synthetic is True
    plain = load_team(ROOT / "params", "granite-county")
    assert plain.intervention_start is None and plain.notes.startswith("Comparison unit")


def test_params_objects_are_frozen():
    team = load_team(ROOT / "params", "cedar-river-tribe")
    with pytest.raises(pydantic.ValidationError):
        team.team_id = "other"
    with pytest.raises(pydantic.ValidationError):
        team.measures["turnover_rate"].chart = "i"


def test_country_params_and_suppression_override(tmp_path):
    moldova = load_country(ROOT / "params", "moldova")
    assert (moldova.kind, moldova.as_of, moldova.suppression.min_count) == ("country", dt.date(2024, 6, 30), 10)
    assert "lived-experience" in moldova.expected_sectors
    root = folder(tmp_path, {"countries/land.yaml": "country_id: land\nname: Land\nkind: county\nas_of: 2024-01-31\n"
                                                   "suppression: {min_respondents: 8}\n"})
    land = load_country(root, "land")
    assert (land.suppression.min_count, land.suppression.min_respondents) == (11, 8)  # 11 from the shared file


# --------------------------------------------------------------------------- one line per problem


def test_wrong_chart_value(tmp_path):
    root = folder(tmp_path, {"collaborative.yaml": COLLABORATIVE.replace("chart: u", "chart: q")})
    assert failure(load_collaborative, root) == [
        f"{root}/collaborative.yaml, key measures.turnover_rate.chart: 'q' is not one of run, i, mr, xbar, s, t, p, "
        "pp, c, u, up, g; fix the value"
    ]


def test_all_problems_of_a_file_are_collected(tmp_path):
    text = (COLLABORATIVE.replace("method: ihi", "method: shewhart").replace("min_count: 11", "min_count: many")
            .replace("direction: increase", "direction: up").replace("title: \"Test\"\n", "")
            + "colour: blue\n")
    root = folder(tmp_path, {"collaborative.yaml": text})
    f = f"{root}/collaborative.yaml"
    assert failure(load_collaborative, root) == [
        f"{f}, key title: required key is missing; add it (see the comments in params/collaborative.yaml)",
        f"{f}, key rules.method: 'shewhart' is not one of anhoej, bestbox, cutbox, ihi, mdc; fix the value",
        f"{f}, key suppression.min_count: 'many' is not a whole number; fix the value",
        f"{f}, key measures.supervision.direction: 'up' is not one of increase, decrease, neutral; fix the value",
        f"{f}, key colour: unknown key; allowed here: title, synthetic, data_as_of, rules, suppression, effects, "
        "measures, instruments; check the spelling or remove it",
    ]


def test_nested_unknown_key_lists_the_keys_allowed_there(tmp_path):
    root = folder(tmp_path, {"collaborative.yaml": COLLABORATIVE.replace("unit: \"%\", target: 3", "unti: \"%\"")})
    assert failure(load_collaborative, root) == [
        f"{root}/collaborative.yaml, key measures.turnover_rate.unti: unknown key; allowed here: label, definition, "
        "chart, direction, multiply, unit, target; check the spelling or remove it"
    ]


@pytest.mark.parametrize("value,message", [
    ("2024-02-30", "'2024-02-30' is not a real calendar date; use YYYY-MM-DD"),
    ("31/12/2024", "'31/12/2024' is not a date; use YYYY-MM-DD"),
    ("2024-12-31T10:00:00", "'2024-12-31T10:00:00' is not a date; use YYYY-MM-DD"),
])
def test_dates_are_parsed_explicitly(tmp_path, value, message):
    root = folder(tmp_path, {"collaborative.yaml": COLLABORATIVE.replace("2024-12-31", value)})
    assert failure(load_collaborative, root) == [f"{root}/collaborative.yaml, key data_as_of: {message}"]


def test_team_file_problems(tmp_path):
    root = folder(tmp_path, {
        "teams/team-a.yaml": "team_id: team-b\n",
        "teams/team-c.yaml": "team_id: team-c\nintervention_start: 2023-13\nmeasures: {turnover: {target: 2}}\n",
        "teams/team-d.yaml": "team_id: ../x\n",
        "teams/team-e.yaml": "team_id: Team-E\nmeasures: {supervision: {target: 80, label: S}}\n",
    })
    assert failure(load_team, root, "team-a") == [
        f"{root}/teams/team-a.yaml, key team_id: 'team-b' does not match the file name; write team_id: team-a (or "
        "rename the file)"
    ]
    assert failure(load_team, root, "team-c") == [
        f"{root}/teams/team-c.yaml, key intervention_start: '2023-13' is not a real month; use YYYY-MM with a month "
        "from 01 to 12"
    ]
    assert failure(load_team, root, "team-d") == [
        f"{root}/teams/team-d.yaml, key team_id: '../x' is not a valid id: ids become file names, so '/', '\\' and "
        "'..' would escape the output folder; use lower-case letters, digits and hyphens"
    ]
    assert failure(load_team, root, "team-e") == [
        f"{root}/teams/team-e.yaml, key team_id: 'Team-E' is not a valid id: ids are lower case; write 'team-e'",
        f"{root}/teams/team-e.yaml, key measures.supervision.label: unknown key; allowed here: target; check the "
        "spelling or remove it",
    ]


def test_team_overriding_an_undefined_measure(tmp_path):
    root = folder(tmp_path, {"teams/team-c.yaml": "team_id: team-c\nmeasures: {turnover: {target: 2}}\n"})
    assert failure(load_team, root, "team-c") == [
        f"{root}/teams/team-c.yaml, key measures.turnover: 'turnover' is not a measure defined in "
        "params/collaborative.yaml (turnover_rate, supervision); fix the name"
    ]


def test_file_names_must_be_ids(tmp_path):
    root = folder(tmp_path, {"teams/Team A.yaml": "team_id: team-a\n"})
    assert [str(p) for p in check_params(root)] == [
        f"{root}/teams/Team A.yaml: the file name is not a valid team id: 'Team A' is not a valid id; use lower-case "
        "letters, digits and hyphens (e.g. cedar-river-tribe)"
    ]


def test_country_file_problems(tmp_path):
    root = folder(tmp_path, {"countries/land.yaml": "country_id: land\nname: Land\nkind: province\nas_of: 2024-06\n"
                                                   "expected_sectors: ngo\n"})
    assert failure(load_country, root, "land") == [
        f"{root}/countries/land.yaml, key kind: 'province' is not one of country, state, county; fix the value",
        f"{root}/countries/land.yaml, key as_of: '2024-06' is not a date; use YYYY-MM-DD",
        f"{root}/countries/land.yaml, key expected_sectors: 'ngo' should be a list, e.g. [a, b]",
    ]


def test_instrument_consistency(tmp_path):
    text = COLLABORATIVE + (
        "instruments:\n"
        "  scale: {label: S, items: [q1, q2], reverse: [q3], response_min: 1, response_max: 5, min_items: 1,"
        " higher_is: worse}\n"
        "  other: {label: O, items: [q1, q2], response_min: 1, response_max: 5, min_items: 3, higher_is: better}\n"
        "  third: {label: T, items: [q1], response_min: 1, response_max: 5, min_items: 1, cutoff: 7,"
        " cutoff_label: high, higher_is: better}\n"
    )
    root = folder(tmp_path, {"collaborative.yaml": text})
    f = f"{root}/collaborative.yaml"
    assert failure(load_collaborative, root) == [
        f"{f}, key instruments.scale: reverse names q3, which is not in items; reverse-keyed items must be in items",
        f"{f}, key instruments.other: min_items (3) is more than the 2 items; lower it",
        f"{f}, key instruments.third: cutoff (7) is outside the response range 1–5",
    ]


@pytest.mark.parametrize("text,message", [
    ("", "file is empty; it needs at least the required keys"),
    ("- a\n- b\n", "should be a set of 'key: value' lines, not a single value or a list"),
    ("title: [unclosed\n", "is not valid YAML at line 2, column 1 (expected ',' or ']', but got '<stream end>'); "
                           "check indentation and colons"),
    ("title: !!python/object:os.system x\n", None),  # safe_load refuses python tags
])
def test_unreadable_yaml(tmp_path, text, message):
    root = folder(tmp_path, {"collaborative.yaml": text})
    (line,) = failure(load_collaborative, root)
    if message is None:
        assert line.startswith(f"{root}/collaborative.yaml: is not valid YAML at line 1")
    else:
        assert line == f"{root}/collaborative.yaml: {message}"


def test_missing_files(tmp_path):
    root = folder(tmp_path, {})
    assert failure(load_team, root, "nobody") == [
        f"{root}/teams/nobody.yaml: file not found; check the params folder"
    ]
    assert [str(p) for p in check_params(tmp_path / "none")] == [
        f"{tmp_path}/none: params folder not found; give the folder that holds collaborative.yaml"
    ]


def test_every_params_problem_is_one_line(tmp_path):
    root = folder(tmp_path, {"collaborative.yaml": COLLABORATIVE.replace("title: \"Test\"", "title:\n  - a\n  - b")})
    problems = check_params(root)
    assert problems and all("\n" not in str(p) for p in problems)
