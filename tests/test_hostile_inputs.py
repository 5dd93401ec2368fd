"""Hostile inputs: files written (by accident or on purpose) to break validation.

Each test copies the small valid folder ``tests/data/hostile/base`` (data + params) to a
temporary folder, replaces one file and asserts the exact one-line problems: an alias bomb,
duplicate YAML keys, infinite or absurd numbers, dates pandas cannot store, a team without
rows, reserved file names as ids, and person-level ids in messages that reach shared outputs.
Expected messages are written by hand from the wording rules of evalkit.errors (file, row,
column, value, what is expected).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from evalkit.batch.plan import default_notebooks_dir, make_jobs, validate_and_plan
from evalkit.errors import Problem
from evalkit.inputs.params import check_collaborative, check_params, load_collaborative, load_team
from evalkit.inputs.read import DataValidationFailed, read_table
from evalkit.inputs.validate import validate_inputs

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "data" / "hostile"


def make(tmp_path: Path, data: dict | None = None, params: dict | None = None) -> tuple[Path, Path]:
    """Copy the valid base folder, then write (text) or delete (None) the files given."""
    shutil.copytree(HOSTILE / "base", tmp_path, dirs_exist_ok=True)
    d, p = tmp_path / "data", tmp_path / "params"
    for root, changes in ((d, data or {}), (p, params or {})):
        for name, text in changes.items():
            path = root / name
            if text is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return d, p


def texts(problems, tmp_path: Path) -> list[str]:
    return [str(x).replace(str(tmp_path), "<tmp>") for x in problems]


def test_the_base_folder_is_valid(tmp_path):
    assert validate_inputs(*make(tmp_path)) == []


# --------------------------------------------------------------------------- 1. YAML alias bomb


def _check_in_child(params_dir: Path, seconds: float = 60) -> str:
    """check_params in a child process (so a hang fails the test instead of hanging the suite)."""
    code = ("import sys; from evalkit.inputs.params import check_params\n"
            "print('\\n'.join(str(p) for p in check_params(sys.argv[1])))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code, str(params_dir)], capture_output=True, text=True,
                          timeout=seconds, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_billion_laughs_is_refused_at_once_without_expanding(tmp_path):
    _, p = make(tmp_path, params={"collaborative.yaml": (HOSTILE / "billion-laughs.yaml").read_text()})
    out = _check_in_child(p, seconds=60)
    assert out.splitlines() == [
        f"{p}/collaborative.yaml: its aliases (*name) expand to more than 10,000 values; write the values out "
        "instead of repeating aliases"
    ]
    assert "lol" not in out


def test_small_anchors_and_merge_keys_still_work(tmp_path):
    # an anchor reused with a merge key, overriding one of its keys (not a duplicate key)
    collaborative = (HOSTILE / "base" / "params" / "collaborative.yaml").read_text().replace(
        "turnover_rate: {", "turnover_rate: &rate {")
    collaborative = collaborative.replace("instruments:", "  sickness_rate: {<<: *rate, label: Sickness}\ninstruments:")
    _, p = make(tmp_path, params={"collaborative.yaml": collaborative})
    measures = load_collaborative(p).measures
    assert (measures["sickness_rate"].chart, measures["sickness_rate"].label) == ("u", "Sickness")


@pytest.mark.parametrize("text,message", [
    ("title: &a [1, *a]\n",
     " line 1: an alias (*name) refers to the value that contains it; write the values out"),
    ("title: " + "[" * 5000 + "]" * 5000 + "\n",
     ": is nested too deeply to read (lists or groups inside each other hundreds of levels deep); check the "
     "brackets and indentation"),
])
def test_self_referring_and_deeply_nested_yaml(tmp_path, text, message):
    _, p = make(tmp_path, params={"collaborative.yaml": text})
    assert [str(x) for x in check_collaborative(p)[1]] == [f"{p}/collaborative.yaml{message}"]


# --------------------------------------------------------------------------- 2. duplicate keys


def test_a_second_suppression_block_is_an_error_not_the_winner(tmp_path):
    _, p = make(tmp_path, params={"collaborative.yaml": (HOSTILE / "duplicate-suppression.yaml").read_text()})
    assert texts(check_params(p), tmp_path) == [
        "<tmp>/params/collaborative.yaml line 12: key 'suppression' appears twice; keep one"
    ]


def test_duplicate_keys_nested_and_in_team_files(tmp_path):
    _, p = make(tmp_path, params={"teams/team-a.yaml": "team_id: team-a\nmeasures:\n  turnover_rate: {target: 3}\n"
                                                       "  turnover_rate: {target: 30}\n"})
    assert texts(check_params(p), tmp_path) == [
        "<tmp>/params/teams/team-a.yaml line 4: key 'turnover_rate' appears twice; keep one"
    ]
