/**
 * The run engine against a REAL Docker engine, on the real example project
 * (examples/churn, copied to a temp folder): every stage runs in the
 * python image, a second run skips them all, a touched dep reruns exactly
 * the affected stages, image mapping, missing images, cancellation with no
 * container left. Needs DOCKER_HOST pointing at an engine with the images
 * of scripts/ci/images.sh; under CI=true a missing engine fails the suite.
 */
import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { DockerRunner } from '../../src/adapters/docker/docker-runner';
import { nodeFiles } from '../../src/core/node-files';
import { parseParams } from '../../src/core/params';
import { validatePipeline } from '../../src/core/pipeline/validate';
import type { RunOptions } from '../../src/core/run/engine';
import { runPipeline } from '../../src/core/run/engine';
import { parseImageMapping } from '../../src/core/run/images';
import { engineDeps } from '../../src/cli/compose';
import { hostUser } from '../../src/cli/executor';
import { hostId } from '../../src/adapters/docker/owner';

const repo = path.resolve(__dirname, '../..');

function copyExample(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-docker-engine-'));
  cpSync(path.join(repo, 'examples/churn'), dir, { recursive: true, filter: (src) => !/(__pycache__|\.mlci|models)$/.test(src) });
  rmSync(path.join(dir, 'mlci.lock'), { force: true });
  return dir;
}

function load(root: string) {
  const r = validatePipeline({ file: 'mlci.yaml', text: readFileSync(path.join(root, 'mlci.yaml'), 'utf8'), root, files: nodeFiles });
  assert.deepEqual(r.problems.filter((p) => p.severity === 'error').map((p) => p.message), []);
  const parsed = parseParams(readFileSync(path.join(root, 'params.yaml'), 'utf8'));
  assert.ok(parsed.ok);
  return { pipeline: r.pipeline!, params: parsed.params.values };
}

let n = 0;
async function run(root: string, extra: Partial<RunOptions> = {}) {
  const { pipeline, params } = load(root);
  const deps = await engineDeps(root, new DockerRunner());
  const logs: string[] = [];
  const record = await runPipeline({
    runId: `dtest-${process.pid}-${Date.now()}-${n++}`,
    root, pipelineFile: 'mlci.yaml', pipeline, params, targets: [], jobs: 2,
    ...(hostUser() ? { user: hostUser()! } : {}),
    onEvent: (e) => {
      if (e.type === 'stage-log') logs.push(`${e.stage}|${e.text}`);
    },
    ...extra,
  }, deps);
  return { record, logs, status: Object.fromEntries(record.stages.map((s) => [s.name, s.status])) };
}

