"""Benchmark: monthly workforce metrics on a national-scale synthetic roster.

Generates (in-process, seeded, vectorised) a roster of ``--units`` teams and about
``--rows`` person rows, then times :func:`evalkit.workforce.staffing.monthly_workforce` over
``--months`` months, plus annual turnover, rolling retention, new-hire retention,
time to fill and vacancy; prints wall time and the Python memory peak
(tracemalloc), and a naive baseline (a boolean mask per month per team, timed on a
subset of teams and scaled) for comparison.

Run:  .venv/bin/python benchmarks/workforce.py [--units 500] [--rows 1000000] [--months 36]
"""
from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np
import pandas as pd

from evalkit import workforce as wf

TYPES = np.array(["voluntary", "involuntary", "other", "transfer"])


def make_roster(units: int, rows: int, seed: int) -> pd.DataFrame:
    """Synthetic roster: hires spread over 2005-2024, exponential tenure (mean ~4 years)."""
    rng = np.random.default_rng(seed)
    team = rng.integers(0, units, rows)
    day0 = np.datetime64("2005-01-01")
    hire = day0 + rng.integers(0, 20 * 365, rows).astype("timedelta64[D]")
    tenure = rng.exponential(4 * 365, rows).astype(np.int64).astype("timedelta64[D]")
    sep = hire + tenure
    as_of = np.datetime64("2024-12-31")
    sep = np.where(sep <= as_of, sep, np.datetime64("NaT"))
    typ = np.where(np.isnat(sep), None, TYPES[rng.choice(4, rows, p=[0.6, 0.2, 0.12, 0.08])])
    return pd.DataFrame({
        "team_id": pd.array(np.char.add("unit-", team.astype(str)), dtype="string"),
        "staff_key": pd.array(np.char.add("p", np.arange(rows).astype(str)), dtype="string"),
        "hire_date": hire.astype("datetime64[ns]"),
        "separation_date": sep.astype("datetime64[ns]"),
        "separation_type": pd.array(typ, dtype="string"),
    })


def naive_monthly(roster: pd.DataFrame, months: pd.DatetimeIndex) -> pd.DataFrame:
    """Reference: one boolean mask per team and month (what vectorisation avoids)."""
    out = []
    for team, r in roster.groupby("team_id"):
        for m0 in months:
            m1 = m0 + pd.offsets.MonthBegin(1)
            e0 = ((r["hire_date"] <= m0) & (r["separation_date"].isna() | (r["separation_date"] >= m0))).sum()
            e1 = ((r["hire_date"] <= m1) & (r["separation_date"].isna() | (r["separation_date"] >= m1))).sum()
            s = ((r["separation_date"] >= m0) & (r["separation_date"] < m1) & (r["separation_type"] != "transfer")).sum()
            out.append((team, m0, e0, e1, s))
    return pd.DataFrame(out, columns=["team_id", "period", "headcount_start", "headcount_end", "separations"])


def timed(label: str, fn, *, memory: bool = True):
    """Best of two wall-clock runs; then one run under tracemalloc for the Python memory peak."""
    seconds = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        result = fn()
        seconds = min(seconds, time.perf_counter() - t0)
    peak_text = ""
    if memory:
        tracemalloc.start()
        fn()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak_text = f"   peak {peak / 2**20:8.1f} MiB"
    print(f"{label:<38} {seconds:8.3f} s{peak_text}")
    return result, seconds


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--units", type=int, default=500)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--months", type=int, default=36)
    p.add_argument("--seed", type=int, default=20241231)
    p.add_argument("--naive-units", type=int, default=10, help="teams timed with the naive loop, then scaled")
    a = p.parse_args(argv)

    t0 = time.perf_counter()
    roster = make_roster(a.units, a.rows, a.seed)
    print(f"generated {len(roster):,} roster rows for {a.units} units in {time.perf_counter() - t0:.2f} s")
    end = pd.Timestamp("2024-12-01")
    start = end - pd.DateOffset(months=a.months - 1)

    monthly, t_vec = timed("monthly_workforce", lambda: wf.monthly_workforce(roster, start=start, end=end))
    timed("annual_turnover", lambda: wf.annual_turnover(monthly))
    timed("rolling_retention (12 months)", lambda: wf.rolling_retention(roster, start=start, end=end))
    timed("new_hire_retention (quarter cohorts)", lambda: wf.new_hire_retention(roster, as_of="2024-12-31"))
    rng = np.random.default_rng(a.seed + 1)
    nreq = a.units * 40
    opened = np.datetime64("2022-01-01") + rng.integers(0, 3 * 365, nreq).astype("timedelta64[D]")
    filled = opened + rng.exponential(60, nreq).astype(np.int64).astype("timedelta64[D]")
    req = pd.DataFrame({"team_id": np.char.add("unit-", rng.integers(0, a.units, nreq).astype(str)),
                        "opened": opened.astype("datetime64[ns]"),
                        "filled": np.where(filled <= np.datetime64("2024-12-31"), filled, np.datetime64("NaT")).astype("datetime64[ns]")})
    timed(f"time_to_fill ({nreq:,} requisitions)", lambda: wf.time_to_fill(req, as_of="2024-12-31"))
    periods = pd.date_range(start, end, freq="MS")
    pos = pd.DataFrame({"team_id": np.repeat(np.char.add("unit-", np.arange(a.units).astype(str)), len(periods)),
                        "period": np.tile(periods, a.units), "funded_positions": 100.0,
                        "filled_positions": rng.integers(70, 101, a.units * len(periods)).astype(float)})
    timed("vacancy_rate", lambda: wf.vacancy_rate(pos))

    # naive baseline on a subset of teams, scaled to all teams
    teams = roster["team_id"].unique()[: a.naive_units]
    sub = roster[roster["team_id"].isin(teams)]
    naive, t_sub = timed(f"naive loop ({a.naive_units} units)", lambda: naive_monthly(sub, periods), memory=False)
    t_naive = t_sub * a.units / a.naive_units
    check = monthly.table[monthly.table["team_id"].isin(teams)].sort_values(["team_id", "period"]).reset_index(drop=True)
    naive = naive.sort_values(["team_id", "period"]).reset_index(drop=True)
    same = all((check[c].to_numpy() == naive[c].to_numpy()).all() for c in ["headcount_start", "headcount_end", "separations"])
    print(f"naive loop scaled to {a.units} units      {t_naive:8.1f} s   "
          f"(vectorised is {t_naive / t_vec:,.0f}x faster; results identical: {same})")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max resident memory (incl. the generated data): {rss:.0f} MiB")


if __name__ == "__main__":
    main()
