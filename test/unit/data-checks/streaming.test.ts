/**
 * The checks stream (evaluate.ts): the reports must be those of the
 * whole-table implementation they replaced, byte for byte, whatever the
 * chunk size and however many passes a quantile takes. stream-golden.json
 * holds that implementation's reports on every fixture and on generated
 * files (stream-cases.ts); here they are made again with chunks of 1, 7 and
 * 1,000 rows and selection limits that force every path of the exact
 * quantile search.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrderStatistics } from '../../../src/core/data-checks/order-statistics';
import { numpySum, StreamingNumpySum } from '../../../src/core/drift/stats/sum';
import { readGolden, reports } from './stream-cases';

describe('data checks: streaming gives the whole-table reports', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlci-stream-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const golden = readGolden();
  for (const opts of [{}, { chunkRows: 1000 }, { chunkRows: 7, selectLimit: 3 }, { chunkRows: 1, selectLimit: 0 }]) {
    it(`every case, byte-identical, with ${JSON.stringify(opts)}`, async () => {
      const got = await reports(dir, opts);
      assert.deepEqual(Object.keys(got).sort(), Object.keys(golden).sort());
      for (const [name, report] of Object.entries(golden)) assert.equal(got[name], report, name);
    });
  }
});

describe('data checks: the streaming statistics', () => {
  function rng(seed: number): () => number {
    let s = seed;
    return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  }

  it('a sum fed one value at a time has numpySum\'s bits', () => {
    const r = rng(3);
    for (const n of [0, 1, 7, 8191, 8192, 8193, 30_000]) {
      const x = Float64Array.from({ length: n }, () => (r() - 0.3) * 10 ** Math.floor(r() * 12));
      const s = new StreamingNumpySum();
      for (const v of x) s.push(v);
      assert.ok(Object.is(s.total(), numpySum(x)), `n=${n}`);
    }
  });

  it('order statistics in passes equal the sorted values at every rank, for any limit and chunking', () => {
    const r = rng(5);
    const kinds: Record<string, () => number> = {
      spread: () => (r() - 0.5) * 1e6,
      repeats: () => Math.floor(r() * 4),
      tiny: () => (r() - 0.5) * 1e-300,
      mixed: () => [-0, 0, Infinity, -Infinity, 1, -1, NaN][Math.floor(r() * 7)] ?? 0,
    };
    for (const [kind, make] of Object.entries(kinds)) {
      for (const limit of [0, 5, 1 << 18]) {
        const x = Float64Array.from({ length: 3000 }, make);
        const sorted = x.filter((v) => !Number.isNaN(v)).sort();
        const ranks = [0, 1, Math.floor(sorted.length / 3), sorted.length - 1];
        const chunks = [x.subarray(0, 1000), x.subarray(1000, 1001), x.subarray(1001)];
        const o = new OrderStatistics(limit);
        for (const c of chunks) o.add(c);
        o.want(ranks);
        let passes = 1;
        while (o.pending) {
          for (const c of chunks) o.addPass(c);
          o.endPass();
          passes++;
        }
        assert.ok(passes <= 6, `${kind}: ${passes} passes`);
        for (const k of ranks) assert.ok(Object.is(o.at(k), sorted[k]), `${kind}, limit ${limit}, rank ${k}: ${o.at(k)} vs ${sorted[k]}`);
      }
    }
  });
});
