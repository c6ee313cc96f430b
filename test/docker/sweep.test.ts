/**
 * `mlci sweep` against a REAL Docker engine on a copy of examples/churn: a
 * 2x2 grid over lr and l2 gives 4 run records with the right params,
 * overrides and distinct metrics; the stages that read no swept param
 * (unit-tests, validate-data) run once, in the shared run, and are cached
 * in every combination; the workspace's lock and params file are left as
 * they were for the swept stages. Needs DOCKER_HOST pointing at an engine
 * with python:3.12-slim (scripts/ci/docker-up.sh + images.sh); under
 * CI=true a missing engine fails the suite instead of skipping it.
 */
import { strict as assert } from 'node:assert';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DockerRunner } from '../../src/adapters/docker/docker-runner';
import { createBaseline, engineDeps, newRunId } from '../../src/cli/compose';
import { hostUser } from '../../src/cli/executor';
import { sweepCombinations } from '../../src/cli/commands/sweep';
import { sweepCommand } from '../../src/cli/commands/sweep';
import { runSweep } from '../../src/core/experiments/sweep';
import { nodeFiles } from '../../src/core/node-files';
import { parseParams } from '../../src/core/params';
import { validatePipeline } from '../../src/core/pipeline/validate';
import { readLock } from '../../src/core/run/lockfile';
import { RunStore } from '../../src/core/run/store';

const repo = path.resolve(__dirname, '../..');

function copyExample(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-docker-sweep-'));
  cpSync(path.join(repo, 'examples/churn'), dir, { recursive: true, filter: (src) => !/(__pycache__|\.mlci|models)$/.test(src) });
  rmSync(path.join(dir, 'mlci.lock'), { force: true });
  return dir;
}

/**
 * What `mlci sweep` does, composed the same way but with the Docker runner
 * made here: the CLI's runner choice loads the Docker adapter with a dynamic
 * import that mocha's tsx loader does not resolve.
 */
async function sweep(root: string, argv: string[]) {
  const parsed = parseArgs({ args: argv, options: sweepCommand.options, allowPositionals: false });
  const combinations = sweepCombinations(parsed.values as Record<string, unknown>);
  const v = validatePipeline({ file: 'mlci.yaml', text: readFileSync(path.join(root, 'mlci.yaml'), 'utf8'), root, files: nodeFiles });
  assert.deepEqual(v.problems.filter((p) => p.severity === 'error').map((p) => p.message), []);
  const params = parseParams(readFileSync(path.join(root, 'params.yaml'), 'utf8'));
  assert.ok(params.ok);
  const runner = new DockerRunner();
  const store = new RunStore(root);
  const baseline = await createBaseline(root, v.pipeline!, store);
  return runSweep({
    sweepId: newRunId(), root, pipelineFile: 'mlci.yaml', pipeline: v.pipeline!, params: params.params.values,
    combinations, jobs: Number(parsed.values.jobs ?? 1), newRunId,
    run: { baseline, ...(hostUser() ? { user: hostUser()! } : {}) },
  }, { depsFor: (dir) => engineDeps(dir, runner), sink: store });
}

