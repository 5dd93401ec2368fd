"""Focus-group themes: counts, breadth, co-occurrence, quotes, Taguette import.

For qualitative studies whose coded excerpts are the data (seed 002: 18 focus
groups, 115 people, 22 counties, themes > topics > sub-topics, quotes). All
summary figures (groups, people, regions, hours) are computed from the
``sessions`` and ``excerpts`` tables, never typed.

Text from the data is kept unescaped in every DataFrame; anything rendered as
HTML (``_repr_html_``, :func:`quotes_html`) escapes it with :func:`html.escape`.

Public functions
----------------
summary_counts(sessions, excerpts=None, *, study=None)
theme_counts(excerpts, sessions, *, study=None, separator=">")
theme_breadth(excerpts, sessions, *, level="theme", study=None, min_group_size=10, separator=">")
code_cooccurrence(excerpts, *, level="theme", study=None, separator=">")
select_quotes(excerpts, sessions, *, level="theme", n_per_code=2, min_chars=40, max_chars=400,
              order="longest", min_group_size=10, study=None, separator=">")
quotes_html(quotes, *, max_quotes=None)
read_taguette_highlights(path, *, study, tag_separator=None, documents=None, keep_untagged=False)
has_focus_groups(excerpts, sessions, study=None)
"""
from __future__ import annotations

import dataclasses
import html

import numpy as np
import pandas as pd

from evalkit.country._common import Result, has_rows
from evalkit.country._qual_data import (  # noqa: F401  (column lists re-exported)
    EXCERPTS_COLUMNS,
    LEVELS,
    SESSIONS_COLUMNS,
    _check_level,
    _coded,
    _excerpts,
    _joined,
    _sessions,
)
from evalkit.country._taguette import TAGUETTE_COLUMNS, read_taguette_highlights  # noqa: F401
from evalkit.errors import InputError

__all__ = [
    "FocusGroupSummary",
    "ThemeCounts",
    "ThemeBreadth",
    "CoOccurrence",
    "Quotes",
    "summary_counts",
    "theme_counts",
    "theme_breadth",
    "code_cooccurrence",
    "select_quotes",
    "quotes_html",
    "read_taguette_highlights",
    "has_focus_groups",
    "LEVELS",
]


# -------------------------------------------------------------------- summary
@dataclasses.dataclass(frozen=True)
class FocusGroupSummary(Result):
    """Headline counts per study.

    Attributes
    ----------
    summary : DataFrame
        ``study, n_sessions, n_affinity_groups, n_participants, n_regions,
        hours, n_excerpts, n_coded_segments, n_themes``.
    settings : dict
    """

    summary: pd.DataFrame
    settings: dict
    _people_counts = {"summary": (("n_participants",), {}, ())}


def summary_counts(sessions: pd.DataFrame, excerpts: pd.DataFrame | None = None, *, study: str | None = None,
                   separator: str = ">") -> FocusGroupSummary:
    """Groups, people, regions, hours and sessions, computed from the data.

    Parameters
    ----------
    sessions : DataFrame
        study, session_id, affinity_group, region, participants, hours.
    excerpts : DataFrame, optional
        The coded excerpts (adds n_excerpts, n_coded_segments, n_themes).
    study : str, optional
        Keep only this study's rows.
    separator : str, default ">"
        Level separator in code_path.

    Returns
    -------
    FocusGroupSummary
        One row per study (columns on the class).

    Notes
    -----
    n_participants = Σ participants over sessions, which counts people once
    only if nobody attended two sessions (true of the focus groups in seed 002,
    where each person joined one group). hours = Σ hours. n_regions counts
    distinct non-blank regions (counties). n_excerpts counts distinct
    excerpt_id; n_coded_segments counts excerpt × code rows.

    Example
    -------
    >>> s = pd.DataFrame({"study": ["wa"] * 2, "session_id": ["s1", "s2"], "affinity_group": ["a", "b"],
    ...     "region": ["king", "king"], "participants": [6.0, 7.0], "hours": [4.0, 3.5]})
    >>> summary_counts(s).summary[["n_participants", "n_regions", "hours"]].values.tolist()
    [[13.0, 1.0, 7.5]]
    """
    s = _sessions(sessions, study)
    g = s.groupby("study", sort=True)
    out = pd.DataFrame({
        "n_sessions": g["session_id"].nunique(),
        "n_affinity_groups": g["affinity_group"].nunique(),
        "n_participants": g["participants"].sum(min_count=1),
        "n_regions": g["region"].nunique(),
        "hours": g["hours"].sum(min_count=1),
    }).reset_index()
    if excerpts is not None:
        e = _excerpts(excerpts, study, separator)
        ge = e.groupby("study", sort=True)
        ex = pd.DataFrame({"n_excerpts": ge["excerpt_id"].nunique(), "n_coded_segments": ge.size(),
                           "n_themes": ge["theme"].nunique()}).reset_index()
        out = out.merge(ex, on="study", how="left")
        for c in ("n_excerpts", "n_coded_segments", "n_themes"):
            out[c] = out[c].fillna(0).astype(int)
    return FocusGroupSummary(summary=out, settings={"study": study})


