"""Tests of evalkit.inputs.validate: every problem in a folder, one line each, scoped per team.

A small valid data + params folder is written to tmp_path; each test breaks one thing
and asserts the exact one-line messages (file, spreadsheet row with the header as row 1,
column, value, what is expected) and the report unit each problem is scoped to.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import Problem
from evalkit.inputs.validate import problems_by_unit, problems_for, report_units, shared_problems, validate_inputs

ROOT = Path(__file__).resolve().parents[1]

COLLABORATIVE = """\
title: "Test collaborative"
synthetic: true
data_as_of: 2024-12-31
measures:
  turnover_rate: {label: Turnover, definition: d, chart: u, direction: decrease, multiply: 100, unit: "%"}
  vacancy_rate: {label: Vacancy, definition: d, chart: p, direction: decrease, multiply: 100, unit: "%"}
  wellbeing_pulse: {label: Pulse, definition: d, chart: i, direction: increase}
instruments:
  intent_to_leave: {label: ITL, items: [itl_1, itl_2], response_min: 1, response_max: 5, min_items: 1, higher_is: worse}
"""

GOOD = {
    "teams.csv": "team_id,team_name,team_type,role,region,country,start_month\n"
                 "team-a,Team A,public,participant,North,us,2023-04\n"
                 "team-b,Team B,tribal,participant,South,us,2023-05\n"
                 "prog-1,Programme,public,programme,,land,\n",
    "measures.csv": "team_id,period,measure_id,numerator,denominator\n"
                    "team-a,2023-04,vacancy_rate,2,10\n"
                    "team-a,2023-04,turnover_rate,3,2.5\n"     # a u-chart rate may exceed 1
                    "team-a,2023-04,wellbeing_pulse,3.4,\n"
                    "team-b,2023-04,vacancy_rate,1,8\n",
    "roster.csv": "team_id,staff_key,role,case_carrying,hire_date,separation_date,separation_type\n"
                  "team-a,s1,caseworker,true,2020-01-15,2023-06-30,voluntary\n"
                  "team-b,s2,support,false,2021-03-01,,\n",
    "positions.csv": "team_id,period,funded_positions,filled_positions\nteam-a,2023-04,10,8\n",
    "assessments.csv": "team_id,period,rater,score\nteam-a,2023-04,faculty,2.5\n",
    "goals.csv": "country,goal_id,goal,indicator,baseline,target,value,as_of\nland,g-1,Goal,Ind,1,2,1.5,2024-06-30\n",
}
PARAMS = {
    "collaborative.yaml": COLLABORATIVE,
    "teams/team-a.yaml": "team_id: team-a\n",
    "teams/team-b.yaml": "team_id: team-b\n",
    "countries/land.yaml": "country_id: land\nname: Land\nkind: country\nas_of: 2024-06-30\n",
}


def make(tmp_path, data=None, params=None, drop=()):
    """Write the good folder with some files replaced (data/params dicts) or dropped."""
    d, p = tmp_path / "data", tmp_path / "params"
    for root, base, changes in ((d, GOOD, data or {}), (p, PARAMS, params or {})):
        for name, text in {**base, **changes}.items():
            if name in drop:
                continue
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return d, p


def run(tmp_path, **kw) -> list[Problem]:
    d, p = make(tmp_path, **kw)
    return validate_inputs(d, p)


def texts(problems, tmp_path) -> list[str]:
    """Messages with the tmp folder shown as '<tmp>' for readable expectations."""
    return [str(x).replace(str(tmp_path), "<tmp>") for x in problems]


def test_the_good_folder_is_clean(tmp_path):
    assert run(tmp_path) == []


def test_demo_data_and_params_validate_clean():
    # the committed demo data (evalkit demo-data --seed 2023) with the committed params
    assert [str(p) for p in validate_inputs(ROOT / "data" / "demo", ROOT / "params")] == []


# --------------------------------------------------------------------------- row checks


def test_separation_before_hire_and_type_without_date(tmp_path):
    roster = ("team_id,staff_key,role,case_carrying,hire_date,separation_date,separation_type\n"
              "team-a,s1,caseworker,true,2020-01-15,2019-12-31,voluntary\n"   # row 2 before hire
              "team-a,s2,caseworker,true,2020-01-15,,voluntary\n"             # row 3 type without date
              "team-b,s3,caseworker,true,2020-01-15,2021-01-01,\n")           # row 4 date without type
    problems = run(tmp_path, data={"roster.csv": roster})
    assert texts(problems, tmp_path) == [
        "<tmp>/data/roster.csv row 2, column separation_date: '2019-12-31' is before the hire_date '2020-01-15'; "
        "a separation cannot come before the hire",
        "<tmp>/data/roster.csv row 3, column separation_date: is blank but separation_type is 'voluntary'; give the "
        "last day employed, or leave both blank if still employed",
        "<tmp>/data/roster.csv row 4, column separation_type: is blank but separation_date is '2021-01-01'; use "
        "voluntary, involuntary, other or transfer",
    ]
    assert [p.unit for p in problems] == ["team-a", "team-a", "team-b"]


def test_measures_proportions_counts_duplicates_and_unknown_ids(tmp_path):
    measures = ("team_id,period,measure_id,numerator,denominator\n"
                "team-a,2023-04,vacancy_rate,12,10\n"      # row 2: p chart, numerator > denominator
                "team-a,2023-05,turnover_rate,-1,20\n"     # row 3: negative count
                "team-a,2023-04,vacancy_rate,1,10\n"       # row 4: duplicate of row 2
                "team-b,2023-04,turnover_rte,1,10\n"       # row 5: unknown measure
                "team-z,2023-04,vacancy_rate,1,10\n"       # row 6: unknown team
                "team-b,2023-06,turnover_rate,2,\n"        # row 7: rate without denominator
                "team-b,2023-07,turnover_rate,2,0\n"       # row 8: rate with zero denominator
                "team-b,2023-08,wellbeing_pulse,3.1,\n")   # row 9: fine (i chart)
    problems = run(tmp_path, data={"measures.csv": measures})
    f = "<tmp>/data/measures.csv"
    assert texts(problems, tmp_path) == [
        f"{f} row 2, column numerator: '12' is more than the denominator '10'; vacancy_rate is a p-chart measure "
        "(a proportion), so the numerator counts part of the denominator",
        f"{f} row 3, column numerator: '-1' is negative; counts must be 0 or more (turnover_rate is a u-chart measure)",
        f"{f} row 4: repeats row 2 (same team_id, period and measure_id: team-a, 2023-04, vacancy_rate); keep one "
        "row or correct the values",
        f"{f} row 5, column measure_id: 'turnover_rte' is not a measure defined in params/collaborative.yaml; use "
        "one of turnover_rate, vacancy_rate, wellbeing_pulse or add it there",
        f"{f} row 6, column team_id: 'team-z' is not a known team: it is not in teams.csv; fix the id or add the "
        "team there",
        f"{f} row 7, column denominator: is blank but the numerator is '2'; turnover_rate is a u-chart measure and "
        "needs a denominator",
        f"{f} row 8, column denominator: is 0 but the numerator is '2'; turnover_rate is a u-chart measure and needs "
        "a denominator above 0",
    ]
    # unknown team rows concern nobody's report, so they stop the whole batch
    assert [p.unit for p in problems] == ["team-a", "team-a", "team-a", "team-b", None, "team-b", "team-b"]


def test_text_in_one_teams_rows_is_scoped_to_that_team(tmp_path):
    measures = GOOD["measures.csv"] + "team-b,2023-05,vacancy_rate,three,8\n"
    problems = run(tmp_path, data={"measures.csv": measures})
    assert texts(problems, tmp_path) == [
        "<tmp>/data/measures.csv row 6, column numerator: 'three' is not a number; use a number such as 12 or 0.5"
    ]
    groups = problems_by_unit(problems)
    assert list(groups) == ["team-b"] and shared_problems(problems) == []
    assert problems_for(problems, report_units(None, "team-a")) == []
    assert len(problems_for(problems, {"team-b"})) == 1


def test_unknown_team_ids_from_every_team_table(tmp_path):
    data = {
        "roster.csv": GOOD["roster.csv"] + "team-q,s9,caseworker,true,2020-01-01,,\n",
        "pdsa.csv": "team_id,pdsa_id,ramp_id,change_idea,essential,driver,start_date,end_date,prediction,decision,"
                    "measure_id\n"
                    "team-q,p1,r1,Idea,mattering-at-work,D,2023-05-01,2023-06-01,,adopt,vacancy_rate\n"
                    "team-a,p2,r1,Idea,mattering at work,D,2023-05-01,2023-04-01,,adopt,supervision\n",
        "events.csv": "team_id,date,label,kind\n,2023-04-25,LS1,learning_session\nteam-q,2023-05-01,X,change\n",
    }
    problems = run(tmp_path, data=data)
    assert texts(problems, tmp_path) == [
        "<tmp>/data/roster.csv row 4, column team_id: 'team-q' is not a known team: it is not in teams.csv; fix the "
        "id or add the team there",
        "<tmp>/data/pdsa.csv row 2, column team_id: 'team-q' is not a known team: it is not in teams.csv; fix the id "
        "or add the team there",
        "<tmp>/data/pdsa.csv row 3, column essential: 'mattering at work' is not allowed; use one of "
        "protection-from-harm, connection-and-community, work-life-harmony, mattering-at-work, opportunity-for-growth",
        "<tmp>/data/pdsa.csv row 3, column end_date: '2023-04-01' is before start_date '2023-05-01'; a cycle ends "
        "after it starts",
        "<tmp>/data/pdsa.csv row 3, column measure_id: 'supervision' is not a measure defined in "
        "params/collaborative.yaml; use one of turnover_rate, vacancy_rate, wellbeing_pulse or leave it blank",
        "<tmp>/data/events.csv row 3, column team_id: 'team-q' is not a known team: it is not in teams.csv; fix the "
        "id or add the team there",
    ]
    assert [p.unit for p in problems] == [None, None, "team-a", "team-a", "team-a", None]


def test_filled_more_than_funded_and_negative_counts(tmp_path):
    positions = ("team_id,period,funded_positions,filled_positions\n"
                 "team-a,2023-04,10,12\nteam-a,2023-05,-1,0\nteam-a,2023-05,3,2\n")
    problems = run(tmp_path, data={"positions.csv": positions})
    f = "<tmp>/data/positions.csv"
    assert texts(problems, tmp_path) == [
        f"{f} row 2, column filled_positions: '12' is more than funded_positions '10'; filled positions are part "
        "of the funded ones",
        f"{f} row 3, column funded_positions: '-1' is negative; counts must be 0 or more",
        f"{f} row 3, column filled_positions: '0' is more than funded_positions '-1'; filled positions are part of "
        "the funded ones",
        f"{f} row 4: repeats row 3 (same team_id and period: team-a, 2023-05); keep one row or correct the values",
    ]


@pytest.mark.parametrize("score", ["5.5", "1.25", "0", "-1"])
def test_scores_outside_half_steps(tmp_path, score):
    problems = run(tmp_path, data={"assessments.csv": f"team_id,period,rater,score\nteam-a,2023-04,peer,{score}\n"})
    assert texts(problems, tmp_path) == [
        "<tmp>/data/assessments.csv row 2, column rater: 'peer' is not allowed; use one of faculty, self",
        f"<tmp>/data/assessments.csv row 2, column score: '{score}' is not a score from 0.5 to 5.0 in steps of 0.5",
    ]


def test_requisitions_survey_partners_excerpts_training(tmp_path):
    data = {
        "requisitions.csv": "team_id,requisition_id,opened,filled\nteam-a,r1,2023-05-01,2023-04-01\n",
        "survey.csv": "team_id,wave,fielded,response_id,itl_1\nteam-a,1,2022-10-03,x1,6\nteam-a,1,2022-10-03,x2,0.5\n",
        "partners.csv": "unit,partner,sector,joined,meetings_held,meetings_attended,stipend\n"
                        "land,P1,health,2023-01-01,10,12,maybe\nland,P2,health,2023-01-01,10,5,250\n",
        "sessions.csv": "study,session_id,affinity_group,region,participants,hours\nland,fg-1,Group,East,5,2\n",
        "excerpts.csv": "study,excerpt_id,session_id,code_path,text\nland,e1,fg-1,A > > C,Quote\n"
                        "land,e2,fg-9,A > B,Quote\n",
        "training.csv": "unit,session_id,date,module,level,staff_key,programme\n"
                        "land,t1,2023-01-01,Intro,expert,s1,prog-2\n",
    }
    problems = run(tmp_path, data=data)
    assert texts(problems, tmp_path) == [
        "<tmp>/data/requisitions.csv row 2, column filled: '2023-04-01' is before opened '2023-05-01'; a requisition "
        "is filled after it opens",
        "<tmp>/data/survey.csv column itl_2: is missing from the header row; params instrument intent_to_leave lists "
        "it among its items",
        "<tmp>/data/survey.csv row 2, column itl_1: '6' is outside the answer range 1–5 of intent_to_leave; fix it "
        "or leave it blank",
        "<tmp>/data/survey.csv row 3, column itl_1: '0.5' is outside the answer range 1–5 of intent_to_leave; fix "
        "it or leave it blank",
        "<tmp>/data/excerpts.csv row 2, column code_path: 'A > > C' has an empty level; write Theme > Topic > Subtopic",
        "<tmp>/data/excerpts.csv row 3, column session_id: 'fg-9' is not a session of 'land' in sessions; fix the id",
        "<tmp>/data/training.csv row 2, column level: 'expert' is not allowed; use one of basic, core, advanced",
        "<tmp>/data/training.csv row 2, column programme: 'prog-2' is not a team_id in teams.csv; programme is the "
        "team_id of the programme unit (role programme)",
        "<tmp>/data/partners.csv row 2, column meetings_attended: '12' is more than meetings_held '10'",
        "<tmp>/data/partners.csv row 2, column stipend: 'maybe' is not true/false or an amount of 0 or more; fix the "
        "value",
    ]
    units = [p.unit for p in problems]
    assert units == ["team-a", None, "team-a", "team-a", "land", "land", "land", "land", "land", "land"]


def test_jurisdiction_rows_need_a_params_file_and_goals_must_exist(tmp_path):
    data = {
        "membership.csv": "country,date,sector,members\nland,2023-01-01,ngo,3\nlnad,2023-01-01,ngo,2\n",
        "deliverables.csv": "country,group,deliverable_id,goal_id,title,due,completed\n"
                            "land,TG1,d1,g-9,Title,2023-01-01,\n",
    }
    problems = run(tmp_path, data=data)
    assert texts(problems, tmp_path) == [
        "<tmp>/data/deliverables.csv row 2, column goal_id: 'g-9' is not a goal of 'land' in goals; fix the id or "
        "leave it blank",
        "<tmp>/data/membership.csv row 3, column country: 'lnad' is not a known jurisdiction: there is no "
        "params/countries/<id>.yaml for it; fix the id or add the params file",
    ]
    assert [p.unit for p in problems] == ["land", None]


def test_participating_team_needs_start_month_and_teams_are_unique(tmp_path):
    teams = GOOD["teams.csv"] + "team-c,Team C,public,participant,,us,\nteam-a,Again,public,comparison,,us,\n"
    problems = run(tmp_path, data={"teams.csv": teams})
    assert texts(problems, tmp_path) == [
        "<tmp>/data/teams.csv row 5, column start_month: is blank; a participating team needs the month it joined "
        "the collaborative (YYYY-MM)",
        "<tmp>/data/teams.csv row 6: repeats row 2 (same team_id: team-a); keep one row or correct the values",
    ]
    assert [p.unit for p in problems] == ["team-c", "team-a"]


# --------------------------------------------------------------------------- files and params


def test_missing_empty_unreadable_files_are_all_reported(tmp_path):
    data = {"roster.csv": "", "positions.csv": "team_id;period;funded_positions;filled_positions\n"}
    d, p = make(tmp_path, data=data, drop=("measures.csv",))
    (d / "assessments.csv").write_bytes("team_id,period,rater,score\nteam-a,2023-04,faculté,2\n".encode("cp1252"))
    problems = validate_inputs(d, p)
    assert texts(problems, tmp_path) == [
        "<tmp>/data/measures.csv: file not found; every data folder needs the measures table (team_id, period, "
        "measure_id, numerator, denominator)",
        "<tmp>/data/roster.csv: file is empty; it needs at least a header row with the column names",
        "<tmp>/data/positions.csv: columns are separated by semicolons (;), not commas; save it as comma-separated "
        "'CSV UTF-8'",
        "<tmp>/data/assessments.csv: is not UTF-8 text (byte 0xe9 on line 2); save it as 'CSV UTF-8' (in Excel: "
        "Save As > CSV UTF-8)",
    ]
    assert all(p.unit is None for p in problems)  # unreadable shared tables stop the run


def test_missing_column_concerns_every_report(tmp_path):
    problems = run(tmp_path, data={"positions.csv": "team_id,period,funded_positions\nteam-a,2023-04,10\n"})
    assert texts(problems, tmp_path) == [
        "<tmp>/data/positions.csv column filled_positions: is missing from the header row; positions needs the "
        "columns team_id, period, funded_positions, filled_positions"
    ]
    assert problems[0].unit is None


def test_params_problems_and_cross_checks(tmp_path):
    params = {
        "teams/team-x.yaml": "team_id: team-x\n",                   # not in teams.csv
        "teams/team-b.yaml": "team_id: team-a\ncolour: blue\n",    # mismatch is checked once keys are valid
        "countries/atlantis.yaml": "country_id: atlantis\nname: A\nkind: country\nas_of: 2024-06-30\n",
        "collaborative.yaml": COLLABORATIVE.replace("chart: u", "chart: q"),
    }
    problems = run(tmp_path, params=params)
    assert texts(problems, tmp_path) == [
        "<tmp>/params/collaborative.yaml, key measures.turnover_rate.chart: 'q' is not one of run, i, mr, xbar, s, "
        "t, p, pp, c, u, up, g; fix the value",
        "<tmp>/params/teams/team-b.yaml, key colour: unknown key; allowed here: team_id, intervention_start, "
        "measures, notes; check the spelling or remove it",
        "<tmp>/params/teams/team-x.yaml, key team_id: team 'team-x' is not in <tmp>/data/teams.csv; add the team "
        "there or remove this file",
        "<tmp>/params/countries/atlantis.yaml, key country_id: 'atlantis' has no rows in any jurisdiction table "
        "(goals, deliverables, membership, outputs, sessions, excerpts, training, partners); check the id (it must "
        "equal the country, study or unit column) or remove this file",
    ]
    assert all(p.unit is None for p in problems)  # invalid params stop the run


def test_missing_data_folder(tmp_path):
    _, p = make(tmp_path)
    assert texts(validate_inputs(tmp_path / "nope", p), tmp_path) == [
        "<tmp>/nope: data folder not found; give the folder that holds teams.csv, measures.csv, ..."
    ]


def test_every_problem_is_one_line(tmp_path):
    data = {"roster.csv": "team_id,staff_key,role,case_carrying,hire_date,separation_date,separation_type\n"
                          '"team-a","s\n1",caseworker,true,"2020-01\n-15",,\n'}
    problems = run(tmp_path, data=data)
    assert problems and all("\n" not in str(p) for p in problems)


# --------------------------------------------------------------------------- scale


def test_million_row_roster_validates_in_seconds(tmp_path):
    # a national-scale roster: 1,000,000 rows, 500 teams, with 3 bad rows
    n, teams = 1_000_000, 500
    rng = np.random.default_rng(7)
    team_ids = np.array([f"unit-{i:03d}" for i in range(teams)])
    hire = pd.Timestamp("2010-01-01") + pd.to_timedelta(rng.integers(0, 4000, n), unit="D")
    sep = hire + pd.to_timedelta(rng.integers(30, 2000, n), unit="D")
    left = rng.random(n) < 0.4
    roster = pd.DataFrame({
        "team_id": team_ids[rng.integers(0, teams, n)],
        "staff_key": np.char.add("s", np.arange(n).astype(str)),
        "role": "caseworker",
        "case_carrying": "true",
        "hire_date": hire.strftime("%Y-%m-%d"),
        "separation_date": np.where(left, sep.strftime("%Y-%m-%d"), ""),
        "separation_type": np.where(left, "voluntary", ""),
    })
    roster.loc[10, "hire_date"] = "2023-02-31"
    roster.loc[20, ["separation_date", "separation_type"]] = ["2009-01-01", "voluntary"]
    roster.loc[30, "separation_type"] = "retired"
    d, p = make(tmp_path)
    roster.to_csv(d / "roster.csv", index=False)
    teams_csv = "team_id,team_name,team_type,role,region,country,start_month\n" + "".join(
        f"{t},T,public,comparison,,us,\n" for t in team_ids) + "team-a,A,public,participant,,us,2023-04\n" \
        "team-b,B,public,participant,,us,2023-04\n"
    (d / "teams.csv").write_text(teams_csv)
    start = time.perf_counter()
    problems = validate_inputs(d, p)
    seconds = time.perf_counter() - start
    assert [(x.row, x.column) for x in problems] == [(12, "hire_date"), (22, "separation_date"),
                                                     (32, "separation_type")]
    assert seconds < 30  # about 4-6 s on a shared 2-core machine


# --------------------------------------------------------------------------- command line


def _cli(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "evalkit", "validate", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def test_cli_broken_folder_exits_2_one_line_per_problem(tmp_path):
    d, p = make(tmp_path, data={
        "roster.csv": GOOD["roster.csv"] + "team-a,s3,caseworker,true,31/02/2023,,\n",
        "positions.csv": "team_id,period,funded_positions,filled_positions\nteam-a,2023-04,10,12\n",
    })
    result = _cli("--data", str(d), "--params", str(p))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.replace(str(tmp_path), "<tmp>").splitlines() == [
        "<tmp>/data/roster.csv row 4, column hire_date: '31/02/2023' is not a date; use YYYY-MM-DD",
        "<tmp>/data/positions.csv row 2, column filled_positions: '12' is more than funded_positions '10'; filled "
        "positions are part of the funded ones",
        "2 problems found; nothing was run.",
    ]


def test_cli_demo_data_exits_0():
    result = _cli("--data", "data/demo", "--params", "params")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "OK: data in data/demo and params in params are valid."
