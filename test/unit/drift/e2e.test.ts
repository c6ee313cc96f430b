/**
 * End to end on real data: detectDrift on CSV files, every number compared
 * with scipy 1.10 (test/fixtures/drift/expected.json, written by
 * scripts/scipy/drift-e2e.py from the same files with its own CSV reading).
 *
 * Data (test/fixtures/drift/SOURCE.md): scikit-learn's breast-cancer table
 * split into even rows (reference, 285) and odd rows (current, 284), with
 * "mean texture" and "worst smoothness" scaled by 1.2 in current and a
 * missing "mean area" every 25th row on both sides; and the churn example
 * (examples/churn), whose current data has newer customers (lower tenure)
 * who call support more often.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { nodeFiles } from '../../../src/core/node-files';
import { detectDrift } from '../../../src/core/drift/detect';
import type { DriftReport } from '../../../src/core/drift/report';
import type { DriftColumnSpec, DriftSpec } from '../../../src/core/pipeline/model';
import { validatePipeline } from '../../../src/core/pipeline/validate';
import { byName, FIXTURES, REPO } from './helpers';

interface ExpectedColumn {
  type: string; test: string; statistic: number | string; pvalue?: number | string; distance?: number | string;
  threshold: number; drifted: boolean; referenceSize: number; currentSize: number; missing: { reference: number; current: number };
}
interface Case {
  name: string; reference: string; current: string;
  spec: { share?: number; exclude?: string[]; include?: string[]; columns?: Record<string, Partial<DriftColumnSpec>> };
  expected: { rows: { reference: number; current: number }; driftedShare: number; datasetDrift: boolean; columns: Record<string, ExpectedColumn> };
}

const STAT_RTOL = 1e-9;
const P_RTOL = 1e-6;

function num(v: number | string | undefined): number | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'number' ? v : Number(v); // "Infinity", "NaN"
}

function close(actual: number | undefined, expected: number | undefined, rtol: number, what: string): void {
  if (expected === undefined) {
    assert.equal(actual, undefined, `${what}: not expected`);
    return;
  }
  assert.ok(actual !== undefined, `${what}: missing`);
  if (Number.isNaN(expected) || !Number.isFinite(expected) || expected === 0) {
    assert.ok(Object.is(actual, expected), `${what}: ${actual} vs scipy ${expected}`);
    return;
  }
  const rel = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(rel <= rtol, `${what}: ${actual} vs scipy ${expected} (relative error ${rel.toExponential(2)} > ${rtol})`);
}

function toSpec(s: Case['spec']): DriftSpec {
  const columns: Record<string, DriftColumnSpec> = {};
  for (const [name, c] of Object.entries(s.columns ?? {})) columns[name] = { test: 'auto', ...c };
  const spec: DriftSpec = { share: s.share ?? 0.5, columns, exclude: s.exclude ?? [], format: 'auto' };
  if (s.include) spec.include = s.include;
  return spec;
}

function compare(report: DriftReport, c: Case): void {
  const e = c.expected;
  assert.deepEqual(report.columns.map((col) => col.name), Object.keys(e.columns), 'the columns tested');
  assert.equal(report.reference.rows, e.rows.reference);
  assert.equal(report.current.rows, e.rows.current);
  for (const col of report.columns) {
    const x = e.columns[col.name]!;
    const where = `${c.name} / ${col.name} (${col.test})`;
    assert.equal(col.test, x.test, `${where}: test`);
    assert.equal(col.type, x.type, `${where}: type`);
    assert.equal(col.threshold, x.threshold, `${where}: threshold`);
    assert.equal(col.referenceSize, x.referenceSize, `${where}: reference size`);
    assert.equal(col.currentSize, x.currentSize, `${where}: current size`);
    assert.deepEqual(col.missing, x.missing, `${where}: missing`);
    close(col.statistic, num(x.statistic), STAT_RTOL, `${where}: statistic`);
    close(col.distance, num(x.distance), STAT_RTOL, `${where}: distance`);
    close(col.pvalue, num(x.pvalue), P_RTOL, `${where}: p-value`);
    assert.equal(col.drifted, x.drifted, `${where}: verdict`);
  }
  close(report.driftedShare, e.driftedShare, STAT_RTOL, `${c.name}: drifted share`);
  assert.equal(report.datasetDrift, e.datasetDrift, `${c.name}: dataset drift`);
}

describe('drift: end to end on real data, against scipy', function () {
  this.timeout(30_000);
  const fixture = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as { scipy: string; cases: Case[] };
  const run = (c: Case): Promise<DriftReport> =>
    detectDrift(path.join(REPO, c.reference), path.join(REPO, c.current), toSpec(c.spec), { referenceName: c.reference, currentName: c.current });

  for (const c of fixture.cases) {
    it(`${c.name}: every statistic and p-value as scipy ${fixture.scipy} computes it`, async () => {
      compare(await run(c), c);
    });
  }

  it('breast cancer: the two scaled columns drift; two more fall under 0.05 by chance; no dataset drift', async () => {
    const r = await run(fixture.cases[0]!);
    const drifted = r.columns.filter((c) => c.drifted).map((c) => c.name);
    // 32 KS/chi-square tests at the 5% level expect ~1.6 false alarms on unchanged
    // columns: symmetry error (p = 0.039) and worst fractal dimension (p = 0.024)
    // are those. The share rule (4/32 < 0.5) is what keeps them from failing the data.
    assert.deepEqual(drifted, ['mean texture', 'symmetry error', 'worst smoothness', 'worst fractal dimension']);
    const cols = byName(r.columns);
    assert.ok(cols.get('mean texture')!.pvalue! < 1e-14);
    assert.ok(cols.get('worst smoothness')!.pvalue! < 1e-21);
    assert.deepEqual(cols.get('mean area')!.missing, { reference: 12, current: 12 });
    assert.equal(cols.get('diagnosis')!.test, 'chisquare');
    assert.equal(cols.get('target')!.test, 'chisquare'); // 0/1: numbers with <= 5 values
    assert.equal(r.datasetDrift, false);
  });

  it('churn example, with the drift stage of examples/churn/mlci.yaml: tenure and support_calls drift, plan does not', async () => {
    const file = path.join(REPO, 'examples/churn/mlci.yaml');
    const v = validatePipeline({ file: 'mlci.yaml', text: readFileSync(file, 'utf8'), root: path.dirname(file), files: nodeFiles });
    const stage = v.pipeline!.stageByName.get('drift')!;
    const refAbs = path.resolve(path.dirname(file), stage.reference!);
    const curAbs = path.resolve(path.dirname(file), stage.current!);
    // Against scipy on every shared column (the scipy case compares all seven).
    const all = await detectDrift(refAbs, curAbs, { ...stage.drift!, exclude: [], share: 0.5 });
    compare(all, fixture.cases[2]!);
    assert.deepEqual(all.columns.filter((c) => c.drifted).map((c) => c.name), ['customer_id', 'tenure', 'support_calls', 'churned']);
    // The stage as written excludes the id and the label: 2 of 5 feature columns drift, at share 0.4.
    const r = await detectDrift(refAbs, curAbs, stage.drift!);
    const cols = byName(r.columns);
    assert.deepEqual(r.columns.map((c) => c.name), ['tenure', 'monthly_charges', 'plan', 'support_calls', 'contract']);
    assert.equal(cols.get('tenure')!.drifted, true);
    assert.equal(cols.get('support_calls')!.drifted, true);
    assert.equal(cols.get('plan')!.drifted, false);
    assert.equal(r.driftedShare, 2 / 5);
    assert.equal(r.datasetDrift, true);
    const three = await detectDrift(refAbs, curAbs, { ...stage.drift!, include: Object.keys(stage.drift!.columns) });
    assert.deepEqual(three.columns.map((c) => [c.name, c.drifted]), [['tenure', true], ['plan', false], ['support_calls', true]]);
    assert.equal(three.driftedShare, 2 / 3);
    assert.equal(three.datasetDrift, true);
  });
});
