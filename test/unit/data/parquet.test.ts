/**
 * Parquet through hyparquet. No Parquet writer is installed (hyparquet only
 * reads), so the files are built by tiny-parquet.ts; hyparquet reading them
 * back is itself a check of that writer.
 */
import { strict as assert } from 'node:assert';
import { readTable } from '../../../src/core/data/read';
import { cellText, isNumericColumn } from '../../../src/core/data/table';
import type { Column } from '../../../src/core/data/table';
import { TempDir } from './helpers';
import { tinyParquet } from './tiny-parquet';

const cells = (c: Column): unknown[] => Array.from({ length: isNumericColumn(c) ? c.values.length : c.codes.length }, (_, i) => cellText(c, i));

describe('Parquet reader', () => {
  const tmp = new TempDir();
  after(() => tmp.remove());
  const path = tmp.file('t.parquet', tinyParquet([
    { name: 'id', type: 'int64', values: [1, 2, 3, 4] },
    { name: 'score', type: 'double', values: [0.5, null, 2.25, -1] },
    { name: 'city', type: 'string', values: ['Paris', 'NA', null, 'Paris'] },
    { name: 'ok', type: 'boolean', values: [true, false, true, null] },
    { name: 'day', type: 'date', values: [0, 1, null, 18262] },
  ]));

  it('maps schema types to column types, nulls to missing', async () => {
    const t = await readTable(path);
    assert.equal(t.rowCount, 4);
    const types = Object.fromEntries([...t.columns].map(([n, c]) => [n, c.type]));
    assert.deepEqual(types, { id: 'integer', score: 'number', city: 'category', ok: 'boolean', day: 'datetime' });
    assert.deepEqual(cells(t.columns.get('score')!), [0.5, undefined, 2.25, -1]);
    // Parquet has real nulls: the string "NA" is a value, not a missing marker.
    assert.deepEqual(cells(t.columns.get('city')!), ['Paris', 'NA', undefined, 'Paris']);
    assert.deepEqual(cells(t.columns.get('ok')!), [1, 0, 1, undefined]);
    assert.deepEqual(cells(t.columns.get('day')!), [0, 86400000, undefined, Date.UTC(2020, 0, 1)]);
  });

  it('loads only the requested columns and names unknown ones', async () => {
    const t = await readTable(path, { columns: ['city'] });
    assert.deepEqual([...t.columns.keys()], ['city']);
    await assert.rejects(readTable(path, { columns: ['scor'], file: 'data/t.parquet' }), /^DataError: data\/t\.parquet: no column "scor" \(did you mean "score"\?\)/);
  });

  it('a file that is not Parquet is a DataError', async () => {
    const bad = tmp.file('bad.parquet', 'a,b\n1,2\n');
    await assert.rejects(readTable(bad, { file: 'bad.parquet' }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'parquet');
      assert.match(err.message, /^bad\.parquet: is not a Parquet file: 8 bytes is too small/);
      return true;
    });
    await assert.rejects(readTable(`${tmp.path}/missing.parquet`, { file: 'm.parquet' }), /m\.parquet: no such file/);
  });

  it('a corrupt or truncated footer is said about the file, not in the decoder\'s words', async () => {
    const good = tinyParquet([{ name: 'id', type: 'int64', values: [1, 2, 3] }]);
    const footerLen = good.readUInt32LE(good.length - 8);
    const garbled = Buffer.from(good);
    garbled.fill(0xff, good.length - 8 - footerLen, good.length - 8);
    const huge = Buffer.from(good);
    huge.writeUInt32LE(0x7fffffff, good.length - 8);
    const cases: [string, Buffer, RegExp][] = [
      ['garbled.parquet', garbled, /^garbled\.parquet: the Parquet footer \(the file's metadata\) is corrupt and cannot be decoded/],
      ['huge.parquet', huge, /^huge\.parquet: has a corrupt Parquet footer: it claims 2147483647 bytes of metadata, more than the file holds/],
      ['cut.parquet', good.subarray(0, good.length - 3), /^cut\.parquet: is not a complete Parquet file: it does not end with the PAR1 marker/],
    ];
    for (const [name, bytes, expected] of cases) {
      const file = tmp.file(name, bytes);
      await assert.rejects(readTable(file, { file: name }), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'parquet');
        assert.match(err.message, expected);
        assert.doesNotMatch(err.message, /DataView|offset|bounds|undefined|TypeError|RangeError/i);
        return true;
      });
    }
  });
});
