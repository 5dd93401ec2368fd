"""Building blocks of the report notebooks: load one report's data, chart its measures, summarise.

The notebooks in ``notebooks/`` stay thin: each section is one or two calls into these
functions (and the topic modules: spc, workforce, survey, goals, qual, ...). Everything
here is a tested evalkit function, so what a reviewer reads was computed by code that
has tests.

This module holds what every report uses (loading, measure charts, the summary box,
methods text, table formatting, section records and notes). Helpers of one report kind
live beside it: :mod:`evalkit.report.team` (staffing, survey waves, before/after;
re-exported here), :mod:`evalkit.report.country` (country reports) and
:mod:`evalkit.report.collaborative` (the collaborative summary).
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evalkit.errors import InputError
from evalkit.inputs.kinds import report_kind

# The glossary lives in evalkit.report.glossary; re-exported here for the notebooks.
from evalkit.report.glossary import GLOSSARY, glossary, link_terms  # noqa: F401

# Table formatting lives in evalkit.report.tables; re-exported here for the notebooks and tests.
from evalkit.report.tables import (  # noqa: F401
    COLUMN_LABELS,
    ID_COLUMNS,
    MISSING,
    Table,
    _is_missing,
    as_table,
    column_label,
    format_table,
    slug_label,
)

# --------------------------------------------------------------------------- data


def load_report_tables(data_dir, unit_id: str | None = None, *, kind: str = "team", exclude_units=(), params=None,
                       params_dir=None):
    """Load the tables one report reads, keeping only its rows.

    Rows of other units never stop a report: problems in rows that belong to a unit in
    ``exclude_units`` or (for team and country reports) to any other unit are ignored
    and those rows dropped, so one team's bad data fails only that team's report.

    Parameters
    ----------
    data_dir : path-like
        The data folder.
    unit_id : str, optional
        team_id (``kind="team"``) or jurisdiction id (``kind="country"``); None for the
        collaborative summary (every unit except ``exclude_units``).
    kind : {"team", "country", "collaborative"}
        Which report.
    exclude_units : iterable of str
        Units whose rows are left out (the batch runner passes the units whose rows
        failed validation).
    params : TeamParams or Collaborative, optional
        When given, rate-chart months on fewer than ``params.suppression.min_count``
        are blanked (:func:`suppress_small_rates`), as every shared report needs.
    params_dir : path-like, optional
        For a team report: where every team's params are, so the comparison-adjusted
        effect uses each unit's own start (``intervention_start``); without it, starts
        come from ``teams.start_month``.

    Returns
    -------
    evalkit.inputs.read.Tables
        Typed tables (see :func:`evalkit.inputs.read.select_unit` for which rows a unit keeps).

    Raises
    ------
    evalkit.inputs.read.DataValidationFailed
        A problem in a file as a whole, or in the rows this report uses; for a team report,
        also a team with no rows in teams or measures (instead of a KeyError later).
    """
    from evalkit.errors import Problem
    from evalkit.inputs.read import DataValidationFailed, Tables, read_tables, select_unit
    from evalkit.inputs.schema import TABLES

    spec = report_kind(kind)  # an unknown kind is a one-line InputError
    data_dir = Path(data_dir)
    exclude = {str(u) for u in exclude_units}
    files, frames, problems = read_tables(data_dir, spec.tables)
    if spec.units is None:  # a report over every unit: only the excluded units' problems are left out
        keep_problem = [p for p in problems if p.unit is None or p.unit not in exclude]
    else:
        units = spec.units(frames.get("teams"), unit_id)
        keep_problem = [p for p in problems if p.unit is None or (p.unit in units and p.unit not in exclude)]
    if keep_problem:
        raise DataValidationFailed(keep_problem)
    if exclude:
        for name, frame in frames.items():
            scope = TABLES[name].scope
            if scope is not None and scope in frame:
                frames[name] = frame.loc[~frame[scope].isin(list(exclude)).fillna(False).to_numpy(dtype=bool)]
            if name == "teams":
                frames[name] = frame.loc[~frame["team_id"].isin(list(exclude)).fillna(False).to_numpy(dtype=bool)]
        frames = {k: v.reset_index(drop=True) for k, v in frames.items()}
    if kind == "team" and "measures" in frames and "teams" in frames:
        # every unit's months, for the comparison-adjusted effect (fitted, never shown)
        frames[PANEL_MEASURES] = frames["measures"]
        frames[PANEL_TEAMS] = _with_starts(frames["teams"], params_dir, params)
    tables = Tables(frames, files, data_dir)
    if spec.units is not None:
        tables = select_unit(tables, unit_id, kind)
    if kind == "team":
        # a team report needs its rows of the required tables (validation says so too); without
        # them the notebook would stop on a KeyError deep inside a chart
        missing = [name for name in ("teams", "measures") if name in files and name not in tables]
        if missing:
            raise DataValidationFailed([
                Problem(str(files[name]), f"no rows for team '{unit_id}'; a team report needs its "
                        f"{'row' if name == 'teams' else 'monthly measures'} (run evalkit validate)", unit=unit_id)
                for name in missing])
    return tables if params is None else suppress_small_rates(tables, params)


#: Extra entries of a team report's tables: every unit's measures and teams (with each
#: unit's resolved ``start``), for the comparison-adjusted effect. Never shown.
PANEL_MEASURES, PANEL_TEAMS = "panel_measures", "panel_teams"


def _with_starts(teams: pd.DataFrame, params_dir, params) -> pd.DataFrame:
    """The teams table with each unit's start (params intervention_start over start_month)."""
    from evalkit.effects.panel import month_start, team_starts

    starts = team_starts(teams, params_dir) if params_dir is not None else team_starts(teams)
    own = getattr(params, "team_id", None)
    if own is not None and getattr(params, "intervention_start", None) is not None:
        starts[own] = month_start(params.intervention_start)
    return teams.assign(start=teams["team_id"].astype(str).map(starts))


