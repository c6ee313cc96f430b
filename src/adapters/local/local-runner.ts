/**
 * Runs stages as host processes (`--executor local`), for machines without a
 * Docker engine. Same contract as the docker runner where it can apply:
 * commands run one after the other in one `sh -c`, the first failure ends the
 * stage, output streams as it arrives, timeouts and cancellation kill every
 * process the stage started (the whole process group), exit codes come back.
 *
 * What does NOT apply on the host: the image (`resolveImage` returns 'local'
 * and `spec.image` is ignored; the host's own tools run), `user`, `network`,
 * `cpus`, `memoryBytes` and `pids` (no isolation, no limits; so no 'oom'
 * outcome either: a process killed by the kernel shows up as exit 137).
 * POSIX hosts only (needs `sh` and process groups).
 *
 * A stage outlives a CLI killed with SIGKILL (its own process group is not
 * signalled), and would go on writing its outputs under a later run. So
 * each running stage is registered (a small file per stage: process group,
 * the leader's start time, the owning mlci process) and `removeStray`, run
 * before every run, kills the groups whose owner is dead, as the docker
 * runner removes containers left by a dead run.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os, { constants as osConstants } from 'node:os';
import * as path from 'node:path';
import type { Cancel, ContainerRunner, LogSink, StageOutcome, StageResult, StageSpec } from '../../core/ports';
import { ChunkDecoder, stageScript } from './stage-script';
import { setLongTimeout } from '../../core/long-timer';
import type { ProcessIdentity } from '../../core/run/process-identity';
import { currentProcess, processStartTime, processState } from '../../core/run/process-identity';

/** A running stage's process group, as registered (see the header). */
interface StageProcess {
  pgid: number;
  start?: string;
  owner: ProcessIdentity;
  runId: string;
  stage: string;
}

export interface LocalRunnerOptions {
  /** Where running stages are registered (default: a per-user folder in the temp dir). */
  registryDir?: string;
}

function defaultRegistry(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return path.join(os.tmpdir(), `mlci-local-stages-${uid}`);
}

/** How long to wait for output pipes to close after the shell has exited. */
const DRAIN_MS = 2000;

export class LocalRunner implements ContainerRunner {
  readonly name = 'local' as const;
  private readonly registry: string;

  constructor(options: LocalRunnerOptions = {}) {
    this.registry = options.registryDir ?? defaultRegistry();
  }

  async check(): Promise<void> {
    // Nothing to reach: the host is always there.
  }

  /** Images are ignored by the local executor: stages use the host's tools. */
  async resolveImage(_image: string, _log?: LogSink, _cancel?: Cancel): Promise<string> {
    return 'local';
  }

  /**
   * Kills the process groups of stages whose mlci process is dead (pid and
   * start time, so a reused pid is never taken for it) and whose run is not
   * live in this process. A leader pid now held by another process (start
   * time differs) means the group is gone: only the entry is dropped.
   */
  async removeStray(isRunAlive: (runId: string) => boolean): Promise<number> {
    let names: string[];
    try {
      names = readdirSync(this.registry).filter((n) => n.endsWith('.json'));
    } catch {
      return 0;
    }
    let killed = 0;
    for (const name of names) {
      const file = path.join(this.registry, name);
      let entry: StageProcess;
      try {
        entry = JSON.parse(readFileSync(file, 'utf8')) as StageProcess;
      } catch {
        continue; // being written, or not ours
      }
      if (!Number.isInteger(entry.pgid) || entry.pgid <= 1 || !entry.owner) continue;
      if (isRunAlive(entry.runId) || processState(entry.owner) !== 'dead') continue;
      const leaderStart = processStartTime(entry.pgid);
      const reused = leaderStart !== undefined && entry.start !== undefined && leaderStart !== entry.start;
      if (!reused) {
        try {
          process.kill(-entry.pgid, 'SIGKILL');
          killed++;
        } catch {
          // ESRCH: the group ended by itself.
        }
      }
      rmSync(file, { force: true });
    }
    return killed;
  }

