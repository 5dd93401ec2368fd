"""Synthetic demo tables of the two jurisdictions (helper of :mod:`evalkit.demo.generate`).

* ``moldova`` (a country, shaped like seed 001: a cross-sector working group with four
  technical groups): goals, deliverables, membership by sector (15 -> 30), outputs.
* ``evergreen`` (a state, shaped like seeds 002-004): focus-group sessions and coded
  excerpts (themes of seed 002), partners by sector (seed 003), joint training of its two
  programme units (seed 004) whose staff keys come from the demo roster.

All names, numbers and quotes are invented for the demo (SYNTHETIC).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

COUNTRY = "moldova"
STATE = "evergreen"
PROGRAMMES = ["evergreen-child-welfare", "evergreen-family-assistance"]
MOLDOVA_AS_OF = "2024-06-30"

# --- Moldova --------------------------------------------------------------------------
# goal_id, goal, indicator, baseline, target, value, gas_level, weight, evidence
_GOALS = [
    ("g-training", "Establish continuous training of social workers",
     "Social workers completing accredited continuous training in the year", 320, 1200, 940, 1, 3,
     "Continuous-training regulation drafted by TG1; four universities deliver accredited courses."),
    ("g-residential", "Reduce children in residential care", "Children living in residential institutions",
     1250, 600, 910, 0, 3, "Family reintegration course rolled out in 12 districts (decrease goal)."),
    ("g-supervision", "Professionalise supervision of social assistance",
     "Social assistants receiving monthly professional supervision (%)", 18, 60, 41, 0, 2,
     "Supervision standard approved; supervisor training package delivered twice."),
    ("g-programmes", "Develop evidence-based training programmes",
     "Training programmes in child and family protection developed", 0, 50, 66, 2, 2,
     "The MoU partnership developed 66 programmes, more than planned."),
    ("g-universities", "Strengthen partnership between ministry and universities",
     "Universities in the MoU partnership", 0, 4, 4, 0, 1, "MoU signed with four universities in December 2022."),
    ("g-burnout", "Reduce burnout among social assistants", "Social assistants reporting high burnout (%)",
     46, 30, 49, -1, 1, "Repeat survey in 2024 shows no improvement yet; burnout protocol still in draft."),
]
_TG = {"tg1": "TG1 Initial and continuous training", "tg2": "TG2 Ministry-university partnership",
       "tg3": "TG3 Professional supervision", "tg4": "TG4 Child protection training courses"}
# group, deliverable_id, goal_id, title, due, completed ("" = not yet)
_DELIVERABLES = [
    ("tg1", "d-tg1-01", "g-training", "Needs assessment of training providers", "2022-06-30", "2022-06-20"),
    ("tg1", "d-tg1-02", "g-training", "Draft regulation on continuous training", "2022-12-31", "2023-02-15"),
    ("tg1", "d-tg1-03", "g-training", "Costing of the continuous training mechanism", "2023-06-30", "2023-06-30"),
    ("tg1", "d-tg1-04", "g-training", "Motivation mechanisms for continued training", "2024-03-31", ""),
    ("tg2", "d-tg2-01", "g-universities", "MoU between the ministry and four universities", "2022-12-31",
     "2022-12-09"),
    ("tg2", "d-tg2-02", "g-universities", "Three-year joint action plan", "2023-03-31", "2023-05-10"),
    ("tg2", "d-tg2-03", "g-universities", "Student internship placement guide", "2024-09-30", ""),
    ("tg3", "d-tg3-01", "g-supervision", "Supervision standard for social assistance", "2022-10-31", "2022-11-30"),
    ("tg3", "d-tg3-02", "g-supervision", "Supervisor training package", "2023-09-30", "2023-09-12"),
    ("tg3", "d-tg3-03", "g-burnout", "Burnout prevention protocol", "2024-06-30", ""),
    ("tg4", "d-tg4-01", "g-programmes", "Curriculum framework for child and family protection", "2022-09-30",
     "2022-09-28"),
    ("tg4", "d-tg4-02", "g-programmes", "First 20 evidence-based courses", "2023-06-30", "2023-08-31"),
    ("tg4", "d-tg4-03", "g-residential", "Course on family reintegration from residential care", "2024-03-31",
     "2024-03-20"),
    ("tg4", "d-tg4-04", "g-programmes", "Trainer certification scheme", "2024-12-31", ""),
]
MOLDOVA_SECTORS = ["government", "local-government", "ngo", "academia", "faith-based", "donors",
                   "lived-experience"]
# members per sector (order of MOLDOVA_SECTORS); 0 = sector not at the table (no row written)
_MEMBERSHIP = {
    "2022-03-15": [5, 2, 5, 2, 0, 1, 0],
    "2022-04-15": [5, 3, 6, 3, 1, 1, 0],
    "2022-05-15": [6, 3, 7, 3, 2, 2, 0],
    "2022-06-15": [6, 4, 8, 4, 2, 2, 1],
    "2022-07-15": [6, 4, 9, 4, 2, 2, 3],
    "2022-10-15": [6, 4, 9, 4, 2, 2, 3],
    "2023-01-15": [5, 4, 9, 5, 2, 2, 3],
    "2023-04-15": [5, 4, 9, 5, 2, 2, 3],
    "2023-07-15": [4, 4, 9, 5, 2, 2, 3],
    "2023-10-15": [4, 4, 9, 5, 2, 2, 3],
    "2024-01-15": [5, 5, 9, 5, 2, 2, 3],
    "2024-04-15": [5, 5, 9, 5, 2, 2, 3],
}
_QUARTERS = ["2022-06-30", "2022-09-30", "2022-12-31", "2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31",
             "2024-03-31", "2024-06-30"]
_OUTPUTS = {  # output_type -> count per quarter (0 = no row)
    "training programmes developed": [2, 5, 8, 10, 12, 10, 9, 6, 4],
    "guidelines drafted": [0, 1, 0, 2, 1, 0, 1, 1, 0],
    "regulations submitted for consultation": [0, 0, 1, 0, 0, 1, 0, 0, 1],
    "memoranda of understanding signed": [0, 0, 1, 0, 0, 0, 0, 0, 0],
    "trainers equipped": [0, 6, 0, 12, 0, 15, 0, 10, 8],
}

# --- Evergreen: focus groups (seed 002) -----------------------------------------------
# affinity group, region, participants, hours
_SESSIONS = [
    ("Home visitors", "Puget Sound", 8, 4.0), ("Home visitors", "Eastern", 7, 4.0),
    ("Home visitors", "Southwest", 9, 4.5),
    ("Tribal providers", "Olympic Peninsula", 3, 3.5), ("Tribal providers", "Eastern", 4, 3.5),
    ("Tribal providers", "North Cascades", 6, 4.0),
    ("Spanish-speaking providers", "Central", 4, 4.0), ("Spanish-speaking providers", "Puget Sound", 7, 4.0),
    ("Spanish-speaking providers", "Southwest", 5, 4.0),
    ("Program administrators", "Puget Sound", 10, 4.0), ("Program administrators", "Eastern", 8, 4.0),
    ("Program administrators", "Central", 9, 4.0),
    ("Early-career providers", "Puget Sound", 6, 4.0), ("Early-career providers", "Central", 5, 3.5),
    ("Early-career providers", "North Cascades", 7, 4.0),
    ("Infant mental health consultants", "Southwest", 6, 4.0),
    ("Infant mental health consultants", "Olympic Peninsula", 5, 4.0),
    ("Infant mental health consultants", "Eastern", 6, 4.5),
]
_W, _R, _E = ("Worldview & Perspectives", "Relational Workforce Wellbeing",
              "Equitable Systems & Organizational Culture")
# code path -> invented quotes (SYNTHETIC)
_QUOTES = {
    f"{_W} > Motivation for the work > Lived experience": [
        "I came into this work because somebody sat on my kitchen floor with me when I was nineteen.",
        "My own childhood is why I stay, even on the weeks when I want to quit.",
    ],
    f"{_W} > Motivation for the work > Calling to serve families": [
        "Nobody does this for the money. You do it because the babies can't wait.",
        "When a dad finally calls me back, that is my paycheck for the week.",
    ],
    f"{_W} > Culture and values > Community and kinship": [
        "In our community the auntie is part of the plan; the forms don't have a box for her.",
        "We are all connected here, so I see my families at the store and at ceremony.",
    ],
    f"{_W} > Culture and values > Language and identity": [
        "I translate for my coworkers for free, all day, and it is not in my job description.",
        "Families open up when we talk in Spanish; the training never is.",
    ],
    f"{_R} > Team relationships > Peer support": [
        "My team is why I'm still here. We text each other after the hard visits.",
        "The new people get a buddy now, and you can see it in their faces that they feel less alone.",
    ],
    f"{_R} > Team relationships > Honesty about hard days": [
        "We can finally say out loud that it's hard, and nobody thinks less of you.",
        "Being allowed to be human at work made us better at the human part of the work.",
    ],
    f"{_R} > Supervision > Reflective supervision": [
        "Reflective supervision is the one hour a month where someone asks how I am doing.",
        "My supervisor used to cancel; now it's protected time and I notice the difference.",
    ],
    f"{_R} > Supervision > Feeling seen by leaders": [
        "Leadership came to our site for the first time in three years and actually listened.",
        "I want my director to know my name, not just my caseload number.",
    ],
    f"{_R} > Stress and burnout > Secondary trauma": [
        "You carry the stories home. Some nights I sit in the car before I can go inside.",
        "After a removal I'm expected to be back at my desk in ten minutes.",
    ],
    f"{_R} > Stress and burnout > Boundaries after hours": [
        "My phone never stops; families text at midnight because I'm the only one who answers.",
        "I'm learning to log off, but the guilt follows me.",
    ],
    f"{_E} > Compensation > Pay below living wage": [
        "Pay is < rent & the paperwork > the time I get with families.",
        "I don't want to be rich. I just don't want to pick between groceries and gas.",
        "I left for a warehouse job for six months because it paid three dollars more.",
    ],
    f"{_E} > Compensation > Benefits and leave": [
        "No paid sick leave means I come in sick to home visits with newborns.",
        "The health plan costs more than my car payment.",
    ],
    f"{_E} > Career pathways > Credential barriers": [
        "I have twenty years of experience and they told me I need a degree to keep my job.",
        "The credential classes are during work hours, two hours away.",
    ],
    f"{_E} > Career pathways > Training access": [
        "The only trainings in Spanish were the ones I taught myself.",
        "Online training helped; I can do it after my kids are asleep.",
    ],
    f"{_E} > Systems fit > Funding rules": [
        "The grant pays for visits, not for the drive to get to them.",
        "Every funder wants a different report on the same family.",
    ],
    f"{_E} > Systems fit > Paperwork burden": [
        "I spend more time documenting the relationship than building it.",
        "We redo intake three times because the systems don't talk to each other.",
    ],
}

# --- Evergreen: partners (seed 003) ---------------------------------------------------
EVERGREEN_SECTORS_PRESENT = ["state-agency", "child-care-centers", "family-child-care", "head-start",
                             "home-visiting", "higher-education", "advocacy", "workforce-support",
                             "philanthropy", "tribal-nations", "early-intervention"]
EVERGREEN_SECTORS_MISSING = ["parents", "business"]
# partner, sector, joined, stipend
_PARTNERS = [
    ("Evergreen Department of Children and Families", "state-agency", "2023-01-10", False),
    ("Evergreen Health Care Authority", "state-agency", "2023-03-14", False),
    ("Little Sprouts Learning Center", "child-care-centers", "2023-01-10", True),
    ("Riverside Early Learning Co-op", "child-care-centers", "2023-06-13", True),
    ("Family Child Care Providers Network of Evergreen", "family-child-care", "2023-02-14", True),
    ("Cascade Head Start", "head-start", "2023-01-10", True),
    ("Nurse-Family Home Visiting, Eastern Region", "home-visiting", "2023-01-24", True),
    ("Parents as Partners Home Visiting", "home-visiting", "2023-09-12", True),
    ("Evergreen State University, School of Social Work", "higher-education", "2023-01-10", False),
    ("Columbia Valley Community College", "higher-education", "2023-04-11", False),
    ("Early Childhood Equity Alliance", "advocacy", "2023-02-28", False),
    ("Evergreen Workforce Development Council", "workforce-support", "2023-05-09", False),
    ("Salish Sea Community Foundation", "philanthropy", "2023-03-28", False),
    ("Intertribal Early Childhood Council", "tribal-nations", "2023-08-08", True),
    ("Birth-to-Three Early Intervention Services", "early-intervention", "2024-01-09", True),
]

# --- Evergreen: joint training (seed 004) ---------------------------------------------
_MODULES = [
    ("Who we are: Linkages orientation", "basic"),
    ("Roles and responsibilities across both programmes", "basic"),
    ("Nuts and bolts: joint case planning", "core"),
    ("Sharing information and confidentiality", "core"),
    ("Special populations: domestic violence", "advanced"),
    ("Substance use and family stability", "advanced"),
]
# date, module index, programmes ("both", "cw" = child welfare only, "fa" = family assistance only)
_TRAINING = [
    ("2022-03-09", 0, "both"), ("2022-04-13", 1, "both"), ("2022-06-08", 2, "both"), ("2022-08-17", 3, "cw"),
    ("2022-10-12", 0, "fa"), ("2022-11-16", 2, "both"), ("2023-01-18", 4, "both"), ("2023-03-15", 0, "both"),
    ("2023-05-10", 3, "both"), ("2023-06-21", 5, "cw"), ("2023-09-13", 1, "both"), ("2023-10-18", 2, "fa"),
    ("2024-01-17", 0, "both"), ("2024-03-13", 4, "both"), ("2024-05-15", 3, "cw"), ("2024-07-17", 5, "both"),
    ("2024-09-18", 0, "both"), ("2024-11-13", 2, "both"),
]


def _moldova(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    goals = pd.DataFrame(_GOALS, columns=["goal_id", "goal", "indicator", "baseline", "target", "value",
                                          "gas_level", "weight", "evidence"])
    goals.insert(0, "country", COUNTRY)
    goals["as_of"] = MOLDOVA_AS_OF
    deliverables = pd.DataFrame(
        [(COUNTRY, _TG[g], d, goal, t, due, done) for g, d, goal, t, due, done in _DELIVERABLES],
        columns=["country", "group", "deliverable_id", "goal_id", "title", "due", "completed"])
    membership = pd.DataFrame(
        [(COUNTRY, date, s, n) for date, counts in _MEMBERSHIP.items() for s, n in zip(MOLDOVA_SECTORS, counts)
         if n > 0], columns=["country", "date", "sector", "members"])
    outputs = pd.DataFrame(
        [(COUNTRY, q, kind, n) for kind, counts in _OUTPUTS.items() for q, n in zip(_QUARTERS, counts) if n > 0],
        columns=["country", "date", "output_type", "count"]).sort_values(["date", "output_type"], kind="stable")
    return {"goals": goals, "deliverables": deliverables, "membership": membership, "outputs": outputs}


def _focus_groups(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    sessions = pd.DataFrame(
        [(STATE, f"fg-{i:02d}", g, r, p, h) for i, (g, r, p, h) in enumerate(_SESSIONS, start=1)],
        columns=["study", "session_id", "affinity_group", "region", "participants", "hours"])
    paths = list(_QUOTES)
    rows = []
    n = 0
    for path, quotes in _QUOTES.items():
        for q in quotes:
            n += 1
            eid = f"ex-{n:03d}"
            sid = f"fg-{int(rng.integers(1, len(_SESSIONS) + 1)):02d}"
            codes = [path]
            extra = int(rng.choice([0, 1, 2], p=[0.7, 0.22, 0.08]))
            others = [p for p in paths if p != path]
            codes += [others[i] for i in rng.choice(len(others), extra, replace=False)]
            rows += [(STATE, eid, sid, c, q) for c in codes]
    excerpts = pd.DataFrame(rows, columns=["study", "excerpt_id", "session_id", "code_path", "text"])
    return {"sessions": sessions, "excerpts": excerpts}


def _partners(rng: np.random.Generator) -> pd.DataFrame:
    # the partnership meets twice a month (10th and 24th) from January 2023 to December 2024
    months = pd.period_range("2023-01", "2024-12", freq="M").astype(str)
    meetings = np.array([f"{m}-10" for m in months] + [f"{m}-24" for m in months])
    rows = []
    for partner, sector, joined, stipend in _PARTNERS:
        held = int((meetings >= joined).sum())
        p = 0.85 if stipend else 0.6
        attended = int(rng.binomial(held, p))
        rows.append((STATE, partner, sector, joined, held, attended, "true" if stipend else "false"))
    return pd.DataFrame(rows, columns=["unit", "partner", "sector", "joined", "meetings_held", "meetings_attended",
                                       "stipend"])


def _training(rng: np.random.Generator, roster: pd.DataFrame) -> pd.DataFrame:
    staff = roster[roster["team_id"].isin(PROGRAMMES)]
    sep = staff["separation_date"].where(staff["separation_date"] != "", "9999-12-31")
    rows = []
    for i, (date, m, who) in enumerate(_TRAINING, start=1):
        module, level = _MODULES[m]
        progs = PROGRAMMES if who == "both" else [PROGRAMMES[0] if who == "cw" else PROGRAMMES[1]]
        for prog in progs:
            pool = staff[(staff["team_id"] == prog) & (staff["hire_date"] <= date) & (sep >= date)]
            share = {"basic": 0.45, "core": 0.35, "advanced": 0.25}[level]
            k = max(1, int(rng.binomial(len(pool), share)))
            pick = np.sort(rng.choice(len(pool), size=min(k, len(pool)), replace=False))
            for key in pool["staff_key"].to_numpy()[pick]:
                rows.append((STATE, f"tr-{i:02d}", date, module, level, key, prog))
    return pd.DataFrame(rows, columns=["unit", "session_id", "date", "module", "level", "staff_key", "programme"])


def jurisdiction_tables(rng: np.random.Generator, roster: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], dict]:
    """Tables of the demo country and state, and what was built into them (for TRUTH.json)."""
    tables = _moldova(rng)
    tables.update(_focus_groups(rng))
    tables["partners"] = _partners(rng)
    tables["training"] = _training(rng, roster)
    truth = {
        COUNTRY: {
            "as_of": MOLDOVA_AS_OF,
            "decrease_goals": [g[0] for g in _GOALS if g[4] < g[3]],
            "goals_met": [g[0] for g in _GOALS if (g[5] >= g[4] if g[4] >= g[3] else g[5] <= g[4])],
            "goal_moving_away": ["g-burnout"],
            "deliverables_late": ["d-tg1-02", "d-tg2-02", "d-tg3-01", "d-tg4-02"],
            "deliverable_completed_on_due_date": "d-tg1-03",
            "deliverables_open": [d[1] for d in _DELIVERABLES if not d[5]],
            "sectors": MOLDOVA_SECTORS,
            "sectors_absent_at_start": ["faith-based", "lived-experience"],
            "members_first_and_last": [sum(_MEMBERSHIP["2022-03-15"]), sum(_MEMBERSHIP["2024-04-15"])],
            "training_programmes_total": sum(_OUTPUTS["training programmes developed"]),
        },
        STATE: {
            "sessions": len(_SESSIONS),
            "participants_total": sum(s[2] for s in _SESSIONS),
            "hours_total": sum(s[3] for s in _SESSIONS),
            "small_sessions_under_5": [f"fg-{i:02d}" for i, s in enumerate(_SESSIONS, start=1) if s[2] < 5],
            "themes": [_W, _R, _E],
            "excerpt_with_html_characters": "Pay is < rent & the paperwork > the time I get with families.",
            "partner_sectors_present": EVERGREEN_SECTORS_PRESENT,
            "partner_sectors_missing": EVERGREEN_SECTORS_MISSING,
            "programmes": PROGRAMMES,
            "training_sessions_joint": [f"tr-{i:02d}" for i, t in enumerate(_TRAINING, start=1) if t[2] == "both"],
            "training_sessions_single": [f"tr-{i:02d}" for i, t in enumerate(_TRAINING, start=1)
                                         if t[2] != "both"],
        },
    }
    return tables, truth
