"""Tests for evalkit.country.collaboration on small hand-made tables (expected values by hand)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.country.collaboration import (
    has_membership,
    has_outputs,
    has_partners,
    membership_over_time,
    outputs_over_time,
    partner_engagement,
    partner_membership,
)
from evalkit.errors import DataError

EXPECTED = ["government", "civil-society", "lived-experience", "academia", "faith"]


def _membership():
    # Seed 001: the working group "doubled in size from 15 to 30 members".
    rows = [
        ["md", "2022-03-01", "government", 8],
        ["md", "2022-03-01", "civil-society", 7],
        ["md", "2022-09-01", "government", 10],
        ["md", "2022-09-01", "civil-society", 9],
        ["md", "2022-09-01", "academia", 6],
        ["md", "2022-09-01", "donor", 5],
        ["ro", "2022-03-01", "government", 4],
    ]
    df = pd.DataFrame(rows, columns=["country", "date", "sector", "members"])
    df["date"] = pd.to_datetime(df["date"])
    df["members"] = df["members"].astype("float64")
    return df


def test_growth_15_to_30_is_plus_100_percent():
    res = membership_over_time(_membership(), expected_sectors=EXPECTED, country="md")
    g = res.growth.iloc[0]
    assert (g["first_members"], g["last_members"]) == (15.0, 30.0)
    assert g["change"] == 15.0 and g["pct_change"] == pytest.approx(100.0)  # (30-15)/15
    t = res.totals
    assert t["members"].tolist() == [15.0, 30.0]
    assert t["pct_change_from_first"].tolist() == pytest.approx([0.0, 100.0])
    assert t["n_sectors"].tolist() == [2, 4]


def test_missing_perspectives_named_at_each_date():
    res = membership_over_time(_membership(), expected_sectors=EXPECTED, country="md")
    rep = res.representation.set_index("date")
    first, last = pd.Timestamp("2022-03-01"), pd.Timestamp("2022-09-01")
    # 2022-03: government, civil-society present -> missing lived-experience, academia, faith (param order)
    assert rep.loc[first, "missing_sectors"] == "lived-experience; academia; faith"
    assert rep.loc[first, "n_expected_present"] == 2 and rep.loc[first, "pct_expected_present"] == 40.0
    # 2022-09: academia joined -> missing lived-experience, faith; donor is present but not expected
    assert rep.loc[last, "missing_sectors"] == "lived-experience; faith"
    assert rep.loc[last, "other_sectors"] == "donor"
    assert len(res.missing) == 5 and set(res.missing["sector"]) == {"lived-experience", "academia", "faith"}
    # by_sector grid: academia at the first date counts 0 (not absent)
    bs = res.by_sector.set_index(["date", "sector"])
    assert bs.loc[(first, "academia"), "members"] == 0.0
    assert bs.loc[(first, "faith"), "members"] == 0.0 and bool(bs.loc[(first, "faith"), "expected"])


def test_membership_per_country_and_no_expected_list():
    res = membership_over_time(_membership())
    assert res.growth["country"].tolist() == ["md", "ro"]
    assert res.representation["missing_sectors"].eq("").all() and res.missing.empty
    assert has_membership(_membership(), "md") and not has_membership(_membership(), "evergreen")


def test_negative_members_is_data_error():
    m = _membership()
    m.loc[0, "members"] = -1
    with pytest.raises(DataError, match="members"):
        membership_over_time(m)


def _partners(stipend):
    df = pd.DataFrame({
        "unit": ["ev", "ev", "ev", "ev", "xx"],
        "partner": ["p1", "p2", "p3", "p4", "q1"],
        "sector": ["head-start", "head-start", "family-child-care", "higher-ed", "head-start"],
        "joined": pd.to_datetime(["2023-01-01", "2023-01-01", "2023-05-01", "2023-09-01", "2023-01-01"]),
        "meetings_held": [12.0, 12.0, 8.0, 0.0, 5.0],
        "meetings_attended": [9.0, 3.0, 8.0, 0.0, 5.0],
        "stipend": stipend,
    })
    return df


def test_partner_engagement_pooled_attendance_and_stipends():
    res = partner_engagement(_partners([500.0, 0.0, 250.0, np.nan, 100.0]), unit="ev")
    s = res.by_sector.set_index("sector")
    # head-start: (9+3)/(12+12) = 50 %; one of two paid, 500 total
    assert s.loc["head-start", "attendance_pct"] == pytest.approx(50.0)
    assert s.loc["head-start", ["n_partners", "n_with_stipend"]].tolist() == [2, 1]
    assert s.loc["head-start", "stipend_total"] == 500.0
    assert s.loc["family-child-care", "attendance_pct"] == pytest.approx(100.0)
    # higher-ed held no meeting -> NaN rate, kept as a row
    assert np.isnan(s.loc["higher-ed", "attendance_pct"])
    o = res.overall.iloc[0]
    assert o["attendance_pct"] == pytest.approx(100 * 20 / 32) and o["stipend_total"] == 750.0


def test_partner_stipend_as_yes_no():
    res = partner_engagement(_partners(["true", "false", "yes", "no", "true"]), unit="ev")
    assert res.by_sector.set_index("sector").loc["head-start", "n_with_stipend"] == 1
    assert np.isnan(res.overall.loc[0, "stipend_total"])


def test_attended_more_than_held_is_data_error():
    p = _partners([1.0] * 5)
    p.loc[0, "meetings_attended"] = 20
    with pytest.raises(DataError, match="meetings_attended"):
        partner_engagement(p)


def test_partner_membership_feeds_sector_representation():
    m = partner_membership(_partners([1.0] * 5), unit="ev")
    # join dates 2023-01, 2023-05, 2023-09; cumulative head-start 2, 2, 2; fcc 0, 1, 1; higher-ed 0, 0, 1
    wide = m.pivot(index="date", columns="sector", values="members")
    assert wide["head-start"].tolist() == [2.0, 2.0, 2.0]
    assert wide["family-child-care"].tolist() == [0.0, 1.0, 1.0]
    assert wide["higher-ed"].tolist() == [0.0, 0.0, 1.0]
    rep = membership_over_time(m, expected_sectors=["head-start", "family-child-care", "higher-ed", "business"])
    assert rep.representation["missing_sectors"].tolist() == [
        "family-child-care; higher-ed; business", "higher-ed; business", "business"]
    assert has_partners(_partners([1.0] * 5), "ev") and not has_partners(None, "ev")


def test_outputs_cumulative_by_type():
    o = pd.DataFrame({
        "country": ["md"] * 4,
        "date": pd.to_datetime(["2023-01-01", "2023-06-01", "2023-06-01", "2024-01-01"]),
        "output_type": ["training-programme", "training-programme", "regulation", "training-programme"],
        "count": [30.0, 20.0, 1.0, 16.0],
    })
    res = outputs_over_time(o)
    tp = res.over_time.loc[res.over_time["output_type"] == "training-programme", "cumulative"].tolist()
    assert tp == [30.0, 50.0, 66.0]  # seed 001: 66 training programmes in total
    tot = res.totals.set_index("output_type")
    assert tot.loc["training-programme", "total"] == 66.0 and tot.loc["regulation", "total"] == 1.0
    assert has_outputs(o) and not has_outputs(o.iloc[0:0])


def test_html_escapes_sector_names():
    m = _membership()
    m.loc[0, "sector"] = "<script>x</script>"
    html = membership_over_time(m)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_partner_stipend_mixed_words_and_amounts():
    res = partner_engagement(_partners(["true", "0", "250", "", "no"]), unit="ev")
    p = res.partners.set_index("partner")
    assert p["stipend_received"].to_dict() == {"p1": True, "p2": False, "p3": True, "p4": False}
    assert p.loc["p3", "stipend_amount"] == 250.0 and res.overall.loc[0, "stipend_total"] == 250.0
