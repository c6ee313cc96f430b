/**
 * The run store: one folder per run under `<root>/.mlci/runs/<id>/` holding
 * run.json (the RunRecord, rewritten atomically on every change) and
 * `logs/<stage>.log`. Everything under `.mlci/` is machine-local and
 * git-ignored by a `.mlci/.gitignore` the store writes itself, so a first
 * run never makes the working tree look dirty; mlci.lock, beside the
 * pipeline file, is the file meant to be committed.
 *
 * Several processes may use one store at once (`mlci run` writing while
 * `mlci runs` or the extension reads), so reads tolerate half-created or
 * broken run folders and report them instead of failing the whole listing.
 */
import type { WriteStream } from 'node:fs';
import { createWriteStream, mkdirSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { FILE_LIMITS, readRegularFile } from '../files/regular-file';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic, writeJsonAtomic } from './atomic';
import { containedPath } from '../files/contain';
import type { RunRecord, RunStatus, StageRecord } from './record';
import { RUN_RECORD_VERSION } from './record';
import { isSafeRunId, parseRunRef } from './run-id';
import { currentProcess, isPidAlive, processState } from './process-identity';

export const MLCI_DIR = '.mlci';
export const RUN_FILE = 'run.json';

const GITIGNORE_TEXT =
  '# Written by mlci: run records, logs, caches and the run lock are local to this machine.\n' +
  '# mlci.lock beside the pipeline file is the file to commit.\n' +
  '*\n';

/** Which process wrote a 'running' record, so a dead one can be told from a live one (start: see process-identity.ts). */
export interface RunOwner {
  pid: number;
  host: string;
  start?: string;
}

/** run.json as stored: the RunRecord plus store bookkeeping. */
export type StoredRunRecord = RunRecord & { owner?: RunOwner };

/** A run folder list() could not read. */
export interface SkippedRun {
  id: string;
  dir: string;
  reason: string;
}

/** An append-only stage log; close() never rejects (a failed log must not fail the stage). */
export interface RunLogWriter {
  write(chunk: string | Uint8Array): void;
  close(): Promise<void>;
  /** The first write error, if any: the log is incomplete. */
  readonly error: Error | undefined;
}

const RUN_STATUSES: readonly RunStatus[] = ['running', 'passed', 'failed', 'gate-failed', 'cancelled'];
/** Records read at once by list(): enough for speed, far below open-file limits. */
const READ_BATCH = 32;

/**
 * Creates `<root>/.mlci/` and its `.gitignore` (only when missing: a user's
 * edits stay). The workspace lock calls this too, since it may create
 * `.mlci/` before any run record exists.
 */
export async function ensureMlciDir(root: string): Promise<string> {
  const dir = containedPath(root, path.join(path.resolve(root), MLCI_DIR));
  await mkdir(dir, { recursive: true });
  const ignore = path.join(dir, '.gitignore');
  const exists = await stat(ignore).then(() => true, () => false);
  if (!exists) await writeFileAtomic(ignore, GITIGNORE_TEXT);
  return dir;
}

/** This process, as recorded in run.json and the workspace lock. */
export function currentOwner(): RunOwner {
  return currentProcess();
}

export { isPidAlive as isProcessAlive };

/** False only when `owner` is a process on this host that no longer exists (or whose pid was reused). */
export function isOwnerAlive(owner: RunOwner | undefined): boolean {
  if (!owner) return true;
  return processState(owner) !== 'dead';
}