def suppress_small_rates(tables, params):
    """The report's tables with rate-chart months on fewer than the threshold blanked.

    Applies :func:`evalkit.privacy.suppress_small_denominators` to the measures table
    with each measure's chart type and ``params.suppression.min_count``, so every chart,
    verdict and effect estimate of a shared report treats those months as missing.

    Parameters
    ----------
    tables : evalkit.inputs.read.Tables
        From :func:`load_report_tables`.
    params : TeamParams or Collaborative
        Anything with ``measures`` (each with ``chart``) and ``suppression.min_count``.

    Returns
    -------
    evalkit.inputs.read.Tables
        The same tables, the measures table replaced.
    """
    from evalkit.inputs.read import Tables
    from evalkit.privacy import suppress_small_denominators

    if "measures" not in tables:
        return tables
    charts = {measure_id: spec.chart for measure_id, spec in params.measures.items()}
    frames = {name: tables[name] for name in tables}
    for name in ("measures", PANEL_MEASURES):
        if name in frames:
            frames[name] = suppress_small_denominators(frames[name], charts, threshold=params.suppression.min_count)
    return Tables(frames, tables.files, tables.data_dir)


def team_name(tables, team_id: str) -> str:
    """The team's display name from teams.csv (the id when the name is blank)."""
    teams = tables["teams"]
    row = teams.loc[(teams["team_id"] == team_id).fillna(False).to_numpy(dtype=bool)]
    if row.empty or pd.isna(row["team_name"].iloc[0]):
        return team_id
    return str(row["team_name"].iloc[0])


def team_names(tables) -> dict:
    """team_id -> display name for every row of teams.csv (the id when the name is blank)."""
    teams = tables["teams"]
    ids = teams["team_id"].astype(object)
    names = teams["team_name"].astype(object).where(teams["team_name"].notna(), ids)
    return {str(i): str(n) for i, n in zip(ids, names) if not _is_missing(i)}


def intervention_start(tables, params) -> pd.Timestamp | None:
    """The month the team's changes began: params ``intervention_start``, else teams.start_month."""
    if getattr(params, "intervention_start", None) is not None:
        return pd.Timestamp(params.intervention_start).to_period("M").to_timestamp()
    teams = tables["teams"]
    row = teams.loc[(teams["team_id"] == params.team_id).fillna(False).to_numpy(dtype=bool)]
    if row.empty or pd.isna(row["start_month"].iloc[0]):
        return None
    return pd.Timestamp(row["start_month"].iloc[0])


def period_covered(frame: pd.DataFrame, column: str = "period") -> str:
    """'YYYY-MM to YYYY-MM' for a month column ('no data' when empty)."""
    if frame is None or column not in frame or frame[column].dropna().empty:
        return "no data"
    lo, hi = frame[column].min(), frame[column].max()
    return f"{lo:%Y-%m} to {hi:%Y-%m}"


def evaluation_window(frame: pd.DataFrame, column: str = "period") -> tuple[str, str] | None:
    """First and last month of the evaluation as ``("YYYY-MM", "YYYY-MM")`` (None when no data).

    Taken from the team's monthly measures, so charts built from other tables (e.g. the
    roster, whose hire dates go back years) cover the same months.
    """
    if frame is None or column not in frame or frame[column].dropna().empty:
        return None
    return f"{frame[column].min():%Y-%m}", f"{frame[column].max():%Y-%m}"


# --------------------------------------------------------------------------- measures


@dataclass(frozen=True)
class MeasureCharts:
    """One SPC chart per measure of a team, and one verdict row per measure.

    ``results`` maps measure_id -> :class:`evalkit.spc.qic.QicResult` (measures with no rows
    are absent). ``verdicts`` columns: measure_id, label, unit, chart, direction,
    n_points, baseline_points, verdict (a code of :data:`evalkit.effects.verdict.VERDICTS`),
    verdict_text (its words), strength, sentence, estimate, ci_low, ci_high, design (the
    headline effect), unusual_months. ``judgement`` is the
    :class:`evalkit.effects.verdict.Judgement` they come from (with the comparison fits and the
    comparison units' base rate).
    """

    team_id: str
    results: dict
    verdicts: pd.DataFrame
    start: pd.Timestamp | None
    method: str
    judgement: object = None
    settings: dict = field(default_factory=dict)

    def _repr_html_(self) -> str:
        return self.verdicts.to_html(index=False, na_rep="–", escape=True)


