/**
 * The shipped example: examples/churn/mlci.yaml's `validate-data` stage, read
 * through the real validator, passes on examples/churn/data/train.csv, and
 * its log lines are what `mlci run` prints.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatDataReport, runDataChecks } from '../../../src/core/data-checks';
import { nodeFiles } from '../../../src/core/node-files';
import { validatePipeline } from '../../../src/core/pipeline/validate';

const ROOT = resolve(__dirname, '..', '..', '..', 'examples', 'churn');

describe('data checks: the churn example', () => {
  it('validate-data passes on data/train.csv', async () => {
    const result = validatePipeline({ file: 'mlci.yaml', text: readFileSync(join(ROOT, 'mlci.yaml'), 'utf8'), root: ROOT, files: nodeFiles });
    assert.deepEqual(result.problems.filter((p) => p.severity === 'error'), []);
    const stage = result.pipeline?.stages.find((s) => s.name === 'validate-data');
    assert.ok(stage?.expect?.file, 'validate-data has expect.file');
    const report = await runDataChecks(join(ROOT, stage.expect.file), stage.expect);

    assert.deepEqual(report.checks.filter((c) => !c.passed), []);
    assert.equal(report.passed, true);
    assert.equal(report.file, 'data/train.csv');
    assert.equal(report.rows, 2000);
    assert.deepEqual(report.columns, ['customer_id', 'tenure', 'monthly_charges', 'plan', 'support_calls', 'contract', 'churned']);
    // Every expectation of the YAML became a check (7 columns: presence + their fields; rows.min).
    assert.equal(report.checks.length, 1 + 7 + 15);
    const lines = formatDataReport(report);
    assert.equal(lines.length, report.checks.length + 1);
    assert.ok(lines.slice(0, -1).every((l) => l.startsWith('✔ ')));
    assert.match(lines[lines.length - 1], /^data\/train\.csv: all 23 checks passed \(2000 rows, 7 columns, \d+ ms\)$/);
  });
});
