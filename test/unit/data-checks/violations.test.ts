/**
 * Every kind of violation, on a real file (test/fixtures/data-checks/violations.csv):
 * each CheckResult's verdict, bound, measurement and example rows. Rows are
 * numbered as the reader's DataError does: the header is row 1, so the
 * first data row is row 2 (the line number in this file).
 */
import { strict as assert } from 'node:assert';
import type { CheckResult, DataCheckReport } from '../../../src/core/data-checks';
import { runDataChecks } from '../../../src/core/data-checks';
import { assertClose, check, expectation, fixture, PANDAS } from './helpers';

const EXPECT = expectation('data/violations.csv', {
  customer_id: { type: 'text', unique: true, regex: '^C[0-9]{4}$' },
  tenure: { type: 'integer', min: 0, max: 120, nulls: 0 },
  monthly_charges: {
    type: 'number', max: 200, mean: { max: 50 }, std: { min: 10, max: 20 },
    quantiles: { '0.25': { min: 30, max: 40 }, '0.5': { max: 60 }, '0.9': { min: 100 } },
  },
  plan: { type: 'category', in: ['basic', 'plus', 'pro'] },
  support_calls: { type: 'integer', min: 0 },
  churned: { type: 'boolean' },
  signup: { type: 'datetime' },
  regoin: { type: 'category' },
  coupon: { required: false, null_share: 0.9 },
  notes: { type: 'text', null_share: 0.5 },
}, { rows: { min: 25, max: 100 } });

/** The fields a person reads, without the prose. */
function verdict(c: CheckResult): Pick<CheckResult, 'passed' | 'expected' | 'actual' | 'examples'> {
  return { passed: c.passed, expected: c.expected, actual: c.actual, ...(c.examples ? { examples: c.examples } : {}) };
}

