/**
 * Stages on a second, REAL Docker engine that cannot see this machine's
 * files (scripts/ci/second-engine.sh: Docker-in-Docker on the test engine,
 * its API on tcp://127.0.0.1; a bind mount there shows an empty folder).
 * Everything runs through the bundled CLI (`node dist/cli.js`), as users
 * and the VS Code extension run it:
 * - examples/churn with `train` placed on the second engine gives the same
 *   metrics as a run where every stage is local;
 * - a forced rerun with nothing changed sends no file, a one-file change
 *   sends exactly that file (counted in the run record);
 * - Ctrl+C removes the remote container; a killed CLI's container is
 *   removed by the next run that uses the engine;
 * - an unreachable engine fails its stage with the engine's name.
 * Needs MLCI_SECOND_ENGINE (exported by `eval "$(scripts/ci/second-engine.sh)"`)
 * and DOCKER_HOST; under CI=true a missing engine fails the suite.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunRecord } from '../../src/core/run/record';
import { cliPath, docker, exited, lastRun, napPipeline, until, volumesOf } from './second-engine-support';

const repo = path.resolve(__dirname, '../..');
const second = process.env.MLCI_SECOND_ENGINE;

function copyExample(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-remote-'));
  cpSync(path.join(repo, 'examples/churn'), dir, { recursive: true, filter: (src) => !/(__pycache__|\.mlci|models)$/.test(src) });
  rmSync(path.join(dir, 'mlci.lock'), { force: true });
  return dir;
}

/** Places `stage` on the engine `second` (its host in a user engines file, as a user would keep it). */
function placeOnSecond(root: string, stage: string): string {
  const file = path.join(root, 'mlci.yaml');
  let text = readFileSync(file, 'utf8');
  text = text.replace('# Continuous training', 'engines:\n  second: { remote: true }\n\n# Continuous training');
  const at = text.indexOf(`\n  ${stage}:\n`);
  assert.ok(at >= 0, `stage ${stage} in the example`);
  const body = text.indexOf('\n', at + 1);
  text = `${text.slice(0, body + 1)}    engine: second\n${text.slice(body + 1)}`;
  writeFileSync(file, text);
  return userEngines(root);
}

function userEngines(root: string, host = second!): string {
  const f = path.join(root, '..', `${path.basename(root)}-engines.yaml`);
  writeFileSync(f, `engines:\n  second: { host: "${host}" }\n`);
  return f;
}

function env(enginesFile?: string): NodeJS.ProcessEnv {
  return { ...process.env, ...(enginesFile ? { MLCI_ENGINES_FILE: enginesFile } : {}), MLCI_JOBS: '2' };
}

function cli(root: string, args: string[], enginesFile?: string) {
  return spawnSync(process.execPath, [cliPath, ...args], { cwd: root, encoding: 'utf8', env: env(enginesFile), timeout: 600_000 });
}

/** Every workspace volume made for a folder below `dir` (sweep copies too). */
function removeVolumesBelow(host: string, dir: string): void {
  const ids = docker(host, ['volume', 'ls', '-q', '--filter', 'label=mlci.workspace']).split('\n').filter(Boolean);
  for (const id of ids) {
    const ws = docker(host, ['volume', 'inspect', '--format', '{{index .Labels "mlci.workspace"}}', id]);
    if (ws === dir || ws.startsWith(`${dir}/`)) spawnSync('docker', ['-H', host, 'volume', 'rm', '-f', id]);
  }
}

function containersOfRun(host: string, runId: string): string[] {
  return docker(host, ['ps', '-aq', '--filter', `label=mlci.run=${runId}`]).split('\n').filter(Boolean);
}

/** A pipeline whose one stage sleeps on the second engine, with the user's engines file. */
function sleepyPipeline(): { root: string; engines: string } {
  const root = napPipeline('mlci-remote-sleep-');
  return { root, engines: userEngines(root) };
}

