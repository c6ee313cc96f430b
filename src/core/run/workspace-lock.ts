/**
 * One `mlci run` at a time per pipeline folder: two runs would race on
 * mlci.lock and on the stages' output files. proper-lockfile holds the lock
 * (an atomic mkdir of `.mlci/run.lock.lock`, its mtime refreshed every 2 s
 * and taken over when 10 s old); beside it `.mlci/run.lock.json` says who
 * holds it, so a second process can name the run, pid and start time.
 *
 * A holder killed with SIGKILL leaves the lock behind. Waiting 10 s for
 * the mtime to age is the fallback; on the same host the recorded pid
 * answers sooner: if that process is gone, the lock is taken over at once.
 */
import { open, readFile, rm, rmdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { lock as lockFile } from 'proper-lockfile';
import { writeJsonAtomic } from './atomic';
import { ensureMlciDir, isProcessAlive } from './store';

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

const STALE_MS = 10_000;
const UPDATE_MS = 2_000;

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
      if (attempt === 0 && holder && (await isDeadHolder(holder, lockDir))) {
        await rm(infoFile, { force: true });
        await rmdir(lockDir).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
        continue;
      }
      throw new Error(busyMessage(absRoot, holder));
    }
  }

  const info: WorkspaceLockHolder = {
    pid: process.pid,
    host: os.hostname(),
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
    const value = JSON.parse(await readFile(lockPaths(root).infoFile, 'utf8')) as Partial<WorkspaceLockHolder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return undefined;
    return {
      pid: value.pid,
      host: value.host,
      runId: String(value.runId ?? '?'),
      command: String(value.command ?? 'mlci'),
      startedAt: String(value.startedAt ?? '?'),
      lock: String(value.lock ?? ''),
    };
  } catch {
    return undefined;
  }
}

/** The holder's process is gone (checked on this host only) and its info belongs to the current lock folder. */
async function isDeadHolder(holder: WorkspaceLockHolder, lockDir: string): Promise<boolean> {
  if (holder.host !== os.hostname() || isProcessAlive(holder.pid)) return false;
  const identity = await lockIdentity(lockDir);
  return identity !== undefined && identity === holder.lock;
}

/** Inode and birth time of the lock folder: a new folder gets a new identity even if the inode is reused. */
async function lockIdentity(lockDir: string): Promise<string | undefined> {
  const s = await stat(lockDir).catch(() => undefined);
  return s ? `${s.dev}:${s.ino}:${Math.round(s.birthtimeMs)}` : undefined;
}

function busyMessage(root: string, holder: WorkspaceLockHolder | undefined): string {
  if (!holder) return `another mlci run is in progress in ${root} (it is just starting, or left no details in .mlci/run.lock.json): wait for it, or stop it`;
  const where = holder.host === os.hostname() ? `pid ${holder.pid}` : `pid ${holder.pid} on ${holder.host}`;
  return `another mlci run is in progress in ${root} (run ${holder.runId}, ${holder.command}, ${where}, started ${holder.startedAt}): wait for it, or stop it`;
}
