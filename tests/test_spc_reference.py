"""evalkit.spc.qic.qic against cases computed by qicharts2 0.8.1 itself.

Every JSON file in tests/data/spc_reference/ (provenance: README.md there) is one
case: ``input`` (qicharts2 arguments; exclude/freeze/part 1-based) and
``expected`` (qicharts2's points and summary, or its error). Points are matched
on (facet, idx); numbers to a relative tolerance of 1e-9; qicharts2's null
(NA/NaN/Inf) must be a non-finite number in evalkit.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import InputError
from evalkit.spc import qic

CASES = sorted((Path(__file__).parent / "data" / "spc_reference").glob("*.json"))
REL = 1e-9

POINT_MAP = {"part": "part", "y": "y", "n": "n", "y.sum": "y_sum", "y.length": "y_length",
             "cl": "cl", "lcl": "lcl", "ucl": "ucl", "lcl.95": "lcl_95", "ucl.95": "ucl_95",
             "sigma.signal": "sigma_signal", "runs.signal": "runs_signal",
             "baseline": "baseline", "include": "include"}
SUMMARY_MAP = {"n.obs": "n_obs", "n.useful": "n_useful", "longest.run": "longest_run",
               "longest.run.max": "longest_run_max", "n.crossings": "n_crossings",
               "n.crossings.min": "n_crossings_min", "runs.signal": "runs_signal",
               "sigma.signal": "sigma_signal", "CL": "cl", "aLCL": "alcl", "aUCL": "aucl"}


def _num(values):
    return [np.nan if v is None else v for v in values]


def _call(inp: dict):
    """Translate a case's qicharts2 arguments into evalkit's qic call."""
    kwargs = {"chart": inp.get("chart", "run")}
    y = _num(inp["y"])
    n = _num(inp["n"]) if inp.get("n") is not None else None
    x = inp.get("x")
    if x is not None:
        x_type = inp.get("x_type")
        if x_type == "date":
            x = pd.to_datetime(pd.Series(x))
        elif x_type == "character" or any(isinstance(v, str) for v in x):
            x = pd.Series(x, dtype=object)
        else:
            x = _num(x)
    for key in ("freeze", "multiply", "y_neg", "method", "screened_mr", "facet", "part"):
        if inp.get(key) is not None:
            kwargs[key] = inp[key]
    if inp.get("agg_fun") is not None:
        kwargs["agg"] = inp["agg_fun"]
    if inp.get("exclude") is not None:
        ex = inp["exclude"]
        kwargs["exclude"] = [int(v) - 1 for v in (ex if isinstance(ex, list) else [ex])]
    if inp.get("cl") is not None:
        cl = inp["cl"]
        kwargs["cl"] = _num(cl) if isinstance(cl, list) else cl
    return qic(y, n, x, **kwargs)


def _same(expected, actual, what):
    if expected is None:
        assert actual is None or (isinstance(actual, float) and not math.isfinite(actual)) \
            or pd.isna(actual), f"{what}: expected missing, got {actual!r}"
    elif isinstance(expected, bool):
        assert bool(actual) == expected, f"{what}: expected {expected}, got {actual!r}"
    elif isinstance(expected, (int, float)):
        assert actual is not None and not pd.isna(actual), f"{what}: expected {expected}, got missing"
        assert float(actual) == pytest.approx(float(expected), rel=REL, abs=1e-12), \
            f"{what}: expected {expected!r}, got {actual!r}"
    else:
        assert str(actual) == str(expected), f"{what}: expected {expected!r}, got {actual!r}"


def _x_text(v):
    if isinstance(v, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(v).strftime("%Y-%m-%d")
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_reference_case(path):
    case = json.loads(path.read_text())
    inp, exp = case["input"], case["expected"]
    if exp.get("error"):
        with pytest.raises(InputError) as info:
            _call(inp)
        assert "\n" not in str(info.value)
        return
    res = _call(inp)
    pts = res.points.copy()
    pts["idx"] = pts.groupby(pts["facet"].astype(str), sort=False).cumcount() + 1
    by_key = {(str(r.facet), int(r.idx)): r for r in pts.itertuples(index=False)}
    assert len(by_key) == len(exp["points"]), "number of points"
    for e in exp["points"]:
        key = (str(e.get("facet", "")), int(e["idx"]))
        assert key in by_key, f"point {key} missing"
        row = by_key[key]._asdict()
        for src, dst in POINT_MAP.items():
            if src in e:
                _same(e[src], row[dst], f"{path.stem} point {key} {dst}")
        if "x" in e and e["x"] is not None:
            ex = _x_text(e["x"]) if not isinstance(e["x"], str) else e["x"][:10]
            assert _x_text(row["x"]) == ex, f"{path.stem} point {key} x"
    summ = {(str(r["facet"]), int(r["part"])): r for r in res.summary.to_dict("records")}
    assert len(summ) == len(exp["summary"]), "number of summary rows"
    for e in exp["summary"]:
        key = (str(e.get("facet", "")), int(e["part"]))
        row = summ[key]
        for src, dst in SUMMARY_MAP.items():
            if src in e:
                _same(e[src], row[dst], f"{path.stem} summary {key} {dst}")
