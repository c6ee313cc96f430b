/**
 * Activation in a real VS Code (code-server 4.100.3) with the installed vsix
 * (dist/mlci.vsix), on a git copy of the example that has run once (so the
 * tree has outcomes and a stat cache to show): the time until the Pipelines
 * tree can show its stages with their statuses (load code + activate() to
 * pipelines found, validated and runs read + the status computed when the
 * view opens, in the extension host), beside vscode.git's activation (load code + finish activate)
 * in the same windows. Several fresh windows (the first window of a server is
 * noisy): medians. And the files activation wrote into the workspace: every
 * file's bytes are compared before and after the sessions (goal: none).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { median, type BenchResult } from './timing';

const repo = path.join(__dirname, '..');
const WINDOWS = 3;

/** A git copy of examples/churn that has run once in Docker (outcomes, stat cache). */
function ranExample(): string {
  if (!process.env.DOCKER_HOST) throw new Error('DOCKER_HOST is not set: the bench runs the example once in Docker first (scripts/ci/docker-up.sh)');
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'mlci-bench-activation-')), 'churn');
  cpSync(path.join(repo, 'examples', 'churn'), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.mlci`) });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-qm', 'example');
  execFileSync(process.execPath, [path.join(repo, 'dist', 'cli.js'), 'run', '--file', 'mlci.yaml'], { cwd: dir, stdio: 'ignore' });
  return dir;
}

export async function benchActivation(): Promise<BenchResult[]> {
  const { snapshotFiles, snapshotDiff } = await import('../test/vscode/harness.mjs' as string) as {
    snapshotFiles(dir: string): Promise<Map<string, string>>;
    snapshotDiff(a: Map<string, string>, b: Map<string, string>): string[];
  };
  statSync(path.join(repo, 'dist', 'mlci.vsix')); // packaged by npm run package: the thing that ships
  const workspace = ranExample();
  const mlci: number[] = [];
  const git: number[] = [];
  const parts = { load: [] as number[], ready: [] as number[], status: [] as number[], open: [] as number[], inHost: [] as number[] };
  const written = new Set<string>();
  try {
    for (let i = 0; i < WINDOWS; i++) {
      const before = await snapshotFiles(workspace);
      const out = execFileSync(process.execPath, [path.join(repo, 'scripts/test-vscode.mjs'), '--no-build', '--workspace', workspace, '--grep', 'activation to statuses'],
        { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      for (const p of snapshotDiff(before, await snapshotFiles(workspace))) written.add(p);
      const m = /\(to statuses: load code (\d+) ms, ready (\d+) ms, status (\d+) ms, total (\d+) ms(?:; vscode\.git load code (\d+) ms, finish activate (\d+) ms)?\)/.exec(out);
      if (!m) throw new Error(`no 'to statuses' line in the test output:\n${out.slice(-800)}`);
      parts.load.push(Number(m[1]));
      parts.ready.push(Number(m[2]));
      parts.status.push(Number(m[3]));
      const v = /\(on opening the view: visible after (\d+) ms, statuses (\d+) ms after that\)/.exec(out);
      if (v) {
        parts.open.push(Number(v[1]));
        parts.inHost.push(Number(v[2]));
      }
      mlci.push(Number(m[4]));
      if (m[5] !== undefined) git.push(Number(m[5]) + Number(m[6]));
    }
  } finally {
    rmSync(path.dirname(workspace), { recursive: true, force: true });
  }
  const size = (f: string) => statSync(path.join(repo, 'dist', f)).size / 1024;
  const results: BenchResult[] = [
    { name: `mlci: activation until the tree shows statuses (median of ${WINDOWS} windows)`, ms: median(mlci) },
    { name: '  of which load code', ms: median(parts.load) },
    { name: '  of which activate() to the stages shown (root pipelines validated)', ms: median(parts.ready) },
    { name: '  of which their status after that (opening the view + the status in the host)', ms: median(parts.status) },
    ...(parts.open.length ? [
      { name: '    the workbench opening the view (focus until visible)', ms: median(parts.open) },
      { name: '    the statuses after that (computed in the host, shown)', ms: median(parts.inHost) },
    ] : []),
    { name: 'files activation wrote into the workspace (goal 0)', value: written.size, unit: 'files', note: written.size ? `(GOAL MISSED: ${[...written].slice(0, 5).join(', ')})` : '(goal met)' },
    { name: 'dist/extension.js', value: size('extension.js'), unit: 'KB', note: '(goal < 1024 KB)' },
  ];
  if (git.length) {
    results.push(
      { name: 'vscode.git: load code + finish activate (same windows)', ms: median(git) },
      { name: 'activation to statuses, mlci / vscode.git (goal < 2)', ratio: median(mlci) / Math.max(median(git), 0.5), goal: 2 },
    );
  } else {
    results.push({ name: 'vscode.git baseline', note: 'vscode.git did not activate in these windows: no ratio' });
  }
  return results;
}
