/**
 * A drift stage computes its metrics in the engine (no metrics file): when
 * it is up to date on the next run, they come from its run-cache entry, so
 * the run record keeps `dataset_drift` and `drifted_share` and `exp diff`
 * shows no false change.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalRunner } from '../../../src/adapters/local/local-runner';
import { nodeFiles } from '../../../src/core/node-files';
import { validatePipeline } from '../../../src/core/pipeline/validate';
import { runPipeline } from '../../../src/core/run/engine';
import { engineDeps } from '../../../src/cli/compose';

describe('cache: a cached drift stage keeps its metrics', function () {
  this.timeout(60_000);

  it('records dataset_drift and drifted_share when the stage is up to date', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-drift-cache-'));
    const rows = (from: number) => ['x,y', ...Array.from({ length: 200 }, (_, i) => `${from + i},${i % 7}`)].join('\n') + '\n';
    writeFileSync(path.join(dir, 'ref.csv'), rows(0));
    writeFileSync(path.join(dir, 'cur.csv'), rows(150));
    const text = 'version: 1\nstages:\n  drift:\n    kind: drift\n    reference: ref.csv\n    current: cur.csv\n    drift: { share: 0.5 }\n';
    writeFileSync(path.join(dir, 'mlci.yaml'), text);
    const { pipeline } = validatePipeline({ file: 'mlci.yaml', text, root: dir, files: nodeFiles });
    const once = async (id: string) => runPipeline({ runId: id, root: dir, pipelineFile: 'mlci.yaml', pipeline: pipeline!, params: {}, targets: [] }, await engineDeps(dir, new LocalRunner()));
    const first = await once('drift-1');
    assert.equal(first.stages[0].status, 'passed');
    const m = first.stageMetrics!.drift;
    assert.equal(m.dataset_drift, 1);
    assert.equal(typeof m.drifted_share, 'number');
    const second = await once('drift-2');
    assert.equal(second.stages[0].status, 'cached');
    assert.deepEqual(second.stageMetrics!.drift, m);
    assert.deepEqual(second.metrics, first.metrics);
  });
});
