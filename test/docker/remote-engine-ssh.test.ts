/**
 * A stage on the second, REAL Docker engine reached over SSH: Debian's
 * openssh-server on 127.0.0.1 (scripts/ci/second-engine.sh with
 * MLCI_SECOND_ENGINE_SSH=1), whose sessions run `docker system dial-stdio`
 * against the second engine (Docker-in-Docker, shares no files with this
 * machine). Through the bundled CLI, as users run it:
 * - a stage with a dep, a params file and an output runs there: its inputs
 *   are sent by content, its output and metrics come back, the record names
 *   the engine; an unchanged forced rerun sends nothing, a changed dep sends
 *   that file alone;
 * - Ctrl+C removes the stage's container and workspace volume there, over
 *   the same SSH connection; a killed CLI's container is removed by the
 *   next run on that engine;
 * - a wrong key, an unknown host key and a changed host key each fail the
 *   stage quickly, naming the engine and the reason (host keys are checked
 *   against MLCI_SSH_KNOWN_HOSTS, never trusted).
 * Needs MLCI_SECOND_ENGINE_SSH, MLCI_SECOND_ENGINE_SSH_KEY,
 * MLCI_SECOND_ENGINE_SSH_KNOWN_HOSTS and MLCI_SECOND_ENGINE (the same engine
 * over TCP, to look at it); under CI=true a missing one fails the suite.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliPath, docker, exited, lastRun, napPipeline, until, volumesOf as volumesOn } from './second-engine-support';

const onSecond = (args: string[]) => docker(tcpHost!, args);
const volumesOf = (root: string) => volumesOn(tcpHost!, root);

const sshHost = process.env.MLCI_SECOND_ENGINE_SSH;
const sshKey = process.env.MLCI_SECOND_ENGINE_SSH_KEY;
const knownHosts = process.env.MLCI_SECOND_ENGINE_SSH_KNOWN_HOSTS;
const tcpHost = process.env.MLCI_SECOND_ENGINE;

/** The user's engines file naming `second` by its ssh:// address and key (as a user keeps it, outside the repo). */
function enginesFile(root: string, identity = sshKey!): string {
  const f = path.join(root, '..', `${path.basename(root)}-engines.yaml`);
  writeFileSync(f, `engines:\n  second: { host: "${sshHost}", identity: "${identity}" }\n`);
  return f;
}

function cli(root: string, args: string[], engines: string, extra: NodeJS.ProcessEnv = {}) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: root,
    encoding: 'utf8',
    // No agent: the key in the engines file is the only one offered.
    env: { ...process.env, MLCI_ENGINES_FILE: engines, MLCI_SSH_KNOWN_HOSTS: knownHosts, SSH_AUTH_SOCK: '', ...extra },
    timeout: 300_000,
  });
  return { ...r, ms: Date.now() - started };
}

/** A pipeline whose stage, on `second`, reads a dep, a script and a param, and writes an output and metrics. */
function pipeline(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mlci-ssh-engine-'));
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'mlci.yaml'), [
    'version: 1',
    'engines:',
    '  second: { remote: true }',
    'stages:',
    '  train:',
    '    engine: second',
    '    image: mlci-test/python:3.12-slim',
    '    run: python src/train.py',
    '    deps: [data.txt, src/train.py]',
    '    params: [scale]',
    '    outs: [models/model.txt]',
    '    metrics: metrics.json',
    '',
  ].join('\n'));
  writeFileSync(path.join(root, 'params.yaml'), 'scale: 3\n');
  writeFileSync(path.join(root, 'data.txt'), '1\n2\n3\n');
  writeFileSync(path.join(root, 'src', 'train.py'), [
    'import json, os, socket',
    "scale = int(open('params.yaml').read().split(':')[1])",
    "total = sum(int(x) for x in open('data.txt').read().split())",
    "os.makedirs('models', exist_ok=True)",
    "open('models/model.txt', 'w').write(f'weights {total * scale}\\n')",
    "json.dump({'total': total, 'scaled': total * scale}, open('metrics.json', 'w'))",
    "print('trained on', socket.gethostname(), flush=True)",
    '',
  ].join('\n'));
  return root;
}

