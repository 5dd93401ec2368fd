"""The package's layout: no import cycles, and data flows one way through the stages.

Every ``import`` in evalkit counts, at module level or inside a function (a lazy import is
still a dependency, and two modules that import each other lazily are still a cycle).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "evalkit"

#: Stages from the bottom up. A module may import its own stage or a lower one, never a
#: higher one. spc is a self-contained engine (arrays in, charts out) below inputs, so that
#: params can name its rule sets and chart types from its own list.
STAGES = {
    "errors": -1, "intervals": 0, "memo": 0,
    "spc": 1,
    "inputs": 2, "privacy": 2,
    "workforce": 3, "effects": 3, "country": 3, "demo": 3,
    "collaborative": 4,
    "plotting": 5,
    "report": 6,
    "batch": 7,
    "cli": 8, "__main__": 9,
}
#: Within the computation stage, effects builds on workforce (turnover before and after).
ALLOWED_SIDEWAYS = {("effects", "workforce"), ("privacy", "inputs")}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, modules: dict) -> set[str]:
    """evalkit modules that ``name`` imports (resolved to the deepest existing module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if is_package else name.split(".")[:-1]
                here = here[: len(here) - (node.level - 1)]
                base = ".".join(here + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name and not (is_package and target.startswith(name + ".")):
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _stage(module: str) -> str:
    """The stage of a module; the root package (which only holds ``__version__`` and lazy
    re-exports) is ``"root"``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "root"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_planted_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles():
    assert _cycles(_graph()) == []


def test_every_module_belongs_to_a_known_stage():
    unknown = sorted({_stage(m) for m in _modules()} - set(STAGES) - {"root"})
    assert unknown == [], f"add these to STAGES (in their place): {unknown}"


def test_no_module_imports_from_a_stage_above_it():
    upward = []
    for module, targets in _graph().items():
        mine = _stage(module)
        for target in targets:
            theirs = _stage(target)
            if "root" in (mine, theirs) or theirs == mine:
                continue  # the root's lazy re-exports; anyone may read evalkit.__version__
            if STAGES[theirs] > STAGES[mine] or (
                    STAGES[theirs] == STAGES[mine] and (mine, theirs) not in ALLOWED_SIDEWAYS):
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_private_helpers_live_inside_their_subpackage():
    assert sorted(p.name for p in PACKAGE.glob("_*.py") if p.name not in ("__init__.py", "__main__.py")) == []


@pytest.mark.parametrize("public", [
    "from evalkit.spc import qic, verdicts, QicResult, RULE_SETS",
    "from evalkit.plotting.spc import plot_qic",
    "from evalkit.plotting import plot_qic, plot_turnover",
    "from evalkit.workforce import monthly_workforce, tenure_survival, summarise_survey, suppressed_table",
    "from evalkit.effects import interrupted_time_series, difference_in_differences, welch_t",
    "from evalkit.inputs.params import load_team, load_country, load_collaborative",
    "from evalkit.inputs.validate import validate_inputs",
    "from evalkit.batch import run_batch",
    "from evalkit.demo import write_demo_data",
    "from evalkit import qic, plot_qic, EvalkitError",
])
def test_public_names_import_from_where_users_import_them(public):
    exec(public, {})


def test_every_import_in_the_readme_api_table_works():
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Public API"):]
    lines = [seg for seg in section.split("`") if seg.startswith("from evalkit")]
    assert len(lines) >= 10
    for line in lines:
        exec(line.replace(", …", ""), {})
