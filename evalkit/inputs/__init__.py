"""Inputs: the data model (:mod:`~evalkit.inputs.schema`), reading and typing the data tables
(:mod:`~evalkit.inputs.read`), the params files (:mod:`~evalkit.inputs.params`), the units each
report covers (:mod:`~evalkit.inputs.units`) and validation of both folders before anything runs
(:mod:`~evalkit.inputs.validate`).
"""
