"""Plan a batch: validate the inputs, then list the reports to render (one job each).

Step 1–2 of :func:`evalkit.batch.run_batch`. The reports of each kind come from the
registry (:data:`evalkit.inputs.kinds.REPORT_KINDS`): participating teams with a params file,
jurisdictions with a params file, and the one collaborative summary. A problem that concerns
every report stops the run; a problem in one unit's rows fails only the reports covering
that unit, and the collaborative summary leaves the unit out.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from evalkit.batch.cache import FileHasher, job_digest, source_sha256
from evalkit.inputs.kinds import REPORT_KINDS

__all__ = ["ReportJob", "validate_and_plan", "make_jobs", "default_notebooks_dir", "cpu_count"]


@dataclass(frozen=True)
class ReportJob:
    """One report to render: what, from which notebook, with which parameters."""

    kind: str
    id: str
    notebook: Path
    parameters: dict
    inputs_sha256: str
    problems: tuple = ()
    units: tuple | None = None  # the units whose rows the report reads (None: every unit)

    @property
    def folder(self) -> str:
        return REPORT_KINDS[self.kind].folder

    def rel(self, suffix: str) -> str:
        """Where one of the report's files goes, relative to the output folder."""
        return REPORT_KINDS[self.kind].output(self.id, suffix)


def default_notebooks_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "notebooks"


def cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def validate_and_plan(params_dir: Path, data_dir: Path):
    """Validate everything; return (problems that stop the run, or None; the plan).

    The plan is JSON (the manifest keeps it, so an unchanged run skips validation):
    ``reports`` (kind -> ids, from :data:`REPORT_KINDS`), ``units`` (kind -> id -> the units
    whose rows the report covers), ``problems`` (unit -> messages in their shared form,
    :attr:`evalkit.errors.Problem.shared`), ``team_names``, ``title``
    and ``synthetic``.
    """
    from evalkit.inputs.params import load_collaborative
    from evalkit.inputs.read import read_tables
    from evalkit.inputs.validate import problems_by_unit, validate_inputs

    problems = validate_inputs(data_dir=data_dir, params_dir=params_dir)
    groups = problems_by_unit(problems)
    if groups.get(None):
        return groups[None], None
    teams = read_tables(data_dir, ["teams"])[1]["teams"]  # typed once by validation in a batch run
    reports, units = {}, {}
    for kind in REPORT_KINDS.values():
        reports[kind.name] = kind.ids(params_dir, teams)
        if kind.units is not None:
            units[kind.name] = {uid: sorted(kind.units(teams, uid)) for uid in reports[kind.name]}
    collaborative = load_collaborative(params_dir)
    return None, {
        "reports": reports,
        "units": units,
        "team_names": {str(t): str(n) for t, n in zip(teams["team_id"], teams["team_name"]) if n == n},
        # the plan reaches the manifest and the index: the shared form, never a person-level id
        "problems": {unit: [p.shared for p in found] for unit, found in groups.items()},
        "title": str(getattr(collaborative, "title", "evalkit reports")),
        "synthetic": bool(getattr(collaborative, "synthetic", False)),
    }


def make_jobs(plan: dict, params_dir: Path, data_dir: Path, notebooks_dir: Path) -> list[ReportJob]:
    """One job per report, in index order (the registry's order, then the plan's)."""
    source = source_sha256()
    file_hash = FileHasher()
    problems = plan.get("problems", {})
    failing = sorted(u for u in problems if u)
    jobs = []
    for kind in REPORT_KINDS.values():
        for uid in plan["reports"].get(kind.name, []):
            covered = plan["units"][kind.name][uid] if kind.units is not None else []
            exclude = [u for u in failing if u not in covered]
            parameters = {"data_dir": str(data_dir), "params_dir": str(params_dir), "exclude_units": exclude}
            if kind.id_parameter:
                parameters = {kind.id_parameter: uid, **parameters}
            notebook = notebooks_dir / kind.notebook
            digest = job_digest(kind, uid, notebook=notebook, params_files=kind.params_files(params_dir, uid),
                                data_dir=data_dir, exclude=exclude, source=source, file_hash=file_hash)
            own = tuple(msg for u in covered for msg in problems.get(u, []))
            jobs.append(ReportJob(kind.name, uid, notebook, parameters, digest, own,
                                  tuple(covered) if kind.units is not None else None))
    return jobs
