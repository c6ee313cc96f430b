/**
 * CLI start: `mlci --version`, `mlci validate` and `mlci status` on a copy
 * of examples/churn, each as a process of the bundled dist/cli.js (what a
 * shell, a git hook or CI pays per call), against `node -e 0` (Node's own
 * start) measured in the same rounds, interleaved so both see the same
 * machine. Goal: each command <= 2x `node -e 0`. `status` uses the
 * executor the environment gives (DOCKER_HOST): with an engine it asks
 * Docker for image IDs, as a user's call would.
 *
 * The floor: Node 20 has no compile cache (module.enableCompileCache is
 * Node 22.1+; dist/cli.js turns it on where it exists), so each start
 * compiles the chunks its command loads.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { median, type BenchResult } from './timing';

const repo = path.join(__dirname, '..');
const ROUNDS = 15;

function wallMs(args: string[], cwd: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-500)}`);
  return ms;
}

export async function benchCliStart(): Promise<BenchResult[]> {
  const build = spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-bench-cli-'));
  try {
    cpSync(path.join(repo, 'examples/churn'), dir, { recursive: true });
    const cli = path.join(repo, 'dist/cli.js');
    const cases: Record<string, string[]> = {
      'node -e 0': ['-e', '0'],
      'mlci --version': [cli, '--version'],
      'mlci validate': [cli, 'validate', 'mlci.yaml'],
      'mlci status': [cli, 'status'],
    };
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    // One unmeasured round: page cache, and the compile cache where Node has one.
    for (const args of Object.values(cases)) wallMs(args, dir);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, args] of Object.entries(cases)) times[name]!.push(wallMs(args, dir));
    }
    const base = median(times['node -e 0']!);
    const hasCache = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
    const results: BenchResult[] = [
      { name: `node -e 0 (Node ${process.versions.node}, median of ${ROUNDS})`, ms: base, note: hasCache ? '(compile cache available)' : '(no compile cache in this Node: module.enableCompileCache is Node 22.1+)' },
    ];
    for (const name of Object.keys(cases).slice(1)) {
      results.push({ name, ms: median(times[name]!) }, { name: `${name} / node -e 0 (goal <= 2)`, ratio: median(times[name]!) / base, goal: 2 });
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
