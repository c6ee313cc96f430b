/**
 * Data checks on a CSV file read in parts by the drift workers give the
 * report a whole read gives: a clean cut (categories first seen in a later
 * part, missing values), a cut inside a quoted field holding line ends, and
 * a value that does not fit its type in the last part (the same failed
 * type check, row numbers counted from the file's start).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataCheckReport } from '../../../src/core/data-checks';
import { runDataChecks } from '../../../src/core/data-checks';
import { readCsvInParts } from '../../../src/core/data-checks/read-in-parts';
import type { Expectations } from '../../../src/core/pipeline/model';

function withoutTime(r: DataCheckReport): Omit<DataCheckReport, 'durationMs'> {
  const { durationMs: _, ...rest } = r;
  return rest;
}

describe('data checks: a file read in parts gives the whole read\'s report', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-parts-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const expect = (file: string): Expectations => ({
    file, format: 'csv', rows: { min: 10 },
    columns: {
      id: { type: 'integer', unique: true, nulls: 0, min: 0 },
      x: { type: 'number', mean: { min: -10, max: 10 }, std: { max: 100 }, quantiles: { '0.1': { min: -100 }, '0.5': { max: 3 } }, null_share: 0.05 },
      plan: { type: 'category', in: ['basic', 'plus', 'pro'] },
      flag: { type: 'boolean', nulls: 0 },
      note: { type: 'text', regex: '^[a-z ]*$' },
    },
  });

  function write(name: string, rows: number, row: (i: number) => string): string {
    const file = path.join(dir, name);
    const lines = ['id,x,plan,flag,note'];
    for (let i = 0; i < rows; i++) lines.push(row(i));
    writeFileSync(file, lines.join('\n') + '\n');
    return file;
  }

  async function same(file: string): Promise<DataCheckReport> {
    const parts = await runDataChecks(file, expect(path.basename(file)), { workers: 3 });
    const whole = await runDataChecks(file, expect(path.basename(file)));
    assert.deepEqual(withoutTime(parts), withoutTime(whole));
    return parts;
  }

  it('a clean cut: categories first seen late, missing values, failures with their rows', async () => {
    const plans = ['basic', 'plus', 'pro'];
    const file = write('clean.csv', 12_000, (i) => `${i % 9000},${i % 50 === 0 ? '' : ((i * 7919) % 200) / 10 - 9},${i > 10_000 ? 'late' : plans[i % 3]},${i % 2 === 0},${i % 997 === 0 ? 'Upper' : 'ok'}`);
    const report = await same(file);
    assert.equal(report.passed, false); // duplicates, 'late', 'Upper'
    assert.ok(report.checks.some((c) => c.id === 'columns.plan.in' && !c.passed));
    // ... and the parts were used, not the whole read after them.
    const { columns } = expect('clean.csv');
    const types = Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, v.type!]));
    const table = await readCsvInParts(file, { columns: Object.keys(columns), types }, undefined, 3);
    assert.equal(table?.rowCount, 12_000);
  });

  it('a cut inside a quoted field holding line ends', async () => {
    const file = write('quoted.csv', 9_000, (i) => `${i},1,basic,true,${i === 4_000 ? `"${'a b\n'.repeat(20_000)}"` : 'ok'}`);
    await same(file);
  });

  it('a value that does not fit its type in the last part', async () => {
    const file = write('mismatch.csv', 12_000, (i) => `${i},${i === 11_500 ? 'oops' : i % 10},basic,true,ok`);
    const report = await same(file);
    const type = report.checks.find((c) => c.id === 'columns.x.type');
    assert.equal(type?.passed, false);
    assert.deepEqual(type?.examples?.[0], { row: 11_502, value: 'oops' });
  });
});
