/**
 * mean, std and quantiles against pandas on 300 rows with missing values
 * (numbers.csv, written by expected.py): floats, integers with NA, and
 * values near 1e6 whose spread is a millionth of their size (a one-pass
 * variance would lose it). Also the statistics' edge cases.
 */
import { strict as assert } from 'node:assert';
import { runDataChecks } from '../../../src/core/data-checks';
import { mean, quantileSorted, sampleStd } from '../../../src/core/data-checks/stats';
import type { Bounds } from '../../../src/core/pipeline/model';
import { assertClose, check, expectation, fixture, PANDAS } from './helpers';

const OPEN: Bounds = { min: -1e300, max: 1e300 };

describe('data checks: statistics agree with pandas', () => {
  const expected = PANDAS['numbers.csv'];
  for (const [name, p] of Object.entries(expected.columns)) {
    it(`${name}: nulls, min, max, mean, std (ddof=1) and linear quantiles`, async () => {
      const levels = Object.keys(p.quantiles!);
      const report = await runDataChecks(fixture('numbers.csv'), expectation('numbers.csv', {
        [name]: { type: 'number', nulls: 1000, min: -1e300, max: 1e300, mean: OPEN, std: OPEN, quantiles: Object.fromEntries(levels.map((l) => [l, OPEN])) },
      }));
      assert.equal(report.rows, expected.rows);
      assert.equal(check(report, `columns.${name}.nulls`).value, p.nulls);
      assert.equal(check(report, `columns.${name}.min`).value, p.min);
      assert.equal(check(report, `columns.${name}.max`).value, p.max);
      assertClose(check(report, `columns.${name}.mean`).value, p.mean!, 'mean');
      assertClose(check(report, `columns.${name}.std`).value, p.std!, 'std');
      for (const level of levels) assertClose(check(report, `columns.${name}.quantiles.${level}`).value, p.quantiles![level], `q${level}`);
    });
  }
});

describe('data checks: statistics edge cases', () => {
  it('quantiles interpolate linearly between neighbours (numpy "linear")', () => {
    const x = Float64Array.of(1, 2, 4, 8);
    assert.equal(quantileSorted(x, 0), 1);
    assert.equal(quantileSorted(x, 1), 8);
    assert.equal(quantileSorted(x, 0.5), 3); // h = 1.5: 2 + 0.5 * (4 - 2)
    assert.equal(quantileSorted(x, 0.25), 1.75); // h = 0.75: from the upper end, 2 - 0.25 * 1
    assert.equal(quantileSorted(Float64Array.of(7), 0.3), 7);
    assert.ok(Number.isNaN(quantileSorted(new Float64Array(0), 0.5)));
  });

  it('std needs two values; mean of nothing is NaN', () => {
    assert.ok(Number.isNaN(sampleStd(Float64Array.of(3))));
    assert.equal(sampleStd(Float64Array.of(2, 4)), Math.SQRT2);
    assert.ok(Number.isNaN(mean(new Float64Array(0))));
  });

  it('a statistic that cannot be computed fails its check and says why', async () => {
    const report = await runDataChecks(fixture('header-only.csv'), expectation('header-only.csv', {
      tenure: { mean: { min: 0 }, std: { max: 1 }, quantiles: { '0.5': { max: 1 } }, min: 0 },
    }));
    const mean = check(report, 'columns.tenure.mean');
    assert.equal(mean.passed, false);
    assert.equal(mean.actual, 'undefined');
    assert.equal(mean.message, 'tenure: the mean cannot be computed: there are no values');
    assert.equal(check(report, 'columns.tenure.std').passed, false);
    assert.equal(check(report, 'columns.tenure.quantiles.0.5').passed, false);
    // A bound with nothing to compare holds.
    assert.deepEqual([check(report, 'columns.tenure.min').passed, check(report, 'columns.tenure.min').actual], [true, 'no values']);
  });

  it('statistics of a text column are a failed check, not a silent pass', async () => {
    const report = await runDataChecks(fixture('clean.csv'), expectation('clean.csv', { plan: { max: 3, mean: { max: 1 } } }));
    const max = check(report, 'columns.plan.max');
    assert.equal(max.passed, false);
    assert.match(max.message, /^plan: max needs numbers or dates, but the column holds category values/);
    assert.equal(check(report, 'columns.plan.mean').passed, false);
  });
});