describe('data checks: a file with every kind of violation', () => {
  let report: DataCheckReport;
  const pandas = PANDAS['violations.csv'].columns;
  before(async () => {
    report = await runDataChecks(fixture('violations.csv'), EXPECT);
  });

  it('reports the file, its shape and a failed verdict', () => {
    assert.equal(report.file, 'data/violations.csv');
    assert.equal(report.rows, PANDAS['violations.csv'].rows);
    assert.deepEqual(report.columns, ['customer_id', 'tenure', 'monthly_charges', 'plan', 'support_calls', 'churned', 'signup', 'region', 'notes']);
    assert.equal(report.passed, false);
    assert.ok(report.durationMs >= 0);
  });

  it('lists the checks in the order of the expect block', () => {
    assert.deepEqual(report.checks.map((c) => c.id), [
      'rows.min', 'rows.max',
      'columns.customer_id.present', 'columns.customer_id.type', 'columns.customer_id.unique', 'columns.customer_id.regex',
      'columns.tenure.present', 'columns.tenure.type', 'columns.tenure.nulls', 'columns.tenure.min', 'columns.tenure.max',
      'columns.monthly_charges.present', 'columns.monthly_charges.type', 'columns.monthly_charges.max', 'columns.monthly_charges.mean',
      'columns.monthly_charges.std', 'columns.monthly_charges.quantiles.0.25', 'columns.monthly_charges.quantiles.0.5', 'columns.monthly_charges.quantiles.0.9',
      'columns.plan.present', 'columns.plan.type', 'columns.plan.in',
      'columns.support_calls.present', 'columns.support_calls.type', 'columns.support_calls.min',
      'columns.churned.present', 'columns.churned.type',
      'columns.signup.present', 'columns.signup.type',
      'columns.regoin.present',
      'columns.coupon.present',
      'columns.notes.present', 'columns.notes.type', 'columns.notes.null_share',
    ]);
  });

  it('rows: too few fails, within the maximum passes', () => {
    assert.deepEqual(verdict(check(report, 'rows.min')), { passed: false, expected: '≥ 25', actual: '20' });
    assert.equal(check(report, 'rows.min').message, '20 rows, fewer than the minimum 25');
    assert.deepEqual(verdict(check(report, 'rows.max')), { passed: true, expected: '≤ 100', actual: '20' });
  });

  it('out of range: values above max and below min, with the extreme and its row', () => {
    const max = check(report, 'columns.tenure.max');
    assert.deepEqual(verdict(max), { passed: false, expected: '≤ 120', actual: '131', examples: [{ row: 4, value: '131' }, { row: 9, value: '125' }] });
    assert.equal(max.message, 'tenure: 2 values above the maximum 120 (largest 131 at row 4)');
    assert.equal(max.title, 'tenure ≤ 120');
    assert.equal(max.value, pandas.tenure.max);
    const min = check(report, 'columns.tenure.min');
    assert.deepEqual(verdict(min), { passed: false, expected: '≥ 0', actual: '-3', examples: [{ row: 8, value: '-3' }] });
    assert.equal(min.message, 'tenure: 1 value below the minimum 0 (smallest -3 at row 8)');
    assert.deepEqual(verdict(check(report, 'columns.monthly_charges.max')), { passed: false, expected: '≤ 200', actual: '250', examples: [{ row: 12, value: '250' }] });
  });

  it('nulls: an empty cell and the NA marker both count as missing', () => {
    const nulls = check(report, 'columns.tenure.nulls');
    assert.deepEqual(verdict(nulls), { passed: false, expected: '≤ 0 missing', actual: '2 missing', examples: [{ row: 6, value: '' }, { row: 11, value: '' }] });
    assert.equal(nulls.value, pandas.tenure.nulls);
    assert.equal(nulls.message, 'tenure: 2 missing values, more than the maximum 0 (first at row 6)');
  });

  it('null_share: the share of missing values, with at most five example rows', () => {
    const share = check(report, 'columns.notes.null_share');
    assert.equal(share.passed, false);
    assert.equal(share.expected, '≤ 0.5');
    assert.equal(share.actual, '0.9 (18 of 20 rows)');
    assert.equal(share.value, pandas.notes.null_share);
    assert.deepEqual(share.examples?.map((e) => e.row), [2, 4, 5, 6, 7]);
  });

  it('unique: duplicates counted as pandas duplicated().sum(), each at its repeat', () => {
    const unique = check(report, 'columns.customer_id.unique');
    assert.deepEqual(verdict(unique), { passed: false, expected: 'no duplicates', actual: '2 duplicates', examples: [{ row: 6, value: 'C0002' }, { row: 13, value: 'C0001' }] });
    assert.equal(unique.value, pandas.customer_id.duplicated);
    assert.equal(unique.message, 'customer_id: 2 duplicate values (first: "C0002" at row 6, already at row 3)');
  });

  it('in: unexpected categories with their counts, most frequent first', () => {
    const allowed = check(report, 'columns.plan.in');
    assert.deepEqual(verdict(allowed), {
      passed: false, expected: 'one of basic, plus, pro', actual: '2 unexpected values: "gold" ×2, "Basic" ×1',
      examples: [{ row: 5, value: 'gold' }, { row: 10, value: 'Basic' }, { row: 13, value: 'gold' }],
    });
    assert.equal(allowed.value, 3);
  });

  it('regex: values that do not match, by their exact text', () => {
    const regex = check(report, 'columns.customer_id.regex');
    assert.deepEqual(verdict(regex), { passed: false, expected: 'matches /^C[0-9]{4}$/', actual: '2 values not matching', examples: [{ row: 7, value: 'X0006' }, { row: 11, value: 'c0010' }] });
    assert.equal(regex.message, 'customer_id: 2 values do not match /^C[0-9]{4}$/ ("X0006" at row 7, "c0010" at row 11)');
  });

  it('type: values that do not parse as the declared type, every one of them', () => {
    assert.deepEqual(verdict(check(report, 'columns.support_calls.type')), {
      passed: false, expected: 'integer', actual: '2 values not integers', examples: [{ row: 7, value: 'two' }, { row: 10, value: '1.5' }],
    });
    assert.deepEqual(verdict(check(report, 'columns.churned.type')), { passed: false, expected: 'boolean', actual: '1 value not a boolean', examples: [{ row: 8, value: 'maybe' }] });
    assert.deepEqual(verdict(check(report, 'columns.signup.type')), {
      passed: false, expected: 'datetime', actual: '2 values not ISO 8601 dates or times', examples: [{ row: 9, value: '2023-02-30' }, { row: 12, value: 'yesterday' }],
    });
    // The other columns keep their types although the first read stopped at "two".
    assert.deepEqual(verdict(check(report, 'columns.tenure.type')), { passed: true, expected: 'integer', actual: 'integer' });
    assert.deepEqual(verdict(check(report, 'columns.monthly_charges.type')), { passed: true, expected: 'number', actual: 'number' });
  });

  it('a column with bad values still gets its range checked on the values that parse', () => {
    assert.deepEqual(verdict(check(report, 'columns.support_calls.min')), { passed: true, expected: '≥ 0', actual: '0' });
  });

  it('missing column: a failed check naming the columns, with a did-you-mean', () => {
    const missing = check(report, 'columns.regoin.present');
    assert.deepEqual(verdict(missing), { passed: false, expected: 'present', actual: 'missing' });
    assert.equal(missing.message, 'regoin: no such column (did you mean "region"?); the file has "customer_id", "tenure", "monthly_charges", "plan", "support_calls", "churned", "signup", "region", "notes"');
    assert.equal(report.checks.filter((c) => c.column === 'regoin').length, 1, 'the checks of a missing column are not run');
  });

  it('an optional absent column passes and skips its checks', () => {
    const optional = check(report, 'columns.coupon.present');
    assert.deepEqual(verdict(optional), { passed: true, expected: 'present or absent', actual: 'absent' });
    assert.equal(report.checks.filter((c) => c.column === 'coupon').length, 1);
  });

  it('mean, std and quantiles out of bounds, computed as pandas does', () => {
    const m = pandas.monthly_charges;
    const mean = check(report, 'columns.monthly_charges.mean');
    assert.deepEqual(verdict(mean), { passed: false, expected: '≤ 50', actual: '68.5525' });
    assert.equal(mean.message, 'monthly_charges: mean 68.5525, above the maximum 50');
    assertClose(mean.value, m.mean!, 'mean');
    const std = check(report, 'columns.monthly_charges.std');
    assert.deepEqual(verdict(std), { passed: false, expected: '[10, 20]', actual: '49.4454' });
    assertClose(std.value, m.std!, 'std');
    const q25 = check(report, 'columns.monthly_charges.quantiles.0.25');
    assert.deepEqual(verdict(q25), { passed: true, expected: '[30, 40]', actual: '34.9725' });
    assertClose(q25.value, m.quantiles!['0.25'], 'q0.25');
    const q50 = check(report, 'columns.monthly_charges.quantiles.0.5');
    assert.deepEqual(verdict(q50), { passed: false, expected: '≤ 60', actual: '63.88' });
    assertClose(q50.value, m.quantiles!['0.5'], 'q0.5');
    const q90 = check(report, 'columns.monthly_charges.quantiles.0.9');
    assert.deepEqual(verdict(q90), { passed: false, expected: '≥ 100', actual: '95.949' });
    assert.equal(q90.message, 'monthly_charges: 0.9-quantile 95.949, below the minimum 100');
    assertClose(q90.value, m.quantiles!['0.9'], 'q0.9');
  });
});
