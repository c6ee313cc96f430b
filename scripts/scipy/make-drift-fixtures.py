#!/usr/bin/python3
"""Reference fixtures for src/core/drift/stats: inputs and scipy's outputs.

Run with Debian's interpreter and packages (python3-scipy 1.10, python3-numpy 1.24):

    /usr/bin/python3 scripts/scipy/make-drift-fixtures.py [--out DIR]

Writes test/fixtures/drift-stats/*.json (or DIR/*.json). Everything comes from
seeded numpy generators, so a rerun with the same scipy/numpy gives identical
files (scripts/scipy/check-drift-fixtures.sh relies on that).

Samples are stored as integers plus a divisor ("scale"): the value is
int / scale, computed the same way (one correctly rounded division) in numpy
and in TypeScript, which keeps the files small and the inputs bit-identical.
Floats are written with repr (round-trip exact); NaN and infinities, which JSON
lacks, are written as the strings "NaN", "Infinity", "-Infinity".

Evidently (not installed here) is reproduced from its source
(evidently/calculations/stattests/{utils,psi,jensenshannon,chisquare_stattest,
wasserstein_distance_norm}.py) with numpy in place of pandas; categories are
iterated in a fixed order instead of Python-set order.
"""
import argparse
import json
import math
import os
import sys
import warnings

import numpy as np
import scipy
from scipy import special, stats
from scipy.spatial import distance

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, '..', '..', 'test', 'fixtures', 'drift-stats'))


def enc(x):
    """JSON-safe value: floats exact via repr, non-finite as strings."""
    if isinstance(x, (list, tuple)):
        return [enc(v) for v in x]
    if isinstance(x, np.ndarray):
        return [enc(v) for v in x.tolist()]
    if isinstance(x, dict):
        return {k: enc(v) for k, v in x.items()}
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if math.isnan(x):
            return 'NaN'
        if math.isinf(x):
            return 'Infinity' if x > 0 else '-Infinity'
        return x
    return x


def write(out, name, description, cases):
    meta = {
        'generator': 'scripts/scipy/make-drift-fixtures.py',
        'scipy': scipy.__version__,
        'numpy': np.__version__,
        'description': description,
    }
    lines = ['{', '"meta": ' + json.dumps(meta, allow_nan=False) + ',', '"cases": [']
    body = [json.dumps(enc(c), allow_nan=False, separators=(',', ':')) for c in cases]
    lines.append(',\n'.join(body))
    lines.append(']', )
    lines.append('}')
    with open(os.path.join(out, name), 'w') as f:
        f.write('\n'.join(lines) + '\n')


def ints(a):
    return [int(v) for v in a]


# --------------------------------------------------------------------------- KS

def ks_case(name, a_int, b_int, scale, method='auto'):
    a = np.asarray(a_int, dtype=np.float64) / scale
    b = np.asarray(b_int, dtype=np.float64) / scale
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        r = stats.ks_2samp(a, b, alternative='two-sided', method=method)
    fell_back = any('Switching to' in str(x.message) or 'not possible' in str(x.message) for x in w)
    if method == 'asymp':
        used = 'asymp'
    else:
        used = 'exact' if method == 'exact' or max(len(a), len(b)) <= 10000 else 'asymp'
        if fell_back:
            used = 'asymp'
    return {
        'name': name, 'scale': scale, 'method': method, 'a': ints(a_int), 'b': ints(b_int),
        'expected': {
            'statistic': float(r.statistic), 'pvalue': float(r.pvalue), 'method': used,
            'exactFellBack': bool(fell_back),
            'statisticLocation': float(r.statistic_location), 'statisticSign': int(r.statistic_sign),
        },
    }


