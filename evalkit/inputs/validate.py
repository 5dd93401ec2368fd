"""Validation of a data folder and a params folder before anything runs.

:func:`validate_inputs` reads every table and params file and returns every problem it
finds, one :class:`~evalkit.errors.Problem` per bad cell or row, each naming the file,
the spreadsheet row (header = row 1), the column, the bad value and what is expected.
``evalkit validate`` prints them one per line and exits 2.

Each problem carries ``unit``: the team_id (team-keyed tables) or jurisdiction id
(country/study/unit-keyed tables) of the row it concerns, or ``None`` when it concerns
every report (a missing or unreadable file, a missing column, params problems, rows that
name a team or jurisdiction nobody knows). The batch runner fails only the reports of
the units named and stops everything for ``None`` (see :func:`problems_by_unit`).

Checks (beyond the types of each column, see ``evalkit.inputs.read``):

- required files and columns present; files readable, UTF-8, comma-separated, not empty;
- duplicate rows (e.g. the same team, period and measure twice);
- team ids in every table exist in teams.csv; jurisdiction ids have a params file;
  measure ids (measures, pdsa) are defined in params/collaborative.yaml;
- measures: numerator <= denominator for proportion (p, pp) charts, no negative counts
  and a denominator above 0 for rate charts (p, pp, u, up), per the chart type in params;
- roster: separation not before hire; separation_type only with separation_date and
  vice versa; positions: filled <= funded; requisitions: filled not before opened;
  pdsa: end not before start; partners: meetings attended <= held, stipend true/false
  or an amount; excerpts: session exists, code path has no empty level;
  deliverables: goal exists; training: programme is a known team;
  teams: participating teams have a start_month;
- survey: every instrument item is a column, answers within the instrument's range;
- params: every file valid (unknown/missing keys, wrong values, ids that are not
  slugs), team files' team_id in teams.csv, each country has rows in a jurisdiction table,
  each participating team with a params file has rows in measures (its report needs them).

Values every table shares limits on (see ``evalkit.inputs.schema``): numbers finite and
within ±1e15, dates from 1900-01-01 to 2100-12-31, ids not a reserved file name (con, nul,
com1, ...). Messages quote bad values for the operator (``str(problem)``); the form shared
in outputs (``problem.shared``) never quotes a person-level identifier such as response_id.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.errors import Problem
from evalkit.inputs.units import report_units  # noqa: F401  (part of this module's API)
from evalkit.inputs.read import _Collector, read_tables, show
from evalkit.inputs.params import (
    Collaborative,
    ParamsProblem,
    check_collaborative,
    check_params,
    list_countries,
    list_teams,
)
from evalkit.inputs.schema import (
    COUNT_CHARTS,
    identifies_person,
    JURISDICTION_TABLES,
    PROPORTION_CHARTS,
    RATE_CHARTS,
    SUFFIXES,
    TABLES,
    TEAM_TABLES,
)

TABLES_ORDER = {name: i for i, name in enumerate(TABLES)}


# --------------------------------------------------------------------------- public API


def validate_inputs(data_dir: str | Path = "data/demo", params_dir: str | Path = "params") -> list[Problem]:
    """Check a data folder and a params folder; return every problem found (empty = valid).

    Parameters
    ----------
    data_dir : str or Path
        Folder of data tables (``<table>.csv``, ``.xlsx`` or ``.parquet``). Default ``data/demo``.
    params_dir : str or Path
        Folder holding ``collaborative.yaml``, ``teams/*.yaml``, ``countries/*.yaml``.

    Returns
    -------
    list of Problem
        One per problem, in file order then row order. ``str(problem)`` is the one-line
        message, e.g. ``data/demo/roster.csv row 14, column hire_date: '31/02/2023' is not
        a date; use YYYY-MM-DD``. ``problem.unit`` is the team/jurisdiction the row belongs
        to, or None when the problem concerns every report. Params problems are
        :class:`~evalkit.inputs.params.ParamsProblem` (with ``key``).

    Notes
    -----
    Never raises for bad input: unreadable files become problems. At most
    ``evalkit.inputs.read.MAX_PROBLEMS_PER_CHECK`` rows per check and unit are listed, then one
    summary line. All row checks are vectorised (a million-row roster takes seconds).

    Example
    -------
    >>> for problem in validate_inputs("data/demo", "params"):  # doctest: +SKIP
    ...     print(problem)
    """
    data_dir, params_dir = Path(data_dir), Path(params_dir)
    problems: list[Problem] = list(check_params(params_dir))
    collaborative = None
    if params_dir.is_dir():
        collaborative, _ = check_collaborative(params_dir)
    team_files = list_teams(params_dir)
    country_files = list_countries(params_dir)

    if not data_dir.is_dir():
        problems.append(Problem(str(data_dir), "data folder not found; give the folder that holds teams.csv, measures.csv, ..."))
        return problems
    files, frames, found = read_tables(data_dir, TABLES)
    problems.extend(found)
    problems.extend(
        check_tables(frames, collaborative=collaborative, files={k: str(v) for k, v in files.items()},
                     country_ids=country_files if params_dir.is_dir() else None)
    )
    problems.extend(_check_params_against_data(frames, files, params_dir, team_files, country_files))
    return _tidy(problems, frames, country_files, files, data_dir)


def check_tables(
    tables: Mapping[str, pd.DataFrame],
    *,
    collaborative: Collaborative | None = None,
    files: Mapping[str, str] | None = None,
    country_ids: Iterable[str] | None = None,
) -> list[Problem]:
    """Checks across columns and tables on already typed tables (as from ``evalkit.inputs.read``).

    Parameters
    ----------
    tables : mapping of table name -> DataFrame
        Typed tables (columns that failed to type hold NaN/NaT and are not re-reported).
    collaborative : Collaborative, optional
        Shared params; enables measure-id, chart-type and survey-instrument checks.
    files : mapping of table name -> str, optional
        File names used in messages (default ``<table>.csv``).
    country_ids : iterable of str, optional
        Jurisdiction ids that have a params file; when given, rows of jurisdiction tables
        naming another id are problems.

    Returns
    -------
    list of Problem
        See :func:`validate_inputs`.
    """
    files = dict(files or {})
    out: list[Problem] = []
    team_ids = None
    if "teams" in tables and "team_id" in tables["teams"]:
        team_ids = set(tables["teams"]["team_id"].dropna().tolist())
    known_countries = set(country_ids) if country_ids is not None else None
    for name, frame in tables.items():
        spec = TABLES.get(name)
        if spec is None:
            continue
        file = files.get(name, f"{name}.csv")
        units = frame[spec.scope] if spec.scope and spec.scope in frame else None
        col = _Collector(file, units)
        _check_unique(frame, spec, col)
        if name in TEAM_TABLES and name != "teams" and team_ids is not None and "team_id" in frame:
            _check_known(frame, "team_id", team_ids, col, "team", "teams.csv")
        if name in JURISDICTION_TABLES and known_countries is not None and spec.scope in frame:
            _check_known(frame, spec.scope, known_countries, col, "jurisdiction", None)
        checker = _CHECKS.get(name)
        if checker is not None:
            checker(frame, col, tables=tables, collaborative=collaborative, team_ids=team_ids)
        out.extend(col.sorted(list(frame.columns)))
    return out


def problems_by_unit(problems: Iterable[Problem]) -> dict[str | None, list[Problem]]:
    """Group problems by the report unit they concern.

    Parameters
    ----------
    problems : iterable of Problem
        As returned by :func:`validate_inputs`.

    Returns
    -------
    dict
        unit id (team_id or jurisdiction id) -> its problems; key ``None`` holds the
        problems that concern every report (the batch must not run while there are any).

    Example
    -------
    >>> from evalkit.errors import Problem
    >>> groups = problems_by_unit([Problem("m.csv", "x", unit="a"), Problem("p.yaml", "y")])
    >>> sorted(groups, key=str)
    ['a', None]
    """
    groups: dict[str | None, list[Problem]] = {}
    for problem in problems:
        groups.setdefault(problem.unit, []).append(problem)
    return groups


def shared_problems(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that concern every report (``unit is None``): the batch stops on any."""
    return [p for p in problems if p.unit is None]


def problems_for(problems: Iterable[Problem], units: Iterable[str]) -> list[Problem]:
    """The problems of the given units only (not including problems that concern every report)."""
    wanted = set(units)
    return [p for p in problems if p.unit is not None and p.unit in wanted]


# --------------------------------------------------------------------------- generic checks


def _fmt(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _names(columns) -> str:
    columns = list(columns)
    return columns[0] if len(columns) == 1 else ", ".join(columns[:-1]) + " and " + columns[-1]


def _check_unique(frame: pd.DataFrame, spec, col: _Collector) -> None:
    keys = [c for c in spec.unique if c in frame]
    if not spec.unique or len(keys) != len(spec.unique) or frame.empty:
        return
    sub = frame[keys]
    complete = sub.notna().all(axis=1).to_numpy(dtype=bool)
    dup = sub.duplicated(keep="first").to_numpy(dtype=bool) & complete
    if not dup.any():
        return
    group = sub.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    first_pos = pd.Series(np.arange(len(sub))).groupby(group).transform("min").to_numpy()
    month_cols = {c.name for c in spec.columns if c.kind == "month"}

    def describe(pos: int) -> tuple[object, str, str | None]:
        values = []
        for k in keys:
            v = sub[k].iloc[pos]
            values.append(v.strftime("%Y-%m") if k in month_cols else _fmt(v))
        shown = ", ".join(values)
        message = "repeats row {} (same {}: {}); keep one row or correct the values".format
        # the operator's terminal may see a response_id or staff_key; shared outputs may not
        hidden = ", ".join(f"{k} not shown" if identifies_person(k) else v for k, v in zip(keys, values))
        shared = message(first_pos[pos] + 2, _names(keys), hidden) if hidden != shown else None
        return shown, message(first_pos[pos] + 2, _names(keys), shown), shared

    col.add_where(dup, None, describe)


def _check_known(frame: pd.DataFrame, column: str, known: set, col: _Collector, what: str, where: str | None) -> None:
    values = frame[column]
    bad = (values.notna() & ~values.isin(list(known))).to_numpy(dtype=bool)
    if not bad.any():
        return
    if where is not None:
        fix = f"it is not in {where}; fix the id or add the {what} there"
    else:
        fix = "there is no params/countries/<id>.yaml for it; fix the id or add the params file"
    col.add_where(bad, column, lambda pos: (values.iloc[pos], f"{show(values.iloc[pos])} is not a known {what}: {fix}"),
                  scoped=False)


def _num(frame: pd.DataFrame, name: str) -> np.ndarray | None:
    if name not in frame:
        return None
    return frame[name].to_numpy(dtype=float, na_value=np.nan)


def _dates(frame: pd.DataFrame, name: str) -> pd.Series | None:
    return frame[name] if name in frame else None


# --------------------------------------------------------------------------- table checks


def _check_teams(frame, col, **_):
    if {"role", "start_month"} <= set(frame.columns):
        bad = ((frame["role"] == "participant").fillna(False) & frame["start_month"].isna()).to_numpy(dtype=bool)
        col.add_where(bad, "start_month", lambda pos: (None, "is blank; a participating team needs the month it "
                                                            "joined the collaborative (YYYY-MM)"))


def _check_measures(frame, col, *, collaborative=None, **_):
    if collaborative is None or "measure_id" not in frame:
        return
    measure_ids = frame["measure_id"]
    defined = list(collaborative.measures)
    unknown = (measure_ids.notna() & ~measure_ids.isin(defined)).to_numpy(dtype=bool)
    col.add_where(unknown, "measure_id", lambda pos: (
        measure_ids.iloc[pos],
        f"{show(measure_ids.iloc[pos])} is not a measure defined in params/collaborative.yaml; "
        f"use one of {', '.join(defined)} or add it there"))
    num, den = _num(frame, "numerator"), _num(frame, "denominator")
    if num is None:
        return
    chart = measure_ids.map({k: m.chart for k, m in collaborative.measures.items()}).to_numpy(dtype=object)
    is_prop = np.isin(chart, PROPORTION_CHARTS)
    is_rate = np.isin(chart, RATE_CHARTS)
    is_count = np.isin(chart, COUNT_CHARTS)

    def chart_of(pos):
        return f"{measure_ids.iloc[pos]} is a {chart[pos]}-chart measure"

    neg = is_count & (num < 0)
    col.add_where(neg, "numerator", lambda pos: (num[pos], f"{show(num[pos])} is negative; counts must be 0 or more "
                                                            f"({chart_of(pos)})"))
    if den is None:
        return
    missing_den = is_rate & ~np.isnan(num) & np.isnan(den)
    col.add_where(missing_den, "denominator", lambda pos: (
        None, f"is blank but the numerator is {show(num[pos])}; {chart_of(pos)} and needs a denominator"))
    zero_den = is_rate & (num > 0) & (den == 0)
    col.add_where(zero_den, "denominator", lambda pos: (
        den[pos], f"is 0 but the numerator is {show(num[pos])}; {chart_of(pos)} and needs a denominator above 0"))
    over = is_prop & (num > den)
    col.add_where(over, "numerator", lambda pos: (
        num[pos], f"{show(num[pos])} is more than the denominator {show(den[pos])}; {chart_of(pos)} "
                  "(a proportion), so the numerator counts part of the denominator"))


def _check_roster(frame, col, **_):
    hire, sep = _dates(frame, "hire_date"), _dates(frame, "separation_date")
    if hire is not None and sep is not None:
        before = (sep < hire).to_numpy(dtype=bool)
        col.add_where(before, "separation_date", lambda pos: (
            sep.iloc[pos], f"{show(sep.iloc[pos])} is before the hire_date {show(hire.iloc[pos])}; "
                           "a separation cannot come before the hire"))
    stype = frame["separation_type"] if "separation_type" in frame else None
    if sep is not None and stype is not None:
        type_only = (stype.notna() & sep.isna()).to_numpy(dtype=bool)
        col.add_where(type_only, "separation_date", lambda pos: (
            None, f"is blank but separation_type is {show(stype.iloc[pos])}; give the last day employed, "
                  "or leave both blank if still employed"))
        date_only = (sep.notna() & stype.isna()).to_numpy(dtype=bool)
        col.add_where(date_only, "separation_type", lambda pos: (
            None, f"is blank but separation_date is {show(sep.iloc[pos])}; use voluntary, involuntary, other "
                  "or transfer"))


def _check_positions(frame, col, **_):
    funded, filled = _num(frame, "funded_positions"), _num(frame, "filled_positions")
    if funded is None or filled is None:
        return
    over = filled > funded
    col.add_where(over, "filled_positions", lambda pos: (
        filled[pos], f"{show(filled[pos])} is more than funded_positions {show(funded[pos])}; "
                     "filled positions are part of the funded ones"))


def _check_requisitions(frame, col, **_):
    opened, filled = _dates(frame, "opened"), _dates(frame, "filled")
    if opened is None or filled is None:
        return
    bad = (filled < opened).to_numpy(dtype=bool)
    col.add_where(bad, "filled", lambda pos: (
        filled.iloc[pos], f"{show(filled.iloc[pos])} is before opened {show(opened.iloc[pos])}; "
                          "a requisition is filled after it opens"))


def _check_survey(frame, col, *, collaborative=None, **_):
    if collaborative is None:
        return
    for inst_id, inst in collaborative.instruments.items():
        missing = [i for i in inst.items if i not in frame]
        for item in missing:
            col.add(f"is missing from the header row; params instrument {inst_id} lists it among its items",
                    column=item)
        lo, hi = inst.response_min, inst.response_max
        for item in inst.items:
            if item not in frame:
                continue
            values = _num(frame, item)
            off = (values < lo) | (values > hi)
            col.add_where(off, item, lambda pos, values=values, inst_id=inst_id, lo=lo, hi=hi: (
                values[pos], f"{show(values[pos])} is outside the answer range {lo:g}–{hi:g} of {inst_id}; "
                             "fix it or leave it blank"))


def _check_pdsa(frame, col, *, collaborative=None, **_):
    start, end = _dates(frame, "start_date"), _dates(frame, "end_date")
    if start is not None and end is not None:
        bad = (end < start).to_numpy(dtype=bool)
        col.add_where(bad, "end_date", lambda pos: (
            end.iloc[pos], f"{show(end.iloc[pos])} is before start_date {show(start.iloc[pos])}; a cycle ends "
                           "after it starts"))
    if collaborative is not None and "measure_id" in frame:
        ids = frame["measure_id"]
        defined = list(collaborative.measures)
        unknown = (ids.notna() & ~ids.isin(defined)).to_numpy(dtype=bool)
        col.add_where(unknown, "measure_id", lambda pos: (
            ids.iloc[pos], f"{show(ids.iloc[pos])} is not a measure defined in params/collaborative.yaml; "
                           f"use one of {', '.join(defined)} or leave it blank"))


def _check_deliverables(frame, col, *, tables=None, **_):
    goals = (tables or {}).get("goals")
    if goals is None or not {"country", "goal_id"} <= set(goals.columns) or "goal_id" not in frame:
        return
    known = pd.MultiIndex.from_frame(goals[["country", "goal_id"]].dropna().astype(str))
    pairs = pd.MultiIndex.from_arrays([frame["country"].astype(object), frame["goal_id"].astype(object)])
    bad = (frame["goal_id"].notna() & frame["country"].notna()).to_numpy(dtype=bool) & ~pairs.isin(known)
    col.add_where(bad, "goal_id", lambda pos: (
        frame["goal_id"].iloc[pos], f"{show(frame['goal_id'].iloc[pos])} is not a goal of "
                                    f"{show(frame['country'].iloc[pos])} in goals; fix the id or leave it blank"))


def _check_excerpts(frame, col, *, tables=None, **_):
    if "code_path" in frame:
        path = frame["code_path"]
        parts_empty = path.notna() & (path.str.strip().str.startswith(">") | path.str.strip().str.endswith(">")
                                      | path.str.contains(r">\s*>", regex=True))
        col.add_where(parts_empty.to_numpy(dtype=bool), "code_path", lambda pos: (
            path.iloc[pos], f"{show(path.iloc[pos])} has an empty level; write Theme > Topic > Subtopic"))
    sessions = (tables or {}).get("sessions")
    if sessions is None or not {"study", "session_id"} <= set(sessions.columns) or "session_id" not in frame:
        return
    known = pd.MultiIndex.from_frame(sessions[["study", "session_id"]].dropna().astype(str))
    pairs = pd.MultiIndex.from_arrays([frame["study"].astype(object), frame["session_id"].astype(object)])
    bad = (frame["session_id"].notna() & frame["study"].notna()).to_numpy(dtype=bool) & ~pairs.isin(known)
    col.add_where(bad, "session_id", lambda pos: (
        frame["session_id"].iloc[pos], f"{show(frame['session_id'].iloc[pos])} is not a session of "
                                       f"{show(frame['study'].iloc[pos])} in sessions; fix the id"))


def _check_training(frame, col, *, team_ids=None, **_):
    if team_ids is None or "programme" not in frame:
        return
    prog = frame["programme"]
    bad = (prog.notna() & ~prog.isin(list(team_ids))).to_numpy(dtype=bool)
    col.add_where(bad, "programme", lambda pos: (
        prog.iloc[pos], f"{show(prog.iloc[pos])} is not a team_id in teams.csv; programme is the team_id of the "
                        "programme unit (role programme)"))


_STIPEND_WORDS = {"true", "false", "yes", "no"}


def _check_partners(frame, col, **_):
    held, attended = _num(frame, "meetings_held"), _num(frame, "meetings_attended")
    if held is not None and attended is not None:
        over = attended > held
        col.add_where(over, "meetings_attended", lambda pos: (
            attended[pos], f"{show(attended[pos])} is more than meetings_held {show(held[pos])}"))
    if "stipend" in frame:
        s = frame["stipend"]
        words = s.str.lower().isin(list(_STIPEND_WORDS))
        amount = pd.to_numeric(s, errors="coerce")
        bad = (s.notna() & ~words & (amount.isna() | (amount < 0))).to_numpy(dtype=bool)
        col.add_where(bad, "stipend", lambda pos: (
            s.iloc[pos], f"{show(s.iloc[pos])} is not true/false or an amount of 0 or more; fix the value"))


_CHECKS = {
    "teams": _check_teams,
    "measures": _check_measures,
    "roster": _check_roster,
    "positions": _check_positions,
    "requisitions": _check_requisitions,
    "survey": _check_survey,
    "pdsa": _check_pdsa,
    "deliverables": _check_deliverables,
    "excerpts": _check_excerpts,
    "training": _check_training,
    "partners": _check_partners,
}


# --------------------------------------------------------------------------- params vs data


def _check_params_against_data(frames, files, params_dir: Path, team_files, country_files) -> list[Problem]:
    problems: list[Problem] = []
    teams = frames.get("teams")
    if teams is not None and "team_id" in teams:
        known = set(teams["team_id"].dropna())
        teams_file = str(files.get("teams", "teams.csv"))
        for team_id in team_files:
            if team_id not in known:
                problems.append(ParamsProblem(
                    str(params_dir / "teams" / f"{team_id}.yaml"),
                    f"team {show(team_id)} is not in {teams_file}; add the team there or remove this file",
                    key="team_id", value=team_id))
        problems.extend(_teams_without_rows(frames, files, params_dir, team_files, teams))
    present = [frames[t] for t in JURISDICTION_TABLES if t in frames and TABLES[t].scope in frames[t]]
    seen: set[str] = set()
    for t in JURISDICTION_TABLES:
        if t in frames and TABLES[t].scope in frames[t]:
            seen |= set(frames[t][TABLES[t].scope].dropna())
    if present:
        for country_id in country_files:
            if country_id not in seen:
                problems.append(ParamsProblem(
                    str(params_dir / "countries" / f"{country_id}.yaml"),
                    f"{show(country_id)} has no rows in any jurisdiction table ({', '.join(JURISDICTION_TABLES)}); "
                    "check the id (it must equal the country, study or unit column) or remove this file",
                    key="country_id", value=country_id))
    return problems


def _teams_without_rows(frames, files, params_dir: Path, team_files, teams: pd.DataFrame) -> list[Problem]:
    """A participating team with a params file gets a team report, which needs its rows of every
    required table (measures): without them it would fail with a KeyError, so say so here,
    scoped to that team. Optional tables (roster, pdsa, survey, ...) may have no rows: the
    report leaves their sections out."""
    role = teams["role"] if "role" in teams else pd.Series(pd.NA, index=teams.index)
    reported = set(teams.loc[(role == "participant").fillna(False).to_numpy(dtype=bool), "team_id"].dropna())
    problems: list[Problem] = []
    for name in TEAM_TABLES:
        frame = frames.get(name)
        if name == "teams" or not TABLES[name].required or frame is None or "team_id" not in frame:
            continue
        present = set(frame["team_id"].dropna())
        for team_id in team_files:
            if team_id in reported and team_id not in present:
                params_file = params_dir / "teams" / f"{team_id}.yaml"
                problems.append(Problem(
                    str(files.get(name, f"{name}.csv")),
                    f"no rows for team {show(team_id)} (it has {params_file}); add "
                    f"{'its monthly measures' if name == 'measures' else 'its rows'} or remove the params file",
                    unit=team_id))
    return problems


def _tidy(problems: list[Problem], frames, country_ids, files, data_dir: Path) -> list[Problem]:
    """Units nobody knows become None (they concern every report).

    Order: params files (as checked), then data tables in data-model order, each by row.
    """
    known: set[str] = set(country_ids)
    teams = frames.get("teams")
    if teams is not None and "team_id" in teams:
        known |= set(teams["team_id"].dropna())
    out = [dataclasses.replace(p, unit=None) if p.unit is not None and p.unit not in known else p for p in problems]
    table_rank = {str(data_dir / f"{name}{suffix}"): i for i, name in enumerate(TABLES) for suffix in SUFFIXES}
    table_rank.update({str(path): TABLES_ORDER[name] for name, path in files.items()})
    rank: dict[str, tuple[int, int]] = {}
    for p in out:
        if p.file not in rank:
            rank[p.file] = (1, table_rank[p.file]) if p.file in table_rank else (0, len(rank))
    def key(p: Problem):
        if p.row is not None:
            return rank[p.file], p.row
        return rank[p.file], (np.inf if p.message.endswith(" are listed)") else 0)  # summaries last

    return sorted(out, key=key)


__all__ = [
    "check_tables",
    "problems_by_unit",
    "problems_for",
    "report_units",
    "shared_problems",
    "validate_inputs",
]
