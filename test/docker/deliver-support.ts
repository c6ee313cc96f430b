/**
 * Shared by the delivery tests: Debian's docker-registry started on a free
 * 127.0.0.1 port with temporary storage (optionally read-only or with
 * htpasswd credentials), and a small git workspace with a service, a probe
 * test and a deliver stage.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const repo = path.resolve(__dirname, '../..');
export const cli = path.join(repo, 'dist/cli.js');
export const REGISTRY_BIN = process.env.MLCI_REGISTRY_BIN ?? '/usr/bin/docker-registry';

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface Registry { host: string; proc: ChildProcess; dir: string }

/** bcrypt of PASSWORD (cost 4), for the registry's htpasswd file. */
export const USER = 'mlci-bot';
export const PASSWORD = 's3cret-Pa55word';
const HTPASSWD = `${USER}:$2b$04$PoVWV9CVtxlbOVZkqZqihOCeIEArBrRncXxP7ccPAMpP/sMr9fAFy`;

export async function startRegistry(opts: { readOnly?: boolean; auth?: boolean } = {}): Promise<Registry> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-registry-'));
  const port = await freePort();
  writeFileSync(path.join(dir, 'config.yml'), [
    'version: 0.1',
    'log: { level: warn }',
    'storage:',
    `  filesystem: { rootdirectory: ${dir}/data }`,
    ...(opts.readOnly ? ['  maintenance: { readonly: { enabled: true } }'] : []),
    `http: { addr: "127.0.0.1:${port}" }`,
    ...(opts.auth ? [`auth: { htpasswd: { realm: mlci-test, path: ${dir}/htpasswd } }`] : []),
  ].join('\n') + '\n');
  if (opts.auth) writeFileSync(path.join(dir, 'htpasswd'), `${HTPASSWD}\n`);
  const proc = spawn(REGISTRY_BIN, ['serve', path.join(dir, 'config.yml')], { stdio: 'ignore' });
  const host = `127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://${host}/v2/`).then((r) => r.status === (opts.auth ? 401 : 200), () => false);
    if (ok) return { host, proc, dir };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error(`the registry did not answer on ${host}`);
}

export const PIPELINE = (registry: string) => `version: 1
name: deliver-test
defaults: { build: env }
stages:
  serve:
    kind: service
    run: python3 /app/serve.py
    port: 8000
    health: { http: /health, timeout: 30s, interval: 200ms }
  smoke:
    kind: test
    needs: [serve]
    probe:
      - { service: serve, name: predict, method: POST, path: /predict, json: { tenure: 2 }, expect: { json: { churn: 1 } } }
  deliver:
    kind: deliver
    needs: [smoke]
    service: serve
    registry: ${registry}
    tag: "{short_commit}-{branch}"
`;

/** The pipeline above plus a train stage writing model files, delivered as an OCI artifact beside the image. */
export const ARTIFACT_PIPELINE = (registry: string) => `${PIPELINE(registry)}    artifact: { files: [models] }
  train:
    kind: train
    run: >-
      python3 -c "import os, json; os.makedirs('models', exist_ok=True);
      open('models/model.json', 'w').write(json.dumps(dict(weights=[0.5, -1.25])));
      open('models/encoder.bin', 'wb').write(bytes(range(256)) * 40)"
    outs: [models]
`;

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).trim();
}

export function workspace(registry: string, pipeline = PIPELINE): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-deliver-'));
  mkdirSync(path.join(dir, 'env'));
  copyFileSync(path.join(repo, 'test/fixtures/services/serve.py'), path.join(dir, 'env/serve.py'));
  writeFileSync(path.join(dir, 'env/Dockerfile'), 'FROM mlci-test/python:3.12-slim\nCOPY serve.py /app/serve.py\n');
  writeFileSync(path.join(dir, 'mlci.yaml'), pipeline(registry));
  writeFileSync(path.join(dir, '.gitignore'), '.mlci/\nmodels/\n');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'pipeline');
  return dir;
}

