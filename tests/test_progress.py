"""Tests for evalkit.collaborative.progress with hand-made assessment tables (expected values worked by hand)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import InputError
from evalkit.collaborative.progress import (
    months_to_threshold,
    progress_trajectory,
    score_distribution,
    share_at_or_above,
    summarise_progress,
)

# t1: faculty 2.0 (Apr) → 3.0 (Jun) → 4.0 (Aug); t2: faculty 1.5 (Apr), 2.5 (Jul); t3 first assessed in Jun (3.5)
A = pd.DataFrame(
    [
        ("t1", "2023-04", "faculty", 2.0), ("t1", "2023-04", "self", 2.5),
        ("t1", "2023-06", "faculty", 3.0), ("t1", "2023-06", "self", 3.0),
        ("t1", "2023-08", "faculty", 4.0),
        ("t2", "2023-04", "faculty", 1.5), ("t2", "2023-04", "self", 3.0),
        ("t2", "2023-07", "faculty", 2.5),
        ("t3", "2023-06", "faculty", 3.5),
    ],
    columns=["team_id", "period", "rater", "score"],
)
TEAMS = pd.DataFrame({"team_id": ["t1", "t2", "t3", "c1"], "role": ["participant"] * 3 + ["comparison"],
                      "start_month": pd.to_datetime(["2023-04-01", "2023-04-01", "2023-05-01", None])})


def test_trajectory_and_faculty_minus_self_gap():
    tr = progress_trajectory(A).set_index(["team_id", "period"])
    assert tr.loc[("t1", pd.Timestamp("2023-04-01")), "gap"] == pytest.approx(2.0 - 2.5)
    assert tr.loc[("t2", pd.Timestamp("2023-04-01")), "gap"] == pytest.approx(1.5 - 3.0)
    assert tr.loc[("t1", pd.Timestamp("2023-06-01")), "gap"] == 0
    assert np.isnan(tr.loc[("t1", pd.Timestamp("2023-08-01")), "gap"])  # no self score that month
    assert len(tr) == 6


def test_months_to_reach_three():
    m = months_to_threshold(A, TEAMS).set_index("team_id")
    assert m.loc["t1", "months_to_reach"] == 2           # Apr → Jun
    assert not m.loc["t2", "reached"] and np.isnan(m.loc["t2", "months_to_reach"])
    assert m.loc["t3", "months_to_reach"] == 1           # start May, reached Jun
    m4 = months_to_threshold(A, {"t1": "2023-04"}, threshold=4.0).set_index("team_id")
    assert m4.loc["t1", "months_to_reach"] == 4          # Apr → Aug
    assert m4.loc["t3", "start_month"] == pd.Timestamp("2023-06-01")  # no start given: first assessment


def test_share_at_or_above_carries_the_last_score_forward():
    s = share_at_or_above(A, teams=["t1", "t2", "t3"])
    s3 = s[s["threshold"] == 3.0].set_index("period")
    # Apr: t1 2.0, t2 1.5, t3 not yet → 0/3; Jun: t1 3.0, t2 1.5, t3 3.5 → 2/3;
    # Jul: t1 3.0 (carried), t2 2.5, t3 3.5 (carried) → 2/3; Aug: 4.0, 2.5, 3.5 → 2/3
    assert s3["n_at_or_above"].tolist() == [0, 0, 2, 2, 2]
    assert s3.loc[pd.Timestamp("2023-06-01"), "share"] == pytest.approx(2 / 3)
    assert s3.loc[pd.Timestamp("2023-04-01"), "n_assessed"] == 2
    s4 = s[s["threshold"] == 4.0].set_index("period")
    assert s4["n_at_or_above"].tolist() == [0, 0, 0, 0, 1]


def test_self_ratings_can_be_summarised_too():
    s = share_at_or_above(A, rater="self", thresholds=(3.0,), teams=["t1", "t2", "t3"])
    assert s["n_at_or_above"].tolist() == [1, 1, 2]  # Apr: t2 3.0; May carried; Jun: t1 3.0 and t2 3.0


def test_distribution_counts_teams_per_score_step():
    d = score_distribution(A, teams=["t1", "t2", "t3"])
    jun = d[d["period"] == pd.Timestamp("2023-06-01")].set_index("score")
    assert len(jun) == 10                        # 0.5 … 5.0
    assert jun.loc[3.0, "n_teams"] == 1 and jun.loc[3.5, "n_teams"] == 1 and jun.loc[1.5, "n_teams"] == 1
    assert jun["share"].sum() == pytest.approx(1.0)


def test_summary_uses_participating_teams_only():
    s = summarise_progress(A, TEAMS)
    assert s.shares["n_teams"].unique().tolist() == [3]
    assert s.thresholds == (3.0, 4.0)


def test_unknown_rater_is_a_one_line_error():
    with pytest.raises(InputError, match="rater 'coach' is not known"):
        share_at_or_above(A, rater="coach")
