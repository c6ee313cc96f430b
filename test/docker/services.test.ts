/**
 * Service stages and probes against a REAL Docker engine: a stdlib HTTP
 * server (test/fixtures/services/serve.py) started for the stages that need
 * it, probed by mlci, reached by a container stage through the run's private
 * network, and always removed. Bad input: a crash before health, a health
 * check that never passes, a crash mid-test, a taken host port, HTML where
 * JSON is expected, Ctrl+C, and a killed CLI (the bundled dist/cli.js) whose
 * service the next run removes. Each failure names the stage and leaves no
 * container or network of the run behind.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { DockerRunner } from '../../src/adapters/docker/docker-runner';
import { nodeFiles } from '../../src/core/node-files';
import { validatePipeline } from '../../src/core/pipeline/validate';
import type { EngineEvent, RunOptions } from '../../src/core/run/engine';
import { runPipeline } from '../../src/core/run/engine';
import type { JunitReport } from '../../src/core/run/junit';
import { engineDeps } from '../../src/cli/compose';
import { hostUser } from '../../src/cli/executor';

const repo = path.resolve(__dirname, '../..');
const IMAGE = 'mlci-test/python:3.12-slim';

function workspace(yaml: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-services-'));
  copyFileSync(path.join(repo, 'test/fixtures/services/serve.py'), path.join(dir, 'serve.py'));
  writeFileSync(path.join(dir, 'mlci.yaml'), yaml);
  return dir;
}

/** A pipeline with one service (MODE picks its behaviour) and the stages given. */
function pipelineText(opts: { mode?: string; health?: string; hostPort?: number; stages: string }): string {
  return `version: 1
defaults: { image: ${IMAGE} }
stages:
  serve:
    kind: service
    run: python3 serve.py
    deps: [serve.py]
    env: { MODE: ${opts.mode ?? 'ok'} }
    port: 8000
${opts.hostPort ? `    host_port: ${opts.hostPort}\n` : ''}    health: ${opts.health ?? '{ http: /health, timeout: 30s, interval: 200ms }'}
${opts.stages}`;
}

const PREDICT = `
  smoke:
    kind: test
    needs: [serve]
    reports: { junit: reports/probes.xml }
    probe:
      - service: serve
        name: predict
        method: POST
        path: /predict
        json: { tenure: 2 }
        expect: { status: 200, json: { churn: 1, probability: { min: 0.5 } }, latency_ms: { p95: 5000 }, count: 5 }
`;

let n = 0;
async function run(root: string, extra: Partial<RunOptions> = {}) {
  const r = validatePipeline({ file: 'mlci.yaml', text: readFileSync(path.join(root, 'mlci.yaml'), 'utf8'), root, files: nodeFiles });
  assert.deepEqual(r.problems.filter((p) => p.severity === 'error').map((p) => `${p.line}: ${p.message}`), []);
  const deps = await engineDeps(root, new DockerRunner());
  const events: EngineEvent[] = [];
  const runId = `svc-${process.pid}-${Date.now()}-${n++}`;
  const record = await runPipeline({
    runId, root, pipelineFile: 'mlci.yaml', pipeline: r.pipeline!, params: {}, targets: [], jobs: 2,
    ...(hostUser() ? { user: hostUser()! } : {}),
    onEvent: (e) => events.push(e),
    ...extra,
  }, deps);
  const stage = (name: string) => record.stages.find((s) => s.name === name)!;
  return { record, events, stage, runId };
}

