#!/usr/bin/python3
"""Expected numbers for the drift end-to-end tests (test/unit/drift/e2e.test.ts).

Run with Debian's interpreter, which has python3-scipy and python3-numpy
(scipy 1.10, numpy 1.24; no pandas needed):

    /usr/bin/python3 scripts/scipy/drift-e2e.py
        reads the committed inputs and writes test/fixtures/drift/expected.json

    /usr/bin/python3 scripts/scipy/drift-e2e.py --split /usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv
        first rebuilds test/fixtures/drift/breast-cancer/{reference,current}.csv
        from scikit-learn's copy of the dataset (see test/fixtures/drift/SOURCE.md)

Every statistic is computed here with scipy the way mlci's drift engine
defines it (Evidently's tests and default test choice, see
src/core/drift/detect/select.ts), from a CSV reader written independently of
mlci's: the tests then compare mlci's report with these numbers.
"""

import argparse
import csv
import json
import math
import os

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "test", "fixtures", "drift")

MISSING = {"", "NA", "N/A", "null", "NULL", "NaN", "None"}  # mlci's (and pandas') default markers
BOOL_WORDS = {"true": 1.0, "yes": 1.0, "false": 0.0, "no": 0.0}

FEATURES = [
    "mean radius", "mean texture", "mean perimeter", "mean area", "mean smoothness",
    "mean compactness", "mean concavity", "mean concave points", "mean symmetry",
    "mean fractal dimension", "radius error", "texture error", "perimeter error", "area error",
    "smoothness error", "compactness error", "concavity error", "concave points error",
    "symmetry error", "fractal dimension error", "worst radius", "worst texture",
    "worst perimeter", "worst area", "worst smoothness", "worst compactness", "worst concavity",
    "worst concave points", "worst symmetry", "worst fractal dimension",
]
SCALED = ["mean texture", "worst smoothness"]  # x1.2 in current: the documented shift
BLANKED = "mean area"  # a missing cell every 25th row on both sides


