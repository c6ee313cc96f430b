/** Threshold gates, and what every gate does when its stage cannot be used. */
import { strict as assert } from 'node:assert';
import { evaluateGates } from '../../../src/core/gates/evaluate';
import { noBaseline, pipeline, record } from './helpers';

describe('gates: threshold', () => {
  const p = pipeline({ evaluate: { gates: [{ metric: 'accuracy', min: 0.75 }, { metric: 'latency_ms', max: 50, severity: 'warning' }, { metric: 'auc', min: 0.7, max: 0.99, name: 'sane auc' }] } });

  it('passes above a minimum and below a maximum, with the numbers in the sentence', async () => {
    const [acc, lat, auc] = await evaluateGates(p, record({ stages: { evaluate: 'passed' }, stageMetrics: { evaluate: { accuracy: 0.8341, latency_ms: 42, auc: 0.9 } } }), noBaseline);
    assert.deepEqual(acc, { stage: 'evaluate', index: 0, kind: 'threshold', name: 'accuracy ≥ 0.75', severity: 'error', status: 'passed', expected: '≥ 0.75', actual: '0.8341', reason: 'accuracy 0.8341 is above the minimum 0.75' });
    assert.equal(lat.reason, 'latency_ms 42 is below the maximum 50');
    assert.equal(lat.severity, 'warning');
    assert.equal(auc.name, 'sane auc');
    assert.equal(auc.expected, '≥ 0.7 and ≤ 0.99');
    assert.equal(auc.reason, 'auc 0.9 is above the minimum 0.7 and below the maximum 0.99');
  });

  it('bounds are inclusive', async () => {
    const [acc, lat] = await evaluateGates(p, record({ stages: { evaluate: 'passed' }, stageMetrics: { evaluate: { accuracy: 0.75, latency_ms: 50, auc: 0.8 } } }), noBaseline);
    assert.equal(acc.status, 'passed');
    assert.equal(acc.reason, 'accuracy 0.75 is at the minimum 0.75');
    assert.equal(lat.reason, 'latency_ms 50 is at the maximum 50');
  });

  it('fails below the minimum or above the maximum', async () => {
    const [acc, lat, auc] = await evaluateGates(p, record({ stages: { evaluate: 'passed' }, stageMetrics: { evaluate: { accuracy: 0.7, latency_ms: 51, auc: 0.995 } } }), noBaseline);
    assert.equal(acc.status, 'failed');
    assert.equal(acc.reason, 'accuracy 0.7 is below the minimum 0.75');
    assert.equal(lat.status, 'failed');
    assert.equal(lat.reason, 'latency_ms 51 is above the maximum 50');
    assert.equal(auc.reason, 'auc 0.995 is above the maximum 0.99');
  });

  it('fails when the stage did not report the metric', async () => {
    const [acc] = await evaluateGates(p, record({ stages: { evaluate: 'passed' }, stageMetrics: { evaluate: {} } }), noBaseline);
    assert.equal(acc.status, 'failed');
    assert.equal(acc.reason, 'accuracy was not reported by stage evaluate');
    assert.equal(acc.actual, '');
  });

  it("reads only the gate's own stage, not another stage's metric of the same name", async () => {
    const [acc] = await evaluateGates(p, record({ stages: { evaluate: 'passed', train: 'passed' }, stageMetrics: { train: { accuracy: 0.99 } } }), noBaseline);
    assert.equal(acc.status, 'failed');
  });

  it('skips the gates of a stage that failed, was skipped, or was not in the run', async () => {
    const metrics = { evaluate: { accuracy: 0.9 } };
    const failed = await evaluateGates(p, record({ stages: { evaluate: 'failed' }, stageMetrics: metrics }), noBaseline);
    assert.deepEqual(failed.map((r) => r.status), ['skipped', 'skipped', 'skipped']);
    assert.equal(failed[0].reason, 'stage evaluate failed, so its gates were not checked');
    const [skipped] = await evaluateGates(p, record({ stages: { evaluate: 'skipped' }, stageMetrics: metrics }), noBaseline);
    assert.equal(skipped.reason, 'stage evaluate was skipped, so its gates were not checked');
    const [absent] = await evaluateGates(p, record({ stages: {}, stageMetrics: metrics }), noBaseline);
    assert.equal(absent.reason, 'stage evaluate was not in this run, so its gates were not checked');
  });

  it('checks the gates of a cached (up-to-date) stage', async () => {
    const [acc] = await evaluateGates(p, record({ stages: { evaluate: 'cached' }, stageMetrics: { evaluate: { accuracy: 0.9 } } }), noBaseline);
    assert.equal(acc.status, 'passed');
  });

  it('returns results in stage then gate order, nothing for stages without gates', async () => {
    const two = pipeline({ data: { gates: [] }, train: { gates: [{ metric: 'a', min: 0 }] }, evaluate: { gates: [{ metric: 'b', min: 0 }, { metric: 'c', min: 0 }] } });
    const results = await evaluateGates(two, record({ stages: { data: 'passed', train: 'passed', evaluate: 'passed' }, stageMetrics: { train: { a: 1 }, evaluate: { b: 1, c: 1 } } }), noBaseline);
    assert.deepEqual(results.map((r) => `${r.stage}#${r.index}`), ['train#0', 'evaluate#0', 'evaluate#1']);
  });
});