describe('service stages and probes (real Docker engine)', function () {
  this.timeout(180_000);
  const docker = new Docker();
  const dirs: string[] = [];

  before(async function () {
    try {
      await new DockerRunner().check();
      await docker.getImage(IMAGE).inspect();
    } catch (e) {
      if (process.env.CI === 'true') throw new Error(`CI needs a Docker engine with ${IMAGE} (scripts/ci/docker-up.sh + images.sh): ${(e as Error).message}`);
      this.skip();
    }
  });
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  /** Nothing of the run is left on the engine: no container, no network. */
  async function assertNothingLeft(runId: string): Promise<void> {
    const containers = await docker.listContainers({ all: true, filters: { label: [`mlci.run=${runId}`] } });
    assert.deepEqual(containers.map((c) => c.Names), [], 'containers of the run left behind');
    const networks = await docker.listNetworks({ filters: { label: [`mlci.run=${runId}`] } });
    assert.deepEqual(networks.map((x) => x.Name), [], 'networks of the run left behind');
  }

  it('starts the service for the stages that need it, probes it, lets a stage reach it by name, and removes it', async () => {
    const root = workspace(pipelineText({ stages: `${PREDICT}
  client:
    kind: test
    needs: [serve]
    run: python3 -c "import os,urllib.request; u=os.environ['MLCI_SERVICE_SERVE_URL']; print('url', u); print(urllib.request.urlopen(u + '/health').read().decode())"
  offline:
    kind: custom
    run: python3 -c "import socket; socket.create_connection(('serve', 8000), 2)"
` }));
    dirs.push(root);
    const { record, events, stage, runId } = await run(root);
    assert.equal(stage('smoke').status, 'passed', stage('smoke').reason);
    assert.equal(stage('client').status, 'passed', stage('client').reason);
    assert.equal(stage('serve').status, 'passed', stage('serve').reason);
    const healthy = events.find((e) => e.type === 'service' && e.state === 'healthy') as { url?: string; hostUrl?: string } | undefined;
    assert.equal(healthy?.url, 'http://serve:8000');
    assert.match(healthy?.hostUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    // Removed at the end: the record no longer offers its addresses.
    assert.equal(stage('serve').service, undefined);
    assert.match(stage('serve').reason ?? '', /^healthy at http:\/\/serve:8000 \(host http:\/\/127\.0\.0\.1:\d+\) after \d+\.\ds; removed at the end of the run$/);
    // A stage that does not need the service keeps network none: the name does not resolve.
    assert.equal(stage('offline').status, 'failed');
    const logOf = (name: string) => events.map((e) => (e.type === 'stage-log' && e.stage === name ? e.text : '')).join('');
    assert.match(logOf('client'), /^url http:\/\/serve:8000\n\{"ready": true\}\n$/);
    assert.match(logOf('serve'), /^serving on 8000 \(mode ok\)\n/);
    assert.match(logOf('offline'), /Temporary failure in name resolution/);
    // The probe is a child test and its latencies are metrics.
    const report = record.reports?.smoke as JunitReport;
    assert.deepEqual(report.cases.map((c) => [c.id, c.status]), [['probe.serve.predict', 'passed']]);
    const m = record.stageMetrics?.smoke ?? {};
    for (const k of ['probe.predict.p50_ms', 'probe.predict.p95_ms', 'probe.predict.max_ms']) assert.ok(typeof m[k] === 'number' && m[k] > 0, `${k}: ${m[k]}`);
    assert.ok(m['probe.predict.p50_ms'] <= m['probe.predict.p95_ms'] && m['probe.predict.p95_ms'] <= m['probe.predict.max_ms']);
    assert.match(readFileSync(path.join(root, 'reports/probes.xml'), 'utf8'), /<testcase classname="probe.serve" name="predict"/);
    const states = events.filter((e) => e.type === 'service').map((e) => (e as { state: string }).state);
    assert.deepEqual(states, ['starting', 'healthy', 'stopped']);
    await assertNothingLeft(runId);

    // Nothing changed: the probes are up to date and the service is never started.
    const again = await run(root, { targets: ['smoke', 'client'] });
    assert.deepEqual(again.record.stages.map((s) => [s.name, s.status]), [['serve', 'cached'], ['smoke', 'cached'], ['client', 'cached']]);
    assert.equal(again.stage('serve').reason, 'not started: no stage that needs it ran');
    assert.equal(again.events.filter((e) => e.type === 'service').length, 0);
    // The metrics of the cached probe stage come back from the run cache.
    assert.equal(typeof again.record.stageMetrics?.smoke?.['probe.predict.p95_ms'], 'number');

    // What the service serves changed: the probe stage reruns (the service's deps are its deps).
    writeFileSync(path.join(root, 'serve.py'), readFileSync(path.join(root, 'serve.py'), 'utf8') + '\n# changed\n');
    const third = await run(root, { targets: ['smoke'] });
    assert.equal(third.stage('smoke').status, 'passed');
    assert.match(third.stage('smoke').reason ?? '', /dep serve\.py changed/);
  });

  it('a probe failure says what was expected and what came back; a gate can bound the latency metric', async () => {
    const root = workspace(pipelineText({ stages: `
  smoke:
    kind: test
    needs: [serve]
    probe:
      - service: serve
        name: old_customer
        method: POST
        path: /predict
        json: { tenure: 48 }
        expect: { json: { churn: 1 } }
      - { service: serve, name: missing, path: /nothing, expect: { status: 200 } }
    gates:
      - { metric: probe.old_customer.p95_ms, max: 0.001 }
` }));
    dirs.push(root);
    const { record, stage, runId } = await run(root);
    assert.equal(stage('smoke').status, 'failed');
    const report = record.reports?.smoke as JunitReport;
    assert.deepEqual(report.cases.map((c) => [c.name, c.status, c.message]), [
      ['old_customer', 'failed', 'expected churn = 1, got 0'],
      ['missing', 'failed', 'expected status 200, got 404: {"error": "not found"}'],
    ]);
    assert.match(stage('smoke').reason ?? '', /old_customer: expected churn = 1, got 0/);
    await assertNothingLeft(runId);
  });

  it('a latency bound fails with the measured percentile, and a passing run lets a gate read it', async () => {
    const root = workspace(pipelineText({ mode: 'slow', stages: `
  smoke:
    kind: test
    needs: [serve]
    probe:
      - { service: serve, name: slow, method: POST, path: /predict, json: { tenure: 1 }, expect: { latency_ms: { p95: 100 }, count: 3 } }
` }));
    dirs.push(root);
    const { record, stage } = await run(root);
    assert.equal(stage('smoke').status, 'failed');
    const c = (record.reports?.smoke as JunitReport).cases[0];
    assert.match(c.message ?? '', /^expected latency p95 <= 100 ms, got \d+(\.\d)? ms \(over 3 requests\)$/);
    assert.ok(record.stageMetrics!.smoke['probe.slow.p95_ms'] >= 300);
  });

  it('HTML where JSON is expected fails the probe naming the content type', async () => {
    const root = workspace(pipelineText({ mode: 'html', stages: PREDICT }));
    dirs.push(root);
    const { record, stage, runId } = await run(root);
    assert.equal(stage('smoke').status, 'failed');
    const c = (record.reports?.smoke as JunitReport).cases[0];
    assert.equal(c.message, 'request 1/5: expected a JSON answer, got text/html; charset=utf-8: <html><body>Internal proxy page</body></html>');
    await assertNothingLeft(runId);
  });

  it('a service that exits before it is healthy fails the run with its exit code and last lines', async () => {
    const root = workspace(pipelineText({ mode: 'crash-start', stages: PREDICT }));
    dirs.push(root);
    const { record, stage, runId } = await run(root);
    assert.equal(record.status, 'failed');
    assert.equal(stage('serve').status, 'failed');
    assert.match(stage('serve').reason ?? '', /^exited with code 3 before it was healthy\n {2}\| loading model\.\.\. failed: models\/model\.json is not valid JSON/);
    assert.equal(stage('smoke').status, 'failed');
    assert.match(stage('smoke').reason ?? '', /^service serve exited with code 3 before it was healthy; its last lines:/);
    await assertNothingLeft(runId);
  });

  it('a health check that never passes times out with the last answer and log lines', async () => {
    const root = workspace(pipelineText({ mode: 'never-healthy', health: '{ http: /health, timeout: 3s, interval: 250ms }', stages: PREDICT }));
    dirs.push(root);
    const { stage, runId } = await run(root);
    assert.equal(stage('serve').status, 'failed');
    assert.match(stage('serve').reason ?? '', /^not healthy after 3s \(GET \/health: last answer HTTP 503\); raise health\.timeout or fix the health check\n {2}\| serving on 8000/);
    assert.match(stage('serve').reason ?? '', /request: "GET \/health HTTP\/1\.1" 503/);
    await assertNothingLeft(runId);
  });

  it('a health command runs inside the container', async () => {
    const root = workspace(pipelineText({ health: '{ cmd: "python3 -c \\"import urllib.request; urllib.request.urlopen(\'http://127.0.0.1:8000/health\')\\"", timeout: 30s }', stages: PREDICT }));
    dirs.push(root);
    const { stage } = await run(root);
    assert.equal(stage('serve').status, 'passed', stage('serve').reason);
    assert.equal(stage('smoke').status, 'passed', stage('smoke').reason);
  });

  it('a service that crashes mid-test is named in the failing stage', async () => {
    const root = workspace(pipelineText({ mode: 'crash-after', stages: PREDICT }));
    dirs.push(root);
    const { stage, runId } = await run(root);
    assert.equal(stage('smoke').status, 'failed');
    assert.match(stage('smoke').reason ?? '', /request 2\/5/);
    assert.match(stage('smoke').reason ?? '', /service serve exited with code 139 during the stage; its last lines:[\s\S]*segfault in predict\(\)/);
    assert.equal(stage('serve').status, 'failed');
    await assertNothingLeft(runId);
  });

  it('a host_port already taken fails the service naming the port', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const root = workspace(pipelineText({ hostPort: port, stages: PREDICT }));
      dirs.push(root);
      const { stage, runId } = await run(root);
      assert.equal(stage('serve').status, 'failed');
      assert.match(stage('serve').reason ?? '', new RegExp(`^host_port ${port} is already in use on 127\\.0\\.0\\.1 \\(.*\\); free it or change host_port`));
      assert.match(stage('smoke').reason ?? '', /^service serve host_port/);
      await assertNothingLeft(runId);
    } finally {
      server.close();
    }
  });

  it('Ctrl+C while a stage uses the service removes the service and the network', async () => {
    const root = workspace(pipelineText({ stages: `
  waits:
    kind: test
    needs: [serve]
    run: sleep 60
` }));
    dirs.push(root);
    const controller = new AbortController();
    const p = run(root, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'service' && e.state === 'healthy') setTimeout(() => controller.abort(), 500);
      },
    });
    const { record, runId } = await p;
    assert.equal(record.status, 'cancelled');
    await assertNothingLeft(runId);
  });

  it('the bundled CLI killed while its service runs: the next run removes the service and its network', async function () {
    const cli = path.join(repo, 'dist/cli.js');
    if (!existsSync(cli)) assert.equal(spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo }).status, 0);
    const root = workspace(pipelineText({ stages: `
  waits:
    kind: test
    needs: [serve]
    run: sleep 120
` }));
    dirs.push(root);
    const child = spawn(process.execPath, [cli, 'run', '--executor', 'docker'], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`the service never turned healthy:\n${out}`)), 90_000);
      const check = setInterval(() => {
        if (/✔ serve: passed/.test(out)) {
          clearInterval(check);
          clearTimeout(t);
          resolve();
        }
      }, 100);
    });
    const mine = async () => (await docker.listContainers({ all: true, filters: { label: [`mlci.pid=${child.pid}`] } })).map((c) => c.Labels['mlci.stage']).sort();
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(await mine(), ['serve', 'waits']);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.deepEqual(await mine(), ['serve', 'waits'], 'a killed CLI cannot clean up: its containers are still there');
    const nets = await docker.listNetworks({ filters: { label: [`mlci.pid=${child.pid}`] } });
    assert.equal(nets.length, 1);
    // The next run (any run of this host) removes them.
    writeFileSync(path.join(root, 'mlci.yaml'), pipelineText({ stages: '  nothing:\n    kind: custom\n    run: "true"\n' }));
    const next = spawnSync(process.execPath, [cli, 'run', 'nothing', '--executor', 'docker'], { cwd: root, encoding: 'utf8' });
    assert.equal(next.status, 0, next.stdout + next.stderr);
    assert.deepEqual(await mine(), []);
    assert.equal((await docker.listNetworks({ filters: { label: [`mlci.pid=${child.pid}`] } })).length, 0);
  });
});
