"""Benchmark: calibration of evalkit.effects.interrupted_time_series on simulated team series.

Each simulated series is one team's monthly measure over 36 months with the intervention
starting at month 16 ± 2 (uniform, so starts are staggered), and on the model's linear scale
(identity, log or logit):

    eta_t = base + trend·(t − 17.5) + summer·[June–August] + effect·[t ≥ start] + u_t,
    u_t = AR(1) with ρ = 0.3 (stationary, SD ``sd``),

then sampling noise on top: a team mean of 0.6 × staff respondents (gaussian well-being),
negative-binomial separations with staff-months as exposure (Poisson turnover; gamma mixing of
shape 10), beta-binomial counts (intra-class correlation 0.02) out of 20–120 positions or staff
(binomial vacancy and supervision). The secular trend is shared by every series and points the
way of improvement (turnover and vacancy fall, supervision and well-being rise), which is the
hard case for a "whole interval in the direction of improvement" claim.

For every scenario the script prints, for the headline term (``average_effect``):
coverage of the true effect (share of 95% intervals that contain it; the truth is the step
``effect`` on the linear scale, i.e. the difference, rate ratio or odds ratio), the share of
no-change series whose whole interval lies on the improvement side of "no change" (a false
improvement), the share of real-effect series whose whole interval does (power), and the median
interval width on the linear scale. ``--alternatives`` adds the same table for other models and
error methods (how the default was chosen); ``--before REV`` adds the code of git revision REV
(its headline was ``effect_at_horizon``).

Run: python benchmarks/calibration_its.py [n_series=500] [--seed S] [--alternatives] [--before REV]
Prints figures; not a test (tests/test_its_calibration.py runs a small fixed-seed version).
"""
from __future__ import annotations

import argparse
import importlib.util
import math
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from evalkit.effects import interrupted_time_series  # noqa: E402

MONTHS = pd.date_range("2022-01-01", periods=36, freq="MS")


@dataclass(frozen=True)
class Scenario:
    """Generating parameters on the linear scale (see the module docstring)."""

    name: str
    kind: str
    base: float
    sd: float  # SD of the AR(1) latent noise
    trend: float  # shared secular trend per month
    summer: float  # June-August shift
    effect: float  # step from the start on (the truth), used when the series has an effect
    direction: str  # which way is better
    label: str


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


SCENARIOS = {
    "wellbeing": Scenario("wellbeing", "gaussian", 3.2, 0.10, 0.004, 0.06, 0.30, "increase",
                          "well-being pulse (1-5 team mean), +0.3 points"),
    "turnover": Scenario("turnover", "poisson", math.log(0.03), 0.15, math.log(0.92 / 1.08) / 35, math.log(1.15),
                         math.log(0.5), "decrease", "turnover per staff-month, hazard ratio 0.5"),
    "vacancy": Scenario("vacancy", "binomial", _logit(0.15), 0.20, -0.006, 0.15, _logit(0.10) - _logit(0.15),
                        "decrease", "vacancy share of positions, 15% -> 10%"),
    "supervision": Scenario("supervision", "binomial", _logit(0.5), 0.20, 0.006, -0.10, _logit(0.7), "increase",
                            "reflective supervision share, 50% -> 70% (+20 points)"),
}


