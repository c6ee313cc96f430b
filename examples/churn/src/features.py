"""Shared code for train.py and evaluate.py (standard library only).

- ``load_params``: a tiny parser for the flat ``key: value`` subset of YAML used
  by params.yaml (PyYAML is not in the standard library).
- ``read_rows``: reads a churn CSV with the csv module.
- ``fit_stats`` / ``encode``: turn rows into feature vectors; numeric columns
  are standardised with statistics computed on the training set (saved in the
  model so evaluation uses the same scaling), categorical columns are one-hot.
- ``sigmoid``, ``log_loss``, ``classification_metrics``: the model's maths.
"""

import csv
import math

NUMERIC = ["tenure", "monthly_charges", "support_calls"]
CATEGORICAL = {"plan": ["basic", "plus", "pro"], "contract": ["month", "year"]}
LABEL = "churned"


# ----------------------------------------------------------------- parameters

def _parse_scalar(text):
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    lower = text.lower()
    if lower == "true":
        return True
    if lower == "false":
        return False
    if lower in ("null", "~", ""):
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _strip_comment(line):
    """Remove a '# comment' that is not inside quotes (YAML needs a space before '#')."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def parse_params(text):
    """Parse flat YAML: ``key: value`` lines, comments, blank lines, ``---``.

    Values become int, float, bool (true/false), None (null, ~ or empty) or
    str (quoted or bare).  Nesting, lists and duplicate keys are rejected with
    a ValueError naming the line, rather than being silently misread.
    """
    params = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw).rstrip()
        if not line.strip() or line.strip() in ("---", "..."):
            continue
        if line[0] in " \t":
            raise ValueError("line %d: nested values are not supported: %r" % (number, raw))
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or not key:
            raise ValueError("line %d: expected 'key: value': %r" % (number, raw))
        if len(key) >= 2 and key[0] == key[-1] and key[0] in "\"'":
            key = key[1:-1]
        if key in params:
            raise ValueError("line %d: duplicate key %r" % (number, key))
        value = value.strip()
        if value[:1] in ("[", "{", "|", ">", "&", "*", "!"):
            raise ValueError("line %d: only plain scalar values are supported: %r" % (number, raw))
        params[key] = _parse_scalar(value)
    return params


def load_params(path="params.yaml"):
    with open(path, encoding="utf-8") as f:
        return parse_params(f.read())


# ------------------------------------------------------------------- features

def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def label(row):
    value = row[LABEL].strip().lower()
    if value not in ("true", "false"):
        raise ValueError("churned must be true or false, got %r" % row[LABEL])
    return 1 if value == "true" else 0


def fit_stats(rows):
    """Mean and (population) standard deviation of each numeric column."""
    stats = {}
    for name in NUMERIC:
        values = [float(row[name]) for row in rows]
        mean = math.fsum(values) / len(values)
        var = math.fsum((v - mean) ** 2 for v in values) / len(values)
        std = math.sqrt(var)
        stats[name] = {"mean": mean, "std": std if std > 0 else 1.0}
    return stats


def feature_names():
    names = list(NUMERIC)
    for column, levels in CATEGORICAL.items():
        names.extend("%s=%s" % (column, level) for level in levels)
    return names


def encode(row, stats):
    """One row -> feature vector (standardised numerics, then one-hot categoricals)."""
    vector = [(float(row[name]) - stats[name]["mean"]) / stats[name]["std"] for name in NUMERIC]
    for column, levels in CATEGORICAL.items():
        value = row[column]
        if value not in levels:
            raise ValueError("unknown %s %r (expected one of %s)" % (column, value, levels))
        vector.extend(1.0 if value == level else 0.0 for level in levels)
    return vector


def dataset(rows, stats):
    return [encode(row, stats) for row in rows], [label(row) for row in rows]


# ---------------------------------------------------------------------- maths
# Float sums use math.fsum (correctly rounded) rather than sum(): Python 3.12
# changed sum() of floats to compensated summation, so sum() would give
# last-bit differences between 3.11 and 3.12 and models would not be
# byte-identical across interpreters.

def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def predict_proba(weights, bias, x):
    return sigmoid(math.fsum([bias] + [w * v for w, v in zip(weights, x)]))


def log_loss(y_true, probs, eps=1e-12):
    terms = []
    for y, p in zip(y_true, probs):
        p = min(max(p, eps), 1.0 - eps)
        terms.append(-math.log(p) if y == 1 else -math.log(1.0 - p))
    return math.fsum(terms) / len(y_true)


def classification_metrics(y_true, y_pred):
    """accuracy, precision, recall and f1 of the positive class (1 = churned)."""
    tp = sum(1 for y, p in zip(y_true, y_pred) if y == 1 and p == 1)
    fp = sum(1 for y, p in zip(y_true, y_pred) if y == 0 and p == 1)
    fn = sum(1 for y, p in zip(y_true, y_pred) if y == 1 and p == 0)
    correct = sum(1 for y, p in zip(y_true, y_pred) if y == p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"accuracy": correct / len(y_true), "precision": precision,
            "recall": recall, "f1": f1}
