"""Benchmark: evalkit.effects.staggered at 50/100/200/500 units x 36 months, ~20 cohorts.

Times the vectorised estimator (point estimates + analytic SEs, and the full
default run with 999 bootstrap draws and 999 permutations) against a naive
baseline measured in the same run: one statsmodels OLS 2x2 regression
(dY on a constant and a treated dummy, HC1 SE) per group-time cell, in a
Python loop. Prints the times, their ratio, the largest difference between
the two sets of ATT(g,t), and the fitted growth exponent b in time ~ n^b.
Run: .venv/bin/python benchmarks/staggered_did.py [sizes...]. Prints figures; not a test.
"""
from __future__ import annotations

import os

# One BLAS thread for both contenders: on a shared 2-core machine multi-threaded
# OpenBLAS contends with other work and the timings become noise.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import statsmodels.api as sm  # noqa: E402

from evalkit.effects.staggered import staggered_did  # noqa: E402

MONTHS = 36
COHORTS = 20


def make_panel(n_units: int, seed: int = 2024) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    never = np.arange(n_units) < max(4, int(0.3 * n_units))
    starts = np.where(never, 0, 3 + np.arange(n_units) % COHORTS)       # every cohort present
    u = np.repeat(np.arange(n_units), MONTHS)
    t = np.tile(np.arange(1, MONTHS + 1), n_units)
    g = starts[u]
    y = (rng.normal(size=n_units)[u] + 0.05 * t + rng.normal(size=n_units * MONTHS)
         + np.where((g > 0) & (t >= g), 0.5, 0.0))
    return pd.DataFrame({"team_id": u, "period": t, "value": y, "first_treated": g})


def naive(df: pd.DataFrame) -> pd.DataFrame:
    """Per-(g,t) 2x2 OLS regressions, same base periods as did (t-1 before g, g-1 after)."""
    wide = df.pivot(index="team_id", columns="period", values="value")
    g = df.groupby("team_id")["first_treated"].first()
    tl = wide.columns.to_numpy()
    rows = []
    for gval in sorted(g[g > 0].unique()):
        sub = g.index[(g == gval) | (g == 0)]
        D = (g.loc[sub] == gval).to_numpy(dtype=float)
        X = sm.add_constant(D)
        for i in range(1, len(tl)):
            t = tl[i]
            b = tl[i - 1] if t < gval else tl[tl < gval][-1]
            dy = (wide.loc[sub, t] - wide.loc[sub, b]).to_numpy()
            fit = sm.OLS(dy, X).fit(cov_type="HC1")
            rows.append((gval, t, fit.params[1], fit.bse[1]))
    return pd.DataFrame(rows, columns=["group", "time", "att", "se"])


def _best_of(fn, repeat):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(sizes=(50, 100, 200, 500)) -> None:
    print(f"staggered_did benchmark: {MONTHS} months, {COHORTS} cohorts, never-treated = 30% of units; "
          f"BLAS threads = {os.environ['OPENBLAS_NUM_THREADS']}")
    print(f"{'units':>6} {'cells':>6} {'fast (s)':>9} {'full (s)':>9} {'naive (s)':>10} {'naive/fast':>11}"
          f" {'max |dATT|':>11}")
    t_fast, t_full, t_naive = [], [], []
    for n in sizes:
        df = make_panel(n)
        tf, res = _best_of(lambda: staggered_did(df, n_boot=0, n_permutations=0, inference="analytic"), 3)
        tfull, _ = _best_of(lambda: staggered_did(df), 2)
        tn, ref = _best_of(lambda: naive(df), 1)
        merged = res.group_time.merge(ref, on=["group", "time"], suffixes=("", "_ols"))
        diff = float(np.nanmax(np.abs(merged["att"] - merged["att_ols"])))
        t_fast.append(tf)
        t_full.append(tfull)
        t_naive.append(tn)
        print(f"{n:>6} {len(res.group_time):>6} {tf:>9.4f} {tfull:>9.4f} {tn:>10.3f} {tn / tf:>10.0f}x"
              f" {diff:>11.2e}")
    x = np.log(np.asarray(sizes, dtype=float))
    for name, ts in [("fast (point + analytic SE)", t_fast), ("full (999 boot + 999 perms)", t_full),
                     ("naive OLS loop", t_naive)]:
        b = np.polyfit(x, np.log(ts), 1)[0]
        print(f"growth exponent, {name}: time ~ n^{b:.2f}")


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or (50, 100, 200, 500))