def simulate(scenario: Scenario, n_series: int, rng: np.random.Generator, *, effect: bool, rho: float = 0.3,
             n_missing: int = 0) -> tuple[list[pd.DataFrame], list[str]]:
    """``n_series`` data frames (period, y or x/n) and their start months, vectorised over series."""
    s, n = scenario, len(MONTHS)
    t = np.arange(n)
    summer = np.isin(MONTHS.month, [6, 7, 8]).astype(float)
    start = 16 + rng.integers(-2, 3, n_series)
    e = rng.normal(size=(n_series, n))
    u = np.empty((n_series, n))
    u[:, 0] = e[:, 0]
    for i in range(1, n):
        u[:, i] = rho * u[:, i - 1] + math.sqrt(1 - rho ** 2) * e[:, i]
    post = t[None, :] >= start[:, None]
    eta = (s.base + s.trend * (t - (n - 1) / 2) + s.summer * summer)[None, :] + s.sd * u
    eta = eta + (s.effect if effect else 0.0) * post
    size = rng.integers(20, 121, n_series)[:, None] * np.ones((1, n))  # staff or funded positions
    if s.kind == "gaussian":
        respondents = np.maximum(np.round(0.6 * size), 3)
        cols = {"y": eta + rng.normal(size=(n_series, n)) * 0.5 / np.sqrt(respondents)}
    elif s.kind == "poisson":
        exposure = np.round(size * rng.uniform(0.95, 1.05, size.shape), 1)  # staff-months
        lam = np.exp(eta) * exposure
        cols = {"x": rng.poisson(rng.gamma(10.0, lam / 10.0)).astype(float), "n": exposure}
    else:
        p = 1 / (1 + np.exp(-eta))
        k = 1 / 0.02 - 1  # beta-binomial with intra-class correlation 0.02
        cols = {"x": rng.binomial(size.astype(int), rng.beta(p * k, (1 - p) * k)).astype(float), "n": size}
    frames = []
    for i in range(n_series):
        d = pd.DataFrame({"period": MONTHS, **{c: v[i] for c, v in cols.items()}})
        if n_missing:
            d = d.drop(index=rng.choice(n, n_missing, replace=False)).reset_index(drop=True)
        frames.append(d)
    return frames, [f"{MONTHS[k]:%Y-%m}" for k in start]


def columns(kind: str) -> dict:
    return {"value": "y"} if kind == "gaussian" else {"numerator": "x", "denominator": "n"}


def evaluate(scenario: Scenario, n_series: int, seed: int, *, effect: bool, fit=None, term: str = "average_effect",
             rho: float = 0.3, n_missing: int = 0, **kwargs) -> dict:
    """Coverage, share wholly on the improvement side, median width for one scenario."""
    fit = fit or interrupted_time_series
    frames, starts = simulate(scenario, n_series, np.random.default_rng(seed), effect=effect, rho=rho,
                              n_missing=n_missing)
    ratio = scenario.kind != "gaussian"
    truth = (math.exp(scenario.effect) if ratio else scenario.effect) if effect else (1.0 if ratio else 0.0)
    null = 1.0 if ratio else 0.0
    cover = better = 0
    widths = []
    for d, start in zip(frames, starts):
        r = fit(d, start=start, kind=scenario.kind, **columns(scenario.kind), **kwargs)
        row = r.term(term)
        lo, hi = float(row["ci_low"]), float(row["ci_high"])
        cover += lo <= truth <= hi
        better += (lo > null) if scenario.direction == "increase" else (hi < null)
        widths.append(math.log(hi / lo) if ratio else hi - lo)
    return {"coverage": cover / n_series, "improvement": better / n_series, "width": float(np.median(widths))}


class PreSlopeTest:
    """The rejected alternative: a pre-period slope test (quasi-likelihood, p < alpha) picks the model.

    Segmented regression when the months before the start support a slope, otherwise a level change
    with no trend (what a "fit a trend only if there is one" rule does).
    """

    def __init__(self, alpha: float = 0.01):
        self.alpha = alpha

    def __call__(self, d, *, start, kind, **cols):
        pre = d[d["period"] < pd.Timestamp(start)]
        t = np.arange(len(d))[: len(pre)].astype(float)
        X = sm.add_constant(t)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind == "gaussian":
                res = sm.OLS(pre["y"].to_numpy(), X).fit()
            elif kind == "poisson":
                res = sm.GLM(pre["x"].to_numpy(), X, family=sm.families.Poisson(),
                             offset=np.log(pre["n"].to_numpy())).fit(scale="X2")
            else:
                res = sm.GLM((pre["x"] / pre["n"]).to_numpy(), X, family=sm.families.Binomial(),
                             var_weights=pre["n"].to_numpy()).fit(scale="X2")
        model = "segmented" if float(res.pvalues[1]) < self.alpha else "no_trend"
        return interrupted_time_series(d, start=start, kind=kind, model=model, **cols)


