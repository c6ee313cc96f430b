import { strict as assert } from 'node:assert';
import { compareRuns, flattenParams, goalOf } from '../../../src/core/experiments/compare';
import { formatComparison, formatMarkdown, formatTable } from '../../../src/core/experiments/format';
import type { RunRecord } from '../../../src/core/run/record';

function run(id: string, params: RunRecord['params'], metrics: Record<string, number>, extra: Partial<RunRecord> = {}): RunRecord {
  return { version: 1, id, pipeline: 'mlci.yaml', status: 'passed', startedAt: '2026-11-27T06:00:00.000Z', executor: 'docker', params, metrics, history: {}, stages: [], ...extra };
}

const goals = { accuracy: { goal: 'max' as const }, loss: { goal: 'min' as const } };
const base = run('r1', { lr: 0.5, model: { depth: 3 } }, { accuracy: 0.8, loss: 0.4, f1: 0.7, auc: 0.9 }, { git: { commit: 'abcdef1234567', branch: 'main', dirty: false } });
const cand = run('r2', { lr: 0.1, model: { depth: 3 } }, { accuracy: 0.84, loss: 0.5, f1: 0.7, auc: NaN }, { name: 'lower lr', git: { commit: '1234567abcdef', dirty: true } });
const third = run('r3', { lr: 0.5, model: { depth: 3 }, extra: 'x' }, { accuracy: 0.8 });

describe('experiments: comparing runs', () => {
  it('flattens nested params and finds goals by full or last dotted name', () => {
    assert.deepEqual(flattenParams({ a: 1, m: { d: [1, 2], e: { f: 'x' } } }), { a: 1, 'm.d': [1, 2], 'm.e.f': 'x' });
    assert.equal(goalOf('train.loss', goals), 'min');
    assert.equal(goalOf('accuracy', goals), 'max');
    assert.equal(goalOf('f1', goals), undefined);
  });

  it('gives values, differences and verdicts against the baseline', () => {
    const c = compareRuns([base, cand, third], 'r1', goals);
    assert.equal(c.baseline, 0);
    const row = (k: string) => c.rows.find((r) => r.key === k)!;
    assert.deepEqual(c.rows.map((r) => `${r.kind}:${r.key}`), ['param:extra', 'param:lr', 'param:model.depth', 'metric:accuracy', 'metric:auc', 'metric:f1', 'metric:loss']);
    const acc = row('accuracy').cells[1]!;
    assert.equal(acc.verdict, 'better');
    assert.ok(Math.abs(acc.delta! - 0.04) < 1e-12);
    assert.ok(Math.abs(acc.relative! - 0.05) < 1e-12);
    assert.equal(row('loss').cells[1]!.verdict, 'worse');
    assert.equal(row('loss').goal, 'min');
    assert.equal(row('f1').cells[1]!.verdict, 'same');
    assert.equal(row('auc').cells[1]!.verdict, 'n/a', 'NaN is n/a');
    assert.equal(row('loss').cells[2]!.verdict, 'n/a', 'missing metric is n/a');
    assert.equal(row('loss').cells[2]!.value, undefined);
    assert.equal(row('loss').cells[0]!.verdict, 'same', 'the baseline against itself');
    assert.equal(row('lr').cells[1]!.changed, true);
    assert.equal(row('lr').cells[2]!.verdict, 'same');
    assert.equal(row('extra').cells[2]!.changed, true);
  });

  it('a metric without a goal that changed is n/a; a missing baseline metric is n/a', () => {
    const a = run('a', {}, { f1: 0.5 });
    const b = run('b', {}, { f1: 0.6, accuracy: 0.9 });
    const c = compareRuns([a, b], 'a', goals);
    assert.deepEqual(c.rows.map((r) => [r.key, r.cells[1]!.verdict]), [['accuracy', 'n/a'], ['f1', 'n/a']]);
    assert.equal(c.rows[0]!.cells[1]!.changed, true);
  });

  it('only-diff keeps rows where some run differs', () => {
    const c = compareRuns([base, cand], 'r1', goals, { onlyDiff: true });
    assert.deepEqual(c.rows.map((r) => r.key), ['lr', 'accuracy', 'auc', 'loss']);
    assert.deepEqual(compareRuns([base, base], 'r1', goals, { onlyDiff: true }).rows, []);
    assert.throws(() => compareRuns([base], 'nope', goals), /baseline/);
  });

  it('a zero baseline has an absolute but no relative difference', () => {
    const c = compareRuns([run('a', { l2: 0 }, { loss: 0 }), run('b', { l2: 0.1 }, { loss: 0.2 })], 'a', goals);
    assert.equal(c.rows[1]!.cells[1]!.delta, 0.2);
    assert.equal(c.rows[1]!.cells[1]!.relative, undefined);
  });
});

describe('experiments: comparison formats', () => {
  const c = compareRuns([base, cand], 'r1', goals);

  it('table: aligned columns with marks and the baseline labelled', () => {
    const text = formatTable(c);
    const lines = text.split('\n');
    assert.match(lines[0]!, /r1 \[baseline\]\s+lower lr \(r2\)$/);
    assert.match(text, /accuracy \(max\)\s+0\.8\s+0\.84 \+0\.04 \(\+5%\) ↑/);
    assert.match(text, /loss \(min\)\s+0\.4\s+0\.5 \+0\.1 \(\+25%\) ↓/);
    assert.match(text, /lr \(param\)\s+0\.5\s+0\.1 -0\.4 \(-80%\) \*/);
    assert.match(text, /auc\s+0\.9\s+NaN/);
    // Every row's second column starts at the same offset.
    const col = lines[0]!.indexOf('r1 [baseline]');
    for (const l of lines.slice(1)) assert.notEqual(l[col - 1], undefined);
    assert.equal(formatTable({ ...c, rows: [] }), 'no differences');
  });

  it('markdown: title, table with run columns and ↑/↓, commit footnote', () => {
    const md = formatMarkdown(c);
    const lines = md.split('\n');
    assert.equal(lines[0], '## mlci experiment comparison');
    assert.match(md, /2 runs compared with baseline `r1`/);
    assert.ok(lines.includes('| Run | r1 [baseline] | lower lr (r2) |'), md);
    assert.ok(lines.includes('| --- | ---: | ---: |'), md);
    assert.ok(lines.includes('| `accuracy (max)` | 0.8 | 0.84 +0.04 (+5%) ↑ |'), md);
    assert.ok(lines.includes('| `loss (min)` | 0.4 | 0.5 +0.1 (+25%) ↓ |'), md);
    assert.match(lines.at(-1)!, /^<sub>Commits: `r1` abcdef1 on main; `r2` 1234567 \(uncommitted changes\)<\/sub>$/);
    assert.match(formatMarkdown({ ...c, rows: [] }), /_No differences._/);
  });

  it('markdown escapes pipes in names; json round-trips', () => {
    const c2 = compareRuns([base, { ...cand, name: 'a|b' }], 'r1', goals);
    assert.match(formatMarkdown(c2), /a\\\|b \(r2\)/);
    const json = JSON.parse(formatComparison(c, 'json'));
    assert.equal(json.baseline, 0);
    assert.equal(json.rows.find((r: { key: string }) => r.key === 'accuracy').cells[1].verdict, 'better');
  });
});