export class RunStore {
  readonly root: string;
  /** `<root>/.mlci/runs` */
  readonly runsDir: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    // A `.mlci` (or `.mlci/runs`) linked out of the workspace would put records and logs elsewhere.
    this.runsDir = containedPath(this.root, path.join(this.root, MLCI_DIR, 'runs'));
  }

  runDir(id: string): string {
    checkId(id);
    return path.join(this.runsDir, id);
  }

  runFile(id: string): string {
    return path.join(this.runDir(id), RUN_FILE);
  }

  recordFile(id: string): string {
    return this.runFile(id);
  }

  /** Writes a new run; fails if a run with this id already exists. Records this process as the owner. */
  async create(record: RunRecord): Promise<void> {
    const dir = this.runDir(record.id);
    await ensureMlciDir(this.root);
    await mkdir(this.runsDir, { recursive: true });
    try {
      // Not recursive: the exclusive mkdir is what makes ids unique across processes.
      await mkdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`run ${record.id} already exists in ${this.runsDir}`);
      throw e;
    }
    await writeJsonAtomic(path.join(dir, RUN_FILE), withOwner(record));
  }

  /**
   * Rewrites run.json. `name` and `tags` are taken from the stored record:
   * after create they belong to rename() and tag(), which another process
   * (`mlci runs tag`) may call while the run is still writing updates.
   */
  async update(record: RunRecord): Promise<void> {
    const file = this.runFile(record.id);
    const stored = await this.get(record.id).catch(() => undefined);
    if (!stored && !(await stat(path.dirname(file)).then(() => true, () => false))) {
      throw new Error(`cannot update run ${record.id}: it is not in ${this.runsDir} (deleted?)`);
    }
    const next: StoredRunRecord = { ...withOwner(record) };
    if (stored) {
      delete next.name;
      delete next.tags;
      if (stored.name !== undefined) next.name = stored.name;
      if (stored.tags !== undefined) next.tags = stored.tags;
    }
    await writeJsonAtomic(file, next);
  }

  /** The stored record; a missing or broken run.json gives an Error naming the file. */
  async get(id: string): Promise<StoredRunRecord> {
    const file = this.runFile(id);
    let text: string;
    try {
      text = await readRegularFile(file, FILE_LIMITS.record);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read run record ${file}: ${(e as Error).message}`);
      const dirExists = await stat(path.dirname(file)).then(() => true, () => false);
      throw new Error(dirExists ? `run ${id} has no run record (${file} is missing)` : `no run ${id} in ${this.runsDir}`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new Error(`corrupt run record ${file}: ${(e as Error).message}`);
    }
    const problem = shapeProblem(value, id);
    if (problem) throw new Error(`corrupt run record ${file}: ${problem}`);
    return value as StoredRunRecord;
  }

  /** Every readable run, newest first, and the folders that could not be read (with why). */
  async scan(): Promise<{ runs: StoredRunRecord[]; skipped: SkippedRun[] }> {
    const ids = await this.ids();
    const runs: StoredRunRecord[] = [];
    const skipped: SkippedRun[] = [];
    for (let i = 0; i < ids.length; i += READ_BATCH) {
      const batch = ids.slice(i, i + READ_BATCH);
      const results = await Promise.allSettled(batch.map((id) => this.get(id)));
      results.forEach((r, j) => {
        if (r.status === 'fulfilled') runs.push(r.value);
        else skipped.push({ id: batch[j]!, dir: path.join(this.runsDir, batch[j]!), reason: (r.reason as Error).message });
      });
    }
    runs.sort(newestFirst);
    return { runs, skipped };
  }

  /** Readable runs, newest first. Unreadable folders are left out: scan() says which. */
  async list(): Promise<StoredRunRecord[]> {
    return (await this.scan()).runs;
  }

  /** A full id, a unique prefix of one, or 'last'/'latest' → the run's id. */
  async resolve(idOrPrefix: string): Promise<string> {
    const ref = parseRunRef(idOrPrefix);
    if (ref.kind === 'last') {
      const [newest] = await this.list();
      if (!newest) throw new Error(`no runs yet in ${this.runsDir}: start one with mlci run`);
      return newest.id;
    }
    const ids = await this.ids();
    if (ids.includes(ref.text)) return ref.text;
    const matches = ids.filter((id) => id.startsWith(ref.text)).sort().reverse();
    if (matches.length === 1) return matches[0]!;
    if (matches.length === 0) throw new Error(`no run matches '${ref.text}' in ${this.runsDir} (mlci runs lists them)`);
    const shown = matches.slice(0, 10).join(', ') + (matches.length > 10 ? `, and ${matches.length - 10} more` : '');
    throw new Error(`'${ref.text}' is ambiguous: it matches ${matches.length} runs (${shown}); give more of the id`);
  }

  /** `<run>/logs/<stage>.log` (RunRecord stages store it as `logs/<stage>.log`). */
  logPath(id: string, stage: string): string {
    // The schema's stage-name pattern: no separators, no leading dot, so no way out of logs/.
    if (!/^[A-Za-z0-9][A-Za-z0-9_.@=,-]*$/.test(stage)) throw new Error(`invalid stage name for a log file: '${stage}'`);
    return path.join(this.runDir(id), 'logs', `${stage}.log`);
  }

  /**
   * `plots/<stage>/<path>` in the run folder, where a copy of a stage's plot
   * file is kept (the workspace file is overwritten by the next run). The
   * path is the pipeline's, already checked to stay in the workspace; here
   * it must also stay in the run folder.
   */
  plotPath(id: string, stage: string, plotPath: string): { abs: string; rel: string } {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.@=,-]*$/.test(stage)) throw new Error(`invalid stage name for a plot folder: '${stage}'`);
    const rel = path.posix.normalize(plotPath.split(path.sep).join('/'));
    if (rel.startsWith('../') || rel === '..' || path.posix.isAbsolute(rel) || rel === '.') throw new Error(`plot path '${plotPath}' leaves the workspace`);
    const relInRun = `plots/${stage}/${rel}`;
    return { abs: path.join(this.runDir(id), ...relInRun.split('/')), rel: relInRun };
  }

  /** Keeps a copy of a plot file with the run (atomic: a reader sees the whole file or none). */
  async savePlot(id: string, stage: string, plotPath: string, bytes: Uint8Array): Promise<string> {
    const { abs, rel } = this.plotPath(id, stage, plotPath);
    await mkdir(path.dirname(abs), { recursive: true });
    // A link planted in the run folder must not carry the copy elsewhere.
    containedPath(this.runDir(id), abs, rel);
    await writeFileAtomic(abs, bytes);
    return rel;
  }

  /**
   * An append writer for a stage log. Synchronous so the engine can open it
   * right before starting the stage; writes are buffered by the stream and
   * close() resolves once everything is flushed.
   */
  openLog(id: string, stage: string): RunLogWriter {
    const file = this.logPath(id, stage);
    mkdirSync(path.dirname(file), { recursive: true });
    const stream: WriteStream = createWriteStream(file, { flags: 'a' });
    let error: Error | undefined;
    // Without a listener a failed write (disk full) would crash the process.
    stream.on('error', (e) => {
      error ??= e;
    });
    let closing: Promise<void> | undefined;
    return {
      write(chunk) {
        if (!error && !closing) stream.write(chunk);
      },
      close() {
        closing ??= new Promise<void>((resolve) => {
          if (stream.closed || stream.destroyed) return resolve();
          stream.once('close', () => resolve());
          stream.end();
        });
        return closing;
      },
      get error() {
        return error;
      },
    };
  }

  /** Removes a run folder. Refuses a run whose process is still running it. */
  async delete(id: string): Promise<void> {
    const dir = this.runDir(id);
    if (!(await stat(dir).then((s) => s.isDirectory(), () => false))) throw new Error(`no run ${id} in ${this.runsDir}`);
    const record = await this.get(id).catch(() => undefined);
    if (record?.status === 'running' && isOwnerAlive(record.owner)) {
      throw new Error(`run ${id} is still running${record.owner ? ` (pid ${record.owner.pid} on ${record.owner.host})` : ''}: stop it before deleting it`);
    }
    // Renamed out of sight first, so a concurrent list() sees the whole run or nothing.
    const doomed = path.join(this.runsDir, `.${id}.deleting-${process.pid}-${randomBytes(4).toString('hex')}`);
    await rename(dir, doomed);
    await rm(doomed, { recursive: true, force: true });
  }

  /** Sets the run's display name; an empty name removes it. */
  async rename(id: string, name: string): Promise<StoredRunRecord> {
    const clean = name.trim();
    if (/[\p{Cc}]/u.test(clean)) throw new Error('a run name must be a single line of printable text');
    if (clean.length > 200) throw new Error('a run name must be at most 200 characters');
    const record = await this.get(id);
    if (clean) record.name = clean;
    else delete record.name;
    await writeJsonAtomic(this.runFile(id), record);
    return record;
  }

  /** Adds tags (kept in order, no duplicates) and removes `remove`; returns the updated record. */
  async tag(id: string, add: readonly string[], remove: readonly string[] = []): Promise<StoredRunRecord> {
    for (const t of [...add, ...remove]) {
      if (!/^[^\s,]{1,64}$/u.test(t)) throw new Error(`invalid tag '${t}': tags are 1-64 characters without spaces or commas`);
    }
    const record = await this.get(id);
    const tags = (record.tags ?? []).filter((t) => !remove.includes(t));
    for (const t of add) if (!tags.includes(t)) tags.push(t);
    if (tags.length) record.tags = tags;
    else delete record.tags;
    await writeJsonAtomic(this.runFile(id), record);
    return record;
  }

  /**
   * Runs still marked 'running' whose owning process is gone (killed CLI,
   * crashed editor) are rewritten as 'cancelled', so no run looks alive
   * forever. finishedAt is run.json's last write: the process's last sign
   * of life. Records without an owner, or owned by another host, are left
   * alone: there is no way to tell from here. Returns the ids changed.
   */
  async markInterrupted(): Promise<string[]> {
    const changed: string[] = [];
    for (const record of (await this.scan()).runs) {
      if (record.status !== 'running' || !record.owner || isOwnerAlive(record.owner)) continue;
      const file = this.runFile(record.id);
      const lastWrite = await stat(file).then((s) => s.mtime.getTime(), () => Date.now());
      const why = `interrupted: the mlci process (pid ${record.owner.pid}) exited during the run`;
      record.status = 'cancelled';
      record.finishedAt = new Date(Math.max(lastWrite, Date.parse(record.startedAt) || 0)).toISOString();
      record.stages = record.stages.map((s): StageRecord => {
        if (s.status === 'running') return { ...s, status: 'cancelled', reason: why };
        if (s.status === 'pending') return { ...s, status: 'skipped', reason: 'not run: the run was interrupted' };
        return s;
      });
      await writeJsonAtomic(file, record);
      changed.push(record.id);
    }
    return changed;
  }

  /** Run folder names, skipping dot-entries (temp files, folders being deleted). */
  private async ids(): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(this.runsDir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return entries.filter((e) => e.isDirectory() && isSafeRunId(e.name)).map((e) => e.name);
  }
}

function checkId(id: string): void {
  if (!isSafeRunId(id)) throw new Error(`invalid run id '${id}': ids are letters, digits, '.', '_' and '-'`);
}

/** The record with an owner: the one it names, or this process (the one writing it). */
function withOwner(record: RunRecord): StoredRunRecord {
  const owner = (record as StoredRunRecord).owner;
  return owner ? record : { ...record, owner: currentOwner() };
}

function newestFirst(a: RunRecord, b: RunRecord): number {
  const ta = Date.parse(a.startedAt);
  const tb = Date.parse(b.startedAt);
  if (ta !== tb && !Number.isNaN(ta) && !Number.isNaN(tb)) return tb - ta;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** What is wrong with a parsed run.json, or undefined when it looks like a RunRecord. */
function shapeProblem(value: unknown, id: string): string | undefined {
  if (!isObject(value)) return 'not a JSON object';
  if (typeof value.version !== 'number') return 'no record version';
  if (value.version > RUN_RECORD_VERSION) return `record version ${value.version} was written by a newer mlci (this one reads version ${RUN_RECORD_VERSION})`;
  if (value.version !== RUN_RECORD_VERSION) return `unknown record version ${value.version}`;
  if (value.id !== id) return `its id ${JSON.stringify(value.id)} does not match its folder ${id}`;
  if (typeof value.status !== 'string' || !(RUN_STATUSES as readonly string[]).includes(value.status)) return `invalid status ${JSON.stringify(value.status)}`;
  for (const key of ['pipeline', 'startedAt', 'executor'] as const) {
    if (typeof value[key] !== 'string') return `'${key}' is missing or not a string`;
  }
  for (const key of ['finishedAt', 'name'] as const) {
    if (value[key] !== undefined && typeof value[key] !== 'string') return `'${key}' is not a string`;
  }
  for (const key of ['params', 'metrics', 'history'] as const) {
    if (!isObject(value[key])) return `'${key}' is missing or not an object`;
  }
  if (!Array.isArray(value.stages)) return "'stages' is missing or not a list";
  const badStage = value.stages.findIndex((s) => !isObject(s) || typeof s.name !== 'string' || typeof s.status !== 'string');
  if (badStage >= 0) return `stage ${badStage + 1} has no name or status`;
  if (value.tags !== undefined && !(Array.isArray(value.tags) && value.tags.every((t) => typeof t === 'string'))) return "'tags' is not a list of strings";
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
