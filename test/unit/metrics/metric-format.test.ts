/**
 * One rule for metric values everywhere: a declared `format` (d3-format) is
 * applied, other numbers are integers in full or 4 significant digits. The
 * same f1 reads the same in the run report, `mlci runs`-style lines, the
 * experiments list and comparison, and gate messages.
 */
import { strict as assert } from 'node:assert';
import { compareRuns } from '../../../src/core/experiments/compare';
import { formatComparison } from '../../../src/core/experiments/format';
import { formatRunList } from '../../../src/core/experiments/list';
import { num } from '../../../src/core/gates/numbers';
import { formatMetric, metricFormatProblem, metricFormatsOf } from '../../../src/core/metric-format';
import { validatePipeline } from '../../../src/core/pipeline/validate';
import { formatRunMarkdown } from '../../../src/core/run/report';
import type { RunRecord } from '../../../src/core/run/record';

const record = (id: string, f1: number, formats?: Record<string, string>): RunRecord => ({
  version: 1, id, pipeline: 'mlci.yaml', status: 'passed', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z',
  executor: 'local', params: {}, metrics: { f1, rows: 1200 }, history: {}, stages: [],
  ...(formats ? { metricFormats: formats } : {}),
} as unknown as RunRecord);

describe('metric formats', () => {
  it('applies d3-format specs and the default rule', () => {
    assert.equal(formatMetric(0.930556, '.3f'), '0.931');
    assert.equal(formatMetric(0.930556, '.1%'), '93.1%');
    assert.equal(formatMetric(1234567, ',d'), '1,234,567');
    assert.equal(formatMetric(0.930556), '0.9306');
    assert.equal(formatMetric(1200), '1200');
    assert.equal(formatMetric(123456789), '123456789', 'integers in full');
    assert.equal(formatMetric(12.5), '12.5');
    assert.equal(formatMetric(NaN), 'NaN');
    assert.equal(num(0.031000000000000028), '0.031');
    assert.match(metricFormatProblem('.3q') ?? '', /not a d3-format spec/);
    assert.deepEqual(metricFormatsOf({ f1: { format: '.3f' }, loss: {}, bad: { format: 'zz9' } }), { f1: '.3f' });
  });

  it('the same f1 prints the same in the report, the run list and the comparison', () => {
    const a = record('r1', 0.930556, { f1: '.3f' });
    const b = record('r2', 0.912345, { f1: '.3f' });
    assert.match(formatRunMarkdown(a), /\| f1 \| 0\.931 \|/);
    assert.match(formatRunList([a, b], 'table', { goals: {} } as never), /0\.931[\s\S]*0\.912/);
    const table = formatComparison(compareRuns([a, b], 'r1', { f1: { goal: 'max' } }), 'table');
    assert.match(table, /f1 \(max\)\s+0\.931\s+0\.912/);
    // Without a format: the default rule in each of them.
    const c = record('r3', 0.930556);
    assert.match(formatRunMarkdown(c), /\| f1 \| 0\.9306 \|/);
    assert.match(formatRunMarkdown(c), /\| rows \| 1200 \|/);
    assert.match(formatRunList([c], 'table', { goals: {} } as never), /0\.9306/);
  });

  it('a format that is not a d3-format spec is an invalid-value at the format', () => {
    const text = 'version: 1\nmetrics:\n  f1: { goal: max, format: ".3q" }\ndefaults: { image: busybox }\nstages:\n  a: { run: "true" }\n';
    const { problems } = validatePipeline({ file: 'mlci.yaml', text, root: '/tmp', files: { stat: () => undefined, readText: () => undefined } });
    assert.deepEqual(problems.map((p) => `${p.line}:${p.column} ${p.code}`), ['3:28 invalid-value']);
  });
});
