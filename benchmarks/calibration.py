"""Calibration of the headline verdict on many generated demo data sets.

For each generator seed the demo data are written afresh (``evalkit demo-data --seed S``)
and every participating team × measure is judged by the verdict every report uses
(:func:`evalkit.effects.verdict.judge_measures`). TRUTH.json says which teams truly
improved, which got worse and which did not change, so the script prints:

- sensitivity: share of truly improved team × measures judged ``improved``;
- false ``improved`` and false ``deteriorated``: shares of no-change team × measures;
- deterioration found: share of truly deteriorated team × measures judged ``deteriorated``
  (and the share of seeds in which the deteriorating team is found on at least one measure);
- interval coverage of the headline effect where the truth is known exactly (no-change
  team × measures: 0);
- the verdict of a chart alone (sustained shift) for reference.

Targets (DESIGN.md §5, issue "Did it work?"): sensitivity >= 0.9, each false rate <= 0.05,
deterioration found >= 0.9.

    python benchmarks/calibration.py [--seeds 20] [--first 1] [--work DIR]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evalkit.demo import write_demo_data  # noqa: E402
from evalkit.effects.panel import team_starts  # noqa: E402
from evalkit.effects.verdict import judge_measures  # noqa: E402
from evalkit.inputs.params import load_collaborative  # noqa: E402
from evalkit.inputs.read import load_tables  # noqa: E402
from evalkit.privacy import suppress_small_denominators  # noqa: E402


def judge_seed(seed: int, work: Path) -> pd.DataFrame:
    """Every participating team × measure of one seed: truth class, verdict, headline interval, shift."""
    out = work / f"seed-{seed}"
    if not (out / "TRUTH.json").is_file():
        write_demo_data(seed=seed, out=out)
    truth = json.loads((out / "TRUTH.json").read_text())
    params = load_collaborative(ROOT / "params")
    tables = load_tables(out)
    measures = suppress_small_denominators(tables["measures"], {k: m.chart for k, m in params.measures.items()},
                                           threshold=params.suppression.min_count)
    starts = team_starts(tables["teams"], ROOT / "params")
    j = judge_measures(measures, tables["teams"], params.measures, starts=starts, method=params.rules.method,
                       roles=("participant",))
    v = j.verdicts.copy()
    lists = truth["lists"]
    v["truth"] = np.where(v["team_id"].isin(lists["improved"]), "improved",
                          np.where(v["team_id"].isin(lists["deteriorated"]), "deteriorated", "no_change"))
    v["seed"] = seed
    return v


def summarise(v: pd.DataFrame) -> pd.DataFrame:
    """One row per measure (and 'all'): the calibration figures."""
    rows = []
    for mid, g in [("all", v)] + list(v.groupby("measure_id", sort=False)):
        imp, none, det = g[g.truth == "improved"], g[g.truth == "no_change"], g[g.truth == "deteriorated"]
        judged_none = none[none.verdict != "too_little_data"]
        cover = judged_none[np.isfinite(judged_none.ci_low)]
        rows.append({
            "measure": mid,
            "sensitivity": (imp.verdict == "improved").mean(),
            "false_improved": (none.verdict == "improved").mean(),
            "false_deteriorated": (none.verdict == "deteriorated").mean(),
            "deterioration_found": (det.verdict == "deteriorated").mean(),
            "mixed_on_no_change": (none.verdict == "mixed").mean(),
            "coverage_no_change": ((cover.ci_low <= 0) & (cover.ci_high >= 0)).mean(),
            "chart_alone_false_signal": (none["shift"] != 0).mean(),
            "n_improved": len(imp), "n_no_change": len(none), "n_deteriorated": len(det),
        })
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None, help="keep generated data here (default: temporary)")
    parser.add_argument("--save", type=Path, default=None, help="write every verdict to this CSV")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        v = pd.concat([judge_seed(s, work) for s in range(args.first, args.first + args.seeds)], ignore_index=True)
    if args.save:
        v.to_csv(args.save, index=False)
    table = summarise(v)
    per_seed = v[v.truth == "deteriorated"].groupby("seed")["verdict"].apply(lambda s: (s == "deteriorated").any())
    pd.set_option("display.width", 200)
    print(f"{args.seeds} seeds ({args.first}..{args.first + args.seeds - 1}), "
          f"{len(v)} team x measure verdicts, {time.perf_counter() - started:.0f} s")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    print(f"deteriorating team found on at least one measure: {per_seed.mean():.3f} of seeds")
    all_ = table.iloc[0]
    checks = {"sensitivity >= 0.9": all_.sensitivity >= 0.9, "false improved <= 0.05": all_.false_improved <= 0.05,
              "false deteriorated <= 0.05": all_.false_deteriorated <= 0.05,
              "deterioration found >= 0.9": all_.deterioration_found >= 0.9}
    for name, ok in checks.items():
        print(f"{'met ' if ok else 'MISSED'} {name}")


if __name__ == "__main__":
    main()
