"""Smoke tests for evalkit.plotting.workforce: Axes returned, small groups not plotted, no global style change."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from evalkit.workforce import survey as sv  # noqa: E402
from evalkit import workforce as wf  # noqa: E402
from evalkit.plotting import workforce as pw  # noqa: E402


@pytest.fixture(scope="module")
def roster():
    rng = np.random.default_rng(11)
    n = 120
    team = np.where(np.arange(n) < 100, "big", "small")
    hire = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 5 * 365, n), unit="D")
    tenure = pd.to_timedelta(rng.exponential(900, n).astype(int), unit="D")
    sep = (hire + tenure).where(hire + tenure <= pd.Timestamp("2024-12-31"))
    typ = pd.Series(rng.choice(["voluntary", "involuntary", "other", "transfer"], n, p=[.6, .2, .1, .1])).where(sep.notna())
    return pd.DataFrame({"team_id": team, "staff_key": [f"s{i}" for i in range(n)], "hire_date": hire,
                         "separation_date": sep, "separation_type": typ})


def test_all_charts_return_axes_and_leave_style_alone(roster):
    before = dict(matplotlib.rcParams)
    m = wf.monthly_workforce(roster, start="2022-01", end="2024-12")
    ax = pw.plot_turnover(m, "small")
    assert isinstance(ax, plt.Axes)
    # the small team (< 10 staff) is suppressed: nothing drawn
    assert np.isnan(ax.lines[0].get_ydata().astype(float)).all()
    ax = pw.plot_turnover(m, "big")
    assert np.isfinite(ax.lines[0].get_ydata().astype(float)).any()
    assert "SHRM" in " ".join(t.get_text() for t in ax.texts)
    pw.plot_retention(wf.rolling_retention(roster, start="2022-01", end="2024-12"), "big")
    pw.plot_new_hire_retention(wf.new_hire_retention(roster, as_of="2024-12-31", cohort="year"), "big")
    pw.plot_tenure_survival(wf.tenure_survival(roster, as_of="2024-12-31"))
    pos = pd.DataFrame({"team_id": "big", "period": pd.date_range("2024-01-01", periods=6, freq="MS"),
                        "funded_positions": 30.0, "filled_positions": [27.0, 28, 29, 30, 26, 25]})
    pw.plot_vacancy(wf.vacancy_rate(pos), "big")
    req = pd.DataFrame({"team_id": "big", "requisition_id": ["a", "b", "c"],
                        "opened": pd.to_datetime(["2024-01-01"] * 3), "filled": pd.to_datetime(["2024-02-01", None, "2024-03-01"])})
    pw.plot_time_to_fill(wf.time_to_fill(req, as_of="2024-06-30"))
    rng = np.random.default_rng(2)
    s = pd.DataFrame({"team_id": "big", "wave": np.repeat([1, 2, 3], [12, 12, 3]),
                      "fielded": pd.to_datetime(np.repeat(["2023-01-10", "2023-07-10", "2024-01-10"], [12, 12, 3])),
                      "response_id": [f"r{i}" for i in range(27)]})
    for i in range(1, 8):
        s[f"cbi_work_{i}"] = rng.choice([0, 25, 50, 75, 100], 27)
    ax = pw.plot_survey_scale(sv.summarise_survey(s, sv.CBI_WORK, roster), "big")
    # wave 3 has 3 respondents (< 5): only two points drawn
    assert len(ax.lines[0].get_xdata()) == 2
    assert dict(matplotlib.rcParams) == before
    plt.close("all")


def test_turnover_and_survey_titles_can_name_the_team():
    roster = pd.DataFrame({"team_id": "t", "staff_key": [f"s{i}" for i in range(12)],
                           "hire_date": pd.to_datetime(["2020-01-01"] * 12),
                           "separation_date": pd.to_datetime([None] * 11 + ["2023-03-10"]),
                           "separation_type": [None] * 11 + ["voluntary"]})
    monthly = wf.monthly_workforce(roster, start="2023-01", end="2023-06")
    assert pw.plot_turnover(monthly, "t", title="Staff turnover — Team T").get_title() == "Staff turnover — Team T"
    assert pw.plot_turnover(monthly, "t").get_title() == "Staff turnover — t"
    plt.close("all")
    rng = np.random.default_rng(3)
    s = pd.DataFrame({"team_id": "t", "wave": [1] * 6, "fielded": pd.to_datetime(["2023-02-01"] * 6),
                      "response_id": [f"r{i}" for i in range(6)]})
    for i in range(1, 8):
        s[f"cbi_work_{i}"] = rng.choice([0, 25, 50, 75, 100], 6)
    summary = sv.summarise_survey(s, sv.CBI_WORK, roster)
    assert pw.plot_survey_scale(summary, "t", title="Burnout — Team T").get_title() == "Burnout — Team T"
    plt.close("all")
