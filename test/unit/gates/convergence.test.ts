/** Convergence gates: window means at both ends, every value finite, enough points. */
import { strict as assert } from 'node:assert';
import { convergence } from '../../../src/core/gates/convergence';
import { evaluateGates } from '../../../src/core/gates/evaluate';
import { noBaseline, pipeline, record, series } from './helpers';

const points = (values: (number | null)[]) => values.map((value, step) => ({ step, value }));

describe('gates: convergence rule', () => {
  it('passes a decreasing loss and a noisy-but-decreasing one (means, not endpoints)', () => {
    assert.equal(convergence('loss', points([1, 0.8, 0.6, 0.5, 0.4, 0.3]), 3, 'min').status, 'passed');
    // The last point is above the first, but the last window's mean is below the first's.
    const noisy = [0.9, 1.4, 0.8, 0.7, 0.9, 0.5, 0.6, 0.95];
    const r = convergence('loss', points(noisy), 3, 'min');
    assert.equal(r.status, 'passed');
    assert.equal(r.reason, 'loss converged: the mean of the last 3 points 0.6833 is below the mean of the first 3 1.033');
    assert.equal(r.expected, 'mean(last 3) < mean(first 3)');
    assert.equal(r.actual, '1.033 -> 0.6833');
  });

  it('fails a rising and a flat loss', () => {
    const rising = convergence('loss', points([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), 3, 'min');
    assert.equal(rising.status, 'failed');
    assert.equal(rising.reason, 'loss did not converge: the mean of the last 3 points 0.5 is not below the mean of the first 3 0.2');
    assert.equal(convergence('loss', points([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]), 3, 'min').status, 'failed', 'flat is not converging (strictly less)');
  });

  it('a max goal must rise', () => {
    assert.equal(convergence('acc', points([0.5, 0.6, 0.7, 0.8]), 2, 'max').status, 'passed');
    const r = convergence('acc', points([0.8, 0.7, 0.6, 0.5]), 2, 'max');
    assert.equal(r.status, 'failed');
    assert.match(r.reason, /is not above the mean of the first 2/);
  });

  it('fails on NaN, ±infinity and null (NaN after a JSON round trip), naming the step', () => {
    const nan = convergence('loss', [{ step: 0, value: 1 }, { step: 5, value: 0.5 }, { step: 7, value: NaN }, { step: 9, value: 0.1 }], 1, 'min');
    assert.equal(nan.status, 'failed');
    assert.equal(nan.reason, 'loss has a non-finite value at step 7 (NaN)');
    assert.equal(convergence('loss', points([1, Infinity, 0.1, 0.1]), 1, 'min').reason, 'loss has a non-finite value at step 1 (Infinity)');
    assert.equal(convergence('loss', points([1, -Infinity, 0.1, 0.1]), 1, 'min').status, 'failed');
    assert.equal(convergence('loss', points([1, null, 0.1, 0.1]), 1, 'min').reason, 'loss has a non-finite value at step 1 (NaN or infinity)');
  });

  it('needs at least 2 × window points; exactly 2w is enough', () => {
    const few = convergence('loss', points([1, 0.5, 0.2, 0.1, 0.05]), 3, 'min');
    assert.equal(few.status, 'failed');
    assert.equal(few.reason, 'loss has 5 points, convergence with window 3 needs at least 6');
    assert.equal(convergence('loss', points([1]), 1, 'min').reason, 'loss has 1 point, convergence with window 1 needs at least 2');
    assert.equal(convergence('loss', points([]), 1, 'min').status, 'failed');
    assert.equal(convergence('loss', points([1, 0.9]), 1, 'min').status, 'passed', 'window 1 compares the first and last point');
    assert.equal(convergence('loss', points([3, 2, 1, 0]), 2, 'min').status, 'passed');
  });
});

describe('gates: convergence over a run record', () => {
  const goals = { loss: undefined, 'val.acc': 'max' as const };

  it("reads this stage's history by default, window 3, goal min without one", async () => {
    const p = pipeline({ train: { kind: 'train', gates: [{ converges: 'loss' }] } }, goals);
    const [r] = await evaluateGates(p, record({ stages: { train: 'passed' }, history: { train: series('loss', [1, 0.9, 0.8, 0.7, 0.6, 0.5]) } }), noBaseline);
    assert.equal(r.status, 'passed');
    assert.equal(r.name, 'loss converges');
    assert.equal(r.expected, 'mean(last 3) < mean(first 3)');
    const [few] = await evaluateGates(p, record({ stages: { train: 'passed' }, history: { train: series('loss', [1, 0.9, 0.8, 0.7, 0.6]) } }), noBaseline);
    assert.match(few.reason, /needs at least 6/);
  });

  it("reads another stage's history with `stage`, the series' goal and a window", async () => {
    const p = pipeline({ train: { kind: 'train', gates: [] }, evaluate: { gates: [{ converges: 'val.acc', stage: 'train', window: 2 }] } }, goals);
    const rising = series('val.acc', [0.5, 0.6, 0.7, 0.8]);
    const [r] = await evaluateGates(p, record({ stages: { train: 'passed', evaluate: 'passed' }, history: { train: rising } }), noBaseline);
    assert.equal(r.status, 'passed');
    assert.equal(r.name, 'val.acc converges (train)');
    const [skip] = await evaluateGates(p, record({ stages: { train: 'failed', evaluate: 'passed' }, history: { train: rising } }), noBaseline);
    assert.equal(skip.status, 'skipped');
    assert.equal(skip.reason, 'stage train failed, so its history could not be checked');
  });

  it('orders by step and uses only the rows that logged the column', async () => {
    const p = pipeline({ train: { kind: 'train', gates: [{ converges: 'val_loss', window: 1 }] } });
    const rows: Array<Record<string, number>> = [{ step: 2, loss: 0.5 }, { step: 3, loss: 0.4, val_loss: 0.3 }, { step: 0, loss: 1 }, { step: 1, loss: 0.9, val_loss: 0.8 }];
    const [r] = await evaluateGates(p, record({ stages: { train: 'passed' }, history: { train: rows } }), noBaseline);
    assert.equal(r.status, 'passed');
    assert.equal(r.actual, '0.8 -> 0.3');
  });

  it('fails with the step of a NaN, and when the history or the column is missing', async () => {
    const p = pipeline({ train: { kind: 'train', gates: [{ converges: 'loss' }] } });
    const nan = series('loss', [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, NaN, 0.2]);
    const [r] = await evaluateGates(p, record({ stages: { train: 'passed' }, history: { train: nan } }), noBaseline);
    assert.equal(r.status, 'failed');
    assert.match(r.reason, /^loss has a non-finite value at step 7/);
    const [none] = await evaluateGates(p, record({ stages: { train: 'passed' } }), noBaseline);
    assert.equal(none.reason, 'stage train recorded no history');
    const [col] = await evaluateGates(p, record({ stages: { train: 'passed' }, history: { train: series('acc', [1, 2]) } }), noBaseline);
    assert.equal(col.reason, "loss is not a column of stage train's history");
  });

  it('falls back to window 3 for a window the schema would reject', async () => {
    const p = pipeline({ train: { kind: 'train', gates: [{ converges: 'loss', window: 0 }] } });
    const [r] = await evaluateGates(p, record({ stages: { train: 'passed' }, history: { train: series('loss', [3, 2, 1, 0]) } }), noBaseline);
    assert.match(r.reason, /window 3 needs at least 6/);
  });
});
