/**
 * Activation inside a real VS Code (code-server 4.100.3), read from the
 * workbench's Startup Performance table for mlci and for the built-in
 * vscode.git in the same window, over several fresh windows (the first
 * window of a server is noisy): medians of "call activate" (activate()
 * start to return) and of "load code". Also the bundle sizes.
 */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { median, type BenchResult } from './timing';

const repo = path.join(__dirname, '..');

export async function benchActivation(): Promise<BenchResult[]> {
  const mlci = { load: [] as number[], call: [] as number[] };
  const git = { load: [] as number[], call: [] as number[] };
  for (let i = 0; i < 3; i++) {
    const out = execFileSync(process.execPath, [path.join(repo, 'scripts/test-vscode.mjs'), '--no-build', '--grep', 'activation time'], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /\(activation: eager=\S+, load code (\d+) ms, call activate (\d+) ms/.exec(out);
    const g = /\(baseline vscode\.git: load code (\d+) ms, call activate (\d+) ms/.exec(out);
    if (!m) throw new Error(`no activation line in the test output:\n${out.slice(-800)}`);
    mlci.load.push(Number(m[1]));
    mlci.call.push(Number(m[2]));
    if (g) {
      git.load.push(Number(g[1]));
      git.call.push(Number(g[2]));
    }
  }
  const size = (f: string) => statSync(path.join(repo, 'dist', f)).size / 1024;
  const results: BenchResult[] = [
    { name: 'mlci activate() (call activate, median of 3 windows)', ms: median(mlci.call) },
    { name: 'mlci load code', ms: median(mlci.load) },
    { name: 'dist/extension.js (without engine and webviews)', value: size('extension.js'), unit: 'KB', note: '(goal < 1024 KB)' },
    { name: 'dist/engine.js (loaded on first run)', value: size('engine.js'), unit: 'KB' },
  ];
  if (git.call.length) {
    results.push(
      { name: 'vscode.git activate() (same windows)', ms: median(git.call) },
      { name: 'vscode.git load code', ms: median(git.load) },
      { name: 'activate ratio mlci / vscode.git (goal <= 0.1)', ratio: median(mlci.call) / Math.max(median(git.call), 0.5), goal: 0.1 },
      { name: 'load+activate ratio mlci / vscode.git', ratio: (median(mlci.call) + median(mlci.load)) / Math.max(median(git.call) + median(git.load), 0.5) },
    );
  } else {
    results.push({ name: 'vscode.git baseline', note: 'not activated in these windows (no git repository?)' });
  }
  return results;
}
