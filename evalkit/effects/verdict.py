"""The verdict on one team's measure: the one function every report, badge and board calls.

A team report's summary box, the index badges, the manifest and the collaborative board all
show :func:`measure_verdict`'s answer, so they cannot disagree. The answer is a code from a
fixed vocabulary (:data:`VERDICTS`); the words a reviewer reads come from
:data:`VERDICT_WORDS`, the badge colour from :data:`VERDICT_TONES`. Nothing downstream
parses English.

The verdict is judged against the team's own baseline: the months before its start form
the baseline (centre line and limits frozen on them), and the run chart rules ask whether
the months after differ from it (:func:`evalkit.spc.verdicts`, ``parts="last"``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["VERDICTS", "VERDICT_WORDS", "VERDICT_TONES", "MeasureVerdict", "measure_verdict",
           "RATE_CHARTS_WITH_DENOMINATOR", "MIN_BASELINE_POINTS"]

#: The fixed vocabulary of a measure's verdict (DESIGN.md section 4).
VERDICTS = ("improved", "deteriorated", "no_change", "mixed", "too_little_data")

#: How a report words each verdict.
VERDICT_WORDS = {
    "improved": "improvement",
    "deteriorated": "deterioration",
    "no_change": "no signal",
    "mixed": "signal, no direction",
    "too_little_data": "too few points",
}

#: Badge tone of each verdict on the index: good, bad, neutral or muted.
VERDICT_TONES = {"improved": "good", "deteriorated": "bad", "no_change": "neutral", "mixed": "neutral",
                 "too_little_data": "muted"}

#: Chart types whose denominators enter the chart.
RATE_CHARTS_WITH_DENOMINATOR = ("p", "pp", "u", "up", "xbar")

#: Fewest baseline months that a verdict is judged against.
MIN_BASELINE_POINTS = 2

# spc.verdicts -> the fixed vocabulary. "neutral" is a signal on a measure whose params set
# no direction of improvement: a change that is neither better nor worse.
_FROM_SPC = {"improvement": "improved", "deterioration": "deteriorated", "none": "no_change", "neutral": "mixed",
             "too_few": "too_little_data"}


@dataclass(frozen=True)
class MeasureVerdict:
    """The verdict on one team × measure (see :func:`measure_verdict`).

    Attributes
    ----------
    measure_id : str
    verdict : str
        One of :data:`VERDICTS`.
    words : str
        The verdict in a reviewer's words (:data:`VERDICT_WORDS`, or "no data").
    sentence : str
        One plain sentence saying why.
    chart : evalkit.spc.QicResult or None
        The run/control chart it was judged on (None without data).
    n_pre, n_post : int
        Months before the start (the baseline) and from the start on.
    """

    measure_id: str
    verdict: str
    words: str
    sentence: str
    chart: object
    n_pre: int
    n_post: int


def measure_verdict(series: pd.DataFrame, measure_id: str, *, chart: str, direction: str | None,
                    multiply: float = 1.0, target=None, start=None, method: str = "anhoej") -> MeasureVerdict:
    """Chart one team's measure against its baseline and give the verdict.

    Parameters
    ----------
    series : DataFrame
        ``period``, ``numerator``, ``denominator`` of one team and measure (see
        :func:`evalkit.collaborative.rollup.team_series`); months whose numerator is missing (suppressed or not
        reported) stay as gaps.
    measure_id : str
    chart : str
        qicharts2 chart type of the measure.
    direction : {"increase", "decrease", "neutral"} or None
        Direction of improvement.
    multiply : float
        Scale of the chart (100 for percentages).
    target : float, optional
        Drawn on the chart.
    start : month, optional
        The team's start; the months before it are the baseline.
    method : str
        Rule set (:data:`evalkit.spc.RULE_SETS`).

    Returns
    -------
    MeasureVerdict
        ``too_little_data`` without rows, with fewer than :data:`MIN_BASELINE_POINTS`
        baseline months or no month after the start, or too few useful points for the rules;
        otherwise the chart's verdict on the months after the baseline.
    """
    from evalkit.spc import qic, verdicts

    if series.empty:
        return MeasureVerdict(measure_id, "too_little_data", "no data", "no data for this measure", None, 0, 0)
    start = None if start is None else pd.Timestamp(start).to_period("M").to_timestamp()
    observed = series["numerator"].notna().to_numpy()
    before = (series["period"] < start).to_numpy() if start is not None else np.zeros(len(series), bool)
    n_pre, n_post = int((before & observed).sum()), int((~before & observed).sum())
    n_base = int(before.sum())
    freeze = n_base if MIN_BASELINE_POINTS <= n_base < len(series) else None
    denominator = series["denominator"].to_numpy(dtype=float) if chart in RATE_CHARTS_WITH_DENOMINATOR else None
    result = qic(series["numerator"].to_numpy(dtype=float), denominator, series["period"].to_numpy(), chart=chart,
                 freeze=freeze, multiply=multiply, method=method, direction=direction, target=target)
    if freeze is None or n_pre < MIN_BASELINE_POINTS or n_post == 0:
        return MeasureVerdict(measure_id, "too_little_data", VERDICT_WORDS["too_little_data"],
                              "too few months before or after the start to judge against a baseline", result,
                              n_pre, n_post)
    v = verdicts(result, direction, parts="last").iloc[-1]
    code = _FROM_SPC[v["verdict"]]
    return MeasureVerdict(measure_id, code, VERDICT_WORDS[code], v["sentence"], result, n_pre, n_post)
