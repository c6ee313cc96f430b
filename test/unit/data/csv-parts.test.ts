/**
 * Reading a CSV file in parts (csv-parts.ts) gives the table a whole read
 * gives, or says it cannot (a part not clean: a cut inside a quoted field
 * holding a line end, or fails), never another table. Random files of ~100 KB with
 * quotes, embedded line ends, CRLF, blank lines, missing values and
 * categories first seen in later parts, cut in 2 to 5 parts.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { CsvLoadOptions } from '../../../src/core/data/columns';
import { loadCsvTable } from '../../../src/core/data/columns';
import { loadCsvPart, mergeCsvParts, planCsvParts } from '../../../src/core/data/csv-parts';
import type { Table } from '../../../src/core/data/table';
import { isNumericColumn } from '../../../src/core/data/table';
import { TempDir } from './helpers';

const OPTIONS: CsvLoadOptions = { columns: ['n', 'k', 'b', 'd', 't'], types: { n: 'number', k: 'category', b: 'boolean', d: 'datetime', t: 'text' } };

function plain(t: Table): unknown {
  return {
    rowCount: t.rowCount,
    columns: [...t.columns.values()].map((c) => (isNumericColumn(c) ? { ...c, values: Array.from(c.values, (v) => (Number.isNaN(v) ? 'NaN' : v)) } : { ...c, codes: Array.from(c.codes) })),
  };
}

const text = fc.oneof(
  fc.constantFrom('plain', 'with space', '"quoted, comma"', '"line\nbreak"', '"crlf\r\nbreak"', '"say ""hi"""', '', 'NA', 'é'),
  fc.string({ unit: fc.constantFrom('a', 'b', ' ', ';'), maxLength: 4 }),
);
const row = fc.tuple(
  fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), fc.integer().map(String), fc.constant('')),
  fc.oneof(fc.constantFrom('basic', 'plus', 'pro', ''), fc.string({ unit: fc.constantFrom('x', 'y', 'z'), minLength: 1, maxLength: 3 })),
  fc.constantFrom('true', 'false', 'TRUE', 'no', 'yes', '1', '0', ''),
  fc.constantFrom('2024-01-02', '2024-03-04T05:06:07Z', ''),
  text,
).map((f) => f.join(','));

describe('CSV in parts: the whole read\'s table or none', function () {
  this.timeout(120_000);
  const dir = new TempDir();
  after(() => dir.remove());

  it('random files cut in 2-5 parts: clean parts merge to the whole table', async () => {
    let merged = 0;
    let unclean = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(row, { minLength: 20, maxLength: 60 }), fc.integer({ min: 2, max: 5 }), fc.constantFrom('\n', '\r\n'), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 1000 }),
      async (block, count, eol, finalEol, blankLines, salt) => {
        // ~100 KB: the block repeated, a new category now and then (first seen in a later part).
        const lines = ['n,k,b,d,t'];
        for (let r = 0; lines.length < 3000; r++) {
          for (const l of block) lines.push(r % 7 === 3 && l.startsWith('1') ? l.replace(/^([^,]*),[^,]*/, `$1,late${r}`) : l);
          if (blankLines) lines.push('');
        }
        const file = dir.file(`f${salt}.csv`, lines.join(eol) + (finalEol ? eol : ''));
        let whole: Table;
        try {
          whole = await loadCsvTable(file, OPTIONS);
        } catch {
          return; // a value that does not fit its type: the parts are then not used either
        }
        const { size } = await import('node:fs').then((fs) => fs.statSync(file));
        const layout = await planCsvParts(file, size, count, OPTIONS);
        if (layout === undefined) return;
        assert.equal(layout.parts.length, count);
        // A part that starts inside a quoted field may also fail (its error is never shown: the whole read runs).
        const results = await Promise.all(layout.parts.map((p) => loadCsvPart(file, OPTIONS, p).catch(() => undefined)));
        if (!results.every((r) => r?.clean === true)) {
          unclean++;
          assert.ok(lines.some((l) => l.includes('"')), 'only a quoted line end can leave a part unclean');
          return;
        }
        const table = mergeCsvParts(results.map((r) => r!.table));
        assert.ok(table !== undefined);
        assert.deepEqual(plain(table), plain(whole));
        merged++;
      },
    ), { numRuns: 40 });
    assert.ok(merged > 10, `only ${merged} of 40 runs merged (${unclean} unclean)`);
  });

  it('a cut inside a quoted field with a line end is told (the part before it is not clean)', async () => {
    const long = `"${'a,b\n'.repeat(60_000)}"`; // a 240 KB quoted field full of line ends
    const file = dir.file('quoted.csv', `n,k,b,d,t\n1,x,true,2024-01-01,${long}\n2,y,false,,z\n`);
    const size = (await import('node:fs')).statSync(file).size;
    const layout = await planCsvParts(file, size, 2, OPTIONS);
    assert.ok(layout);
    const results = await Promise.all(layout.parts.map((p) => loadCsvPart(file, OPTIONS, p).catch(() => ({ clean: false }))));
    assert.equal(results[0].clean, false);
  });
});
