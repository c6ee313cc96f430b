/**
 * `mlci run`, `status`, `runs` and `logs` as processes (built CLI, local
 * executor, real files): exit codes, dry-run reasons, the record and logs,
 * a refused second run while one holds the workspace lock, and Ctrl+C.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.join(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli.js');
const mlci = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('mlci run / status / runs / logs (process, local executor)', function () {
  this.timeout(60_000);
  let dir: string;
  let firstRun = '';
  before(() => {
    const b = spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-cli-run-'));
    writeFileSync(path.join(dir, 'params.yaml'), 'n: 1\n');
    writeFileSync(path.join(dir, 'mlci.yaml'), `version: 1
params: params.yaml
defaults: { image: busybox }
stages:
  make:
    run: echo made > made.txt
    params: [n]
    outs: [made.txt]
  use:
    needs: [make]
    run: cat made.txt
    deps: [made.txt]
`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs, prints progress and where the record is, exit 0; then everything is up to date', () => {
    const r = mlci(['run', '--executor', 'local'], dir);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /✔ make: passed/);
    assert.match(r.out, /use +\| made/);
    assert.match(r.out, /run \S+: passed in .* with the local executor/);
    const id = /run (\S+): passed/.exec(r.out)![1];
    firstRun = id;
    assert.equal(JSON.parse(readFileSync(path.join(dir, '.mlci/runs', id, 'run.json'), 'utf8')).status, 'passed');
    const again = mlci(['run', '--executor', 'local'], dir);
    assert.match(again.out, /○ make: up to date, skipped/);
    assert.match(mlci(['status', '--executor', 'local'], dir).out, /all 2 stages are up to date/);
  });

  it('explains what would run with --dry-run and status, running nothing', () => {
    writeFileSync(path.join(dir, 'params.yaml'), 'n: 2\n');
    const dry = mlci(['run', '--dry-run', '--executor', 'local'], dir);
    assert.equal(dry.code, 0);
    assert.match(dry.out, /make\s+run\s+param n changed \(1 -> 2\)/);
    assert.match(dry.out, /use\s+run\?\s+upstream make will run/);
    const st = mlci(['status', '--executor', 'local'], dir);
    assert.match(st.out, /make\s+stale: param n changed/);
    assert.match(st.out, /1 of 2 stages would run|2 of 2 stages would run/);
  });

  it('lists runs and prints logs of a run by id or last', () => {
    const runs = mlci(['runs'], dir);
    assert.equal(runs.code, 0);
    assert.match(runs.out, /^\d{8}-\d{6}-[0-9a-f]{4}\s+passed/m);
    // The last run found everything up to date: its logs say so.
    assert.match(mlci(['logs', 'last', 'use'], dir).out, /did not run in this run/);
    const logs = mlci(['logs', firstRun, 'use'], dir);
    assert.equal(logs.code, 0, logs.err);
    assert.equal(logs.out, 'made\n');
    const bad = mlci(['logs', 'last', 'nope'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /has no stage 'nope'/);
  });

  it('exits 1 when a stage fails and 3 when the pipeline is invalid', () => {
    const failing = mkdtempSync(path.join(os.tmpdir(), 'mlci-cli-fail-'));
    writeFileSync(path.join(failing, 'mlci.yaml'), 'version: 1\nstages:\n  bad:\n    image: busybox\n    run: exit 4\n');
    const r = mlci(['run', '--executor', 'local'], failing);
    assert.equal(r.code, 1);
    assert.match(r.out, /✘ bad: failed: exited with code 4/);
    writeFileSync(path.join(failing, 'mlci.yaml'), 'version: 1\nstages:\n  bad:\n    image: busybox\n    run: x\n    needs: [ghost]\n');
    const invalid = mlci(['run', '--executor', 'local'], failing);
    assert.equal(invalid.code, 3);
    assert.match(invalid.err, /mlci.yaml:6:13: error unknown-stage/);
    assert.match(invalid.err, /fix them first/);
    rmSync(failing, { recursive: true, force: true });
  });

  it('refuses a second run while one holds the workspace, and Ctrl+C cancels cleanly (exit 130)', async () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'mlci-cli-lock-'));
    writeFileSync(path.join(ws, 'mlci.yaml'), 'version: 1\nstages:\n  slow:\n    image: busybox\n    run: sleep 20\n');
    const child = spawn(process.execPath, [cli, 'run', '--executor', 'local'], { cwd: ws, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (out.includes('▶ slow')) {
          clearInterval(t);
          resolve();
        }
      }, 50);
    });
    const second = mlci(['run', '--executor', 'local'], ws);
    assert.equal(second.code, 3);
    assert.match(second.err, /another mlci run is in progress/);
    const t0 = Date.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 130);
    assert.ok(Date.now() - t0 < 10_000);
    assert.match(out, /■ slow: cancelled/);
    const runs = mlci(['runs', '--format', 'json'], ws);
    assert.equal(JSON.parse(runs.out)[0].status, 'cancelled');
    rmSync(ws, { recursive: true, force: true });
  });
});
