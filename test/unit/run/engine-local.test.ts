/**
 * The run engine end to end with the local executor (real host processes,
 * real files, real git): planning, up-to-date checks against mlci.lock,
 * reruns of exactly the affected stages, parallelism, failure handling,
 * cancellation, run records and logs. The same scenarios run against the
 * Docker engine in test/docker/engine.test.ts.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalRunner } from '../../../src/adapters/local/local-runner';
import { nodeFiles } from '../../../src/core/node-files';
import { parseParams } from '../../../src/core/params';
import { validatePipeline } from '../../../src/core/pipeline/validate';
import type { RunOptions } from '../../../src/core/run/engine';
import { runPipeline } from '../../../src/core/run/engine';
import { readLock } from '../../../src/core/run/lockfile';
import { pipelineStatus } from '../../../src/core/run/status';
import { engineDeps } from '../../../src/cli/compose';

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-engine-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

function load(root: string) {
  const text = readFileSync(path.join(root, 'mlci.yaml'), 'utf8');
  const r = validatePipeline({ file: 'mlci.yaml', text, root, files: nodeFiles });
  const errors = r.problems.filter((p) => p.severity === 'error');
  assert.deepEqual(errors.map((p) => p.message), []);
  const pt = nodeFiles.readText(path.join(root, 'params.yaml'));
  const parsed = pt ? parseParams(pt) : undefined;
  return { pipeline: r.pipeline!, params: parsed?.ok ? parsed.params.values : {} };
}

let counter = 0;
const t0 = 'test-explorer-run';
async function run(root: string, extra: Partial<RunOptions> = {}) {
  const { pipeline, params } = load(root);
  const deps = await engineDeps(root, new LocalRunner());
  const events: string[] = [];
  const record = await runPipeline({
    runId: `test-${Date.now()}-${counter++}`,
    root, pipelineFile: 'mlci.yaml', pipeline, params, targets: [], jobs: 2,
    onEvent: (e) => {
      if (e.type === 'stage-start') events.push(`start ${e.stage}`);
      if (e.type === 'stage-end') events.push(`end ${e.stage.name} ${e.stage.status}`);
    },
    ...extra,
  }, deps);
  return { record, events, status: Object.fromEntries(record.stages.map((s) => [s.name, s.status])) };
}

const PIPE = `version: 1
params: params.yaml
defaults: { image: busybox }
stages:
  prep:
    run: mkdir -p out && cat data/in.txt > out/prep.txt
    deps: [data/in.txt]
    outs: [out/prep.txt]
  train:
    needs: [prep]
    run: |
      echo "lr=$(grep lr params.yaml)" > out/model.txt && cat out/prep.txt >> out/model.txt && echo '{"accuracy": 0.9, "nested": {"f1": 0.8}}' > out/metrics.json
    deps: [out/prep.txt]
    params: [lr]
    outs: [out/model.txt]
    metrics: out/metrics.json
  side:
    run: echo side > out-side.txt
    outs: [out-side.txt]
`;

describe('run engine (local executor)', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const ws = (files: Record<string, string>) => {
    const d = workspace(files);
    dirs.push(d);
    return d;
  };

  it('runs every stage, writes the lock and the record, then skips everything', async () => {
    const root = ws({ 'mlci.yaml': PIPE, 'params.yaml': 'lr: 0.1\n', 'data/in.txt': 'hello\n' });
    const first = await run(root);
    assert.equal(first.record.status, 'passed');
    assert.deepEqual(first.status, { prep: 'passed', train: 'passed', side: 'passed' });
    assert.equal(readFileSync(path.join(root, 'out/model.txt'), 'utf8'), 'lr=lr: 0.1\nhello\n');
    assert.deepEqual(first.record.metrics, { accuracy: 0.9, 'nested.f1': 0.8 });
    assert.deepEqual(first.record.params, { lr: 0.1 });
    const lock = readLock(root);
    assert.deepEqual(Object.keys(lock.stages).sort(), ['prep', 'side', 'train']);
    assert.deepEqual(lock.stages.train.params, { lr: 0.1 });
    assert.ok(lock.stages.train.outs['out/model.txt']);
    const onDisk = JSON.parse(readFileSync(path.join(root, '.mlci/runs', first.record.id, 'run.json'), 'utf8'));
    assert.equal(onDisk.status, 'passed');
    assert.equal(readFileSync(path.join(root, '.mlci/.gitignore'), 'utf8').includes('*'), true);

    const second = await run(root);
    assert.deepEqual(second.status, { prep: 'cached', train: 'cached', side: 'cached' });
    assert.deepEqual(second.record.metrics, { accuracy: 0.9, 'nested.f1': 0.8 }, 'cached stages still report their metrics');
    // Experiments vs history: the first run ran stages, the second ran nothing.
    assert.equal(first.record.kind, 'experiment');
    assert.equal(second.record.kind, 'cached');
    assert.equal(JSON.parse(readFileSync(path.join(root, '.mlci/runs', second.record.id, 'run.json'), 'utf8')).kind, 'cached');
  });

  it('records the origin; a Test Explorer run is history (kind tests) from its first write, even when it ran stages', async () => {
    const root = ws({ 'mlci.yaml': PIPE, 'params.yaml': 'lr: 0.1\n', 'data/in.txt': 'hello\n' });
    const kinds: (string | undefined)[] = [];
    const t = await run(root, {
      origin: 'test-explorer',
      targets: ['prep'],
      onEvent: (e) => {
        if (e.type === 'plan') kinds.push(JSON.parse(readFileSync(path.join(root, '.mlci/runs', t0, 'run.json'), 'utf8')).kind);
      },
      runId: t0,
    });
    assert.deepEqual(t.status, { prep: 'passed' });
    assert.equal(t.record.origin, 'test-explorer');
    assert.equal(t.record.kind, 'tests');
    assert.deepEqual(kinds, ['tests'], 'the running record already says tests');
    const e = await run(root, { origin: 'editor' });
    assert.equal(e.record.origin, 'editor');
    assert.equal(e.record.kind, 'experiment', 'train and side ran');
  });

  it('reruns exactly the stages a changed dep or param affects, and says why', async () => {
    const root = ws({ 'mlci.yaml': PIPE, 'params.yaml': 'lr: 0.1\n', 'data/in.txt': 'hello\n' });
    await run(root);
    writeFileSync(path.join(root, 'params.yaml'), 'lr: 0.2\n');
    const { pipeline, params } = load(root);
    const status = await pipelineStatus({ pipeline, root, params }, await engineDeps(root, new LocalRunner()));
    assert.deepEqual(status.map((e) => [e.stage.name, e.state, e.reasons.join('; ')]), [
      ['prep', 'up-to-date', ''],
      ['train', 'stale', 'param lr changed (0.1 -> 0.2)'],
      ['side', 'up-to-date', ''],
    ]);
    const r = await run(root);
    assert.deepEqual(r.status, { prep: 'cached', train: 'passed', side: 'cached' });
    assert.match(r.record.stages.find((s) => s.name === 'train')!.reason!, /param lr changed/);

    writeFileSync(path.join(root, 'data/in.txt'), 'changed\n');
    const r2 = await run(root);
    assert.deepEqual(r2.status, { prep: 'passed', train: 'passed', side: 'cached' });
    assert.match(r2.record.stages[0].reason!, /dep data\/in.txt changed/);

    // A deleted output comes back from the cache: the stage's inputs are those of a recorded run.
    rmSync(path.join(root, 'out-side.txt'));
    const r3 = await run(root);
    assert.deepEqual(r3.status, { prep: 'cached', train: 'cached', side: 'restored' });
    assert.match(r3.record.stages.find((s) => s.name === 'side')!.reason!, /^restored from cache: same inputs as run test-/);
    assert.ok(existsSync(path.join(root, 'out-side.txt')));
  });

  it('stops the downstream of a failure while independent stages finish; exit codes are kept', async () => {
    const root = ws({
      'mlci.yaml': `version: 1
defaults: { image: busybox }
stages:
  bad: { run: 'echo failing; exit 3' }
  after: { needs: [bad], run: 'echo never' }
  other: { run: 'sleep 0.3; echo fine' }
`,
    });
    const r = await run(root);
    assert.equal(r.record.status, 'failed');
    assert.deepEqual(r.status, { bad: 'failed', after: 'skipped', other: 'passed' });
    const bad = r.record.stages[0];
    assert.equal(bad.exitCode, 3);
    assert.match(bad.reason!, /exited with code 3/);
    assert.match(r.record.stages[1].reason!, /upstream stage bad failed/);
    assert.equal(readFileSync(path.join(root, '.mlci/runs', r.record.id, 'logs/bad.log'), 'utf8'), 'failing\n');
    assert.equal(readLock(root).stages.bad, undefined, 'a failed stage is not recorded as up to date');
  });

  it('runs independent stages in parallel with jobs 2, one at a time with jobs 1', async () => {
    const files = {
      'mlci.yaml': `version: 1
defaults: { image: busybox }
stages:
  a: { run: 'sleep 0.6' }
  b: { run: 'sleep 0.6' }
`,
    };
    const t0 = Date.now();
    await run(ws(files), { jobs: 2 });
    const parallel = Date.now() - t0;
    const t1 = Date.now();
    await run(ws(files), { jobs: 1 });
    const serial = Date.now() - t1;
    assert.ok(serial >= 1200, `serial took ${serial} ms`);
    assert.ok(parallel < serial, `parallel ${parallel} ms vs serial ${serial} ms`);
  });

  it('cancels a running stage, marks the run cancelled and runs nothing after it', async () => {
    const root = ws({
      'mlci.yaml': `version: 1
defaults: { image: busybox }
stages:
  slow: { run: 'sleep 30' }
  next: { needs: [slow], run: 'echo next' }
`,
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const t0 = Date.now();
    const r = await run(root, { signal: controller.signal });
    assert.ok(Date.now() - t0 < 10_000, 'cancellation is prompt');
    assert.equal(r.record.status, 'cancelled');
    assert.deepEqual(r.status, { slow: 'cancelled', next: 'cancelled' });
    const onDisk = JSON.parse(readFileSync(path.join(root, '.mlci/runs', r.record.id, 'run.json'), 'utf8'));
    assert.equal(onDisk.status, 'cancelled');
  });

  it('forces a stage that is up to date', async () => {
    const root = ws({ 'mlci.yaml': PIPE, 'params.yaml': 'lr: 0.1\n', 'data/in.txt': 'x\n' });
    await run(root);
    const r = await run(root, { force: ['side'] });
    assert.deepEqual(r.status, { prep: 'cached', train: 'cached', side: 'passed' });
    assert.equal(r.record.stages[2].reason, 'forced');
    assert.ok(existsSync(path.join(root, 'out-side.txt')));
  });
});