def measure_charts(tables, params, team_id: str | None = None) -> MeasureCharts:
    """Run/control chart of every measure defined in params, for one team.

    Parameters
    ----------
    tables : Tables or mapping
        With ``measures`` (and ``teams`` for the start month).
    params : evalkit.inputs.params.TeamParams
        Measure definitions (chart type, multiply, direction, target) and rule set.
    team_id : str, optional
        Default ``params.team_id``.

    Returns
    -------
    MeasureCharts

    Notes
    -----
    The baseline is the months before the intervention start (params
    ``intervention_start``, else ``teams.start_month``): the centre line and limits are
    frozen on it (``qic(freeze=...)``) when it has at least 2 months, so the runs rules
    test whether the months after differ from it. Verdicts come from
    :func:`evalkit.spc.qic.verdicts` (Anhøj & Olesen 2014 rules by default) with the
    measure's direction of improvement; fewer than 10 useful points give "too few points".
    """
    from evalkit.effects.narrative import headline_phrase
    from evalkit.effects.verdict import judge_measures, unusual_months_text

    team_id = team_id or params.team_id
    measures = tables["measures"] if "measures" in tables else pd.DataFrame(columns=["team_id", "period", "measure_id",
                                                                                     "numerator", "denominator"])
    start = intervention_start(tables, params) if hasattr(params, "team_id") else None
    if PANEL_MEASURES in tables:
        panel, units = tables[PANEL_MEASURES], tables[PANEL_TEAMS]
        starts = {t: s for t, s in zip(units["team_id"].astype(str), units["start"]) if s is not None and s == s}
        participants = set(units.loc[units["role"] == "participant", "team_id"].astype(str))
        first = min((s for t, s in starts.items() if t in participants), default=None)
        starts.update({t: first for t in units.loc[units["role"] == "comparison", "team_id"].astype(str)
                       if first is not None})
    else:
        panel = measures
        units = pd.DataFrame({"team_id": [team_id], "role": ["participant"]})
        starts = {}
    if start is not None:
        starts[team_id] = start
    judged = judge_measures(panel, units, params.measures, starts=starts, method=params.rules.method,
                            only=[team_id], its_options=_its_options(params))
    own = measures.loc[(measures["team_id"] == team_id).fillna(False).to_numpy(dtype=bool)]
    results, rows = {}, []
    for measure_id, m in params.measures.items():
        found = judged.details[(team_id, measure_id)]
        if found.chart is not None:
            results[measure_id] = found.chart
        data = own.loc[(own["measure_id"] == measure_id).fillna(False).to_numpy(dtype=bool)]
        n_base = int((data["period"] < start).sum()) if start is not None else 0
        h = found.headline
        phrase = headline_phrase(h["estimate"], h["ci_low"], h["ci_high"], design=h["design"], unit=m.unit,
                                 scale=h.get("scale"))
        detail = "; ".join(x for x in (phrase, found.strength) if x)
        if found.unusual_months:
            detail += f". {unusual_months_text(found.unusual_months).capitalize()}"
        rows.append({"measure_id": measure_id, "label": m.label, "unit": m.unit, "chart": m.chart,
                     "direction": m.direction, "n_points": len(data), "baseline_points": n_base,
                     "verdict": found.verdict, "verdict_text": found.words, "strength": found.strength,
                     "sentence": found.sentence, "estimate": h["estimate"], "ci_low": h["ci_low"],
                     "ci_high": h["ci_high"], "design": h["design"], "scale": h.get("scale"),
                     "unusual_months": ", ".join(found.unusual_months), "detail": detail or found.sentence})
    frame = pd.DataFrame(rows, columns=["measure_id", "label", "unit", "chart", "direction", "n_points",
                                        "baseline_points", "verdict", "verdict_text", "strength", "sentence",
                                        "estimate", "ci_low", "ci_high", "design", "scale", "unusual_months",
                                        "detail"])
    return MeasureCharts(team_id, results, frame, start, params.rules.method, judgement=judged)


def warm_shared_analyses(parameters: dict) -> None:
    """Compute, inside :func:`evalkit.memo.run_memo`, what every team report shares.

    The batch runner calls it once in its parent with one team report's notebook
    parameters (``team_id, data_dir, params_dir, exclude_units``) before forking the reports:
    the comparison fit over every unit, the comparison units' charts and every team's start
    are then remembered, and each forked report computes only its own team's part. The same
    calls as the notebook's, so the remembered results are exactly what each report would
    compute (keys are the inputs' content). Outside ``run_memo`` it only costs time.
    """
    from evalkit.inputs.params import load_team

    params = load_team(parameters["params_dir"], parameters["team_id"])
    tables = load_report_tables(parameters["data_dir"], parameters["team_id"], kind="team",
                                exclude_units=parameters.get("exclude_units", ()), params=params,
                                params_dir=parameters["params_dir"])
    measure_charts(tables, params)


def _its_options(params) -> dict:
    effects = getattr(params, "effects", None)
    if effects is None:
        return {}
    return {"horizon": effects.horizon_months, "min_points_each_side": effects.min_points_each_side}


