/**
 * How the file is read for its checks: declared types steer parsing, text
 * keeps its characters for regex, row numbers follow the reader's (records,
 * not lines), JSON Lines rows are the n-th object and missing JSONL keys are
 * found after a full read.
 */
import { strict as assert } from 'node:assert';
import { runDataChecks } from '../../../src/core/data-checks';
import { check, expectation, fixture } from './helpers';

describe('data checks: reading the file', () => {
  it('a declared type steers parsing: 1/0/t/n are booleans, "2024-03-02 08:30" a datetime', async () => {
    const report = await runDataChecks(fixture('typed.csv'), expectation('typed.csv', {
      flag: { type: 'boolean', in: [true, false] },
      when: { type: 'datetime', min: Date.UTC(2024, 0, 31), max: Date.UTC(2024, 2, 2, 8, 30) },
    }));
    assert.deepEqual(report.checks.filter((c) => !c.passed), []);
    assert.equal(check(report, 'columns.flag.type').actual, 'boolean');
    assert.equal(check(report, 'columns.when.max').actual, '2024-03-02T08:30:00.000Z');
  });

  it('number means finite: inf fails the type check', async () => {
    const report = await runDataChecks(fixture('typed.csv'), expectation('typed.csv', { amount: { type: 'number' } }));
    const type = check(report, 'columns.amount.type');
    assert.deepEqual([type.passed, type.actual, type.examples], [false, '1 value not a number', [{ row: 4, value: 'inf' }]]);
  });

  it('regex without a declared type sees the characters written ("007", not 7)', async () => {
    const report = await runDataChecks(fixture('typed.csv'), expectation('typed.csv', { code: { regex: '^[0-9]{3}$', unique: true } }));
    assert.deepEqual(report.checks.filter((c) => !c.passed), []);
  });

  it('in on a number column compares values: YAML numbers and numeric strings alike', async () => {
    const report = await runDataChecks(fixture('typed.csv'), expectation('typed.csv', { level: { type: 'integer', in: [1, '2'] } }));
    const allowed = check(report, 'columns.level.in');
    assert.deepEqual([allowed.passed, allowed.actual, allowed.examples], [false, '1 unexpected value: 3 ×1', [{ row: 4, value: '3' }]]);
  });

  it('rows are records: after a quoted line break the row is not the line', async () => {
    const report = await runDataChecks(fixture('multiline.csv'), expectation('multiline.csv', { score: { max: 10 } }));
    // score 50 is on row 3 (lines 3-4), score 70 on row 4 (line 5).
    assert.deepEqual(check(report, 'columns.score.max').examples, [{ row: 3, value: '50' }, { row: 4, value: '70' }]);
  });
});

describe('data checks: JSON Lines', () => {
  it('rows are the n-th object; absent keys and null are missing; a bad value is a type failure', async () => {
    const report = await runDataChecks(fixture('events.jsonl'), expectation('events.jsonl', {
      id: { unique: true },
      score: { type: 'number', min: 0, max: 1, nulls: 0 },
    }));
    assert.deepEqual(report.columns, ['id', 'score']);
    const type = check(report, 'columns.score.type');
    assert.deepEqual([type.passed, type.examples], [false, [{ row: 3, value: 'high' }]]);
    assert.deepEqual(check(report, 'columns.score.nulls').examples, [{ row: 4, value: '' }]);
    assert.deepEqual(check(report, 'columns.score.max').examples, [{ row: 5, value: '1.5' }]);
  });

  it('a missing key: the keys are learned from a full read, the rest is still checked', async () => {
    const report = await runDataChecks(fixture('events.jsonl'), expectation('events.jsonl', { kinds: {}, kind: { in: ['click', 'view', 'buy'] } }));
    assert.deepEqual(report.columns, ['id', 'score', 'kind', 'extra']);
    assert.equal(check(report, 'columns.kinds.present').message, 'kinds: no such column (did you mean "kind"?); the file has "id", "score", "kind", "extra"');
    assert.equal(check(report, 'columns.kind.in').passed, true);
  });
});
