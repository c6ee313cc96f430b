/**
 * The bundled CLI (dist/cli.js) as a child process: the extension's only way
 * to run, plan or verify, so VS Code runs exactly what `mlci` runs in a
 * terminal and in CI, with the heavy work (hashing, data checks, drift,
 * Docker streams) off the extension host. `--events` makes the CLI write
 * JSON lines (src/protocol/cli-events.ts) on standard output; its standard
 * error carries the human-readable lines, passed on as they come.
 *
 * Settings reach the CLI one way, here: `cliSettings()` turns mlci.* into
 * flags and environment variables for runs, tasks and status alike.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import type { ChildProcess } from 'node:child_process';
import type { CliEvent } from '../../protocol/cli-events';
import { CLI_EVENTS_VERSION } from '../../protocol/cli-events';
import type { ExecutorSetting } from './config';

/** What the run service needs from the settings (the Config class satisfies it). */
export interface CliSettings {
  executor: ExecutorSetting;
  dockerHost: string | undefined;
  imageMappings: Map<string, string>;
  jobs: number | undefined;
  /** `mlci.engines`: named engines' hosts (JSON for the CLI's MLCI_ENGINES); over the user's engines file. */
  engines?: Record<string, unknown>;
}

/**
 * The environment every CLI the extension starts gets (runs, plans, status,
 * tasks): the Docker engine, image mappings and parallelism from settings.
 * ELECTRON_RUN_AS_NODE makes desktop VS Code's Electron binary act as Node.
 */
export function cliEnv(settings: CliSettings): Record<string, string> {
  const env: Record<string, string> = { ELECTRON_RUN_AS_NODE: '1', MLCI_CLIENT: 'mlci-vscode', NO_COLOR: '1' };
  if (settings.dockerHost) env.DOCKER_HOST = settings.dockerHost;
  const map = [...settings.imageMappings].map(([from, to]) => `${from}=${to}`);
  if (map.length) env.MLCI_IMAGE_MAP = map.join(',');
  if (settings.jobs) env.MLCI_JOBS = String(settings.jobs);
  if (settings.engines && Object.keys(settings.engines).length) env.MLCI_ENGINES = JSON.stringify(settings.engines);
  return env;
}

/**
 * The `--executor` the extension asks for. `auto` means Docker, and when the
 * engine does not answer the user chooses (never a quiet host run), so the
 * CLI is told `docker` and reports `engine-unreachable`.
 */
export function executorArg(setting: ExecutorSetting, once?: 'local'): string[] {
  return ['--executor', once ?? (setting === 'local' || setting === 'slurm' ? setting : 'docker')];
}

export interface CliRun {
  /** Resolves with the exit code once the process ended and its output was read. */
  readonly done: Promise<number>;
  /** Cancel as Ctrl+C does (stages stopped, containers removed, run recorded as cancelled). */
  cancel(): void;
  readonly process: ChildProcess;
}

export interface CliCall {
  cliPath: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  onEvent?: (e: CliEvent) => void;
  /** Run below the extension host's CPU priority (runs; not quick queries). */
  lowPriority?: boolean;
  /** Lines on standard error (people's text), and stdout lines that are not events. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** Splits a byte stream into lines, whatever the chunking. */
function lines(stream: NodeJS.ReadableStream, each: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) each(p.replace(/\r$/, ''));
    });
    stream.on('end', () => {
      if (rest) each(rest);
      resolve();
    });
    stream.on('error', () => resolve());
  });
}

export function startCli(call: CliCall): CliRun {
  const child = spawn(process.execPath, [call.cliPath, ...call.args], {
    cwd: call.cwd,
    env: { ...process.env, ...call.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group on POSIX: cancel reaches the CLI only (it stops
    // its stages itself), never the extension host.
    detached: process.platform !== 'win32',
  });
  // Below the editor: a heavy stage (hashing, data checks, drift) must not
  // starve the extension host of CPU. Best effort (not every platform lets us).
  if (call.lowPriority && child.pid) {
    try {
      os.setPriority(child.pid, 10);
    } catch {
      // keep the default priority
    }
  }
  let versionChecked = false;
  const out = lines(child.stdout!, (line) => {
    if (!line.startsWith('{')) return void call.onLine?.(line, 'stdout');
    let e: CliEvent;
    try {
      e = JSON.parse(line) as CliEvent;
    } catch {
      return void call.onLine?.(line, 'stdout');
    }
    if (e.type === 'hello' && !versionChecked) {
      versionChecked = true;
      if (e.protocol !== CLI_EVENTS_VERSION) call.onLine?.(`mlci: the CLI speaks events protocol ${e.protocol}, the extension ${CLI_EVENTS_VERSION}`, 'stderr');
    }
    call.onEvent?.(e);
  });
  const err = lines(child.stderr!, (line) => call.onLine?.(line, 'stderr'));
  const exited = new Promise<number>((resolve) => {
    child.on('error', (e) => {
      call.onLine?.(`mlci: could not start the bundled CLI (${process.execPath} ${call.cliPath}): ${e.message}`, 'stderr');
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 15) : 1)));
  });
  let killTimer: NodeJS.Timeout | undefined;
  const done = Promise.all([exited, out, err]).then(([code]) => {
    if (killTimer) clearTimeout(killTimer);
    return code;
  });
  return {
    done,
    process: child,
    cancel() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGTERM is the CLI's Ctrl+C: it stops stages and removes containers.
      // A CLI that does not end within 20 s is killed (the next run cleans up).
      child.kill('SIGTERM');
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), 20_000);
    },
  };
}

/** Runs the CLI to the end and returns its exit code with standard output (non-event lines) and error text. */
export async function callCli(call: Omit<CliCall, 'onLine'>): Promise<{ code: number; stdout: string; stderr: string }> {
  const o: string[] = [];
  const e: string[] = [];
  const r = startCli({ ...call, onLine: (l, s) => (s === 'stdout' ? o : e).push(l) });
  const code = await r.done;
  return { code, stdout: o.join('\n'), stderr: e.join('\n') };
}