def rare_events_caution(result, *, min_mean: float = 2.0) -> str | None:
    """A caution for count-based charts (u, c) whose events are rare, else None.

    Parameters
    ----------
    result : evalkit.spc.qic.QicResult
        A chart from :func:`evalkit.spc.qic.qic`.
    min_mean : float, default 2.0
        Average count of events per point (the numerator, e.g. separations per month)
        below which the caution is given.

    Returns
    -------
    str or None
        One plain sentence when ``result.chart`` is "u", "up" or "c" and the mean
        numerator over the plotted points is below ``min_mean``; None otherwise.

    Notes
    -----
    With about one event a month, most months have 0, 1 or 2 events: the lower limit sits
    at zero and a single month with 3 or 4 events can cross the upper limit, and runs of
    zero-event months are common, so limits and runs rules flag single months too
    easily. Aggregating to quarters, or charting the time between events (t chart) or
    the number of opportunities between events (g chart), is steadier (Provost & Murray
    2011, ch. 7; Benneyan 2001, g charts).

    Example
    -------
    >>> from evalkit.spc import qic
    >>> r = qic([0, 1, 2, 0, 1, 1, 0, 2, 1, 0, 1, 1], [20] * 12, chart="u")
    >>> rare_events_caution(r).startswith("Caution: on average 0.8 events")
    True
    """
    if result is None or getattr(result, "chart", None) not in ("u", "up", "c"):
        return None
    pts = result.points
    keep = pts["include"].astype(bool) if "include" in pts else pd.Series(True, index=pts.index)
    counts = pd.to_numeric(pts.loc[keep, "y_sum"], errors="coerce").dropna()
    if counts.empty or float(counts.mean()) >= min_mean:
        return None
    return (f"Caution: on average {counts.mean():.1f} events a month are counted here. With so few events, "
            "the limits and runs rules flag single months too easily (one month with a few more or fewer events "
            "can signal). Read single-month signals with care; counting by quarter, or charting the time between "
            "events (a t or g chart), gives a steadier picture.")


#: Fewest months with a shown value for which a measure gets a chart (the run-chart rules need
#: about 10 useful points; Anhøj & Olesen 2014). With fewer, one sentence says why instead.
MIN_CHART_POINTS = 10


def _shown_points(result) -> int:
    if result is None:
        return 0
    return int(pd.to_numeric(result.points["y"], errors="coerce").notna().sum())


def no_chart_sentence(charts: MeasureCharts, measure_id: str, tables, params, *,
                      min_points: int = MIN_CHART_POINTS) -> str | None:
    """Why a measure gets no chart, in one plain sentence; None when it has enough points.

    Parameters
    ----------
    charts : MeasureCharts
    measure_id : str
    tables : Tables or mapping
        The team's tables (``measures``, already suppressed by :func:`suppress_small_rates`).
    params : TeamParams
        For the label and ``suppression.min_count``.
    min_points : int, default :data:`MIN_CHART_POINTS`
        Fewest months with a shown value for a chart.

    Returns
    -------
    str or None
        E.g. "Staff turnover: fewer than 10 people in most months: not shown to protect
        privacy." when more than half of the team's months of that measure are blank after
        suppression, else "Staff turnover: only 6 months with data (a chart needs at least
        10): not shown." Never a suppressed number.
    """
    shown = _shown_points(charts.results.get(measure_id))
    if shown >= min_points:
        return None
    label = params.measures[measure_id].label
    rows = tables["measures"] if "measures" in tables else pd.DataFrame(columns=["measure_id", "numerator"])
    rows = rows.loc[(rows["measure_id"] == measure_id).fillna(False).to_numpy(dtype=bool)]
    blank = int(rows["numerator"].isna().sum()) if len(rows) else 0
    if len(rows) and blank * 2 > len(rows):
        return (f"{label}: fewer than {params.suppression.min_count} people in most months: "
                "not shown to protect privacy.")
    return f"{label}: only {shown} months with data (a chart needs at least {min_points}): not shown."


def _verdict_row(charts: MeasureCharts, measure_id: str) -> dict:
    rows = charts.verdicts.loc[charts.verdicts["measure_id"] == measure_id]
    return rows.iloc[0].to_dict() if len(rows) else {}


def _missing_months(result) -> int:
    """Months inside the chart's window without a shown point (blank, suppressed or absent)."""
    pts = result.points
    if getattr(result, "x_kind", None) != "date" or pts.empty:
        return int(pd.to_numeric(pts["y"], errors="coerce").isna().sum())
    months = pd.to_datetime(pts["x"]).dt.to_period("M")
    shown = set(months[pd.to_numeric(pts["y"], errors="coerce").notna().to_numpy()])
    span = pd.period_range(months.min(), months.max(), freq="M")
    return sum(1 for m in span if m not in shown)