def make_ks(out):
    rng = np.random.default_rng(20240601)

    def normal(n, loc=0.0, sd=1.0, scale=1000):
        return np.rint(rng.normal(loc, sd, n) * scale).astype(np.int64)

    cases = [
        ks_case('n=1 vs 1, equal', [5], [5], 1),
        ks_case('n=1 vs 1, different', [1], [2], 1),
        ks_case('n=1 vs 2', [3], [1, 7], 1),
        ks_case('n=2 vs 3', [1, 4], [2, 3, 9], 1),
        ks_case('n=3 vs 3', [1, 2, 3], [4, 5, 6], 1),
        ks_case('n=3 vs 3 interleaved', [1, 3, 5], [2, 4, 6], 1),
        ks_case('5 vs 7', normal(5), normal(7, 0.5), 1000),
        ks_case('5 vs 7 asymp', normal(5), normal(7, 0.5), 1000, 'asymp'),
        ks_case('5 vs 7 exact', normal(5), normal(7, 1.5), 1000, 'exact'),
        ks_case('ties 30 vs 40 ints 0..4', rng.integers(0, 5, 30), rng.integers(0, 5, 40), 1),
        ks_case('ties 30 vs 40 ints 0..4 shifted', rng.integers(0, 5, 30), rng.integers(1, 6, 40), 1),
        ks_case('ties 200 vs 300 ints 0..9', rng.integers(0, 10, 200), rng.integers(0, 10, 300), 1),
        ks_case('ties 200 vs 300 asymp', rng.integers(0, 10, 200), rng.integers(0, 11, 300), 1, 'asymp'),
    ]
    same = normal(100)
    cases.append(ks_case('identical samples 100', same, same, 1000))
    same2 = rng.integers(0, 3, 64)
    cases.append(ks_case('identical tied samples 64 asymp', same2, same2, 1, 'asymp'))
    cases += [
        ks_case('separated 50 vs 60', rng.integers(0, 1000, 50), rng.integers(2000, 3000, 60), 1000),
        ks_case('separated 50 vs 50', rng.integers(0, 1000, 50), rng.integers(2000, 3000, 50), 1000),
        ks_case('separated 50 vs 60 asymp', rng.integers(0, 1000, 50), rng.integers(2000, 3000, 60), 1000, 'asymp'),
        ks_case('50 vs 60 shift 0.5', normal(50), normal(60, 0.5), 1000),
        ks_case('50 vs 60 same', normal(50), normal(60), 1000),
        ks_case('50 vs 60 same asymp', normal(50), normal(60), 1000, 'asymp'),
        ks_case('100 vs 100 same', normal(100), normal(100), 1000),
        ks_case('100 vs 100 shift 0.3', normal(100), normal(100, 0.3), 1000),
        ks_case('1000 vs 800 same', normal(1000, scale=100), normal(800, scale=100), 100),
        ks_case('1000 vs 800 shift 0.1', normal(1000, scale=100), normal(800, 0.1, scale=100), 100),
        ks_case('1000 vs 800 shift 1', normal(1000, scale=100), normal(800, 1.0, scale=100), 100),
        ks_case('1000 vs 800 separated', rng.integers(0, 100, 1000), rng.integers(200, 300, 800), 100),
        ks_case('1000 vs 1000 shift 0.05', normal(1000, scale=100), normal(1000, 0.05, scale=100), 100),
        ks_case('1000 vs 1000 shift 0.5', normal(1000, scale=100), normal(1000, 0.5, scale=100), 100),
        ks_case('1000 vs 800 shift 0.1 asymp', normal(1000, scale=100), normal(800, 0.1, scale=100), 100, 'asymp'),
        ks_case('10000 vs 300 same', normal(10000, scale=100), normal(300, scale=100), 100),
        ks_case('10000 vs 300 shift 0.2', normal(10000, scale=100), normal(300, 0.2, scale=100), 100),
        ks_case('10000 vs 10000 shift 0.03', normal(10000, scale=100), normal(10000, 0.03, scale=100), 100),
        ks_case('10001 vs 50 auto is asymp', normal(10001, scale=100), normal(50, 0.3, scale=100), 100),
        ks_case('10001 vs 200 auto is asymp', normal(10001, scale=100), normal(200, 0.1, scale=100), 100),
        ks_case('20000 vs 15000 same', normal(20000, scale=100), normal(15000, scale=100), 100),
        ks_case('20000 vs 15000 shift 0.05', normal(20000, scale=100), normal(15000, 0.05, scale=100), 100),
        ks_case('20000 vs 15000 separated', rng.integers(0, 100, 20000), rng.integers(200, 300, 15000), 100),
        ks_case('20000 vs 150 shift 0.2', normal(20000, scale=100), normal(150, 0.2, scale=100), 100),
        ks_case('3000 vs 2000 ints exact requested', rng.integers(0, 100, 3000), rng.integers(0, 100, 2000), 1, 'exact'),
        ks_case('12000 vs 9000 exact requested', normal(12000, scale=10), normal(9000, 0.05, scale=10), 10, 'exact'),
        ks_case('46349 vs 46351 exact requested: lcm too big', rng.integers(0, 100, 46349), rng.integers(0, 100, 46351), 1, 'exact'),
    ]
    # Extreme p-values from small shifts in the exact regime.
    cases.append(ks_case('300 vs 200 shift 2', normal(300, scale=100), normal(200, 2.0, scale=100), 100))
    cases.append(ks_case('2000 vs 2000 shift 1.5', normal(2000, scale=100), normal(2000, 1.5, scale=100), 100))
    write(out, 'ks.json', 'scipy.stats.ks_2samp(a/scale, b/scale, alternative="two-sided", method=method)', cases)


