/** Regression gates: drop versus a baseline in the goal's direction, absolute and relative. */
import { strict as assert } from 'node:assert';
import { evaluateGates } from '../../../src/core/gates/evaluate';
import { formatGateResults } from '../../../src/core/gates/format';
import { fakeBaseline, pipeline, record } from './helpers';

describe('gates: regression', () => {
  const run = (evaluate: Record<string, number>) => record({ stages: { evaluate: 'passed' }, stageMetrics: { evaluate } });

  it('fails a max-goal metric that dropped more than allowed, saying by how much and from what', async () => {
    const p = pipeline({ evaluate: { gates: [{ metric: 'f1', max_drop: 0.02, baseline: 'main' }] } }, { f1: 'max' });
    const [r] = await evaluateGates(p, run({ f1: 0.755 }), fakeBaseline({ 'main/evaluate/f1': 0.786 }));
    assert.equal(r.status, 'failed');
    assert.equal(r.name, 'f1 drops at most 0.02 vs main');
    assert.equal(r.reason, 'f1 dropped 0.031 vs main (0.786 -> 0.755), more than the allowed 0.02');
    assert.equal(r.expected, 'drop ≤ 0.02');
    assert.equal(r.actual, '0.755 (main 0.786)');
  });

  it('passes a drop within the allowance, an improvement and no change', async () => {
    const p = pipeline({ evaluate: { gates: [{ metric: 'f1', max_drop: 0.02 }] } }, { f1: 'max' });
    const base = fakeBaseline({ 'main/evaluate/f1': 0.786 });
    const [within] = await evaluateGates(p, run({ f1: 0.776 }), base);
    assert.equal(within.status, 'passed');
    assert.equal(within.reason, 'f1 dropped 0.01 vs main (0.786 -> 0.776), within the allowed 0.02');
    const [better] = await evaluateGates(p, run({ f1: 0.8 }), base);
    assert.equal(better.reason, 'f1 improved 0.014 vs main (0.786 -> 0.8)');
    const [same] = await evaluateGates(p, run({ f1: 0.786 }), base);
    assert.equal(same.reason, 'f1 is unchanged vs main (0.786)');
    const [edge] = await evaluateGates(p, run({ f1: 0.766 }), fakeBaseline({ 'main/evaluate/f1': 0.786 }));
    assert.equal(edge.status, 'passed', 'a drop equal to max_drop passes (float noise aside, 0.02 is allowed)');
  });

  it('for a min goal a rise is the drop', async () => {
    const p = pipeline({ evaluate: { gates: [{ metric: 'loss', max_drop: 0.05 }] } }, { loss: 'min' });
    const base = fakeBaseline({ 'main/evaluate/loss': 0.3 });
    const [worse] = await evaluateGates(p, run({ loss: 0.4 }), base);
    assert.equal(worse.status, 'failed');
    assert.equal(worse.reason, 'loss dropped 0.1 vs main (0.3 -> 0.4), more than the allowed 0.05');
    const [lower] = await evaluateGates(p, run({ loss: 0.1 }), base);
    assert.equal(lower.status, 'passed');
    assert.equal(lower.reason, 'loss improved 0.2 vs main (0.3 -> 0.1)');
  });

  it('relative: max_drop is a fraction of |baseline|', async () => {
    const p = pipeline({ evaluate: { gates: [{ metric: 'loss', max_drop: 0.05, relative: true }] } }, { loss: 'min' });
    const base = fakeBaseline({ 'main/evaluate/loss': 2 });
    const [ok] = await evaluateGates(p, run({ loss: 2.09 }), base);
    assert.equal(ok.status, 'passed');
    assert.equal(ok.name, 'loss drops at most 5% vs main');
    assert.equal(ok.expected, 'drop ≤ 0.1 (5% of 2)');
    const [bad] = await evaluateGates(p, run({ loss: 2.11 }), base);
    assert.equal(bad.status, 'failed');
    assert.equal(bad.reason, 'loss dropped 0.11 vs main (2 -> 2.11), more than the allowed 0.1 (5%)');
    // A negative baseline (e.g. a log-likelihood) still allows a positive drop.
    const [neg] = await evaluateGates(pipeline({ evaluate: { gates: [{ metric: 'll', max_drop: 0.1, relative: true }] } }, { ll: 'max' }), run({ ll: -11 }), fakeBaseline({ 'main/evaluate/ll': -10 }));
    assert.equal(neg.status, 'passed');
  });

  it('says "no baseline" (never passed) when the baseline has no value, naming where it looked and what to push', async () => {
    const p = pipeline({ evaluate: { gates: [{ metric: 'f1', max_drop: 0.02, baseline: 'release' }] } }, { f1: 'max' });
    const base = fakeBaseline({});
    const [r] = await evaluateGates(p, run({ f1: 0.7 }), base);
    assert.equal(r.status, 'skipped');
    assert.equal(r.noBaseline, true);
    assert.match(r.reason, /^no baseline: no value of f1 at release: .* is not committed at release and the cache has no record of release's commit \(run the pipeline on release and mlci cache push, then mlci cache pull here\)$/);
    assert.deepEqual(base.asked, ['release/evaluate/f1']);
    assert.deepEqual(formatGateResults([r]).slice(-1), ['gates: 0 passed, 0 failed, 1 no baseline']);
  });

  it('fails without a baseline when require_baseline is set on the gate or under ci', async () => {
    const onGate = pipeline({ evaluate: { gates: [{ metric: 'f1', max_drop: 0.02, require_baseline: true }] } }, { f1: 'max' });
    const [r] = await evaluateGates(onGate, run({ f1: 0.7 }), fakeBaseline({}));
    assert.equal(r.status, 'failed');
    assert.match(r.reason, /^no baseline: .*; require_baseline is set$/);
    const onCi = pipeline({ evaluate: { gates: [{ metric: 'f1', max_drop: 0.02 }] } }, { f1: 'max' });
    onCi.ci.requireBaseline = true;
    const [c] = await evaluateGates(onCi, run({ f1: 0.7 }), fakeBaseline({}));
    assert.equal(c.status, 'failed');
  });

  it('defaults the baseline to ci.baseline, else main', async () => {
    const base = fakeBaseline({});
    await evaluateGates(pipeline({ evaluate: { gates: [{ metric: 'f1', max_drop: 0 }] } }, { f1: 'max' }, 'develop'), run({ f1: 1 }), base);
    await evaluateGates(pipeline({ evaluate: { gates: [{ metric: 'f1', max_drop: 0 }] } }, { f1: 'max' }), run({ f1: 1 }), base);
    assert.deepEqual(base.asked, ['develop/evaluate/f1', 'main/evaluate/f1']);
  });

  it('pinned: named as the pinned run', async () => {
    const p = pipeline({ evaluate: { gates: [{ metric: 'f1', max_drop: 0.01, baseline: 'pinned' }] } }, { f1: 'max' });
    const [r] = await evaluateGates(p, run({ f1: 0.7 }), fakeBaseline({ 'pinned/evaluate/f1': 0.8 }));
    assert.equal(r.reason, 'f1 dropped 0.1 vs the pinned run (0.8 -> 0.7), more than the allowed 0.01');
    const [none] = await evaluateGates(p, run({ f1: 0.7 }), fakeBaseline({}));
    assert.equal(none.reason, 'no baseline: no value of f1 at the pinned run: nothing is pinned (mlci exp pin RUN)');
  });

  it('fails when the metric is missing or has no goal, without asking the baseline', async () => {
    const base = fakeBaseline({ 'main/evaluate/f1': 0.8 });
    const [missing] = await evaluateGates(pipeline({ evaluate: { gates: [{ metric: 'f1', max_drop: 0.01 }] } }, { f1: 'max' }), run({}), base);
    assert.equal(missing.status, 'failed');
    assert.equal(missing.reason, 'f1 was not reported by stage evaluate');
    const [noGoal] = await evaluateGates(pipeline({ evaluate: { gates: [{ metric: 'f1', max_drop: 0.01 }] } }, { f1: undefined }), run({ f1: 0.8 }), base);
    assert.equal(noGoal.status, 'failed');
    assert.match(noGoal.reason, /f1 has no goal/);
    assert.deepEqual(base.asked, []);
  });

  it('a baseline that throws fails that gate with the cause, the others still run', async () => {
    const p = pipeline({ evaluate: { gates: [{ metric: 'f1', max_drop: 0.01 }, { metric: 'f1', min: 0.5 }] } }, { f1: 'max' });
    const broken = { metric: async () => { throw new Error('baseline metrics file main:metrics.json is not valid JSON'); } };
    const [r, t] = await evaluateGates(p, run({ f1: 0.8 }), broken);
    assert.equal(r.status, 'failed');
    assert.equal(r.reason, 'baseline metrics file main:metrics.json is not valid JSON');
    assert.equal(t.status, 'passed');
  });
});