  /** Registers a started stage; returns the function that unregisters it. Best effort: a stage runs even if the registry is unwritable. */
  private register(pgid: number, spec: StageSpec): () => void {
    const file = path.join(this.registry, `${pgid}.json`);
    try {
      mkdirSync(this.registry, { recursive: true, mode: 0o700 });
      const start = processStartTime(pgid);
      const entry: StageProcess = { pgid, ...(start ? { start } : {}), owner: currentProcess(), runId: spec.runId, stage: spec.stage };
      writeFileSync(file, JSON.stringify(entry));
    } catch {
      return () => undefined;
    }
    return () => rmSync(file, { force: true });
  }

  run(spec: StageSpec, log: LogSink, cancel?: Cancel): Promise<StageResult> {
    const startedAt = new Date();
    const t0 = performance.now();
    const result = (outcome: StageOutcome): StageResult => ({
      outcome,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      imageId: 'local',
    });

    if (cancel?.aborted) return Promise.resolve(result({ kind: 'cancelled' }));
    const cwd = path.resolve(spec.workspace, spec.workdir);
    if (!isDir(cwd)) {
      return Promise.resolve(result({ kind: 'error', message: `working directory ${cwd} does not exist` }));
    }

    const env: NodeJS.ProcessEnv = {};
    for (const key of ['PATH', 'HOME'] as const) {
      if (process.env[key] !== undefined) env[key] = process.env[key];
    }
    Object.assign(env, spec.env);

    return new Promise<StageResult>((resolve) => {
      let stopReason: 'timeout' | 'cancelled' | undefined;
      let settled = false;
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      let drainTimer: NodeJS.Timeout | undefined;

      const child = spawn('sh', ['-c', stageScript(spec.commands)], {
        cwd,
        env,
        // Its own process group, so a kill reaches everything the stage started.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const unregister = child.pid !== undefined ? this.register(child.pid, spec) : () => undefined;

      const killGroup = (): void => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // ESRCH: the group is already gone.
        }
      };
      const stop = (reason: 'timeout' | 'cancelled'): void => {
        if (stopReason || exit) return;
        stopReason = reason;
        killGroup();
      };
      const onAbort = (): void => stop('cancelled');
      cancel?.addEventListener('abort', onAbort, { once: true });
      const timer = spec.timeoutMs !== undefined && spec.timeoutMs > 0
        ? setLongTimeout(() => stop('timeout'), spec.timeoutMs)
        : undefined;

      const decoders = { stdout: new ChunkDecoder(), stderr: new ChunkDecoder() };
      const pipe = (stream: 'stdout' | 'stderr'): void => {
        child[stream].on('data', (chunk: Buffer) => {
          const text = decoders[stream].write(chunk);
          if (text) log(stream, text);
        });
      };
      pipe('stdout');
      pipe('stderr');

      const finish = (outcome: StageOutcome): void => {
        if (settled) return;
        settled = true;
        unregister();
        timer?.clear();
        if (drainTimer) clearTimeout(drainTimer);
        cancel?.removeEventListener('abort', onAbort);
        for (const stream of ['stdout', 'stderr'] as const) {
          const rest = decoders[stream].end();
          if (rest) log(stream, rest);
        }
        resolve(result(outcome));
      };
      const outcomeOfExit = (): StageOutcome => {
        if (stopReason) return { kind: stopReason };
        if (!exit) return { kind: 'error', message: 'the stage process vanished' };
        if (exit.code !== null) return { kind: 'exited', exitCode: exit.code };
        const signo = exit.signal ? osConstants.signals[exit.signal] : undefined;
        return { kind: 'exited', exitCode: 128 + (signo ?? 0) };
      };

      child.on('error', (err) => {
        killGroup();
        finish(stopReason ? { kind: stopReason } : { kind: 'error', message: `could not start sh: ${err.message}` });
      });
      child.on('exit', (code, signal) => {
        exit = { code, signal };
        // The stage is over: background processes it left behind die with it,
        // as they would with its container.
        killGroup();
        // A grandchild may have inherited the pipes; do not wait on it forever.
        drainTimer = setTimeout(() => finish(outcomeOfExit()), DRAIN_MS);
      });
      child.on('close', () => finish(outcomeOfExit()));
    });
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
