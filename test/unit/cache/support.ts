/** Shared by the cache tests: the bundled CLI as a process, and a small git project whose outputs are gitignored (DVC style). */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repo = path.join(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli.js');
let built = false;

/** Builds dist/cli.js once per test process: the thing shipped is the thing tested. */
export function buildCli(): void {
  if (built) return;
  const b = spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  built = true;
}

export interface Result { code: number | null; out: string; err: string }

export function mlci(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Result {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', MLCI_EXECUTOR: 'local', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

export const GIT_ENV = { GIT_AUTHOR_NAME: 'mlci test', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 'mlci test', GIT_COMMITTER_EMAIL: 't@example.invalid' };

export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Stage names and statuses of the run a CLI output reports (from the run record). */
export function statuses(out: string): string {
  return /\(([^)]*)\) with the/.exec(out)?.[1] ?? `no run summary in: ${out}`;
}

/**
 * A project of three stages on host processes: prep writes a file, train a
 * folder of files with a symlink plus a metrics file, evaluate a metrics
 * file (with a regression gate against main). Outputs are gitignored, as in
 * most DVC-style repositories; mlci.lock is committed.
 */
export const PIPELINE = `version: 1
defaults: { image: busybox }
metrics:
  accuracy: { goal: max }
stages:
  prep:
    kind: custom
    run: mkdir -p out && cat data/in.txt data/in.txt > out/data.txt
    deps: [data/in.txt]
    outs: [out/data.txt]
  train:
    kind: train
    needs: [prep]
    run: |
      mkdir -p model/sub metrics && for i in 1 2 3; do cp out/data.txt model/part$i.txt; done && cp out/data.txt model/sub/deep.txt && ln -sf part1.txt model/link.txt && echo '{"loss": 0.5}' > metrics/train.json
    deps: [out/data.txt]
    outs: [model/]
    metrics: metrics/train.json
  evaluate:
    kind: evaluate
    needs: [train]
    run: |
      echo "{\\"accuracy\\": $(wc -c < model/part1.txt)}" > metrics/eval.json
    deps: [model/]
    metrics: metrics/eval.json
    gates:
      - { metric: accuracy, max_drop: 100, baseline: main }
`;

export function makeProject(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-cache-'));
  const all = { 'mlci.yaml': PIPELINE, 'data/in.txt': 'hello\n', '.gitignore': 'out/\nmodel/\nmetrics/\n', ...files };
  for (const [f, text] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'project');
  return dir;
}
