"""evalkit.spc.qic.qic against randomised cases computed by qicharts2 0.8.1 itself.

Every JSON file in tests/data/spc_fuzz/ (provenance, generator and seeds:
README.md there) has the same shape as the reference cases in
tests/data/spc_reference/, so each is checked with the reference tests' own
comparison (points matched on (facet, idx), numbers to relative tolerance 1e-9,
qicharts2's null = non-finite, same signals, run statistics and errors).
"""
from __future__ import annotations

from pathlib import Path

import pytest

import test_spc_reference as _reference

CASES = sorted((Path(__file__).parent / "data" / "spc_fuzz").glob("*.json"))


def test_fuzz_cases_present():
    assert len(CASES) >= 150


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_fuzz_case(path):
    _reference.test_reference_case(path)
