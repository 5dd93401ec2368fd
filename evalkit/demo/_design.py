"""The demo's fixed design: the data model's column order, the months, learning sessions,
survey waves and the Surgeon General essentials (shared by the demo's generators)."""
from __future__ import annotations

from evalkit.inputs.schema import ESSENTIALS as SCHEMA_ESSENTIALS

# ---------------------------------------------------------------------------------------
# The data model (team brief, DESIGN.md section 3): table -> exact column order
# ---------------------------------------------------------------------------------------
TABLE_COLUMNS: dict[str, list[str]] = {
    "teams": ["team_id", "team_name", "team_type", "role", "region", "country", "start_month"],
    "measures": ["team_id", "period", "measure_id", "numerator", "denominator"],
    "roster": ["team_id", "staff_key", "role", "case_carrying", "hire_date", "separation_date", "separation_type"],
    "positions": ["team_id", "period", "funded_positions", "filled_positions"],
    "requisitions": ["team_id", "requisition_id", "opened", "filled"],
    "survey": ["team_id", "wave", "fielded", "response_id"]
    + [f"cbi_work_{i}" for i in range(1, 8)]
    + [f"itl_{i}" for i in range(1, 4)],
    "pdsa": ["team_id", "pdsa_id", "ramp_id", "change_idea", "essential", "driver", "start_date", "end_date",
             "prediction", "decision", "measure_id"],
    "events": ["team_id", "date", "label", "kind"],
    "assessments": ["team_id", "period", "rater", "score"],
    "goals": ["country", "goal_id", "goal", "indicator", "baseline", "target", "value", "as_of", "gas_level",
              "weight", "evidence"],
    "deliverables": ["country", "group", "deliverable_id", "goal_id", "title", "due", "completed"],
    "membership": ["country", "date", "sector", "members"],
    "outputs": ["country", "date", "output_type", "count"],
    "sessions": ["study", "session_id", "affinity_group", "region", "participants", "hours"],
    "excerpts": ["study", "excerpt_id", "session_id", "code_path", "text"],
    "training": ["unit", "session_id", "date", "module", "level", "staff_key", "programme"],
    "partners": ["unit", "partner", "sector", "joined", "meetings_held", "meetings_attended", "stipend"],
}

DEMO_MONTHS = 36
LEARNING_SESSIONS = ["2023-04-25", "2023-11-15", "2024-06-12"]
SURVEY_FIELDED = ["2022-10-03", "2023-10-02", "2024-10-01"]
ESSENTIALS = list(SCHEMA_ESSENTIALS)  # the data model's list, in its order

