/**
 * A clean file passes every kind of check, and the measured numbers agree
 * with pandas (test/fixtures/data-checks/expected.json, from expected.py):
 * mean, std (ddof=1), linear quantiles, min/max, also of boolean and
 * datetime columns (epoch ms).
 */
import { strict as assert } from 'node:assert';
import type { DataCheckReport } from '../../../src/core/data-checks';
import { runDataChecks } from '../../../src/core/data-checks';
import type { Bounds, ColumnExpectation } from '../../../src/core/pipeline/model';
import { assertClose, check, expectation, fixture, PANDAS } from './helpers';

const OPEN: Bounds = { min: -1e15, max: 1e15 };
const LEVELS = Object.keys(PANDAS['clean.csv'].columns.tenure.quantiles!);

/** Every statistic with bounds that always hold, to read the measured values. */
function allStats(extra: ColumnExpectation): ColumnExpectation {
  return { ...extra, mean: OPEN, std: OPEN, quantiles: Object.fromEntries(LEVELS.map((l) => [l, OPEN])) };
}

describe('data checks: a clean file', () => {
  let report: DataCheckReport;
  const pandas = PANDAS['clean.csv'].columns;
  before(async () => {
    report = await runDataChecks(fixture('clean.csv'), expectation('clean.csv', {
      customer_id: { type: 'text', unique: true, regex: '^C[0-9]{4}$', nulls: 0 },
      tenure: allStats({ type: 'integer', min: 0, max: 120, nulls: 0 }),
      monthly_charges: allStats({ type: 'number', min: 0, max: 100 }),
      plan: { type: 'category', in: ['basic', 'plus', 'pro'] },
      support_calls: { type: 'integer', in: [0, 1, 2, 3, 4] },
      churned: { type: 'boolean', mean: { min: 0.4, max: 0.6 } },
      signup: { type: 'datetime', unique: true, min: Date.UTC(2023, 0, 1), max: Date.UTC(2023, 11, 31), mean: OPEN, quantiles: { '0.5': OPEN } },
      coupon: { type: 'category', in: ['SPRING10', 'WELCOME'], null_share: 0.8, required: false },
    }, { rows: { min: 10, max: 20 } }));
  });

  it('passes every check', () => {
    const failed = report.checks.filter((c) => !c.passed);
    assert.deepEqual(failed, []);
    assert.equal(report.passed, true);
    assert.equal(report.rows, 20);
  });

  it('passing checks still say what was measured', () => {
    assert.equal(check(report, 'columns.tenure.max').actual, '120');
    assert.equal(check(report, 'columns.tenure.max').message, 'tenure: largest value 120 (maximum 120)');
    assert.equal(check(report, 'columns.tenure.type').message, 'tenure: all 20 values are integers');
    assert.equal(check(report, 'columns.plan.in').actual, 'all allowed');
    assert.equal(check(report, 'columns.coupon.null_share').actual, '0.8 (16 of 20 rows)');
    assert.equal(check(report, 'columns.coupon.null_share').value, pandas.coupon.nulls! / 20);
    assert.equal(check(report, 'columns.churned.mean').message, 'churned: mean 0.5 within [0.4, 0.6]');
  });

  for (const column of ['tenure', 'monthly_charges']) {
    it(`${column}: min, max, mean, std and quantiles agree with pandas`, () => {
      const p = pandas[column];
      assertClose(check(report, `columns.${column}.mean`).value, p.mean!, 'mean');
      assertClose(check(report, `columns.${column}.std`).value, p.std!, 'std');
      for (const level of LEVELS) assertClose(check(report, `columns.${column}.quantiles.${level}`).value, p.quantiles![level], `q${level}`);
    });
  }
  it('tenure min/max are the column extremes', () => {
    assert.equal(check(report, 'columns.tenure.min').value, pandas.tenure.min);
    assert.equal(check(report, 'columns.tenure.max').value, pandas.tenure.max);
  });

  it('a boolean column: the mean is the share of true, as in pandas', () => {
    assert.equal(check(report, 'columns.churned.mean').value, pandas.churned.mean);
  });

  it('a datetime column: bounds, mean and median in epoch ms, shown as dates', () => {
    const p = pandas.signup;
    const min = check(report, 'columns.signup.min');
    assert.equal(min.value, p.min);
    assert.equal(min.expected, '≥ 2023-01-01');
    assert.equal(min.actual, '2023-01-15');
    assert.equal(check(report, 'columns.signup.max').value, p.max);
    assertClose(check(report, 'columns.signup.mean').value, p.mean!, 'mean');
    assertClose(check(report, 'columns.signup.quantiles.0.5').value, p.quantiles!['0.5'], 'median');
    assert.equal(check(report, 'columns.signup.quantiles.0.5').actual, '2023-05-23T12:00:00.000Z');
  });

  it('a datetime column with bounds beyond the range of dates: the bounds shown as numbers, no crash', async () => {
    const far = await runDataChecks(fixture('clean.csv'), expectation('clean.csv', { signup: { type: 'datetime', min: -1e300, mean: { min: -1e300, max: 1e300 } } }));
    assert.equal(check(far, 'columns.signup.min').expected, '≥ -1e+300');
    assert.equal(check(far, 'columns.signup.min').passed, true);
    assert.equal(check(far, 'columns.signup.mean').passed, true);
  });
});
