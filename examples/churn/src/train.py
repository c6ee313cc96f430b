"""Train the churn model: logistic regression by batch gradient descent with L2.

Run from the project folder (examples/churn):  python3 src/train.py

Reads   params.yaml (lr, epochs, l2, seed), data/train.csv
Writes  models/model.json          weights, bias and the feature scaling stats
        metrics/train.json         {"loss", "accuracy", "f1"} on the training set
        metrics/train_history.csv  step,loss,accuracy - one row per epoch
        metrics/importances.csv    feature,importance,std - permutation importance
                                   (accuracy drop when one input column is shuffled,
                                   5 seeded repeats) on the training set
Training metrics use the fixed 0.5 decision threshold; params.yaml's
``threshold`` only applies to evaluation.
"""

import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from features import (  # noqa: E402  (import after the sys.path tweak)
    classification_metrics, dataset, feature_names, fit_stats, load_params,
    log_loss, predict_proba, read_rows,
)

TRAIN_CSV = "data/train.csv"
MODEL_JSON = "models/model.json"
METRICS_JSON = "metrics/train.json"
HISTORY_CSV = "metrics/train_history.csv"
IMPORTANCES_CSV = "metrics/importances.csv"
REPEATS = 5


def require(params, key, kind):
    if key not in params:
        raise SystemExit("params.yaml: missing %r" % key)
    value = params[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise SystemExit("params.yaml: %r must be %s, got %r" % (key, kind, value))
    return value


def evaluate_on(weights, bias, X, y, threshold=0.5):
    probs = [predict_proba(weights, bias, x) for x in X]
    preds = [1 if p >= threshold else 0 for p in probs]
    result = classification_metrics(y, preds)
    result["loss"] = log_loss(y, probs)
    return result


def train(X, y, lr, epochs, l2, seed, on_epoch=None):
    """Full-batch gradient descent on mean log loss + (l2 / 2) * ||w||^2.

    Weights start at small seeded random values; the bias at 0.  Returns
    (weights, bias, history) with one {"step", "loss", "accuracy"} per epoch,
    measured after that epoch's update.
    """
    rng = random.Random(seed)
    n, d = len(X), len(X[0])
    weights = [(rng.random() * 2.0 - 1.0) * 0.01 for _ in range(d)]
    bias = 0.0
    history = []
    for epoch in range(1, epochs + 1):
        grad_w = [0.0] * d
        grad_b = 0.0
        for x, target in zip(X, y):
            err = predict_proba(weights, bias, x) - target
            for j in range(d):
                grad_w[j] += err * x[j]
            grad_b += err
        weights = [w - lr * (g / n + l2 * w) for w, g in zip(weights, grad_w)]
        bias -= lr * grad_b / n
        m = evaluate_on(weights, bias, X, y)
        step = {"step": epoch, "loss": m["loss"], "accuracy": m["accuracy"]}
        history.append(step)
        if on_epoch:
            on_epoch(step)
    return weights, bias, history


def permutation_importance(weights, bias, rows, stats, y, seed):
    """Accuracy drop when one input column is shuffled: {column: (mean, std)}."""
    from features import CATEGORICAL, NUMERIC, dataset  # noqa: E402
    base = evaluate_on(weights, bias, dataset(rows, stats)[0], y)["accuracy"]
    rng = random.Random(seed)
    out = {}
    for column in list(NUMERIC) + list(CATEGORICAL):
        drops = []
        for _ in range(REPEATS):
            values = [r[column] for r in rows]
            rng.shuffle(values)
            shuffled = [dict(r, **{column: v}) for r, v in zip(rows, values)]
            drops.append(base - evaluate_on(weights, bias, dataset(shuffled, stats)[0], y)["accuracy"])
        mean = sum(drops) / len(drops)
        std = (sum((d - mean) ** 2 for d in drops) / len(drops)) ** 0.5
        out[column] = (mean, std)
    return out


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


def main():
    started = time.monotonic()
    params = load_params("params.yaml")
    lr = float(require(params, "lr", (int, float)))
    epochs = require(params, "epochs", int)
    l2 = float(require(params, "l2", (int, float)))
    seed = require(params, "seed", int)
    print("params: lr=%g epochs=%d l2=%g seed=%d" % (lr, epochs, l2, seed), flush=True)

    rows = read_rows(TRAIN_CSV)
    stats = fit_stats(rows)
    X, y = dataset(rows, stats)
    print("train: %d rows, %d features, churn rate %.3f"
          % (len(X), len(X[0]), sum(y) / len(y)), flush=True)

    # The history grows one row per epoch while training runs, so mlci shows
    # the loss curve live (it follows the file); the finished file is the same.
    os.makedirs(os.path.dirname(HISTORY_CSV), exist_ok=True)
    history_file = open(HISTORY_CSV, "w", encoding="utf-8", newline="\n")
    history_file.write("step,loss,accuracy\n")

    def progress(step):
        history_file.write("%d,%.6f,%.6f\n" % (step["step"], step["loss"], step["accuracy"]))
        history_file.flush()
        if step["step"] == 1 or step["step"] % 5 == 0 or step["step"] == epochs:
            print("epoch %3d/%d  loss %.4f  accuracy %.4f"
                  % (step["step"], epochs, step["loss"], step["accuracy"]), flush=True)

    try:
        weights, bias, history = train(X, y, lr, epochs, l2, seed, on_epoch=progress)
    finally:
        history_file.close()

    final = evaluate_on(weights, bias, X, y)
    write_json(MODEL_JSON, {
        "type": "logistic_regression",
        "features": feature_names(),
        "weights": weights,
        "bias": bias,
        "stats": stats,
        "params": {"lr": lr, "epochs": epochs, "l2": l2, "seed": seed},
    })
    write_json(METRICS_JSON, {k: round(final[k], 6) for k in ("loss", "accuracy", "f1")})
    importances = permutation_importance(weights, bias, rows, stats, y, seed)
    with open(IMPORTANCES_CSV, "w", encoding="utf-8", newline="\n") as f:
        f.write("feature,importance,std\n")
        for column, (mean, std) in sorted(importances.items(), key=lambda kv: -kv[1][0]):
            f.write("%s,%.6f,%.6f\n" % (column, mean, std))
    print("train metrics: loss %.4f accuracy %.4f f1 %.4f"
          % (final["loss"], final["accuracy"], final["f1"]))
    print("wrote %s, %s, %s, %s in %.2fs"
          % (MODEL_JSON, METRICS_JSON, HISTORY_CSV, IMPORTANCES_CSV, time.monotonic() - started))


if __name__ == "__main__":
    main()
