"""Workforce metrics: staffing (headcount, hires, separations, turnover, retention), tenure
and time-to-fill survival, and staff-survey scores.

``from evalkit.workforce import monthly_workforce, tenure_survival, summarise_survey`` and so on:
every public name of :mod:`~evalkit.workforce.staffing`, :mod:`~evalkit.workforce.tenure` and
:mod:`~evalkit.workforce.survey` is importable from here.
"""
from evalkit.workforce._common import DEFINITIONS, MetricTable, suppressed_table
from evalkit.workforce.staffing import (QicSeries, annual_turnover, check_against_measures, monthly_workforce,
                                        period_retention, retention_series, rolling_retention, turnover_series)
from evalkit.workforce.survey import (CBI_WORK, INTENT_TO_LEAVE, Instrument, SurveySummary, cronbach_alpha,
                                      score_survey, summarise_survey, suppressed_summary)
from evalkit.workforce.tenure import (TenureSurvival, kaplan_meier, new_hire_retention, tenure_survival,
                                      time_to_fill, vacancy_rate)

__all__ = [
    "DEFINITIONS", "MetricTable", "QicSeries", "monthly_workforce", "annual_turnover", "period_retention",
    "rolling_retention", "turnover_series", "retention_series", "check_against_measures", "suppressed_table",
    "TenureSurvival", "kaplan_meier", "new_hire_retention", "tenure_survival", "vacancy_rate", "time_to_fill",
    "Instrument", "CBI_WORK", "INTENT_TO_LEAVE", "SurveySummary", "score_survey", "summarise_survey",
    "suppressed_summary", "cronbach_alpha",
]
