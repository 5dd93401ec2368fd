"""evalkit.sections: the notebook building blocks (expected values by hand, from the
demo data's documented design in BRIEF.md and the team params files)."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from _demo_batch import DATA, PARAMS
from evalkit import sections
from evalkit.io import DataValidationFailed
from evalkit.params import load_team


def _break_first_row(data, team_id):
    path = data / "measures.csv"
    lines = path.read_text().splitlines()
    col = lines[0].split(",").index("numerator")
    i = next(k for k, line in enumerate(lines) if line.startswith(team_id + ","))
    cells = lines[i].split(",")
    cells[col] = "twelve"
    lines[i] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")


def test_other_units_bad_rows_do_not_stop_a_report(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    _break_first_row(data, "red-willow-nation")
    tables = sections.load_report_tables(data, "cedar-river-tribe", kind="team")
    assert set(tables["measures"]["team_id"]) == {"cedar-river-tribe"}
    with pytest.raises(DataValidationFailed, match="numerator"):
        sections.load_report_tables(data, "red-willow-nation", kind="team")
    with pytest.raises(DataValidationFailed):
        sections.load_report_tables(data, kind="collaborative")
    summary = sections.load_report_tables(data, kind="collaborative", exclude_units=["red-willow-nation"])
    assert "red-willow-nation" not in set(summary["measures"]["team_id"])
    assert "red-willow-nation" not in set(summary["teams"]["team_id"])


def test_measure_charts_freeze_the_months_before_the_intervention_start():
    tables = sections.load_report_tables(DATA, "cedar-river-tribe")
    params = load_team(PARAMS, "cedar-river-tribe")
    charts = sections.measure_charts(tables, params)
    # params/teams/cedar-river-tribe.yaml: intervention_start 2023-06; data start 2022-01:
    # 2022-01..2023-05 = 12 + 5 = 17 baseline months of 36
    assert charts.start == pd.Timestamp("2023-06-01")
    assert charts.verdicts["baseline_points"].tolist() == [17, 17, 17, 17]
    assert charts.verdicts["n_points"].tolist() == [36, 36, 36, 36]
    assert list(charts.results) == ["turnover_rate", "supervision", "vacancy_rate", "wellbeing_pulse"]
    assert all(r.freeze == 17 for r in charts.results.values())
    assert set(charts.verdicts["verdict"]) <= set(sections.VERDICT_TEXT.values()) | {"no data"}


def test_team_without_params_start_uses_teams_start_month():
    tables = sections.load_report_tables(DATA, "valley-county")
    params = load_team(PARAMS, "valley-county")
    expected = pd.Timestamp(params.intervention_start) if params.intervention_start else pd.Timestamp("2023-04-01")
    assert sections.intervention_start(tables, params) == expected.to_period("M").to_timestamp()


def test_summary_box_escapes_and_states_the_caveats():
    verdicts = pd.DataFrame({"label": ["<i>Turnover</i>"], "verdict": ["improvement"], "sentence": [None]})
    box = sections.summary_box(evaluated="<script>x</script>", period="2022-01 to 2024-12", data_as_of="2024-12-31",
                               verdicts=verdicts, caveats=["a & b"], synthetic=True)
    html = box._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "&lt;i&gt;Turnover&lt;/i&gt;</strong>: improvement" in html
    assert "SYNTHETIC DATA" in html and "a &amp; b" in html and "2024-12-31" in html


def test_board_counts_count_teams_by_verdict():
    board = pd.DataFrame({
        "team_id": ["a", "b", "c", "a", "b", "c"],
        "team_name": ["A", "B", "C", "A", "B", "C"],
        "measure_id": ["m"] * 3 + ["n"] * 3,
        "label": ["M"] * 3 + ["N"] * 3,
        "verdict": ["improvement", "improvement", "deterioration", "no signal", "no signal", "too few points"],
    })
    counts = sections.board_counts(board)
    assert counts["verdict"].tolist() == ["2 of 3 teams improved, 1 deteriorated", "0 of 3 teams improved"]
    wide = sections.board_table(board)
    assert wide.columns.tolist() == ["team", "M", "N"] and wide["M"].tolist() == ["improvement", "improvement",
                                                                                   "deterioration"]


def test_period_covered_and_country_sections():
    tables = sections.load_report_tables(DATA, "moldova", kind="country")
    found = sections.country_sections(tables, "moldova")
    # BRIEF.md: moldova has goals, deliverables, membership and outputs; evergreen the rest
    assert {k for k, v in found.items() if v} == {"goals", "deliverables", "membership", "outputs"}
    assert sections.describe_sections(found) == ("progress toward goals, working-group deliverables, "
                                                 "membership and sectors and outputs")
    team = sections.load_report_tables(DATA, "cedar-river-tribe")
    assert sections.period_covered(team["measures"]) == "2022-01 to 2024-12"  # BRIEF.md demo period


def test_rules_text_names_each_rule_set_and_rejects_others():
    assert "Anhøj" in sections.rules_text("anhoej") and "IHI" in sections.rules_text("ihi")
    with pytest.raises(Exception, match="not known"):
        sections.rules_text("western-electric")


def test_team_sections_count_the_teams_rows_in_each_optional_table():
    tables = {"roster": pd.DataFrame({"team_id": ["a", "a", "b"]}),
              "survey": pd.DataFrame({"team_id": ["b"]}),
              "pdsa": pd.DataFrame({"team_id": pd.Series([None, "a"], dtype="string")})}
    # by hand: roster has 2 rows of team a, survey none, pdsa 1, assessments table absent
    assert sections.team_sections(tables, "a") == {"staffing": 2, "survey": 0, "pdsa": 1, "progress": 0}


# --------------------------------------------------------------------------- report tables


def test_format_table_reads_like_a_report():
    frame = pd.DataFrame({
        "unit": ["ev", "ev", "ev"],
        "sector": ["child-care-centers", "head-start", pd.NA],
        "n_partners": [2.0, 1.0, 3.0],
        "attendance_pct": [89.41176, 85.0, float("nan")],
        "n_with_stipend": pd.Series(["<10", 12, None], dtype=object),  # as privacy suppression leaves it
        "covered": [True, False, True],
        "stipend_total": [float("nan")] * 3,
        "staff_key": ["s1", "s2", "s3"],
    })
    table = sections.format_table(frame)
    # by hand: unit is one value (dropped), stipend_total all missing (dropped), staff_key never shown
    assert table.frame.columns.tolist() == ["Sector", "Partners", "Attendance (%)", "Partners with a stipend", "Covered"]
    assert table.frame["Sector"].tolist() == ["Child care centers", "Head start", "—"]
    assert table.frame["Partners"].tolist() == ["2", "1", "3"]                # counts without ".0"
    assert table.frame["Attendance (%)"].tolist() == ["89.4", "85.0", "—"]    # 1 decimal, missing as a dash
    assert table.frame["Partners with a stipend"].tolist() == ["<10", "12", "—"]
    assert table.frame["Covered"].tolist() == ["yes", "no", "yes"]
    assert set(table.numeric) == {"Partners", "Attendance (%)", "Partners with a stipend"}
    html = table._repr_html_()
    assert "None" not in html and "NaN" not in html and "nan" not in html and "s1" not in html
    assert '<td>Child care centers</td>' in html and '<td class="ek-num">89.4</td>' in html
    assert "&lt;10" in html


def test_format_table_keeps_ids_of_several_units_escapes_and_caps_rows():
    frame = pd.DataFrame({"team_id": ["a-1", "b-2"] * 30, "team_name": ["<b>A</b>", "B"] * 30,
                          "count": range(60), "when": pd.to_datetime(["2024-01-05"] * 60)})
    table = sections.format_table(frame, max_rows=10, labels={"count": "Cycles"})
    assert table.frame.columns.tolist() == ["Team id", "Team", "Cycles", "When"]
    assert table.frame["Team id"].iloc[0] == "a-1"                            # ids are not turned into words
    assert table.frame["When"].iloc[0] == "2024-01-05" and len(table.frame) == 10
    assert table.note == "50 more rows not shown."
    html = table._repr_html_()
    assert "&lt;b&gt;A&lt;/b&gt;" in html and "<b>A</b>" not in html
    wide = sections.format_table(pd.DataFrame({"n": [1234567.0], "x": [0.25]}), digits=1)
    assert wide.frame.iloc[0].tolist() == ["1,234,567", "0.2"]                # Python rounds half to even: 0.25 -> 0.2


def test_column_labels_and_slug_labels():
    assert sections.column_label("n_partners") == "Partners"
    assert sections.column_label("attendance_pct") == "Attendance (%)"
    assert sections.column_label("n_new_hires") == "New hires"
    assert sections.column_label("pct_joint") == "Joint (%)"
    assert sections.slug_label("child-care-centers") == "Child care centers"
    assert sections.slug_label("Already words") == "Already words"


def test_definitions_table_shows_a_dash_for_no_target():
    params = load_team(PARAMS, "prairie-north")
    table = sections.format_table(sections.definitions_table(params), drop_empty=False)
    targets = dict(zip(table.frame["Measure"], table.frame["Target"]))
    assert set(targets.values()) <= {"—"} | {t for t in targets.values() if t[:1].isdigit()}
    assert "None" not in table._repr_html_()


def test_training_sessions_table_one_row_per_session_with_counts_suppressed():
    from evalkit.training import joint_attendance

    t = pd.DataFrame({
        "unit": ["ev"] * 15, "session_id": ["s1"] * 12 + ["s2"] * 3,
        "date": pd.to_datetime(["2023-01-10"] * 12 + ["2023-02-10"] * 3),
        "module": ["intro"] * 12 + ["core"] * 3, "level": ["basic"] * 12 + ["core"] * 3,
        "staff_key": [f"k{i}" for i in range(12)] + ["k0", "k1", "k2"],
        "programme": ["cw"] * 11 + ["fa"] + ["cw"] * 3,
    })
    joint = joint_attendance(t)
    table = sections.training_sessions_table(joint, threshold=10, names={"cw": "Child welfare"})
    # by hand: s1 has 11 cw + 1 fa (joint); s2 has 3 cw, 0 fa (not joint)
    assert table.columns.tolist() == ["date", "module", "level", "Child welfare: attendees", "fa: attendees", "joint"]
    assert table["joint"].tolist() == [True, False]
    shown = table[["Child welfare: attendees", "fa: attendees"]].astype(str).values.tolist()
    assert shown[0][1] == "<10" and shown[1][0] == "<10"  # 1 and 3 people are below 10
    assert "k0" not in table.to_string()
    assert sections.joint_training_sentence(joint) == ("1 of 2 training sessions (50%) were attended by staff of "
                                                       "every programme (joint sessions).")


def test_team_names_fall_back_to_ids():
    tables = {"teams": pd.DataFrame({"team_id": ["a", "b"], "team_name": ["Team A", None]})}
    assert sections.team_names(tables) == {"a": "Team A", "b": "b"}


def test_rare_events_caution_only_for_count_charts_with_few_events():
    from evalkit.spc import qic

    # by hand: 0+1+2+0+1+1+0+2+1+0+1+1 = 10 events over 12 months -> 0.83 a month (< 2)
    rare = qic([0, 1, 2, 0, 1, 1, 0, 2, 1, 0, 1, 1], [20] * 12, chart="u")
    text = sections.rare_events_caution(rare)
    assert text.startswith("Caution: on average 0.8 events a month") and "quarter" in text and "t or g chart" in text
    assert sections.rare_events_caution(qic([3] * 12, [20] * 12, chart="u")) is None        # 3 a month: not rare
    assert sections.rare_events_caution(qic([1] * 12, [20] * 12, chart="u"), min_mean=1.0) is None
    assert sections.rare_events_caution(qic([1, 0, 1] * 4, [20] * 12, chart="p")) is None   # not a count chart


def test_evaluation_window_is_the_months_of_the_measures():
    tables = sections.load_report_tables(DATA, "prairie-north")
    assert sections.evaluation_window(tables["measures"]) == ("2022-01", "2024-12")  # BRIEF.md demo period
    assert sections.evaluation_window(pd.DataFrame({"period": pd.Series([], dtype="datetime64[ns]")})) is None


def test_false_signal_reference_counts_comparison_units_charts_with_a_signal():
    verdicts = pd.DataFrame({
        "team_id": ["p1", "p1", "c1", "c1", "c2", "c2", "c3", "c3"],
        "role": ["participant"] * 2 + ["comparison"] * 6,
        "measure_id": ["m", "n"] * 4,
        "verdict": ["improvement", "improvement", "improvement", "none", "neutral", "none", "none", "too_few"],
    })
    # by hand: comparison charts judged = 5 (c3's too_few left out), of 3 units; signals: c1 m, c2 m -> 2
    assert sections.false_signal_reference(verdicts, start="2023-04-01") == (
        "For reference, 2 of 5 charts of the 3 units that did not take part also show a signal (judged the same "
        "way from the collaborative's start, 2023-04): signals can appear without any change.")
    assert "no reference" in sections.false_signal_reference(verdicts.iloc[:2])


def test_false_signal_reference_on_the_demo_collaborative():
    from evalkit import rollup
    from evalkit.params import load_collaborative

    collab = load_collaborative(PARAMS)
    tables = sections.load_report_tables(DATA, kind="collaborative")
    result = rollup.collaborative_rollup(tables, collab.measures, starts=rollup.team_starts(tables["teams"], PARAMS),
                                         method=collab.rules.method, n_boot=99)
    text = sections.false_signal_reference(result.verdicts, start=result.settings["comparison_start"])
    # BRIEF.md: 4 comparison units x 4 measures = 16 charts, split at the collaborative start 2023-04
    assert "of 16 charts of the 4 units that did not take part" in text and "2023-04" in text
