"""Run charts and control charts (qicharts2 0.8.1 equal) and their plain-language verdicts.

``from evalkit.spc import qic, verdicts`` is the public entry point; :mod:`evalkit.spc.qic`
computes a chart, :mod:`evalkit.spc.charts` holds one function per chart type,
:mod:`evalkit.spc.rules` the rule sets, :mod:`evalkit.spc.verdicts` the sentences.
"""
from evalkit.spc.charts import CHARTS
from evalkit.spc.qic import QicResult, qic
from evalkit.spc.rules import DIRECTIONS, RULE_SETS, RULES
from evalkit.spc.verdicts import MIN_USEFUL_FOR_VERDICT, VERDICT_SENTENCES, verdicts

__all__ = ["qic", "verdicts", "QicResult", "CHARTS", "RULES", "RULE_SETS", "DIRECTIONS", "VERDICT_SENTENCES",
           "MIN_USEFUL_FOR_VERDICT"]