def make_kstwo(out):
    cases = []
    ns = [1, 2, 3, 5, 10, 37, 100, 140, 141, 500, 1000, 8571, 100000, 100001, 500000, 2000000]
    for n in ns:
        xs = set()
        for t in [0.3, 0.5, 0.5000001, 0.7, 0.99, 1.0, 1.5, 2.0]:
            xs.add(t / n)
        s_list = [0.01, 0.05, 0.2, 0.5, 0.754, 0.76, 1.0, 1.5, 2.0, 2.19, 2.21, 3.0, 3.99, 4.01, 6.0, 10.0,
                  17.9, 18.1, 50.0, 100.0, 300.0, 369.0, 371.0]
        if 100000 < n <= 1000000:
            # 2*smirnov sums ~n terms here (about a second each in TypeScript): a few suffice.
            s_list = [0.2, 1.0, 2.19, 2.21, 18.1, 371.0]
        for s in s_list:
            xs.add(math.sqrt(s / n))
        for x in [0.1, 0.25, 0.4999, 0.5, 0.6, 0.9, 1 - 1.0 / n, 1 - 0.5 / n, 1.0, 1.2, 0.0]:
            xs.add(x)
        for x in sorted(xs):
            if not (x >= 0):
                continue
            cases.append({'n': n, 'x': x, 'sf': float(stats.kstwo.sf(x, n)), 'cdf': float(stats.kstwo.cdf(x, n))})
    write(out, 'kstwo.json', 'scipy.stats.kstwo.sf(x, n) and .cdf(x, n)', cases)


def make_smirnov(out):
    cases = []
    rng = np.random.default_rng(7)
    for n in [1, 2, 3, 5, 10, 11, 50, 100, 1000, 1012, 1013, 5000, 10000, 100000, 1000000, 1000001]:
        xs = {0.0, 1.0, 0.5, 1.0 / n, 2.0 / n, 1 - 1.0 / n, 0.5 / math.sqrt(n), 0.3 / math.sqrt(n), 1.0 / math.sqrt(n),
              2.0 / math.sqrt(n), 5.0 / math.sqrt(n), 10 / math.sqrt(n), 19 / math.sqrt(n)}
        xs |= set(float(v) for v in rng.uniform(0, 1, 6))
        xs |= set(float(v) for v in rng.uniform(0, 3 / math.sqrt(n), 6))
        if n == 1000000:
            # The largest n that is summed (~n terms, seconds in TypeScript): keep three points.
            xs = {1.0 / n, 2.0 / math.sqrt(n), 0.99}
        for x in sorted(xs):
            if 0 <= x <= 1:
                cases.append({'n': n, 'x': x, 'sf': float(special.smirnov(n, x))})
    # Around cephes' MINLOG underflow cut.
    for n, x in [(1000, 0.58), (2000, 0.42), (2000, 0.421), (5000, 0.266), (5000, 0.2662), (5000, 0.27),
                 (5000, 0.2727), (5000, 0.273)]:
        cases.append({'n': n, 'x': x, 'sf': float(special.smirnov(n, x))})
    write(out, 'smirnov.json', 'scipy.special.smirnov(n, x)', cases)


