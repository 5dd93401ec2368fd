"""Benchmark: evalkit.spc.qic.qic over 10,000 facets × 36 points (a national roll-up).

Prints wall-clock times for vectorised I and P charts with runs analysis, the
per-series cost, and the ratio against a naive baseline measured in the same run
(one qic() call per series in a Python loop, on a subset, scaled up).
Run: .venv/bin/python benchmarks/spc.py [facets] [points]. Prints figures; not a test.
"""
from __future__ import annotations

import sys
import time

import numpy as np

from evalkit.spc import qic, verdicts


def _best_of(fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(facets: int = 10_000, points: int = 36, naive_subset: int = 200) -> None:
    rng = np.random.default_rng(2024)
    total = facets * points
    facet = np.repeat(np.array([f"unit-{i:05d}" for i in range(facets)], dtype=object), points)
    x = np.tile(np.arange(1, points + 1), facets)
    y_i = rng.normal(50, 5, total)
    n_p = rng.integers(20, 200, total).astype(float)
    y_p = rng.binomial(n_p.astype(int), 0.3).astype(float)

    print(f"evalkit.spc.qic benchmark: {facets:,} facets x {points} points = {total:,} points")
    for label, call in [
        ("i chart, Anhøj rules", lambda: qic(y_i, x=x, chart="i", facet=facet)),
        ("p chart, Anhøj rules", lambda: qic(y_p, n_p, x=x, chart="p", facet=facet, multiply=100)),
        ("run chart, IHI rules", lambda: qic(y_i, x=x, chart="run", facet=facet, method="ihi")),
        ("i chart, MDC rules", lambda: qic(y_i, x=x, chart="i", facet=facet, method="mdc",
                                           direction="increase")),
    ]:
        t = _best_of(call)
        print(f"  {label:<24} {t:7.3f} s total   {t / facets * 1e6:7.1f} µs per series")
    res = qic(y_p, n_p, x=x, chart="p", facet=facet)
    t = _best_of(lambda: verdicts(res, "increase"))
    print(f"  {'verdicts (p chart)':<24} {t:7.3f} s total")

    # naive baseline: one qic() call per series, on a subset, scaled to all facets
    sub = slice(0, naive_subset * points)

    def naive():
        for i in range(naive_subset):
            s = slice(i * points, (i + 1) * points)
            qic(y_i[s], x=x[s], chart="i")

    t_naive = _best_of(naive, repeat=1) / naive_subset * facets
    t_vec = _best_of(lambda: qic(y_i, x=x, chart="i", facet=facet))
    print(f"  naive loop (i chart), {naive_subset} series timed, scaled: {t_naive:7.2f} s "
          f"for {facets:,} series -> vectorised is {t_naive / t_vec:,.0f}x faster")
    del sub


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
