/**
 * Atomic file replacement for run.json, mlci.lock and state files: a process
 * killed at any point leaves either the old file or the new one, never half
 * of one. The data goes to a temp file in the same folder (a rename is only
 * atomic within one file system), is flushed to disk, then renamed over the
 * target; the folder is flushed too so the rename itself survives a crash.
 */
import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** The temp file beside `file`; dot-prefixed so listings and globs skip it. */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(file);
  // Keep the permissions of a file we replace (a user may have made mlci.lock read-only for others).
  const existingMode = await stat(file).then((s) => s.mode & 0o7777, () => undefined);
  let handle: FileHandle | undefined;
  try {
    // 'wx': never follow or reuse a file someone else put at the temp name.
    handle = await open(tmp, 'wx', existingMode ?? 0o666);
    if (existingMode !== undefined) await handle.chmod(existingMode);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, file);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  await syncFolder(path.dirname(file));
}

/**
 * `value` as 2-space JSON with a trailing newline. Key order is the object's
 * own order, so the same value always gives the same bytes; `sortKeys` sorts
 * every object's keys (for state files whose key order is incidental).
 */
export async function writeJsonAtomic(file: string, value: unknown, options: { sortKeys?: boolean } = {}): Promise<void> {
  await writeFileAtomic(file, jsonText(value, options));
}

export function jsonText(value: unknown, options: { sortKeys?: boolean } = {}): string {
  const text = JSON.stringify(options.sortKeys ? sortKeysDeep(value) : value, null, 2) as string | undefined;
  if (text === undefined) throw new TypeError(`cannot write ${typeof value} as JSON`);
  return text + '\n';
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, sortKeysDeep(obj[k])]));
  }
  return value;
}

/**
 * Flush the folder entry so the rename is on disk. Best effort: Windows and
 * some network file systems cannot open or fsync a folder, and by now the
 * new file is already in place, so failing the write here would mislead.
 */
async function syncFolder(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Not supported here; the rename is still atomic, only its durability is weaker.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
