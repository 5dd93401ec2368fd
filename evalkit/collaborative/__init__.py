"""The Breakthrough Series Collaborative: PDSA activity (:mod:`~evalkit.collaborative.pdsa`), IHI
progress scores (:mod:`~evalkit.collaborative.progress`) and the roll-up across teams
(:mod:`~evalkit.collaborative.rollup`).
"""
