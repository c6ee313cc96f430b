/**
 * Shared by the suites on the second engine (remote-engine*.test.ts): the
 * bundled CLI, the newest run record of a folder, the workspace volumes an
 * engine holds for a folder, a pipeline whose stage naps there, and waiting.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunRecord } from '../../src/core/run/record';

export const cliPath = path.join(path.resolve(__dirname, '../..'), 'dist/cli.js');

/** The newest run record of the pipeline folder `root`, by start time (ids order runs only to the second). */
export function lastRun(root: string): RunRecord {
  const runs = path.join(root, '.mlci', 'runs');
  const records = readdirSync(runs).map((id) => JSON.parse(readFileSync(path.join(runs, id, 'run.json'), 'utf8')) as RunRecord);
  return records.sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0]!;
}

/** `docker -H host ...`, its output trimmed. */
export function docker(host: string, args: string[]): string {
  return execFileSync('docker', ['-H', host, ...args], { encoding: 'utf8' }).trim();
}

/** The workspace volumes on `host` made for the folder `root` (label mlci.workspace). */
export function volumesOf(host: string, root: string): string[] {
  return docker(host, ['volume', 'ls', '-q', '--filter', `label=mlci.workspace=${root}`]).split('\n').filter(Boolean);
}

/** A new folder whose pipeline's one stage prints `napping` and sleeps 120 s on the remote engine `second`. */
export function napPipeline(prefix: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  writeFileSync(path.join(root, 'mlci.yaml'), [
    'version: 1',
    'engines:',
    '  second: { remote: true }',
    'stages:',
    '  nap:',
    '    engine: second',
    '    image: mlci-test/python:3.12-slim',
    '    run: python -c "import time; print(\'napping\', flush=True); time.sleep(120)"',
    '    deps: [data.txt]',
    '',
  ].join('\n'));
  writeFileSync(path.join(root, 'data.txt'), 'x\n');
  return root;
}

/** `fn`'s first defined answer, polled every 250 ms; throws after `ms`. */
export async function until<T>(what: string, fn: () => T | undefined, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The child's exit code once it exits. */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
