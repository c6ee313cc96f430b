#!/usr/bin/python3
"""Fixtures for mlci's feature dependencies (src/core/importance), computed
with Debian's scipy 1.10 and scikit-learn 1.2 (python3-scipy, python3-sklearn).

Data: the iris, wine and breast cancer data sets that ship inside
python3-sklearn (sklearn/datasets/data/*.csv; scikit-learn is BSD-3-Clause,
the data sets come from the UCI Machine Learning Repository, CC BY 4.0),
written as CSV with a few planted columns:
  - iris: `row_id`, the row number of the file sorted by species (a leak: it
    predicts the target), `noise` (seeded normal numbers: a dead feature),
    `constant` (one value), `petal_size` (a category cut from petal width),
    and the species as names (a categorical target);
  - wine: the class 0/1/2 as a numeric target, `magnesium_gaps` (magnesium
    with every 7th value missing);
  - breast_cancer: 30 features and the 0/1 diagnosis;
  - breast_cancer with `mean area` as a numeric target with many values
    (binned), same CSV.

For each feature, on the rows where the feature and the target are both
present, the references are:
  - mutual information: sklearn.metrics.mutual_info_score(target labels,
    feature labels) in nats; numeric features are binned with
    np.histogram_bin_edges(x, 'sturges') and np.searchsorted(edges, x,
    'right') - 1 clipped to the last bin; the target is labelled by value when
    numeric with <= 50 distinct values, else binned the same way over all
    its present values; its p-value is the G-test,
    scipy.stats.chi2_contingency(table, correction=False,
    lambda_='log-likelihood');
  - importance: mutual information / scipy.stats.entropy(target label counts);
  - numeric feature and numeric target: scipy.stats.pearsonr, spearmanr;
  - categorical feature and class target: Cramér's V
    scipy.stats.contingency.association(table, method='cramer'), p-value of
    chi2_contingency(table, correction=False).

Usage: /usr/bin/python3 scripts/scipy/make-importance-fixtures.py [--out DIR]
(default DIR: test/fixtures/importance). Output is deterministic.
"""
import argparse
import json
import os

import numpy as np
import pandas as pd
import scipy
import sklearn
from scipy import stats
from scipy.stats import contingency as ct
from sklearn import datasets
from sklearn.metrics import mutual_info_score

MAX_NUMERIC_CLASSES = 50


def sturges_codes(x):
    edges = np.histogram_bin_edges(x, bins='sturges')
    return np.clip(np.searchsorted(edges, x, side='right') - 1, 0, len(edges) - 2)


def target_labels(y):
    """Labels over all present target values, NaN where missing."""
    present = y.notna()
    if pd.api.types.is_numeric_dtype(y):
        values = y[present].to_numpy(dtype=float)
        if len(np.unique(values)) <= MAX_NUMERIC_CLASSES:
            labels = values
        else:
            labels = sturges_codes(values).astype(float)
        out = pd.Series(np.nan, index=y.index)
        out[present] = labels
        return out, True
    return y, False


def num(v):
    v = float(v)
    return None if np.isnan(v) else v


def measure(df, target):
    y = df[target]
    ylab, y_numeric = target_labels(y)
    y_classes = (not y_numeric) or y.nunique() <= MAX_NUMERIC_CLASSES
    out = {}
    for name in df.columns:
        if name == target:
            continue
        x = df[name]
        mask = x.notna() & ylab.notna()
        xs = x[mask]
        yl = ylab[mask].to_numpy()
        numeric = pd.api.types.is_numeric_dtype(x)
        xlab = sturges_codes(xs.to_numpy(dtype=float)) if numeric else xs.to_numpy()
        entry = {'n': int(mask.sum())}
        table = pd.crosstab(xlab, yl).to_numpy()
        if table.shape[0] < 2:
            entry['one_value'] = True
            entry['mutual_info'] = 0.0
            entry['importance'] = 0.0
            out[name] = entry
            continue
        mi = mutual_info_score(yl, xlab)
        g = stats.chi2_contingency(table, correction=False, lambda_='log-likelihood')
        entry['mutual_info'] = float(mi)
        entry['mutual_info_p'] = num(g[1])
        entry['bins'] = int(table.shape[0])
        entry['dof'] = int(g[2])
        entry['importance'] = float(mi / stats.entropy(np.unique(yl, return_counts=True)[1]))
        if numeric and y_numeric:
            ys = y[mask].to_numpy(dtype=float)
            xf = xs.to_numpy(dtype=float)
            p = stats.pearsonr(xf, ys)
            s = stats.spearmanr(xf, ys)
            entry['pearson'] = num(p[0])
            entry['pearson_p'] = num(p[1])
            entry['spearman'] = num(s[0])
            entry['spearman_p'] = num(s[1])
        if not numeric and y_classes:
            c = stats.chi2_contingency(table, correction=False)
            entry['cramers_v'] = float(ct.association(table, method='cramer'))
            entry['cramers_v_p'] = num(c[1])
        out[name] = entry
    counts = np.unique(ylab[ylab.notna()].to_numpy(), return_counts=True)[1]
    return {'target': target, 'rows': int(len(df)), 'target_levels': int(len(counts)),
            'target_entropy': float(stats.entropy(counts)), 'features': out}


def iris():
    b = datasets.load_iris(as_frame=True)
    df = b.data.rename(columns=lambda c: c.replace(' (cm)', '').replace(' ', '_'))
    df['species'] = [b.target_names[t] for t in b.target]
    df = df.sort_values('species', kind='stable').reset_index(drop=True)
    df.insert(0, 'row_id', np.arange(len(df)))
    df['noise'] = np.round(np.random.RandomState(0).normal(size=len(df)), 6)
    df['constant'] = 1
    df['petal_size'] = pd.cut(df['petal_width'], [0, 0.6, 1.7, 10], labels=['small', 'medium', 'large']).astype(str)
    return df


def wine():
    b = datasets.load_wine(as_frame=True)
    df = b.data.rename(columns=lambda c: c.replace('/', '_'))
    df['magnesium_gaps'] = df['magnesium'].where(np.arange(len(df)) % 7 != 3)
    df['class'] = b.target
    return df


def breast_cancer():
    b = datasets.load_breast_cancer(as_frame=True)
    df = b.data.copy()
    df['diagnosis'] = b.target
    return df


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'importance'))
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    cases = [('iris', iris(), 'species'), ('wine', wine(), 'class'), ('breast_cancer', breast_cancer(), 'diagnosis'),
             ('breast_cancer_area', None, 'mean area')]
    frames = {}
    for name, df, target in cases:
        if df is None:
            df = frames['breast_cancer']
        else:
            frames[name] = df
            df.to_csv(os.path.join(out, f'{name}.csv'), index=False, float_format='%.10g')
        # Measure what the CSV holds, as mlci will read it.
        data = pd.read_csv(os.path.join(out, f'{"breast_cancer" if name == "breast_cancer_area" else name}.csv'))
        result = measure(data, target)
        result['file'] = f'{"breast_cancer" if name == "breast_cancer_area" else name}.csv'
        result['versions'] = {'scipy': scipy.__version__, 'sklearn': sklearn.__version__, 'numpy': np.__version__}
        with open(os.path.join(out, f'{name}.expected.json'), 'w') as f:
            json.dump(result, f, indent=1, sort_keys=True)
            f.write('\n')


if __name__ == '__main__':
    main()
