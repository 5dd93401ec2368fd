"""Building blocks of the country (jurisdiction) report: which sections have data, what
the report covers, its caveats and methods, and the joint-training table.

Shared helpers (loading, tables, summary box, notes) are in :mod:`evalkit.report.sections`;
the report notebook is ``notebooks/02-country-evaluation.ipynb``.
"""
from __future__ import annotations

import html

import pandas as pd

from evalkit.report.sections import Summary, slug_label

__all__ = [
    "COUNTRY_SECTIONS", "country_sections", "describe_sections", "section_table", "training_sessions_table",
    "joint_training_sentence", "country_period", "country_caveats", "country_methods",
]

#: Country-report sections and the table (and id column) each needs.
COUNTRY_SECTIONS = (
    ("goals", "goals", "country", "Progress toward goals"),
    ("deliverables", "deliverables", "country", "Working-group deliverables"),
    ("membership", "membership", "country", "Membership and sectors"),
    ("outputs", "outputs", "country", "Outputs"),
    ("partners", "partners", "unit", "Partners at the table"),
    ("focus_groups", "excerpts", "study", "Focus-group themes"),
    ("training", "training", "unit", "Joint training"),
)


def country_sections(tables, country_id: str) -> dict:
    """Which country-report sections have data: section -> number of rows (0 = skipped)."""
    out = {}
    for key, table, column, _ in COUNTRY_SECTIONS:
        if table in tables and column in tables[table]:
            out[key] = int((tables[table][column] == country_id).fillna(False).sum())
        else:
            out[key] = 0
    return out


def describe_sections(found: dict) -> str:
    """'goals, deliverables and outputs' (the sections with data) or 'no data'."""
    names = [label.lower() for key, _, _, label in COUNTRY_SECTIONS if found.get(key)]
    if not names:
        return "no data"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def section_table(found: dict) -> pd.DataFrame:
    """Columns section, rows, shown (yes/no)."""
    return pd.DataFrame([{"section": label, "rows": found.get(key, 0), "shown": "yes" if found.get(key) else "no data"}
                         for key, _, _, label in COUNTRY_SECTIONS])


def training_sessions_table(joint, *, threshold: int, names: dict | None = None) -> pd.DataFrame:
    """One row per joint-training session: date, module, level, attendees per programme, joint.

    Parameters
    ----------
    joint : evalkit.country.training.JointAttendance
        From :func:`evalkit.country.training.joint_attendance`.
    threshold : int
        Suppression threshold for counts of people (params ``suppression.min_count``);
        the counts come from ``joint.report_table(..., threshold=threshold)``, so a
        programme's attendees below it read "<10" (and a complementary cell is hidden
        where the session total would reveal it).
    names : dict, optional
        Programme id -> display name (column headers); default: the ids.

    Returns
    -------
    DataFrame
        Columns ``date, module, level, <one column per programme: attendees>, joint``
        (joint: True when every programme attended). Never one row per person.
    """
    sessions = joint.report_table("sessions", threshold=threshold)
    shares = joint.report_table("shares", threshold=threshold)
    if sessions.empty:
        return pd.DataFrame(columns=["date", "module", "level", "joint"])
    wide = shares.pivot(index=["unit", "session_id"], columns="programme", values="n_attendees")
    wide.columns = [str(c) for c in wide.columns]
    programmes = list(wide.columns)
    out = sessions[["unit", "session_id", "date", "module", "level", "joint"]].merge(
        wide.reset_index(), on=["unit", "session_id"], how="left")
    out = out[["date", "module", "level", *programmes, "joint"]]
    names = names or {}
    return out.rename(columns={p: f"{names.get(p, p)}: attendees" for p in programmes}).reset_index(drop=True)


def joint_training_sentence(joint) -> str:
    """'13 of 18 training sessions (72%) were attended by staff of both programmes.'"""
    s = joint.summary
    n, k = int(s["n_sessions"].sum()), int(s["n_joint"].sum())
    if n == 0:
        return "No training sessions were recorded."
    return (f"{k} of {n} training sessions ({100 * k / n:.0f}%) were attended by staff of every programme "
            "(joint sessions).")


def country_period(tables) -> str:
    """First to last date found in the jurisdiction's dated tables."""
    dates = []
    for table, column in (("goals", "as_of"), ("deliverables", "due"), ("membership", "date"), ("outputs", "date"),
                          ("training", "date"), ("partners", "joined")):
        if table in tables and column in tables[table]:
            dates.append(tables[table][column].dropna())
    dates = [d for d in dates if len(d)]
    if not dates:
        return "no dated records"
    allx = pd.concat(dates)
    return f"{allx.min():%Y-%m} to {allx.max():%Y-%m}"


def country_caveats(params, found: dict) -> list[str]:
    """Plain-language limits of a jurisdiction report."""
    out = [f"Counts of fewer than {params.suppression.min_count} people are not shown."]
    missing = [label for key, _, _, label in COUNTRY_SECTIONS if not found.get(key)]
    if missing:
        out.append("Not covered (no data, so these sections are left out): " + ", ".join(missing).lower() + ".")
    out.append("Goals, deliverables and counts describe activity; they do not show its effect on the workforce.")
    return out


def country_methods(params) -> Summary:
    """Methods appendix for a jurisdiction report."""
    from evalkit import __version__

    esc = html.escape
    items = [f"<li><strong>Small numbers:</strong> counts of fewer than {params.suppression.min_count} people are "
             "suppressed.</li>",
             f"<li><strong>Expected sectors:</strong> {esc(', '.join(map(slug_label, params.expected_sectors)) or 'none listed')}.</li>",
             f"<li><strong>Software:</strong> evalkit {esc(__version__)}.</li>"]
    return Summary(f"<ul>{''.join(items)}</ul>")