def chart_caption(charts: MeasureCharts, measure_id: str) -> Summary:
    """The caption under a measure's chart, as HTML text: verdict, rule set and any gaps.

    The verdict is the one the summary box and the index show (``charts.verdicts``), so the
    caption cannot contradict them. Escaped.
    """
    esc = html.escape
    from evalkit.report.html import verdict_tone

    row = _verdict_row(charts, measure_id)
    result = charts.results.get(measure_id)
    parts = []
    if row:
        detail = row.get("detail") if isinstance(row.get("detail"), str) else ""
        parts.append(f'Verdict: <strong class="ek-verdict ek-{verdict_tone(row.get("verdict"))}">'
                     f'{esc(str(row.get("verdict_text")))}</strong>' + (f" — {esc(detail)}" if detail else "") + ".")
    if result is not None:
        parts.append(f"Signals judged with the {esc(result.rule_label)}.")
        gaps = _missing_months(result)
        if gaps:
            parts.append(f"{gaps} month{'s' if gaps != 1 else ''} without a value (missing, or hidden because too "
                         "few people were counted): the line is broken there, not joined across.")
    return Summary(f'<p class="ek-caption">{" ".join(parts)}</p>')


def chart_alt(charts: MeasureCharts, measure_id: str, params) -> str:
    """Alt text for a measure's chart: what it shows and its verdict, in words (no counts of people)."""
    m = params.measures[measure_id]
    row = _verdict_row(charts, measure_id)
    result = charts.results.get(measure_id)
    kind = "Run chart" if result is None or result.chart == "run" else f"Control chart ({result.chart} chart)"
    text = f"{kind} of {m.label}, {m.unit}, month by month"
    if charts.start is not None:
        text += f"; months before {charts.start:%b %Y} are the baseline"
    if row:
        text += f". Verdict: {row.get('verdict_text')}"
        if isinstance(row.get("detail"), str) and row.get("detail"):
            text += f" — {row['detail']}"
    return text + "."


def show_chart(fig, alt: str, *, dpi: int = 100) -> None:
    """Display a matplotlib figure (or Axes) as a PNG with alt text, and close it.

    nbconvert writes ``output.metadata["image/png"]["alt"]`` into the ``<img alt>`` of the
    HTML report (classic/basic templates), so every chart a reviewer sees carries a text
    alternative. Use it instead of ``plt.show()`` in the report notebooks.

    Parameters
    ----------
    fig : matplotlib Figure or Axes
    alt : str
        What the chart shows, in words; must not contain suppressed numbers.
    dpi : int, default 100
    """
    import base64

    import matplotlib.pyplot as plt
    from IPython.display import display

    from evalkit.plotting.render import figure_png

    fig = getattr(fig, "figure", fig)
    png = figure_png(fig, dpi=dpi) or b""  # drawn once (no tight-bounding-box measuring pass)
    plt.close(fig)
    data = base64.b64encode(png).decode("ascii")
    display({"image/png": data, "text/plain": alt}, metadata={"image/png": {"alt": str(alt)}}, raw=True)


def chart_annotations(tables, team_id: str | None = None) -> pd.DataFrame:
    """Learning sessions and other events for chart annotations: columns ``date, label``.

    Keeps events of the team and events with a blank team_id (they concern every team).
    """
    if "events" not in tables:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "label": pd.Series(dtype="string")})
    ev = tables["events"]
    keep = ev["team_id"].isna()
    if team_id is not None:
        keep = keep | (ev["team_id"] == team_id).fillna(False)
    ev = ev.loc[keep.to_numpy(dtype=bool)].sort_values("date")
    return ev[["date", "label"]].reset_index(drop=True)


# --------------------------------------------------------------------------- summary + methods


@dataclass(frozen=True)
class Summary:
    """The opening screen of a report as escaped HTML (``_repr_html_``)."""

    html: str

    def _repr_html_(self) -> str:
        return self.html