describe('run engine on the example project (real Docker engine)', function () {
  this.timeout(240_000);
  const docker = new Docker();
  const dirs: string[] = [];

  before(async function () {
    try {
      await new DockerRunner().check();
      await docker.getImage('python:3.12-slim').inspect();
    } catch (e) {
      if (process.env.CI === 'true') throw new Error(`CI needs a Docker engine with python:3.12-slim (scripts/ci/docker-up.sh + images.sh): ${(e as Error).message}`);
      this.skip();
    }
  });
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('runs every stage in containers, then skips them all, then reruns exactly what a change affects', async () => {
    const root = copyExample();
    dirs.push(root);
    const first = await run(root);
    assert.equal(first.record.status, 'passed', JSON.stringify(first.record.stages.map((s) => [s.name, s.status, s.reason])));
    assert.deepEqual(Object.values(first.status).every((s) => s === 'passed'), true);
    assert.equal(first.record.executor, 'docker');
    const train = first.record.stages.find((s) => s.name === 'train')!;
    assert.match(train.imageId ?? '', /^sha256:/);
    assert.ok(first.record.metrics.accuracy > 0.7 && first.record.metrics.accuracy <= 1, `accuracy ${first.record.metrics.accuracy}`);
    assert.ok(first.record.history.train.length > 10, 'train history recorded');
    assert.ok(first.logs.some((l) => l.startsWith('train|')), 'train output streamed');
    // Files written in the container belong to the host user.
    const st = statSync(path.join(root, 'models/model.json'));
    assert.equal(`${st.uid}:${st.gid}`, hostUser());

    const second = await run(root);
    assert.deepEqual(Object.values(second.status), Object.values(second.status).map(() => 'cached'));

    // Touch evaluate's script: evaluate reruns, and so do the unit tests
    // (their deps include the whole src/ folder); nothing else.
    writeFileSync(path.join(root, 'src/evaluate.py'), readFileSync(path.join(root, 'src/evaluate.py'), 'utf8') + '\n# touched\n');
    const third = await run(root);
    assert.deepEqual(third.status, { 'unit-tests': 'passed', 'validate-data': 'cached', train: 'cached', evaluate: 'passed', drift: 'cached' });
    assert.match(third.record.stages.find((s) => s.name === 'evaluate')!.reason!, /dep src\/evaluate.py changed/);
    assert.match(third.record.stages.find((s) => s.name === 'unit-tests')!.reason!, /dep src\/ changed/);

    // A param only evaluate reads: only evaluate reruns.
    writeFileSync(path.join(root, 'params.yaml'), readFileSync(path.join(root, 'params.yaml'), 'utf8').replace(/threshold: .*/, 'threshold: 0.6'));
    const fourth = await run(root);
    assert.deepEqual(fourth.status, { 'unit-tests': 'cached', 'validate-data': 'cached', train: 'cached', evaluate: 'passed', drift: 'cached' });
    assert.match(fourth.record.stages.find((s) => s.name === 'evaluate')!.reason!, /param threshold changed \(0.5 -> 0.6\)/);
  });

  it('maps images (like act -P) on the FROM line of the example\'s build, and names a missing base with the mapping to use', async () => {
    const root = copyExample();
    dirs.push(root);
    const mapped = await run(root, { targets: ['unit-tests'], imageMap: parseImageMapping(['python:3.12-slim=mlci-test/python:3.12-slim']) });
    assert.equal(mapped.status['unit-tests'], 'passed', mapped.record.stages[0].reason);
    assert.match(mapped.record.stages[0].image ?? '', /^mlci\/churn-model\/defaults:[0-9a-f]{16}$/);

    const missing = await run(root, { targets: ['unit-tests'], force: true, imageMap: parseImageMapping(['python:3.12-slim=mlci-test/absent:1']) });
    assert.equal(missing.status['unit-tests'], 'failed');
    assert.match(missing.record.stages[0].reason!, /base image mlci-test\/absent:1 \(mapped from python:3\.12-slim\) of env\/Dockerfile:4 is not on the engine/);
    assert.match(missing.record.stages[0].reason!, /--image python:3\.12-slim=LOCAL_IMAGE/);
  });

  it('removes containers left by a killed run before the next run starts', async () => {
    const root = copyExample();
    dirs.push(root);
    const stray = await docker.createContainer({ Image: 'mlci-test/busybox:latest', Cmd: ['sleep', '60'], Labels: { 'mlci.run': 'killed-run', 'mlci.stage': 'x', 'mlci.pid': '999999', 'mlci.host': hostId() }, HostConfig: { NetworkMode: 'none' } });
    await stray.start();
    await run(root, { targets: ['unit-tests'] });
    const left = await docker.listContainers({ all: true, filters: { label: ['mlci.run=killed-run'] } });
    assert.equal(left.length, 0);
  });

  it('cancels mid-stage and leaves no container of the run behind', async () => {
    const root = copyExample();
    dirs.push(root);
    writeFileSync(path.join(root, 'mlci.yaml'), 'version: 1\nstages:\n  slow:\n    image: mlci-test/busybox:latest\n    run: sleep 60\n');
    const controller = new AbortController();
    const runId = `dcancel-${process.pid}-${Date.now()}`;
    setTimeout(() => controller.abort(), 1500);
    const { pipeline } = (() => {
      const r = validatePipeline({ file: 'mlci.yaml', text: readFileSync(path.join(root, 'mlci.yaml'), 'utf8'), root, files: nodeFiles });
      return { pipeline: r.pipeline! };
    })();
    const t0 = Date.now();
    const record = await runPipeline({ runId, root, pipelineFile: 'mlci.yaml', pipeline, params: {}, targets: [], signal: controller.signal }, await engineDeps(root, new DockerRunner()));
    assert.ok(Date.now() - t0 < 20_000);
    assert.equal(record.status, 'cancelled');
    const left = await docker.listContainers({ all: true, filters: { label: [`mlci.run=${runId}`] } });
    assert.equal(left.length, 0);
  });
});
