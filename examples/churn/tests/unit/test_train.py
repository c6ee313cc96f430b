"""Unit tests for the training maths: gradient descent, loss and metrics."""

import math
import os
import sys
import unittest

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src")
sys.path.insert(0, os.path.abspath(SRC))

import features  # noqa: E402
import train  # noqa: E402

# Tiny linearly separable dataset: label 1 exactly when x0 + x1 > 0.
X = [[-2.0, -1.0], [-1.0, -1.5], [-1.5, 0.5], [-0.5, -0.5],
     [2.0, 1.0], [1.0, 1.5], [1.5, -0.5], [0.5, 0.5]]
Y = [0, 0, 0, 0, 1, 1, 1, 1]


class GradientDescentTest(unittest.TestCase):
    def test_loss_decreases_and_separates(self):
        weights, bias, history = train.train(X, Y, lr=0.5, epochs=50, l2=0.0, seed=1)
        losses = [h["loss"] for h in history]
        self.assertEqual(len(history), 50)
        self.assertEqual([h["step"] for h in history], list(range(1, 51)))
        for before, after in zip(losses, losses[1:]):
            self.assertLess(after, before)
        self.assertLess(losses[-1], 0.2)
        self.assertEqual(history[-1]["accuracy"], 1.0)
        preds = [1 if features.predict_proba(weights, bias, x) >= 0.5 else 0 for x in X]
        self.assertEqual(preds, Y)

    def test_same_seed_same_model(self):
        a = train.train(X, Y, lr=0.3, epochs=10, l2=0.01, seed=7)
        b = train.train(X, Y, lr=0.3, epochs=10, l2=0.01, seed=7)
        self.assertEqual(a, b)

    def test_l2_shrinks_weights(self):
        w_free, _, _ = train.train(X, Y, lr=0.5, epochs=200, l2=0.0, seed=1)
        w_l2, _, _ = train.train(X, Y, lr=0.5, epochs=200, l2=0.1, seed=1)
        norm = lambda w: math.sqrt(sum(v * v for v in w))  # noqa: E731
        self.assertLess(norm(w_l2), norm(w_free))


class MetricsTest(unittest.TestCase):
    def test_hand_computed_case(self):
        # tp=2 (i0,i1), fn=1 (i2), fp=1 (i3), tn=2 (i4,i5)
        y_true = [1, 1, 1, 0, 0, 0]
        y_pred = [1, 1, 0, 1, 0, 0]
        m = features.classification_metrics(y_true, y_pred)
        self.assertAlmostEqual(m["accuracy"], 4 / 6)
        self.assertAlmostEqual(m["precision"], 2 / 3)
        self.assertAlmostEqual(m["recall"], 2 / 3)
        self.assertAlmostEqual(m["f1"], 2 / 3)

    def test_unbalanced_case(self):
        # tp=1, fp=3, fn=0 -> precision 1/4, recall 1, f1 = 2*(1/4)/(5/4) = 0.4
        m = features.classification_metrics([1, 0, 0, 0, 0], [1, 1, 1, 1, 0])
        self.assertAlmostEqual(m["precision"], 0.25)
        self.assertAlmostEqual(m["recall"], 1.0)
        self.assertAlmostEqual(m["f1"], 0.4)
        self.assertAlmostEqual(m["accuracy"], 0.4)

    def test_no_positive_predictions(self):
        m = features.classification_metrics([1, 0], [0, 0])
        self.assertEqual((m["precision"], m["recall"], m["f1"]), (0.0, 0.0, 0.0))

    def test_log_loss(self):
        self.assertAlmostEqual(features.log_loss([1, 0], [0.5, 0.5]), math.log(2))
        self.assertAlmostEqual(features.log_loss([1, 0], [0.8, 0.1]),
                               -(math.log(0.8) + math.log(0.9)) / 2)
        # Confident mistakes are clipped, not infinite.
        self.assertTrue(math.isfinite(features.log_loss([1], [0.0])))

    def test_sigmoid_is_stable(self):
        self.assertEqual(features.sigmoid(0), 0.5)
        self.assertAlmostEqual(features.sigmoid(-1000), 0.0)
        self.assertAlmostEqual(features.sigmoid(1000), 1.0)


if __name__ == "__main__":
    unittest.main()
