/**
 * The real Slurm cluster the tests submit to: the one-node cluster
 * scripts/ci/slurm.sh starts (`.ci/run` does; locally
 * `eval "$(bash scripts/ci/slurm.sh)"`). Without it the tests skip with a
 * message, except under CI=true, where they fail.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunRecord } from '../../src/core/run/record';

export const repo = path.resolve(__dirname, '../..');
export const cli = path.join(repo, 'dist/cli.js');

/** Environment with SLURM_CONF pointing at the test cluster (when the caller has none). */
export function slurmEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (!env.SLURM_CONF && existsSync('/tmp/mlci-slurm/slurm.conf')) env.SLURM_CONF = '/tmp/mlci-slurm/slurm.conf';
  return env;
}

/** Skips the suite (or fails it under CI=true) when no cluster answers or the CLI is not built. */
export function requireCluster(ctx: Mocha.Context): void {
  const r = spawnSync('sinfo', ['-h', '-o', '%t'], { env: slurmEnv(), encoding: 'utf8', timeout: 20_000 });
  const why = r.error ? `sinfo: ${r.error.message}` : r.status !== 0 ? `sinfo failed: ${r.stderr.trim()}` : !/idle|mix|alloc/.test(r.stdout) ? `no idle node: ${r.stdout.trim()}` : !existsSync(cli) ? 'dist/cli.js is not built (npm run build)' : undefined;
  if (!why) return;
  const msg = `Slurm test cluster not available (${why}); start it with: eval "$(bash scripts/ci/slurm.sh)"`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.log(`      skipped: ${msg}`);
  ctx.skip();
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `mlci-slurm-${prefix}-`));
}

/** A copy of examples/churn without its lock, run records or models. */
export function copyExample(): string {
  const dir = tempDir('churn');
  cpSync(path.join(repo, 'examples/churn'), dir, { recursive: true, filter: (src) => !/(__pycache__|\.mlci|models)$/.test(src) });
  rmSync(path.join(dir, 'mlci.lock'), { force: true });
  return dir;
}

export function writePipeline(dir: string, yaml: string): void {
  writeFileSync(path.join(dir, 'mlci.yaml'), yaml);
}

export function runCli(cwd: string, args: string[], env: NodeJS.ProcessEnv = slurmEnv()) {
  return spawnSync(process.execPath, [cli, ...args], { cwd, env, encoding: 'utf8', timeout: 600_000 });
}

export function startCli(cwd: string, args: string[], env: NodeJS.ProcessEnv = slurmEnv()) {
  return spawn(process.execPath, [cli, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function records(dir: string): RunRecord[] {
  const runs = path.join(dir, '.mlci', 'runs');
  if (!existsSync(runs)) return [];
  // A run's folder exists (its logs start) a moment before its run.json is
  // written (atomically, by rename): a run without one yet is not listed.
  // Oldest first by start time: ids order runs only to the second (a run that
  // ran nothing and the next one can start in the same second), as the store knows.
  return readdirSync(runs)
    .filter((id) => existsSync(path.join(runs, id, 'run.json')))
    .map((id) => JSON.parse(readFileSync(path.join(runs, id, 'run.json'), 'utf8')) as RunRecord)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** Jobs Slurm still has for a run (any state), as `id state` lines: what squeue says, not what mlci thinks. */
export function jobsOf(runId: string): { id: string; state: string; name: string }[] {
  const out = execFileSync('squeue', ['-h', '-r', '-t', 'all', '-O', 'JobID:|,State:|,Name:|'], { env: slurmEnv(), encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map((l) => {
    const [id, state, name] = l.split('|').map((s) => s.trim());
    return { id: id!, state: state!, name: name! };
  }).filter((j) => j.name.startsWith(`mlci:${runId}:`));
}

export async function until<T>(what: string, f: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const t = Date.now();
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
