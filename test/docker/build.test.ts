/**
 * `build:` against a REAL Docker engine (offline: every base image is a
 * local one from scripts/ci/images.sh): a build, a no-op rebuild reusing
 * the tag, a requirements.txt edit making exactly the stages on that image
 * stale, a failing RUN step, .dockerignore respected, two stages sharing
 * one build built once, a missing base named with the mapping to use,
 * named caches as volumes that survive runs, and a GPU request on an
 * engine without GPUs failing before the stage starts. Under CI=true a
 * missing engine fails the suite.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { DockerRunner } from '../../src/adapters/docker/docker-runner';
import { nodeFiles } from '../../src/core/node-files';
import { validatePipeline } from '../../src/core/pipeline/validate';
import type { EngineEvent, RunOptions } from '../../src/core/run/engine';
import { runPipeline } from '../../src/core/run/engine';
import { pipelineStatus } from '../../src/core/run/status';
import { parseImageMapping } from '../../src/core/run/images';
import { engineDeps } from '../../src/cli/compose';
import { hostUser } from '../../src/cli/executor';

const BUSYBOX = 'mlci-test/busybox:latest';
const repo = path.resolve(__dirname, '../..');
const docker = new Docker();

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-build-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

function load(root: string) {
  const r = validatePipeline({ file: 'mlci.yaml', text: readFileSync(path.join(root, 'mlci.yaml'), 'utf8'), root, files: nodeFiles });
  assert.deepEqual(r.problems.filter((p) => p.severity === 'error').map((p) => p.message), []);
  return { pipeline: r.pipeline!, source: r.source! };
}

let n = 0;
async function run(root: string, extra: Partial<RunOptions> = {}) {
  const { pipeline, source } = load(root);
  const deps = await engineDeps(root, new DockerRunner());
  const events: EngineEvent[] = [];
  const record = await runPipeline({
    runId: `btest-${process.pid}-${Date.now()}-${n++}`,
    root, pipelineFile: 'mlci.yaml', pipeline, params: {}, targets: [], jobs: 2, source,
    ...(hostUser() ? { user: hostUser()! } : {}),
    onEvent: (e) => events.push(e),
    ...extra,
  }, deps);
  return { record, events, status: Object.fromEntries(record.stages.map((s) => [s.name, s.status])) };
}

async function status(root: string) {
  const { pipeline } = load(root);
  const deps = await engineDeps(root, new DockerRunner());
  const entries = await pipelineStatus({ pipeline, root, params: {} }, deps);
  return Object.fromEntries(entries.map((e) => [e.stage.name, `${e.state}${e.reasons.length ? `: ${e.reasons.join('; ')}` : ''}`]));
}

const DOCKERFILE = `FROM ${BUSYBOX}\nCOPY requirements.txt /opt/requirements.txt\nRUN wc -l /opt/requirements.txt\n`;

async function imagesOf(pipelineName: string): Promise<string[]> {
  const list = await docker.listImages({ filters: { label: [`mlci.pipeline=${pipelineName}`] } });
  return list.flatMap((i) => i.RepoTags ?? []);
}

describe('build: images built from the repository (real Docker engine)', function () {
  this.timeout(180_000);
  const dirs: string[] = [];
  const pipelines: string[] = [];
  const uniq = (base: string) => {
    const name = `${base}-${process.pid}-${n++}`;
    pipelines.push(name);
    return name;
  };

  before(async function () {
    try {
      await new DockerRunner().check();
      await docker.getImage(BUSYBOX).inspect();
    } catch (e) {
      if (process.env.CI === 'true') throw new Error(`CI needs a Docker engine with ${BUSYBOX} (scripts/ci/docker-up.sh + images.sh): ${(e as Error).message}`);
      this.skip();
    }
  });
  after(async () => {
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
    // Only what these tests made: their pipelines' images and volumes.
    for (const p of pipelines) {
      for (const tag of await imagesOf(p).catch(() => [])) await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
      const vols = await docker.listVolumes({ filters: { label: [`mlci.pipeline=${p}`] } }).catch(() => ({ Volumes: [] }));
      for (const v of vols.Volumes ?? []) await docker.getVolume(v.Name).remove().catch(() => undefined);
    }
  });

  it('builds once for two stages, reuses the tag, and an edit makes exactly the stages on that image stale', async () => {
    const name = uniq('shared');
    const root = project({
      'mlci.yaml': `version: 1\nname: ${name}\ndefaults:\n  build: env\nstages:\n  a:\n    run: cat /opt/requirements.txt\n  b:\n    run: echo b\n  c:\n    build: other\n    run: echo c\n`,
      'env/Dockerfile': DOCKERFILE,
      'env/requirements.txt': 'numpy\n',
      'env/.dockerignore': 'notes.md\n',
      'env/notes.md': 'not sent\n',
      'other/Dockerfile': DOCKERFILE,
      'other/requirements.txt': 'scipy\n',
    });
    dirs.push(root);
    const first = await run(root);
    assert.equal(first.record.status, 'passed', JSON.stringify(first.record.stages.map((s) => [s.name, s.reason])));
    const starts = first.events.filter((e) => e.type === 'build-start').map((e) => (e as { owner: string }).owner).sort();
    assert.deepEqual(starts, ['c', 'defaults'], 'each build: is built once, however many stages share it');
    const defaults = first.record.builds!.find((b) => b.owner === 'defaults')!;
    assert.equal(defaults.status, 'built');
    assert.match(defaults.tag, new RegExp(`^mlci/${name}/defaults:[0-9a-f]{16}$`));
    assert.deepEqual(defaults.stages, ['a', 'b']);
    assert.equal(first.record.stages.find((s) => s.name === 'a')!.imageId, defaults.imageId);
    assert.ok(readFileSync(path.join(root, '.mlci/runs', first.record.id, defaults.log!), 'utf8').includes('Step 3/'), 'the build output is in the run log');
    const buildLog = first.events.filter((e) => e.type === 'build-log').map((e) => (e as { text: string }).text).join('');
    assert.match(buildLog, /Step 1\/\d+ : FROM mlci-test\/busybox:latest/, 'build output streams as engine events');

    // A no-op rebuild reuses the tag; nothing runs.
    const second = await run(root);
    assert.deepEqual(second.status, { a: 'cached', b: 'cached', c: 'cached' });
    assert.deepEqual(second.record.builds!.map((b) => b.status).sort(), ['reused', 'reused']);

    // An ignored file's change neither rebuilds nor makes anything stale.
    writeFileSync(path.join(root, 'env/notes.md'), 'changed, still not sent\n');
    assert.deepEqual(await status(root), { a: 'up-to-date', b: 'up-to-date', c: 'up-to-date' });

    // requirements.txt: exactly the stages on that image, with the file named; status builds nothing.
    writeFileSync(path.join(root, 'env/requirements.txt'), 'numpy\npandas\n');
    const before = (await imagesOf(name)).length;
    assert.deepEqual(await status(root), {
      a: 'stale: image rebuilt: requirements.txt changed',
      b: 'stale: image rebuilt: requirements.txt changed',
      c: 'up-to-date',
    });
    assert.equal((await imagesOf(name)).length, before, 'mlci status does not build');
    const third = await run(root);
    assert.deepEqual(third.status, { a: 'passed', b: 'passed', c: 'cached' });
    assert.match(third.record.stages[0].reason!, /image rebuilt: requirements\.txt changed/);
  });

  it('fails the stages of a failing RUN step with the step, its last lines and the Dockerfile line, tagging nothing', async () => {
    const name = uniq('failing');
    const root = project({
      'mlci.yaml': `version: 1\nname: ${name}\nstages:\n  train:\n    build: env\n    run: echo never\n  other:\n    image: ${BUSYBOX}\n    run: echo independent\n`,
      'env/Dockerfile': `FROM ${BUSYBOX}\n# a comment between steps\nRUN echo preparing && echo 'no such package' >&2 && exit 3\nRUN echo after\n`,
    });
    dirs.push(root);
    const r = await run(root);
    assert.equal(r.status.train, 'failed');
    assert.equal(r.status.other, 'passed', 'an independent stage still runs');
    const train = r.record.stages.find((s) => s.name === 'train')!;
    assert.match(train.reason!, /image build failed at Step 2\/\d+ : RUN echo preparing/);
    assert.match(train.reason!, /env\/Dockerfile:3/);
    assert.match(train.reason!, /returned a non-zero code: 3/);
    assert.match(train.reason!, /\(mlci\.yaml:5\)/, 'the reason names the line of build:');
    assert.match(train.reason!, /\n {2}\| no such package\n/, 'the last lines of output are kept, without the builder\'s colours');
    assert.deepEqual(train.problem?.path, ['stages', 'train', 'build']);
    assert.deepEqual(train.problem?.dockerfile, { file: 'env/Dockerfile', line: 3 });
    assert.equal(r.record.builds![0].status, 'failed');
    assert.deepEqual(await imagesOf(name), [], 'a failed build tags nothing');
  });

  it('names a base image the offline engine lacks, with the mapping that fixes it; the mapping applies to FROM', async () => {
    const name = uniq('offline');
    const root = project({
      'mlci.yaml': `version: 1\nname: ${name}\nstages:\n  train:\n    build: env\n    run: echo ran on the mapped base\n`,
      'env/Dockerfile': 'FROM mlci-test/not-here:1.0\nRUN echo built\n',
    });
    dirs.push(root);
    const missing = await run(root);
    assert.equal(missing.status.train, 'failed');
    assert.match(missing.record.stages[0].reason!, /base image mlci-test\/not-here:1\.0 of env\/Dockerfile:1 is not on the engine and could not be pulled/);
    assert.match(missing.record.stages[0].reason!, /--image mlci-test\/not-here:1\.0=LOCAL_IMAGE/);
    const mapped = await run(root, { imageMap: parseImageMapping([`mlci-test/not-here:1.0=${BUSYBOX}`]) });
    assert.equal(mapped.status.train, 'passed', mapped.record.stages[0].reason);
    assert.ok(mapped.events.some((e) => e.type === 'build-log' && e.text.includes(`FROM ${BUSYBOX}`)));
  });

  it('mounts named caches as mlci-owned volumes that survive runs; cache gc removes those no stage mounts, build --prune the rest', async () => {
    const name = uniq('caches');
    const root = project({
      'mlci.yaml': `version: 1\nname: ${name}\ndefaults:\n  image: ${BUSYBOX}\nstages:\n  fill:\n    run: echo kept > $PIP_CACHE_DIR/marker && echo x > /data-cache/y\n    caches: [pip, /data-cache]\n    outs: [out.txt]\n  read:\n    needs: [fill]\n    run: cat $PIP_CACHE_DIR/marker /data-cache/y > out2.txt\n    caches: [pip, /data-cache]\n`,
    });
    dirs.push(root);
    const r = await run(root, { force: true });
    // `fill` declares an out it never writes: the run still shows the caches worked in `read`.
    assert.equal(r.status.read, 'passed', JSON.stringify(r.record.stages.map((s) => [s.name, s.reason])));
    assert.equal(readFileSync(path.join(root, 'out2.txt'), 'utf8'), 'kept\nx\n');
    const vols = await docker.listVolumes({ filters: { label: [`mlci.pipeline=${name}`] } });
    assert.equal(vols.Volumes.length, 2);
    assert.ok(vols.Volumes.every((v) => v.Labels['mlci.owned'] === 'true'));
    // A cache taken out of mlci.yaml: cache gc removes its volume and keeps the one still mounted.
    const cliRun = (args: string[]) => spawnSync(process.execPath, [path.join(repo, 'dist/cli.js'), ...args], { cwd: root, encoding: 'utf8', env: process.env });
    writeFileSync(path.join(root, 'mlci.yaml'), readFileSync(path.join(root, 'mlci.yaml'), 'utf8').replaceAll('caches: [pip, /data-cache]', 'caches: [pip]'));
    const dry = cliRun(['cache', 'gc', '--dry-run']);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`would remove 1 cache volume no stage mounts: mlci-cache-${name}-path-[0-9a-f]{12}\n`));
    assert.equal((await docker.listVolumes({ filters: { label: [`mlci.pipeline=${name}`] } })).Volumes.length, 2, '--dry-run removes nothing');
    const gc = cliRun(['cache', 'gc']);
    assert.equal(gc.status, 0, gc.stderr);
    assert.match(gc.stdout, new RegExp(`removed 1 cache volume no stage mounts: mlci-cache-${name}-path-[0-9a-f]{12}\n`));
    const left = (await docker.listVolumes({ filters: { label: [`mlci.pipeline=${name}`] } })).Volumes.map((v) => v.Name);
    assert.deepEqual(left, [`mlci-cache-${name}-pip`]);
    assert.match(cliRun(['cache', 'gc']).stdout, /cache volumes: none unused \(1 in use by /);
    const cli = cliRun(['build', '--prune']);
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /removed 1 cache volume: /);
    assert.equal((await docker.listVolumes({ filters: { label: [`mlci.pipeline=${name}`] } })).Volumes.length, 0);
  });

  it('fails a GPU stage before it starts on an engine without a GPU runtime, naming the line of gpus:', async () => {
    const info = await docker.info();
    if (info.Runtimes?.nvidia) return; // a GPU engine: the NVIDIA path is documented in docs/pipeline-file.md
    const name = uniq('gpu');
    const root = project({ 'mlci.yaml': `version: 1\nname: ${name}\nstages:\n  smi:\n    image: ${BUSYBOX}\n    run: touch started && nvidia-smi\n    resources:\n      gpus: all\n` });
    dirs.push(root);
    const r = await run(root);
    const smi = r.record.stages[0];
    assert.equal(smi.status, 'failed');
    assert.match(smi.reason!, /resources\.gpus asks for GPUs but this Docker engine has no GPU runtime/);
    assert.match(smi.reason!, /NVIDIA Container Toolkit/);
    assert.match(smi.reason!, /\(mlci\.yaml:8\)/);
    assert.deepEqual(smi.problem?.path, ['stages', 'smi', 'resources', 'gpus']);
    assert.throws(() => readFileSync(path.join(root, 'started')), 'the command never started');
    const left = await docker.listContainers({ all: true, filters: { label: [`mlci.run=${r.record.id}`] } });
    assert.equal(left.length, 0);
  });

  it('`mlci build` (the bundled CLI) builds, then reuses; a broken build prints file:line problems and exits 1', async () => {
    const name = uniq('cli');
    const root = project({
      'mlci.yaml': `version: 1\nname: ${name}\ndefaults:\n  build: env\nstages:\n  a:\n    run: echo a\n  b:\n    run: echo b\n`,
      'env/Dockerfile': DOCKERFILE,
      'env/requirements.txt': 'numpy\n',
    });
    dirs.push(root);
    const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(repo, 'dist/cli.js'), 'build', ...args], { cwd: root, encoding: 'utf8', env: process.env });
    const first = cli();
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /image defaults \| Step 1\/\d+ : FROM mlci-test\/busybox:latest/);
    assert.match(first.stdout, new RegExp(`✔ image defaults: built mlci/${name}/defaults:`));
    const again = cli('b');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /up to date, reused/);
    writeFileSync(path.join(root, 'env/Dockerfile'), `FROM ${BUSYBOX}\nRUN exit 7\n`);
    const broken = cli('--no-cache');
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, /mlci\.yaml:4:3: error build-failed: image build failed at Step 2\/\d+ : RUN exit 7/);
    assert.match(broken.stderr, /env\/Dockerfile:2:1: error build-failed/);
    execFileSync(process.execPath, [path.join(repo, 'dist/cli.js'), 'status'], { cwd: root, encoding: 'utf8', env: process.env });
  });
});
