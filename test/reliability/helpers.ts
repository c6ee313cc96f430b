/**
 * Shared parts of the reliability suite: temp workspaces, the bundled CLI
 * as a process (with a hang limit that counts as a hang, never a wait
 * forever), and checks that a workspace was left clean (no run left
 * 'running', no corrupt record, no stray process).
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repo = path.join(__dirname, '../..');
export const cli = path.join(repo, 'dist/cli.js');

let built = false;
/** Builds dist/cli.js once per mocha process: the thing shipped is the thing tested. */
export function buildCli(): void {
  if (built) return;
  const b = spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  built = true;
}

/** A fresh temp folder; `files` maps relative paths to contents. */
export function workspace(prefix: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `mlci-rel-${prefix}-`));
  for (const [rel, text] of Object.entries(files)) writeFileSync(path.join(dir, rel), text);
  return dir;
}

export function removeWorkspace(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  /** True when the process had to be killed after `hangMs`. */
  hung: boolean;
  ms: number;
}

/** Runs the bundled CLI; a process still alive after `hangMs` is SIGKILLed and reported as hung. */
export function mlci(args: string[], cwd: string, opts: { env?: NodeJS.ProcessEnv; hangMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, opts.hangMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err, hung, ms: Date.now() - t0 });
    });
  });
}

/** Every run record in the workspace, parsed (throws on a corrupt one). */
export function runRecords(root: string): Array<{ id: string; status: string; stages: Array<{ name: string; status: string }>; errors?: string[] }> {
  const dir = path.join(root, '.mlci', 'runs');
  let ids: string[];
  try {
    ids = readdirSync(dir).filter((d) => !d.startsWith('.'));
  } catch {
    return [];
  }
  return ids.map((id) => JSON.parse(readFileSync(path.join(dir, id, 'run.json'), 'utf8')));
}

/** A crash is a stack trace or an internal error on stderr, or a death by signal. */
export function crashed(r: CliResult): string | undefined {
  if (r.hung) return undefined;
  if (r.signal) return `killed by ${r.signal}`;
  if (r.code === 70) return `internal error: ${r.err.trim().split('\n').pop()}`;
  if (/^\s+at .+\(.+:\d+:\d+\)$/m.test(r.err)) return `stack trace: ${r.err.trim().split('\n')[0]}`;
  return undefined;
}

/** Whether a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Polls until `cond` holds or `ms` passes; returns whether it held. */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, every = 50): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, every));
  }
  return cond();
}
