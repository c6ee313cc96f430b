/** JSON Lines into the same Table as CSV. */
import { strict as assert } from 'node:assert';
import { readTable } from '../../../src/core/data/read';
import { cellText, isNumericColumn } from '../../../src/core/data/table';
import type { Column } from '../../../src/core/data/table';
import { TempDir } from './helpers';

const cells = (c: Column): unknown[] => Array.from({ length: isNumericColumn(c) ? c.values.length : c.codes.length }, (_, i) => cellText(c, i));

describe('JSON Lines reader', () => {
  const tmp = new TempDir();
  after(() => tmp.remove());

  it('reads objects into typed columns; absent keys and null are missing; blank lines skipped', async () => {
    const text = [
      '{"x": 1, "name": "a", "ok": true, "at": "2024-01-01"}',
      '',
      '{"x": 2.5, "ok": false, "extra": {"k": [1]}}\r',
      '   ',
      '{"name": "b", "x": null, "at": "2024-01-02T00:00:00Z", "ok": true}',
    ].join('\n');
    const t = await readTable(tmp.file('a.jsonl', text), { chunkBytes: 5 });
    assert.equal(t.rowCount, 3);
    assert.deepEqual([...t.columns.keys()], ['x', 'name', 'ok', 'at', 'extra']);
    assert.equal(t.columns.get('x')!.type, 'number');
    assert.deepEqual(cells(t.columns.get('x')!), [1, 2.5, undefined]);
    assert.deepEqual(cells(t.columns.get('name')!), ['a', undefined, 'b']);
    assert.equal(t.columns.get('ok')!.type, 'boolean');
    assert.deepEqual(cells(t.columns.get('ok')!), [1, 0, 1]);
    assert.equal(t.columns.get('at')!.type, 'datetime');
    assert.deepEqual(cells(t.columns.get('extra')!), [undefined, '{"k":[1]}', undefined]);
  });

  it('a column of numbers that meets a string becomes text, with the numbers as JSON text', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ v: i % 2 ? 1.5 : 7 }));
    lines.push('{"v": "seven"}');
    const t = await readTable(tmp.file('switch.ndjson', lines.join('\n')), { chunkBytes: 1000 });
    const v = t.columns.get('v')!;
    assert.equal(v.type, 'category');
    assert.ok(!isNumericColumn(v));
    assert.deepEqual(v.dictionary, ['7', '1.5', 'seven']);
  });

  it('bad JSON and non-objects are errors with the line number', async () => {
    await assert.rejects(readTable(tmp.file('bad.jsonl', '{"a":1}\n\n{"a":\n'), { file: 'data/b.jsonl' }), (err: Error & { code?: string; line?: number }) => {
      assert.equal(err.code, 'bad-json');
      assert.equal(err.line, 3);
      assert.match(err.message, /^data\/b\.jsonl: line 3: bad JSON: /);
      return true;
    });
    await assert.rejects(readTable(tmp.file('arr.jsonl', '[1,2]\n')), /line 1: expected a JSON object, found an array/);
    await assert.rejects(readTable(tmp.file('empty.jsonl', '\n\n')), /empty file: no JSON objects/);
  });

  it('deeply nested values are a clear error, not a stack overflow; brackets inside strings do not count', async () => {
    const d = 200_000;
    const deep = `{"a": 1}\n{"a": ${'['.repeat(d)}${']'.repeat(d)}}\n`;
    await assert.rejects(readTable(tmp.file('deep.jsonl', deep), { file: 'deep.jsonl' }), (err: Error & { code?: string; line?: number }) => {
      assert.equal(err.code, 'bad-json');
      assert.equal(err.line, 2);
      assert.match(err.message, /^deep\.jsonl: line 2: JSON nested deeper than 1000 levels/);
      return true;
    });
    const ok = await readTable(tmp.file('brackets.jsonl', `{"a": "${'['.repeat(5000)}", "b": ${'['.repeat(900)}${']'.repeat(900)}}\n`));
    assert.equal(ok.rowCount, 1);
  });

  it('invalid UTF-8 is reported with its line', async () => {
    const path = tmp.file('latin1.jsonl', Buffer.concat([Buffer.from('{"a":"x"}\n{"a":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]));
    await assert.rejects(readTable(path), (err: Error & { code?: string; line?: number; offset?: number }) => {
      assert.equal(err.code, 'invalid-utf8');
      assert.equal(err.line, 2);
      assert.equal(err.offset, 19);
      return true;
    });
  });

  it('selection and unknown columns work as for CSV', async () => {
    const path = tmp.file('sel.jsonl', '{"alpha": 1, "beta": 2}\n{"alpha": 3, "gamma": "x"}\n');
    const t = await readTable(path, { columns: ['gamma'] });
    assert.deepEqual([...t.columns.keys()], ['gamma']);
    assert.deepEqual(cells(t.columns.get('gamma')!), [undefined, 'x']);
    await assert.rejects(readTable(path, { columns: ['alpah'] }), /no column "alpah" \(did you mean "alpha"\?\); the columns are "alpha", "beta", "gamma"/);
  });
});
