"""Params: the YAML files that say what to evaluate and how, validated before anything runs.

Three kinds of file (see the comments in ``params/collaborative.yaml`` for every key):

- ``params/collaborative.yaml`` — shared defaults: title, data date, rule set,
  suppression thresholds, effect settings, measure definitions and survey instruments;
- ``params/teams/<team_id>.yaml`` — what differs for one team (``team_id`` must match the
  file name; optional ``intervention_start``, measure ``target`` overrides, ``notes``);
- ``params/countries/<id>.yaml`` — one jurisdiction (country, state or county).

Files are read with a YAML safe loader (no Python objects; dates kept as text); unknown keys are errors; dates are parsed
explicitly (``YYYY-MM-DD``, months ``YYYY-MM``); ids are slugs that are safe as file names.
Every problem becomes one line naming the file and the key, e.g.
``params/teams/x.yaml, key measures.turnover_rate.target: 'low' is not a number; fix the value``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

# Value types and the pydantic-error wording live in private modules (params.py passed the
# style guide's ~600-line module size).
from evalkit.inputs._param_messages import _error_message
from evalkit.inputs._param_values import ChartType, Date, Key, Month, Number, Slug, _show, _slug, _tuple
from evalkit.errors import ParamsError, Problem, ValidationFailed
from evalkit.spc.rules import RULE_SETS


@dataclass(frozen=True)
class ParamsProblem(Problem):
    """A problem in a params file; ``key`` is the dotted path of the key (``measures.x.chart``)."""

    key: str | None = None

    def _where(self) -> str:
        where = self.file + (f" line {self.row}" if self.row is not None else "")
        return where + (f", key {self.key}" if self.key else "")


class ParamsValidationFailed(ValidationFailed, ParamsError):
    """A params file is missing or invalid; ``problems`` lists every problem, one line each."""


# --------------------------------------------------------------------------- models


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --------------------------------------------------------------------------- collaborative


class Rules(_Model):
    """Which SPC rule set flags signals."""

    method: Literal[tuple(RULE_SETS)] = "anhoej"  # type: ignore[valid-type]
    """A name from :data:`evalkit.spc.RULE_SETS`: anhoej (Anhøj & Olesen 2014, qicharts2 default),
    bestbox / cutbox (Anhøj & Wentzel-Larsen 2020), ihi (Perla, Provost & Murray 2011), mdc (NHS
    Making Data Count)."""


class Suppression(_Model):
    """Small-number suppression thresholds (counts below these are not shown)."""

    min_count: Annotated[int, Field(ge=1)] = 10
    min_respondents: Annotated[int, Field(ge=1)] = 5


class Effects(_Model):
    """Settings of the before/after effect estimates."""

    horizon_months: Annotated[int, Field(ge=1)] = 12
    min_points_each_side: Annotated[int, Field(ge=1)] = 8


class Measure(_Model):
    """One monthly measure shown as an SPC chart."""

    label: str
    definition: str
    chart: ChartType
    direction: Literal["increase", "decrease", "neutral"]
    multiply: Annotated[Number, Field(gt=0)] = 1.0
    unit: str = ""
    target: Number | None = None


class Instrument(_Model):
    """A survey scale: which item columns it uses and how it is scored."""

    label: str
    items: Annotated[tuple[Key, ...], BeforeValidator(_tuple), Field(min_length=1)]
    reverse: Annotated[tuple[Key, ...], BeforeValidator(_tuple)] = ()
    response_min: Number
    response_max: Number
    score: Literal["mean", "sum"] = "mean"
    min_items: Annotated[int, Field(ge=1)]
    cutoff: Number | None = None
    cutoff_label: str | None = None
    higher_is: Literal["better", "worse"]
    subscales: dict[Key, Annotated[tuple[Key, ...], BeforeValidator(_tuple), Field(min_length=1)]] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Instrument:
        if len(set(self.items)) != len(self.items):
            raise ValueError("items lists the same item twice; list each item once")
        unknown = [r for r in self.reverse if r not in self.items]
        if unknown:
            raise ValueError(f"reverse names {', '.join(unknown)}, which is not in items; reverse-keyed items must be in items")
        if self.response_min >= self.response_max:
            raise ValueError(f"response_min ({self.response_min:g}) must be less than response_max ({self.response_max:g})")
        if self.min_items > len(self.items):
            raise ValueError(f"min_items ({self.min_items}) is more than the {len(self.items)} items; lower it")
        if self.cutoff is not None and self.score == "mean" and not (self.response_min <= self.cutoff <= self.response_max):
            raise ValueError(f"cutoff ({self.cutoff:g}) is outside the response range "
                             f"{self.response_min:g}–{self.response_max:g}")
        if (self.cutoff is None) != (self.cutoff_label is None):
            raise ValueError("give cutoff and cutoff_label together (or neither)")
        for name, items in (self.subscales or {}).items():
            extra = [i for i in items if i not in self.items]
            if extra:
                raise ValueError(f"subscale {name} uses {', '.join(extra)}, which is not in items")
        return self


class Collaborative(_Model):
    """``params/collaborative.yaml``: shared defaults of every team report."""

    title: str
    synthetic: bool = False
    data_as_of: Date
    rules: Rules = Rules()
    suppression: Suppression = Suppression()
    effects: Effects = Effects()
    measures: dict[Key, Measure] = Field(min_length=1)
    instruments: dict[Key, Instrument] = {}


# --------------------------------------------------------------------------- teams


class MeasureOverride(_Model):
    """What a team may change about a shared measure."""

    target: Number | None = None


class TeamFile(_Model):
    """``params/teams/<team_id>.yaml`` as written (only what differs from the defaults)."""

    team_id: Slug
    intervention_start: Month | None = None
    measures: dict[Key, MeasureOverride] = {}
    notes: str | None = None


class TeamParams(_Model):
    """Everything a team report needs: the collaborative defaults merged with the team file.

    ``measures`` holds the shared definitions with this team's targets applied;
    ``intervention_start`` is None when the team file does not set it (use the team's
    ``teams.start_month``).
    """

    team_id: Slug
    title: str
    synthetic: bool
    data_as_of: Date
    rules: Rules
    suppression: Suppression
    effects: Effects
    measures: dict[Key, Measure]
    instruments: dict[Key, Instrument]
    intervention_start: Month | None = None
    notes: str | None = None


# --------------------------------------------------------------------------- countries


class SuppressionOverride(_Model):
    min_count: Annotated[int, Field(ge=1)] | None = None
    min_respondents: Annotated[int, Field(ge=1)] | None = None


class CountryFile(_Model):
    """``params/countries/<id>.yaml`` as written."""

    country_id: Slug
    name: str
    kind: Literal["country", "state", "county"]
    as_of: Date
    expected_sectors: Annotated[tuple[str, ...], BeforeValidator(_tuple)] = ()
    suppression: SuppressionOverride | None = None
    notes: str | None = None


class CountryParams(_Model):
    """Everything a jurisdiction report needs (suppression merged with the shared defaults)."""

    country_id: Slug
    name: str
    kind: Literal["country", "state", "county"]
    as_of: Date
    expected_sectors: tuple[str, ...]
    suppression: Suppression
    synthetic: bool
    notes: str | None = None


# --------------------------------------------------------------------------- reading files


def _problems(exc: ValidationError, file: str, model: type[BaseModel]) -> list[ParamsProblem]:
    problems = []
    for error in exc.errors(include_url=False):
        key, message, value = _error_message(error, model)
        problems.append(ParamsProblem(file, message, value=value, key=key))
    return problems


#: Most values (mappings, lists and scalars, counting each use of an alias in full) a params
#: file may expand to. The committed collaborative.yaml has about 150; a "billion laughs"
#: file of nested aliases expands to billions from a few lines and would hang validation.
MAX_YAML_VALUES = 10_000

_MERGE_TAG = "tag:yaml.org,2002:merge"


class _YamlRefused(Exception):
    """A params file the loader refuses (message in ``args[0]``; ``line`` is 1-based or None)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def _expanded_size(node: yaml.Node, sizes: dict[int, int], open_: set[int]) -> int:
    """How many values ``node`` stands for once every alias is written out (memoised per node,
    so a file of nested aliases is measured in linear time without expanding anything)."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_:
        raise _YamlRefused("an alias (*name) refers to the value that contains it; write the values out",
                           node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode):
        return 1
    open_.add(key)
    children = (n for pair in node.value for n in pair) if isinstance(node, yaml.MappingNode) else iter(node.value)
    total = 1
    for child in children:
        total += _expanded_size(child, sizes, open_)
        if total > MAX_YAML_VALUES:
            break  # no need to measure further
    open_.discard(key)
    sizes[key] = total
    return total


class _ParamsChecks:
    """What the params loaders add to YAML's safe loader: they

    - leave dates as text, so they are parsed explicitly (and an impossible date such as
      2024-02-30 gets a one-line message instead of a crash);
    - refuse a key written twice in one mapping (YAML would keep the last silently, so a
      second ``suppression:`` block could turn suppression off unseen);
    - refuse a file whose aliases (``*name``) expand past :data:`MAX_YAML_VALUES` values
      before building anything from it ("billion laughs").
    """

    def construct_document(self, node):
        if _expanded_size(node, {}, set()) > MAX_YAML_VALUES:
            raise _YamlRefused(f"its aliases (*name) expand to more than {MAX_YAML_VALUES:,} values; "
                               "write the values out instead of repeating aliases")
        return super().construct_document(node)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: set = set()
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                    continue  # merged keys ('<<: *defaults') may be overridden on purpose
                key = self.construct_object(key_node)
                if key in seen:
                    raise _YamlRefused(f"key {_show(key)} appears twice; keep one", key_node.start_mark.line + 1)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _ParamsLoader(_ParamsChecks, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The params loader, on libyaml's parser when PyYAML has it (several times faster)."""


