"""Preparation of focus-group tables for :mod:`evalkit.country.qual` (private).

Column lists, checks with one-line errors, code-path splitting and the
excerpt × session join that every qual summary starts from.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from evalkit.country._common import filter_key, require_columns, to_number, to_text
from evalkit.errors import DataError, InputError

EXCERPTS_COLUMNS = ("study", "excerpt_id", "session_id", "code_path", "text")
SESSIONS_COLUMNS = ("study", "session_id", "affinity_group", "region", "participants", "hours")
#: Levels of a code path ``Theme > Topic > Subtopic``.
LEVELS = ("theme", "topic", "subtopic")


# ----------------------------------------------------------------- preparation
def _sessions(sessions: pd.DataFrame, study: str | None) -> pd.DataFrame:
    require_columns(sessions, SESSIONS_COLUMNS, "sessions")
    s = filter_key(sessions, "study", study).copy()
    s["participants"] = to_number(s, "participants", "sessions")
    s["hours"] = to_number(s, "hours", "sessions")
    for c in ("study", "session_id", "affinity_group", "region"):
        s[c] = to_text(s[c])
    dup = s.duplicated(["study", "session_id"])
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataError(f"sessions row {pos + 2}, column session_id: {s['session_id'].iloc[pos]!r} appears twice "
                        f"in study {s['study'].iloc[pos]!r}; each session needs one row")
    return s


def _split_path(code_path: pd.Series, separator: str) -> pd.DataFrame:
    parts = code_path.astype("object").str.split(re.escape(separator), n=2, expand=False, regex=True)
    parts = parts.map(lambda p: [x.strip() for x in p] if isinstance(p, list) else [])
    out = pd.DataFrame({lvl: parts.map(lambda p, i=i: p[i] if len(p) > i and p[i] else np.nan)
                        for i, lvl in enumerate(LEVELS)}, index=code_path.index)
    return out


def _excerpts(excerpts: pd.DataFrame, study: str | None, separator: str) -> pd.DataFrame:
    require_columns(excerpts, EXCERPTS_COLUMNS, "excerpts")
    e = filter_key(excerpts, "study", study).copy()
    for c in EXCERPTS_COLUMNS:
        e[c] = to_text(e[c])
    e = e.loc[e["code_path"].notna() & (e["code_path"].astype(str).str.strip() != "")]
    levels = _split_path(e["code_path"], separator)
    e = pd.concat([e, levels], axis=1)
    # code at each level is the path prefix, so topics with the same name under different themes stay apart
    j = f" {separator} "
    e["code_theme"] = e["theme"]
    e["code_topic"] = np.where(e["topic"].notna(), e["theme"] + j + e["topic"].fillna(""), np.nan)
    e["code_subtopic"] = np.where(e["subtopic"].notna(), e["code_topic"].fillna("") + j + e["subtopic"].fillna(""),
                                  np.nan)
    return e


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise InputError(f"level={level!r} is not one of {', '.join(LEVELS)}")
    return level


def _joined(excerpts, sessions, study, separator):
    e = _excerpts(excerpts, study, separator)
    s = _sessions(sessions, study)
    j = e.merge(s[["study", "session_id", "affinity_group", "region", "participants", "hours"]],
                on=["study", "session_id"], how="left", indicator=True)
    orphan = j["_merge"] == "left_only"
    if orphan.any():
        r = j.loc[orphan].iloc[0]
        raise DataError(f"excerpts: session_id {r['session_id']!r} (study {r['study']!r}, excerpt "
                        f"{r['excerpt_id']!r}) is not in the sessions table; add the session or fix the id")
    return j.drop(columns="_merge"), s


def _coded(j: pd.DataFrame, level: str) -> pd.DataFrame:
    """One row per study × code (at ``level``) × excerpt."""
    col = f"code_{level}"
    out = j.loc[j[col].notna()].copy()
    out["code"] = out[col]
    return out.drop_duplicates(["study", "code", "excerpt_id"])
