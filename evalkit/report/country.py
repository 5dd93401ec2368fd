"""Building blocks of the country (jurisdiction) report: which sections have data, what
the report covers, its caveats and methods, and the joint-training table.

Shared helpers (loading, tables, summary box, notes) are in :mod:`evalkit.report.sections`;
the report notebook is ``notebooks/02-country-evaluation.ipynb``.
"""
from __future__ import annotations

import html

import pandas as pd

from evalkit.report.sections import Summary, _is_missing, slug_label

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
        programme's attendees below it read "hidden" (and a complementary cell is hidden
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


#: Goal statuses (:data:`evalkit.country.goals.GOAL_STATUSES`) in a reviewer's words, and their tone.
GOAL_WORDS = {"achieved": "achieved", "on track": "on track", "in progress": "in progress", "behind": "behind",
              "no progress": "no progress", "moved away": "moved the wrong way", "no gap": "target already met",
              "no value yet": "no value yet"}
GOAL_TONES = {"achieved": "good", "on track": "good", "in progress": "neutral", "behind": "bad",
              "no progress": "bad", "moved away": "bad", "no gap": "neutral", "no value yet": "muted"}


def country_verdicts(tables, country_id: str, *, as_of) -> pd.DataFrame:
    """The summary box's lines for a jurisdiction: one per goal, one per working group's deliverables.

    Parameters
    ----------
    tables : Tables or mapping
        The jurisdiction's tables (``goals`` and/or ``deliverables``).
    country_id : str
    as_of : date-like
        The date the report describes (params ``as_of``).

    Returns
    -------
    DataFrame
        Columns ``label, verdict, verdict_text, tone, detail`` (what
        :func:`evalkit.report.sections.summary_box` reads). Goals: the status of
        :func:`evalkit.country.goals.goal_progress` in words ("on track", "behind", "moved
        the wrong way", ...) with how far the indicator has moved toward its target.
        Deliverables, per group: "overdue" when any is overdue, else "late" when any was
        done late, else "on time" (or "not yet due"), with the counts of each status.
        Empty when neither table has rows.
    """
    from evalkit.country import goals

    rows = []
    if "goals" in tables and len(tables["goals"]):
        progress = goals.goal_progress(tables["goals"], as_of=as_of, country=country_id).progress
        for r in progress.itertuples(index=False):
            status = str(r.status)
            detail = f"indicator: {r.indicator}" if not _is_missing(r.indicator) else ""
            if not _is_missing(r.pct_of_way) and status not in ("no value yet", "no gap"):
                pct = float(r.pct_of_way)
                detail += ("; moved away from the target since the baseline" if pct < 0 else
                           "; target reached" if pct >= 100 else f"; {pct:.0f}% of the way from baseline to target")
                if not _is_missing(r.expected_pct) and 0 <= pct < 100:
                    detail += f" (about {r.expected_pct:.0f}% expected by now)"
            rows.append({"label": f"Goal: {r.goal}", "verdict": status, "verdict_text": GOAL_WORDS.get(status, status),
                         "tone": GOAL_TONES.get(status, "neutral"), "detail": detail.strip("; ")})
    if "deliverables" in tables and len(tables["deliverables"]):
        by_group = goals.deliverable_status(tables["deliverables"], as_of=as_of, country=country_id).by_group
        for r in by_group.itertuples(index=False):
            if r.n_overdue:
                verdict, tone = "overdue", "bad"
            elif r.n_late:
                verdict, tone = "late", "neutral"
            elif r.n_on_time:
                verdict, tone = "on time", "good"
            else:
                verdict, tone = "not yet due", "muted"
            counts = [(r.n_on_time, "done on time"), (r.n_late, "done late"), (r.n_overdue, "overdue"),
                      (r.n_not_yet_due, "not yet due")]
            detail = ", ".join(f"{int(n)} {words}" for n, words in counts if n)
            rows.append({"label": f"Deliverables of {slug_label(r.group)}", "verdict": verdict,
                         "verdict_text": verdict, "tone": tone, "detail": f"{int(r.n_deliverables)} deliverables: {detail}"})
    return pd.DataFrame(rows, columns=["label", "verdict", "verdict_text", "tone", "detail"])


def training_coverage_sentences(coverage, *, threshold: int, team_id: str = "all") -> list[str]:
    """Training coverage in words: 'Of current staff (Dec 2024), 64% trained at basic level; ...'.

    Parameters
    ----------
    coverage : evalkit.country.training.TrainedCoverage
    threshold : int
        Smallest count of people shown (params ``suppression.min_count``).
    team_id : str, default "all"

    Returns
    -------
    list of str
        One sentence per level for the last month: the share of current staff trained
        (never above 100%), and the cumulative number of people ever trained in words,
        saying it includes people who have left. Counts below ``threshold`` read "fewer
        than <threshold>"; when current staff are fewer than ``threshold`` the share is
        not given.
    """
    m = coverage.monthly.loc[coverage.monthly["team_id"] == team_id]
    if m.empty:
        return []
    last = m["month"].max()
    out = []
    for r in m.loc[m["month"] == last].itertuples(index=False):
        if _is_missing(r.n_staff) or r.n_staff < threshold:
            share = f"fewer than {threshold} staff were employed, so the share trained is not shown"
        else:
            share = f"of current staff, {r.coverage_pct:.0f}% had completed {r.level} training"
        ever = int(r.n_ever_trained) if not _is_missing(r.n_ever_trained) else 0
        people = f"fewer than {threshold}" if ever < threshold else f"{ever}"
        out.append(f"On {pd.Timestamp(last):%d %b %Y}, {share}. In all, {people} people have completed it since "
                   "the records begin, counting staff who have since left (so this number is not a share of "
                   "current staff).")
    return out


def quotes_block(quotes, *, max_quotes: int | None = None) -> Summary:
    """Focus-group quotes as block quotes, each attributed to its affinity group (never a person).

    Parameters
    ----------
    quotes : evalkit.country.qual.Quotes or DataFrame
        Columns ``text`` and optionally ``code`` (the theme path) and ``affinity_group``.
    max_quotes : int, optional

    Returns
    -------
    Summary
        ``<figure class="ek-quote"><blockquote>…</blockquote><figcaption>…</figcaption></figure>``
        per quote; every string escaped.
    """
    esc = html.escape
    frame = getattr(quotes, "quotes", quotes)
    if max_quotes is not None:
        frame = frame.head(max_quotes)
    out = []
    for row in frame.to_dict("records"):
        group, theme = row.get("affinity_group"), row.get("code")
        who = (f"A participant in the {esc(slug_label(str(group)))} affinity group"
               if not _is_missing(group) else "A focus-group participant")
        about = f", on {esc(str(theme).replace('>', ' › '))}" if not _is_missing(theme) else ""
        out.append(f'<figure class="ek-quote"><blockquote><p>{esc(str(row.get("text", "")))}</p></blockquote>'
                   f"<figcaption>— {who}{about}</figcaption></figure>")
    return Summary("\n".join(out) if out else "<p>No quotes to show.</p>")
