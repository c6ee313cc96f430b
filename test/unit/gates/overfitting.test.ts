/** Overfitting gates: how much better the `against` stage looks, in the goal's direction. */
import { strict as assert } from 'node:assert';
import { evaluateGates } from '../../../src/core/gates/evaluate';
import { noBaseline, pipeline, record } from './helpers';

describe('gates: overfitting', () => {
  const stages = (gate: object) => ({ train: { kind: 'train', gates: [] }, evaluate: { gates: [gate] } });
  const run = (train: Record<string, number>, evaluate: Record<string, number>, trainStatus: 'passed' | 'failed' = 'passed') =>
    record({ stages: { train: trainStatus, evaluate: 'passed' }, stageMetrics: { train, evaluate } });

  it('max goal: gap = against − this', async () => {
    const p = pipeline(stages({ metric: 'accuracy', max_gap: 0.05, against: 'train' }), { accuracy: 'max' });
    const [bad] = await evaluateGates(p, run({ accuracy: 0.95 }, { accuracy: 0.87 }), noBaseline);
    assert.equal(bad.status, 'failed');
    assert.equal(bad.name, 'accuracy gap to train ≤ 0.05');
    assert.equal(bad.reason, 'accuracy looks 0.08 better in train than in evaluate (train 0.95, evaluate 0.87), more than the allowed gap 0.05');
    assert.equal(bad.expected, 'gap ≤ 0.05');
    const [ok] = await evaluateGates(p, run({ accuracy: 0.95 }, { accuracy: 0.92 }), noBaseline);
    assert.equal(ok.status, 'passed');
    assert.equal(ok.reason, 'accuracy looks 0.03 better in train than in evaluate (train 0.95, evaluate 0.92), within the allowed gap 0.05');
    const [edge] = await evaluateGates(p, run({ accuracy: 0.95 }, { accuracy: 0.9 }), noBaseline);
    assert.equal(edge.status, 'passed', 'a gap equal to max_gap passes');
    const [better] = await evaluateGates(p, run({ accuracy: 0.8 }, { accuracy: 0.9 }), noBaseline);
    assert.equal(better.status, 'passed');
    assert.equal(better.reason, 'accuracy is no better in train than in evaluate (train 0.8, evaluate 0.9)');
  });

  it('min goal: gap = this − against (a higher loss here is the gap)', async () => {
    const p = pipeline(stages({ metric: 'loss', max_gap: 0.1, against: 'train' }), { loss: 'min' });
    const [bad] = await evaluateGates(p, run({ loss: 0.2 }, { loss: 0.5 }), noBaseline);
    assert.equal(bad.status, 'failed');
    assert.match(bad.reason, /^loss looks 0.3 better in train/);
    const [ok] = await evaluateGates(p, run({ loss: 0.5 }, { loss: 0.2 }), noBaseline);
    assert.equal(ok.status, 'passed');
  });

  it('skips when the against stage did not pass; fails on a missing metric or goal', async () => {
    const p = pipeline(stages({ metric: 'accuracy', max_gap: 0.05, against: 'train' }), { accuracy: 'max' });
    const [skip] = await evaluateGates(p, run({ accuracy: 0.9 }, { accuracy: 0.9 }, 'failed'), noBaseline);
    assert.equal(skip.status, 'skipped');
    assert.equal(skip.reason, 'stage train failed, so there is nothing to compare accuracy against');
    const [noTrain] = await evaluateGates(p, run({}, { accuracy: 0.9 }), noBaseline);
    assert.equal(noTrain.reason, 'accuracy was not reported by stage train');
    const [noEval] = await evaluateGates(p, run({ accuracy: 0.9 }, {}), noBaseline);
    assert.equal(noEval.reason, 'accuracy was not reported by stage evaluate');
    const [noGoal] = await evaluateGates(pipeline(stages({ metric: 'accuracy', max_gap: 0.05, against: 'train' })), run({ accuracy: 0.9 }, { accuracy: 0.9 }), noBaseline);
    assert.equal(noGoal.status, 'failed');
    assert.match(noGoal.reason, /accuracy has no goal/);
  });
});