describe('stages on a second Docker engine that shares no files (bundled CLI)', function () {
  this.timeout(900_000);
  const dirs: string[] = [];

  before(function () {
    const missing = !second ? 'MLCI_SECOND_ENGINE is not set' : !existsSync(cliPath) ? 'dist/cli.js is not built (npm run build)' : undefined;
    let reason = missing;
    if (!reason) {
      try {
        docker(second!, ['info', '--format', '{{.ServerVersion}}']);
      } catch (e) {
        reason = `the second engine at ${second} does not answer: ${(e as Error).message.split('\n')[0]}`;
      }
    }
    if (reason) {
      if (process.env.CI === 'true') throw new Error(`CI needs the second engine (eval "$(bash scripts/ci/second-engine.sh)"): ${reason}`);
      this.skip();
    }
  });
  after(() => {
    // The workspace volumes stay on an engine between runs (a cache): the tests' go with their folders.
    if (second) for (const d of dirs) removeVolumesBelow(second, d);
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  it('the example with train on the second engine gives the same metrics as a local run; a one-file change sends one file', () => {
    const local = copyExample();
    const remote = copyExample();
    dirs.push(local, remote);
    const enginesFile = placeOnSecond(remote, 'train');
    dirs.push(enginesFile);

    const a = cli(local, ['run', '--executor', 'docker']);
    assert.equal(a.status, 0, a.stderr + a.stdout);
    const b = cli(remote, ['run', '--executor', 'docker'], enginesFile);
    assert.equal(b.status, 0, b.stderr + b.stdout);
    const localRun = lastRun(local);
    const remoteRun = lastRun(remote);
    const train = remoteRun.stages.find((s) => s.name === 'train')!;
    assert.equal(train.engine, 'second');
    assert.equal(train.status, 'passed');
    assert.ok(train.transfer && train.transfer.sentFiles >= 4, JSON.stringify(train.transfer));
    assert.equal(train.transfer.fetchedFiles, 4, 'model, metrics, history, importances came back');
    assert.equal(remoteRun.stages.find((s) => s.name === 'evaluate')!.engine, undefined, 'evaluate stays local');
    assert.deepEqual(remoteRun.stageMetrics, localRun.stageMetrics);
    assert.equal(readFileSync(path.join(remote, 'models/model.json'), 'utf8'), readFileSync(path.join(local, 'models/model.json'), 'utf8'));
    // The container went, on both engines.
    assert.deepEqual(containersOfRun(second!, remoteRun.id), []);

    // Nothing changed, train forced: nothing is sent.
    const c = cli(remote, ['run', 'train', '--force', 'train'], enginesFile);
    assert.equal(c.status, 0, c.stderr + c.stdout);
    const again = lastRun(remote).stages.find((s) => s.name === 'train')!;
    assert.equal(again.status, 'passed');
    assert.equal(again.transfer?.sentFiles, 0, JSON.stringify(again.transfer));

    // One dep changes: that file alone is sent.
    appendFileSync(path.join(remote, 'src/features.py'), '\n# a comment\n');
    const d = cli(remote, ['run', 'train'], enginesFile);
    assert.equal(d.status, 0, d.stderr + d.stdout);
    const changed = lastRun(remote).stages.find((s) => s.name === 'train')!;
    assert.match(changed.reason ?? '', /src\/features\.py changed/);
    assert.equal(changed.transfer?.sentFiles, 1, JSON.stringify(changed.transfer));
    assert.match(d.stdout + d.stderr, /sent 1 file/);
  });

  it('Ctrl+C removes the container and the workspace volume on the second engine', async () => {
    const { root, engines } = sleepyPipeline();
    dirs.push(root, engines);
    const child = spawn(process.execPath, [cliPath, 'run', '--executor', 'docker'], { cwd: root, env: env(engines), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const done = exited(child);
    await until('the stage to print', () => (out.includes('napping') ? true : undefined));
    const runId = lastRun(root).id;
    assert.equal(containersOfRun(second!, runId).length, 1, 'the stage runs on the second engine');
    assert.equal(volumesOf(second!, root).length, 1, 'the workspace volume is on the second engine');
    child.kill('SIGINT');
    assert.equal(await done, 130, out);
    assert.deepEqual(containersOfRun(second!, runId), []);
    assert.deepEqual(volumesOf(second!, root), [], 'a cancelled run leaves no volume');
    assert.equal(existsSync(path.join(root, '.mlci', 'state', 'remote')) && readdirSync(path.join(root, '.mlci', 'state', 'remote')).length, 0, 'nor a manifest of the removed volume');
    assert.deepEqual(containersOfRun(process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock', runId), []);
    assert.equal(lastRun(root).stages[0]!.status, 'cancelled');
  });

  it('a killed CLI leaves a container that the next run on that engine removes', async () => {
    const { root, engines } = sleepyPipeline();
    dirs.push(root, engines);
    const child = spawn(process.execPath, [cliPath, 'run', '--executor', 'docker'], { cwd: root, env: env(engines), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const done = exited(child);
    await until('the stage to print', () => (out.includes('napping') ? true : undefined));
    const runId = lastRun(root).id;
    child.kill('SIGKILL');
    await done;
    assert.equal(containersOfRun(second!, runId).length, 1, 'the killed run left its container');
    // The next run (its stage fails fast) cleans up on the engine before its first stage.
    writeFileSync(path.join(root, 'mlci.yaml'), readFileSync(path.join(root, 'mlci.yaml'), 'utf8').replace(/run: python .*$/m, 'run: "true"'));
    const r = cli(root, ['run', '--executor', 'docker'], engines);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.deepEqual(containersOfRun(second!, runId), []);
  });

  it("an engine's jobs: 1 never runs two independent stages on it at once (the engine's events)", () => {
    // Two stages with no link between them, both on `second`, run with --jobs 2.
    const make = (jobs: string) => {
      const root = mkdtempSync(path.join(os.tmpdir(), 'mlci-remote-jobs-'));
      const stage = (name: string) => [
        `  ${name}:`,
        '    engine: second',
        '    image: mlci-test/busybox:latest',
        `    run: sleep 3 && echo done > ${name}.txt`,
        '    deps: [data.txt]',
        `    outs: [${name}.txt]`,
      ];
      writeFileSync(path.join(root, 'mlci.yaml'), ['version: 1', 'engines:', `  second: { remote: true${jobs} }`, 'stages:', ...stage('a'), ...stage('b'), ''].join('\n'));
      writeFileSync(path.join(root, 'data.txt'), 'x\n');
      dirs.push(root);
      return root;
    };
    /** [start, die] per stage of the run, in seconds, from the second engine's events. */
    const intervals = (root: string, since: number): Record<string, [number, number]> => {
      const runId = lastRun(root).id;
      const lines = docker(second!, ['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', `label=mlci.run=${runId}`, '--filter', 'type=container', '--format', '{{json .}}']).split('\n').filter(Boolean);
      const out: Record<string, [number, number]> = {};
      for (const l of lines) {
        const e = JSON.parse(l) as { status?: string; Action?: string; timeNano: number; Actor: { Attributes: Record<string, string> } };
        const stage = e.Actor.Attributes['mlci.stage']!;
        const at = e.timeNano / 1e9;
        out[stage] ??= [NaN, NaN];
        if ((e.Action ?? e.status) === 'start') out[stage][0] = at;
        if ((e.Action ?? e.status) === 'die') out[stage][1] = at;
      }
      return out;
    };
    const runAndTime = (jobs: string) => {
      const root = make(jobs);
      const engines = userEngines(root);
      dirs.push(engines);
      const since = Math.floor(Date.now() / 1000) - 1;
      const r = cli(root, ['run', '--executor', 'docker', '--jobs', '2'], engines);
      assert.equal(r.status, 0, r.stderr + r.stdout);
      const t = intervals(root, since);
      assert.deepEqual(Object.keys(t).sort(), ['a', 'b'], JSON.stringify(t));
      for (const [s, [a, b]] of Object.entries(t)) assert.ok(a < b, `${s}: start and die seen (${a}, ${b})`);
      return t;
    };
    // Control: without a limit they overlap (the check below can see an overlap).
    const free = runAndTime('');
    assert.ok(Math.max(free.a![0], free.b![0]) < Math.min(free.a![1], free.b![1]), `without jobs the stages overlap: ${JSON.stringify(free)}`);
    const one = runAndTime(', jobs: 1');
    const [first, next] = one.a![0] < one.b![0] ? [one.a!, one.b!] : [one.b!, one.a!];
    assert.ok(first[1] <= next[0], `with jobs: 1 the second stage starts after the first died: ${JSON.stringify(one)}`);
  });

  it('mlci sweep --engines local,second runs one combination on each engine, with the same results', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'mlci-remote-sweep-'));
    dirs.push(root);
    writeFileSync(path.join(root, 'mlci.yaml'), [
      'version: 1',
      'engines:',
      '  second: { remote: true }',
      'stages:',
      '  train:',
      '    image: mlci-test/busybox:latest',
      '    run: |',
      "      k=$(sed -n 's/^k: //p' params.yaml)",
      '      echo "{\\"score\\": $((k * 10))}" > metrics.json',
      '    deps: [k.txt]',
      '    params: [k]',
      '    metrics: metrics.json',
      '',
    ].join('\n'));
    writeFileSync(path.join(root, 'params.yaml'), 'k: 1\n');
    writeFileSync(path.join(root, 'k.txt'), '3\n');
    const engines = userEngines(root);
    dirs.push(engines);
    const r = cli(root, ['sweep', '--executor', 'docker', '--grid', 'k=2,5', '--engines', 'local,second', '--jobs', '1'], engines);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const runsDir = path.join(root, '.mlci', 'runs');
    const records = readdirSync(runsDir).map((id) => JSON.parse(readFileSync(path.join(runsDir, id, 'run.json'), 'utf8')) as RunRecord).filter((x) => x.stages.some((s) => s.name === 'train' && s.status === 'passed'));
    assert.equal(records.length, 2, r.stdout);
    const byK = new Map(records.map((x) => [x.stageMetrics?.train?.score, x.stages.find((s) => s.name === 'train')!.engine ?? 'local']));
    assert.deepEqual([...byK.keys()].sort(), [20, 50], JSON.stringify(records.map((x) => x.stageMetrics)));
    assert.deepEqual([...byK.values()].sort(), ['local', 'second'], 'one combination on each engine');
    // The copies went, and with them their workspace volumes on the second engine.
    assert.deepEqual(volumesOf(second!, root), []);
    const copies = path.join(root, '.mlci', 'sweeps');
    assert.deepEqual(docker(second!, ['volume', 'ls', '-q', '--filter', 'label=mlci.workspace']).split('\n').filter(Boolean).filter((v) => docker(second!, ['volume', 'inspect', '--format', '{{index .Labels "mlci.workspace"}}', v]).startsWith(copies)), []);
  });

  it('build: builds on the stage\'s engine, and mlci status judges the stage there', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'mlci-remote-build-'));
    dirs.push(root);
    mkdirSync(path.join(root, 'env'));
    writeFileSync(path.join(root, 'env', 'Dockerfile'), 'FROM mlci-test/busybox:latest\nRUN echo built-on-second > /marker\n');
    writeFileSync(path.join(root, 'mlci.yaml'), [
      'version: 1',
      'engines:',
      '  second: { remote: true }',
      'stages:',
      '  train:',
      '    engine: second',
      '    build: env',
      '    run: cat /marker data.txt > out.txt',
      '    deps: [data.txt]',
      '    outs: [out.txt]',
      '',
    ].join('\n'));
    writeFileSync(path.join(root, 'data.txt'), 'x\n');
    const engines = userEngines(root);
    dirs.push(engines);
    const r = cli(root, ['run', '--executor', 'docker'], engines);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.equal(readFileSync(path.join(root, 'out.txt'), 'utf8'), 'built-on-second\nx\n');
    const train = lastRun(root).stages[0]!;
    assert.ok(train.imageId, JSON.stringify(train));
    // Built there, not here.
    assert.equal(docker(second!, ['image', 'inspect', '--format', '{{.Id}}', train.imageId]), train.imageId);
    const here = spawnSync('docker', ['image', 'inspect', train.imageId], { encoding: 'utf8' });
    assert.notEqual(here.status, 0, 'the image is not on the local engine');
    // Status asks the second engine (the local one lacks the image: it would call the stage stale).
    const status = (extra: string[] = []) => {
      const s = cli(root, ['status', '--format', 'json', ...extra], engines);
      assert.equal(s.status, 0, s.stderr + s.stdout);
      return (JSON.parse(s.stdout) as { stage: string; state: string; reasons: string[] }[])[0]!;
    };
    assert.deepEqual(status(), { stage: 'train', kind: 'custom', state: 'up-to-date', reasons: [] });
    // A changed Dockerfile: stale because of the image, still judged on the second engine.
    appendFileSync(path.join(root, 'env', 'Dockerfile'), 'RUN true\n');
    assert.equal(status().state, 'stale');
    assert.match(status().reasons.join('; '), /image/);
    // Unreachable: unknown, with the engine's name.
    const bad = userEngines(root, 'tcp://127.0.0.1:1');
    const u = cli(root, ['status', '--format', 'json'], bad);
    assert.equal(u.status, 0, u.stderr);
    const entry = (JSON.parse(u.stdout) as { state: string; reasons: string[] }[])[0]!;
    assert.equal(entry.state, 'unknown');
    assert.match(entry.reasons.join(' '), /engine 'second' \(tcp:\/\/127\.0\.0\.1:1\) is unreachable/);
  });

  it('an unreachable engine fails its stage with the engine name and reason', () => {
    const { root } = sleepyPipeline();
    dirs.push(root);
    const engines = userEngines(root, 'tcp://127.0.0.1:1');
    dirs.push(engines);
    const r = cli(root, ['run', '--executor', 'docker'], engines);
    assert.equal(r.status, 1, r.stderr + r.stdout);
    const stage = lastRun(root).stages[0]!;
    assert.equal(stage.status, 'failed');
    assert.match(stage.reason ?? '', /engine 'second' \(tcp:\/\/127\.0\.0\.1:1\) is unreachable: .*ECONNREFUSED/);
  });
});