# ------------------------------------------------------------------ chi-square

def make_chisquare(out):
    rng = np.random.default_rng(99)
    cases = []

    def add(name, obs, exp, ddof=0):
        obs = [float(v) for v in obs]
        exp = [float(v) for v in exp]
        try:
            with np.errstate(all='ignore'):
                r = stats.chisquare(obs, exp, ddof=ddof)
            cases.append({'name': name, 'observed': obs, 'expected': exp, 'ddof': ddof,
                          'result': {'statistic': float(r.statistic), 'pvalue': float(r.pvalue),
                                     'dof': len(obs) - 1 - ddof}})
        except ValueError as e:
            cases.append({'name': name, 'observed': obs, 'expected': exp, 'ddof': ddof, 'error': str(e).split('\n')[0]})

    for k in [2, 3, 5, 8, 9, 17, 40, 130, 300]:
        p = rng.dirichlet(np.ones(k))
        n = int(rng.integers(50, 5000))
        obs = rng.multinomial(n, p)
        add(f'k={k} null', obs, p * n)
        q = rng.dirichlet(np.ones(k))
        obs2 = rng.multinomial(n, q)
        add(f'k={k} drifted', obs2, p * n)
    add('dof 1 small', [10, 20], [15, 15])
    add('perfect fit p=1', [5, 5, 5], [5, 5, 5])
    add('huge statistic', [100000, 0, 0], [33333.5, 33333.25, 33333.25])
    add('deep tail', [5000, 4000, 1000], [3333.5, 3333.5, 3333])
    add('zero expected, positive observed', [3, 4, 3], [5, 5, 0])
    add('zero expected, zero observed', [5, 5, 0], [5, 5, 0])
    add('single category (dof 0)', [7], [7])
    add('ddof 1', [10, 14, 30, 26], [20, 20, 20, 20], 1)
    add('totals disagree', [10, 10], [10, 11])
    # (x, dof) grid for the p-value alone: fixed points plus quantiles from 0.99 down to 1e-300, so every
    # regime of cephes igamc (series, continued fraction, uniform asymptotics for large dof) is covered.
    for dof in [1, 2, 3, 4, 5, 7, 10, 15, 30, 41, 100, 150, 199, 200, 401, 1000, 2000, 10000]:
        xs = [1e-8, 0.01, 0.5, 1.0, 2.2, dof * 0.5, float(dof), dof + 3 * math.sqrt(2 * dof), 2.0 * dof + 20,
              5.0 * dof + 100, 10.0 * dof + 500, 1500.0]
        for q in [0.99, 0.9, 0.5, 0.3, 0.1, 0.05, 0.01, 1e-3, 1e-6, 1e-12, 1e-30, 1e-100, 1e-300]:
            xs.append(float(special.chdtri(dof, q)))
        for x in xs:
            if math.isfinite(x) and x > 0:
                cases.append({'name': f'chi2.sf x={x!r} dof={dof}', 'sf': {'x': x, 'dof': dof, 'p': float(stats.chi2.sf(x, dof))}})
    write(out, 'chisquare.json', 'scipy.stats.chisquare(observed, expected, ddof) and scipy.stats.chi2.sf(x, dof)', cases)


