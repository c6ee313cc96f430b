/**
 * A small worker_threads pool for drift: reading the two files at once and
 * spreading column tests over the cores (a KS p-value on a million rows is
 * ~1 s of one core). Typed arrays are transferred, never copied. Each worker
 * runs one request at a time and takes the next queued one when it is free,
 * so long and short columns balance out.
 *
 * The worker script is worker.ts beside this file when running from source
 * (tests, bench: tsx's require hook is passed to the worker), or
 * drift-worker.js beside the bundle. When neither exists the pool is
 * unavailable and detectDrift runs on the main thread.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CsvLoadOptions } from '../../data/columns';
import type { CsvPart, CsvPartResult } from '../../data/csv-parts';
import type { ReadOptions } from '../../data/read';
import type { Table } from '../../data/table';
import type { ColumnJob, ColumnOutcome } from './column-test';
import type { WorkerReply, WorkerRequest } from './wire';
import { fromWireError, jobBuffers } from './wire';

export interface WorkerScript {
  file: string;
  execArgv?: string[];
}

/** Where the worker code is, or undefined when this build has none. */
export function findWorkerScript(): WorkerScript | undefined {
  if (__filename.endsWith('.ts')) {
    const ts = path.join(__dirname, 'worker.ts');
    if (!existsSync(ts)) return undefined;
    try {
      // Running from source: the worker needs the same TypeScript loader.
      return { file: ts, execArgv: ['--require', require.resolve('tsx/cjs')] };
    } catch {
      return undefined;
    }
  }
  const js = path.join(__dirname, 'drift-worker.js');
  return existsSync(js) ? { file: js } : undefined;
}

interface Task {
  request: WorkerRequest;
  transfer: ArrayBuffer[];
  resolve(reply: WorkerReply & { ok: true }): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  task?: Task;
}

export class DriftPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private failure: Error | undefined;
  private closed = false;

  constructor(readonly size: number, script: WorkerScript) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(script.file, script.execArgv ? { execArgv: script.execArgv } : {});
      const slot: Slot = { worker };
      worker.on('message', (reply: WorkerReply) => this.settle(slot, reply));
      worker.on('error', (e) => this.fail(e));
      worker.on('exit', (code) => {
        if (!this.closed) this.fail(new Error(`a drift worker stopped unexpectedly (exit code ${code})`));
      });
      this.slots.push(slot);
    }
  }

  read(file: string, options: ReadOptions): Promise<Table> {
    return this.submit({ id: this.nextId++, type: 'read', path: file, options }, []).then((r) => r.table!);
  }

  /** One part of a CSV file (see csv-parts.ts); the table is moved here. */
  readPart(file: string, options: CsvLoadOptions, part: CsvPart): Promise<CsvPartResult> {
    return this.submit({ id: this.nextId++, type: 'read-part', path: file, options, part }, []).then((r) => ({ table: r.table!, clean: r.clean === true }));
  }

  /** Tests a column in a worker; the job's buffers are moved there (unusable here afterwards). */
  test(job: ColumnJob): Promise<ColumnOutcome> {
    return this.submit({ id: this.nextId++, type: 'test', job }, jobBuffers(job)).then((r) => r.outcome!);
  }

  /** Stops every worker; requests still waiting are rejected with `reason`. */
  async close(reason?: Error): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const why = reason ?? new Error('the drift pool was closed');
    for (const t of this.queue.splice(0)) t.reject(why);
    for (const s of this.slots) {
      s.task?.reject(why);
      s.task = undefined;
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private submit(request: WorkerRequest, transfer: ArrayBuffer[]): Promise<WorkerReply & { ok: true }> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('the drift pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ request, transfer, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.task || this.queue.length === 0) continue;
      const task = this.queue.shift()!;
      slot.task = task;
      slot.worker.postMessage(task.request, task.transfer);
    }
  }

  private settle(slot: Slot, reply: WorkerReply): void {
    const task = slot.task;
    slot.task = undefined;
    if (task && task.request.id === reply.id) {
      if (reply.ok) task.resolve(reply);
      else task.reject(fromWireError(reply.error));
    }
    this.dispatch();
  }

  /** A worker crashed (or could not start): nothing more can be trusted to finish. */
  private fail(e: Error): void {
    if (this.failure || this.closed) return;
    this.failure = e;
    void this.close(e);
  }
}