def summary_box(*, evaluated: str, period: str, data_as_of, verdicts: pd.DataFrame | None = None,
                caveats=(), synthetic: bool = False, notes=None, empty: str = "No measures to judge.",
                verdicts_heading: str = "Verdict per measure") -> Summary:
    """The one-screen summary every report opens with (right under its ``<h1>``).

    Parameters
    ----------
    evaluated : str
        What was evaluated (e.g. a team's name and role).
    period : str
        Period covered.
    data_as_of : date or str
        Date the data are current to.
    verdicts : DataFrame, optional
        Columns ``label``, ``verdict``, and optionally ``verdict_text`` (the words shown),
        ``tone`` (badge tone; default from the verdict code, see
        :func:`evalkit.report.html.verdict_tone`) and ``detail`` (the headline effect and
        the strength of the evidence, as the index tooltip says it); one line each.
    caveats : iterable of str
        Plain-language limits of the evidence.
    synthetic : bool
        Adds the synthetic-data caveat first.
    notes : str or iterable of str, optional
        The report's ``notes`` from params (printed under "Notes").
    empty : str
        Said instead of the verdict list when there is none.
    verdicts_heading : str
        Heading of the verdict list (e.g. "Goals and deliverables" in a country report).

    Returns
    -------
    Summary
        Every string escaped. The box is a ``<section class="ek-summary">`` headed
        ``<h2 id="summary">Summary</h2>``; it ends with the marker after which the HTML
        export places the table of contents (:data:`CONTENTS_MARKER`).
    """
    from evalkit.report.html import CONTENTS_MARKER, verdict_tone

    esc = html.escape
    items = []
    if verdicts is not None and len(verdicts):
        for _, row in verdicts.iterrows():
            words = row.get("verdict_text", row["verdict"])
            detail = row.get("detail", row.get("sentence"))
            tone = row.get("tone") if isinstance(row.get("tone"), str) else verdict_tone(row.get("verdict"))
            said = (f'<strong class="ek-verdict ek-{esc(tone, quote=True)}">{esc(str(words))}</strong>'
                    + (f" — {link_terms(esc(detail))}" if isinstance(detail, str) and detail else ""))
            items.append(f"<li><strong>{esc(str(row['label']))}</strong>: {said}</li>")
    verdict_html = f'<ul class="ek-verdicts">{"".join(items)}</ul>' if items else f"<p>{esc(empty)}</p>"
    caveat_list = list(caveats)
    if synthetic:
        caveat_list.insert(0, "SYNTHETIC DATA: these numbers were generated for demonstration and describe no real "
                              "team or person.")
    caveat_html = "".join(f"<li>{esc(str(c))}</li>" for c in caveat_list)
    notes = [notes] if isinstance(notes, str) else [str(n) for n in (notes or ()) if n]
    notes_html = ("<h3>Notes</h3><ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes if n) + "</ul>"
                  if any(notes) else "")
    as_of = esc(str(pd.Timestamp(data_as_of).date())) if data_as_of is not None else "unknown"
    body = (
        '<section class="ek-summary" aria-labelledby="summary">'
        '<h2 id="summary">Summary</h2>'
        f"<p><strong>What was evaluated:</strong> {esc(evaluated)}<br>"
        f"<strong>Period covered:</strong> {esc(period)}<br>"
        f"<strong>Data as of:</strong> {as_of}</p>"
        f"<h3>{esc(verdicts_heading)}</h3>{verdict_html}"
        f"<h3>Caveats</h3><ul>{caveat_html}</ul>"
        f"{notes_html}"
        f"</section>{CONTENTS_MARKER}"
    )
    return Summary(body)


#: Chart types in plain words for the definitions table (the glossary explains them).
_CHART_WORDS = {"run": "run chart (median line)", "u": "u chart (a rate)", "up": "u′ chart (a rate)",
                "p": "p chart (a percentage)", "pp": "p′ chart (a percentage)", "i": "i chart (single values)",
                "xbar": "x̄ chart (averages)", "c": "c chart (a count)"}


def definitions_table(params) -> pd.DataFrame:
    """Measure definitions for the methods appendix: measure, definition, chart, unit, better when."""
    rows = [{"measure": m.label, "definition": m.definition, "chart": _CHART_WORDS.get(m.chart, f"{m.chart} chart"),
             "unit": m.unit, "better when": m.direction, "target": m.target}
            for m in params.measures.values()]
    return pd.DataFrame(rows, columns=["measure", "definition", "chart", "unit", "better when", "target"])


def rules_text(method: str) -> str:
    """One paragraph naming the rule set and its source (from :data:`evalkit.spc.RULE_SETS`)."""
    from evalkit.spc.rules import RULE_SETS

    if method not in RULE_SETS:
        raise InputError(f"rule set {method!r} is not known; use one of {', '.join(RULE_SETS)}")
    return RULE_SETS[method].text


def title_block(title: str, subtitle: str | None = None) -> Summary:
    """The report's one ``<h1>`` (escaped): the unit's name from the data, then a subtitle line.

    Example: ``title_block(report_title("Cedar River Tribe", "team evaluation", "2022-01", "2024-12"))``
    gives ``<h1>Cedar River Tribe — team evaluation, Jan 2022–Dec 2024</h1>``.
    """
    sub = f'<p class="ek-subtitle">{html.escape(subtitle)}</p>' if subtitle else ""
    return Summary(f'<div class="ek-title"><h1 class="ek-name">{html.escape(str(title))}</h1>{sub}</div>')


def month_span(first, last) -> str:
    """'Jan 2022–Dec 2024' for two month-likes ('' when either is missing)."""
    if first is None or last is None or _is_missing(first) or _is_missing(last):
        return ""
    lo, hi = pd.Timestamp(str(first)), pd.Timestamp(str(last))
    return f"{lo:%b %Y}" if lo == hi else f"{lo:%b %Y}–{hi:%b %Y}"


def report_title(name: str, what: str, first=None, last=None) -> str:
    """The words of a report's ``<h1>``: 'Cedar River Tribe — team evaluation, Jan 2022–Dec 2024'.

    Parameters
    ----------
    name : str
        The unit's display name (from the data; escaped later by :func:`title_block`).
    what : str
        The kind of report in words ("team evaluation", "county report", ...).
    first, last : month-like, optional
        The evaluation window; left out when unknown.
    """
    span = month_span(first, last)
    return f"{name} — {what}" + (f", {span}" if span else "")