describe('mlci sweep on the example project (real Docker engine)', function () {
  this.timeout(600_000);
  const dirs: string[] = [];

  before(async function () {
    try {
      await new DockerRunner().check();
    } catch (e) {
      if (process.env.CI === 'true') throw new Error(`CI needs a Docker engine with python:3.12-slim (scripts/ci/docker-up.sh + images.sh): ${(e as Error).message}`);
      this.skip();
    }
  });
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('runs a 2x2 grid: 4 records with the right params, shared stages once', async () => {
    const root = copyExample();
    dirs.push(root);
    const paramsBefore = readFileSync(path.join(root, 'params.yaml'), 'utf8');
    const r = await sweep(root, ['--grid', 'lr=0.5,0.05', '--grid', 'l2=0,0.1', '--jobs', '2']);
    assert.equal(r.shared?.status, 'passed', JSON.stringify(r.shared?.stages));
    assert.equal(r.runs.length, 4);

    const runs = await new RunStore(root).list();
    const shared = runs.filter((x) => x.name?.startsWith('sweep shared stages'));
    const combos = runs.filter((x) => /^sweep \d\/4 /.test(x.name ?? '')).sort((a, b) => a.name!.localeCompare(b.name!));
    assert.equal(shared.length, 1);
    assert.equal(combos.length, 4);
    assert.deepEqual(combos.map((x) => x.name), ['sweep 1/4 lr=0.5 l2=0', 'sweep 2/4 lr=0.5 l2=0.1', 'sweep 3/4 lr=0.05 l2=0', 'sweep 4/4 lr=0.05 l2=0.1']);
    assert.deepEqual(combos.map((x) => x.overrides), [{ lr: 0.5, l2: 0 }, { lr: 0.5, l2: 0.1 }, { lr: 0.05, l2: 0 }, { lr: 0.05, l2: 0.1 }]);
    assert.deepEqual(combos.map((x) => [x.params.lr, x.params.l2, x.params.epochs]), [[0.5, 0, 100], [0.5, 0.1, 100], [0.05, 0, 100], [0.05, 0.1, 100]]);
    const tag = shared[0]!.tags?.[0];
    assert.match(tag ?? '', /^sweep:/);
    for (const c of combos) {
      assert.equal(c.status, 'passed', JSON.stringify(c.stages.map((s) => [s.name, s.status, s.reason])));
      assert.deepEqual(c.tags, [tag]);
      assert.equal(c.executor, 'docker');
      const status = Object.fromEntries(c.stages.map((s) => [s.name, s.status]));
      // Upstream stages that read no swept param ran once (shared run) and are cached here.
      assert.equal(status['unit-tests'], 'cached');
      assert.equal(status['validate-data'], 'cached');
      assert.equal(status.train, 'passed');
      assert.equal(status.evaluate, 'passed');
    }
    const sharedStatus = Object.fromEntries(shared[0]!.stages.map((s) => [s.name, s.status]));
    assert.equal(sharedStatus['unit-tests'], 'passed');
    assert.equal(sharedStatus['validate-data'], 'passed');
    assert.equal(sharedStatus.train, undefined, 'train reads lr/l2: not a shared stage');

    // The stages saw the overridden values: four different models give four different losses.
    const losses = combos.map((c) => c.metrics.loss);
    assert.ok(losses.every((l) => typeof l === 'number'), JSON.stringify(combos.map((c) => c.metrics)));
    assert.equal(new Set(losses).size, 4, JSON.stringify(losses));
    // The workspace itself is untouched for the swept stages.
    assert.equal(readFileSync(path.join(root, 'params.yaml'), 'utf8'), paramsBefore);
    assert.deepEqual(Object.keys(readLock(root).stages).sort(), Object.keys(sharedStatus).sort());
    assert.equal(existsSync(path.join(root, 'models', 'model.json')), false);
    assert.equal(existsSync(path.join(root, '.mlci', 'sweeps')), false, 'copies are removed');
    // Experiments vs history: the shared step is history, the 4 combinations are the experiments.
    assert.equal(shared[0]!.kind, 'shared-stages');
    assert.deepEqual(combos.map((c) => c.kind), ['experiment', 'experiment', 'experiment', 'experiment']);

    // One combination (what `mlci run --set lr=0.2` runs): one record, an experiment, shared stages inside it.
    const before = runs.length;
    const one = await sweep(root, ['--grid', 'lr=0.2']);
    const after = await new RunStore(root).list();
    assert.equal(after.length, before + 1, 'one record for one combination');
    const rec = after[0]!;
    assert.equal(rec.id, one.runs[0]!.id);
    assert.equal(rec.kind, 'experiment');
    assert.equal(rec.name, 'lr=0.2');
    assert.equal(rec.executor, 'docker');
    const oneStatus = Object.fromEntries(rec.stages.map((s) => [s.name, s.status]));
    assert.equal(oneStatus['unit-tests'], 'cached', 'up to date since the sweep above');
    assert.equal(oneStatus.train, 'passed');
  });
});