def make_contingency(out):
    rng = np.random.default_rng(5)
    cases = []

    def add(name, table, correction=True):
        t = np.asarray(table)
        try:
            r = stats.chi2_contingency(t, correction=correction)
            cases.append({'name': name, 'table': t.tolist(), 'correction': correction,
                          'result': {'statistic': float(r.statistic), 'pvalue': float(r.pvalue), 'dof': int(r.dof),
                                     'expected': np.asarray(r.expected_freq, dtype=float).tolist()}})
        except ValueError as e:
            cases.append({'name': name, 'table': t.tolist(), 'correction': correction, 'error': str(e)})

    add('2x2 Yates', [[12, 5], [7, 9]])
    add('2x2 no correction', [[12, 5], [7, 9]], False)
    add('2x2 tiny difference (correction capped)', [[10, 10], [10, 11]])
    add('2x2 large', [[120000, 80000], [118000, 82000]])
    add('2x1 dof 0', [[5], [9]])
    add('2x3', [[10, 20, 30], [15, 15, 30]])
    add('zero column', [[0, 5, 7], [0, 3, 9]])
    for k in [3, 5, 9, 20, 64]:
        p = rng.dirichlet(np.ones(k))
        q = rng.dirichlet(np.ones(k))
        a = rng.multinomial(int(rng.integers(200, 100000)), p)
        b = rng.multinomial(int(rng.integers(200, 100000)), p)
        c = rng.multinomial(int(rng.integers(200, 100000)), q)
        a = np.maximum(a, 1)
        add(f'2x{k} null', [a.tolist(), b.tolist()])
        add(f'2x{k} drifted', [a.tolist(), c.tolist()])
    add('3x4', [[10, 12, 30, 4], [8, 20, 25, 9], [30, 1, 5, 12]])
    add('2x2 extreme', [[100000, 1], [1, 100000]])
    write(out, 'contingency.json', 'scipy.stats.chi2_contingency(table, correction)', cases)


# ----------------------------------------------------------- distances / Evidently

def get_binned_data(ref, cur, fill_zeroes):
    """Evidently utils.get_binned_data for a numerical column, numpy in place of pandas."""
    n_vals = len(np.unique(ref))
    if n_vals > 20:
        bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins='sturges')
        rp = np.histogram(ref, bins)[0] / len(ref)
        cp = np.histogram(cur, bins)[0] / len(cur)
        kind, keys = 'histogram', bins
    else:
        keys = sorted(set(ref.tolist()) | set(cur.tolist()))
        rd = {**dict.fromkeys(keys, 0), **{k: int(v) for k, v in zip(*np.unique(ref, return_counts=True))}}
        cd = {**dict.fromkeys(keys, 0), **{k: int(v) for k, v in zip(*np.unique(cur, return_counts=True))}}
        rp = np.array([rd[k] / len(ref) for k in keys])
        cp = np.array([cd[k] / len(cur) for k in keys])
        kind = 'values'
    if fill_zeroes:
        fill_zero(rp)
        fill_zero(cp)
    return kind, np.asarray(keys, dtype=float), rp, cp


def fill_zero(p):
    np.place(p, p == 0, min(p[p != 0]) / 10**6 if min(p[p != 0]) <= 0.0001 else 0.0001)


def evidently_psi(rp, cp):
    psi_value = 0
    for i, _ in enumerate(rp):
        psi_value += (rp[i] - cp[i]) * np.log(rp[i] / cp[i])
    return float(psi_value)


def make_wasserstein(out):
    rng = np.random.default_rng(11)
    cases = []

    def add(name, u_int, v_int, scale):
        u = np.asarray(u_int, dtype=float) / scale
        v = np.asarray(v_int, dtype=float) / scale
        wd = stats.wasserstein_distance(u, v)
        std = np.std(u)
        cases.append({'name': name, 'scale': scale, 'u': ints(u_int), 'v': ints(v_int),
                      'result': {'distance': float(wd), 'referenceStd': float(std),
                                 'normed': float(wd / max(std, 0.001))}})

    add('1 vs 1', [3], [7], 1)
    add('ties ints 0..4', rng.integers(0, 5, 40), rng.integers(0, 5, 33), 1)
    add('ties ints 0..2 with equal', rng.integers(0, 3, 9), rng.integers(0, 3, 9), 1)
    add('identical', [1, 2, 2, 3], [1, 2, 2, 3], 1)
    add('constant reference (norm floor)', [5, 5, 5, 5], [5, 6, 7], 1)
    add('separated', rng.integers(0, 100, 25), rng.integers(500, 600, 31), 10)
    add('negative values', rng.integers(-1000, 0, 50), rng.integers(-500, 500, 70), 100)
    add('normal 1000 vs 700', np.rint(rng.normal(0, 1, 1000) * 1000), np.rint(rng.normal(0.2, 1.1, 700) * 1000), 1000)
    add('normal 12000 vs 9000', np.rint(rng.normal(0, 1, 12000) * 100), np.rint(rng.normal(0.1, 1, 9000) * 100), 100)
    write(out, 'wasserstein.json', 'scipy.stats.wasserstein_distance(u, v), np.std(u), Evidently normed distance', cases)


