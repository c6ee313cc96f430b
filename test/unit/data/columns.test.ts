/**
 * The columnar loader: type inference over the whole file, missing values,
 * declared types, column selection, the numeric-to-text switch (second pass),
 * and number parsing bit-identical to Number().
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { readTable } from '../../../src/core/data/read';
import type { Column, Table } from '../../../src/core/data/table';
import { cellText, isNumericColumn } from '../../../src/core/data/table';
import { parseDatetime, parseNumber } from '../../../src/core/data/values';
import { TempDir } from './helpers';

function column(table: Table, name: string): Column {
  const c = table.columns.get(name);
  assert.ok(c, `no column ${name}`);
  return c;
}

function cells(c: Column): (string | number | undefined)[] {
  return Array.from({ length: isNumericColumn(c) ? c.values.length : c.codes.length }, (_, i) => cellText(c, i));
}

describe('columnar loader', () => {
  const tmp = new TempDir();
  after(() => tmp.remove());

  it('infers number, integer, boolean, datetime, category and text', async () => {
    const lines = ['n,i,b,d,c,t,z'];
    for (let k = 0; k < 60; k++) {
      lines.push([`${k}.5`, `${k - 10}`, k % 2 ? 'true' : 'False', `2024-01-${String((k % 28) + 1).padStart(2, '0')}T10:00:00Z`, ['red', 'green', 'blue'][k % 3], `id-${k}`, k % 2].join(','));
    }
    const table = await readTable(tmp.file('types.csv', lines.join('\n')));
    assert.equal(table.rowCount, 60);
    const types = Object.fromEntries([...table.columns].map(([name, c]) => [name, c.type]));
    // 0/1 stays integer unless declared boolean.
    assert.deepEqual(types, { n: 'number', i: 'integer', b: 'boolean', d: 'datetime', c: 'category', t: 'text', z: 'integer' });
    const d = column(table, 'd');
    assert.ok(isNumericColumn(d));
    assert.equal(d.values[0], Date.UTC(2024, 0, 1, 10));
    const c = column(table, 'c');
    assert.ok(!isNumericColumn(c));
    assert.deepEqual(c.dictionary, ['red', 'green', 'blue']);
    assert.deepEqual(Array.from(c.codes.subarray(0, 4)), [0, 1, 2, 0]);
  });

  it('reads the default missing markers as missing, and only those', async () => {
    const table = await readTable(tmp.file('missing.csv', 'x,s\n1,a\n,b\nNA,\nN/A,NULL\nnull,None\nNaN,c\n2,na\n'));
    const x = column(table, 'x');
    assert.equal(x.type, 'integer');
    assert.equal(x.nullCount, 5);
    assert.deepEqual(cells(x), [1, undefined, undefined, undefined, undefined, undefined, 2]);
    const s = column(table, 's');
    assert.deepEqual(cells(s), ['a', 'b', undefined, undefined, undefined, 'c', 'na']); // 'na' is not a marker
  });

  it('takes custom missing markers', async () => {
    const table = await readTable(tmp.file('custom.csv', 'x,y\n1,a\n-999,b\n,c\n3,d\n'), { missing: ['-999', ''] });
    assert.deepEqual(cells(column(table, 'x')), [1, undefined, undefined, 3]);
    const none = await readTable(tmp.file('none.csv', 'x\n1\nNA\n'), { missing: [] });
    assert.equal(column(none, 'x').type, 'category'); // "NA" is now a value, so the column is text-like
  });

  it('switches a numeric column to text when text appears late, keeping the exact earlier text', async () => {
    const rows = ['code,v'];
    for (let k = 0; k < 5000; k++) rows.push(`${k % 3 === 0 ? '1.50' : '08123'},${k}`);
    rows.push('A-17,5000');
    const table = await readTable(tmp.file('switch.csv', rows.join('\n')), { chunkBytes: 4096 });
    const code = column(table, 'code');
    assert.equal(code.type, 'category');
    assert.ok(!isNumericColumn(code));
    assert.deepEqual(code.dictionary, ['1.50', '08123', 'A-17']); // first-appearance order, text as written
    assert.equal(cellText(code, 5000), 'A-17');
    assert.equal(column(table, 'v').type, 'integer');
  });

  it('a date column with a non-date turns to text; all-missing columns are numeric NaN', async () => {
    const table = await readTable(tmp.file('dates.csv', 'd,e\n2024-01-01,\n2024-02-30,\n'));
    assert.equal(column(table, 'd').type, 'category'); // Feb 30 is not a date
    assert.deepEqual(cells(column(table, 'd')), ['2024-01-01', '2024-02-30']);
    const e = column(table, 'e');
    assert.equal(e.type, 'number');
    assert.equal(e.nullCount, 2);
  });

  it('declared types are enforced with the row and column in the message', async () => {
    const path = tmp.file('declared.csv', 'id,flag,when\n1,1,2024-01-01\n2,no,2024-01-02\nx3,yes,2024-01-03\n');
    const t = await readTable(path, { types: { flag: 'boolean', id: 'category' } });
    assert.equal(column(t, 'flag').type, 'boolean');
    assert.deepEqual(cells(column(t, 'flag')), [1, 0, 1]);
    assert.equal(column(t, 'id').type, 'category');
    await assert.rejects(readTable(path, { types: { id: 'integer' }, file: 'data/d.csv' }), (err: Error & { code?: string; row?: number }) => {
      assert.equal(err.code, 'type-mismatch');
      assert.equal(err.row, 4);
      assert.equal(err.message, 'data/d.csv: row 4, column "id": "x3" is not an integer');
      return true;
    });
    await assert.rejects(readTable(path, { types: { id: 'money' as 'number' } }), /unknown type "money"/);
  });

  it('loads only the requested columns; an unknown one is named with the available ones', async () => {
    const path = tmp.file('select.csv', 'age,income,city\n30,100,Oslo\n');
    const t = await readTable(path, { columns: ['city', 'age'] });
    assert.deepEqual([...t.columns.keys()], ['age', 'city']);
    await assert.rejects(readTable(path, { columns: ['incme'], file: 'data/s.csv' }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'unknown-column');
      assert.equal(err.message, 'data/s.csv: no column "incme" (did you mean "income"?); the columns are "age", "income", "city"');
      return true;
    });
  });

  it('names blank and repeated headers as pandas does', async () => {
    const t = await readTable(tmp.file('names.csv', 'a,,a,a\n1,2,3,4\n'));
    assert.deepEqual([...t.columns.keys()], ['a', 'Unnamed: 1', 'a.1', 'a.2']);
  });

  it('ragged rows: pad fills missing, keep adds a column, error names the row', async () => {
    const path = tmp.file('ragged.csv', 'a,b\n1,2\n3\n');
    const padded = await readTable(path, { ragged: 'pad' });
    assert.deepEqual(cells(column(padded, 'b')), [2, undefined]);
    await assert.rejects(readTable(path, { file: 'r.csv' }), /^DataError: r\.csv: row 3 has 1 fields, header has 2$/);
  });

  it('reads Latin-1 category values', async () => {
    const path = tmp.file('latin1.csv', Buffer.from([...Buffer.from('name\n'), 0x63, 0x61, 0x66, 0xe9, 0x0a]));
    const t = await readTable(path, { encoding: 'latin1' });
    assert.deepEqual(cells(column(t, 'name')), ['café']);
  });

  it('unknown extensions and missing files are DataErrors naming the file', async () => {
    await assert.rejects(readTable('data/x.xlsx'), /data\/x\.xlsx: cannot tell the format/);
    await assert.rejects(readTable(`${tmp.path}/nope.csv`, { file: 'data/nope.csv' }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'not-found');
      assert.equal(err.message, 'data/nope.csv: no such file');
      return true;
    });
  });

  describe('number parsing', () => {
    const parse = (s: string): number => {
      const b = Buffer.from(s, 'latin1');
      return parseNumber(b, 0, b.length);
    };

    it('gives the same float64 as Number() for decimal strings (property)', () => {
      fc.assert(
        fc.property(fc.double({ noNaN: true }), fc.integer({ min: 0, max: 20 }), (v, digits) => {
          for (const s of [String(v), v.toExponential(digits), Math.abs(v) < 1e21 ? v.toFixed(digits) : String(v), v.toPrecision(digits + 1)]) {
            assert.ok(Object.is(parse(s), Number(s)), s);
          }
        }),
        { numRuns: 3000 },
      );
    });

    it('gives the same float64 as Number() for digit strings of any length (property)', () => {
      const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 30 });
      fc.assert(
        fc.property(fc.constantFrom('', '-', '+'), digits, fc.option(digits), fc.option(fc.integer({ min: -400, max: 400 })), (sign, int, frac, exp) => {
          const s = `${sign}${int}${frac !== null ? `.${frac}` : ''}${exp !== null ? `e${exp}` : ''}`;
          assert.ok(Object.is(parse(s), Number(s)), s);
        }),
        { numRuns: 5000 },
      );
    });

    it('16-19 digit decimals next to a rounding midpoint round like Number()', () => {
      // For random doubles x: the exact midpoint between x and the next double,
      // cut to 17-19 digits and nudged by one in the last digit, lands on both
      // sides of the tie: the hardest inputs for the exact long-mantissa path.
      const f = new Float64Array(1);
      const u = new BigUint64Array(f.buffer);
      fc.assert(
        fc.property(fc.double({ min: 1e-7, max: 1e7, noNaN: true }), fc.constantFrom(17, 18, 19), fc.constantFrom(-1n, 0n, 1n), (x, keep, nudge) => {
          f[0] = x;
          const e2 = Number((u[0] >> 52n) & 0x7ffn) - 1075;
          const m = (u[0] & ((1n << 52n) - 1n)) | (1n << 52n);
          // midpoint = (2m + 1) * 2^(e2 - 1) = (2m + 1) * 5^(1 - e2) / 10^(1 - e2)
          const digits = e2 - 1 >= 0 ? ((2n * m + 1n) << BigInt(e2 - 1)).toString() : ((2n * m + 1n) * 5n ** BigInt(1 - e2)).toString();
          const pointAt = e2 - 1 >= 0 ? digits.length : digits.length - (1 - e2);
          if (digits.length <= keep) return;
          const head = (BigInt(digits.slice(0, keep)) + nudge).toString();
          for (const s of [`${head}e${pointAt - head.length}`, `-${head}e${pointAt - head.length}`]) assert.ok(Object.is(parse(s), Number(s)), s);
          if (pointAt > 0 && pointAt < head.length) {
            const s = `${head.slice(0, pointAt)}.${head.slice(pointAt)}`;
            assert.ok(Object.is(parse(s), Number(s)), s);
          }
        }),
        { numRuns: 20000 },
      );
    });

    it('hard cases and non-numbers', () => {
      for (const s of ['0.1', '-0', '-0.0', '.5', '5.', '9007199254740993', '0.30000000000000004', '1234567890123456789', '12345678901234567890', '0.1000000000000000055511151231257827', '9.999999999999999e22', '2.2250738585072011e-308', '4.9e-324', '1.7976931348623157e308', '1e400', '1E+05', ' 12 ', '\t-3.5']) {
        assert.ok(Object.is(parse(s), Number(s)), s);
      }
      assert.equal(parse('inf'), Infinity);
      assert.equal(parse('-Infinity'), -Infinity);
      for (const s of ['', '-', '.', 'e5', '1e', '1.2.3', '0x10', '1_000', '1,5', 'nan', '12a', '--1']) assert.ok(Number.isNaN(parse(s)), s);
    });

    it('ISO dates and times; impossible ones are not dates', () => {
      const d = (s: string): number => parseDatetime(Buffer.from(s), 0, s.length);
      assert.equal(d('2024-02-29'), Date.UTC(2024, 1, 29));
      assert.equal(d('2024-02-29T12:34:56.789Z'), Date.UTC(2024, 1, 29, 12, 34, 56, 789));
      assert.equal(d('2024-02-29 12:34'), Date.UTC(2024, 1, 29, 12, 34));
      assert.equal(d('2024-02-29T12:00:00+02:00'), Date.UTC(2024, 1, 29, 10));
      assert.equal(d('0050-01-01'), Date.parse('0050-01-01T00:00:00Z'));
      for (const s of ['2023-02-29', '2024-13-01', '2024-1-01', '2024-01-01T25:00', '20240101', '2024-01-01T10:00:00+2']) assert.ok(Number.isNaN(d(s)), s);
    });
  });
});