def team_description(tables, team_id: str) -> str:
    """'Cedar River Tribe (tribal team, Northwest region; joined 2023-04)'."""
    teams = tables["teams"]
    row = teams.loc[(teams["team_id"] == team_id).fillna(False).to_numpy(dtype=bool)]
    if row.empty:
        return team_id
    r = row.iloc[0]
    parts = []
    if pd.notna(r.get("team_type")):
        parts.append(f"{r['team_type']} team")
    if pd.notna(r.get("region")):
        parts.append(f"{r['region']} region")
    joined = f"; joined {r['start_month']:%Y-%m}" if pd.notna(r.get("start_month")) else ""
    inner = ", ".join(parts)
    return f"{team_name(tables, team_id)} ({inner}{joined})" if inner or joined else team_name(tables, team_id)


def team_groups(tables, team_id: str) -> dict:
    """What the index filters a team by: ``{"team type": ..., "region": ...}`` (blanks left out)."""
    teams = tables["teams"]
    row = teams.loc[(teams["team_id"] == team_id).fillna(False).to_numpy(dtype=bool)]
    if row.empty:
        return {}
    r = row.iloc[0]
    return {key: str(r[col]) for key, col in (("team type", "team_type"), ("region", "region"))
            if col in r and not _is_missing(r[col])}


def team_caveats(charts: MeasureCharts, params) -> list[str]:
    """Plain-language limits of a team's evidence."""
    out = []
    if charts.start is not None:
        out.append(f"Before/after: months before {charts.start:%Y-%m} are the baseline; a signal after it shows "
                   "a change, not its cause (other things changed too, and there is no randomised comparison).")
    else:
        out.append("No start month is known for this team, so the charts have no baseline.")
    few = charts.verdicts.loc[charts.verdicts["verdict"] == "too_little_data", "label"].tolist()
    if few:
        out.append("Too few monthly points to judge: " + ", ".join(map(str, few)) + ".")
    out.append(f"Small teams give noisy monthly rates; counts of fewer than {params.suppression.min_count} people "
               f"and survey groups under {params.suppression.min_respondents} respondents are not shown.")
    return out


def _verdict_methods() -> tuple:
    from evalkit.effects.verdict import (FALSE_DETERIORATED_RATE, FALSE_IMPROVED_RATE, LANEY_THRESHOLD)

    return (
        ("Verdict", "each measure's verdict combines three designs. The headline is the comparison-adjusted "
                    "effect; it decides 'improved' or 'got worse' when its 95% interval excludes no change, or when "
                    "its 90% interval does and the run chart shows a sustained shift the same way (two designs "
                    "agree). 'Mixed evidence' means a design points clearly the other way, or that the team's chart "
                    "and its own trend show a change the comparison does not. On generated data where the truth is "
                    f"known, teams that did not change were called improved {FALSE_IMPROVED_RATE:.0%} and worse "
                    f"{FALSE_DETERIORATED_RATE:.0%} of the time (benchmarks/calibration.py)."),
        ("Comparison-adjusted effect", "the imputation difference-in-differences estimator (Borusyak, Jaravel & "
                                       "Spiess 2024): month and unit effects fitted on the months without the "
                                       "change (all months of the units that did not take part, each team's months "
                                       "before its start) predict each team's later months; the effect is the "
                                       "average of observed minus predicted. Its interval allows for neighbouring "
                                       "months being alike (first-order autocorrelation, estimated over every "
                                       "unit's months without the change)."),
        ("Sustained shift", "a run of points on one side of the centre line longer than the rule set allows, with "
                            "most of its points after the baseline. Single months outside the limits are listed as "
                            "unusual months to look into; they never decide a verdict. Proportion and rate charts "
                            f"whose baseline varies more than chance allows (Laney's sigma-z above "
                            f"{LANEY_THRESHOLD}) are drawn as Laney p′/u′ charts, with wider limits."),
        ("The team's own trend", "an interrupted time series: a level change with one trend fitted to all months "
                                 "(Bernal, Cummins & Gasparrini 2017), quasi-likelihood dispersion for counts and "
                                 "proportions, and first-order autocorrelation between months; its headline is the "
                                 "average effect over the months after the start."),
        ("All teams together", "the staggered difference in differences of Callaway & Sant'Anna (2021) against the "
                               "units that did not take part; with few units the p-value is a randomisation p-value."),
    )


def methods_notes(params, charts: MeasureCharts | None = None) -> Summary:
    """Methods appendix text: rule set, baseline, suppression rule and the evalkit version."""
    from evalkit import __version__

    esc = html.escape
    items = [f"<li><strong>Signals:</strong> {esc(rules_text(params.rules.method))}</li>"]
    if charts is not None:
        base = (f"the months before {charts.start:%Y-%m} (centre line and limits frozen on them)"
                if charts.start is not None else "none (no start month known)")
        items.append(f"<li><strong>Baseline:</strong> {esc(base)}. A verdict needs at least 2 months with data "
                     "on each side of the start; the run-chart rules need about 10 useful points.</li>")
    items.extend(f"<li><strong>{esc(name)}:</strong> {esc(text)}</li>" for name, text in _verdict_methods())
    items.append(f"<li><strong>Small numbers:</strong> counts of fewer than {params.suppression.min_count} people and "
                 f"survey results from fewer than {params.suppression.min_respondents} respondents are suppressed, "
                 "with further cells hidden where a total would reveal them.</li>")
    items.append("<li><strong>Privacy:</strong> no person-level identifiers (staff or survey response keys) appear "
                 "in this report.</li>")
    items.append(f"<li><strong>Software:</strong> evalkit {esc(__version__)}; charts follow qicharts2 0.8.1.</li>")
    return Summary(f"<ul>{''.join(items)}</ul>")