# ---------------------------------------------------------------------- counts
@dataclasses.dataclass(frozen=True)
class ThemeCounts(Result):
    """Excerpts, sessions and participants per theme, topic and sub-topic.

    Attributes
    ----------
    counts : DataFrame
        One row per study × level × code: ``study, level, code, theme, topic,
        subtopic, n_excerpts, n_sessions, n_participants, n_affinity_groups,
        n_regions``; ordered by study, theme, then level (theme first).
    settings : dict
    """

    counts: pd.DataFrame
    settings: dict
    # participants present when a code came up: a theme raised in one group of 4 names 4 people
    _people_counts = {"counts": (("n_participants",), {}, ())}


def theme_counts(excerpts: pd.DataFrame, sessions: pd.DataFrame, *, study: str | None = None,
                 separator: str = ">") -> ThemeCounts:
    """Counts of excerpts, sessions and participants per theme / topic / sub-topic.

    Parameters
    ----------
    excerpts : DataFrame
        study, excerpt_id, session_id, code_path (``Theme > Topic > Subtopic``),
        text; one row per excerpt × code.
    sessions : DataFrame
        study, session_id, affinity_group, region, participants, hours.
    study : str, optional
        Keep only this study's rows.
    separator : str, default ">"
        Level separator in code_path.

    Returns
    -------
    ThemeCounts

    Raises
    ------
    DataError
        Missing columns, or an excerpt whose session is not in ``sessions``.

    Notes
    -----
    A code at a level is the path prefix down to that level ("Theme > Topic"),
    so an excerpt coded with two sub-topics of one theme counts once for the
    theme. n_excerpts = distinct excerpts; n_sessions = distinct sessions with
    at least one such excerpt; n_participants = Σ participants of those
    sessions (people present when the theme came up, not people who spoke).
    """
    j, _ = _joined(excerpts, sessions, study, separator)
    parts = []
    for level in LEVELS:
        c = _coded(j, level)
        if c.empty:
            continue
        g = c.groupby(["study", "code"], sort=True)
        sess = c.drop_duplicates(["study", "code", "session_id"]).groupby(["study", "code"], sort=True)
        df = pd.DataFrame({
            "theme": g["theme"].first(),
            "topic": g["topic"].first() if level != "theme" else np.nan,
            "subtopic": g["subtopic"].first() if level == "subtopic" else np.nan,
            "n_excerpts": g["excerpt_id"].nunique(),
            "n_sessions": sess["session_id"].nunique(),
            "n_participants": sess["participants"].sum(min_count=1),
            "n_affinity_groups": g["affinity_group"].nunique(),
            "n_regions": g["region"].nunique(),
        }).reset_index()
        df.insert(1, "level", level)
        parts.append(df)
    cols = ["study", "level", "code", "theme", "topic", "subtopic", "n_excerpts", "n_sessions", "n_participants",
            "n_affinity_groups", "n_regions"]
    counts = pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)
    if not counts.empty:
        counts["_lvl"] = counts["level"].map({lvl: i for i, lvl in enumerate(LEVELS)})
        counts = counts.sort_values(["study", "theme", "code", "_lvl"], kind="stable").drop(columns="_lvl")
        counts = counts.reset_index(drop=True)
    return ThemeCounts(counts=counts, settings={"study": study, "separator": separator})


