/**
 * `--events`, the protocol the VS Code run service reads (the bundled CLI as
 * a process): JSON lines on standard output from `hello` to `exit`, human
 * lines on standard error; an unreachable engine is an event and exit 3,
 * never a host run. And `mlci status` as the extension calls it: --read-only
 * writes nothing, and an image the engine lacks is a reason, not a pull.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CliEvent } from '../../../src/protocol/cli-events';

const repo = path.join(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli.js');
const mlci = (args: string[], cwd: string, env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const events = (out: string): CliEvent[] => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as CliEvent);

describe('mlci --events and the status the extension reads (process)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    const b = spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-cli-events-'));
    writeFileSync(path.join(dir, 'mlci.yaml'), `version: 1
defaults: { image: mlci-test/absent-image:1 }
stages:
  make:
    run: echo made > made.txt && echo hello from make
    outs: [made.txt]
  use:
    needs: [make]
    run: cat made.txt
    deps: [made.txt]
`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes only JSON events on standard output, from hello to exit, and the run record at run-end', () => {
    const r = mlci(['run', '--executor', 'local', '--events'], dir);
    assert.equal(r.code, 0, r.err);
    const es = events(r.out);
    assert.deepEqual(es[0], { type: 'hello', protocol: 1, version: JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).version, command: 'run' });
    assert.deepEqual(es.at(-1), { type: 'exit', code: 0 });
    assert.deepEqual(es.find((e) => e.type === 'executor'), { type: 'executor', name: 'local' });
    assert.deepEqual(es.find((e) => e.type === 'plan'), { type: 'plan', stages: ['make', 'use'] });
    const logs = es.filter((e): e is Extract<CliEvent, { type: 'stage-log' }> => e.type === 'stage-log').map((e) => e.text).join('');
    assert.match(logs, /hello from make/);
    const ends = es.filter((e): e is Extract<CliEvent, { type: 'stage-end' }> => e.type === 'stage-end').map((e) => [e.stage.name, e.stage.status]);
    assert.deepEqual(ends, [['make', 'passed'], ['use', 'passed']]);
    const end = es.find((e): e is Extract<CliEvent, { type: 'run-end' }> => e.type === 'run-end');
    assert.equal(end?.run.status, 'passed');
    assert.ok(existsSync(path.join(dir, '.mlci/runs', end!.run.id, 'run.json')));
    // People's lines went to standard error.
    assert.match(r.err, /run \S+: passed in .* with the local executor/);
  });

  it('an unreachable engine with --executor docker is an event and exit 3: nothing runs, nothing is recorded', () => {
    const before = existsSync(path.join(dir, '.mlci/runs')) ? readdirSync(path.join(dir, '.mlci/runs')).length : 0;
    const r = mlci(['run', '--executor', 'docker', '--events'], dir, { DOCKER_HOST: `unix://${path.join(dir, 'no-engine.sock')}` });
    assert.equal(r.code, 3, r.err);
    const es = events(r.out);
    const u = es.find((e): e is Extract<CliEvent, { type: 'engine-unreachable' }> => e.type === 'engine-unreachable');
    assert.ok(u, r.out);
    assert.equal(u.where, `unix://${path.join(dir, 'no-engine.sock')}`);
    assert.match(u.reason, /unreachable/);
    assert.deepEqual(es.find((e) => e.type === 'error') && (es.find((e) => e.type === 'error') as { exitCode: number }).exitCode, 3);
    assert.ok(!es.some((e) => e.type === 'stage-start'), 'no stage started');
    assert.equal(readdirSync(path.join(dir, '.mlci/runs')).length, before, 'no run recorded');
  });

  it('refuses --events on a command that does not speak it', () => {
    const r = mlci(['validate', '--events'], dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /--events is not supported by this command/);
  });

  it('status --read-only writes nothing, not even .mlci/', () => {
    const fresh = mkdtempSync(path.join(os.tmpdir(), 'mlci-cli-status-ro-'));
    try {
      writeFileSync(path.join(fresh, 'mlci.yaml'), 'version: 1\nstages:\n  a:\n    image: busybox\n    run: echo a\n    deps: [in.txt]\n');
      writeFileSync(path.join(fresh, 'in.txt'), 'x\n');
      const r = mlci(['status', '--executor', 'local', '--read-only', '--format', 'json'], fresh);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(JSON.parse(r.out).map((e: { stage: string; state: string }) => [e.stage, e.state]), [['a', 'stale']]);
      assert.deepEqual(readdirSync(fresh).sort(), ['in.txt', 'mlci.yaml']);
      mlci(['status', '--executor', 'local'], fresh);
      assert.ok(existsSync(path.join(fresh, '.mlci')), 'without --read-only status keeps its cache under .mlci/');
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('status never pulls: an image the engine lacks is a reason (real engine)', function () {
    if (!process.env.DOCKER_HOST) {
      if (process.env.CI === 'true') assert.fail('DOCKER_HOST is not set: this test needs the real engine');
      this.skip();
    }
    const r = mlci(['status', '--executor', 'docker', '--format', 'json'], dir);
    assert.equal(r.code, 0, r.err);
    const rows = JSON.parse(r.out) as Array<{ stage: string; state: string; reasons: string[] }>;
    assert.deepEqual(rows.map((e) => [e.stage, e.state]), [['make', 'stale'], ['use', 'stale']]);
    assert.match(rows[0].reasons.join('; '), /image mlci-test\/absent-image:1 is not on the engine \(a run pulls it\)/);
  });

  it('status with no engine answering says images are not checked, instead of judging stages as host processes', () => {
    const r = mlci(['status', '--format', 'json'], dir, { DOCKER_HOST: `unix://${path.join(dir, 'no-engine.sock')}` });
    assert.equal(r.code, 0, r.err);
    const rows = JSON.parse(r.out) as Array<{ stage: string; state: string; reasons: string[] }>;
    assert.equal(rows[0].state, 'unknown');
    assert.match(rows[0].reasons[0], /image not checked: the Docker engine at unix:\/\/.*no-engine\.sock is unreachable/);
    assert.doesNotMatch(r.out, /host process/);
    assert.match(r.err, /images of container stages are not checked/);
  });
});
