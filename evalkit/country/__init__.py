"""Country, state and county evaluations: goals and deliverables (:mod:`~evalkit.country.goals`),
membership and partners (:mod:`~evalkit.country.collaboration`), focus-group themes
(:mod:`~evalkit.country.qual`) and joint training (:mod:`~evalkit.country.training`).
"""
