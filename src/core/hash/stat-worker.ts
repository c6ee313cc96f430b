/**
 * A second thread for the lstats of large walks. A warm check of an
 * unchanged tree is nothing but a directory walk and lstats (~2.3 µs each
 * here, the syscall itself), and git status spreads its own over threads;
 * the libuv pool cannot help (its per-request overhead is several times the
 * syscall). So a large walk hands its paths to one worker thread running
 * plain lstatSync while the walk is still going on.
 *
 * Paths go over in batches, each with its rows in shared memory and a claim
 * flag: the worker claims batches from the front as they arrive, and once
 * the walk is done the main thread claims them from the back, so the two
 * meet wherever the work splits evenly (the walk, the stat cache load and
 * the machine's load decide where), with no guessed share.
 *
 * One worker per process, started by the first large walk and reused:
 * starting one takes ~20 ms, so a walk never waits for it (until it is
 * online the main thread does all the stats). It is unref'd while idle, so
 * it never keeps a process alive, and if it fails it is not used again.
 */
import { Worker } from 'node:worker_threads';
import { FILL_ROW_JS, fillRow, ROW } from './stat-rows';
import type { WalkEntry } from './walk';
import type { Yielder } from './yielder';

/** Paths per batch: small enough that the main thread can take over the worker's last share at a fine grain, large enough that posting stays a sliver of the stats. */
const BATCH = 256;

/** One batch's shared memory: an Int32 claim flag (0 free, 1 taken) padded to 8 bytes, then ROW doubles per path. */
const HEADER_BYTES = 8;

const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { lstatSync } = require('node:fs');
${FILL_ROW_JS}
parentPort.on('message', ({ id, shared, paths }) => {
  const mine = Atomics.compareExchange(new Int32Array(shared, 0, 1), 0, 0, 1) === 0;
  if (mine) {
    const out = new Float64Array(shared, ${HEADER_BYTES});
    const list = paths.split('\\0');
    for (let i = 0; i < list.length; i++) fillRow(out, i, list[i]);
  }
  parentPort.postMessage({ id, mine });
});
`;

class StatWorker {
  private readonly worker: Worker;
  private online = false;
  private failed = false;
  private nextId = 0;
  private readonly pending = new Map<number, (mine: boolean | undefined) => void>();

  constructor() {
    this.worker = new Worker(SOURCE, { eval: true });
    this.worker.on('online', () => (this.online = true));
    this.worker.on('message', ({ id, mine }: { id: number; mine: boolean }) => {
      const done = this.pending.get(id);
      this.pending.delete(id);
      if (this.pending.size === 0) this.worker.unref();
      done?.(mine);
    });
    this.worker.on('error', () => this.fail());
    this.worker.on('exit', () => this.fail());
    // Unref'd after the 'message' listener is added: Node refs the worker's
    // message port again when the first one is, so unref'd before it, an
    // idle worker that never got a request kept the process alive (the 1 GB
    // cache bench never exited after printing its results).
    this.worker.unref();
  }

  get ready(): boolean {
    return this.online && !this.failed;
  }

  /**
   * Offers a batch: the worker stats `paths` into `shared` if it claims the
   * batch first. Resolves whether it did, or undefined if the worker failed
   * (then the caller stats the batch itself).
   */
  offer(shared: SharedArrayBuffer, paths: string[]): Promise<boolean | undefined> {
    return new Promise((resolve) => {
      if (this.failed) return resolve(undefined);
      const id = this.nextId++;
      this.pending.set(id, resolve);
      // Referenced while a request is out: an awaited answer must keep the process alive.
      this.worker.ref();
      // One string: cloning it is a copy, an array of 256 strings is 256 clones. No path holds \0.
      this.worker.postMessage({ id, shared, paths: paths.join('\0') });
    });
  }

  private fail(): void {
    this.failed = true;
    for (const done of this.pending.values()) done(undefined);
    this.pending.clear();
  }
}

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

interface Batch {
  from: number;
  to: number;
  claim: Int32Array;
  rows: Float64Array;
  /** The worker's answer: true if it took the batch. */
  answer: Promise<boolean | undefined>;
}

/**
 * The lstats of one walk: `offer` as the walk finds entries, then `finish`
 * for the rows (see stat-rows.ts), in the order the paths were found.
 */
export class WalkStats {
  readonly paths: string[] = [];
  private readonly batches: Batch[] = [];
  private posted = 0;
  /** null: not asked yet (asked once the walk is large enough). */
  private worker: StatWorker | undefined | null = null;

  /** `parallelAbove`: the worker helps once the walk has found this many entries. */
  constructor(private readonly parallelAbove: number) {}

  /** The walk so far (`found` only grows): full batches go to the worker while the walk goes on. */
  offer(found: readonly WalkEntry[]): void {
    for (let i = this.paths.length; i < found.length; i++) this.paths.push(found[i].dir.absPrefix + found[i].name);
    this.post(BATCH);
  }

  /** Paths known up front (no walk). */
  offerPaths(paths: readonly string[]): void {
    for (const p of paths) this.paths.push(p);
    this.post(BATCH);
  }

  /**
   * The rows of every path, after `meanwhile` (work the caller needs done
   * before the rows: loading the stat cache, done while the worker stats).
   * The main thread stats whatever the worker has not claimed, from the
   * last batch back, giving the event loop turns via `yielder`.
   */
  async finish(yielder: Yielder, meanwhile: () => void): Promise<Float64Array> {
    this.post(1);
    meanwhile();
    const rows = new Float64Array(this.paths.length * ROW);
    for (let i = this.posted; i < this.paths.length; i++) {
      if (yielder.due()) await yielder.turn();
      fillRow(rows, i, this.paths[i]);
    }
    let b = this.batches.length - 1;
    for (; b >= 0; b--) {
      const batch = this.batches[b];
      // The worker claims in order: once it holds one batch, it holds every earlier one.
      if (Atomics.compareExchange(batch.claim, 0, 0, 1) !== 0) break;
      for (let i = batch.from; i < batch.to; i++) {
        if (yielder.due()) await yielder.turn();
        fillRow(rows, i, this.paths[i]);
      }
    }
    for (; b >= 0; b--) {
      const batch = this.batches[b];
      if (await batch.answer) rows.set(batch.rows, batch.from * ROW);
      else for (let i = batch.from; i < batch.to; i++) fillRow(rows, i, this.paths[i]);
    }
    return rows;
  }

  /** Hands the worker every unposted run of at least `min` paths, in batches. */
  private post(min: number): void {
    if (this.worker === null) {
      if (this.paths.length < this.parallelAbove) return;
      this.worker = statWorker();
    }
    const worker = this.worker;
    if (!worker) return;
    while (this.paths.length - this.posted >= min) {
      const from = this.posted;
      const to = Math.min(from + BATCH, this.paths.length);
      const shared = new SharedArrayBuffer(HEADER_BYTES + (to - from) * ROW * 8);
      const paths = this.paths.slice(from, to);
      this.batches.push({ from, to, claim: new Int32Array(shared, 0, 1), rows: new Float64Array(shared, HEADER_BYTES), answer: worker.offer(shared, paths) });
      this.posted = to;
    }
  }
}

/** lstat rows for `paths` (see WalkStats.finish); with `parallel`, shared with the worker if it is online. */
export function statAll(paths: string[], yielder: Yielder, parallel: boolean, meanwhile: () => void): Promise<Float64Array> {
  const stats = new WalkStats(parallel ? 0 : Infinity);
  stats.offerPaths(paths);
  return stats.finish(yielder, meanwhile);
}
