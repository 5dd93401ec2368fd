"""Tests for evalkit.country.qual on a small hand-made focus-group study (counts by hand)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evalkit.errors import DataError, InputError
from evalkit.country.qual import (
    code_cooccurrence,
    has_focus_groups,
    quotes_html,
    read_taguette_highlights,
    select_quotes,
    summary_counts,
    theme_breadth,
    theme_counts,
)

DATA = Path(__file__).parent / "data" / "taguette"
SCRIPT = "<script>alert(1)</script>"  # 25 characters


def _sessions():
    return pd.DataFrame({
        "study": ["wa"] * 4,
        "session_id": ["s1", "s2", "s3", "s4"],
        "affinity_group": ["parents", "parents", "tribal", "providers"],
        "region": ["king", "pierce", "yakima", "king"],
        "participants": [6.0, 5.0, 4.0, 12.0],
        "hours": [2.0, 1.5, 1.0, 3.0],
    })


def _excerpts():
    t = {  # text lengths chosen for the quote tests
        "e1": "a" * 50, "e2": SCRIPT + "y" * 45, "e3": "c" * 60, "e4": "d" * 80,
        "e5": "e" * 30, "e6": "f" * 40, "e7": "g" * 300,
    }
    rows = [
        ("e1", "s1", "Wellbeing > Stress > Burnout"), ("e1", "s1", "Systems > Pay"),
        ("e2", "s1", "Wellbeing > Stress > Burnout"),
        ("e3", "s2", "Wellbeing > Support"), ("e3", "s2", "Systems > Pay > Wages"),
        ("e4", "s3", "Systems > Pay"),
        ("e5", "s4", "Wellbeing > Stress"), ("e5", "s4", "Worldview"),
        ("e6", "s4", "Systems > Pay > Wages"), ("e6", "s4", "Systems > Pay > Benefits"),
        ("e7", "s4", "Wellbeing > Support"),
    ]
    return pd.DataFrame({"study": "wa", "excerpt_id": [r[0] for r in rows], "session_id": [r[1] for r in rows],
                         "code_path": [r[2] for r in rows], "text": [t[r[0]] for r in rows]})


def test_summary_counts_computed_from_data():
    s = summary_counts(_sessions(), _excerpts()).summary.iloc[0]
    # 4 sessions, 3 groups, 6+5+4+12 = 27 people, regions king/pierce/yakima = 3, 2+1.5+1+3 = 7.5 hours
    assert (s["n_sessions"], s["n_affinity_groups"], s["n_participants"], s["n_regions"], s["hours"]) == (
        4, 3, 27.0, 3, 7.5)
    # 7 distinct excerpts, 11 excerpt x code rows, themes Wellbeing/Systems/Worldview
    assert (s["n_excerpts"], s["n_coded_segments"], s["n_themes"]) == (7, 11, 3)


def test_theme_topic_subtopic_counts_by_hand():
    c = theme_counts(_excerpts(), _sessions()).counts.set_index(["level", "code"])
    # Wellbeing: e1 e2 e3 e5 e7 = 5 excerpts; sessions s1 s2 s4; 6+5+12 = 23 people; parents+providers; king+pierce
    assert c.loc[("theme", "Wellbeing"), ["n_excerpts", "n_sessions", "n_participants", "n_affinity_groups",
                                          "n_regions"]].tolist() == [5, 3, 23.0, 2, 2]
    # Systems: e1 e3 e4 e6 = 4; all four sessions: 27 people; 3 groups; 3 regions
    assert c.loc[("theme", "Systems"), ["n_excerpts", "n_sessions", "n_participants"]].tolist() == [4, 4, 27.0]
    # e6 has two sub-topics of Systems > Pay but counts once for the topic
    assert c.loc[("topic", "Systems > Pay"), "n_excerpts"] == 4
    # Systems > Pay > Wages: e3 (s2), e6 (s4) -> 5 + 12 = 17 people
    assert c.loc[("subtopic", "Systems > Pay > Wages"), ["n_excerpts", "n_participants"]].tolist() == [2, 17.0]
    assert c.loc[("topic", "Wellbeing > Stress"), "n_excerpts"] == 3  # e1 e2 e5
    assert ("topic", "Worldview") not in c.index  # a one-level path has no topic


def test_cooccurrence_against_hand_count():
    # Theme sets per excerpt: e1 {W,S} e2 {W} e3 {W,S} e4 {S} e5 {W,Wv} e6 {S} e7 {W}
    p = code_cooccurrence(_excerpts()).pairs.set_index(["code_a", "code_b"])
    ws = p.loc[("Wellbeing", "Systems")]
    assert (ws["n_a"], ws["n_b"], ws["n_both"]) == (5, 4, 2)
    assert ws["jaccard"] == pytest.approx(2 / (5 + 4 - 2))
    assert ws["p_b_given_a"] == pytest.approx(2 / 5) and ws["p_a_given_b"] == pytest.approx(2 / 4)
    assert p.loc[("Systems", "Wellbeing"), "p_b_given_a"] == pytest.approx(2 / 4)
    # Rare code: Worldview (1 excerpt) always with Wellbeing -> P(W|Wv) = 1, yet Jaccard only 1/5
    wv = p.loc[("Worldview", "Wellbeing")]
    assert wv["p_b_given_a"] == 1.0 and wv["jaccard"] == pytest.approx(1 / (1 + 5 - 1))
    assert p.loc[("Systems", "Worldview"), "n_both"] == 0
    assert p.loc[("Wellbeing", "Wellbeing"), "n_both"] == 5  # diagonal = n
    m = code_cooccurrence(_excerpts()).matrix("n_both")
    assert m.loc["Wellbeing", "Systems"] == 2 and (m.values == m.values.T).all()


def test_cooccurrence_topic_level():
    p = code_cooccurrence(_excerpts(), level="subtopic").pairs.set_index(["code_a", "code_b"])
    assert p.loc[("Systems > Pay > Benefits", "Systems > Pay > Wages"), "n_both"] == 1  # e6
    with pytest.raises(InputError):
        code_cooccurrence(_excerpts(), level="code")


def test_breadth_theme_by_affinity_group():
    b = theme_breadth(_excerpts(), _sessions())
    cells = b.cells.set_index(["code", "affinity_group"])
    assert cells.loc[("Wellbeing", "parents"), ["n_excerpts", "n_sessions"]].tolist() == [3, 2]
    assert cells.loc[("Wellbeing", "tribal"), ["n_excerpts", "n_sessions"]].tolist() == [0, 0]  # kept as zero
    assert cells.loc[("Wellbeing", "providers"), "pct_group_sessions"] == 100.0
    assert bool(cells.loc[("Systems", "tribal"), "small_group"])  # 4 participants < 10
    assert not bool(cells.loc[("Systems", "parents"), "small_group"])  # 6 + 5 = 11
    assert b.matrix("n_excerpts").shape == (3, 3)
    assert b.groups.set_index("affinity_group").loc["tribal", "n_codes"] == 1


def test_quotes_longest_distinct_sessions_and_small_group_suppressed():
    q = select_quotes(_excerpts(), _sessions(), n_per_code=2, min_chars=10, max_chars=200)
    got = q.quotes.groupby("code")["excerpt_id"].apply(list).to_dict()
    # Wellbeing eligible: e1 (s1, 50), e2 (s1, 70), e3 (s2, 60), e5 (s4, 30); e7 is 300 > 200.
    # Longest first, one per session: e2 (s1), e3 (s2) -> top 2
    assert got["Wellbeing"] == ["e2", "e3"]
    # Systems: e4 is from the tribal group (4 people < 10) -> never shown; e3 60, e1 50, e6 40
    assert got["Systems"] == ["e3", "e1"]
    assert got["Worldview"] == ["e5"]
    assert "e4" not in set(q.quotes["excerpt_id"])
    assert q.suppressed_groups["affinity_group"].tolist() == ["tribal"]
    assert "participants" not in q.suppressed_groups.columns
    pc = q.per_code.set_index("code")
    assert pc.loc["Systems", ["n_eligible", "n_selected"]].tolist() == [3, 2]


def test_quotes_first_order_and_threshold_argument():
    q = select_quotes(_excerpts(), _sessions(), n_per_code=2, min_chars=10, max_chars=200, order="first")
    got = q.quotes.groupby("code")["excerpt_id"].apply(list).to_dict()
    assert got["Wellbeing"] == ["e1", "e3"]  # by excerpt_id, first per session
    # Lowering the threshold to 4 lets the tribal group's quote in
    q4 = select_quotes(_excerpts(), _sessions(), n_per_code=5, min_chars=10, max_chars=200, min_group_size=4)
    assert "e4" in set(q4.quotes["excerpt_id"]) and q4.suppressed_groups.empty


def test_quotes_escaped_when_rendered():
    q = select_quotes(_excerpts(), _sessions(), n_per_code=2, min_chars=10, max_chars=200)
    assert q.quotes["text"].str.contains("<script>", regex=False).any()  # data stay raw
    for html in (quotes_html(q), q._repr_html_()):
        assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_orphan_session_is_data_error():
    e = _excerpts()
    e.loc[0, "session_id"] = "s9"
    with pytest.raises(DataError, match="s9"):
        theme_counts(e, _sessions())


def test_taguette_import_real_column_names():
    ex = read_taguette_highlights(DATA / "highlights.csv", study="wa", tag_separator=".")
    assert list(ex.columns) == ["study", "excerpt_id", "session_id", "code_path", "text"]
    # 4 tagged rows (highlight 11 has two tags); untagged highlight 14 dropped
    assert ex["excerpt_id"].tolist() == ["11", "11", "12", "13"]
    assert ex["session_id"].tolist() == ["group-1-parents"] * 3 + ["group-2-tribal"]
    assert ex["code_path"].tolist() == ["Wellbeing > Stress", "Systems > Pay", "Systems > Pay > Wages",
                                        "Wellbeing > Support"]
    assert ex.loc[2, "text"] == "She said \"I can't pay rent\"\nand then she left the field."
    raw = read_taguette_highlights(DATA / "highlights.csv", study="wa", keep_untagged=True)
    assert raw["code_path"].tolist()[:2] == ["Wellbeing.Stress", "Systems.Pay"] and raw["code_path"].isna().sum() == 1
    # imported excerpts feed the analysis directly
    sessions = pd.DataFrame({"study": ["wa", "wa"], "session_id": ["group-1-parents", "group-2-tribal"],
                             "affinity_group": ["parents", "tribal"], "region": ["king", "yakima"],
                             "participants": [11.0, 4.0], "hours": [2.0, 1.0]})
    c = theme_counts(ex, sessions).counts.set_index(["level", "code"])
    assert c.loc[("theme", "Systems"), "n_excerpts"] == 2 and c.loc[("theme", "Wellbeing"), "n_excerpts"] == 2
    q = select_quotes(ex, sessions, min_chars=10)
    assert "13" not in set(q.quotes["excerpt_id"])  # tribal group: 4 people
    mapped = read_taguette_highlights(DATA / "highlights.csv", study="wa",
                                      documents={"Group 1 - Parents.docx": "s1", "Group 2 Tribal.docx": "s2"})
    assert mapped["session_id"].tolist() == ["s1", "s1", "s1", "s2"]


def test_taguette_bad_files(tmp_path):
    with pytest.raises(DataError, match="not found"):
        read_taguette_highlights(tmp_path / "nope.csv", study="wa")
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\n1,x\n")
    with pytest.raises(DataError, match="document"):
        read_taguette_highlights(bad, study="wa")
    with pytest.raises(DataError, match="mapping"):
        read_taguette_highlights(DATA / "highlights.csv", study="wa", documents={"Group 1 - Parents.docx": "s1"})


def test_has_focus_groups():
    assert has_focus_groups(_excerpts(), _sessions(), "wa")
    assert not has_focus_groups(_excerpts(), _sessions(), "md")
    assert not has_focus_groups(None, _sessions())


def test_report_tables_suppress_participant_counts_below_ten():
    # Privacy rule (DESIGN §5): counts of fewer than 10 people are not shown.
    # "Worldview" came up only in s4 (12 people) -> shown; "Systems > Pay > Benefits" only in s4 too;
    # "Wellbeing > Stress > Burnout" only in s1 (6 people < 10) -> "hidden".
    tc = theme_counts(_excerpts(), _sessions())
    shown = tc.report_table("counts").set_index("code")["n_participants"]
    assert shown["Worldview"] == 12.0
    assert shown["Wellbeing > Stress > Burnout"] == "hidden"
    # Systems > Pay: sessions s1 (6), s2 (5, via Wages), s3 (4), s4 (12, via e6) -> 27 people, shown
    assert shown["Systems > Pay"] == 6.0 + 5.0 + 4.0 + 12.0
    html = tc._repr_html_()
    assert "hidden" in html
    # theme breadth: the tribal group has 4 people (< 10), the parents 6 + 5 = 11
    groups = theme_breadth(_excerpts(), _sessions()).report_table("groups").set_index("affinity_group")
    assert groups.loc["tribal", "group_participants"] == "hidden"
    assert groups.loc["parents", "group_participants"] == 11.0
