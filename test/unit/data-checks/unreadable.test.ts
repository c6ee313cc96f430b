/**
 * Bad input never throws: an unreadable file is a failed report with one
 * `file.readable` check carrying the reader's message (row included); a
 * malformed expectation is a failed check. Only cancellation throws.
 */
import { strict as assert } from 'node:assert';
import type { DataCheckReport } from '../../../src/core/data-checks';
import { formatDataReport, runDataChecks } from '../../../src/core/data-checks';
import type { ColumnExpectation } from '../../../src/core/pipeline/model';
import { check, expectation, fixture } from './helpers';

const COLUMNS = { customer_id: { unique: true }, tenure: { min: 0 } };

async function unreadable(name: string): Promise<DataCheckReport> {
  const report = await runDataChecks(fixture(name), expectation(`data/${name}`, COLUMNS, { rows: { min: 1 } }));
  assert.equal(report.passed, false);
  assert.equal(report.rows, 0);
  assert.deepEqual(report.columns, []);
  assert.deepEqual(report.checks.map((c) => c.id), ['file.readable'], 'one check, no others');
  return report;
}

describe('data checks: unreadable files', () => {
  it('a missing file', async () => {
    const c = (await unreadable('no-such-file.csv')).checks[0];
    assert.deepEqual({ passed: c.passed, actual: c.actual, message: c.message }, { passed: false, actual: 'not-found', message: 'data/no-such-file.csv: no such file' });
    assert.equal(c.title, 'data/no-such-file.csv readable');
  });

  it('an empty file', async () => {
    const c = (await unreadable('empty.csv')).checks[0];
    assert.equal(c.actual, 'empty-file');
    assert.equal(c.message, 'data/empty.csv: empty file: no header row');
  });

  it('a ragged row, with its row number', async () => {
    const c = (await unreadable('ragged.csv')).checks[0];
    assert.equal(c.actual, 'ragged-row');
    assert.match(c.message, /^data\/ragged\.csv: row 3 has 1 fields, header has 2/);
  });

  it('invalid UTF-8, with its row number', async () => {
    const c = (await unreadable('latin1.csv')).checks[0];
    assert.equal(c.actual, 'invalid-utf8');
    assert.match(c.message, /^data\/latin1\.csv: row 3 \(line 3, column 8\): invalid UTF-8 byte 0xFC/);
  });

  it('an extension no reader knows', async () => {
    const c = (await unreadable('expected.py')).checks[0];
    assert.equal(c.actual, 'unknown-format');
  });

  it('the log shows the reason and a summary', async () => {
    const lines = formatDataReport(await unreadable('empty.csv'));
    assert.deepEqual(lines, ['✘ data/empty.csv readable — data/empty.csv: empty file: no header row', 'data/empty.csv: 0 of 1 check passed, 1 failed']);
  });

  it('a header without rows is readable: the row count fails, not the file', async () => {
    const report = await runDataChecks(fixture('header-only.csv'), expectation('header-only.csv', { tenure: { nulls: 0 } }, { rows: { min: 1 } }));
    assert.deepEqual(report.checks.map((c) => [c.id, c.passed]), [['rows.min', false], ['columns.tenure.present', true], ['columns.tenure.nulls', true]]);
    assert.deepEqual(report.columns, ['customer_id', 'tenure']);
  });
});

describe('data checks: malformed expectations', () => {
  it('fields of the wrong shape are failed checks', async () => {
    const spec = { type: 'float', min: '3', nulls: -1, in: [], quantiles: { '1.5': { max: 1 }, '0.5': {} } } as unknown as ColumnExpectation;
    const report = await runDataChecks(fixture('clean.csv'), expectation('clean.csv', { tenure: spec }));
    const failed = report.checks.filter((c) => !c.passed).map((c) => [c.id, c.message]);
    assert.deepEqual(failed, [
      ['columns.tenure.type', 'tenure: type must be one of number, integer, boolean, datetime, category, text, not "float"'],
      ['columns.tenure.nulls', 'tenure: nulls must be a whole number ≥ 0'],
      ['columns.tenure.in', 'tenure: in must be a non-empty list of strings, numbers or booleans'],
      ['columns.tenure.min', 'tenure: min must be a number'],
      ['columns.tenure.quantiles.1.5', 'tenure: quantiles.1.5 is not a level from "0" to "1"'],
      ['columns.tenure.quantiles.0.5', 'tenure: quantiles.0.5 must be { min, max } with at least one number'],
    ]);
  });

  it('an invalid regular expression is a failed check', async () => {
    const report = await runDataChecks(fixture('clean.csv'), expectation('clean.csv', { plan: { regex: '([a-z' } }));
    const regex = check(report, 'columns.plan.regex');
    assert.equal(regex.passed, false);
    assert.match(regex.message, /^plan: the regex is not a valid regular expression: /);
  });
});

describe('data checks: cancellation', () => {
  it('an aborted signal rejects with its reason before reading', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled by the user'));
    await assert.rejects(runDataChecks(fixture('clean.csv'), expectation('clean.csv', {}), { signal: controller.signal }), /cancelled by the user/);
  });

  it('a signal aborted during the read rejects once the read ends', async () => {
    const controller = new AbortController();
    const running = runDataChecks(fixture('numbers.csv'), expectation('numbers.csv', { x: { mean: { min: 0 } } }), { signal: controller.signal });
    controller.abort();
    await assert.rejects(running, { name: 'AbortError' });
  });
});
