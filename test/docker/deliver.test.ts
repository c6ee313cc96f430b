/**
 * mlci deliver, as shipped (the bundled dist/cli.js), against a REAL Docker
 * engine and a REAL registry: Debian's docker-registry (scripts/ci/registry.sh)
 * started here on a free 127.0.0.1 port with temporary storage. The service
 * image built from the workspace is pushed from a verified commit, its
 * digest recorded, and pulled back by digest. Refused: a dirty tree, a
 * registry name that is not one, an unreachable registry, a read-only one.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { DockerRunner } from '../../src/adapters/docker/docker-runner';
import type { RunRecord } from '../../src/core/run/record';

import { ARTIFACT_PIPELINE, PASSWORD, REGISTRY_BIN, type Registry, USER, cli, freePort, git, repo, startRegistry, workspace } from './deliver-support';

/** The usual flow: verify, commit the mlci.lock it wrote (what mlci push --commit-lock does). */
function verifyAndCommitLock(root: string): void {
  const v = mlci(root, 'verify');
  assert.equal(v.status, 0, v.stdout + v.stderr);
  git(root, 'add', 'mlci.lock');
  git(root, 'commit', '-qm', 'mlci.lock');
}

const mlciEnv = (env: NodeJS.ProcessEnv, cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 240_000 });
const mlci = (cwd: string, ...args: string[]) => mlciEnv({}, cwd, ...args);

/**
 * The newest run named `name`, by its start time: ids order runs only to
 * the second (two delivers in one second, the refused one and the good one,
 * sorted by their random suffix), as the store's own listing knows.
 */
function lastRecord(root: string, name: string): RunRecord {
  const runs = readdirSync(path.join(root, '.mlci/runs'))
    .map((id) => JSON.parse(readFileSync(path.join(root, '.mlci/runs', id, 'run.json'), 'utf8')) as RunRecord)
    .filter((r) => r.name === name)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  if (!runs[0]) throw new Error(`no ${name} run`);
  return runs[0];
}

