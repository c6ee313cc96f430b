/** Drift gates: pass when the drift stage reports no dataset drift. */
import { strict as assert } from 'node:assert';
import { evaluateGates } from '../../../src/core/gates/evaluate';
import { noBaseline, pipeline, record } from './helpers';

describe('gates: drift', () => {
  const p = pipeline({ drift: { kind: 'drift', gates: [] }, evaluate: { gates: [{ drift: 'drift', severity: 'warning' }] } });
  const run = (report: unknown, driftStatus: 'passed' | 'failed' | 'cached' = 'passed', metrics?: Record<string, number>) =>
    record({ stages: { drift: driftStatus, evaluate: 'passed' }, reports: report === undefined ? undefined : { drift: report }, stageMetrics: metrics ? { drift: metrics } : {} });

  it('passes without drift and fails with it, quoting the drifted share', async () => {
    const [ok] = await evaluateGates(p, run({ datasetDrift: false, driftedShare: 0.125, share: 0.5, columns: [] }), noBaseline);
    assert.equal(ok.status, 'passed');
    assert.equal(ok.name, 'no dataset drift in drift');
    assert.equal(ok.reason, 'stage drift found no dataset drift: 12.5% of the columns drifted (threshold 50%)');
    const [bad] = await evaluateGates(p, run({ datasetDrift: true, driftedShare: 0.625, share: 0.5, columns: [] }), noBaseline);
    assert.equal(bad.status, 'failed');
    assert.equal(bad.severity, 'warning');
    assert.equal(bad.actual, 'dataset drift');
    assert.equal(bad.reason, 'stage drift found dataset drift: 62.5% of the columns drifted (threshold 50%)');
  });

  it('fails naming the problems of the report (columns on one side only, nothing compared) whatever the share', async () => {
    const problem = 'column "plan" of reference a.csv missing from current b.csv; exclude them (drift.exclude, or --exclude) if that is expected';
    const [r] = await evaluateGates(p, run({ datasetDrift: true, driftedShare: 0, share: 0.5, columns: [], problems: [problem] }), noBaseline);
    assert.equal(r.status, 'failed');
    assert.equal(r.reason, `stage drift found dataset drift: ${problem}`);
  });

  it('a cached drift stage has no report: its dataset_drift metric decides', async () => {
    const [r] = await evaluateGates(p, run(undefined, 'cached', { dataset_drift: 1, drifted_share: 0.75 }), noBaseline);
    assert.equal(r.status, 'failed');
    assert.equal(r.reason, 'stage drift found dataset drift: 75% of the columns drifted');
  });

  it('skips when the drift stage did not pass; fails when it reported nothing', async () => {
    const [skip] = await evaluateGates(p, run({ datasetDrift: true }, 'failed'), noBaseline);
    assert.equal(skip.status, 'skipped');
    assert.equal(skip.reason, 'stage drift failed, so there is no drift verdict');
    const [none] = await evaluateGates(p, run(undefined), noBaseline);
    assert.equal(none.status, 'failed');
    assert.equal(none.reason, 'stage drift reported no drift verdict');
  });
});
