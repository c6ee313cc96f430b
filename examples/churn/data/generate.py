#!/usr/bin/env python3
"""Generate the synthetic customer-churn dataset used by the churn-model example.

Standard library only and fully deterministic: the same seed always produces
byte-identical CSV files (only ``random.Random.random()`` is used, every other
distribution is derived from it here, so results do not depend on the
implementation details of ``random.gauss``/``randint`` across Python versions).

Usage (from the project folder, examples/churn):

    python3 data/generate.py            # seed 7, writes data/train.csv, test.csv, current.csv
    python3 data/generate.py --seed 11  # another seed, same shape

Columns
    customer_id      unique integer (unique across the three files)
    tenure           months as a customer, integer 0..120
    monthly_charges  float, 2 decimals, depends on the plan
    plan             basic | plus | pro
    support_calls    integer, support calls in the last quarter
    contract         month | year
    churned          true | false

Ground truth: a customer churns with probability sigmoid(z) where

    z = -0.4 - 0.09 * tenure + 0.06 * (monthly_charges - 60)
        + 1.1 * support_calls + plan_effect + contract_effect
    plan_effect     = {basic: +0.6, plus: 0.0, pro: -1.0}
    contract_effect = {month: +1.8, year: -1.8}

which is exactly a logistic model of the features, so logistic regression can
learn it: the Bayes-optimal accuracy is about 0.86 and the churn rate about
35% on the reference population; the rest is label noise.

Production shift (data/current.csv only): customers are newer and call support
more often.  Tenure is drawn with a mean of 14 months instead of 32 and support
calls with a Poisson rate of 2.8 instead of 1.3.  The plan and contract mixes,
and the price of each plan, are unchanged, so a drift test flags tenure and
support_calls but not plan or contract.  (The churn rate rises as a
consequence, because the ground-truth model itself is unchanged.)
"""

import argparse
import math
import os
import random

DEFAULT_SEED = 7
HERE = os.path.dirname(os.path.abspath(__file__))

COLUMNS = ["customer_id", "tenure", "monthly_charges", "plan",
           "support_calls", "contract", "churned"]

PLANS = [("basic", 0.45), ("plus", 0.35), ("pro", 0.20)]
PLAN_PRICE = {"basic": (29.0, 5.0), "plus": (59.0, 7.0), "pro": (94.0, 9.0)}
PLAN_EFFECT = {"basic": 0.6, "plus": 0.0, "pro": -1.0}
CONTRACTS = [("month", 0.6), ("year", 0.4)]
CONTRACT_EFFECT = {"month": 1.8, "year": -1.8}

# Populations: (name, rows, tenure mean in months, support calls rate)
REFERENCE = {"tenure_mean": 32.0, "calls_rate": 1.3}
SHIFTED = {"tenure_mean": 14.0, "calls_rate": 2.8}
SPLITS = [
    ("train.csv", 2000, REFERENCE),
    ("test.csv", 500, REFERENCE),
    ("current.csv", 1000, SHIFTED),
]


def gauss(rng, mu, sigma):
    """Box-Muller normal variate from two uniforms (stable across Python versions)."""
    u1 = 1.0 - rng.random()  # (0, 1]
    u2 = rng.random()
    return mu + sigma * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def poisson(rng, lam):
    """Knuth's Poisson sampler; fine for small rates."""
    limit = math.exp(-lam)
    k, p = 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def choice(rng, weighted):
    u = rng.random()
    acc = 0.0
    for value, weight in weighted:
        acc += weight
        if u < acc:
            return value
    return weighted[-1][0]


def churn_probability(tenure, monthly_charges, plan, support_calls, contract):
    z = (-0.4 - 0.09 * tenure + 0.06 * (monthly_charges - 60.0)
         + 1.1 * support_calls + PLAN_EFFECT[plan] + CONTRACT_EFFECT[contract])
    return 1.0 / (1.0 + math.exp(-z))


def make_row(rng, customer_id, population):
    # Tenure: exponential with the population mean, whole months, capped at 120.
    tenure = int(-population["tenure_mean"] * math.log(1.0 - rng.random()))
    tenure = min(tenure, 120)
    plan = choice(rng, PLANS)
    mu, sigma = PLAN_PRICE[plan]
    monthly_charges = round(max(10.0, gauss(rng, mu, sigma)), 2)
    support_calls = poisson(rng, population["calls_rate"])
    contract = choice(rng, CONTRACTS)
    p = churn_probability(tenure, monthly_charges, plan, support_calls, contract)
    churned = rng.random() < p
    return [str(customer_id), str(tenure), "%.2f" % monthly_charges, plan,
            str(support_calls), contract, "true" if churned else "false"]


def generate(seed=DEFAULT_SEED, out_dir=HERE):
    rng = random.Random(seed)
    next_id = 100001
    written = {}
    for filename, rows, population in SPLITS:
        lines = [",".join(COLUMNS)]
        for _ in range(rows):
            lines.append(",".join(make_row(rng, next_id, population)))
            next_id += 1
        path = os.path.join(out_dir, filename)
        # newline="\n": identical bytes on every OS.
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(lines) + "\n")
        written[filename] = rows
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", default=HERE, help="output folder (default: this folder)")
    args = parser.parse_args()
    for filename, rows in generate(args.seed, args.out).items():
        print("wrote %s (%d rows, seed %d)" % (os.path.join(args.out, filename), rows, args.seed))


if __name__ == "__main__":
    main()
