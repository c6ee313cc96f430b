/** JUnit reports: parsing real-world shapes, and the engine keeping a test stage's cases with the run. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalRunner } from '../../../src/adapters/local/local-runner';
import { createEngineDeps } from '../../../src/adapters/engine-deps';
import { nodeFiles } from '../../../src/core/node-files';
import { validatePipeline } from '../../../src/core/pipeline/validate';
import { runPipeline } from '../../../src/core/run/engine';
import { parseJunit } from '../../../src/core/run/junit';

// The shape pytest --junitxml writes (a <testsuites> root, failure with message and text).
const PYTEST = `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" failures="1" skipped="1" tests="3" time="0.05">
<testcase classname="tests.test_model" name="test_fit" time="0.010"/>
<testcase classname="tests.test_model" name="test_predict" time="0.020"><failure message="AssertionError: assert 0.7 &gt; 0.8">def test_predict():
&gt;       assert 0.7 &gt; 0.8
E       AssertionError</failure></testcase>
<testcase classname="tests.test_data" name="test_big" time="0"><skipped message="needs GPU"/></testcase>
</testsuite></testsuites>`;

describe('JUnit reports', () => {
  it('reads cases, failures with message and details, skips and times', () => {
    const r = parseJunit(PYTEST);
    assert.deepEqual(r.cases.map((c) => [c.id, c.status, c.timeMs]), [
      ['tests.test_model.test_fit', 'passed', 10],
      ['tests.test_model.test_predict', 'failed', 20],
      ['tests.test_data.test_big', 'skipped', 0],
    ]);
    assert.equal(r.cases[1].message, 'AssertionError: assert 0.7 > 0.8');
    assert.match(r.cases[1].details!, /assert 0.7 > 0.8\nE {7}AssertionError/);
  });

  it('accepts a bare <testsuite> root and an <error>, and names a broken file', () => {
    const r = parseJunit('<testsuite name="s"><testcase name="t"><error message="boom"/></testcase><testcase name="t"/></testsuite>');
    assert.deepEqual(r.cases.map((c) => [c.id, c.status, c.message]), [['s.t', 'failed', 'boom'], ['s.t#2', 'passed', undefined]]);
    assert.throws(() => parseJunit('<html></html>', 'reports/unit.xml'), /reports\/unit.xml has no <testsuites> or <testsuite> element/);
  });

  it('keeps the cases of a failing test stage with the run', async function () {
    this.timeout(30_000);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-junit-'));
    writeFileSync(path.join(dir, 'report.xml'), PYTEST);
    const yaml = 'version: 1\nstages:\n  tests:\n    kind: test\n    image: busybox\n    run: mkdir -p reports && cp report.xml reports/unit.xml && exit 1\n    reports: { junit: reports/unit.xml }\n';
    writeFileSync(path.join(dir, 'mlci.yaml'), yaml);
    const v = validatePipeline({ file: 'mlci.yaml', text: readFileSync(path.join(dir, 'mlci.yaml'), 'utf8'), root: dir, files: nodeFiles });
    const record = await runPipeline({ runId: 'junit-test', root: dir, pipelineFile: 'mlci.yaml', pipeline: v.pipeline!, params: {}, targets: [] }, await createEngineDeps(dir, new LocalRunner()));
    assert.equal(record.stages[0].status, 'failed');
    const report = record.reports?.tests as { kind: string; cases: Array<{ status: string }> };
    assert.equal(report.kind, 'junit');
    assert.deepEqual(report.cases.map((c) => c.status), ['passed', 'failed', 'skipped']);
    rmSync(dir, { recursive: true, force: true });
  });
});
