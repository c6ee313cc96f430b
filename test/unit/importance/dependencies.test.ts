/**
 * Feature dependencies against the reference implementations: the expected
 * numbers were computed by Debian's scipy 1.10 and scikit-learn 1.2 on the
 * same CSV files (scripts/scipy/make-importance-fixtures.py; .ci/run
 * regenerates them and fails when they differ). Data: iris, wine and breast
 * cancer as shipped in python3-sklearn, with a planted leak, a dead column
 * and a constant one.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readTable } from '../../../src/core/data/read';
import { computeDependencies } from '../../../src/core/importance/dependencies';
import type { FeatureImportance, ImportanceReport } from '../../../src/core/importance/types';

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'importance');
const REL = 1e-9;

interface Expected {
  target: string;
  file: string;
  rows: number;
  target_levels: number;
  target_entropy: number;
  features: Record<string, Record<string, number | boolean | null>>;
}

function close(actual: number | undefined, expected: number | null | undefined, what: string): void {
  if (expected === null || expected === undefined) {
    assert.equal(actual, undefined, `${what}: scipy has no value, mlci has ${actual}`);
    return;
  }
  assert.ok(actual !== undefined, `${what}: missing (scipy ${expected})`);
  const tol = REL * Math.max(Math.abs(expected), Math.abs(actual)) + 1e-300;
  assert.ok(Math.abs(actual - expected) <= tol || (expected === 0 && Math.abs(actual) < 1e-15), `${what}: mlci ${actual}, scipy ${expected} (relative difference ${Math.abs(actual - expected) / Math.abs(expected)})`);
}

async function run(name: string): Promise<{ expected: Expected; report: ImportanceReport }> {
  const expected = JSON.parse(readFileSync(path.join(DIR, `${name}.expected.json`), 'utf8')) as Expected;
  const table = await readTable(path.join(DIR, expected.file));
  return { expected, report: computeDependencies(table, { target: expected.target, file: expected.file }) };
}

function check(f: FeatureImportance, e: Record<string, number | boolean | null>): void {
  const w = (m: string) => `${f.feature} ${m}`;
  assert.equal(f.n, e.n, w('n'));
  close(f.importance, e.importance as number, w('importance'));
  close(f.mutualInfo?.value, e.mutual_info as number, w('mutual information'));
  if (e.one_value) {
    assert.match(f.problem ?? '', /one value/);
    return;
  }
  close(f.mutualInfo?.pvalue, e.mutual_info_p as number, w('mutual information p-value (G-test)'));
  assert.equal(f.mutualInfo?.bins, e.bins, w('bins'));
  assert.equal(f.mutualInfo?.dof, e.dof, w('dof'));
  close(f.pearson?.value, e.pearson as number | undefined, w('pearson r'));
  close(f.pearson?.pvalue, e.pearson_p as number | undefined, w('pearson p'));
  close(f.spearman?.value, e.spearman as number | undefined, w('spearman rho'));
  close(f.spearman?.pvalue, e.spearman_p as number | undefined, w('spearman p'));
  close(f.cramersV?.value, e.cramers_v as number | undefined, w("Cramér's V"));
  close(f.cramersV?.pvalue, e.cramers_v_p as number | undefined, w("Cramér's V p"));
}

describe('feature dependencies agree with scipy 1.10 / scikit-learn 1.2', () => {
  for (const name of ['iris', 'wine', 'breast_cancer', 'breast_cancer_area']) {
    it(`${name}: every feature, every measure, at 1e-9 relative`, async () => {
      const { expected, report } = await run(name);
      assert.deepEqual(report.problems, []);
      assert.equal(report.rows, expected.rows);
      assert.equal(report.targetLevels, expected.target_levels);
      close(report.targetEntropy, expected.target_entropy, 'target entropy');
      assert.deepEqual(report.features.map((f) => f.feature).sort(), Object.keys(expected.features).sort());
      for (const f of report.features) check(f, expected.features[f.feature]!);
      // Highest dependency first.
      const scores = report.features.map((f) => f.importance ?? -1);
      assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    });
  }

  it('iris: the planted row id ranks first with a dependency of 1, the noise column is not significant', async () => {
    const { report } = await run('iris');
    assert.equal(report.features[0]!.feature, 'row_id');
    const noise = report.features.find((f) => f.feature === 'noise')!;
    assert.ok(noise.mutualInfo!.pvalue! > 0.05);
  });

  it('wine: a feature with gaps is measured on the rows where it is present', async () => {
    const { report } = await run('wine');
    assert.equal(report.features.find((f) => f.feature === 'magnesium_gaps')!.n, 178 - 25);
  });
});

describe('feature dependencies of a big CSV, read in column groups', () => {
  it('give the same numbers as reading the file whole (breast cancer in 5 groups)', async () => {
    const { measureDependencies } = await import('../../../src/core/importance/measure');
    const file = path.join(DIR, 'breast_cancer.csv');
    const spec = { target: 'diagnosis', format: 'auto' as const, exclude: ['mean area'] };
    const whole = await measureDependencies(file, spec, { file: 'breast_cancer.csv' });
    const grouped = await measureDependencies(file, spec, { file: 'breast_cancer.csv', groupBytes: 25_000 });
    assert.equal(grouped.features.length, 29);
    assert.deepEqual(grouped, whole);
    const noTarget = await measureDependencies(file, { ...spec, target: 'nope' }, { file: 'breast_cancer.csv', groupBytes: 25_000 });
    assert.match(noTarget.problems[0]!, /^target column "nope" is not in breast_cancer\.csv/);
  });
});
