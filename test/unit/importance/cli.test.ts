/**
 * The shipped CLI (dist/cli.js) as a process on real files: `mlci importance`
 * on a data file, `mlci verify` failing on a planted leak with the leaking
 * column named, the run recording data dependencies and a train stage's
 * model importances (local executor), `mlci importance` reading them back,
 * and `mlci exp diff` showing how importances changed between runs.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.join(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli.js');
const IRIS = path.join(repo, 'test/fixtures/importance/iris.csv');
const mlci = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const PIPELINE = (exclude: string, importances: string) => `version: 1
ci: { stages: [features, train] }
stages:
  features:
    kind: data
    importance: { target: species, file: iris.csv, exclude: [${exclude}], report: reports/dependencies.json }
    gates:
      - { importance: features, leakage: 0.95 }
      - { importance: features, unused: true, severity: warning }
  train:
    kind: train
    image: busybox
    run: printf '${importances}' > importances.csv
    importances: importances.csv
`;

describe('mlci importance / verify / exp diff (process)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    const b = spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-importance-cli-'));
    copyFileSync(IRIS, path.join(dir, 'iris.csv'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('mlci importance FILE --target: the table, Markdown and JSON', () => {
    const t = mlci(['importance', 'iris.csv', '--target', 'species'], dir);
    assert.equal(t.code, 0, t.err);
    const lines = t.out.split('\n');
    assert.match(lines[0]!, /^dependencies on species in iris\.csv \(150 rows/);
    assert.match(lines[2]!, /^row_id +1 +1\.1 \(p 1\.85e-60\) +150/);
    assert.match(t.out, /constant +0 +0 +150 +one value \(1\): carries no information/);
    const md = mlci(['importance', 'iris.csv', '--target', 'species', '--format', 'md', '--exclude', 'row_id'], dir);
    assert.match(md.out, /^\| petal\\_width \| 0\.893 \|/m);
    assert.doesNotMatch(md.out, /row\\_id/);
    const json = JSON.parse(mlci(['importance', 'iris.csv', '--target', 'species', '--format', 'json'], dir).out);
    assert.equal(json.features[0].feature, 'row_id');
    assert.equal(json.features[0].n, 150);
    const bad = mlci(['importance', 'iris.csv', '--target', 'nope'], dir);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /problem: target column "nope" is not in iris\.csv/);
    assert.equal(mlci(['importance', 'iris.csv'], dir).code, 2);
  });

  it('verify fails on the planted leak with the column named; the run records dependencies and model importances', () => {
    writeFileSync(path.join(dir, 'mlci.yaml'), PIPELINE('', 'feature,importance,std\\npetal_width,0.4,0.02\\npetal_length,0.3,0.02\\nsepal_width,0.05,0.01\\n'));
    const v = mlci(['verify', '--executor', 'local', '--allow-dirty'], dir);
    assert.equal(v.code, 2, v.out + v.err);
    assert.match(v.out, /possible target leakage: row_id 1 \(MI 1\.1 nats p 1\.85e-60, n 150\)/);
    assert.match(v.out, /a data dependency with no value: noise/);
    assert.match(v.out, /NOT verified: a gate failed/);
    const shown = mlci(['importance', 'train'], dir);
    assert.equal(shown.code, 0, shown.err);
    assert.match(shown.out, /^train \(run \S+\):\nmodel importances from importances\.csv\nfeature +importance +std\npetal_width +0\.4 +0\.02/);
    const saved = JSON.parse(readFileSync(path.join(dir, 'reports/dependencies.json'), 'utf8'));
    assert.equal(saved.source, 'data');
  });

  it('with the id excluded verify passes the leak gate; exp diff shows the importance changes', () => {
    writeFileSync(path.join(dir, 'mlci.yaml'), PIPELINE('row_id, noise, constant', 'feature,importance\\npetal_width,0.1\\npetal_length,0.5\\nsepal_width,0.05\\n'));
    const v = mlci(['verify', '--executor', 'local', '--allow-dirty'], dir);
    assert.equal(v.code, 0, v.out + v.err);
    const d = mlci(['exp', 'diff'], dir);
    assert.equal(d.code, 0, d.out + d.err);
    assert.match(d.out, /train:petal_length \(importance\) +0\.3 +0\.5 \+0\.2/);
    assert.match(d.out, /importance train, \S+ vs \S+: rank correlation 0\.500; moved most: petal_width #1→#2 \(0\.4→0\.1\), petal_length #2→#1 \(0\.3→0\.5\)/);
  });

  it('a data stage without importance.report that does not run keeps its dependencies for its gates (run-cache entry, else measured again)', () => {
    const sub = mkdtempSync(path.join(os.tmpdir(), 'mlci-importance-cached-'));
    try {
      copyFileSync(IRIS, path.join(sub, 'iris.csv'));
      writeFileSync(path.join(sub, 'mlci.yaml'), `version: 1
ci: { stages: [features] }
stages:
  features:
    kind: data
    importance: { target: species, file: iris.csv }
    gates:
      - { importance: features, leakage: 0.95 }
`);
      const leak = /possible target leakage: row_id 1 \(MI 1\.1 nats p 1\.85e-60, n 150\)/;
      const first = mlci(['verify', '--executor', 'local', '--allow-dirty'], sub);
      assert.equal(first.code, 2, first.out + first.err);
      assert.match(first.out, leak);
      // Up to date: nothing runs, the gate reads the run-cache entry's measurement.
      const again = mlci(['verify', '--executor', 'local', '--allow-dirty'], sub);
      assert.equal(again.code, 2, again.out + again.err);
      assert.match(again.out, /features: up to date/);
      assert.match(again.out, leak);
      assert.doesNotMatch(again.out, /recorded no importances/);
      // No run-cache entry either (cache removed): measured again, same verdict.
      rmSync(path.join(sub, '.mlci', 'cache'), { recursive: true, force: true });
      const bare = mlci(['verify', '--executor', 'local', '--allow-dirty'], sub);
      assert.equal(bare.code, 2, bare.out + bare.err);
      assert.match(bare.out, /features: up to date/);
      assert.match(bare.out, leak);
    } finally {
      rmSync(sub, { recursive: true, force: true });
    }
  });
});
