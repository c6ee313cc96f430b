/**
 * A frozen and a killed Docker engine (issue 11, point 6), on this test's
 * OWN private dockerd (scripts/ci/docker-up.sh with its own prefix; the
 * shared engine is never touched): the bundled CLI runs a stage, then
 * - the engine is frozen (SIGSTOP dockerd): Ctrl+C ends the run within 2 s,
 *   exit 130; once the engine thaws, the next run removes the container;
 * - the engine is killed (SIGKILL dockerd): the run reports the engine as
 *   lost, with a hint, and exits 3 ("could not run"), not 1.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, execSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { probe } from './figures';
import { buildCli, cli, crashed, mlci, removeWorkspace, runRecords, waitFor, workspace } from './helpers';

const PREFIX = `/tmp/mlci-rel-engine-${process.pid}`;
const SOCK = `unix://${PREFIX}.sock`;
const env = { ...process.env, MLCI_DOCKER_PREFIX: PREFIX };
const dockerEnv = { ...process.env, DOCKER_HOST: SOCK };
const SHARED = process.env.DOCKER_HOST ?? 'unix:///tmp/mlci-docker.sock';

function up(): void {
  const r = spawnSync('bash', ['scripts/ci/docker-up.sh'], { env, encoding: 'utf8', cwd: `${__dirname}/../..` });
  if (r.status !== 0) throw new Error(`could not start a private dockerd: ${r.stderr}`);
}
function down(): void {
  spawnSync('bash', ['scripts/ci/docker-down.sh'], { env, encoding: 'utf8', cwd: `${__dirname}/../..` });
}
const dockerdPid = () => Number(readFileSync(`${PREFIX}.pid`, 'utf8').trim());
const containers = () => execFileSync('docker', ['ps', '-aq', '--filter', 'label=mlci.run'], { env: dockerEnv, encoding: 'utf8' }).trim().split('\n').filter(Boolean);

const PIPELINE = `version: 1
defaults: { image: mlci-test/busybox:latest }
stages:
  slow:
    run: ["echo started", "test -f quick || sleep 60"]
`;

function startRun(dir: string) {
  const child = spawn(process.execPath, [cli, 'run', '--executor', 'docker'], { cwd: dir, env: { ...process.env, DOCKER_HOST: SOCK, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise<{ code: number | null; out: string; err: string; at: number }>((resolve) => child.on('close', (code) => resolve({ code, out, err, at: Date.now() })));
  return { child, done, out: () => out };
}

describe('reliability: a frozen and a killed Docker engine (private dockerd)', function () {
  this.timeout(240_000);
  const dirs: string[] = [];
  before(function () {
    const hasDockerd = spawnSync('bash', ['-c', 'command -v dockerd || test -x /usr/sbin/dockerd'], { encoding: 'utf8' }).status === 0;
    if (!hasDockerd) {
      if (process.env.CI === 'true') throw new Error('dockerd is missing: scripts/ci/docker-up.sh installs it');
      this.skip();
    }
    buildCli();
    up();
    // The test image, from the shared engine (no registry here).
    execSync(`docker save mlci-test/busybox:latest | DOCKER_HOST=${SOCK} docker load`, { env: { ...process.env, DOCKER_HOST: SHARED }, stdio: 'ignore' });
  });
  after(() => {
    try {
      process.kill(dockerdPid(), 'SIGCONT');
    } catch {
      // not running
    }
    down();
    // docker-down.sh unmounts and stops; the private engine's state goes with the test.
    for (const suffix of ['-data', '-exec', '.log']) rmSync(`${PREFIX}${suffix}`, { recursive: true, force: true });
    dirs.forEach(removeWorkspace);
  });

  it('frozen engine (SIGSTOP dockerd): Ctrl+C ends the run within 2 s (exit 130); the next run removes the container', async () => {
    const dir = workspace('engine-frozen', { 'mlci.yaml': PIPELINE });
    dirs.push(dir);
    await probe('Ctrl+C with a frozen engine', async () => {
      const run = startRun(dir);
      assert.ok(await waitFor(() => /slow +\| started/.test(run.out()), 60_000), 'the stage started');
      const pid = dockerdPid();
      process.kill(pid, 'SIGSTOP');
      let r;
      let sent;
      try {
        sent = Date.now();
        run.child.kill('SIGINT');
        const timer = new Promise<undefined>((res) => setTimeout(() => res(undefined), 15_000));
        r = await Promise.race([run.done, timer]);
        if (!r) {
          run.child.kill('SIGKILL');
          return { how: 'hang', detail: 'mlci run ignored Ctrl+C for 15 s with a frozen engine' };
        }
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      const crash = crashed({ ...r, signal: null, hung: false, ms: 0 });
      if (crash) return { how: 'crash', detail: crash };
      assert.equal(r.code, 130, r.out + r.err);
      const took = r.at - sent;
      assert.ok(took <= 2000, `Ctrl+C took ${took} ms`);
      const [record] = runRecords(dir);
      assert.equal(record?.status, 'cancelled');
      return undefined;
    });
    await probe('the frozen run\'s container removed by the next run', async () => {
      // The thawed engine still runs the container; the next run removes it (its mlci process is gone).
      writeFileSync(path.join(dir, 'quick'), '');
      const next = await mlci(['run', '--executor', 'docker'], dir, { env: { DOCKER_HOST: SOCK }, hangMs: 120_000 });
      assert.equal(next.code, 0, next.out + next.err);
      const left = containers();
      if (left.length) return { how: 'leak', detail: `${left.length} container(s) left` };
      return undefined;
    });
  });

  it('killed engine (SIGKILL dockerd mid-stage): "the Docker engine ... was lost" with a hint, exit 3', async () => {
    const dir = workspace('engine-killed', { 'mlci.yaml': PIPELINE });
    dirs.push(dir);
    await probe('engine killed mid-run', async () => {
      const run = startRun(dir);
      assert.ok(await waitFor(() => /slow +\| started/.test(run.out()), 60_000), 'the stage started');
      process.kill(dockerdPid(), 'SIGKILL');
      const timer = new Promise<undefined>((res) => setTimeout(() => res(undefined), 60_000));
      const r = await Promise.race([run.done, timer]);
      if (!r) {
        run.child.kill('SIGKILL');
        return { how: 'hang', detail: 'mlci run did not end within 60 s of the engine dying' };
      }
      const crash = crashed({ ...r, signal: null, hung: false, ms: 0 });
      if (crash) return { how: 'crash', detail: crash };
      assert.equal(r.code, 3, r.out + r.err);
      assert.match(r.err, /mlci run: the Docker engine at unix:\/\/.* was lost during the stage \(.*\); check it with `docker info`, restart it if needed, then run again/);
      const [record] = runRecords(dir);
      assert.equal(record?.status, 'failed');
      assert.match(record?.errors?.[0] ?? '', /engine .* was lost/);
      return undefined;
    });
    // Restart it: the container the dead engine left is removed by the next run.
    down();
    up();
    await probe('no container left once the engine is back', async () => {
      writeFileSync(path.join(dir, 'quick'), '');
      const r = await mlci(['run', '--executor', 'docker'], dir, { env: { DOCKER_HOST: SOCK }, hangMs: 120_000 });
      assert.equal(r.code, 0, r.out + r.err);
      const left = containers();
      if (left.length) return { how: 'leak', detail: `${left.length} container(s) left` };
      return undefined;
    });
  });
});