describe('a stage on a second Docker engine reached over SSH (openssh-server, bundled CLI)', function () {
  this.timeout(600_000);
  const dirs: string[] = [];

  before(function () {
    const missing = [
      ['MLCI_SECOND_ENGINE_SSH', sshHost],
      ['MLCI_SECOND_ENGINE_SSH_KEY', sshKey],
      ['MLCI_SECOND_ENGINE_SSH_KNOWN_HOSTS', knownHosts],
      ['MLCI_SECOND_ENGINE', tcpHost],
    ].filter(([, v]) => !v).map(([k]) => k);
    let reason = missing.length ? `${missing.join(', ')} not set` : !existsSync(cliPath) ? 'dist/cli.js is not built (npm run build)' : undefined;
    if (!reason) {
      try {
        onSecond(['info', '--format', '{{.ServerVersion}}']);
      } catch (e) {
        reason = `the second engine at ${tcpHost} does not answer: ${(e as Error).message.split('\n')[0]}`;
      }
    }
    if (reason) {
      if (process.env.CI === 'true') throw new Error(`CI needs the second engine over SSH (eval "$(MLCI_SECOND_ENGINE_SSH=1 bash scripts/ci/second-engine.sh)"): ${reason}`);
      this.skip();
    }
  });
  after(() => {
    if (tcpHost) for (const d of dirs) for (const v of volumesOf(d)) spawnSync('docker', ['-H', tcpHost, 'volume', 'rm', '-f', v]);
    for (const d of dirs) {
      rmSync(d, { recursive: true, force: true });
      rmSync(`${d}-engines.yaml`, { force: true });
    }
  });

  it('runs the stage there: inputs sent by content, output and metrics back, the engine in the record', () => {
    const root = pipeline();
    dirs.push(root);
    const engines = enginesFile(root);

    const a = cli(root, ['run', '--executor', 'docker'], engines);
    assert.equal(a.status, 0, a.stderr + a.stdout);
    const run = lastRun(root);
    const train = run.stages.find((s) => s.name === 'train')!;
    assert.equal(train.status, 'passed');
    assert.equal(train.engine, 'second');
    assert.ok(train.transfer, JSON.stringify(train));
    // data.txt, src/train.py and params.yaml travelled; nothing was there before.
    assert.equal(train.transfer.sentFiles, 3, JSON.stringify(train.transfer));
    assert.ok(train.transfer.fetchedFiles >= 2, `model and metrics came back: ${JSON.stringify(train.transfer)}`);
    assert.equal(readFileSync(path.join(root, 'models/model.txt'), 'utf8'), 'weights 18\n');
    assert.deepEqual(run.stageMetrics?.train, { total: 6, scaled: 18 });
    // It ran on the second engine: its workspace volume is there, its container is gone.
    assert.equal(volumesOf(root).length, 1, 'the workspace volume is on the second engine');
    assert.deepEqual(onSecond(['ps', '-aq', '--filter', `label=mlci.run=${run.id}`]).split('\n').filter(Boolean), []);
    // Not on the first engine (which could see the workspace): no container of the run ever started there.
    const local = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
    assert.equal(execFileSync('docker', ['-H', local, 'ps', '-aq', '--filter', `label=mlci.run=${run.id}`], { encoding: 'utf8' }).trim(), '');

    // Forced, nothing changed: nothing is sent.
    const b = cli(root, ['run', 'train', '--force', 'train', '--executor', 'docker'], engines);
    assert.equal(b.status, 0, b.stderr + b.stdout);
    const again = lastRun(root).stages.find((s) => s.name === 'train')!;
    assert.equal(again.status, 'passed');
    assert.equal(again.transfer?.sentFiles, 0, JSON.stringify(again.transfer));

    // One dep changed: that file alone is sent, and the new output comes back.
    appendFileSync(path.join(root, 'data.txt'), '4\n');
    const c = cli(root, ['run', '--executor', 'docker'], engines);
    assert.equal(c.status, 0, c.stderr + c.stdout);
    const changed = lastRun(root);
    const t = changed.stages.find((s) => s.name === 'train')!;
    assert.match(t.reason ?? '', /data\.txt changed/);
    assert.equal(t.transfer?.sentFiles, 1, JSON.stringify(t.transfer));
    assert.equal(readFileSync(path.join(root, 'models/model.txt'), 'utf8'), 'weights 30\n');
    assert.deepEqual(changed.stageMetrics?.train, { total: 10, scaled: 30 });
  });

  /** The nap pipeline started through the bundled CLI on `second` over SSH, once its stage prints. */
  async function napping(): Promise<{ root: string; child: ReturnType<typeof spawn>; done: Promise<number | null>; runId: string; out: () => string }> {
    const root = napPipeline('mlci-ssh-nap-');
    dirs.push(root);
    const engines = enginesFile(root);
    const child = spawn(process.execPath, [cliPath, 'run', '--executor', 'docker'], {
      cwd: root,
      env: { ...process.env, MLCI_ENGINES_FILE: engines, MLCI_SSH_KNOWN_HOSTS: knownHosts, SSH_AUTH_SOCK: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const done = exited(child);
    await until('the stage to print', () => (out.includes('napping') ? true : undefined), 180_000);
    return { root, child, done, runId: lastRun(root).id, out: () => out };
  }
  const containersOfRun = (runId: string) => onSecond(['ps', '-aq', '--filter', `label=mlci.run=${runId}`]).split('\n').filter(Boolean);

  it('Ctrl+C removes the container and the workspace volume on the engine, over the same SSH login', async () => {
    const { root, child, done, runId, out } = await napping();
    assert.equal(containersOfRun(runId).length, 1, 'the stage runs on the second engine');
    assert.equal(volumesOf(root).length, 1, 'its workspace volume is there');
    child.kill('SIGINT');
    assert.equal(await done, 130, out());
    assert.deepEqual(containersOfRun(runId), []);
    assert.deepEqual(volumesOf(root), [], 'a cancelled run leaves no volume');
    assert.equal(lastRun(root).stages[0]!.status, 'cancelled');
  });

  it('a killed CLI leaves its container, and the next run on that engine over SSH removes it', async () => {
    const { root, child, done, runId } = await napping();
    child.kill('SIGKILL');
    await done;
    assert.equal(containersOfRun(runId).length, 1, 'the killed run left its container');
    writeFileSync(path.join(root, 'mlci.yaml'), readFileSync(path.join(root, 'mlci.yaml'), 'utf8').replace(/run: python .*$/m, 'run: "true"'));
    const r = cli(root, ['run', '--executor', 'docker'], `${root}-engines.yaml`);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.deepEqual(containersOfRun(runId), []);
  });

  /** Runs the pipeline with a broken login; the stage must fail fast, naming the engine and the reason. */
  function failsWith(engines: (root: string) => string, extra: NodeJS.ProcessEnv, reason: RegExp): void {
    const root = pipeline();
    dirs.push(root);
    const r = cli(root, ['run', '--executor', 'docker'], engines(root), extra);
    assert.equal(r.status, 1, r.stderr + r.stdout);
    // Refused at the SSH handshake: well within the handshake limit (15 s), never a hang.
    assert.ok(r.ms < 60_000, `failed in ${r.ms} ms`);
    const stage = lastRun(root).stages[0]!;
    assert.equal(stage.status, 'failed');
    const where = sshHost!.replace(/[.]/g, '\\.');
    assert.match(stage.reason ?? '', new RegExp(`engine 'second' \\(${where}\\) is unreachable: `));
    assert.match(stage.reason ?? '', reason);
    assert.match(r.stdout + r.stderr, reason);
  }

  it('a key the server does not accept fails the stage with the engine and the reason', () => {
    const other = path.join(mkdtempSync(path.join(os.tmpdir(), 'mlci-ssh-key-')), 'id_ed25519');
    dirs.push(path.dirname(other));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    failsWith((root) => enginesFile(root, other), {}, new RegExp(`authentication as root failed \\(tried ${other.replace(/[.]/g, '\\.')}\\); give the engine an \`identity\``));
  });

  it('an unknown host key is refused (not trusted on first use), with the command that adds it', () => {
    const empty = path.join(mkdtempSync(path.join(os.tmpdir(), 'mlci-ssh-kh-')), 'known_hosts');
    dirs.push(path.dirname(empty));
    writeFileSync(empty, '');
    const port = new URL(sshHost!).port;
    failsWith((root) => enginesFile(root), { MLCI_SSH_KNOWN_HOSTS: empty }, new RegExp(`the host key of \\[127\\.0\\.0\\.1\\]:${port} is not in ${empty.replace(/[.]/g, '\\.')}; check it and add it \\(ssh-keyscan -p ${port} 127\\.0\\.0\\.1`));
  });

  it('DOCKER_HOST=ssh://... (the default engine) logs in the same way: MLCI_SSH_KEY, host key checked', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'mlci-ssh-default-'));
    dirs.push(root);
    writeFileSync(path.join(root, 'mlci.yaml'), ['version: 1', 'stages:', '  hello:', '    image: mlci-test/busybox:latest', '    run: echo hello over ssh', ''].join('\n'));
    const engines = path.join(root, 'no-engines.yaml');
    const over = { DOCKER_HOST: sshHost, MLCI_SSH_KEY: sshKey };
    const ok = cli(root, ['run', '--executor', 'docker'], engines, over);
    assert.equal(ok.status, 0, ok.stderr + ok.stdout);
    assert.match(ok.stdout, /hello \| hello over ssh/);
    // The first engine never saw the run's container.
    const id = lastRun(root).id;
    assert.equal(execFileSync('docker', ['-H', process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock', 'ps', '-aq', '--filter', `label=mlci.run=${id}`], { encoding: 'utf8' }).trim(), '');
    const empty = path.join(root, 'empty_known_hosts');
    writeFileSync(empty, '');
    const refused = cli(root, ['run', '--executor', 'docker', '--force', 'hello'], engines, { ...over, MLCI_SSH_KNOWN_HOSTS: empty });
    assert.notEqual(refused.status, 0, refused.stdout);
    assert.ok(refused.ms < 60_000, `failed in ${refused.ms} ms`);
    assert.match(refused.stdout + refused.stderr, /The Docker engine at ssh:\/\/root@127\.0\.0\.1:\d+ is unreachable \(the host key of \[127\.0\.0\.1\]:\d+ is not in .*empty_known_hosts/);
    // The advice is about ssh, not "start Docker".
    assert.match(refused.stdout + refused.stderr, /Check that `ssh -p \d+ root@127\.0\.0\.1 docker info` works/);
    assert.doesNotMatch(refused.stdout + refused.stderr, /systemctl start docker/);
  });

  it('a host key other than the listed one is refused as a possible impostor', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-ssh-kh-'));
    dirs.push(dir);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'impostor')]);
    const port = new URL(sshHost!).port;
    const [type, blob] = readFileSync(path.join(dir, 'impostor.pub'), 'utf8').split(' ');
    writeFileSync(path.join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${type} ${blob}\n`);
    failsWith((root) => enginesFile(root), { MLCI_SSH_KNOWN_HOSTS: path.join(dir, 'known_hosts') }, /is not the one .*known_hosts lists for it: the server was reinstalled or someone is impersonating it/);
  });
});
