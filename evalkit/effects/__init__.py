"""Effect estimates with honest uncertainty, and the sentences that report them.

:mod:`~evalkit.effects.its` (interrupted time series for one team), :mod:`~evalkit.effects.did`
(difference in differences against comparison units), :mod:`~evalkit.effects.prepost`
(before/after comparisons), :mod:`~evalkit.effects.workforce_change` (burnout, intent to leave
and turnover before vs after), :mod:`~evalkit.effects.pooling` (random-effects pooling across
teams) and :mod:`~evalkit.effects.narrative` (sentences that do not over-claim).
"""
from evalkit.effects.did import DiDResult, difference_in_differences
from evalkit.effects.its import ITSResult, interrupted_time_series, newey_west_lags
from evalkit.effects.prepost import PrePostResult, difference_in_proportions, rate_ratio, welch_t, welch_t_from_summary

__all__ = ["ITSResult", "interrupted_time_series", "newey_west_lags", "DiDResult", "difference_in_differences",
           "PrePostResult", "difference_in_proportions", "rate_ratio", "welch_t", "welch_t_from_summary"]
