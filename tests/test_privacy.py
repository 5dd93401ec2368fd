"""Tests for evalkit.privacy: small-cell suppression with complementary cells.

Expected tables are worked out by hand from the rule: counts 1-9 hidden as "<10";
rates from hidden counts hidden; when exactly one cell of a row/group with a shown
total is hidden, the next-smallest cell is hidden too.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit import privacy as pv
from evalkit.errors import InputError


def test_primary_and_complementary_suppression_in_rows():
    t = pd.DataFrame({
        "team_id": ["a", "b", "c", "d"],
        "voluntary": [3, 3, 12, 0],
        "involuntary": [15, 4, 20, 11],
        "other": [20, 25, 30, 14],
        "total": [38, 32, 62, 25],
        "rate": [7.5, 5.0, 3.0, 0.0],
        "staff_key": ["x", "y", "z", "w"],
    })
    out = pv.suppress_counts(t, ["voluntary", "involuntary", "other"], total_col="total",
                             rate_cols={"rate": ["voluntary"]})
    # a: 3 hidden, total 38 shown -> next smallest (15) hidden too
    assert out.loc[0, ["voluntary", "involuntary", "other"]].tolist() == ["<10", "<10", 20]
    # b: two cells hidden already -> no complementary cell needed
    assert out.loc[1, ["voluntary", "involuntary", "other"]].tolist() == ["<10", "<10", 25]
    # c: nothing small
    assert out.loc[2, ["voluntary", "involuntary", "other"]].tolist() == [12, 20, 30]
    # d: zero is shown (identifies no one)
    assert out.loc[3, "voluntary"] == 0
    assert out["rate"].tolist() == ["suppressed", "suppressed", 3.0, 0.0]
    assert "staff_key" not in out.columns


def test_complementary_suppression_within_groups_of_a_long_table():
    t = pd.DataFrame({
        "team_id": ["a", "a", "a", "b", "b"],
        "separation_type": ["voluntary", "involuntary", "other", "voluntary", "other"],
        "n": [2, 12, 30, 11, 40],
    })
    m = pv.suppression_mask(t, ["n"], group="team_id")
    # team a: 2 hidden, 12 (next smallest) hidden as its complement; team b: nothing hidden
    assert m["n"].tolist() == [True, True, False, False, False]


def test_mask_for_charts_and_threshold_helpers():
    t = pd.DataFrame({"team_id": ["a", "b"], "respondents": [4, 8], "mean": [40.0, 55.0], "response_id": ["r", "s"]})
    m = pv.mask_suppressed(t, ["respondents"], threshold=5, rate_cols=["mean"])
    assert np.isnan(m["mean"].iloc[0]) and m["mean"].iloc[1] == 55.0
    assert "response_id" not in m.columns
    assert pv.may_show(10) and not pv.may_show(9)
    assert pv.may_show(pd.Series([4, 5, np.nan]), threshold=5).tolist() == [False, True, False]
    rule = pv.suppression_rule(5, unit="survey respondents")
    assert "fewer than 5 survey respondents" in rule and '"<5"' in rule
    assert "complementary" in pv.SUPPRESSION_RULE
    with pytest.raises(InputError):
        pv.suppress_counts(t, ["nope"])
    with pytest.raises(InputError):
        pv.may_show(3, threshold=0)


def test_drop_person_identifiers_case_insensitive():
    t = pd.DataFrame({"Staff_Key": [1], "response_id": [2], "team_id": ["a"], "Email": ["x"]})
    assert pv.drop_person_identifiers(t).columns.tolist() == ["team_id"]
