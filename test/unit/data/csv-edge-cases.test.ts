/**
 * Every file of the csv-edge-cases corpus (csv-spectrum, csv-parser,
 * PapaParse; see test/fixtures/csv-edge-cases/SOURCE.md) through the reader,
 * compared with its expected JSON. Each file has an explicit case below; a
 * file without one fails the suite, so the corpus cannot grow untested.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTable } from '../../../src/core/data/read';
import { cellText, isNumericColumn } from '../../../src/core/data/table';
import { asObjects, collect, FIXTURES } from './helpers';

const files = readdirSync(join(FIXTURES, 'files')).filter((f) => f.endsWith('.csv')).sort();
const filePath = (name: string): string => join(FIXTURES, 'files', `${name}.csv`);
const expected = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, 'expected', `${name}.json`), 'utf8'));

/** csv-spectrum style: the expected JSON is the array of row objects. */
async function matchesSpectrum(name: string, expectedName = name): Promise<void> {
  const { records, error } = await collect(filePath(name), { file: name });
  assert.equal(error, undefined);
  assert.deepEqual(asObjects(records), expected(expectedName));
}

const cases: Record<string, () => Promise<void>> = {
  spectrum__comma_in_quotes: () => matchesSpectrum('spectrum__comma_in_quotes'),
  spectrum__empty: () => matchesSpectrum('spectrum__empty'),
  spectrum__empty_crlf: () => matchesSpectrum('spectrum__empty_crlf'),
  spectrum__escaped_quotes: () => matchesSpectrum('spectrum__escaped_quotes'),
  spectrum__json: () => matchesSpectrum('spectrum__json'),
  spectrum__newlines: () => matchesSpectrum('spectrum__newlines'),
  spectrum__newlines_crlf: () => matchesSpectrum('spectrum__newlines_crlf'),
  spectrum__quotes_and_newlines: () => matchesSpectrum('spectrum__quotes_and_newlines'),
  spectrum__utf8: () => matchesSpectrum('spectrum__utf8'),
  'spectrum-pr10__newlines_cr': () => matchesSpectrum('spectrum-pr10__newlines_cr'),

  // The suite's own JSON is wrong (object, other phone number); SOURCE.md's corrected one is used.
  spectrum__location_coordinates: () => matchesSpectrum('spectrum__location_coordinates', 'spectrum__location_coordinates.corrected'),

  'spectrum-history__latin1': async () => {
    const name = 'spectrum-history__latin1';
    const latin1 = await collect(filePath(name), { encoding: 'latin1' });
    assert.equal(latin1.error, undefined);
    assert.deepEqual(asObjects(latin1.records), expected(name));
    // As UTF-8 the lone 0xA9 is reported, with the row and byte offset, after the good rows.
    const utf8 = await collect(filePath(name), { file: 'data/latin1.csv' });
    assert.deepEqual(utf8.records, [['a', 'b', 'c'], ['1', '2', '3']]);
    assert.equal(utf8.error?.code, 'invalid-utf8');
    assert.equal(utf8.error?.row, 3);
    assert.equal(utf8.error?.offset, 16);
    assert.match(utf8.error?.message ?? '', /^data\/latin1\.csv: row 3 \(line 3, column 5\): invalid UTF-8 byte 0xA9 at byte offset 16.*encoding: 'latin1'/);
  },

  // Rows 1-2 are RFC behaviour. Row 3 (unquoted NULL → "") is the PR's convention, not RFC:
  // the tokenizer keeps the text (as Python's csv does); the columnar loader reads NULL as missing.
  'spectrum-pr16__null': async () => {
    const name = 'spectrum-pr16__null';
    const { records, error } = await collect(filePath(name));
    assert.equal(error, undefined);
    const objects = asObjects(records);
    const want = expected(name) as Record<string, string>[];
    assert.deepEqual(objects.slice(0, 2), want.slice(0, 2));
    assert.deepEqual(objects[2], { a: '5', b: 'NULL', c: '6' });
    const table = await readTable(filePath(name));
    const b = table.columns.get('b')!;
    assert.equal(b.nullCount, 3); // "", "NULL" and NULL are all missing by default
    assert.deepEqual([0, 1, 2].map((i) => cellText(b, i)), [undefined, undefined, undefined]);
    const keepNull = await readTable(filePath(name), { missing: [''] });
    assert.deepEqual([0, 1, 2].map((i) => cellText(keepNull.columns.get('b')!, i)), [undefined, 'NULL', 'NULL']);
  },

  'csv-parser__strict': async () => {
    const name = 'csv-parser__strict';
    const want = expected(name) as { rows_before_error: Record<string, string>[] };
    const { records, error } = await collect(filePath(name), { file: 'data/train.csv' });
    assert.deepEqual(asObjects(records), want.rows_before_error);
    assert.equal(error?.code, 'ragged-row');
    assert.equal(error?.row, 4);
    assert.equal(error?.message, 'data/train.csv: row 4 has 4 fields, header has 3');
  },

  'csv-parser__strict-false-less-columns': async () => {
    const name = 'csv-parser__strict-false-less-columns';
    const want = expected(name) as { rows: Record<string, string>[] };
    const keep = await collect(filePath(name), { ragged: 'keep' });
    assert.deepEqual(asObjects(keep.records), want.rows);
    const pad = await collect(filePath(name), { ragged: 'pad' });
    assert.deepEqual(asObjects(pad.records)[1], { a: '4', b: '5', c: '' });
    const strict = await collect(filePath(name), { file: 'f.csv' });
    assert.equal(strict.error?.message, 'f.csv: row 3 has 2 fields, header has 3');
  },

  'csv-parser__strict-false-more-columns': async () => {
    const name = 'csv-parser__strict-false-more-columns';
    const want = expected(name) as { rows: Record<string, string>[] };
    const keep = await collect(filePath(name), { ragged: 'keep' });
    assert.deepEqual(asObjects(keep.records), want.rows);
    // 'pad' fills short rows only: a long row is still an error (as pandas).
    const pad = await collect(filePath(name), { ragged: 'pad', file: 'f.csv' });
    assert.equal(pad.error?.code, 'ragged-row');
    assert.match(pad.error?.message ?? '', /^f\.csv: row 3 has 4 fields, header has 3/);
    // The columnar loader keeps the extra field as column "_3".
    const table = await readTable(filePath(name), { ragged: 'keep' });
    assert.deepEqual([...table.columns.keys()], ['a', 'b', 'c', '_3']);
    const extra = table.columns.get('_3')!;
    assert.ok(isNumericColumn(extra));
    assert.equal(extra.type, 'integer');
    assert.deepEqual(Array.from(extra.values), [NaN, 7, NaN]);
  },

  'papaparse__utf-8-bom-sample': async () => {
    const name = 'papaparse__utf-8-bom-sample';
    const { records, error } = await collect(filePath(name));
    assert.equal(error, undefined);
    assert.deepEqual(asObjects(records), (expected(name) as { rows: unknown }).rows);
    assert.equal(records[0][0], 'A'); // not '\ufeffA'
  },

  'papaparse-7db015f__sjis-sample': async () => {
    const name = 'papaparse-7db015f__sjis-sample';
    const want = (expected(name) as { rows: string[][] }).rows;
    // Shift_JIS is not UTF-8: these bytes are invalid UTF-8 at the very first byte.
    const utf8 = await collect(filePath(name));
    assert.equal(utf8.error?.code, 'invalid-utf8');
    assert.equal(utf8.error?.row, 1);
    assert.equal(utf8.error?.offset, 0);
    // Read as Latin-1 it decodes, and must not match the Shift_JIS text.
    const latin1 = await collect(filePath(name), { encoding: 'latin1' });
    assert.equal(latin1.error, undefined);
    assert.equal(latin1.records.length, 1);
    assert.notDeepEqual(latin1.records, want);
  },

  'papaparse-inline__unclosed_quote': async () => {
    const name = 'papaparse-inline__unclosed_quote';
    const { records, error } = await collect(filePath(name), { file: 'q.csv' });
    assert.deepEqual(records, []);
    assert.equal(error?.code, 'unclosed-quote');
    assert.equal(error?.row, 1);
    assert.equal(error?.line, 1);
    assert.equal(error?.column, 3); // PapaParse reports index 3 (0-based) for this quote; 1-based column 3
    assert.match(error?.message ?? '', /^q\.csv: row 1: unclosed quote: the quoted field that opens at line 1, column 3 \(field 2\)/);
  },
};

describe('csv-edge-cases corpus', () => {
  it('has a case for every file (19)', () => {
    assert.equal(files.length, 19);
    assert.deepEqual(files.map((f) => f.replace(/\.csv$/, '')).filter((n) => !(n in cases)), []);
  });
  for (const file of files) {
    const name = file.replace(/\.csv$/, '');
    it(name, async () => {
      const run = cases[name];
      assert.ok(run, `no test case for ${file}`);
      await run();
    });
  }
});
