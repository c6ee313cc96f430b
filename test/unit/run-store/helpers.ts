/** Shared fixtures for the run store tests: temp folders, records, dead pids. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunRecord } from '../../../src/core/run/record';
import { RUN_RECORD_VERSION } from '../../../src/core/run/record';

/** A temp folder per call, removed after the suite that registered `cleanup`. */
export function tempDirs(prefix: string): { make(): string; cleanup(): void } {
  const dirs: string[] = [];
  return {
    make() {
      const d = mkdtempSync(path.join(os.tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
    cleanup() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

export function sampleRecord(id: string, over: Partial<RunRecord> = {}): RunRecord {
  return {
    version: RUN_RECORD_VERSION,
    id,
    pipeline: 'mlci.yaml',
    status: 'passed',
    startedAt: '2026-11-27T05:39:12.000Z',
    finishedAt: '2026-11-27T05:40:00.000Z',
    executor: 'local',
    params: { lr: 0.1 },
    metrics: { accuracy: 0.9 },
    history: {},
    stages: [{ name: 'train', kind: 'train', status: 'passed', cached: false, log: 'logs/train.log' }],
    ...over,
  };
}

/** A pid that existed a moment ago and no longer does: a child that has exited and been reaped. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid!;
  await new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return pid;
}
