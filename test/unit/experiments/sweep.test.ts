/**
 * The sweep with the local executor (host processes): shared stages once,
 * combinations in copies with the overridden params file, records in the
 * workspace's store, the workspace untouched. The Docker version on the
 * example project is test/docker/sweep.test.ts.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LocalRunner } from '../../../src/adapters/local/local-runner';
import { engineDeps } from '../../../src/cli/compose';
import { sweepCombinations, sweepCommand } from '../../../src/cli/commands/sweep';
import { gridCombinations, parseGrid } from '../../../src/core/experiments/grid';
import { renderParamsText } from '../../../src/core/experiments/params-file';
import { affectedStages, runSweep } from '../../../src/core/experiments/sweep';
import { copyWorkspace, underAny } from '../../../src/core/experiments/workspace-copy';
import { nodeFiles } from '../../../src/core/node-files';
import { parseParams } from '../../../src/core/params';
import { validatePipeline } from '../../../src/core/pipeline/validate';
import { readLock } from '../../../src/core/run/lockfile';
import { RunStore } from '../../../src/core/run/store';

const PIPE = `version: 1
params: params.yaml
defaults: { image: busybox }
stages:
  prep:
    run: mkdir -p out && cat data/in.txt > out/prep.txt && date +%s%N >> prep-runs.log
    deps: [data/in.txt]
    outs: [out/prep.txt]
  train:
    needs: [prep]
    run: |
      mkdir -p out && echo "{\\"score\\": $(grep '^lr:' params.yaml | cut -d' ' -f2 | cut -c1-6)$(grep '^depth:' params.yaml | cut -d' ' -f2)}" > out/metrics.json
    deps: [out/prep.txt]
    params: [lr, depth]
    outs: [out/metrics.json]
    metrics: out/metrics.json
  report:
    needs: [train]
    run: echo done > out/report.txt
    outs: [out/report.txt]
`;

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-sweep-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

describe('experiments: sweeps', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('renders overrides into the params file, keeping YAML comments', () => {
    const text = '# top\nlr: 0.5   # rate\nmodel:\n  depth: 3\n';
    assert.equal(renderParamsText(text, { lr: 0.01, 'model.depth': 5 }, 'params.yaml'), '# top\nlr: 0.01 # rate\nmodel:\n  depth: 5\n');
    assert.deepEqual(JSON.parse(renderParamsText('{"a": {"b": 1}}', { 'a.b': 2 }, 'params.json')), { a: { b: 2 } });
  });

  it('finds the stages a swept key affects (readers and downstream)', () => {
    const v = validatePipeline({ file: 'mlci.yaml', text: PIPE, root: '/nonexistent', files: nodeFiles });
    assert.deepEqual([...affectedStages(v.pipeline!, ['lr'])].sort(), ['report', 'train']);
    assert.deepEqual([...affectedStages(v.pipeline!, ['other'])], []);
  });

  it('copies a workspace without .mlci, hard-linking big inputs but never outputs', () => {
    const src = workspace({ 'a.txt': 'a', '.mlci/runs/x': 'x', '.git/HEAD': 'ref', 'sub/b.txt': 'b' });
    dirs.push(src);
    writeFileSync(path.join(src, 'big.bin'), Buffer.alloc(1024 * 1024 + 1));
    mkdirSync(path.join(src, 'models'));
    writeFileSync(path.join(src, 'models/m.bin'), Buffer.alloc(1024 * 1024 + 1));
    const dest = path.join(src, '.mlci', 'copy');
    const stats = copyWorkspace(src, dest, (rel) => underAny(rel, ['models/']));
    assert.deepEqual(stats, { copied: 3, linked: 1 });
    assert.equal(statSync(path.join(dest, 'big.bin')).ino, statSync(path.join(src, 'big.bin')).ino);
    assert.notEqual(statSync(path.join(dest, 'models/m.bin')).ino, statSync(path.join(src, 'models/m.bin')).ino);
    assert.equal(existsSync(path.join(dest, '.mlci')), false);
    assert.equal(existsSync(path.join(dest, '.git')), false);
    assert.equal(readFileSync(path.join(dest, 'sub/b.txt'), 'utf8'), 'b');
  });

  it('parses the CLI options into combinations', () => {
    assert.equal(sweepCombinations({ grid: ['lr=1,2', 'depth=3,4,5'] }).length, 6);
    assert.equal(sweepCombinations({ random: ['lr=0.1..1:log'], samples: '3', seed: '5' }).length, 3);
    assert.throws(() => sweepCombinations({ grid: ['lr=1'], random: ['x=1..2'] }), /either --grid or --random/);
    assert.throws(() => sweepCombinations({ random: ['x=1..2'] }), /--samples/);
    assert.throws(() => sweepCombinations({}), /nothing to sweep/);
    assert.throws(() => sweepCombinations({ grid: ['lr'] }), /KEY=VALUES/);
  });

  it('runs shared stages once, each combination in a copy, records in the workspace', async () => {
    const root = workspace({ 'mlci.yaml': PIPE, 'params.yaml': '# params\nlr: 0.5\ndepth: 1\n', 'data/in.txt': 'hi\n' });
    dirs.push(root);
    const v = validatePipeline({ file: 'mlci.yaml', text: PIPE, root, files: nodeFiles });
    const parsed = parseParams(readFileSync(path.join(root, 'params.yaml'), 'utf8'));
    assert.ok(parsed.ok);
    const runner = new LocalRunner();
    let n = 0;
    const store = new RunStore(root);
    const result = await runSweep({
      sweepId: 'sweep-test', root, pipelineFile: 'mlci.yaml', pipeline: v.pipeline!, params: parsed.params.values,
      combinations: gridCombinations([parseGrid('lr=0.1,0.2'), parseGrid('depth=7,8')]), jobs: 3,
      newRunId: () => `run-${n++}`,
    }, { depsFor: (dir) => engineDeps(dir, runner), sink: store });

    assert.equal(result.shared?.status, 'passed');
    assert.deepEqual(result.shared?.stages.map((s) => s.name), ['prep']);
    assert.deepEqual(result.runs.map((r) => r.status), ['passed', 'passed', 'passed', 'passed']);
    assert.deepEqual(result.runs.map((r) => r.metrics.score), [0.17, 0.18, 0.27, 0.28]);
    assert.deepEqual(result.runs.map((r) => r.name), ['sweep 1/4 lr=0.1 depth=7', 'sweep 2/4 lr=0.1 depth=8', 'sweep 3/4 lr=0.2 depth=7', 'sweep 4/4 lr=0.2 depth=8']);
    for (const r of result.runs) assert.deepEqual(r.stages.map((s) => s.status), ['cached', 'passed', 'passed']);
    assert.equal(readFileSync(path.join(root, 'prep-runs.log'), 'utf8').trim().split('\n').length, 1, 'prep ran once');

    const stored = await store.list();
    assert.equal(stored.length, 5);
    assert.ok(stored.every((r) => r.tags?.includes('sweep:sweep-test')));
    // The shared step is history (folded into its sweep by the tag); every combination is an experiment.
    assert.deepEqual(stored.filter((r) => r.kind === 'shared-stages').map((r) => r.id), [result.shared!.id]);
    assert.deepEqual(stored.filter((r) => r.kind === 'experiment').map((r) => r.id).sort(), result.runs.map((r) => r.id).sort());
    assert.deepEqual(stored.find((r) => r.name === 'sweep 2/4 lr=0.1 depth=8')?.overrides, { lr: 0.1, depth: 8 });
    assert.equal(readFileSync(path.join(root, 'params.yaml'), 'utf8'), '# params\nlr: 0.5\ndepth: 1\n');
    assert.deepEqual(Object.keys(readLock(root).stages), ['prep']);
    assert.equal(existsSync(path.join(root, 'out', 'metrics.json')), false);
    assert.equal(existsSync(path.join(root, '.mlci', 'sweeps')), false);
  });

  it('one combination (mlci run --set) makes one record: the shared step and the combination in the same run', async () => {
    const root = workspace({ 'mlci.yaml': PIPE, 'params.yaml': 'lr: 0.5\ndepth: 1\n', 'data/in.txt': 'hi\n' });
    dirs.push(root);
    const v = validatePipeline({ file: 'mlci.yaml', text: PIPE, root, files: nodeFiles });
    const runner = new LocalRunner();
    const store = new RunStore(root);
    let n = 0;
    const sweep = (lr: string) => runSweep({
      sweepId: `s${n}`, root, pipelineFile: 'mlci.yaml', pipeline: v.pipeline!, params: { lr: 0.5, depth: 1 },
      combinations: gridCombinations([parseGrid(`lr=${lr}`)]), newRunId: () => `one-${n++}`,
    }, { depsFor: (dir) => engineDeps(dir, runner), sink: store });

    const result = await sweep('0.25');
    const stored = await store.list();
    assert.equal(stored.length, 1, 'one record, not a shared-stages record plus the combination');
    const [rec] = stored;
    assert.equal(rec!.id, result.runs[0]!.id);
    assert.equal(rec!.id, result.shared!.id);
    assert.equal(rec!.kind, 'experiment');
    assert.equal(rec!.name, 'lr=0.25');
    assert.equal(rec!.status, 'passed');
    assert.deepEqual(rec!.overrides, { lr: 0.25 });
    assert.equal(rec!.params.lr, 0.25);
    // prep ran (in the workspace, shared step), train and report in the copy: all in this record.
    assert.deepEqual(rec!.stages.map((s) => `${s.name} ${s.status}`), ['prep passed', 'train passed', 'report passed']);
    assert.equal(rec!.metrics.score, 0.251);
    assert.equal(readFileSync(path.join(root, '.mlci/runs', rec!.id, 'logs/prep.log'), 'utf8'), '');
    assert.ok(existsSync(path.join(root, '.mlci/runs', rec!.id, 'logs/train.log')));
    assert.ok(rec!.startedAt <= result.runs[0]!.finishedAt!);
    assert.equal(result.runs[0]!.stages[0]!.status, 'passed', 'the returned record is the folded one');

    // Same again: prep is up to date now, train runs in a fresh copy: still one record, an experiment.
    await sweep('0.125');
    const again = (await store.list())[0]!;
    assert.equal((await store.list()).length, 2);
    assert.deepEqual(again.stages.map((s) => `${s.name} ${s.status}`), ['prep cached', 'train passed', 'report passed']);
    assert.equal(again.kind, 'experiment');

    // A failing shared step: its record is the run's one record (no combination ran).
    writeFileSync(path.join(root, 'mlci.yaml'), PIPE.replace('cat data/in.txt > out/prep.txt', 'exit 3'));
    const broken = validatePipeline({ file: 'mlci.yaml', text: readFileSync(path.join(root, 'mlci.yaml'), 'utf8'), root, files: nodeFiles });
    const failed = await runSweep({
      sweepId: 'sf', root, pipelineFile: 'mlci.yaml', pipeline: broken.pipeline!, params: { lr: 0.5, depth: 1 },
      combinations: gridCombinations([parseGrid('lr=0.3')]), newRunId: () => 'one-failed',
    }, { depsFor: (dir) => engineDeps(dir, runner), sink: store });
    assert.deepEqual(failed.runs.map((r) => [r.id, r.status, r.kind]), [['one-failed', 'failed', 'experiment']]);
    assert.deepEqual((await store.get('one-failed')).overrides, { lr: 0.3 });
    assert.equal((await store.list()).length, 3);
  });

  it('an unknown swept key fails before anything runs', async () => {
    const root = workspace({ 'mlci.yaml': PIPE, 'params.yaml': 'lr: 0.5\ndepth: 1\n', 'data/in.txt': 'hi\n' });
    dirs.push(root);
    const v = validatePipeline({ file: 'mlci.yaml', text: PIPE, root, files: nodeFiles });
    await assert.rejects(runSweep({
      sweepId: 's', root, pipelineFile: 'mlci.yaml', pipeline: v.pipeline!, params: { lr: 0.5, depth: 1 },
      combinations: gridCombinations([parseGrid('lrr=1')]), newRunId: () => 'x',
    }, { depsFor: (dir) => engineDeps(dir, new LocalRunner()), sink: new RunStore(root) }), /did you mean 'lr'/);
    assert.deepEqual(await new RunStore(root).list(), []);
  });
});

describe('mlci sweep (CLI, local executor)', function () {
  this.timeout(60_000);
  it('dry-run lists the combinations; a run records them and reports how to compare', async () => {
    const root = workspace({ 'mlci.yaml': PIPE, 'params.yaml': 'lr: 0.5\ndepth: 1\n', 'data/in.txt': 'hi\n' });
    try {
      const call = async (argv: string[]) => {
        const out: string[] = [];
        const parsed = parseArgs({ args: argv, options: sweepCommand.options, allowPositionals: false });
        const code = await sweepCommand.run({ values: parsed.values as Record<string, unknown>, positionals: [] }, { out: (l) => out.push(l), err: (l) => out.push(l), cwd: root, env: {}, isTTY: false });
        return { code, out: out.join('\n') };
      };
      const dry = await call(['--random', 'lr=0.01..0.1:log', '--random', 'depth=1..9:int', '--samples', '3', '--seed', '42', '--dry-run']);
      assert.equal(dry.code, 0);
      assert.match(dry.out, /^3 combinations for mlci.yaml, nothing will run:\n {2}1\. lr=0\.\d+ depth=\d\n/);
      assert.equal((await call(['--random', 'lr=0.01..0.1:log', '--random', 'depth=1..9:int', '--samples', '3', '--seed', '42', '--dry-run'])).out, dry.out);
      await assert.rejects(call(['--grid', 'rate=1,2']), /unknown params key 'rate'.*in params.yaml/);
      const r = await call(['--grid', 'depth=2,3', '--executor', 'local', '--jobs', '2']);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /shared stages first: prep/);
      assert.match(r.out, /: 2\/2 passed in .*; compare: mlci exp diff \S+ \S+$/);
      assert.equal((await new RunStore(root).list()).length, 3);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
