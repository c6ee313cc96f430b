/** The stage log: ✔/✘ title — message, failing rows indented under a failure, a summary last. */
import { strict as assert } from 'node:assert';
import type { DataCheckReport } from '../../../src/core/data-checks';
import { formatDataReport, runDataChecks } from '../../../src/core/data-checks';
import { expectation, fixture } from './helpers';

describe('data checks: formatDataReport', () => {
  let report: DataCheckReport;
  before(async () => {
    report = await runDataChecks(fixture('violations.csv'), expectation('data/violations.csv', {
      tenure: { max: 120, nulls: 0 },
      plan: { in: ['basic', 'plus', 'pro'] },
      notes: { regex: '^[a-z ]+$' },
    }, { rows: { min: 10 } }));
    report.durationMs = 7; // fixed for the summary line
  });

  it('prints one line per check and the failing rows under each failure', () => {
    assert.deepEqual(formatDataReport(report), [
      '✔ rows ≥ 10 — 20 rows (minimum 10)',
      '✔ tenure present — tenure: present (18 values, 2 missing)',
      '✘ tenure nulls ≤ 0 — tenure: 2 missing values, more than the maximum 0 (first at row 6)',
      '    row 6: (missing), row 11: (missing)',
      '✘ tenure ≤ 120 — tenure: 2 values above the maximum 120 (largest 131 at row 4)',
      '    row 4: 131, row 9: 125',
      '✔ plan present — plan: present (20 values, 0 missing)',
      '✘ plan in {basic, plus, pro} — plan: 3 values are not one of basic, plus, pro: "gold" ×2, "Basic" ×1',
      '    row 5: gold, row 10: Basic, row 13: gold',
      '✔ notes present — notes: present (2 values, 18 missing)',
      '✔ notes matches /^[a-z ]+$/ — notes: all 2 values match /^[a-z ]+$/',
      'data/violations.csv: 5 of 8 checks passed, 3 failed (20 rows, 9 columns, 7 ms)',
    ]);
  });

  it('quotes example values whose edges or commas would be lost', () => {
    const lines = formatDataReport({ ...report, checks: [{ id: 'x', title: 't', passed: false, expected: '', actual: '', message: 'm', examples: [{ row: 2, value: 'a b' }, { row: 3, value: 'x,y' }, { row: 4, value: ' ' }] }] });
    assert.equal(lines[1], '    row 2: "a b", row 3: "x,y", row 4: " "');
  });
});