describe('mlci deliver to a real registry (bundled CLI, real Docker engine)', function () {
  this.timeout(600_000);
  const docker = new Docker();
  const dirs: string[] = [];
  const registries: Registry[] = [];
  let registry: Registry;

  before(async function () {
    try {
      await new DockerRunner().check();
      await docker.getImage('mlci-test/python:3.12-slim').inspect();
      if (!existsSync(REGISTRY_BIN)) throw new Error(`${REGISTRY_BIN} is missing (bash scripts/ci/registry.sh)`);
    } catch (e) {
      if (process.env.CI === 'true') throw new Error(`CI needs a Docker engine with the test images and Debian's docker-registry: ${(e as Error).message}`);
      this.skip();
    }
    if (!existsSync(cli)) assert.equal(spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo }).status, 0);
    registry = await startRegistry();
    registries.push(registry);
  });
  after(() => {
    for (const r of registries) {
      r.proc.kill();
      rmSync(r.dir, { recursive: true, force: true });
    }
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  it('verifies the commit, pushes the service image, records the digest; the image pulls back by digest', async () => {
    const root = workspace(`${registry.host}/churn`);
    dirs.push(root);
    // mlci run leaves the deliver stage out, and says how it runs.
    const run = mlci(root, 'run', 'deliver');
    assert.equal(run.status, 3, run.stdout + run.stderr);
    assert.match(run.stderr, /deliver: deliver stages run with `mlci deliver` \(from a verified commit\), not `mlci run`/);

    // Verify wrote mlci.lock: the commit does not record what was verified yet.
    const early = mlci(root, 'deliver');
    assert.equal(early.status, 3, early.stdout + early.stderr);
    assert.match(early.stdout, /not delivered: verify reran stages and changed mlci\.lock/);
    git(root, 'add', 'mlci.lock');
    git(root, 'commit', '-qm', 'mlci.lock');
    const r = mlci(root, 'deliver', '--ci');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /no passing mlci verify recorded for [0-9a-f]{7}: verifying now/);
    const head = git(root, 'rev-parse', 'HEAD');
    const m = new RegExp(`delivered deliver: (${registry.host.replace(/\./g, '\\.')}/churn:${head.slice(0, 12)}-main)@(sha256:[0-9a-f]{64})`).exec(r.stdout);
    assert.ok(m, r.stdout);
    const [, image, digest] = m;
    const rec = lastRecord(root, 'deliver');
    const stage = rec.stages.find((s) => s.name === 'deliver')!;
    assert.equal(stage.status, 'passed');
    assert.deepEqual({ image: stage.delivery?.image, digest: stage.delivery?.digest, commit: stage.delivery?.commit }, { image, digest, commit: head });
    assert.match(readFileSync(path.join(root, '.mlci/report.md'), 'utf8'), new RegExp(`\\| deliver \\| ${image.replace(/[.]/g, '\\.')} \\| ${digest} \\|`));
    // The registry has it under that digest: remove the local tag and pull by digest.
    await docker.getImage(image).remove();
    const byDigest = `${registry.host}/churn@${digest}`;
    await new Promise<void>((resolve, reject) => docker.pull(byDigest, (err: Error | null, stream: NodeJS.ReadableStream) => (err ? reject(err) : docker.modem.followProgress(stream, (e) => (e ? reject(e) : resolve())))));
    const pulled = await docker.getImage(byDigest).inspect();
    assert.equal(pulled.Id, stage.delivery?.imageId);
    await docker.getImage(byDigest).remove().catch(() => undefined);

    // A second delivery of the same commit uses the recorded verify.
    const again = mlci(root, 'deliver', '--tag', 'again-{run}');
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /verified: run \S+ passed mlci verify on [0-9a-f]{7}/);
    assert.match(again.stdout, /churn:again-\d{8}-\d{6}-[0-9a-f]{4}@sha256:/);
  });

  it('refuses a dirty tree and a registry name that is not one, and says why a push failed', async () => {
    const root = workspace(`${registry.host}/churn`);
    dirs.push(root);
    writeFileSync(path.join(root, 'env/serve.py'), '# edited\n', { flag: 'a' });
    const dirty = mlci(root, 'deliver');
    assert.equal(dirty.status, 3);
    assert.match(dirty.stderr, /uncommitted changes \(env\/serve\.py\): what is delivered is the commit, so commit or stash first/);
    git(root, 'checkout', '--', '.');
    verifyAndCommitLock(root);

    const wrong = mlci(root, 'deliver', '--registry', `${registry.host}/Churn:latest`);
    assert.equal(wrong.status, 3);
    assert.match(wrong.stderr, /--registry: registry '127\.0\.0\.1:\d+\/Churn:latest' is not host\[:port\]\/repository/);

    const closed = await freePort();
    const unreachable = mlci(root, 'deliver', '--registry', `127.0.0.1:${closed}/churn`);
    assert.equal(unreachable.status, 1, unreachable.stdout + unreachable.stderr);
    assert.match(unreachable.stdout, new RegExp(`✘ deliver: failed: pushing 127\\.0\\.0\\.1:${closed}/churn:[0-9a-f]{12}-main failed: .*connection refused.*; is the registry at 127\\.0\\.0\\.1:${closed} running`));

    const readOnly = await startRegistry({ readOnly: true });
    registries.push(readOnly);
    const refused = mlci(root, 'deliver', '--registry', `${readOnly.host}/churn`);
    assert.equal(refused.status, 1, refused.stdout + refused.stderr);
    assert.match(refused.stdout, /✘ deliver: failed: pushing 127\.0\.0\.1:\d+\/churn:\S+ failed: .*(read-only|unsupported|not supported|method not allowed)/i);
    const rec = lastRecord(root, 'deliver');
    assert.equal(rec.stages.find((s) => s.name === 'deliver')?.delivery, undefined);
  });

  it('pushes the model files as an OCI artifact that pulls back byte for byte; mlci status: up to date after, stale when the model changes; credentials from the environment, never printed', async () => {
    const secured = await startRegistry({ auth: true });
    registries.push(secured);
    const root = workspace(`${secured.host}/churn`, ARTIFACT_PIPELINE);
    dirs.push(root);
    const trained = mlci(root, 'run', 'train');
    assert.equal(trained.status, 0, trained.stdout + trained.stderr);
    git(root, 'add', 'mlci.lock');
    git(root, 'commit', '-qm', 'trained');
    verifyAndCommitLock(root);
    const before = mlci(root, 'status');
    assert.match(before.stdout, /^deliver +stale: never delivered \(mlci deliver\)$/m);
    assert.match(before.stdout, /1 deliver stage would push something new \(mlci deliver\)/);

    // Without credentials the registry refuses, and says what to set.
    const anonymous = mlciEnv({ DOCKER_CONFIG: path.join(root, '.mlci', 'no-docker-config') }, root, 'deliver');
    assert.equal(anonymous.status, 1, anonymous.stdout + anonymous.stderr);
    assert.match(anonymous.stdout, /✘ deliver: failed: pushing 127\.0\.0\.1:\d+\/churn:\S+ failed: .*(unauthorized|authentication required|no basic auth)/i);

    const ok = mlciEnv({ MLCI_REGISTRY_USER: USER, MLCI_REGISTRY_PASSWORD: PASSWORD }, root, 'deliver', '--ci');
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const head = git(root, 'rev-parse', 'HEAD');
    const m = new RegExp(`delivered deliver model files: (${secured.host.replace(/\./g, '\\.')}/churn:${head.slice(0, 12)}-main-model)@(sha256:[0-9a-f]{64})`).exec(ok.stdout);
    assert.ok(m, ok.stdout);
    assert.match(ok.stdout, /credentials for 127\.0\.0\.1:\d+: from MLCI_REGISTRY_USER\/MLCI_REGISTRY_PASSWORD/);
    const rec = lastRecord(root, 'deliver');
    const logText = readFileSync(path.join(root, '.mlci/runs', rec.id, 'logs', 'deliver.log'), 'utf8');
    for (const text of [ok.stdout, ok.stderr, logText, JSON.stringify(rec), readFileSync(path.join(root, '.mlci/report.md'), 'utf8')]) assert.ok(!text.includes(PASSWORD), 'the password is never printed nor recorded');
    const artifact = rec.stages.find((s) => s.name === 'deliver')!.delivery!.artifact!;
    assert.equal(artifact.digest, m[2]);

    // Pull it back by digest through the registry API (with the credentials) and compare bytes.
    const auth = { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` };
    const manifestRes = await fetch(`http://${secured.host}/v2/churn/manifests/${artifact.digest}`, { headers: { ...auth, accept: 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(manifestRes.status, 200);
    const manifest = await manifestRes.json() as { artifactType: string; layers: Array<{ digest: string; size: number; annotations: Record<string, string> }>; annotations: Record<string, string> };
    assert.equal(manifest.artifactType, 'application/vnd.mlci.model.v1');
    assert.equal(manifest.annotations['org.opencontainers.image.revision'], head);
    assert.deepEqual(manifest.layers.map((l) => l.annotations['org.opencontainers.image.title']), ['models/encoder.bin', 'models/model.json']);
    for (const layer of manifest.layers) {
      const blob = Buffer.from(await (await fetch(`http://${secured.host}/v2/churn/blobs/${layer.digest}`, { headers: auth })).arrayBuffer());
      assert.deepEqual(blob, readFileSync(path.join(root, layer.annotations['org.opencontainers.image.title']!)));
    }
    assert.equal(readFileSync(path.join(root, 'models/encoder.bin')).length, 10240);

    const after = mlci(root, 'status');
    assert.match(after.stdout, new RegExp(`^deliver +up to date: delivered ${secured.host.replace(/\./g, '\\.')}/churn:\\S+@sha256:[0-9a-f]{12} \\(run ${rec.id}\\), model files ${m[1]!.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(after.stdout, /all 3 stages are up to date$/m);
    writeFileSync(path.join(root, 'models/model.json'), '{"weights": [0]}');
    const changed = mlci(root, 'status', '--format', 'json');
    const entry = (JSON.parse(changed.stdout) as Array<{ stage: string; state: string; reasons: string[] }>).find((e) => e.stage === 'deliver');
    assert.deepEqual(entry, { stage: 'deliver', kind: 'deliver', state: 'stale', reasons: [`model file models/model.json changed since run ${rec.id} delivered ${m[1]}`] } as unknown);
  });
});
