"""Tests of the synthetic demo data (evalkit.demo.generate).

Expected values come from the team brief (BRIEF.md data model, fixed demo ids, measure
definitions) and are recomputed here independently from the raw CSV rows with plain
Python date arithmetic, never from the generator's own helpers.
"""
from __future__ import annotations

import csv
import datetime as dt
import filecmp
import json
import re

import numpy as np
import pandas as pd
import pytest

from evalkit.demo.generate import write_demo_data, write_large_data

# The data model of the team brief, typed out here (not imported) so a drift is caught.
BRIEF_COLUMNS = {
    "teams": "team_id, team_name, team_type, role, region, country, start_month",
    "measures": "team_id, period, measure_id, numerator, denominator",
    "roster": "team_id, staff_key, role, case_carrying, hire_date, separation_date, separation_type",
    "positions": "team_id, period, funded_positions, filled_positions",
    "requisitions": "team_id, requisition_id, opened, filled",
    "survey": "team_id, wave, fielded, response_id, cbi_work_1, cbi_work_2, cbi_work_3, cbi_work_4, cbi_work_5, "
              "cbi_work_6, cbi_work_7, itl_1, itl_2, itl_3",
    "pdsa": "team_id, pdsa_id, ramp_id, change_idea, essential, driver, start_date, end_date, prediction, decision, "
            "measure_id",
    "events": "team_id, date, label, kind",
    "assessments": "team_id, period, rater, score",
    "goals": "country, goal_id, goal, indicator, baseline, target, value, as_of, gas_level, weight, evidence",
    "deliverables": "country, group, deliverable_id, goal_id, title, due, completed",
    "membership": "country, date, sector, members",
    "outputs": "country, date, output_type, count",
    "sessions": "study, session_id, affinity_group, region, participants, hours",
    "excerpts": "study, excerpt_id, session_id, code_path, text",
    "training": "unit, session_id, date, module, level, staff_key, programme",
    "partners": "unit, partner, sector, joined, meetings_held, meetings_attended, stipend",
}
TRIBAL = ["cedar-river-tribe", "red-willow-nation", "north-lake-band-east", "north-lake-band-west"]
PUBLIC = ["prairie-north", "prairie-harbor", "sunflower-northeast", "sunflower-northwest", "mesa-southeast",
          "evergreen-metro", "evergreen-east", "valley-county"]
COMPARISON = ["granite-county", "bluewater-county", "copper-hills", "timber-valley"]
PROGRAMME = ["evergreen-child-welfare", "evergreen-family-assistance"]
ESSENTIALS = {"protection-from-harm", "connection-and-community", "work-life-harmony", "mattering-at-work",
              "opportunity-for-growth"}
MONTHS = [f"{y}-{m:02d}" for y in (2022, 2023, 2024) for m in range(1, 13)]
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONTH = re.compile(r"^\d{4}-\d{2}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    paths = write_demo_data(out, seed=2023)
    return out, paths


@pytest.fixture(scope="module")
def t(demo):
    """Every table read as text (blank = ''), exactly as a user's file would be."""
    out, _ = demo
    return {name: pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False) for name in BRIEF_COLUMNS}


@pytest.fixture(scope="module")
def truth(demo):
    return json.loads((demo[0] / "TRUTH.json").read_text())


def _d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def _employed(rows: list[dict], day: dt.date) -> int:
    """Brief: employed on day d iff hire_date <= d and (separation_date blank or >= d)."""
    return sum(1 for r in rows if _d(r["hire_date"]) <= day and (r["separation_date"] == ""
                                                                 or _d(r["separation_date"]) >= day))


def _first(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:]), 1)


def _next_first(month: str) -> dt.date:
    y, m = int(month[:4]), int(month[5:])
    return dt.date(y + (m == 12), m % 12 + 1, 1)