def make_jensenshannon(out):
    rng = np.random.default_rng(13)
    cases = []

    def add(name, p, q, base=2.0):
        p = [float(v) for v in p]
        q = [float(v) for v in q]
        with np.errstate(all='ignore'):
            d = distance.jensenshannon(p, q, base)
        cases.append({'name': name, 'p': p, 'q': q, 'base': base, 'distance': float(d)})

    add('equal', [0.2, 0.3, 0.5], [0.2, 0.3, 0.5])
    add('disjoint', [0.5, 0.5, 0, 0], [0, 0, 0.3, 0.7])
    add('zeros in p', [0, 1, 2, 0, 5], [1, 1, 1, 1, 1])
    add('counts not normalised', [10, 20, 30], [30, 20, 10])
    add('natural log', [1, 2, 3], [3, 2, 1], None)
    add('base 10', [1, 2, 3], [3, 2, 1], 10.0)
    add('all zero p (NaN)', [0, 0, 0], [1, 2, 3])
    for k in [2, 7, 8, 9, 31, 200]:
        add(f'dirichlet k={k}', rng.dirichlet(np.ones(k)), rng.dirichlet(np.ones(k)))
    write(out, 'jensenshannon.json', 'scipy.spatial.distance.jensenshannon(p, q, base)', cases)


