"""Hostile inputs: files written (by accident or on purpose) to break validation.

Each test copies the small valid folder ``tests/data/hostile/base`` (data + params) to a
temporary folder, replaces one file and asserts the exact one-line problems: an alias bomb,
duplicate YAML keys, infinite or absurd numbers, dates pandas cannot store, a team without
rows, reserved file names as ids, and person-level ids in messages that reach shared outputs.
Expected messages are written by hand from the wording rules of evalkit.errors (file, row,
column, value, what is expected).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from evalkit.batch.plan import default_notebooks_dir, make_jobs, validate_and_plan
from evalkit.errors import Problem
from evalkit.inputs.params import check_collaborative, check_params, load_collaborative, load_team
from evalkit.inputs.read import DataValidationFailed, read_table
from evalkit.inputs.validate import validate_inputs

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "data" / "hostile"


def make(tmp_path: Path, data: dict | None = None, params: dict | None = None) -> tuple[Path, Path]:
    """Copy the valid base folder, then write (text) or delete (None) the files given."""
    shutil.copytree(HOSTILE / "base", tmp_path, dirs_exist_ok=True)
    d, p = tmp_path / "data", tmp_path / "params"
    for root, changes in ((d, data or {}), (p, params or {})):
        for name, text in changes.items():
            path = root / name
            if text is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return d, p


def texts(problems, tmp_path: Path) -> list[str]:
    return [str(x).replace(str(tmp_path), "<tmp>") for x in problems]


def test_the_base_folder_is_valid(tmp_path):
    assert validate_inputs(*make(tmp_path)) == []


# --------------------------------------------------------------------------- 1. YAML alias bomb


def _check_in_child(params_dir: Path, seconds: float = 60) -> str:
    """check_params in a child process (so a hang fails the test instead of hanging the suite)."""
    code = ("import sys; from evalkit.inputs.params import check_params\n"
            "print('\\n'.join(str(p) for p in check_params(sys.argv[1])))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code, str(params_dir)], capture_output=True, text=True,
                          timeout=seconds, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_billion_laughs_is_refused_at_once_without_expanding(tmp_path):
    _, p = make(tmp_path, params={"collaborative.yaml": (HOSTILE / "billion-laughs.yaml").read_text()})
    out = _check_in_child(p, seconds=60)
    assert out.splitlines() == [
        f"{p}/collaborative.yaml: its aliases (*name) expand to more than 10,000 values; write the values out "
        "instead of repeating aliases"
    ]
    assert "lol" not in out


def test_small_anchors_and_merge_keys_still_work(tmp_path):
    # an anchor reused with a merge key, overriding one of its keys (not a duplicate key)
    collaborative = (HOSTILE / "base" / "params" / "collaborative.yaml").read_text().replace(
        "turnover_rate: {", "turnover_rate: &rate {")
    collaborative = collaborative.replace("instruments:", "  sickness_rate: {<<: *rate, label: Sickness}\ninstruments:")
    _, p = make(tmp_path, params={"collaborative.yaml": collaborative})
    measures = load_collaborative(p).measures
    assert (measures["sickness_rate"].chart, measures["sickness_rate"].label) == ("u", "Sickness")


@pytest.mark.parametrize("text,message", [
    ("title: &a [1, *a]\n",
     " line 1: an alias (*name) refers to the value that contains it; write the values out"),
    ("title: " + "[" * 5000 + "]" * 5000 + "\n",
     ": is nested too deeply to read (lists or groups inside each other hundreds of levels deep); check the "
     "brackets and indentation"),
])
def test_self_referring_and_deeply_nested_yaml(tmp_path, text, message):
    _, p = make(tmp_path, params={"collaborative.yaml": text})
    assert [str(x) for x in check_collaborative(p)[1]] == [f"{p}/collaborative.yaml{message}"]


# --------------------------------------------------------------------------- 2. duplicate keys


def test_a_second_suppression_block_is_an_error_not_the_winner(tmp_path):
    _, p = make(tmp_path, params={"collaborative.yaml": (HOSTILE / "duplicate-suppression.yaml").read_text()})
    assert texts(check_params(p), tmp_path) == [
        "<tmp>/params/collaborative.yaml line 12: key 'suppression' appears twice; keep one"
    ]


def test_duplicate_keys_nested_and_in_team_files(tmp_path):
    _, p = make(tmp_path, params={"teams/team-a.yaml": "team_id: team-a\nmeasures:\n  turnover_rate: {target: 3}\n"
                                                       "  turnover_rate: {target: 30}\n"})
    assert texts(check_params(p), tmp_path) == [
        "<tmp>/params/teams/team-a.yaml line 4: key 'turnover_rate' appears twice; keep one"
    ]


# --------------------------------------------------------------------------- 3. non-finite numbers


@pytest.mark.parametrize("value", ["inf", "-inf", "Infinity", "1e308", "-2e15"])
def test_infinite_and_absurd_numbers_in_a_table(tmp_path, value):
    measures = f"team_id,period,measure_id,numerator,denominator\nteam-a,2023-04,turnover_rate,{value},10\n" \
               "team-b,2023-04,turnover_rate,1,8\n"
    problems = validate_inputs(*make(tmp_path, data={"measures.csv": measures}))
    assert texts(problems, tmp_path) == [
        f"<tmp>/data/measures.csv row 2, column numerator: '{value}' is not a finite number within ±1e15; use a "
        "number such as 12 or 0.5"
    ]
    assert problems[0].unit == "team-a"


def test_nan_text_stays_refused_and_infinite_counts_are_reported_once(tmp_path):
    measures = ("team_id,period,measure_id,numerator,denominator\n"
                "team-a,2023-04,turnover_rate,nan,10\n"
                "team-b,2023-04,turnover_rate,-inf,8\n")   # once: not also "is negative"
    assert texts(validate_inputs(*make(tmp_path, data={"measures.csv": measures})), tmp_path) == [
        "<tmp>/data/measures.csv row 2, column numerator: 'nan' is not a number; use a number such as 12 or 0.5",
        "<tmp>/data/measures.csv row 3, column numerator: '-inf' is not a finite number within ±1e15; use a "
        "number such as 12 or 0.5",
    ]


def test_infinite_numbers_stored_in_parquet(tmp_path):
    path = tmp_path / "measures.parquet"
    pd.DataFrame({"team_id": ["team-a"], "period": ["2023-04"], "measure_id": ["turnover_rate"],
                  "numerator": [float("inf")], "denominator": [10.0]}).to_parquet(path)
    with pytest.raises(DataValidationFailed) as info:
        read_table(path, "measures")
    assert [str(p) for p in info.value.problems] == [
        f"{path} row 2, column numerator: 'inf' is not a finite number within ±1e15; use a number such as 12 or 0.5"
    ]


@pytest.mark.parametrize("value,shown", [(".inf", "inf"), ("-.inf", "-inf"), (".nan", "nan"), ("1.0e+308", "1e+308"),
                                         ("-2.0e+15", "-2000000000000000.0")])
def test_infinite_and_absurd_numbers_in_params(tmp_path, value, shown):
    team = f"team_id: team-a\nmeasures: {{turnover_rate: {{target: {value}}}}}\n"
    _, p = make(tmp_path, params={"teams/team-a.yaml": team})
    assert texts(check_params(p), tmp_path) == [
        f"<tmp>/params/teams/team-a.yaml, key measures.turnover_rate.target: '{shown}' is not a finite number within "
        "±1e15; fix the value"
    ]


# --------------------------------------------------------------------------- 4. dates pandas cannot store


def test_dates_outside_1900_2100_are_one_line_problems_not_a_crash(tmp_path):
    roster = ("team_id,staff_key,role,case_carrying,hire_date,separation_date,separation_type\n"
              "team-a,s1,caseworker,true,2300-01-01,,\n"
              "team-b,s2,support,false,2021-03-01,1600-01-01,\n")
    measures = ("team_id,period,measure_id,numerator,denominator\n"
                "team-a,2023-04,turnover_rate,2,10\n"
                "team-b,2262-05,turnover_rate,1,8\n")
    problems = validate_inputs(*make(tmp_path, data={"roster.csv": roster, "measures.csv": measures}))
    assert texts(problems, tmp_path) == [
        "<tmp>/data/measures.csv row 3, column period: '2262-05' is outside the supported range 1900-01-01 to "
        "2100-12-31; check the year",
        "<tmp>/data/roster.csv row 2, column hire_date: '2300-01-01' is outside the supported range 1900-01-01 to "
        "2100-12-31; check the year",
        "<tmp>/data/roster.csv row 3, column separation_date: '1600-01-01' is outside the supported range 1900-01-01 "
        "to 2100-12-31; check the year",
    ]
    assert [p.unit for p in problems] == ["team-b", "team-a", "team-b"]


def test_dates_outside_the_range_stored_in_parquet(tmp_path):
    path = tmp_path / "roster.parquet"
    pd.DataFrame({"team_id": ["team-a"], "staff_key": ["s1"], "role": ["caseworker"], "case_carrying": [True],
                  "hire_date": pd.Series(["2300-01-01"], dtype="datetime64[us]"),
                  "separation_date": pd.Series([None], dtype="datetime64[us]"),
                  "separation_type": [None]}).to_parquet(path)
    with pytest.raises(DataValidationFailed) as info:
        read_table(path, "roster")
    assert [str(p) for p in info.value.problems] == [
        f"{path} row 2, column hire_date: '2300-01-01' is outside the supported range 1900-01-01 to 2100-12-31; "
        "check the year"
    ]


def test_params_dates_outside_the_range(tmp_path):
    collaborative = (HOSTILE / "base" / "params" / "collaborative.yaml").read_text().replace("2024-12-31", "2300-01-01")
    _, p = make(tmp_path, params={"collaborative.yaml": collaborative,
                                  "teams/team-a.yaml": "team_id: team-a\nintervention_start: 1600-01\n"})
    assert texts(check_params(p), tmp_path) == [
        "<tmp>/params/collaborative.yaml, key data_as_of: '2300-01-01' is outside the supported range 1900-01-01 to "
        "2100-12-31; check the year",
        "<tmp>/params/teams/team-a.yaml, key intervention_start: '1600-01' is outside the supported range 1900-01-01 "
        "to 2100-12-31; check the year",
    ]


# --------------------------------------------------------------------------- 5. a team without rows


def test_a_participating_team_with_params_but_no_measures_rows_fails_only_its_report(tmp_path):
    measures = "team_id,period,measure_id,numerator,denominator\nteam-a,2023-04,turnover_rate,2,10\n"
    teams = ((HOSTILE / "base" / "data" / "teams.csv").read_text()
             + "comp-c,Comparison C,public,comparison,East,us,\n")  # no report, so no rows needed
    d, p = make(tmp_path, data={"measures.csv": measures, "teams.csv": teams},
                params={"teams/comp-c.yaml": "team_id: comp-c\n"})
    problems = validate_inputs(d, p)
    assert texts(problems, tmp_path) == [
        "<tmp>/data/measures.csv: no rows for team 'team-b' (it has <tmp>/params/teams/team-b.yaml); add its "
        "monthly measures or remove the params file"
    ]
    assert problems[0].unit == "team-b"
    # the batch marks team-b's report failed with that message instead of running it into a KeyError
    stop, plan = validate_and_plan(p, d)
    assert stop is None
    jobs = {(j.kind, j.id): j for j in make_jobs(plan, p, d, default_notebooks_dir())}
    assert [m.replace(str(tmp_path), "<tmp>") for m in jobs["team", "team-b"].problems] == texts(problems, tmp_path)
    assert jobs["team", "team-a"].problems == ()


def test_loading_a_team_report_without_measures_rows_is_a_one_line_error_not_a_key_error(tmp_path):
    # the notebook run on its own (outside evalkit run, which validates first)
    from evalkit.report.sections import load_report_tables

    measures = "team_id,period,measure_id,numerator,denominator\nteam-a,2023-04,turnover_rate,2,10\n"
    d, _ = make(tmp_path, data={"measures.csv": measures})
    with pytest.raises(DataValidationFailed) as info:
        load_report_tables(d, "team-b", kind="team")
    assert str(info.value).replace(str(tmp_path), "<tmp>") == (
        "<tmp>/data/measures.csv: no rows for team 'team-b'; a team report needs its monthly measures "
        "(run evalkit validate)")
    assert "measures" in load_report_tables(d, "team-a", kind="team")


def test_a_team_without_rows_in_optional_tables_is_fine(tmp_path):
    survey = "team_id,wave,fielded,response_id,itl_1,itl_2\nteam-a,1,2023-10-02,r1-00001,4,5\n"
    roster = ("team_id,staff_key,role,case_carrying,hire_date,separation_date,separation_type\n"
              "team-a,s1,caseworker,true,2020-01-15,2023-06-30,voluntary\n")
    assert validate_inputs(*make(tmp_path, data={"survey.csv": survey, "roster.csv": roster})) == []


# --------------------------------------------------------------------------- 6. reserved file names


RESERVED = ("'{}' is not a valid id: CON, PRN, AUX, NUL, COM1–COM9 and LPT1–LPT9 are reserved file names on "
            "Windows; choose another id")


def test_reserved_names_as_data_ids(tmp_path):
    teams = ("team_id,team_name,team_type,role,region,country,start_month\n"
             "team-a,Team A,public,participant,North,us,2023-04\n"
             "team-b,Team B,tribal,participant,South,com1,2023-05\n"
             "con,Team Con,public,comparison,East,us,\n"
             "LPT9,Team L,public,comparison,East,us,\n")
    problems = validate_inputs(*make(tmp_path, data={"teams.csv": teams}))
    assert texts(problems, tmp_path) == [
        "<tmp>/data/teams.csv row 3, column country: " + RESERVED.format("com1"),
        "<tmp>/data/teams.csv row 4, column team_id: " + RESERVED.format("con"),
        "<tmp>/data/teams.csv row 5, column team_id: " + RESERVED.format("LPT9"),
    ]


def test_reserved_names_as_params_file_names_and_ids(tmp_path):
    _, p = make(tmp_path, params={"teams/nul.yaml": "team_id: nul\n", "teams/team-a.yaml": "team_id: Aux\n",
                                  "countries/prn.yaml": "country_id: prn\nname: P\nkind: country\nas_of: 2024-06-30\n"})
    assert texts(check_params(p), tmp_path) == [
        "<tmp>/params/teams/nul.yaml: the file name is not a valid team id: " + RESERVED.format("nul"),
        "<tmp>/params/teams/team-a.yaml, key team_id: " + RESERVED.format("Aux"),
        "<tmp>/params/countries/prn.yaml: the file name is not a valid country id: " + RESERVED.format("prn"),
    ]


def test_ids_that_merely_contain_a_reserved_name_are_fine(tmp_path):
    teams = ("team_id,team_name,team_type,role,region,country,start_month\n"
             "team-a,Team A,public,participant,North,console,2023-04\n"
             "team-b,Team B,tribal,participant,South,com10,2023-05\n")
    assert validate_inputs(*make(tmp_path, data={"teams.csv": teams})) == []
    assert load_team(make(tmp_path)[1], "team-a").team_id == "team-a"


# --------------------------------------------------------------------------- 7. person ids in shared outputs


def test_a_duplicated_survey_row_never_shows_its_response_id_in_shared_outputs(tmp_path):
    survey = ((HOSTILE / "base" / "data" / "survey.csv").read_text()
              + "team-a,1,2023-10-02,r1-00001,4,5\n")  # row 5 repeats row 2
    d, p = make(tmp_path, data={"survey.csv": survey})
    (problem,) = validate_inputs(d, p)
    # the operator's terminal may see the id, to find the row
    assert str(problem).replace(str(tmp_path), "<tmp>") == (
        "<tmp>/data/survey.csv row 5: repeats row 2 (same team_id, wave and response_id: team-a, 1, r1-00001); "
        "keep one row or correct the values")
    # what reaches the manifest, the index and notebook errors may not
    assert problem.shared.replace(str(tmp_path), "<tmp>") == (
        "<tmp>/data/survey.csv row 5: repeats row 2 (same team_id, wave and response_id: team-a, 1, response_id not "
        "shown); keep one row or correct the values")
    assert "r1-00001" not in str(DataValidationFailed([problem]))
    stop, plan = validate_and_plan(p, d)
    assert stop is None
    assert [m.replace(str(tmp_path), "<tmp>") for m in plan["problems"]["team-a"]] == [
        problem.shared.replace(str(tmp_path), "<tmp>")]
    assert "r1-00001" not in repr(plan)


def test_a_bad_value_in_any_person_identifier_column_is_hidden_from_shared_outputs(tmp_path):
    # survey columns other than the documented ones are read as numbers (instrument items)
    survey = ("team_id,wave,fielded,response_id,itl_1,itl_2,email\n"
              "team-a,1,2023-10-02,r1-00001,4,5,jo@example.org\n")
    (problem,) = validate_inputs(*make(tmp_path, data={"survey.csv": survey}))
    assert "jo@example.org" in str(problem)
    assert problem.shared.replace(str(tmp_path), "<tmp>") == (
        "<tmp>/data/survey.csv row 2, column email: holds a value that is not valid here (not shown: email "
        "identifies a person); run evalkit validate to see it")


def test_problems_without_person_ids_read_the_same_in_both_forms():
    problem = Problem("data/measures.csv", "'x' is not a number", row=3, column="numerator", value="x")
    assert problem.shared == str(problem) == "data/measures.csv row 3, column numerator: 'x' is not a number"
