/**
 * One `mlci run` at a time per pipeline folder: two runs would race on
 * mlci.lock and on the stages' output files. proper-lockfile holds the lock
 * (an atomic mkdir of `.mlci/run.lock.lock`); beside it `.mlci/run.lock.json`
 * says who holds it (run, pid, host, the process's start time), so a second
 * process can name the holder and tell whether it still lives.
 *
 * The lock is taken over only when its holder is dead: same host, and no
 * process with that pid and start time (see process-identity.ts). Never by
 * age: a live run whose event loop is blocked (a long synchronous step)
 * stops refreshing the mtime, and proper-lockfile's default 10 s staleness
 * let a second run start alongside it. A holder on another host, or one
 * that left no details, cannot be checked from here: the message says which
 * folder to remove once that run is known to be gone.
 */
import { open, rm, rmdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { lock as lockFile } from 'proper-lockfile';
import { writeJsonAtomic } from './atomic';
import { ensureMlciDir } from './store';
import { currentProcess, processState } from './process-identity';
import { FILE_LIMITS, readRegularFile } from '../files/regular-file';

export interface WorkspaceLockRequest {
  runId: string;
  /** What is running, for the message another process shows ("mlci run"). */
  command: string;
}

/** `.mlci/run.lock.json` */
export interface WorkspaceLockHolder extends WorkspaceLockRequest {
  pid: number;
  host: string;
  startedAt: string;
  /** The holder process's start time (process-identity.ts): a reused pid is not the holder. */
  start?: string;
  /**
   * Identity of the lock folder this holder created. Info left by an older
   * holder does not match a newer lock, so a process that is between taking
   * the lock and writing its info is never mistaken for the dead one.
   */
  lock: string;
}

export type ReleaseWorkspaceLock = () => Promise<void>;

export interface WorkspaceLockOptions {
  /**
   * Called if the lock is lost while held (its folder removed, or not
   * refreshed for 10 s because the event loop was blocked): another run
   * may start alongside this one. Default: a process warning.
   */
  onCompromised?: (err: Error) => void;
}

/** proper-lockfile's age-based takeover, made unreachable (a year): liveness decides. */
const STALE_MS = 365 * 24 * 3600_000;
const UPDATE_MS = 60_000;

function lockPaths(root: string) {
  const dir = path.join(path.resolve(root), '.mlci');
  const target = path.join(dir, 'run.lock');
  // proper-lockfile's default: the lock is the folder `<target>.lock`.
  return { target, lockDir: `${target}.lock`, infoFile: path.join(dir, 'run.lock.json') };
}

/**
 * Takes the workspace lock or throws an Error naming the holder. Resolves
 * to the release function (idempotent), which also removes the info file.
 */
export async function acquireWorkspaceLock(root: string, request: WorkspaceLockRequest, options: WorkspaceLockOptions = {}): Promise<ReleaseWorkspaceLock> {
  const absRoot = path.resolve(root);
  await ensureMlciDir(absRoot);
  const { target, lockDir, infoFile } = lockPaths(absRoot);
  await (await open(target, 'a')).close();
  const onCompromised = options.onCompromised ??
    ((err: Error) => process.emitWarning(`the workspace lock in ${absRoot} was lost (${err.message}): another mlci run may now start alongside this one`));

  let release: (() => Promise<void>) | undefined;
  for (let attempt = 0; !release; attempt++) {
    try {
      release = await lockFile(target, { stale: STALE_MS, update: UPDATE_MS, realpath: false, onCompromised });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
      const holder = await readWorkspaceLockHolder(absRoot);
      // One takeover attempt: if the lock is busy again after it, a live process just took it.
      if (attempt === 0 && ((holder && (await isDeadHolder(holder, lockDir))) || (await isOrphanLock(holder, lockDir)))) {
        await rm(infoFile, { force: true });
        await rmdir(lockDir).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
        continue;
      }
      throw new Error(busyMessage(absRoot, holder));
    }
  }

  const me = currentProcess();
  const info: WorkspaceLockHolder = {
    pid: me.pid,
    host: me.host,
    ...(me.start ? { start: me.start } : {}),
    runId: request.runId,
    command: request.command,
    startedAt: new Date().toISOString(),
    lock: await lockIdentity(lockDir) ?? '',
  };
  try {
    await writeJsonAtomic(infoFile, info);
  } catch (e) {
    await release().catch(() => undefined);
    throw e;
  }

  let released: Promise<void> | undefined;
  const held = release;
  return () => {
    released ??= (async () => {
      // Only our own info: after a compromise another process may have written its own.
      const current = await readWorkspaceLockHolder(absRoot);
      if (current && current.pid === info.pid && current.host === info.host && current.lock === info.lock) await rm(infoFile, { force: true });
      await held().catch((err: NodeJS.ErrnoException) => {
        // ERELEASED: already lost (onCompromised said so); nothing left to release.
        if (err.code !== 'ERELEASED') throw err;
      });
    })();
    return released;
  };
}

/** Who holds the workspace lock according to run.lock.json (undefined: no or unreadable info). */
export async function readWorkspaceLockHolder(root: string): Promise<WorkspaceLockHolder | undefined> {
  try {
    const value = JSON.parse(await readRegularFile(lockPaths(root).infoFile, FILE_LIMITS.record)) as Partial<WorkspaceLockHolder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return undefined;
    return {
      pid: value.pid,
      host: value.host,
      runId: String(value.runId ?? '?'),
      command: String(value.command ?? 'mlci'),
      startedAt: String(value.startedAt ?? '?'),
      lock: String(value.lock ?? ''),
      ...(typeof value.start === 'string' ? { start: value.start } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The holder's process is gone (checked on this host only: pid and start time) and its info belongs to the current lock folder. */
async function isDeadHolder(holder: WorkspaceLockHolder, lockDir: string): Promise<boolean> {
  if (processState(holder) !== 'dead') return false;
  const identity = await lockIdentity(lockDir);
  return identity !== undefined && identity === holder.lock;
}

/**
 * A holder writes its details within milliseconds of creating the lock
 * folder. A folder that still has no details of its own (none, or an older
 * holder's) 10 s after it was made belongs to a process killed in between:
 * no live holder can be in that state, so this is not a takeover by age.
 */
const ORPHAN_MS = 10_000;

async function isOrphanLock(holder: WorkspaceLockHolder | undefined, lockDir: string): Promise<boolean> {
  const s = await stat(lockDir).catch(() => undefined);
  if (!s) return false;
  const identity = `${s.dev}:${s.ino}:${Math.round(s.birthtimeMs)}`;
  if (holder && holder.lock === identity) return false;
  return Date.now() - s.mtimeMs > ORPHAN_MS;
}

/** Inode and birth time of the lock folder: a new folder gets a new identity even if the inode is reused. */
async function lockIdentity(lockDir: string): Promise<string | undefined> {
  const s = await stat(lockDir).catch(() => undefined);
  return s ? `${s.dev}:${s.ino}:${Math.round(s.birthtimeMs)}` : undefined;
}

function busyMessage(root: string, holder: WorkspaceLockHolder | undefined): string {
  const lockDir = path.join(root, '.mlci', 'run.lock.lock');
  if (!holder) return `another mlci run is in progress in ${root} (it is just starting, or left no details in .mlci/run.lock.json): wait for it, or stop it; if no mlci run is active there, remove ${lockDir}`;
  const where = holder.host === os.hostname() ? `pid ${holder.pid}` : `pid ${holder.pid} on ${holder.host}`;
  const remote = holder.host === os.hostname() ? '' : `; mlci cannot check a process on ${holder.host} from here: if that run is gone, remove ${lockDir}`;
  return `another mlci run is in progress in ${root} (run ${holder.runId}, ${holder.command}, ${where}, started ${holder.startedAt}): wait for it, or stop it${remote}`;
}