def make_binned(out):
    """Evidently PSI / Jensen-Shannon on numeric and categorical columns."""
    rng = np.random.default_rng(17)
    cases = []

    def add_num(name, r_int, c_int, scale):
        ref = np.asarray(r_int, dtype=float) / scale
        cur = np.asarray(c_int, dtype=float) / scale
        kind, keys, rp, cp = get_binned_data(ref, cur, False)
        _, _, frp, fcp = get_binned_data(ref, cur, True)
        cases.append({
            'name': name, 'type': 'numeric', 'scale': scale, 'reference': ints(r_int), 'current': ints(c_int),
            'kind': kind, 'keys': keys, 'refProportions': rp, 'curProportions': cp,
            'refFilled': frp, 'curFilled': fcp,
            'psi': evidently_psi(frp, fcp), 'jensenshannon': float(distance.jensenshannon(rp, cp, 2)),
        })

    def add_cat(name, ref_counts, cur_counts):
        # ref_counts / cur_counts: lists of [category, count] in map order.
        rd = dict(ref_counts)
        cd = dict(cur_counts)
        keys = [k for k, _ in ref_counts] + [k for k, _ in cur_counts if k not in rd]
        rt = sum(rd.values())
        ct = sum(cd.values())
        rp = np.array([rd.get(k, 0) / rt for k in keys])
        cp = np.array([cd.get(k, 0) / ct for k in keys])
        frp, fcp = rp.copy(), cp.copy()
        fill_zero(frp)
        fill_zero(fcp)
        k_norm = ct / rt
        f_exp = [rd.get(k, 0) * k_norm for k in keys]
        f_obs = [cd.get(k, 0) for k in keys]
        with np.errstate(all='ignore'):
            chi = stats.chisquare(f_obs, f_exp)
        cases.append({
            'name': name, 'type': 'categorical', 'reference': ref_counts, 'current': cur_counts, 'keys': keys,
            'refProportions': rp, 'curProportions': cp, 'refFilled': frp, 'curFilled': fcp,
            'psi': evidently_psi(frp, fcp), 'jensenshannon': float(distance.jensenshannon(rp, cp, 2)),
            'chisquare': {'statistic': float(chi.statistic), 'pvalue': float(chi.pvalue), 'dof': len(keys) - 1},
        })

    add_num('normal 500 vs 400 (sturges bins)', np.rint(rng.normal(0, 1, 500) * 1000), np.rint(rng.normal(0.3, 1, 400) * 1000), 1000)
    add_num('normal 2048 vs 2048 (power of two total)', np.rint(rng.normal(0, 1, 2048) * 1000), np.rint(rng.normal(0, 1.2, 2048) * 1000), 1000)
    add_num('current outside reference range', rng.integers(0, 1000, 300), rng.integers(800, 3000, 200), 100)
    add_num('empty bins (PSI fill)', np.concatenate([rng.integers(0, 100, 300), rng.integers(900, 1000, 300)]), rng.integers(400, 600, 50), 10)
    add_num('tiny proportions (fill = min/1e6)', np.rint(rng.normal(0, 1, 20000) * 100), np.rint(rng.normal(0, 1, 30) * 100), 100)
    add_num('few distinct values (categorical path)', rng.integers(0, 6, 200), rng.integers(0, 8, 150), 1)
    add_num('21 distinct values (binned)', rng.integers(0, 21, 500), rng.integers(0, 21, 500), 1)
    add_num('constant reference', [7] * 30, rng.integers(5, 9, 20), 1)
    add_cat('categorical same', [['a', 40], ['b', 30], ['c', 30]], [['a', 400], ['b', 290], ['c', 310]])
    add_cat('categorical drifted', [['a', 40], ['b', 30], ['c', 30]], [['a', 10], ['b', 30], ['c', 60]])
    add_cat('categorical new category in current', [['a', 50], ['b', 50]], [['a', 45], ['b', 40], ['z', 15]])
    add_cat('categorical category gone in current', [['a', 50], ['b', 45], ['c', 5]], [['a', 60], ['b', 40]])
    add_cat('categorical many', [[f'k{i}', int(v)] for i, v in enumerate(rng.integers(1, 1000, 30))],
            [[f'k{i}', int(v)] for i, v in enumerate(rng.integers(1, 1000, 30))])
    write(out, 'binned.json', 'Evidently get_binned_data + psi / jensenshannon / chisquare stat tests', cases)


def make_sums(out):
    """np.sum order: 8192-element blocks, each summed pairwise (see src/core/drift/stats/sum.ts)."""
    rng = np.random.default_rng(23)
    cases = []
    for n in [1, 2, 7, 8, 9, 15, 16, 17, 127, 128, 129, 300, 1000, 8193, 16500]:
        scale = 997
        v = rng.integers(-10**6, 10**6, n)
        a = np.asarray(v, dtype=float) / scale
        cases.append({'n': n, 'scale': scale, 'values': ints(v), 'sum': float(np.sum(a)),
                      'sequential': sum_sequential(a)})
    write(out, 'sums.json', 'np.sum(values/scale) for contiguous float64 arrays; sequential = left-to-right loop', cases)


def sum_sequential(a):
    acc = 0.0
    for x in a.tolist():
        acc += x
    return acc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=DEFAULT_OUT)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    make_ks(args.out)
    make_kstwo(args.out)
    make_smirnov(args.out)
    make_chisquare(args.out)
    make_contingency(args.out)
    make_wasserstein(args.out)
    make_jensenshannon(args.out)
    make_binned(args.out)
    make_sums(args.out)
    total = sum(os.path.getsize(os.path.join(args.out, f)) for f in os.listdir(args.out) if f.endswith('.json'))
    print(f'wrote fixtures to {args.out} ({total} bytes) with scipy {scipy.__version__}, numpy {np.__version__}',
          file=sys.stderr)


if __name__ == '__main__':
    main()