class _ParamsLoaderPy(_ParamsChecks, yaml.SafeLoader):
    """The same loader on PyYAML's own parser: it words syntax errors for the messages, so
    they read the same whether or not libyaml is installed."""


for _loader in (_ParamsLoader, _ParamsLoaderPy):
    _loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def _read_yaml(path: Path) -> tuple[dict | None, list[ParamsProblem]]:
    file = str(path)
    if not path.is_file():
        return None, [ParamsProblem(file, "file not found; check the params folder")]
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return None, [ParamsProblem(file, "is not UTF-8 text; save it as UTF-8")]
    try:
        try:
            data = yaml.load(text, Loader=_ParamsLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError:
            data = yaml.load(text, Loader=_ParamsLoaderPy)  # noqa: S506 - re-read to word the error
    except _YamlRefused as exc:
        return None, [ParamsProblem(file, str(exc), row=exc.line)]
    except RecursionError:  # thousands of nested [ or { (YAML's readers recurse per level)
        return None, [ParamsProblem(file, "is nested too deeply to read (lists or groups inside each other "
                                          "hundreds of levels deep); check the brackets and indentation")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        what = getattr(exc, "problem", None) or "invalid YAML"
        return None, [ParamsProblem(file, f"is not valid YAML{where} ({what}); check indentation and colons")]
    if data is None:
        return None, [ParamsProblem(file, "file is empty; it needs at least the required keys")]
    if not isinstance(data, dict):
        return None, [ParamsProblem(file, "should be a set of 'key: value' lines, not a single value or a list")]
    bad_keys = [k for k in data if not isinstance(k, str)]
    if bad_keys:
        return None, [ParamsProblem(file, f"key {_show(bad_keys[0])} is not text; keys are names such as title")]
    return data, []


def _validate(model: type[BaseModel], data: dict, file: str) -> tuple[Any, list[ParamsProblem]]:
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, _problems(exc, file, model)


def _raise(problems: list[ParamsProblem]) -> None:
    if problems:
        raise ParamsValidationFailed(problems)


def _file_name_problems(file: str, unit_id: str, kind: str) -> list[ParamsProblem]:
    """One problem if a params file is not named by a valid ``kind`` id (ids become output file names)."""
    try:
        _slug(unit_id)
    except ValueError as exc:
        return [ParamsProblem(file, f"the file name is not a valid {kind} id: {exc}")]
    return []


def _id_mismatch(file: str, key: str, written: str, file_id: str, value: object = None) -> ParamsProblem:
    """The problem of a file whose ``key`` (team_id, country_id) differs from its file name."""
    return ParamsProblem(file, f"{_show(written)} does not match the file name; write {key}: {file_id} "
                               "(or rename the file)", key=key, value=value)


# --------------------------------------------------------------------------- loaders


def collaborative_path(params_dir: str | Path) -> Path:
    return Path(params_dir) / "collaborative.yaml"


def team_path(params_dir: str | Path, team_id: str) -> Path:
    return Path(params_dir) / "teams" / f"{team_id}.yaml"


def country_path(params_dir: str | Path, country_id: str) -> Path:
    return Path(params_dir) / "countries" / f"{country_id}.yaml"


def check_collaborative(params_dir: str | Path) -> tuple[Collaborative | None, list[ParamsProblem]]:
    """Validate ``params/collaborative.yaml``; return (params or None, every problem)."""
    path = collaborative_path(params_dir)
    data, problems = _read_yaml(path)
    if problems:
        return None, problems
    return _validate(Collaborative, data, str(path))


def check_team(params_dir: str | Path, team_id: str, collaborative: Collaborative | None = None
               ) -> tuple[TeamParams | None, list[ParamsProblem]]:
    """Validate one team file (and merge it with the defaults); return (params or None, problems)."""
    path = team_path(params_dir, team_id)
    file = str(path)
    problems: list[ParamsProblem] = []
    bad_name = _file_name_problems(file, team_id, "team")
    if bad_name:
        return None, bad_name
    data, found = _read_yaml(path)
    if found:
        return None, found
    team, found = _validate(TeamFile, data, file)
    problems.extend(found)
    if team is not None and team.team_id != team_id:
        problems.append(_id_mismatch(file, "team_id", team.team_id, team_id, value=team.team_id))
    if collaborative is None:
        collaborative, found = check_collaborative(params_dir)
        problems.extend(found)
    if team is None or collaborative is None:
        return None, problems
    unknown = [m for m in team.measures if m not in collaborative.measures]
    for m in unknown:
        problems.append(ParamsProblem(
            file, f"{_show(m)} is not a measure defined in params/collaborative.yaml "
                  f"({', '.join(collaborative.measures)}); fix the name", key=f"measures.{m}", value=m))
    if problems:
        return None, problems
    measures = {
        mid: (m.model_copy(update={"target": team.measures[mid].target}) if mid in team.measures else m)
        for mid, m in collaborative.measures.items()
    }
    merged = TeamParams(
        team_id=team.team_id,
        title=collaborative.title,
        synthetic=collaborative.synthetic,
        data_as_of=collaborative.data_as_of,
        rules=collaborative.rules,
        suppression=collaborative.suppression,
        effects=collaborative.effects,
        measures=measures,
        instruments=dict(collaborative.instruments),
        intervention_start=team.intervention_start,
        notes=team.notes,
    )
    return merged, []


def check_country(params_dir: str | Path, country_id: str, collaborative: Collaborative | None = None
                  ) -> tuple[CountryParams | None, list[ParamsProblem]]:
    """Validate one jurisdiction file; return (params or None, problems)."""
    path = country_path(params_dir, country_id)
    file = str(path)
    bad_name = _file_name_problems(file, country_id, "country")
    if bad_name:
        return None, bad_name
    data, problems = _read_yaml(path)
    if problems:
        return None, problems
    country, problems = _validate(CountryFile, data, file)
    if country is not None and country.country_id != country_id:
        problems.append(_id_mismatch(file, "country_id", country.country_id, country_id, value=country.country_id))
    shared = None
    if collaborative is None and collaborative_path(params_dir).is_file():
        collaborative, _ = check_collaborative(params_dir)
    if collaborative is not None:
        shared = collaborative.suppression
    if country is None or problems:
        return None, problems
    base = shared or Suppression()
    override = country.suppression
    suppression = Suppression(
        min_count=override.min_count if override and override.min_count is not None else base.min_count,
        min_respondents=(override.min_respondents if override and override.min_respondents is not None
                         else base.min_respondents),
    )
    merged = CountryParams(
        country_id=country.country_id,
        name=country.name,
        kind=country.kind,
        as_of=country.as_of,
        expected_sectors=country.expected_sectors,
        suppression=suppression,
        synthetic=collaborative.synthetic if collaborative is not None else False,
        notes=country.notes,
    )
    return merged, []


def load_collaborative(params_dir: str | Path = "params") -> Collaborative:
    """Load and validate ``params/collaborative.yaml``.

    Parameters
    ----------
    params_dir : str or Path
        The params folder (default ``params``).

    Returns
    -------
    Collaborative
        Frozen: ``title, synthetic, data_as_of (date), rules.method, suppression.min_count,
        suppression.min_respondents, effects.horizon_months, effects.min_points_each_side,
        measures`` (measure_id -> Measure: label, definition, chart, direction, multiply,
        unit, target) and ``instruments`` (id -> Instrument).

    Raises
    ------
    ParamsValidationFailed
        (a ParamsError) listing every problem, one line each.

    Example
    -------
    >>> p = load_collaborative("params")  # doctest: +SKIP
    >>> p.measures["turnover_rate"].chart  # doctest: +SKIP
    'u'
    """
    params, problems = check_collaborative(params_dir)
    _raise(problems)
    return params


def load_team(params_dir: str | Path, team_id: str) -> TeamParams:
    """Load one team's params: the collaborative defaults merged with ``params/teams/<team_id>.yaml``.

    Parameters
    ----------
    params_dir : str or Path
        The params folder.
    team_id : str
        The team id (file name without ``.yaml``).

    Returns
    -------
    TeamParams
        Frozen; as :class:`Collaborative` plus ``team_id``, ``intervention_start`` (date of
        the first of the month, or None) and ``notes``; ``measures[...].target`` carries
        the team's override where it gives one.

    Raises
    ------
    ParamsValidationFailed
        If either file is missing or invalid, ``team_id`` does not match the file name, or
        the team file overrides a measure the defaults do not define.

    Example
    -------
    >>> load_team("params", "cedar-river-tribe").team_id  # doctest: +SKIP
    'cedar-river-tribe'
    """
    params, problems = check_team(params_dir, team_id)
    _raise(problems)
    return params


def load_country(params_dir: str | Path, country_id: str) -> CountryParams:
    """Load one jurisdiction's params from ``params/countries/<country_id>.yaml``.

    Parameters
    ----------
    params_dir : str or Path
        The params folder.
    country_id : str
        The jurisdiction id (file name without ``.yaml``).

    Returns
    -------
    CountryParams
        Frozen: ``country_id, name, kind, as_of, expected_sectors, suppression`` (the
        shared thresholds with this file's overrides), ``synthetic`` (from the
        collaborative file when present) and ``notes``.

    Raises
    ------
    ParamsValidationFailed
        If the file is missing or invalid.

    Example
    -------
    >>> load_country("params", "moldova").kind  # doctest: +SKIP
    'country'
    """
    params, problems = check_country(params_dir, country_id)
    _raise(problems)
    return params


def _list_ids(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml"))


def list_teams(params_dir: str | Path = "params") -> list[str]:
    """Team ids that have a params file (``params/teams/*.yaml``), sorted."""
    return _list_ids(Path(params_dir) / "teams")


def list_countries(params_dir: str | Path = "params") -> list[str]:
    """Jurisdiction ids that have a params file (``params/countries/*.yaml``), sorted."""
    return _list_ids(Path(params_dir) / "countries")


def check_params(params_dir: str | Path = "params") -> list[ParamsProblem]:
    """Validate every params file in a folder and return every problem (empty if all are valid)."""
    params_dir = Path(params_dir)
    if not params_dir.is_dir():
        return [ParamsProblem(str(params_dir), "params folder not found; give the folder that holds collaborative.yaml")]
    collaborative, problems = check_collaborative(params_dir)
    problems = list(problems)
    for folder in ("teams", "countries"):
        for p in sorted((params_dir / folder).glob("*.yml")) if (params_dir / folder).is_dir() else []:
            problems.append(ParamsProblem(str(p), "use the .yaml extension (this file is ignored)"))
    for team_id in list_teams(params_dir):
        if collaborative is None:
            _, found = _team_file_only(params_dir, team_id)
        else:
            _, found = check_team(params_dir, team_id, collaborative)
        problems.extend(found)
    for country_id in list_countries(params_dir):
        _, found = check_country(params_dir, country_id, collaborative)
        problems.extend(found)
    return problems


def _team_file_only(params_dir: Path, team_id: str) -> tuple[None, list[ParamsProblem]]:
    """Check a team file on its own (when the collaborative file is itself invalid)."""
    path = team_path(params_dir, team_id)
    bad_name = _file_name_problems(str(path), team_id, "team")
    if bad_name:
        return None, bad_name
    data, problems = _read_yaml(path)
    if problems:
        return None, problems
    team, problems = _validate(TeamFile, data, str(path))
    if team is not None and team.team_id != team_id:
        problems.append(_id_mismatch(str(path), "team_id", team.team_id, team_id))
    return None, problems


__all__ = [
    "Collaborative",
    "CountryParams",
    "Effects",
    "Instrument",
    "Measure",
    "ParamsProblem",
    "ParamsValidationFailed",
    "Rules",
    "Suppression",
    "TeamParams",
    "check_params",
    "list_countries",
    "list_teams",
    "load_collaborative",
    "load_country",
    "load_team",
]
