/**
 * Experiments versus history, through the bundled CLI as a process (local
 * executor, real files): a run where nothing ran is history, `mlci run --set`
 * makes exactly one record, `mlci exp list` shows experiments and says what
 * it left out (`--all` lists everything with its kind), and `mlci exp diff`
 * compares the last experiment with the one before.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.join(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli.js');
const mlci = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const PIPE = `version: 1
params: params.yaml
defaults: { image: busybox }
metrics:
  score: { goal: max }
stages:
  prep:
    run: mkdir -p out && cat data/in.txt > out/prep.txt
    deps: [data/in.txt]
    outs: [out/prep.txt]
  train:
    needs: [prep]
    run: |
      mkdir -p out && echo "{\\"score\\": $(grep '^lr:' params.yaml | cut -d' ' -f2)}" > out/metrics.json
    deps: [out/prep.txt]
    params: [lr]
    outs: [out/metrics.json]
    metrics: out/metrics.json
`;

describe('experiments vs history (bundled CLI, local executor)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    const b = spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-cli-history-'));
    mkdirSync(path.join(dir, 'data'));
    writeFileSync(path.join(dir, 'data/in.txt'), 'hi\n');
    writeFileSync(path.join(dir, 'params.yaml'), 'lr: 0.5\n');
    writeFileSync(path.join(dir, 'mlci.yaml'), PIPE);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const runIds = () => readdirSync(path.join(dir, '.mlci/runs')).sort();
  const record = (id: string) => JSON.parse(readFileSync(path.join(dir, '.mlci/runs', id, 'run.json'), 'utf8')) as { kind?: string; stages: { name: string; status: string }[]; overrides?: Record<string, unknown>; metrics: Record<string, number> };

  it('a run where nothing ran is history; --set makes one record; exp list hides history and says so; --all shows kinds', () => {
    let r = mlci(['run', '--executor', 'local'], dir);
    assert.equal(r.code, 0, r.out + r.err);
    const [first] = runIds();
    assert.equal(record(first!).kind, 'experiment');

    r = mlci(['run', '--executor', 'local'], dir);
    assert.equal(r.code, 0, r.out + r.err);
    const cached = runIds().find((id) => id !== first)!;
    assert.equal(record(cached).kind, 'cached');

    // prep is stale (its input changed) and train reads the overridden lr: both run, in one record.
    writeFileSync(path.join(dir, 'data/in.txt'), 'changed\n');
    const before = runIds();
    r = mlci(['run', '--executor', 'local', '--set', 'lr=0.75'], dir);
    assert.equal(r.code, 0, r.out + r.err);
    const added = runIds().filter((id) => !before.includes(id));
    assert.equal(added.length, 1, `--set made ${added.length} records: ${added.join(', ')}`);
    const set = record(added[0]!);
    assert.equal(set.kind, 'experiment');
    assert.deepEqual(set.overrides, { lr: 0.75 });
    assert.deepEqual(set.stages.map((s) => `${s.name} ${s.status}`), ['prep passed', 'train passed']);
    assert.equal(set.metrics.score, 0.75);
    assert.equal(readFileSync(path.join(dir, 'params.yaml'), 'utf8'), 'lr: 0.5\n', 'the params file is untouched');

    r = mlci(['exp', 'list'], dir);
    assert.equal(r.code, 0, r.err);
    const rows = r.out.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]);
    assert.deepEqual(rows, [added[0], first], 'experiments only, newest first');
    assert.equal(r.err.trim(), '1 history run not shown (1 cached: nothing ran): --all lists them');

    r = mlci(['exp', 'list', '--all'], dir);
    assert.match(r.out.split('\n')[0]!, /^run\s+status\s+kind\s+name/);
    assert.match(r.out, new RegExp(`^${cached}\\s+passed\\s+cached\\b`, 'm'));
    assert.match(r.out, new RegExp(`^${added[0]}\\s+passed\\s+experiment\\s+lr=0.75`, 'm'));
    assert.equal(r.err, '');

    // mlci runs is the whole log: history marked, experiments plain.
    r = mlci(['runs'], dir);
    assert.match(r.out, new RegExp(`^${cached}  passed .* \\(cached: nothing ran\\) score=0\\.5$`, 'm'));
    assert.match(r.out, new RegExp(`^${first}  passed .* score=0\\.5$`, 'm'));
    assert.doesNotMatch(r.out.split('\n').find((l) => l.startsWith(first!))!, /nothing ran/);

    const json = JSON.parse(mlci(['exp', 'list', '--format', 'json'], dir).out) as { id: string }[];
    assert.deepEqual(json.map((x) => x.id), [added[0], first]);

    // diff with no run: the last experiment against the experiment before (not the cached run between).
    r = mlci(['exp', 'diff', '--format', 'json'], dir);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual((JSON.parse(r.out) as { runs: { id: string }[] }).runs.map((x) => x.id), [first, added[0]]);

    // --name names the one run of --set.
    const known = runIds();
    r = mlci(['run', '--executor', 'local', '--set', 'lr=0.9', '--name', 'tuned'], dir);
    assert.equal(r.code, 0, r.out + r.err);
    const named = runIds().filter((id) => !known.includes(id));
    assert.equal(named.length, 1);
    assert.equal((record(named[0]!) as { name?: string }).name, 'tuned');
  });
});