# --------------------------------------------------------------------- breadth
@dataclasses.dataclass(frozen=True)
class ThemeBreadth(Result):
    """Code × affinity-group table (for a heat map).

    Attributes
    ----------
    cells : DataFrame
        One row per study × code × affinity group (zeros where a group never
        raised the code): ``study, code, affinity_group, n_excerpts,
        n_sessions, n_participants, group_sessions, group_participants,
        pct_group_sessions, small_group`` (True when the group's participants
        total is below ``min_group_size``).
    groups : DataFrame
        One row per study × affinity group: ``study, affinity_group,
        group_sessions, group_participants, n_codes, small_group``.
    settings : dict
    """

    cells: pd.DataFrame
    groups: pd.DataFrame
    settings: dict
    _people_counts = {"cells": (("n_participants", "group_participants"), {}, ()),
                      "groups": (("group_participants",), {}, ())}

    def matrix(self, value: str = "n_excerpts", study: str | None = None) -> pd.DataFrame:
        """Wide code × affinity-group table of ``value`` (for a heat map)."""
        c = self.cells if study is None else self.cells.loc[self.cells["study"] == study]
        return c.pivot_table(index="code", columns="affinity_group", values=value, aggfunc="sum", sort=True)


def theme_breadth(excerpts: pd.DataFrame, sessions: pd.DataFrame, *, level: str = "theme",
                  study: str | None = None, min_group_size: int = 10, separator: str = ">") -> ThemeBreadth:
    """How broadly each code was raised across affinity groups.

    Parameters
    ----------
    excerpts, sessions : DataFrame
        As for :func:`theme_counts`.
    level : {"theme", "topic", "subtopic"}, default "theme"
    study : str, optional
    min_group_size : int, default 10
        Affinity groups whose participants total fewer than this are flagged
        ``small_group`` (charts mark them; people counts for them should be
        suppressed in reports).
    separator : str, default ">"

    Returns
    -------
    ThemeBreadth

    Notes
    -----
    pct_group_sessions = 100 × sessions of the group in which the code came up
    / all sessions of the group.
    """
    _check_level(level)
    j, s = _joined(excerpts, sessions, study, separator)
    c = _coded(j, level)
    grp = s.groupby(["study", "affinity_group"], sort=True).agg(
        group_sessions=("session_id", "nunique"), group_participants=("participants", "sum")).reset_index()
    g = c.groupby(["study", "code", "affinity_group"], sort=True)
    sess = c.drop_duplicates(["study", "code", "session_id"]).groupby(["study", "code", "affinity_group"], sort=True)
    found = pd.DataFrame({"n_excerpts": g["excerpt_id"].nunique(), "n_sessions": sess["session_id"].nunique(),
                          "n_participants": sess["participants"].sum(min_count=1)}).reset_index()
    codes = c[["study", "code"]].drop_duplicates()
    grid = codes.merge(grp, on="study")
    cells = grid.merge(found, on=["study", "code", "affinity_group"], how="left")
    for col in ("n_excerpts", "n_sessions"):
        cells[col] = cells[col].fillna(0).astype(int)
    cells["n_participants"] = cells["n_participants"].fillna(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cells["pct_group_sessions"] = 100.0 * cells["n_sessions"] / cells["group_sessions"]
    cells["small_group"] = cells["group_participants"] < min_group_size
    cells = cells[["study", "code", "affinity_group", "n_excerpts", "n_sessions", "n_participants",
                   "group_sessions", "group_participants", "pct_group_sessions", "small_group"]]
    cells = cells.sort_values(["study", "code", "affinity_group"]).reset_index(drop=True)
    n_codes = cells.loc[cells["n_excerpts"] > 0].groupby(["study", "affinity_group"]).size().rename("n_codes")
    groups = grp.merge(n_codes.reset_index(), on=["study", "affinity_group"], how="left")
    groups["n_codes"] = groups["n_codes"].fillna(0).astype(int)
    groups["small_group"] = groups["group_participants"] < min_group_size
    return ThemeBreadth(cells=cells, groups=groups,
                        settings={"level": level, "study": study, "min_group_size": min_group_size})


# ---------------------------------------------------------------- co-occurrence
@dataclasses.dataclass(frozen=True)
class CoOccurrence(Result):
    """Co-occurrence of codes within excerpts.

    Attributes
    ----------
    pairs : DataFrame
        One row per study × ordered pair of codes (diagonal included):
        ``study, code_a, code_b, n_a, n_b, n_both, jaccard, p_b_given_a,
        p_a_given_b``.
    codes : DataFrame
        ``study, code, n_excerpts``.
    settings : dict
    """

    pairs: pd.DataFrame
    codes: pd.DataFrame
    settings: dict

    def matrix(self, value: str = "n_both", study: str | None = None) -> pd.DataFrame:
        """Square code × code table of ``value``; rows are code_a, columns code_b."""
        p = self.pairs if study is None else self.pairs.loc[self.pairs["study"] == study]
        return p.pivot_table(index="code_a", columns="code_b", values=value, aggfunc="sum", sort=True)


def code_cooccurrence(excerpts: pd.DataFrame, *, level: str = "theme", study: str | None = None,
                      separator: str = ">") -> CoOccurrence:
    """Count, Jaccard coefficient and conditional share of codes sharing an excerpt.

    Parameters
    ----------
    excerpts : DataFrame
        study, excerpt_id, session_id, code_path, text (one row per excerpt × code).
    level : {"theme", "topic", "subtopic"}, default "theme"
    study : str, optional
    separator : str, default ">"

    Returns
    -------
    CoOccurrence

    Notes
    -----
    With n_a excerpts coded A, n_b coded B and n_both coded both:
    jaccard = n_both / (n_a + n_b − n_both); p_b_given_a = n_both / n_a (the
    share of A's excerpts that also carry B); p_a_given_b = n_both / n_b.
    The Jaccard coefficient is symmetric and is held down by the more frequent
    code: if A has 10 excerpts, all also coded B, and B has 100, Jaccard is
    0.10 although every A excerpt mentions B (P(B|A) = 1.0). Report the
    conditional shares beside it (see e.g. the co-occurrence tables of
    ATLAS.ti, whose c-coefficient is the Jaccard form).

    Example
    -------
    >>> e = pd.DataFrame({"study": ["wa"] * 3, "excerpt_id": ["e1", "e1", "e2"],
    ...     "session_id": ["s1"] * 3, "code_path": ["Pay", "Stress", "Pay"], "text": ["a", "a", "b"]})
    >>> r = code_cooccurrence(e).pairs.set_index(["code_a", "code_b"])
    >>> float(r.loc[("Pay", "Stress"), "jaccard"]), float(r.loc[("Stress", "Pay"), "p_b_given_a"])
    (0.5, 1.0)
    """
    _check_level(level)
    e = _excerpts(excerpts, study, separator)
    col = f"code_{level}"
    e = e.loc[e[col].notna(), ["study", "excerpt_id", col]].drop_duplicates()
    cols = ["study", "code_a", "code_b", "n_a", "n_b", "n_both", "jaccard", "p_b_given_a", "p_a_given_b"]
    frames, code_frames = [], []
    for st, grp in e.groupby("study", sort=True):
        inc = pd.crosstab(grp["excerpt_id"], grp[col]).clip(upper=1)  # excerpt × code incidence
        x = inc.to_numpy(dtype="int64")
        co = x.T @ x  # co[i, j] = excerpts coded both i and j; diagonal = n_i
        names = inc.columns.astype(str).to_numpy()
        n = np.diag(co)
        k = len(names)
        a_idx, b_idx = np.repeat(np.arange(k), k), np.tile(np.arange(k), k)
        both = co[a_idx, b_idx]
        na, nb = n[a_idx], n[b_idx]
        frames.append(pd.DataFrame({
            "study": st, "code_a": names[a_idx], "code_b": names[b_idx], "n_a": na, "n_b": nb, "n_both": both,
            "jaccard": both / (na + nb - both), "p_b_given_a": both / na, "p_a_given_b": both / nb,
        }))
        code_frames.append(pd.DataFrame({"study": st, "code": names, "n_excerpts": n}))
    pairs = pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)
    codes = pd.concat(code_frames, ignore_index=True) if code_frames else pd.DataFrame(
        columns=["study", "code", "n_excerpts"])
    return CoOccurrence(pairs=pairs, codes=codes, settings={"level": level, "study": study})


