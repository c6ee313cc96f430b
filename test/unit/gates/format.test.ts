/** Exit code and the text / Markdown renderings of gate results. */
import { strict as assert } from 'node:assert';
import { formatGateResults, formatGatesMarkdown } from '../../../src/core/gates/format';
import { gatesExitCode, type GateResult } from '../../../src/core/gates/result';

const result = (over: Partial<GateResult>): GateResult => ({
  stage: 'evaluate', index: 0, kind: 'threshold', name: 'accuracy ≥ 0.75', severity: 'error', status: 'passed', expected: '≥ 0.75', actual: '0.834', reason: 'accuracy 0.834 is above the minimum 0.75', ...over,
});

describe('gates: exit code and formats', () => {
  it('exit code 2 only when an error-severity gate failed', () => {
    assert.equal(gatesExitCode([]), 0);
    assert.equal(gatesExitCode([result({}), result({ status: 'skipped' })]), 0);
    assert.equal(gatesExitCode([result({ status: 'failed', severity: 'warning' })]), 0);
    assert.equal(gatesExitCode([result({}), result({ status: 'failed' })]), 2);
  });

  it('text: a mark, the stage and gate, the reason; then a summary', () => {
    const lines = formatGateResults([
      result({}),
      result({ index: 1, status: 'failed', name: 'f1 drops at most 0.02 vs main', reason: 'f1 dropped 0.031 vs main (0.786 -> 0.755), more than the allowed 0.02' }),
      result({ index: 2, status: 'failed', severity: 'warning', name: 'latency_ms ≤ 50', reason: 'latency_ms 51 is above the maximum 50' }),
      result({ stage: 'train', status: 'skipped', name: 'loss converges', reason: 'stage train failed, so its gates were not checked' }),
    ]);
    assert.deepEqual(lines, [
      '✔ evaluate: accuracy ≥ 0.75 — accuracy 0.834 is above the minimum 0.75',
      '✘ evaluate: f1 drops at most 0.02 vs main — f1 dropped 0.031 vs main (0.786 -> 0.755), more than the allowed 0.02',
      '✘ evaluate: latency_ms ≤ 50 (warning) — latency_ms 51 is above the maximum 50',
      '– train: loss converges — stage train failed, so its gates were not checked',
      'gates: 1 passed, 1 failed, 1 warning, 1 skipped',
    ]);
    assert.deepEqual(formatGateResults([]), []);
  });

  it('Markdown: one table row per gate, pipes escaped, a summary line', () => {
    const md = formatGatesMarkdown([result({}), result({ status: 'failed', name: 'a | b', reason: 'line one\nline two' })]);
    const lines = md.split('\n');
    assert.equal(lines[0], '| | Stage | Gate | Expected | Actual | Why |');
    assert.equal(lines[1], '|---|---|---|---|---|---|');
    assert.equal(lines[2], '| ✅ passed | evaluate | accuracy ≥ 0.75 | ≥ 0.75 | 0.834 | accuracy 0.834 is above the minimum 0.75 |');
    assert.equal(lines[3], '| ❌ failed | evaluate | a \\| b | ≥ 0.75 | 0.834 | line one line two |');
    assert.equal(lines[5], '**gates: 1 passed, 1 failed**');
    assert.match(formatGatesMarkdown([result({ status: 'failed', severity: 'warning' })]), /⚠️ warning/);
    assert.equal(formatGatesMarkdown([]), '_No gates._\n');
  });
});
