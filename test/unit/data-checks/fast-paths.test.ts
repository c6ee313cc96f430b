/**
 * The fast paths the data checks take on a million rows give what the plain
 * definitions give: booleans parsed from field bytes (no string per field)
 * equal parseBoolean on the field's text, and quantiles by selection equal
 * quantiles of the sorted values, level after level on the same array.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { present, quantileSelect, quantileSorted } from '../../../src/core/data-checks/stats';
import { parseBoolean, parseBooleanBytes } from '../../../src/core/data/values';

const WORDS = ['true', 'TRUE', 'True', 'tRuE', 'false', 'False', 'yes', 'YES', 'no', 'No', 't', 'T', 'f', 'y', 'n', 'N', '1', '0', ' true', 'true ', '\ttrue', 'truee', 'tru', '', '\x11', '\x10', 'yes\u00a0', 'é', 'nO', '2', 'on', 'off'];

describe('data checks: fast paths equal the plain definitions', () => {
  it('parseBooleanBytes equals parseBoolean on the latin1 text (declared and inferred)', () => {
    const field = fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 6 }), fc.uint8Array({ maxLength: 6 }).map((b) => Buffer.from(b).toString('latin1')));
    fc.assert(fc.property(field, fc.boolean(), (text, declared) => {
      const bytes = Buffer.concat([Buffer.from('xx'), Buffer.from(text, 'latin1'), Buffer.from('yy')]);
      const got = parseBooleanBytes(bytes, 2, bytes.length - 2, declared);
      const want = parseBoolean(text, declared);
      assert.ok(Object.is(got, want), `${JSON.stringify(text)} declared=${declared}: ${got} vs ${want}`);
    }), { numRuns: 3000 });
    for (const w of WORDS) for (const declared of [true, false]) {
      const b = Buffer.from(w, 'latin1');
      assert.ok(Object.is(parseBooleanBytes(b, 0, b.length, declared), parseBoolean(w, declared)), w);
    }
  });

  it('quantileSelect equals quantileSorted, for several levels on the same array (repeats, inf, -0)', () => {
    const value = fc.oneof(fc.double({ noNaN: true }), fc.integer({ min: -3, max: 3 }), fc.constantFrom(-0, 0, Infinity, -Infinity));
    const level = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.25, 0.5, 0.75, 1));
    fc.assert(fc.property(fc.array(value, { maxLength: 300 }), fc.array(level, { minLength: 1, maxLength: 6 }), (xs, levels) => {
      const sorted = Float64Array.from(xs).sort();
      const work = Float64Array.from(xs);
      for (const q of levels) {
        const want = quantileSorted(sorted, q);
        const got = quantileSelect(work, q);
        assert.ok(Object.is(got, want) || (got === 0 && want === 0) || (Number.isNaN(got) && Number.isNaN(want)), `q=${q}: ${got} vs ${want}`);
      }
    }), { numRuns: 2000 });
  });

  it('quantileSelect stays linear on sorted, reversed and constant columns of a million rows', () => {
    const n = 1_000_000;
    for (const make of [(i: number) => i, (i: number) => n - i, () => 7, (i: number) => i % 2]) {
      const x = Float64Array.from({ length: n }, (_, i) => make(i));
      const sorted = x.slice().sort();
      for (const q of [0.5, 0.01, 0.99]) assert.equal(quantileSelect(x, q), quantileSorted(sorted, q));
    }
  });

  it('present returns the column itself when nothing is missing, a copy without NaN otherwise', () => {
    const full = Float64Array.of(3, 1, 2);
    assert.equal(present(full), full);
    assert.deepEqual([...present(Float64Array.of(NaN, 1, NaN, 2, NaN))], [1, 2]);
    assert.deepEqual([...present(Float64Array.of(1, 2, NaN))], [1, 2]);
  });
});