# ---------------------------------------------------------------------- quotes
@dataclasses.dataclass(frozen=True)
class Quotes(Result):
    """Quotes chosen per code.

    Attributes
    ----------
    quotes : DataFrame
        ``study, code, rank, excerpt_id, session_id, affinity_group, region,
        n_chars, text`` (text unescaped; render with :func:`quotes_html`).
    per_code : DataFrame
        ``study, code, n_eligible, n_selected``.
    suppressed_groups : DataFrame
        Affinity groups whose quotes were withheld: ``study, affinity_group,
        reason`` (their participant counts are not shown).
    settings : dict
    """

    quotes: pd.DataFrame
    per_code: pd.DataFrame
    suppressed_groups: pd.DataFrame
    settings: dict

    def _repr_html_(self) -> str:
        return (f"<h4>Quotes</h4>{quotes_html(self)}" + super()._repr_html_())


def select_quotes(
    excerpts: pd.DataFrame,
    sessions: pd.DataFrame,
    *,
    level: str = "theme",
    n_per_code: int = 2,
    min_chars: int = 40,
    max_chars: int = 400,
    order: str = "longest",
    min_group_size: int = 10,
    study: str | None = None,
    separator: str = ">",
) -> Quotes:
    """Pick illustrative quotes per code, deterministically, from distinct sessions.

    Parameters
    ----------
    excerpts, sessions : DataFrame
        As for :func:`theme_counts`.
    level : {"theme", "topic", "subtopic"}, default "theme"
    n_per_code : int, default 2
        At most this many quotes per code, each from a different session.
    min_chars, max_chars : int, default 40 and 400
        Only excerpts whose text (stripped) has this many characters are eligible.
    order : {"longest", "first"}, default "longest"
        "longest": longest eligible text first (ties by excerpt_id);
        "first": by excerpt_id (text order).
    min_group_size : int, default 10
        Quotes are shown only for affinity groups whose participants total at
        least this many people across the study's sessions (the small-cell
        threshold: a quote from a group of 4 can identify its speaker).
    study : str, optional
    separator : str, default ">"

    Returns
    -------
    Quotes

    Notes
    -----
    Deterministic: the same data always give the same quotes. Selection is
    done after dropping ineligible lengths and small groups; then, per code,
    the first excerpt of each session in the chosen order is kept and the first
    ``n_per_code`` sessions are taken.
    """
    _check_level(level)
    if order not in ("longest", "first"):
        raise InputError(f"select_quotes: order={order!r} must be 'longest' or 'first'")
    if n_per_code < 1 or min_chars < 0 or max_chars < min_chars:
        raise InputError("select_quotes: need n_per_code >= 1 and 0 <= min_chars <= max_chars")
    j, s = _joined(excerpts, sessions, study, separator)
    c = _coded(j, level)
    c["text"] = c["text"].fillna("").astype(str).str.strip()
    c["n_chars"] = c["text"].str.len()
    group_size = s.groupby(["study", "affinity_group"], sort=True)["participants"].sum().rename("group_participants")
    c = c.merge(group_size.reset_index(), on=["study", "affinity_group"], how="left")
    small = group_size.loc[group_size < min_group_size].reset_index()[["study", "affinity_group"]]
    small["reason"] = f"fewer than {min_group_size} participants"
    eligible = c.loc[(c["n_chars"] >= min_chars) & (c["n_chars"] <= max_chars)
                     & (c["group_participants"] >= min_group_size)].copy()
    if order == "longest":
        eligible = eligible.sort_values(["study", "code", "n_chars", "excerpt_id"],
                                        ascending=[True, True, False, True], kind="stable")
    else:
        eligible = eligible.sort_values(["study", "code", "excerpt_id"], kind="stable")
    one_per_session = eligible.drop_duplicates(["study", "code", "session_id"], keep="first")
    chosen = one_per_session.groupby(["study", "code"], sort=False).head(n_per_code).copy()
    chosen["rank"] = chosen.groupby(["study", "code"]).cumcount() + 1
    quotes = chosen[["study", "code", "rank", "excerpt_id", "session_id", "affinity_group", "region", "n_chars",
                     "text"]].sort_values(["study", "code", "rank"]).reset_index(drop=True)
    per_code = c[["study", "code"]].drop_duplicates().merge(
        eligible.groupby(["study", "code"]).size().rename("n_eligible").reset_index(), how="left").merge(
        quotes.groupby(["study", "code"]).size().rename("n_selected").reset_index(), how="left")
    per_code[["n_eligible", "n_selected"]] = per_code[["n_eligible", "n_selected"]].fillna(0).astype(int)
    per_code = per_code.sort_values(["study", "code"]).reset_index(drop=True)
    settings = {"level": level, "n_per_code": n_per_code, "min_chars": min_chars, "max_chars": max_chars,
                "order": order, "min_group_size": min_group_size, "study": study}
    return Quotes(quotes=quotes, per_code=per_code, suppressed_groups=small.reset_index(drop=True),
                  settings=settings)