def split(source):
    """Reference = even rows, current = odd rows of the 569; current has SCALED x 1.2."""
    with open(source, newline="") as f:
        rows = list(csv.reader(f))
    n_samples, n_features = int(rows[0][0]), int(rows[0][1])
    class_names = rows[0][2:]
    data = rows[1:]
    assert len(data) == n_samples and n_features == len(FEATURES), "unexpected breast_cancer.csv layout"
    header = FEATURES + ["target", "diagnosis"]
    out_dir = os.path.join(FIXTURES, "breast-cancer")
    os.makedirs(out_dir, exist_ok=True)
    for name, parity in (("reference.csv", 0), ("current.csv", 1)):
        with open(os.path.join(out_dir, name), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            for i, row in enumerate(data):
                if i % 2 != parity:
                    continue
                values = row[:n_features]
                if parity == 1:
                    for col in SCALED:
                        k = FEATURES.index(col)
                        decimals = len(values[k].split(".")[1]) if "." in values[k] else 0
                        values[k] = repr(round(float(values[k]) * 1.2, decimals + 1))
                if (i // 2) % 25 == 0:
                    values[FEATURES.index(BLANKED)] = ""
                target = row[n_features]
                w.writerow(values + [target, class_names[int(target)]])


# --- reading, as mlci's reader infers types ---------------------------------

def read_columns(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    return {name: [r[i] for r in body] for i, name in enumerate(header)}, len(body)


def is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def kind_of(cells):
    present = [c for c in cells if c not in MISSING]
    if all(is_number(c) for c in present):
        return "number"
    if all(c.strip().lower() in BOOL_WORDS for c in present):
        return "boolean"
    return "category"


def numbers(cells, kind):
    """Non-missing finite values in file order, and how many were dropped."""
    if kind == "boolean":
        vals = [BOOL_WORDS[c.strip().lower()] for c in cells if c not in MISSING]
    else:
        vals = [float(c) for c in cells if c not in MISSING]
    kept = [v for v in vals if math.isfinite(v)]
    return np.array(kept, dtype=np.float64), len(cells) - len(kept)


def value_name(v, kind):
    if kind == "boolean":
        return "true" if v else "false"
    return repr(v)  # only identity and order matter here


def counts_of(cells, kind):
    """Category counts in mlci's order: first appearance for text, ascending for numbers."""
    if kind == "category":
        counts = {}
        for c in cells:
            if c not in MISSING:
                counts[c] = counts.get(c, 0) + 1
        return counts, sum(counts.values()), sum(1 for c in cells if c in MISSING)
    vals, missing = numbers(cells, kind)
    uniq, cnt = np.unique(vals, return_counts=True)
    return {value_name(u, kind): int(n) for u, n in zip(uniq, cnt)}, len(vals), missing


# --- the tests ---------------------------------------------------------------

def aligned(ref, cur):
    keys = list(ref) + [k for k in cur if k not in ref]
    return keys, np.array([ref.get(k, 0) for k in keys], float), np.array([cur.get(k, 0) for k in keys], float)


def chisquare_evidently(ref, cur):
    keys = [k for k in ref if ref[k] > 0 or cur.get(k, 0) > 0] + [k for k in cur if k not in ref and cur[k] > 0]
    k_norm = sum(cur.values()) / sum(ref.values())
    f_exp = [ref.get(k, 0) * k_norm for k in keys]
    f_obs = [cur.get(k, 0) for k in keys]
    with np.errstate(divide="ignore", invalid="ignore"):
        r = stats.chisquare(f_obs, f_exp)
    return float(r.statistic), float(r.pvalue)


def binned(ref, cur, fill):
    """Evidently's get_binned_data for numbers (sturges bins above 20 distinct reference values)."""
    if len(np.unique(ref)) > 20:
        edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        p = np.histogram(ref, edges)[0] / len(ref)
        q = np.histogram(cur, edges)[0] / len(cur)
    else:
        keys = np.unique(np.concatenate([ref, cur]))
        p = np.array([np.sum(ref == k) for k in keys]) / len(ref)
        q = np.array([np.sum(cur == k) for k in keys]) / len(cur)
    if fill:
        p, q = fill_zeroes(p), fill_zeroes(q)
    return p, q


def fill_zeroes(p):
    p = np.array(p, dtype=float)
    m = np.min(p[p != 0])
    p[p == 0] = m / 10 ** 6 if m <= 0.0001 else 0.0001
    return p


def psi(p, q):
    total = 0.0
    for a, b in zip(p, q):
        total += (a - b) * np.log(a / b)
    return float(total)


def run_case(case):
    ref_cols, ref_rows = read_columns(os.path.join(ROOT, case["reference"]))
    cur_cols, cur_rows = read_columns(os.path.join(ROOT, case["current"]))
    settings = case["spec"].get("columns", {})
    exclude = set(case["spec"].get("exclude", []))
    include = case["spec"].get("include")
    out = {}
    for name in ref_cols:
        if name not in cur_cols or name in exclude or (include is not None and name not in include):
            continue
        s = settings.get(name, {})
        if s.get("ignore"):
            continue
        rk, ck = kind_of(ref_cols[name]), kind_of(cur_cols[name])
        if s.get("type") == "category":
            kind = "categorical"
        elif s.get("type") == "number" or (rk == ck == "number"):
            kind = "numeric"
        else:
            kind = "categorical"
        test = s.get("test", "auto")
        col = {"type": kind}
        if kind == "numeric":
            a, ma = numbers(ref_cols[name], rk)
            b, mb = numbers(cur_cols[name], ck)
            distinct = len(np.unique(np.concatenate([a, b])))
            if test == "auto":
                small = len(a) <= 1000
                test = ("ks" if small else "wasserstein") if distinct > 5 else ("chisquare" if small else "jensenshannon")
            col.update(referenceSize=len(a), currentSize=len(b), missing={"reference": ma, "current": mb})
            if test == "ks":
                r = stats.ks_2samp(a, b)
                col.update(statistic=float(r.statistic), pvalue=float(r.pvalue))
            elif test == "wasserstein":
                w = stats.wasserstein_distance(a, b)
                col.update(statistic=float(w), distance=float(w / max(np.std(a), 0.001)))
            elif test == "psi":
                v = psi(*binned(a, b, True))
                col.update(statistic=v, distance=v)
            elif test == "jensenshannon":
                v = float(jensenshannon(*binned(a, b, False), base=2))
                col.update(statistic=v, distance=v)
            elif test == "chisquare":
                ra, _, _ = counts_of(ref_cols[name], rk)
                ca, _, _ = counts_of(cur_cols[name], ck)
                st, p = chisquare_evidently(ra, ca)
                col.update(statistic=st, pvalue=p)
        else:
            # A number column declared a category keeps its numeric order; text keeps first appearance.
            ra, na, ma = counts_of(ref_cols[name], "number" if rk == "number" else ("boolean" if rk == "boolean" else "category"))
            ca, nb, mb = counts_of(cur_cols[name], "number" if ck == "number" else ("boolean" if ck == "boolean" else "category"))
            if test == "auto":
                test = "chisquare" if na <= 1000 else "jensenshannon"
            col.update(referenceSize=na, currentSize=nb, missing={"reference": ma, "current": mb})
            if test == "chisquare":
                st, p = chisquare_evidently(ra, ca)
                col.update(statistic=st, pvalue=p)
            else:
                _, p, q = aligned(ra, ca)
                p, q = p / p.sum(), q / q.sum()
                if test == "psi":
                    v = psi(fill_zeroes(p), fill_zeroes(q))
                else:
                    v = float(jensenshannon(p, q, base=2))
                col.update(statistic=v, distance=v)
        threshold = s.get("threshold", 0.05 if test in ("ks", "chisquare") else 0.1)
        score = col.get("pvalue", col.get("distance"))
        col.update(test=test, threshold=threshold,
                   drifted=bool(score < threshold) if test in ("ks", "chisquare") else bool(score >= threshold))
        out[name] = col
    drifted = sum(1 for c in out.values() if c["drifted"])
    share = case["spec"].get("share", 0.5)
    return {
        "rows": {"reference": ref_rows, "current": cur_rows},
        "driftedShare": drifted / len(out) if out else 0,
        "datasetDrift": bool(out) and drifted / len(out) >= share,
        "columns": out,
    }


CASES = [
    {
        "name": "breast-cancer, default tests",
        "reference": "test/fixtures/drift/breast-cancer/reference.csv",
        "current": "test/fixtures/drift/breast-cancer/current.csv",
        "spec": {"share": 0.5},
    },
    {
        "name": "breast-cancer, every test by name",
        "reference": "test/fixtures/drift/breast-cancer/reference.csv",
        "current": "test/fixtures/drift/breast-cancer/current.csv",
        "spec": {
            "share": 0.3,
            "exclude": ["target"],
            "columns": {
                "mean radius": {"test": "wasserstein"},
                "mean texture": {"test": "psi", "threshold": 0.2},
                "mean perimeter": {"test": "jensenshannon"},
                "mean area": {"test": "ks", "threshold": 0.01},
                "worst smoothness": {"test": "wasserstein", "threshold": 0.05},
                "diagnosis": {"test": "jensenshannon"},
                "texture error": {"test": "psi"},
                "worst radius": {"type": "category", "test": "chisquare"},
                "symmetry error": {"ignore": True},
            },
        },
    },
    {
        "name": "churn example, the pipeline's drift stage",
        "reference": "examples/churn/data/train.csv",
        "current": "examples/churn/data/current.csv",
        "spec": {
            "share": 0.5,
            "columns": {
                "tenure": {"test": "ks", "threshold": 0.05},
                "support_calls": {"test": "ks", "threshold": 0.05},
                "plan": {"test": "chisquare", "threshold": 0.05},
            },
        },
    },
]


def finite(x):
    """JSON has no Infinity/NaN: write them as strings, as mlci's formatJson does."""
    if isinstance(x, float) and not math.isfinite(x):
        return str(x).replace("inf", "Infinity").replace("nan", "NaN")
    if isinstance(x, dict):
        return {k: finite(v) for k, v in x.items()}
    if isinstance(x, list):
        return [finite(v) for v in x]
    return x


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", metavar="BREAST_CANCER_CSV", help="rebuild the breast-cancer inputs from scikit-learn's file first")
    ap.add_argument("--out", default=os.path.join(FIXTURES, "expected.json"))
    args = ap.parse_args()
    if args.split:
        split(args.split)
    import scipy
    result = {
        "generator": "scripts/scipy/drift-e2e.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "cases": [dict(case, expected=run_case(case)) for case in CASES],
    }
    with open(args.out, "w") as f:
        json.dump(finite(result), f, indent=1, allow_nan=False)
        f.write("\n")
    for case in result["cases"]:
        e = case["expected"]
        drifted = [n for n, c in e["columns"].items() if c["drifted"]]
        print("%s: dataset drift %s, drifted %s" % (case["name"], e["datasetDrift"], drifted))


if __name__ == "__main__":
    main()