# ----------------------------------------------------------------------------- files
def test_every_table_is_written_with_exactly_the_brief_columns(demo):
    out, paths = demo
    names = {p.name for p in paths}
    assert names == {f"{n}.csv" for n in BRIEF_COLUMNS} | {"TRUTH.json", "README.md"}
    for name, cols in BRIEF_COLUMNS.items():
        with open(out / f"{name}.csv", newline="", encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        assert header == cols.split(", "), name


def test_same_seed_gives_byte_identical_files_and_another_seed_differs(demo, tmp_path):
    out, paths = demo
    again = write_demo_data(tmp_path / "again", seed=2023)
    for a, b in zip(paths, again):
        assert filecmp.cmp(a, b, shallow=False), a.name
    other = write_demo_data(tmp_path / "other", seed=7)
    assert not filecmp.cmp(out / "roster.csv", other[[p.name for p in other].index("roster.csv")], shallow=False)


def test_demo_data_are_small_and_say_synthetic(demo):
    out, paths = demo
    assert sum(p.stat().st_size for p in paths) < 3_000_000  # "a few MB at most"
    readme = (out / "README.md").read_text()
    assert "SYNTHETIC" in readme and "--seed 2023" in readme


def test_formats_dates_months_booleans_and_ids(t):
    for name, col in [("roster", "hire_date"), ("requisitions", "opened"), ("survey", "fielded"),
                      ("pdsa", "start_date"), ("events", "date"), ("deliverables", "due"), ("membership", "date"),
                      ("outputs", "date"), ("training", "date"), ("partners", "joined"), ("goals", "as_of")]:
        assert t[name][col].str.match(DATE).all(), (name, col)
    for name, col in [("roster", "separation_date"), ("requisitions", "filled"), ("pdsa", "end_date"),
                      ("deliverables", "completed")]:
        v = t[name][col]
        assert (v.eq("") | v.str.match(DATE)).all(), (name, col)
        pd.to_datetime(v[v != ""], format="%Y-%m-%d")  # real calendar dates
    for name in ("measures", "positions", "assessments"):
        assert t[name]["period"].str.match(MONTH).all()
    assert set(t["roster"]["case_carrying"]) == {"true", "false"}
    assert set(t["partners"]["stipend"]) <= {"true", "false"}
    for name, col in [("teams", "team_id"), ("teams", "country"), ("sessions", "study"), ("training", "unit"),
                      ("training", "programme"), ("partners", "unit"), ("goals", "country")]:
        assert t[name][col].str.match(SLUG).all(), (name, col)


# ----------------------------------------------------------------------------- teams
def test_teams_are_the_fixed_demo_ids_with_roles_and_start_months(t):
    teams = t["teams"].set_index("team_id")
    assert list(teams.index) == TRIBAL + PUBLIC + COMPARISON + PROGRAMME
    assert set(teams.loc[TRIBAL, "team_type"]) == {"tribal"}
    assert set(teams.loc[PUBLIC + COMPARISON, "team_type"]) == {"public"}
    assert set(teams.loc[TRIBAL + PUBLIC, "role"]) == {"participant"}
    assert set(teams.loc[COMPARISON, "role"]) == {"comparison"}
    assert set(teams.loc[PROGRAMME, "role"]) == {"programme"}
    assert set(teams.loc[TRIBAL + PUBLIC + COMPARISON, "country"]) == {"us"}
    assert set(teams.loc[PROGRAMME, "country"]) == {"evergreen"}
    starts = teams.loc[TRIBAL + PUBLIC, "start_month"]
    assert starts.min() == "2023-04" and starts.max() <= "2023-06"
    assert (starts == "2023-04").sum() >= 8
    assert set(teams.loc[COMPARISON + PROGRAMME, "start_month"]) == {""}


# ----------------------------------------------------------------------------- roster
def test_roster_is_person_level_and_consistent(t):
    r = t["roster"]
    assert r["staff_key"].str.match(r"^s\d{6}$").all() and r["staff_key"].is_unique
    left = r["separation_date"] != ""
    assert (left == (r["separation_type"] != "")).all()
    assert (r.loc[left, "hire_date"] <= r.loc[left, "separation_date"]).all()
    assert (r["hire_date"] < "2022-01-01").sum() > 300  # headcounts exist on day one
    assert r["hire_date"].max() <= "2024-12-31" and r.loc[left, "separation_date"].max() <= "2024-12-31"
    counts = r.loc[left, "separation_type"].value_counts()
    assert counts["voluntary"] > counts["involuntary"] > 0 and counts["other"] > 0
    assert 0 < counts["transfer"] < counts["involuntary"] + counts["other"]
    assert set(r["role"]) == {"caseworker", "supervisor", "manager", "support"}
    assert (r.loc[r["role"] == "caseworker", "case_carrying"] == "true").all()


def test_team_sizes_and_the_very_small_team(t):
    p = t["positions"].astype({"filled_positions": int, "funded_positions": int})
    size = p.groupby("team_id")["filled_positions"]
    small = p[p["team_id"] == "north-lake-band-east"]["filled_positions"]
    assert small.min() >= 4 and small.max() <= 8
    others = size.median().drop("north-lake-band-east")
    assert others.min() >= 15 and others.max() <= 70


# ----------------------------------------------------------------------------- measures
def test_measures_cover_every_unit_month_except_the_missing_months(t, truth):
    m = t["measures"]
    assert set(m["measure_id"]) == {"turnover_rate", "supervision", "vacancy_rate", "wellbeing_pulse"}
    assert not m.duplicated(["team_id", "period", "measure_id"]).any()
    missing = truth["lists"]["missing_months"]
    assert list(missing) == ["north-lake-band-west"] and 3 <= len(missing["north-lake-band-west"]) <= 4
    for team in TRIBAL + PUBLIC + COMPARISON + PROGRAMME:
        got = set(m.loc[m["team_id"] == team, "period"])
        assert got == set(MONTHS) - set(missing.get(team, [])), team
        assert (m["team_id"] == team).sum() == 4 * len(got)
    assert not t["positions"].query("team_id == 'north-lake-band-west'")["period"].isin(
        missing["north-lake-band-west"]).any()


@pytest.mark.parametrize("team, month", [("cedar-river-tribe", "2022-01"), ("valley-county", "2023-03"),
                                         ("prairie-north", "2024-07"), ("north-lake-band-east", "2023-11"),
                                         ("evergreen-metro", "2024-12"), ("granite-county", "2022-06"),
                                         ("evergreen-child-welfare", "2023-02")])
def test_turnover_supervision_and_vacancy_recomputed_by_hand_from_the_roster(t, team, month):
    rows = t["roster"][t["roster"]["team_id"] == team].to_dict("records")
    on_first = _employed(rows, _first(month))
    on_next = _employed(rows, _next_first(month))
    seps = sum(1 for r in rows if r["separation_date"][:7] == month and r["separation_type"] != "transfer")
    m = t["measures"]
    got = m[(m["team_id"] == team) & (m["period"] == month)].set_index("measure_id")
    assert float(got.loc["turnover_rate", "numerator"]) == seps
    assert float(got.loc["turnover_rate", "denominator"]) == (on_first + on_next) / 2
    assert float(got.loc["supervision", "denominator"]) == on_first
    assert 0 <= float(got.loc["supervision", "numerator"]) <= on_first
    pos = t["positions"]
    prow = pos[(pos["team_id"] == team) & (pos["period"] == month)].iloc[0]
    assert int(prow["filled_positions"]) == on_first <= int(prow["funded_positions"])
    assert float(got.loc["vacancy_rate", "numerator"]) == int(prow["funded_positions"]) - on_first
    assert float(got.loc["vacancy_rate", "denominator"]) == int(prow["funded_positions"])
    assert got.loc["wellbeing_pulse", "denominator"] == ""
    assert 1 <= float(got.loc["wellbeing_pulse", "numerator"]) <= 5


def test_proportions_never_exceed_their_denominators(t):
    m = t["measures"]
    for mid in ("supervision", "vacancy_rate"):
        x = m[m["measure_id"] == mid]
        assert (x["numerator"].astype(float) <= x["denominator"].astype(float)).all()
        assert (x["numerator"].astype(float) >= 0).all()
    p = t["positions"].astype({"filled_positions": int, "funded_positions": int})
    assert (p["filled_positions"] <= p["funded_positions"]).all()


# ----------------------------------------------------------------------------- truth
def test_truth_lists_match_the_brief_roles(truth):
    lists = truth["lists"]
    assert truth["synthetic"] is True and truth["seed"] == 2023
    assert 3 <= len(lists["improved"]) <= 4 and set(lists["improved"]) <= set(TRIBAL + PUBLIC)
    assert lists["deteriorated"] == ["prairie-north"]
    assert lists["small"] == ["north-lake-band-east"]
    assert lists["comparison"] == COMPARISON and lists["programme"] == PROGRAMME
    assert set(lists["improved"]) | set(lists["deteriorated"]) | set(lists["no_change"]) == set(
        TRIBAL + PUBLIC + COMPARISON)
    assert not set(lists["improved"]) & set(lists["no_change"])
    assert len(lists["no_change_participants"]) >= 6  # "most with no change"
    for team in lists["improved"]:
        eff = truth["units"][team]["effects"]
        assert 0.5 <= eff["turnover_rate"]["size"] <= 0.6
        assert eff["supervision"]["size"] > 0 and eff["wellbeing_pulse"]["size"] > 0
        assert eff["turnover_rate"]["from"] >= truth["units"][team]["start_month"]
    assert truth["units"]["prairie-north"]["effects"]["turnover_rate"]["size"] > 1
    for team in COMPARISON:
        assert truth["units"][team]["effects"] == {}


def test_true_effects_show_in_the_generated_measures(t, truth):
    """Pooled before/after rates recomputed here from measures.csv move the way TRUTH says."""
    m = t["measures"].copy()
    m["num"] = m["numerator"].astype(float)
    m["den"] = pd.to_numeric(m["denominator"].replace("", np.nan))

    def before_after(team, mid, split):
        x = m[(m["team_id"] == team) & (m["measure_id"] == mid)]
        b, a = x[x["period"] < split], x[x["period"] >= split]
        if mid == "wellbeing_pulse":
            return b["num"].mean(), a["num"].mean()
        return b["num"].sum() / b["den"].sum(), a["num"].sum() / a["den"].sum()

    for team in truth["lists"]["improved"]:
        split = truth["units"][team]["effects"]["turnover_rate"]["from"]
        tb, ta = before_after(team, "turnover_rate", split)
        assert ta < 0.8 * tb, team
        sb, sa = before_after(team, "supervision", split)
        assert sa > sb + 0.08, team
        wb, wa = before_after(team, "wellbeing_pulse", split)
        assert wa > wb + 0.15, team
        vb, va = before_after(team, "vacancy_rate", split)
        assert va < vb, team
    tb, ta = before_after("prairie-north", "turnover_rate", "2023-09")
    assert ta > 1.2 * tb


# ----------------------------------------------------------------------------- other team tables
def test_requisitions_open_and_filled(t):
    q = t["requisitions"]
    assert q["requisition_id"].is_unique
    filled = q["filled"] != ""
    assert (q.loc[filled, "filled"] > q.loc[filled, "opened"]).all()
    assert 0 < (~filled).sum() < len(q) / 5  # some still open at the end


def test_survey_waves_response_rates_and_items(t):
    s = t["survey"]
    assert s["response_id"].is_unique
    assert set(s["wave"]) == {"1", "2", "3"}
    assert s.groupby("wave")["fielded"].nunique().eq(1).all()
    assert set(s["team_id"]) == set(TRIBAL + PUBLIC + COMPARISON)
    items = [f"cbi_work_{i}" for i in range(1, 8)]
    assert set(s[items].stack()) <= {"0", "25", "50", "75", "100", ""}
    assert set(s[["itl_1", "itl_2", "itl_3"]].stack()) <= {"1", "2", "3", "4", "5", ""}
    blanks = (s[items + ["itl_1", "itl_2", "itl_3"]] == "").to_numpy().mean()
    assert 0.002 < blanks < 0.05
    roster = t["roster"].to_dict("records")
    for (team, wave), g in s.groupby(["team_id", "wave"]):
        day = _d(g["fielded"].iloc[0])
        staff = _employed([r for r in roster if r["team_id"] == team], day)
        if staff >= 20:  # rates of tiny teams are too noisy to bound
            assert 0.5 <= len(g) / staff <= 0.92, (team, wave)


def test_burnout_falls_in_improving_teams(t, truth):
    s = t["survey"].replace("", np.nan)
    items = s[[f"cbi_work_{i}" for i in range(1, 8)]].astype(float)
    items["cbi_work_7"] = 100 - items["cbi_work_7"]  # reverse-keyed item (Kristensen et al. 2005)
    s["burnout"] = items.mean(axis=1)
    imp = s[s["team_id"].isin(truth["lists"]["improved"])].groupby("wave")["burnout"].mean()
    rest = s[s["team_id"].isin(truth["lists"]["no_change"])].groupby("wave")["burnout"].mean()
    assert imp["3"] < imp["1"] - 4
    assert abs(rest["3"] - rest["1"]) < 3


def test_pdsa_logs(t):
    p = t["pdsa"]
    teams = t["teams"].set_index("team_id")
    assert set(p["team_id"]) <= set(TRIBAL + PUBLIC) and p["pdsa_id"].is_unique
    assert set(p["essential"]) == ESSENTIALS
    assert set(p["decision"]) <= {"adopt", "adapt", "abandon", "ongoing"}
    assert {"adopt", "adapt", "abandon"} <= set(p["decision"])
    assert (p["prediction"] == "").any() and (p["prediction"] != "").any()
    starts = p["team_id"].map(teams["start_month"])
    assert (p["start_date"].str[:7] >= starts).all()
    done = p["end_date"] != ""
    assert (p.loc[done, "end_date"] >= p.loc[done, "start_date"]).all()
    assert (p.loc[~done, "decision"] == "ongoing").all()
    assert p.groupby("ramp_id")["team_id"].nunique().eq(1).all()
    assert set(p["measure_id"]) - {""} <= {"turnover_rate", "supervision", "vacancy_rate", "wellbeing_pulse"}


def test_events_have_the_three_learning_sessions_for_all_teams(t):
    e = t["events"]
    ls = e[e["kind"] == "learning_session"]
    assert list(ls["date"]) == ["2023-04-25", "2023-11-15", "2024-06-12"]
    assert set(ls["team_id"]) == {""}
    assert set(e.loc[e["kind"] != "learning_session", "team_id"]) <= set(TRIBAL + PUBLIC)
    assert (e["kind"] == "change").sum() >= 4


def test_assessments(t, truth):
    a = t["assessments"].copy()
    a["s"] = a["score"].astype(float)
    assert ((a["s"] * 2) % 1 == 0).all() and a["s"].between(0.5, 5.0).all()
    assert set(a["rater"]) == {"faculty", "self"}
    assert set(a["team_id"]) == set(TRIBAL + PUBLIC)
    starts = a["team_id"].map(t["teams"].set_index("team_id")["start_month"])
    assert (a["period"] >= starts).all()
    wide = a.pivot_table(index=["team_id", "period"], columns="rater", values="s")
    assert (wide["self"] >= wide["faculty"]).all() and wide["self"].mean() > wide["faculty"].mean()
    last = a[a["rater"] == "faculty"].sort_values("period").groupby("team_id")["s"].last()
    assert (last[truth["lists"]["improved"]] >= 3.0).all()
    assert last["prairie-north"] < 3.0


# ----------------------------------------------------------------------------- moldova
def test_moldova_goals_deliverables_membership_outputs(t):
    g = t["goals"]
    assert set(g["country"]) == {"moldova"} and 5 <= len(g) <= 6
    base, target = g["baseline"].astype(float), g["target"].astype(float)
    assert (base > target).any()  # at least one decrease goal
    assert g["gas_level"].astype(int).between(-2, 2).all() and (g["weight"].astype(float) > 0).all()
    assert (g["evidence"] != "").all()
    d = t["deliverables"]
    assert d["group"].nunique() in (3, 4) and set(d["goal_id"]) <= set(g["goal_id"])
    done = d[d["completed"] != ""]
    assert (done["completed"] == done["due"]).sum() == 1
    assert (done["completed"] > done["due"]).any() and (d["completed"] == "").any()
    mem = t["membership"].astype({"members": int})
    totals = mem.groupby("date")["members"].sum()
    assert totals.iloc[0] == 15 and totals.max() >= 30 and totals.iloc[-1] >= 28
    first = set(mem.loc[mem["date"] == mem["date"].min(), "sector"])
    assert len(set(mem["sector"]) - first) >= 1  # a sector absent early on
    o = t["outputs"]
    assert o["count"].astype(int).gt(0).all() and o["output_type"].nunique() >= 3


# ----------------------------------------------------------------------------- evergreen
def test_evergreen_focus_groups_and_excerpts(t):
    s = t["sessions"].astype({"participants": int, "hours": float})
    assert len(s) == 18 and set(s["study"]) == {"evergreen"}
    assert s["participants"].between(3, 12).all() and (s["participants"] < 5).any()
    assert s["affinity_group"].nunique() >= 5
    x = t["excerpts"]
    assert set(x["session_id"]) <= set(s["session_id"])
    themes = {p.split(" > ")[0] for p in x["code_path"]}
    assert themes == {"Worldview & Perspectives", "Relational Workforce Wellbeing",
                      "Equitable Systems & Organizational Culture"}
    assert x["code_path"].str.count(" > ").eq(2).all()
    per = x.groupby("excerpt_id")["code_path"].nunique()
    assert per.max() >= 2 and per.max() <= 3 and (per >= 2).sum() >= 3
    assert x.groupby("excerpt_id")["text"].nunique().eq(1).all()
    assert x["text"].str.contains("<").any() and x["text"].str.contains("&").any()


def test_evergreen_partners(t):
    p = t["partners"].astype({"meetings_held": int, "meetings_attended": int})
    assert set(p["unit"]) == {"evergreen"} and p["partner"].is_unique
    assert (p["meetings_attended"] <= p["meetings_held"]).all()
    assert p["sector"].nunique() >= 6


def test_training_attendees_are_programme_staff_employed_that_day(t):
    tr = t["training"]
    roster = t["roster"].set_index("staff_key")
    assert set(tr["unit"]) == {"evergreen"} and set(tr["level"]) == {"basic", "core", "advanced"}
    assert set(tr["programme"]) == set(PROGRAMME)
    assert tr["staff_key"].isin(roster.index).all()
    assert (roster.loc[tr["staff_key"], "team_id"].to_numpy() == tr["programme"].to_numpy()).all()
    for key, date in zip(tr["staff_key"], tr["date"]):
        r = roster.loc[key]
        assert r["hire_date"] <= date and (r["separation_date"] == "" or r["separation_date"] >= date)
    progs = tr.groupby("session_id")["programme"].nunique()
    assert (progs == 2).sum() >= 5 and (progs == 1).sum() >= 2  # joint and single-programme sessions
    trained = roster.loc[tr["staff_key"].unique()]
    assert (trained["separation_date"] != "").sum() >= 5  # some trained staff then left


# ----------------------------------------------------------------------------- large data
def test_large_data_has_the_same_shape_and_definitions(tmp_path):
    paths = write_large_data(tmp_path, seed=5, units=6, months=12)
    data_files = {"teams.csv", "roster.csv", "positions.csv", "measures.csv", "TRUTH.json"}
    assert {p.name for p in paths if p.parent == tmp_path} == data_files
    teams = pd.read_csv(tmp_path / "teams.csv", dtype=str, keep_default_na=False)
    roster = pd.read_csv(tmp_path / "roster.csv", dtype=str, keep_default_na=False)
    m = pd.read_csv(tmp_path / "measures.csv", dtype=str, keep_default_na=False)
    assert list(roster.columns) == BRIEF_COLUMNS["roster"].split(", ") and len(teams) == 6
    assert len(m) == 6 * 12 * 4 and set(m["period"]) == set(MONTHS[:12])
    team = teams["team_id"].iloc[1]
    rows = roster[roster["team_id"] == team].to_dict("records")
    got = m[(m["team_id"] == team) & (m["period"] == "2022-05") & (m["measure_id"] == "turnover_rate")].iloc[0]
    on = _employed(rows, dt.date(2022, 5, 1)) + _employed(rows, dt.date(2022, 6, 1))
    assert float(got["denominator"]) == on / 2
    seps = sum(1 for r in rows if r["separation_date"][:7] == "2022-05" and r["separation_type"] != "transfer")
    assert float(got["numerator"]) == seps
    again = write_large_data(tmp_path / "again", seed=5, units=6, months=12)
    assert all(filecmp.cmp(a, b, shallow=False) for a, b in zip(paths, again))


def test_large_data_comes_with_params_that_validate_and_plan_one_report_per_participant(tmp_path):
    from evalkit.batch.plan import validate_and_plan

    write_large_data(tmp_path, seed=5, units=6, months=12)
    teams = pd.read_csv(tmp_path / "teams.csv", dtype=str, keep_default_na=False)
    participants = sorted(teams.loc[teams["role"] == "participant", "team_id"])
    assert sorted(p.stem for p in (tmp_path / "params" / "teams").glob("*.yaml")) == participants
    problems, plan = validate_and_plan(tmp_path / "params", tmp_path)
    assert problems is None
    assert plan["reports"]["team"] == participants and plan["reports"]["country"] == []
    # a smaller run into the same folder leaves no params of units that are gone
    write_large_data(tmp_path, seed=5, units=2, months=12)
    assert len(list((tmp_path / "params" / "teams").glob("*.yaml"))) == 1