def load_before(rev: str):
    """interrupted_time_series of evalkit/effects.py at git revision ``rev`` (for the before/after table)."""
    src = subprocess.run(["git", "show", f"{rev}:evalkit/effects.py"], cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout
    path = Path(tempfile.mkdtemp()) / "effects_before.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("_effects_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["_effects_before"] = module
    spec.loader.exec_module(module)
    return module.interrupted_time_series


def table(title: str, n_series: int, seed: int, scenarios=SCENARIOS.values(), **kwargs) -> pd.DataFrame:
    t0 = time.perf_counter()
    rows = []
    for k, s in enumerate(scenarios):
        null = evaluate(s, n_series, seed + 2 * k, effect=False, **kwargs)
        eff = evaluate(s, n_series, seed + 2 * k + 1, effect=True, **kwargs)
        rows.append({"scenario": s.name, "kind": s.kind, "coverage (no change)": null["coverage"],
                     "coverage (effect)": eff["coverage"], "false improvement": null["improvement"],
                     "power": eff["improvement"], "median width": eff["width"]})
    out = pd.DataFrame(rows)
    print(f"\n{title}  [{n_series} series per cell, {time.perf_counter() - t0:.0f} s]")
    print(out.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n_series", nargs="?", type=int, default=500)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--alternatives", action="store_true", help="also the models and error methods not chosen")
    ap.add_argument("--before", metavar="REV", help="also evalkit/effects.py of this git revision")
    a = ap.parse_args(argv)
    n, seed = a.n_series, a.seed
    print("Interrupted time series calibration: 36 months, start 16 ± 2, AR(1) ρ = 0.3 on the linear scale, "
          "summer peak, secular trend towards improvement, over-dispersed counts (denominators 20–120).")
    for s in SCENARIOS.values():
        print(f"  {s.name:<12} {s.kind:<9} {s.label}")
    print("Headline term: average_effect (95% CI). Targets: coverage ≥ 0.90, false improvement ≤ 0.10 "
          "(ideally ≤ 0.05).")
    table("DEFAULT: model='level', errors='ar1'", n, seed)
    if a.before:
        table(f"BEFORE ({a.before}): segmented model, effect_at_horizon (12 months)", n, seed,
              fit=load_before(a.before), term="effect_at_horizon")
    if a.alternatives:
        table("model='segmented' (average_effect), errors='ar1'", n, seed, model="segmented")
        table("model='segmented', effect_at_horizon (12 months), errors='ar1'", n, seed, model="segmented",
              term="effect_at_horizon")
        table("model='no_trend', errors='ar1'", n, seed, model="no_trend")
        table("pre-period slope test (p < 0.01): segmented if supported, else no_trend", n, seed,
              fit=PreSlopeTest(0.01))
        table("model='level', errors='hac' (Newey–West, 3 months, OLS/quasi floor)", n, seed, errors="hac")
        glm = [s for s in SCENARIOS.values() if s.kind != "gaussian"]
        table("model='level', errors='quasi' (GLMs only)", n, seed, scenarios=glm, errors="quasi")
        table("model='level', errors='model' (gaussian: OLS)", n, seed, scenarios=[SCENARIOS["wellbeing"]],
              errors="model")
        wb = [SCENARIOS["wellbeing"], SCENARIOS["supervision"]]
        table("default, AR(1) ρ = 0 (independent months)", n, seed, scenarios=wb, rho=0.0)
        table("default, AR(1) ρ = 0.6", n, seed, scenarios=wb, rho=0.6)
        table("default, 4 random months missing", n, seed, scenarios=wb, n_missing=4)
        table("errors='hac', 4 random months missing", n, seed, scenarios=wb, n_missing=4, errors="hac")
        strong = [replace(SCENARIOS[k], sd=0.3) for k in ("vacancy", "supervision")]
        table("default (errors='ar1'), binomial with latent SD 0.3 and AR(1) ρ = 0.6", n, seed, scenarios=strong,
              rho=0.6)
        table("errors='quasi', binomial with latent SD 0.3 and AR(1) ρ = 0.6", n, seed, scenarios=strong, rho=0.6,
              errors="quasi")


if __name__ == "__main__":
    main()
