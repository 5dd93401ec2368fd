"""Reports: the building blocks the notebooks call (:mod:`~evalkit.report.sections` for every
kind, :mod:`~evalkit.report.team`, :mod:`~evalkit.report.country`, :mod:`~evalkit.report.collaborative`),
report tables (:mod:`~evalkit.report.tables`), the registry of report kinds
(:mod:`~evalkit.report.kinds`), and the HTML pages (:mod:`~evalkit.report.html`,
:mod:`~evalkit.report.index`).
"""