def quotes_html(quotes: Quotes | pd.DataFrame, *, max_quotes: int | None = None) -> str:
    """Render quotes as escaped HTML blockquotes.

    Parameters
    ----------
    quotes : Quotes or DataFrame
        A :class:`Quotes` result, or a frame with columns ``text`` and
        optionally ``code`` and ``affinity_group``.
    max_quotes : int, optional
        Render at most this many.

    Returns
    -------
    str
        ``<blockquote class="evalkit-quote">`` elements; every piece of text
        from the data passes through :func:`html.escape` (so ``<script>``
        becomes ``&lt;script&gt;``).

    Example
    -------
    >>> quotes_html(pd.DataFrame({"text": ["<b>hi</b>"], "code": ["Pay"]}))
    '<blockquote class="evalkit-quote"><p>&lt;b&gt;hi&lt;/b&gt;</p><footer>Pay</footer></blockquote>'
    """
    df = quotes.quotes if isinstance(quotes, Quotes) else quotes
    if max_quotes is not None:
        df = df.head(max_quotes)
    out = []
    for row in df.itertuples(index=False):
        text = html.escape(str(getattr(row, "text", "")))
        foot = [str(v) for v in (getattr(row, "code", None), getattr(row, "affinity_group", None))
                if v is not None and not (isinstance(v, float) and np.isnan(v))]
        footer = f"<footer>{html.escape(' — '.join(foot))}</footer>" if foot else ""
        out.append(f'<blockquote class="evalkit-quote"><p>{text}</p>{footer}</blockquote>')
    return "\n".join(out)



# -------------------------------------------------------------------- has_data
def has_focus_groups(excerpts: pd.DataFrame | None, sessions: pd.DataFrame | None, study: str | None = None) -> bool:
    """True when both sessions and excerpts exist with rows for ``study``."""
    return has_rows(excerpts, "study", study) and has_rows(sessions, "study", study)
