/**
 * A second thread for the lstats of large walks. A warm check of an
 * unchanged tree is nothing but lstats (~2.5 µs each here, the syscall
 * itself), and git status spreads its own over threads; the libuv pool
 * cannot help (its per-request overhead is several times the syscall). So a
 * walk of many files hands about half of its paths to one worker thread
 * running plain lstatSync, and does the rest itself.
 *
 * One worker per process, started by the first large walk and reused:
 * starting one takes ~20 ms, so a walk never waits for it (until it is
 * online the main thread does all the stats). It is unref'd while idle, so
 * it never keeps a process alive, and if it fails it is not used again.
 */
import { Worker } from 'node:worker_threads';
import { FILL_ROW_JS, fillRow, ROW } from './stat-rows';
import type { Yielder } from './yielder';

const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { lstatSync } = require('node:fs');
${FILL_ROW_JS}
parentPort.on('message', ({ id, paths }) => {
  const out = new Float64Array(paths.length * ${ROW});
  for (let i = 0; i < paths.length; i++) fillRow(out, i, paths[i]);
  parentPort.postMessage({ id, out }, [out.buffer]);
});
`;

class StatWorker {
  private readonly worker: Worker;
  private online = false;
  private failed = false;
  private nextId = 0;
  private readonly pending = new Map<number, (rows: Float64Array | undefined) => void>();

  constructor() {
    this.worker = new Worker(SOURCE, { eval: true });
    this.worker.unref();
    this.worker.on('online', () => (this.online = true));
    this.worker.on('message', ({ id, out }: { id: number; out: Float64Array }) => {
      const done = this.pending.get(id);
      this.pending.delete(id);
      if (this.pending.size === 0) this.worker.unref();
      done?.(out);
    });
    this.worker.on('error', () => this.fail());
    this.worker.on('exit', () => this.fail());
  }

  get ready(): boolean {
    return this.online && !this.failed;
  }

  /** Rows for `paths`, or undefined if the worker failed (the caller stats them itself). */
  stat(paths: string[]): Promise<Float64Array | undefined> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, resolve);
      // Referenced while a request is out: an awaited answer must keep the process alive.
      this.worker.ref();
      this.worker.postMessage({ id, paths });
    });
  }

  private fail(): void {
    this.failed = true;
    for (const done of this.pending.values()) done(undefined);
    this.pending.clear();
  }
}

/** The main thread's share of the stats: it also posts the paths and runs `meanwhile` (measured best of 0.35-0.5 on a 10k-file tree). */
const MAIN_SHARE = 0.45;

let shared: StatWorker | undefined;
let unavailable = false;

/** The process's stat worker if it is online; starts it on first call. */
export function statWorker(): StatWorker | undefined {
  if (unavailable) return undefined;
  if (!shared) {
    try {
      shared = new StatWorker();
    } catch {
      // No worker threads here (a restricted host): single-threaded it is.
      unavailable = true;
      return undefined;
    }
  }
  return shared.ready ? shared : undefined;
}

/**
 * lstat rows (see stat-rows.ts) for `paths`, then `meanwhile` (work the
 * caller needs done before the rows: loading the stat cache). With
 * `parallel` and the worker online, the worker stats the last 55% while
 * this thread does the first 45% (synchronously, giving the event loop
 * turns via `yielder`) and `meanwhile`, so both finish at about the same
 * time.
 */
export async function statAll(paths: string[], yielder: Yielder, parallel: boolean, meanwhile: () => void): Promise<Float64Array> {
  const rows = new Float64Array(paths.length * ROW);
  const worker = parallel ? statWorker() : undefined;
  const split = worker ? Math.floor(paths.length * MAIN_SHARE) : paths.length;
  const theirs = worker?.stat(paths.slice(split));
  for (let i = 0; i < split; i++) {
    if (yielder.due()) await yielder.turn();
    fillRow(rows, i, paths[i]);
  }
  meanwhile();
  if (theirs) {
    const got = await theirs;
    if (got) rows.set(got, split * ROW);
    else for (let i = split; i < paths.length; i++) fillRow(rows, i, paths[i]);
  }
  return rows;
}
