"""Unit tests for src/features.py: params parser, feature scaling, encoding."""

import math
import os
import sys
import unittest

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src")
sys.path.insert(0, os.path.abspath(SRC))

import features  # noqa: E402


class ParseParamsTest(unittest.TestCase):
    def test_scalars_and_comments(self):
        text = (
            "# hyperparameters\n"
            "---\n"
            "lr: 0.1          # learning rate\n"
            "epochs: 30\n"
            "l2: 1e-3\n"
            "neg: -2\n"
            "\n"
            "early_stop: true\n"
            "shuffle: False\n"
            "name: churn # trailing comment\n"
            "quoted: \"a # not a comment\"\n"
            "single: '42'\n"
            "nothing: ~\n"
            "empty:\n"
        )
        self.assertEqual(features.parse_params(text), {
            "lr": 0.1, "epochs": 30, "l2": 0.001, "neg": -2,
            "early_stop": True, "shuffle": False, "name": "churn",
            "quoted": "a # not a comment", "single": "42",
            "nothing": None, "empty": None,
        })

    def test_types(self):
        params = features.parse_params("epochs: 30\nlr: 0.5\nflag: true\n")
        self.assertIsInstance(params["epochs"], int)
        self.assertIsInstance(params["lr"], float)
        self.assertIs(params["flag"], True)

    def test_hash_inside_word_is_not_a_comment(self):
        self.assertEqual(features.parse_params("tag: v1#2\n"), {"tag": "v1#2"})

    def test_rejects_nesting_lists_and_duplicates(self):
        for text in ("model:\n  lr: 0.1\n", "features: [a, b]\n",
                     "lr: 0.1\nlr: 0.2\n", "just text\n"):
            with self.assertRaises(ValueError, msg=text):
                features.parse_params(text)

    def test_project_params_file(self):
        here = os.path.dirname(os.path.abspath(__file__))
        params = features.load_params(os.path.join(here, "..", "..", "params.yaml"))
        for key in ("lr", "epochs", "l2", "seed", "threshold"):
            self.assertIn(key, params)
        self.assertIsInstance(params["epochs"], int)
        self.assertIsInstance(params["seed"], int)


def row(tenure, charges, plan="basic", calls=0, contract="month", churned="false"):
    return {"customer_id": "1", "tenure": str(tenure), "monthly_charges": str(charges),
            "plan": plan, "support_calls": str(calls), "contract": contract,
            "churned": churned}


class FeatureTest(unittest.TestCase):
    def test_fit_stats_mean_and_std(self):
        stats = features.fit_stats([row(0, 10, calls=1), row(10, 30, calls=1), row(20, 50, calls=1)])
        self.assertAlmostEqual(stats["tenure"]["mean"], 10.0)
        self.assertAlmostEqual(stats["tenure"]["std"], math.sqrt(200 / 3))
        self.assertAlmostEqual(stats["monthly_charges"]["mean"], 30.0)
        # A constant column gets std 1 instead of dividing by zero.
        self.assertEqual(stats["support_calls"], {"mean": 1.0, "std": 1.0})

    def test_standardised_columns_have_zero_mean_unit_variance(self):
        rows = [row(t, 20 + 3 * t, calls=t % 4) for t in range(0, 50, 7)]
        stats = features.fit_stats(rows)
        X, _ = features.dataset(rows, stats)
        for j in range(len(features.NUMERIC)):
            column = [x[j] for x in X]
            mean = sum(column) / len(column)
            var = sum((v - mean) ** 2 for v in column) / len(column)
            self.assertAlmostEqual(mean, 0.0, places=12)
            self.assertAlmostEqual(var, 1.0, places=12)

    def test_one_hot_and_label(self):
        stats = features.fit_stats([row(0, 10), row(10, 30)])
        x = features.encode(row(5, 20, plan="pro", calls=2, contract="year"), stats)
        self.assertEqual(len(x), len(features.feature_names()))
        # tenure and charges at the train mean; support_calls constant 0 -> std 1.
        self.assertEqual(x[:3], [0.0, 0.0, 2.0])
        self.assertEqual(x[3:], [0.0, 0.0, 1.0, 0.0, 1.0])
        self.assertEqual(features.label(row(1, 1, churned="true")), 1)
        self.assertEqual(features.label(row(1, 1, churned="false")), 0)

    def test_unknown_category_is_an_error(self):
        stats = features.fit_stats([row(0, 10), row(10, 30)])
        with self.assertRaises(ValueError):
            features.encode(row(5, 20, plan="enterprise"), stats)
        with self.assertRaises(ValueError):
            features.label(row(1, 1, churned="maybe"))


if __name__ == "__main__":
    unittest.main()
