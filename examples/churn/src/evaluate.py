"""Evaluate the trained churn model on the held-out test set.

Run from the project folder (examples/churn):  python3 src/evaluate.py

Reads   params.yaml (threshold), models/model.json, data/test.csv
Writes  metrics/eval.json  {"accuracy", "precision", "recall", "f1", "loss"}
        where loss is the mean log loss and the others use ``threshold``;
        metrics/confusion.json  one {"actual", "predicted"} per test row and
        metrics/roc.json  {"roc": [{"fpr", "tpr", "threshold"}...]}, the plots
        mlci draws for each run (``plots:`` in mlci.yaml).
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from features import (  # noqa: E402  (import after the sys.path tweak)
    classification_metrics, dataset, load_params, log_loss, predict_proba, read_rows,
)

MODEL_JSON = "models/model.json"
TEST_CSV = "data/test.csv"
METRICS_JSON = "metrics/eval.json"
CONFUSION_JSON = "metrics/confusion.json"
ROC_JSON = "metrics/roc.json"

LABELS = {0: "stayed", 1: "churned"}


def roc_points(y, probs):
    """ROC curve: one point per distinct score, from (0, 0) to (1, 1)."""
    positives = sum(y)
    negatives = len(y) - positives
    pairs = sorted(zip(probs, y), key=lambda pair: -pair[0])
    points = [{"fpr": 0.0, "tpr": 0.0, "threshold": 1.0}]
    tp = fp = 0
    for i, (p, label) in enumerate(pairs):
        if label:
            tp += 1
        else:
            fp += 1
        if i + 1 < len(pairs) and pairs[i + 1][0] == p:
            continue
        points.append({"fpr": round(fp / max(negatives, 1), 6), "tpr": round(tp / max(positives, 1), 6),
                       "threshold": round(p, 6)})
    return points


def write_json(path, obj):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")


def main():
    started = time.monotonic()
    params = load_params("params.yaml")
    threshold = params.get("threshold", 0.5)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) \
            or not 0.0 < threshold < 1.0:
        raise SystemExit("params.yaml: threshold must be a number in (0, 1), got %r" % threshold)

    with open(MODEL_JSON, encoding="utf-8") as f:
        model = json.load(f)
    rows = read_rows(TEST_CSV)
    X, y = dataset(rows, model["stats"])
    probs = [predict_proba(model["weights"], model["bias"], x) for x in X]
    preds = [1 if p >= threshold else 0 for p in probs]

    metrics = classification_metrics(y, preds)
    metrics["loss"] = log_loss(y, probs)
    metrics = {k: round(v, 6) for k, v in metrics.items()}

    os.makedirs(os.path.dirname(METRICS_JSON), exist_ok=True)
    with open(METRICS_JSON, "w", encoding="utf-8", newline="\n") as f:
        json.dump(metrics, f, indent=2, sort_keys=True)
        f.write("\n")
    write_json(CONFUSION_JSON, [{"actual": LABELS[a], "predicted": LABELS[p]} for a, p in zip(y, preds)])
    write_json(ROC_JSON, {"roc": roc_points(y, probs)})
    print("test: %d rows, threshold %g" % (len(y), threshold))
    for key in ("accuracy", "precision", "recall", "f1", "loss"):
        print("  %-9s %.4f" % (key, metrics[key]))
    print("wrote %s in %.2fs" % (METRICS_JSON, time.monotonic() - started))


if __name__ == "__main__":
    main()