def has_rows(tables, table: str, column: str | None = None, value=None) -> bool:
    """True when ``table`` was loaded and has rows (optionally rows with ``column == value``)."""
    if table not in tables or tables[table] is None or len(tables[table]) == 0:
        return False
    if column is None:
        return True
    frame = tables[table]
    return column in frame and bool((frame[column] == value).fillna(False).any())


#: Optional team-report sections and the table each needs (rows of the team).
TEAM_SECTIONS = (
    ("staffing", "roster", "Staffing: turnover and headcount"),
    ("vacancy", "positions", "Vacancies"),
    ("time_to_fill", "requisitions", "Time to fill"),
    ("survey", "survey", "Staff survey"),
    ("pdsa", "pdsa", "PDSA cycles"),
    ("progress", "assessments", "Progress score"),
)


def team_sections(tables, team_id: str, *, start=None) -> dict:
    """Which optional team-report sections have data: section -> number of the team's rows.

    Parameters
    ----------
    tables : Tables or mapping
        A team's tables (from :func:`load_report_tables`).
    team_id : str
    start : month-like, optional
        The team's intervention start; without it there is no before/after section.

    Returns
    -------
    dict
        ``{"staffing": n, "vacancy": n, "time_to_fill": n, "survey": n, "pdsa": n,
        "progress": n, "before_after": n}``: rows of the team in roster, positions,
        requisitions, survey, pdsa and assessments, and for before/after the roster and
        survey rows together when ``start`` is given (0 = no data; the section is left
        out of the HTML report, see :func:`evalkit.report.html.record_sections`).
    """
    out = {}
    for key, table, _ in TEAM_SECTIONS:
        frame = tables[table] if table in tables else None
        if frame is None or "team_id" not in frame:
            out[key] = 0
        else:
            out[key] = int((frame["team_id"] == team_id).fillna(False).sum())
    out["before_after"] = out["staffing"] + out["survey"] if start is not None else 0
    return out


def note(text: str) -> Summary:
    """A short escaped note, e.g. why a section is empty."""
    return Summary(f'<p class="ek-note"><em>{html.escape(str(text))}</em></p>')


def sentences(items) -> Summary:
    """Plain-language sentences (e.g. from evalkit.effects.narrative) as an escaped bullet list."""
    items = [str(x) for x in items if isinstance(x, str) and x]
    if not items:
        return note("Nothing to report.")
    return Summary("<ul>" + "".join(f"<li>{link_terms(html.escape(x))}</li>" for x in items) + "</ul>")


def effect_sentences(items) -> Summary:
    """Effect sentences as an escaped bullet list, their shared caution stated once right after it.

    Parameters
    ----------
    items : iterable of str
        Sentences from :mod:`evalkit.effects.narrative` (e.g. a team's interrupted time series
        or before/after sentences); non-text items (NaN) are dropped.

    Returns
    -------
    Summary
        ``<ul>`` of the sentences, each still stating its design and its estimate with
        CI but without the closing caution, then one ``<p class="ek-caution">`` per
        caution taken out (:func:`evalkit.effects.narrative.shared_caution`), so the list does
        not repeat "contribution, not attribution" in every item. "Nothing to report."
        when there is no sentence.
    """
    from evalkit.effects.narrative import shared_caution

    effects = shared_caution(items)
    if not effects.sentences:
        return note("Nothing to report.")
    cautions = "".join(f'<p class="ek-caution">{link_terms(html.escape(c))}</p>' for c in effects.cautions)
    return Summary(sentences(effects.sentences).html + cautions)


# team-report staffing and before/after helpers live in evalkit.report.team
from evalkit.report.team import *  # noqa: E402,F401,F403
from evalkit.report.team import __all__ as _team_all  # noqa: E402

__all__ = [
    "load_report_tables", "suppress_small_rates", "team_name", "team_names", "evaluation_window", "rare_events_caution", "intervention_start",
    "period_covered", "MeasureCharts", "measure_charts", "warm_shared_analyses", "chart_annotations", "Summary", "summary_box",
    "definitions_table", "rules_text", "Table", "as_table", "format_table",
    "GLOSSARY", "link_terms", "team_groups",
    "column_label", "slug_label", "COLUMN_LABELS", "ID_COLUMNS", "title_block", "report_title", "month_span",
    "MIN_CHART_POINTS", "no_chart_sentence", "chart_caption", "chart_alt", "show_chart", "glossary", "team_description", "team_caveats",
    "methods_notes", "TEAM_SECTIONS", "team_sections", "has_rows", "note", "sentences", "effect_sentences",
    *_team_all,
]
