"""evalkit.report.sections (shared), country_sections and collaborative_sections: the notebook building
blocks (expected values by hand, from the demo data's documented design in BRIEF.md and the team
params files)."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from _demo_batch import DATA, PARAMS
from evalkit.effects.verdict import VERDICT_WORDS, VERDICTS
from evalkit.report import collaborative as collaborative_sections
from evalkit.report import country as country_sections
from evalkit.report import sections
from evalkit.inputs.read import DataValidationFailed
from evalkit.inputs.params import load_team


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
    assert set(charts.verdicts["verdict"]) <= set(VERDICTS)
    assert charts.verdicts["verdict_text"].tolist() == [VERDICT_WORDS[v] for v in charts.verdicts["verdict"]]


def test_team_without_params_start_uses_teams_start_month():
    tables = sections.load_report_tables(DATA, "valley-county")
    params = load_team(PARAMS, "valley-county")
    expected = pd.Timestamp(params.intervention_start) if params.intervention_start else pd.Timestamp("2023-04-01")
    assert sections.intervention_start(tables, params) == expected.to_period("M").to_timestamp()


def test_summary_box_escapes_and_states_the_caveats():
    verdicts = pd.DataFrame({"label": ["<i>Turnover</i>"], "verdict": ["improved"], "verdict_text": ["improved"],
                             "detail": ["1 < 2 & more"]})
    box = sections.summary_box(evaluated="<script>x</script>", period="2022-01 to 2024-12", data_as_of="2024-12-31",
                               verdicts=verdicts, caveats=["a & b"], synthetic=True)
    html = box._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert ('&lt;i&gt;Turnover&lt;/i&gt;</strong>: <strong class="ek-verdict ek-good">improved</strong> — '
            "1 &lt; 2 &amp; more") in html
    assert "SYNTHETIC DATA" in html and "a &amp; b" in html and "2024-12-31" in html


def test_summary_box_prints_the_notes_escaped_and_ends_with_the_contents_marker():
    from evalkit.report.html import CONTENTS_MARKER

    box = sections.summary_box(evaluated="T", period="p", data_as_of=None, notes="Comparison <unit>")
    html = box._repr_html_()
    assert "<h3>Notes</h3><ul><li>Comparison &lt;unit&gt;</li></ul>" in html
    assert html.endswith(CONTENTS_MARKER) and '<h2 id="summary">Summary</h2>' in html
    assert "No measures to judge." in html
    assert "<h3>Notes</h3>" not in sections.summary_box(evaluated="T", period="p", data_as_of=None).html


def test_title_block_is_the_one_h1_naming_the_unit_and_period():
    words = sections.report_title("Cedar <River>", "team evaluation", "2022-01", "2024-12")
    assert words == "Cedar <River> — team evaluation, Jan 2022–Dec 2024"
    html = sections.title_block(words, "sub").html
    assert html.count("<h1") == 1 and "Cedar &lt;River&gt; — team evaluation, Jan 2022–Dec 2024</h1>" in html
    assert sections.report_title("Evergreen", "state report") == "Evergreen — state report"


def test_link_terms_links_glossary_terms_only_outside_tags_and_keeps_escaping():
    import html as _html

    text = _html.escape("Hedges' g = 0.3; odds ratio 0.8; I² 40% <b>random-effects</b>")
    out = sections.link_terms(text)
    assert '<a class="ek-term" href="#glossary-hedges-g">Hedges&#x27; g</a>' in out
    assert 'href="#glossary-odds-ratio"' in out and 'href="#glossary-i-squared"' in out
    assert "&lt;b&gt;" in out and "<b>" not in out
    assert sections.link_terms('<a title="odds ratio">x</a>') == '<a title="odds ratio">x</a>'  # not inside tags
    ids = {a for a, *_ in sections.GLOSSARY}
    assert all(f'id="glossary-{a}"' in sections.glossary().html for a in ids)


def test_board_counts_count_teams_by_verdict():
    board = pd.DataFrame({
        "team_id": ["a", "b", "c", "a", "b", "c"],
        "team_name": ["A", "B", "C", "A", "B", "C"],
        "measure_id": ["m"] * 3 + ["n"] * 3,
        "label": ["M"] * 3 + ["N"] * 3,
        "verdict": ["improved", "improved", "deteriorated", "no_change", "no_change", "too_little_data"],
        "verdict_text": ["improvement", "improvement", "deterioration", "no signal", "no signal", "too few points"],
    })
    counts = collaborative_sections.board_counts(board)
    assert counts["verdict"].tolist() == ["2 of 3 teams improved, 1 got worse", "0 of 3 teams improved"]
    # chance alone: 3 judged teams x 2.6% = 0.08 improved, x 2.8% = 0.08 worse; measure N has 2 judged
    assert counts["detail"].iloc[0].startswith("3 of 3 teams had enough data to judge; if none had truly changed, "
                                               "about 0.1 would be called improved and 0.1 worse by chance")
    assert counts["detail"].iloc[1].startswith("2 of 3 teams had enough data to judge")
    wide = collaborative_sections.board_table(board)
    assert wide.columns.tolist() == ["team", "M", "N"] and wide["M"].tolist() == ["improvement", "improvement",
                                                                                   "deterioration"]


def test_period_covered_and_country_sections():
    tables = sections.load_report_tables(DATA, "moldova", kind="country")
    found = country_sections.country_sections(tables, "moldova")
    # BRIEF.md: moldova has goals, deliverables, membership and outputs; evergreen the rest
    assert {k for k, v in found.items() if v} == {"goals", "deliverables", "membership", "outputs"}
    assert country_sections.describe_sections(found) == ("progress toward goals, working-group deliverables, "
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
    assert sections.team_sections(tables, "a") == {"staffing": 2, "vacancy": 0, "time_to_fill": 0, "survey": 0,
                                                   "pdsa": 1, "progress": 0, "before_after": 0}
    # before/after: roster + survey rows of the team (2 + 0) once a start month is known
    assert sections.team_sections(tables, "a", start="2023-04")["before_after"] == 2


# --------------------------------------------------------------------------- report tables


def test_format_table_reads_like_a_report():
    frame = pd.DataFrame({
        "unit": ["ev", "ev", "ev"],
        "sector": ["child-care-centers", "head-start", pd.NA],
        "n_partners": [2.0, 1.0, 3.0],
        "attendance_pct": [89.41176, 85.0, float("nan")],
        "n_with_stipend": pd.Series(["hidden", 12, None], dtype=object),  # as privacy suppression leaves it
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
    assert table.frame["Partners with a stipend"].tolist() == ["hidden", "12", "—"]
    assert table.frame["Covered"].tolist() == ["yes", "no", "yes"]
    assert set(table.numeric) == {"Partners", "Attendance (%)", "Partners with a stipend"}
    html = table._repr_html_()
    assert "None" not in html and "NaN" not in html and "nan" not in html and "s1" not in html
    assert '<td>Child care centers</td>' in html and '<td class="ek-num">89.4</td>' in html
    assert "hidden" in html


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
    from evalkit.country.training import joint_attendance

    t = pd.DataFrame({
        "unit": ["ev"] * 15, "session_id": ["s1"] * 12 + ["s2"] * 3,
        "date": pd.to_datetime(["2023-01-10"] * 12 + ["2023-02-10"] * 3),
        "module": ["intro"] * 12 + ["core"] * 3, "level": ["basic"] * 12 + ["core"] * 3,
        "staff_key": [f"k{i}" for i in range(12)] + ["k0", "k1", "k2"],
        "programme": ["cw"] * 11 + ["fa"] + ["cw"] * 3,
    })
    joint = joint_attendance(t)
    table = country_sections.training_sessions_table(joint, threshold=10, names={"cw": "Child welfare"})
    # by hand: s1 has 11 cw + 1 fa (joint); s2 has 3 cw, 0 fa (not joint)
    assert table.columns.tolist() == ["date", "module", "level", "Child welfare: attendees", "fa: attendees", "joint"]
    assert table["joint"].tolist() == [True, False]
    shown = table[["Child welfare: attendees", "fa: attendees"]].astype(str).values.tolist()
    assert shown[0][1] == "hidden" and shown[1][0] == "hidden"  # 1 and 3 people are below 10
    assert "k0" not in table.to_string()
    assert country_sections.joint_training_sentence(joint) == (
        "1 of 2 training sessions (50%) were attended by staff of every programme (joint sessions).")


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
        "verdict": ["improved", "improved", "improved", "no_change", "mixed", "no_change", "no_change",
                    "too_little_data"],
    })
    # by hand: comparison charts judged = 5 (c3's too_little_data left out), of 3 units; signals: c1 m, c2 m -> 2
    assert collaborative_sections.false_signal_reference(verdicts, start="2023-04-01") == (
        "For reference, 2 of 5 charts of the 3 units that did not take part also show a sustained shift (judged the same "
        "way from the collaborative's start, 2023-04): shifts can appear without any change.")
    assert "no reference" in collaborative_sections.false_signal_reference(verdicts.iloc[:2])


def test_false_signal_reference_on_the_demo_collaborative():
    from evalkit.collaborative import rollup
    from evalkit.inputs.params import load_collaborative

    collab = load_collaborative(PARAMS)
    tables = sections.load_report_tables(DATA, kind="collaborative")
    result = rollup.collaborative_rollup(tables, collab.measures, starts=rollup.team_starts(tables["teams"], PARAMS),
                                         method=collab.rules.method, n_boot=99)
    text = collaborative_sections.false_signal_reference(result.verdicts, start=result.settings["comparison_start"])
    # BRIEF.md: 4 comparison units x 4 measures = 16 charts, split at the collaborative start 2023-04
    assert "of 16 charts of the 4 units that did not take part" in text and "2023-04" in text


# --------------------------------------------------------------------------- staffing panels and before/after
# Small hand-made tables; every expected value is worked out by hand in the comment beside it.

def _staff(n, hire="2020-01-01", sep=None, kind=None, team="t", start=0):
    return pd.DataFrame({"team_id": team, "staff_key": [f"k{start + i}" for i in range(n)], "role": "caseworker",
                         "case_carrying": True, "hire_date": pd.to_datetime([hire] * n),
                         "separation_date": pd.to_datetime([sep] * n), "separation_type": [kind] * n})


def test_retention_panel_one_calendar_year_by_hand():
    roster = pd.concat([_staff(30), _staff(10, sep="2022-06-15", kind="voluntary", start=30)], ignore_index=True)
    panel = sections.retention_panel(roster, first_month="2022-01", last_month="2022-12", threshold=10)
    # 40 employed on 2022-01-01, 30 still employed on 2022-12-31: 30 / 40 = 75%
    assert panel.show_chart
    assert panel.table.to_dict("records") == [{"window_start": "2022-01", "period": "2022-12",
                                               "employed_first_day": 40, "retained": 30, "retention_rate": 75.0}]
    assert "was 75% from 2022-01 to 2022-12" in panel.sentences[0]
    # threshold 35: 40 at the start are shown but 30 retained < 35 is hidden, and so is the rate,
    # in the table, the sentence and the chart
    small = sections.retention_panel(roster, first_month="2022-01", last_month="2022-12", threshold=35)
    assert not small.show_chart and small.sentences[0].startswith("Every 12-month period rests on fewer than 35 staff")
    assert small.table[["employed_first_day", "retained", "retention_rate"]].values.tolist() == [
        [40, "hidden", "suppressed"]]
    assert small.result.table["retention_rate"].isna().all()


def test_new_hire_panel_counts_a_complete_cohort():
    roster = pd.concat([_staff(15, hire="2022-03-01"),
                        _staff(10, hire="2022-03-01", sep="2022-09-30", kind="voluntary", start=15)],
                       ignore_index=True)
    panel = sections.new_hire_panel(roster, as_of="2024-12-31", since="2022-01", threshold=10)
    # 25 hired in 2022, 10 left within 365 days: 15 / 25 = 60%, counted directly (anniversary passed)
    row = panel.table.iloc[0]
    assert (row["cohort"], row["n_hired"], row["method"], row["retention_rate"]) == ("2022", 25, "counted", 60.0)
    assert panel.show_chart and panel.sentences[0].startswith("Of the people hired in 2022, 60% were still employed")
    # threshold 11: 10 leavers < 11 are hidden, so is the rate (table and chart): no chart, a note
    small = sections.new_hire_panel(roster, as_of="2024-12-31", since="2022-01", threshold=11)
    assert not small.show_chart and small.result.table["retention_rate"].isna().all()
    assert small.sentences[0].startswith("Every hire cohort rests on fewer than 11 people")
    assert not sections.new_hire_panel(roster, as_of="2024-12-31", since="2022-01", threshold=26).show_chart


def test_tenure_panel_median_by_hand():
    # 11 people hired 2022-01-01, person i (1..11) employed 10*i days (hire day and last day counted):
    # S after the 6th leaver (day 60) = 5/11 < 0.5, after the 5th (day 50) = 6/11 > 0.5 -> median 60 days
    hires = pd.Timestamp("2022-01-01")
    roster = pd.DataFrame({"team_id": "t", "staff_key": [f"k{i}" for i in range(1, 12)],
                           "hire_date": hires,
                           "separation_date": [hires + pd.Timedelta(days=10 * i - 1) for i in range(1, 12)],
                           "separation_type": "voluntary"})
    panel = sections.tenure_panel(roster, as_of="2024-12-31", observed_from="2022-01", threshold=10)
    assert panel.show_chart
    assert panel.result.medians["median_tenure_days"].iloc[0] == 60
    assert panel.table["median_tenure_years"].iloc[0] == pytest.approx(60 / 365.25)
    assert panel.sentences[0].startswith(f"Half of the staff had left within {60 / 365.25:.1f} years")
    # 11 staff but only 11 leavers >= 10: shown; with threshold 12 neither the curve nor the median is shown
    small = sections.tenure_panel(roster, as_of="2024-12-31", observed_from="2022-01", threshold=12)
    assert not small.show_chart and small.table["median_tenure_years"].iloc[0] == "suppressed"


def test_vacancy_panel_average_of_the_last_twelve_months():
    periods = pd.date_range("2023-01-01", periods=24, freq="MS")
    filled = [20] * 12 + [18] * 6 + [16] * 6     # funded 20: 0% in 2023; 10% x 6 and 20% x 6 in 2024
    positions = pd.DataFrame({"team_id": "t", "period": periods, "funded_positions": 20.0,
                              "filled_positions": [float(f) for f in filled]})
    panel = sections.vacancy_panel(positions, first_month="2023-01", last_month="2024-12", threshold=10)
    # 2024: (6 * 10 + 6 * 20) / 12 = 15.0% on average, from 10.0% to 20.0%
    assert panel.sentences == ("From 2024-01 to 2024-12, on average 15.0% of funded positions were vacant "
                               "(monthly values 10.0% to 20.0%).",)
    assert panel.show_chart and len(panel.result.table) == 24
    tiny = positions.assign(funded_positions=7.0, filled_positions=6.0)
    assert not sections.vacancy_panel(tiny, first_month="2023-01", last_month="2024-12").show_chart


def test_time_to_fill_panel_counts_open_requisitions_as_censored():
    opened = pd.Timestamp("2024-01-01")
    # 11 filled after 10, 20, ..., 110 days, 2 still open on 2024-12-31 (censored at 365 days):
    # S after k fills = (13 - k) / 13: 7/13 > 0.5 after 6, 6/13 < 0.5 after 7 -> median 70 days
    req = pd.DataFrame({"team_id": "t", "requisition_id": [f"r{i}" for i in range(13)], "opened": opened,
                        "filled": [opened + pd.Timedelta(days=10 * i) for i in range(1, 12)] + [pd.NaT, pd.NaT]})
    panel = sections.time_to_fill_panel(req, as_of="2024-12-31", threshold=10)
    assert panel.table["median_days_to_fill"].tolist() == [70.0]
    assert panel.sentences[0].startswith("Half of the 13 requisitions were filled within 70 days of opening")
    assert "fewer than 10 requisitions were still open" in panel.sentences[0]   # 2 open: not counted out
    few = sections.time_to_fill_panel(req.head(4), as_of="2024-12-31", threshold=10)
    assert not few.show_chart and few.table.empty and few.sentences[0].startswith("Fewer than 10 requisitions")


def _params(min_count=10, min_respondents=5):
    from types import SimpleNamespace

    from evalkit.workforce.survey import INTENT_TO_LEAVE

    return SimpleNamespace(instruments={"intent_to_leave": INTENT_TO_LEAVE},
                           suppression=SimpleNamespace(min_count=min_count, min_respondents=min_respondents))


def _survey():
    # the worked example of evalkit.effects.workforce_change.survey_change: wave means 4.0 and 2.2 by hand
    return pd.DataFrame({"team_id": "t", "wave": [1] * 5 + [2] * 5, "response_id": [f"r{i}" for i in range(10)],
                         "itl_1": [4, 5, 4, 3, 4, 2, 3, 2, 2, 3], "itl_2": [4, 4, 5, 3, 4, 2, 2, 3, 2, 2],
                         "itl_3": [5, 4, 4, 4, 3, 3, 2, 2, 1, 2]})


def test_before_after_survey_and_turnover_by_hand():
    roster = pd.concat([_staff(18), _staff(2, sep="2022-03-15", kind="voluntary", start=18),
                        _staff(1, sep="2022-09-15", kind="involuntary", start=20)], ignore_index=True)
    changes = sections.before_after({"survey": _survey(), "roster": roster}, _params(), "t", start="2022-07",
                                    first_month="2022-01", last_month="2022-12")
    (t1, survey), (t2, turnover) = changes.summaries
    assert (t1, t2) == (INTENT_LABEL, "Staff turnover")
    # wave 1 mean (13+13+13+10+11)/15 = 4.0, wave 2 (7+7+7+5+7)/15 = 2.2 -> difference -1.8
    assert survey.table["difference"].iloc[0] == pytest.approx(-1.8)
    # staff-months before: Jan 21, Feb 21, Mar (21+19)/2 = 20, Apr-Jun 19 x 3 -> 119;
    # after: Jul 19, Aug 19, Sep (19+18)/2 = 18.5, Oct-Dec 18 x 3 -> 110.5
    # rate ratio = (1 / 110.5) / (2 / 119) = 119 / 221
    row = turnover.table.iloc[0]
    assert (row["staff_months_before"], row["staff_months_after"]) == (119.0, 110.5)
    assert row["rate_ratio"] == pytest.approx(119 / 221)
    assert len(changes.sentences) == 1 + 2 and changes.notes == ()
    shown = sections.prepost_table(turnover)
    assert shown["Left (before → after)"].tolist() == ["hidden → hidden", "hidden → hidden"]   # 2 and 1 leavers hidden
    assert shown["% per month (before → after)"].tolist() == ["suppressed"] * 2
    # 2 and 1 leavers: the ratio 119/221 and its interval would give them back, so not shown
    assert shown["Rate ratio (95% CI)"].tolist() == ["suppressed"] * 2
    assert f"{119 / 221:.2f}" not in " ".join(changes.sentences)
    means = sections.prepost_table(survey)
    assert means["Respondents (before → after)"].tolist() == ["5 → 5"]
    assert means["Mean score (before → after)"].tolist() == ["4.0 → 2.2"]
    assert means["Difference (95% CI)"].iloc[0].startswith("−1.8 (")


INTENT_LABEL = __import__("evalkit.workforce.survey", fromlist=["INTENT_TO_LEAVE"]).INTENT_TO_LEAVE.label


def test_before_after_notes_what_cannot_be_compared():
    one_wave = _survey().query("wave == 1")
    changes = sections.before_after({"survey": one_wave, "roster": _staff(12)}, _params(), "t", start=None,
                                    first_month="2022-01", last_month="2022-12")
    assert changes.summaries == ()
    assert [s.split(",")[0] for s in changes.notes] == ["The staff survey has a single wave for this team",
                                                        "No start month is known for this team"]
    assert sections.before_after({}, _params(), "t", start="2022-07", first_month="2022-01",
                                 last_month="2022-12").sentences == ()


def test_ci_text_and_chart_labels():
    import matplotlib.pyplot as plt

    from evalkit.report.team import _ci_text

    assert _ci_text(-0.44213, -0.86053, -0.02) == "−0.4 (−0.9 to 0.0)"    # no "−0.0"
    assert _ci_text(float("inf"), 0.13, float("inf"), digits=2) == "no finite value (0.13 to no limit)"
    assert _ci_text("suppressed", "suppressed", "suppressed") == "suppressed"
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="a-team (median 38 days)")
    ax.legend()
    sections.label_chart(ax, "Time to fill — A Team", "a-team", "A Team")
    assert ax.get_title() == "Time to fill — A Team"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["A Team (median 38 days)"]
    plt.close(fig)


def test_survey_wave_table_hides_small_waves():
    from evalkit.workforce.survey import INTENT_TO_LEAVE, summarise_survey

    s = pd.concat([_survey(), _survey().query("wave == 1").head(3).assign(wave=3)], ignore_index=True)
    table = sections.survey_wave_table(summarise_survey(s, INTENT_TO_LEAVE), threshold=5)
    # waves 1 and 2 have 5 respondents (shown), wave 3 has 3 (< 5: count "<5", mean suppressed)
    assert table["n_respondents"].tolist() == [5, 5, "hidden"]
    assert table["mean"].iloc[2] == "suppressed" and table["mean"].iloc[0] == pytest.approx(4.0)
    assert "response_id" not in table.columns


def test_turnover_note_only_when_every_month_is_too_small():
    from evalkit.workforce import monthly_workforce

    small = monthly_workforce(_staff(7), start="2022-01", end="2022-03")     # 7 staff every month: < 10
    assert sections.turnover_note(small, threshold=10).startswith("The team had fewer than 10 staff")
    assert sections.turnover_note(monthly_workforce(_staff(12), start="2022-01", end="2022-03"), threshold=10) is None


def test_arrow_text_of_before_and_after():
    from evalkit.report.team import _arrow

    assert _arrow(36, 48, None) == "36 → 48" and _arrow(63.88, 43.75, 1, "%") == "63.9% → 43.8%"
    assert _arrow("<10", 12, None) == "<10 → 12" and _arrow("suppressed", "suppressed") == "suppressed"


def test_report_kinds_have_their_own_modules_and_no_name_is_defined_twice():
    # the layout documented in evalkit/sections.py: shared helpers there, country-report and
    # collaborative-summary helpers in their own modules (each public name in exactly one place)
    shared, country, collab = set(sections.__all__), set(country_sections.__all__), set(collaborative_sections.__all__)
    assert not (shared & country) and not (shared & collab) and not (country & collab)
    for module in (sections, country_sections, collaborative_sections):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
    assert {"country_caveats", "training_sessions_table"} <= country
    assert {"board_counts", "false_signal_reference", "board_from_rollup"} <= collab


def test_effect_sentences_state_the_shared_caution_once_after_the_list():
    from evalkit.effects.narrative import CAUTION_WITHIN_TEAM

    items = ["Before/after within one team (survey waves W1 and W3): the mean score was 7.7 points lower "
             "(95% CI \u221215.2 to \u22120.3 points). The whole interval is in the direction of improvement. "
             + CAUTION_WITHIN_TEAM,
             "Before/after within one team (separations per staff-month): the rate of separations was 0.80 times the "
             "earlier rate (rate ratio, 95% CI 0.40 to 1.60). The interval includes no change. " + CAUTION_WITHIN_TEAM,
             "Too short to trust: <script>."]
    import re

    linked = sections.effect_sentences(items)._repr_html_()
    assert 'href="#glossary-rate-ratio">rate ratio</a>' in linked and 'href="#glossary-confidence-interval">95% CI</a>' in linked
    html = re.sub(r'<a class="ek-term" href="#glossary-[a-z-]+">(.*?)</a>', r"\1", linked)
    assert html == (
        "<ul><li>Before/after within one team (survey waves W1 and W3): the mean score was 7.7 points lower "
        "(95% CI \u221215.2 to \u22120.3 points). The whole interval is in the direction of improvement.</li>"
        "<li>Before/after within one team (separations per staff-month): the rate of separations was 0.80 times the "
        "earlier rate (rate ratio, 95% CI 0.40 to 1.60). The interval includes no change.</li>"
        "<li>Too short to trust: &lt;script&gt;.</li></ul>"
        '<p class="ek-caution">A before/after comparison within one team cannot separate the collaborative&#x27;s '
        "contribution from other changes at the same time (contribution, not attribution).</p>")
    assert html.count("contribution, not attribution") == 1
    assert "Nothing to report." in sections.effect_sentences([float("nan")])._repr_html_()


def test_report_tables_blank_rate_months_on_fewer_than_ten_staff():
    """north-lake-band-east has 4-8 staff (TRUTH.json 'small'): with params, every one of
    its turnover, supervision and vacancy months is blanked; its well-being pulse (an
    i chart of a mean score) is kept. Without params nothing is blanked."""
    from pathlib import Path

    from evalkit.inputs.params import load_team
    from evalkit.report.sections import load_report_tables

    root = Path(__file__).resolve().parents[1]
    params = load_team(root / "params", "north-lake-band-east")
    raw = load_report_tables(root / "data" / "demo", "north-lake-band-east", kind="team")
    shown = load_report_tables(root / "data" / "demo", "north-lake-band-east", kind="team", params=params)
    m = shown["measures"]
    rates = m["measure_id"].isin(["turnover_rate", "supervision", "vacancy_rate"])
    assert len(m) == len(raw["measures"])
    assert (raw["measures"].loc[rates, "denominator"] < 10).all()  # the premise: a very small team
    assert m.loc[rates, "numerator"].isna().all() and m.loc[rates, "denominator"].isna().all()
    assert m.loc[~rates, "numerator"].notna().all()


# --------------------------------------------------------------------------- first screen helpers

def _demo_team(team_id):
    from pathlib import Path

    from evalkit.inputs.params import load_team

    root = Path(__file__).resolve().parents[1]
    params = load_team(root / "params", team_id)
    tables = sections.load_report_tables(root / "data" / "demo", team_id, kind="team", params=params,
                                         params_dir=root / "params")
    return params, tables, sections.measure_charts(tables, params)


def test_no_chart_sentence_names_the_measure_and_the_privacy_reason_for_a_small_team():
    # north-lake-band-east: demo team of 4-8 staff (data/demo BRIEF), so every rate month is suppressed
    params, tables, charts = _demo_team("north-lake-band-east")
    assert sections.no_chart_sentence(charts, "turnover_rate", tables, params) == (
        "Staff turnover: fewer than 10 people in most months: not shown to protect privacy.")
    assert sections.no_chart_sentence(charts, "wellbeing_pulse", tables, params) is None  # 36 monthly scores
    alt = sections.chart_alt(charts, "wellbeing_pulse", params)
    assert alt.startswith("Control chart (i chart) of Well-being pulse") and "Verdict:" in alt


def test_no_chart_sentence_counts_months_when_few_were_measured():
    params, tables, charts = _demo_team("cedar-river-tribe")
    assert sections.no_chart_sentence(charts, "turnover_rate", tables, params) is None
    sentence = sections.no_chart_sentence(charts, "turnover_rate", tables, params, min_points=40)
    assert sentence == "Staff turnover: only 36 months with data (a chart needs at least 40): not shown."


def test_chart_caption_says_the_verdict_of_the_summary_box_and_the_rule_set():
    params, tables, charts = _demo_team("cedar-river-tribe")
    html = sections.chart_caption(charts, "turnover_rate").html
    row = charts.verdicts.set_index("measure_id").loc["turnover_rate"]
    assert f'ek-good">{row["verdict_text"]}</strong>' in html and "Anhøj" in html


def test_show_chart_displays_png_with_alt_metadata(monkeypatch):
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append((a, k)))
    fig, ax = plt.subplots()
    ax.plot([1, 2])
    sections.show_chart(ax, alt="A line <rising>")
    (data,), kwargs = shown[0]
    assert kwargs["metadata"] == {"image/png": {"alt": "A line <rising>"}} and kwargs["raw"] is True
    assert data["image/png"] and not plt.fignum_exists(fig.number)  # closed after display


def test_country_verdicts_word_goal_and_deliverable_statuses():
    from evalkit.report import country as country_sections

    tables = {"goals": pd.DataFrame({
        "country": ["x", "x"], "goal_id": ["g1", "g2"], "goal": ["Fewer <leavers>", "More training"],
        "indicator": ["Leavers (%)", "Courses"], "baseline": [20.0, 0.0], "target": [10.0, 4.0],
        "value": [25.0, 4.0], "as_of": pd.to_datetime(["2024-06-30", "2024-06-30"])}),
        "deliverables": pd.DataFrame({
            "country": ["x"] * 3, "group": ["tg1"] * 3, "deliverable_id": ["d1", "d2", "d3"], "goal_id": ["g1"] * 3,
            "title": ["a", "b", "c"], "due": pd.to_datetime(["2024-01-31", "2024-02-28", "2025-01-31"]),
            "completed": pd.to_datetime(["2024-01-15", None, None])})}
    frame = country_sections.country_verdicts(tables, "x", as_of="2024-06-30")
    # goal 1 went from 20 to 25 when 10 was the target: away from it; goal 2 reached 4 of 4
    assert frame["verdict_text"].tolist() == ["moved the wrong way", "achieved", "overdue"]
    assert frame["tone"].tolist() == ["bad", "good", "bad"]
    assert frame["detail"].iloc[2] == "3 deliverables: 1 done on time, 1 overdue, 1 not yet due"
    box = sections.summary_box(evaluated="x", period="p", data_as_of=None, verdicts=frame).html
    assert "Goal: Fewer &lt;leavers&gt;" in box and "No measures to judge" not in box


def test_the_report_loader_takes_its_kinds_from_the_registry():
    from evalkit.errors import InputError
    from evalkit.inputs.kinds import REPORT_KINDS

    with pytest.raises(InputError, match="report kind 'region' is unknown; use one of collaborative, team, country"):
        sections.load_report_tables(DATA, "x", kind="region")
    assert list(REPORT_KINDS) == ["collaborative", "team", "country"]
