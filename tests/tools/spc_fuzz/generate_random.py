"""Random SPC cases in the qicharts2 reference-case input format (no qicharts2 code here)."""
import json, sys
import numpy as np

CHARTS = ["run", "i", "mr", "xbar", "s", "t", "p", "pp", "c", "u", "up", "g"]


def r4(a):
    return [None if (v is None or (isinstance(v, float) and np.isnan(v))) else round(float(v), 4) for v in a]


def ints(a):
    return [None if v is None or (isinstance(v, float) and np.isnan(v)) else int(v) for v in a]


def base_series(rng, chart, k, rows_per=1):
    """y (and n) for k subgroups x rows_per rows."""
    m = k * rows_per
    if chart in ("run", "i", "mr", "xbar", "s"):
        mu = rng.choice([0.0, 10.0, 50.0])
        sd = rng.choice([1.0, 3.0])
        y = rng.normal(mu, sd, m)
        if rng.random() < 0.3:  # a shift
            y[m // 2:] += rng.choice([-2, 2]) * sd
        return r4(y), None
    if chart == "t":
        return r4(rng.exponential(rng.choice([5.0, 30.0]), m) + 0.01), None
    if chart == "g":
        return ints(rng.geometric(rng.choice([0.05, 0.2]), m) - 1), None
    if chart == "c":
        return ints(rng.poisson(rng.choice([3, 12]), m)), None
    if chart in ("p", "pp"):
        n = rng.integers(5, 200, m)
        p = rng.choice([0.1, 0.3])
        if chart == "pp":
            p = np.clip(rng.normal(p, 0.06, m), 0.01, 0.9)
        return ints(rng.binomial(n, p)), ints(n)
    if chart in ("u", "up"):
        n = np.round(rng.uniform(0.5, 30, m), 2)
        lam = rng.choice([0.5, 3.0])
        if chart == "up":
            lam = np.clip(rng.normal(lam, lam * 0.4, m), 0.05, None)
        return ints(rng.poisson(lam * n)), [round(float(v), 2) for v in n]
    raise ValueError(chart)


def make_case(cid, seed, chart, opts):
    rng = np.random.default_rng(seed)
    k = opts.get("k", int(rng.integers(8, 36)))
    rows = opts.get("rows", 1)
    if chart in ("xbar", "s") and "rows" not in opts:
        rows = int(rng.choice([3, 4, 5]))
    y, n = base_series(rng, chart, k, rows)
    x = None
    x_type = None
    if rows > 1 or opts.get("x") or opts.get("facet"):
        x = [i // rows + 1 for i in range(k * rows)]
    inp = {"chart": chart}
    exercises = [chart]
    # variable subgroup sizes (xbar/s): drop random rows
    if opts.get("varn") and rows > 1:
        keep = [i for i in range(len(y)) if not (i % rows == rows - 1 and rng.random() < 0.4)]
        y = [y[i] for i in keep]
        x = [x[i] for i in keep]
        n = None if n is None else [n[i] for i in keep]
        exercises.append("variable_subgroups")
    if opts.get("singleton") and rows > 1:  # one subgroup of size 1
        j = int(rng.integers(0, k)) + 1
        idxs = [i for i, v in enumerate(x) if v == j]
        for i in reversed(idxs[1:]):
            del y[i]; del x[i]
            if n is not None:
                del n[i]
        exercises.append("subgroup_size_1")
    if opts.get("empty_group") and x is not None:  # a subgroup whose y are all missing
        j = int(rng.integers(1, k + 1))
        for i, v in enumerate(x):
            if v == j:
                y[i] = None
        exercises.append("all_missing_subgroup")
    if opts.get("na"):
        for _ in range(opts["na"]):
            y[int(rng.integers(0, len(y)))] = None
        exercises.append("na")
    if opts.get("na_n") and n is not None:
        n[int(rng.integers(0, len(n)))] = None
        exercises.append("na_denominator")
    if opts.get("zero_den") and n is not None:
        for _ in range(opts["zero_den"]):
            i = int(rng.integers(0, len(n)))
            n[i] = 0
            if opts.get("zero_den_pos"):
                y[i] = int(rng.integers(1, 4))
            else:
                y[i] = 0
        exercises.append("zero_denominator")
    if opts.get("all_equal"):
        v = y[0] if y[0] is not None else 1
        y = [v] * len(y)
        exercises.append("all_equal")
    if opts.get("ties"):
        y = ints(rng.integers(0, 4, len(y)))
        exercises.append("ties")
    if "zero_y" in opts:
        y[int(rng.integers(0, len(y)))] = opts["zero_y"]
        exercises.append("error_nonpositive")
    inp["y"] = y
    if n is not None:
        inp["n"] = n
    if opts.get("with_n") and n is None:
        inp["n"] = ints(rng.integers(1, 30, len(y)))
        exercises.append("with_n")
    if opts.get("x") == "date" and x is not None:
        start = np.datetime64("2021-01-01")
        months = [np.datetime64("2021-01") + (v - 1) for v in x]
        x = [str(m) + "-01" for m in months]
        x_type = "date"
        exercises.append("date_x")
    elif opts.get("x") == "character" and x is not None:
        labels = ["u%02d" % i for i in range(1, 100)]
        perm = rng.permutation(len(labels))
        x = [labels[perm[v - 1]] for v in x]
        x_type = "character"
        exercises.append("character_x")
    elif opts.get("x") == "unsorted" and x is not None:
        order = rng.permutation(len(x))
        x = [x[i] for i in order]; inp["y"] = [inp["y"][i] for i in order]
        if "n" in inp:
            inp["n"] = [inp["n"][i] for i in order]
        exercises.append("unsorted_x")
    elif opts.get("x") == "gaps" and x is not None:
        x = [v * 3 + 0.5 for v in x]
        exercises.append("numeric_x")
    facet = None
    if opts.get("facet"):
        nf = opts["facet"]
        base = dict(inp)
        ys, ns, xs, fs = [], [], [], []
        for f in range(nf):
            kf = k if not opts.get("facet_uneven") else max(3, k - 4 * f)
            yy, nn = base_series(rng, chart, kf, rows)
            xx = [i // rows + 1 for i in range(kf * rows)]
            if opts.get("na"):
                yy[int(rng.integers(0, len(yy)))] = None
            ys += yy; xs += xx; fs += ["f" + "abc"[f]] * len(yy)
            if nn is not None:
                ns += nn
        inp["y"] = ys
        if ns:
            inp["n"] = ns
        x = xs
        facet = fs
        exercises.append("facets")
    if x is not None:
        inp["x"] = x
    if x_type:
        inp["x_type"] = x_type
    if facet is not None:
        inp["facet"] = facet
    nsub = len(set(x)) if x is not None else len(inp["y"])
    if opts.get("freeze"):
        fz = opts["freeze"] if isinstance(opts["freeze"], int) else int(rng.integers(2, max(3, nsub)))
        inp["freeze"] = fz
        exercises.append("freeze")
    if opts.get("part") == "idx":
        nb = int(rng.integers(1, 3))
        inp["part"] = sorted(set(int(v) for v in rng.integers(2, max(3, nsub - 1), nb)))
        if opts.get("part_odd"):
            inp["part"] = inp["part"] + [0, nsub + 5]
        exercises.append("part")
    elif opts.get("part") == "labels":
        xs_sorted = sorted(set(x)) if x is not None else list(range(1, len(inp["y"]) + 1))
        cut = int(rng.integers(2, max(3, len(xs_sorted) - 1)))
        lab_of = {v: ("before" if i < cut else "after") for i, v in enumerate(xs_sorted)}
        xv = x if x is not None else list(range(1, len(inp["y"]) + 1))
        inp["part"] = [lab_of[v] for v in xv]
        exercises.append("part_labels")
    if opts.get("exclude"):
        ne = opts["exclude"]
        inp["exclude"] = sorted(set(int(v) for v in rng.integers(1, nsub + 1, ne)))
        exercises.append("exclude")
    if opts.get("multiply"):
        inp["multiply"] = opts["multiply"]
        exercises.append("multiply")
    if opts.get("agg"):
        inp["agg_fun"] = opts["agg"]
        exercises.append("agg_" + opts["agg"])
    if "y_neg" in opts:
        inp["y_neg"] = opts["y_neg"]
        exercises.append("y_neg")
    if opts.get("cl") == "scalar":
        vals = [v for v in inp["y"] if v is not None]
        if chart in ("p", "pp", "u", "up") and "n" in inp:
            tot = sum(v for v in inp["n"] if v is not None)
            c = sum(vals) / tot if tot else 0.1
        else:
            c = float(np.median(vals)) if vals else 1.0
        inp["cl"] = round(c * float(rng.choice([0.9, 1.0, 1.1])), 4)
        exercises.append("cl")
    elif opts.get("cl") == "vector":
        vals = [v for v in inp["y"] if v is not None]
        c = float(np.mean(vals)) if vals else 1.0
        inp["cl"] = [round(c, 3) if i < len(inp["y"]) // 2 else round(c * 1.2, 3) for i in range(len(inp["y"]))]
        exercises.append("cl_vector")
    if opts.get("method"):
        inp["method"] = opts["method"]
        exercises.append("method_" + opts["method"])
    if "screened" in opts:
        inp["screened_mr"] = opts["screened"]
        exercises.append("screened" if opts["screened"] else "unscreened")
    title = "fuzz: " + ", ".join(exercises)
    return {"id": cid, "title": title, "exercises": exercises, "seed": seed, "input": inp}


def plan():
    """(chart, opts) recipes; each run with several seeds."""
    P = []
    for ch in CHARTS:
        P += [(ch, {}), (ch, {"freeze": True}), (ch, {"part": "idx"}), (ch, {"part": "labels"}),
              (ch, {"exclude": 2}), (ch, {"na": 2}), (ch, {"facet": 2}), (ch, {"x": "date"}),
              (ch, {"k": int(1)}), (ch, {"k": 2}), (ch, {"k": 5}), (ch, {"multiply": 100}),
              (ch, {"freeze": True, "exclude": 1}), (ch, {"part": "idx", "exclude": 2}),
              (ch, {"x": "character"}), (ch, {"x": "unsorted"}), (ch, {"y_neg": False}),
              (ch, {"part": "idx", "part_odd": True}), (ch, {"facet": 2, "freeze": 8}),
              (ch, {"facet": 3, "part": "idx", "na": 1}), (ch, {"x": "gaps"})]
        if ch not in ("t",):
            P += [(ch, {"all_equal": True})]
        if ch in ("run", "i", "mr", "c", "g"):
            P += [(ch, {"ties": True}), (ch, {"cl": "scalar"}), (ch, {"cl": "scalar", "freeze": True})]
        if ch in ("i", "t", "pp", "up"):
            P += [(ch, {"screened": False}), (ch, {"screened": False, "freeze": True}),
                  (ch, {"screened": True, "na": 2})]
        if ch in ("i", "run"):
            P += [(ch, {"x": True, "rows": 3}), (ch, {"x": True, "rows": 2, "agg": "median"}),
                  (ch, {"x": True, "rows": 3, "agg": "sum"}), (ch, {"rows": 2, "x": True, "na": 3}),
                  (ch, {"y_neg": False, "all_equal": True}), (ch, {"cl": "vector"})]
        if ch == "run":
            P += [(ch, {"with_n": True}), (ch, {"with_n": True, "x": True, "rows": 2}),
                  (ch, {"method": "bestbox", "k": 30}), (ch, {"method": "cutbox", "k": 30}),
                  (ch, {"x": True, "rows": 2, "agg": "sd"})]
        if ch in ("xbar", "s"):
            P += [(ch, {"varn": True}), (ch, {"singleton": True}), (ch, {"varn": True, "empty_group": True}),
                  (ch, {"empty_group": True}), (ch, {"varn": True, "freeze": True}), (ch, {"na": 4}),
                  (ch, {"varn": True, "part": "idx"}), (ch, {"rows": 1})]
        if ch in ("p", "pp", "u", "up"):
            P += [(ch, {"zero_den": 1}), (ch, {"zero_den": 1, "zero_den_pos": True}), (ch, {"na_n": True}),
                  (ch, {"x": True, "rows": 2}), (ch, {"x": "character", "na": 1}),
                  (ch, {"cl": "scalar"}), (ch, {"multiply": 100, "freeze": True})]
        if ch == "c":
            P += [(ch, {"x": True, "rows": 2}), (ch, {"x": True, "rows": 2, "empty_group": True}),
                  (ch, {"with_n": True})]
        if ch == "t":
            P += [(ch, {"zero_y": 0}), (ch, {"zero_y": -1.5})]
        if ch == "g":
            P += [(ch, {"cl": "scalar", "part": "idx"})]
        if ch == "mr":
            P += [(ch, {"screened": False})]
    return P


if __name__ == "__main__":
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    seed0 = int(sys.argv[2]) if len(sys.argv) > 2 else 20260101
    out = []
    for j, (ch, opts) in enumerate(plan()):
        for r in range(reps):
            seed = seed0 + 1000 * j + r
            cid = "fz_%s_%03d_%d" % (ch, j, r)
            out.append(make_case(cid, seed, ch, opts))
    json.dump(out, sys.stdout)
