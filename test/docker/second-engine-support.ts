/**
 * Shared by the suites on the second engine (remote-engine*.test.ts): the
 * bundled CLI, the newest run record of a folder, and the workspace volumes
 * an engine holds for a folder.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { RunRecord } from '../../src/core/run/record';

export const cliPath = path.join(path.resolve(__dirname, '../..'), 'dist/cli.js');

/** The newest run record of the pipeline folder `root`. */
export function lastRun(root: string): RunRecord {
  const runs = path.join(root, '.mlci', 'runs');
  const ids = readdirSync(runs).sort();
  return JSON.parse(readFileSync(path.join(runs, ids[ids.length - 1]!, 'run.json'), 'utf8')) as RunRecord;
}

/** `docker -H host ...`, its output trimmed. */
export function docker(host: string, args: string[]): string {
  return execFileSync('docker', ['-H', host, ...args], { encoding: 'utf8' }).trim();
}

/** The workspace volumes on `host` made for the folder `root` (label mlci.workspace). */
export function volumesOf(host: string, root: string): string[] {
  return docker(host, ['volume', 'ls', '-q', '--filter', `label=mlci.workspace=${root}`]).split('\n').filter(Boolean);
}
