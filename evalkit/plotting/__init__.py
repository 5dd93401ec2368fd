"""Plotting: every function takes a result object (and an optional ``ax``) and returns
the matplotlib Axes (or a Figure for small multiples). Nothing here calls ``show()`` or
changes global style. Text is drawn literally: a ``$`` or ``%`` from data is never read as
mathtext or TeX (``evalkit.plotting._text``). Submodules are imported lazily so importing
evalkit stays light.
"""
from __future__ import annotations

from importlib import import_module

_EXPORTS = {
    # run and control charts
    "plot_qic": "evalkit.plotting.spc",
    "plot_qic_facets": "evalkit.plotting.spc",
    # workforce and well-being
    "plot_turnover": "evalkit.plotting.workforce",
    "plot_retention": "evalkit.plotting.workforce",
    "plot_new_hire_retention": "evalkit.plotting.workforce",
    "plot_tenure_survival": "evalkit.plotting.workforce",
    "plot_vacancy": "evalkit.plotting.workforce",
    "plot_time_to_fill": "evalkit.plotting.workforce",
    "plot_survey_scale": "evalkit.plotting.workforce",
    # countries and jurisdictions
    "plot_goal_progress": "evalkit.plotting.country",
    "plot_deliverable_timeline": "evalkit.plotting.country",
    "plot_membership_by_sector": "evalkit.plotting.country",
    "plot_theme_heatmap": "evalkit.plotting.country",
    "plot_cooccurrence": "evalkit.plotting.country",
    "plot_training_coverage": "evalkit.plotting.country",
    # effects, PDSA and progress scores
    "plot_its": "evalkit.plotting.effects",
    "plot_its_facets": "evalkit.plotting.effects",
    "plot_event_study": "evalkit.plotting.effects",
    "plot_pdsa_timeline": "evalkit.plotting.effects",
    "plot_pdsa_heatmap": "evalkit.plotting.effects",
    "plot_progress": "evalkit.plotting.effects",
    "plot_progress_shares": "evalkit.plotting.effects",
    "plot_progress_distribution": "evalkit.plotting.effects",
    "plot_signal_counts": "evalkit.plotting.effects",
    "plot_comparison_event_study": "evalkit.plotting.effects",
    "plot_staggered_event_study": "evalkit.plotting.effects",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'evalkit.plotting' has no attribute {name!r}")
