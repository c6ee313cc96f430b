/**
 * The exported `.gitlab-ci.yml` of a served pipeline, run by gitlab-ci-local
 * (an npm tool that executes GitLab CI files here: rules, needs, job scripts)
 * against the REAL Docker engine and a REAL registry that wants credentials:
 * on the default branch the mlci job runs the probe test (the service with
 * it), then mlci-deliver verifies, pushes with the credentials given as CI
 * variables (never printed) and the image is in the registry under the
 * printed digest; on another branch nothing is delivered.
 *
 * What differs from a GitLab runner (as in the cache replay test): jobs run
 * with the shell executor in an isolated copy of a clone, and talk to this
 * machine's engine instead of a `docker:dind` service (removed from the copy
 * that runs, with its DOCKER_HOST, and committed there so the tree is clean;
 * the exported file itself is checked unchanged by the export tests).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { DockerRunner } from '../../src/adapters/docker/docker-runner';
import { exportGitlabCi } from '../../src/core/export/gitlab';
import { nodeFiles } from '../../src/core/node-files';
import { validatePipeline } from '../../src/core/pipeline/validate';
import { PASSWORD, REGISTRY_BIN, type Registry, USER, cli, git, repo, startRegistry, workspace } from './deliver-support';

const GCL = path.join(repo, 'node_modules/gitlab-ci-local/src/index.js');

function gitlabCiLocal(cwd: string, args: string[]): { code: number | null; out: string } {
  const home = path.join(cwd, '..', 'gcl-home');
  mkdirSync(home, { recursive: true });
  const r = spawnSync(process.execPath, [GCL, '--home', home, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, timeout: 480_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A clone on `branch` runs the file's jobs; returns gitlab-ci-local's output. */
function runOn(source: string, base: string, branch: string): string {
  const runner = mkdirSync(path.join(base, `runner-${branch}`), { recursive: true })!;
  git(runner, 'clone', '-q', source, 'repo');
  const clone = path.join(runner, 'repo');
  if (branch !== 'main') git(clone, 'checkout', '-q', '-b', branch);
  const file = path.join(clone, '.gitlab-ci.yml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  for (const job of ['mlci', 'mlci-deliver']) {
    doc.deleteIn([job, 'services']);
    doc.deleteIn([job, 'variables', 'DOCKER_HOST']);
  }
  writeFileSync(file, String(doc));
  git(clone, 'commit', '-qam', 'this machine\'s engine instead of docker:dind');
  const r = gitlabCiLocal(clone, [
    '--force-shell-executor', '--shell-isolation', '--no-artifacts-to-source',
    '--state-dir', path.relative(clone, path.join(base, `state-${branch}`)),
    '--variable', `DOCKER_HOST=${process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'}`,
    '--variable', `MLCI_REGISTRY_USER=${USER}`, '--variable', `MLCI_REGISTRY_PASSWORD=${PASSWORD}`,
    '--variable', 'NO_COLOR=1',
  ]);
  assert.equal(r.code, 0, r.out);
  return r.out;
}

describe('exported GitLab CI delivery job run by gitlab-ci-local (real engine, real registry with credentials)', function () {
  this.timeout(900_000);
  let registry: Registry | undefined;
  let base: string | undefined;
  let dir: string | undefined;

  before(async function () {
    try {
      await new DockerRunner().check();
      if (!existsSync(REGISTRY_BIN)) throw new Error(`${REGISTRY_BIN} is missing (bash scripts/ci/registry.sh)`);
    } catch (e) {
      if (process.env.CI === 'true') throw new Error(`CI needs a Docker engine and Debian's docker-registry: ${(e as Error).message}`);
      this.skip();
    }
    if (!existsSync(cli)) assert.equal(spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo }).status, 0);
    registry = await startRegistry({ auth: true });
  });
  after(() => {
    registry?.proc.kill();
    if (registry) rmSync(registry.dir, { recursive: true, force: true });
    for (const d of [base, dir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('default branch: the mlci job passes, then mlci-deliver verifies and pushes with the CI variables\' credentials (never printed); another branch delivers nothing', async () => {
    dir = workspace(`${registry!.host}/churn`);
    const v = validatePipeline({ file: 'mlci.yaml', text: readFileSync(path.join(dir, 'mlci.yaml'), 'utf8'), root: dir, files: nodeFiles });
    writeFileSync(path.join(dir, '.gitlab-ci.yml'), exportGitlabCi(v.pipeline!, { pipelineFile: 'mlci.yaml', cliCommand: `node ${cli}` }));
    // The usual flow before pushing: verify, commit what it recorded.
    const verified = spawnSync(process.execPath, [cli, 'verify', '--allow-dirty'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'gitlab ci and mlci.lock');
    base = mkdtempSync(path.join(os.tmpdir(), 'mlci-gitlab-deliver-'));

    const out = runOn(dir, base, 'main');
    assert.match(out, /PASS +mlci\b/);
    assert.match(out, /PASS +mlci-deliver\b/);
    // The probe test is judged in the main job (up to date here: verify ran it before the commit, and its lock entry matches).
    assert.match(out, /mlci +> (○ smoke: up to date|✔ smoke: passed)/);
    assert.match(out, /mlci-deliver > verified: every CI stage and gate passed/);
    const m = new RegExp(`mlci-deliver > delivered deliver: (${registry!.host.replace(/\./g, '\\.')}/churn:[0-9a-f]{12}-main)@(sha256:[0-9a-f]{64})`).exec(out);
    assert.ok(m, out);
    assert.match(out, /mlci-deliver > .*credentials for 127\.0\.0\.1:\d+: from MLCI_REGISTRY_USER\/MLCI_REGISTRY_PASSWORD/);
    assert.ok(!out.includes(PASSWORD), 'the registry password is never printed');
    // The registry has the image under the printed digest (asked with the credentials).
    const auth = { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`, accept: 'application/vnd.docker.distribution.manifest.v2+json' };
    const tag = m[1]!.split(':').at(-1)!;
    const res = await fetch(`http://${registry!.host}/v2/churn/manifests/${tag}`, { headers: auth });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('docker-content-digest'), m[2]);

    const feature = runOn(dir, base, 'feature');
    assert.match(feature, /PASS +mlci\b/);
    assert.doesNotMatch(feature, /mlci-deliver/, 'a branch other than the default one delivers nothing');
  });
});
