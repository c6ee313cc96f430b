import { strict as assert } from 'node:assert';
import { kstwoCdf, kstwoSf, ksTwoSample, smirnov } from '../../../src/core/drift/stats';
import type { KsMethod } from '../../../src/core/drift/stats';
import { assertP, assertStat, loadFixture, num, scaled } from './helpers';

interface KsCase {
  name: string; scale: number; method: KsMethod; a: number[]; b: number[];
  expected: {
    statistic: number; pvalue: unknown; method: 'exact' | 'asymp'; exactFellBack: boolean;
    statisticLocation: number; statisticSign: 1 | -1;
  };
}

describe('drift-stats: two-sample Kolmogorov-Smirnov (scipy.stats.ks_2samp)', () => {
  const fx = loadFixture<KsCase>('ks.json');

  for (const c of fx.cases) {
    it(`${c.name} (${c.a.length} vs ${c.b.length}, ${c.method})`, () => {
      const r = ksTwoSample(scaled(c.a, c.scale), scaled(c.b, c.scale), { method: c.method });
      assert.equal(r.method, c.expected.method, 'method');
      assert.equal(r.exactFellBack, c.expected.exactFellBack, 'exactFellBack');
      assertStat('ks statistic', r.statistic, c.expected.statistic, c.name);
      assertP(`ks p (${r.method})`, r.pvalue, num(c.expected.pvalue), c.name);
      assert.equal(r.statisticLocation, c.expected.statisticLocation, 'statistic location');
      assert.equal(r.statisticSign, c.expected.statisticSign, 'statistic sign');
    });
  }

  it('is symmetric in its inputs except for the sign', () => {
    const a = Float64Array.from([0.1, 0.4, 0.4, 0.9, 1.3]);
    const b = Float64Array.from([0.2, 0.4, 1.0, 1.1, 1.2, 2.0]);
    const r1 = ksTwoSample(a, b);
    const r2 = ksTwoSample(b, a);
    assert.equal(r1.statistic, r2.statistic);
    assert.equal(r1.pvalue, r2.pvalue);
  });

  it('does not modify its inputs', () => {
    const a = Float64Array.from([3, 1, 2]);
    const b = [9, 7, 8];
    ksTwoSample(a, b);
    assert.deepEqual(Array.from(a), [3, 1, 2]);
    assert.deepEqual(b, [9, 7, 8]);
  });

  it('throws a RangeError for an empty sample, as scipy raises ValueError', () => {
    assert.throws(() => ksTwoSample(new Float64Array(0), Float64Array.from([1])), RangeError);
    assert.throws(() => ksTwoSample([1, 2], []), /non-empty/);
  });

  it('throws a RangeError when a sample contains NaN (the caller removes missing values)', () => {
    assert.throws(() => ksTwoSample([1, NaN, 2], [1, 2]), /NaN/);
  });

  it('rejects an unknown method', () => {
    assert.throws(() => ksTwoSample([1], [2], { method: 'approx' as KsMethod }), RangeError);
  });
});

interface KstwoCase { n: number; x: number; sf: unknown; cdf: unknown }
interface SmirnovCase { n: number; x: number; sf: unknown }

describe('drift-stats: Kolmogorov distributions (scipy.stats.kstwo, scipy.special.smirnov)', () => {

  it('kstwo.sf and kstwo.cdf agree with scipy over every branch of _kolmogn', function () {
    this.timeout(120000); // n = 500000 sums ~n Smirnov terms per point
    const fx = loadFixture<KstwoCase>('kstwo.json');
    assert.ok(fx.cases.length > 300);
    for (const c of fx.cases) {
      const where = `n=${c.n} x=${c.x}`;
      assertP('kstwo.sf', kstwoSf(c.x, c.n), num(c.sf), where);
      assertP('kstwo.cdf', kstwoCdf(c.x, c.n), num(c.cdf), where);
    }
  });

  it('smirnov agrees with scipy.special.smirnov', function () {
    this.timeout(120000); // n up to 1e6 terms per point
    const fx = loadFixture<SmirnovCase>('smirnov.json');
    for (const c of fx.cases) assertP('smirnov', smirnov(c.n, c.x), num(c.sf), `n=${c.n} x=${c.x}`);
  });

  it('returns NaN outside the domain', () => {
    assert.ok(Number.isNaN(kstwoSf(0.5, 0)));
    assert.ok(Number.isNaN(kstwoSf(0.5, 2.5)));
    assert.ok(Number.isNaN(kstwoSf(NaN, 5)));
    assert.ok(Number.isNaN(smirnov(5, 1.5)));
  });
});
