/**
 * Reading a file mlci was pointed at (a params file, a data file, run.json,
 * mlci.lock, the hash cache, a baseline or drift report): only a regular
 * file, and only up to a size limit, each with a message saying what is
 * wrong. A FIFO would block the read forever (and with it Ctrl+C handling),
 * `/dev/zero` never ends, a 2 GB params file exhausts memory.
 *
 * The file is opened with O_NONBLOCK, so opening a FIFO returns at once
 * instead of waiting for a writer, and its type is checked on the open
 * descriptor (fstat), so a file swapped for a FIFO between a stat and the
 * open is still caught. Documented in README.md (Security).
 */
import { isAscii } from 'node:buffer';
import type { Stats } from 'node:fs';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

const MiB = 1024 * 1024;

/** Size limits, by what the file is. */
export const FILE_LIMITS = {
  /** A pipeline file (mlci.yaml). */
  pipeline: 16 * MiB,
  /** A params file. */
  params: 16 * MiB,
  /** run.json, mlci.lock, metrics and history files, reports, lock info: JSON mlci or a stage wrote. */
  record: 64 * MiB,
  /** The hash cache (.mlci/state/hashes.json): one entry per hashed file. */
  hashCache: 512 * MiB,
  /** A plot file (data or image): read whole, kept with each run. */
  plot: 256 * MiB,
  /** A data file (CSV, JSONL, Parquet) read by data checks and drift: streamed, never held whole. */
  data: 16 * 1024 * MiB,
} as const;

export type FileKind = keyof typeof FILE_LIMITS;

/** A file that is not a regular file, or is larger than its limit. `code` tells which. */
export class FileReadError extends Error {
  constructor(message: string, readonly code: 'not-regular' | 'too-large', readonly file: string) {
    super(message);
    this.name = 'FileReadError';
  }
}

function typeName(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}

export function formatBytes(n: number): string {
  if (n >= 1024 * MiB) return `${(n / (1024 * MiB)).toFixed(1)} GiB`;
  if (n >= MiB) return `${(n / MiB).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

function notRegular(shown: string, st: Stats): FileReadError {
  return new FileReadError(`${shown} is ${typeName(st)}, not a regular file: mlci reads only regular files (a pipe or device could block or never end)`, 'not-regular', shown);
}

function tooLarge(shown: string, size: number | undefined, limit: number): FileReadError {
  const was = size === undefined ? `more than ${formatBytes(limit)}` : formatBytes(size);
  return new FileReadError(`${shown} is too large (${was}; the limit for this file is ${formatBytes(limit)})`, 'too-large', shown);
}

/** Throws FileReadError when `st` is not a regular file within `limit` bytes. */
export function checkRegular(shown: string, st: Stats, limit: number): void {
  // A directory keeps Node's own error (EISDIR), which callers already word ("it is a folder").
  if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${shown}'`), { code: 'EISDIR', syscall: 'read', path: shown });
  if (!st.isFile()) throw notRegular(shown, st);
  if (st.size > limit) throw tooLarge(shown, st.size, limit);
}

/** Opening a socket file fails with ENXIO: said as plainly as a FIFO. */
function openError(shown: string, e: unknown): unknown {
  if ((e as NodeJS.ErrnoException).code === 'ENXIO') return new FileReadError(`${shown} is a socket or a device without a reader, not a regular file: mlci reads only regular files`, 'not-regular', shown);
  return e;
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * The text of a regular file of at most `limit` bytes (UTF-8). Errors from
 * the file system (ENOENT, EACCES...) are thrown as they are, for the caller
 * to word; a FIFO, device, socket or an oversized file is a FileReadError.
 * `shown`: how the file is named in messages (default: the path).
 */
export function readRegularFileSync(absPath: string, limit: number, shown = absPath): string {
  const bytes = readRegularBytesSync(absPath, limit, shown);
  // ASCII (most state files) decodes as latin1, the same text for a twentieth of the
  // cost of UTF-8 decoding (5 ms of a 1 MB hash cache's load).
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

export function readRegularBytesSync(absPath: string, limit: number, shown = absPath): Buffer {
  let fd: number;
  try {
    fd = openSync(absPath, OPEN_FLAGS);
  } catch (e) {
    throw openError(shown, e);
  }
  try {
    const st = fstatSync(fd);
    checkRegular(shown, st, limit);
    // Read to EOF, not to st.size: the file may have grown since (and must not grow past the limit).
    // Into a buffer of the file's size plus one: a file that did not grow is read with no copy.
    const full: Buffer[] = [];
    let total = 0;
    let buf = Buffer.allocUnsafe(Math.min(Math.max(st.size + 1, 4096), limit + 1, 8 * MiB));
    let at = 0;
    for (;;) {
      if (at === buf.length) {
        full.push(buf);
        buf = Buffer.allocUnsafe(Math.min(buf.length, 8 * MiB));
        at = 0;
      }
      const n = readSync(fd, buf, at, buf.length - at, null);
      if (n === 0) break;
      at += n;
      total += n;
      if (total > limit) throw tooLarge(shown, undefined, limit);
    }
    if (full.length === 0) return buf.subarray(0, at);
    full.push(buf.subarray(0, at));
    return Buffer.concat(full, total);
  } finally {
    closeSync(fd);
  }
}

/** An open handle on a regular file of at most `limit` bytes, for streamed or random-access reads. */
export async function openRegularFile(absPath: string, limit: number, shown = absPath): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(absPath, OPEN_FLAGS);
  } catch (e) {
    throw openError(shown, e);
  }
  try {
    const st = await handle.stat();
    checkRegular(shown, st, limit);
    return { handle, size: st.size };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** Async form of readRegularFileSync. */
export async function readRegularFile(absPath: string, limit: number, shown = absPath): Promise<string> {
  return (await readRegularBytes(absPath, limit, shown)).toString('utf8');
}

/** Async form of readRegularBytesSync. */
export async function readRegularBytes(absPath: string, limit: number, shown = absPath): Promise<Buffer> {
  const { handle, size } = await openRegularFile(absPath, limit, shown);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(Math.min(Math.max(size + 1, 4096), limit + 1, 8 * MiB));
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit) throw tooLarge(shown, undefined, limit);
      chunks.push(Buffer.from(buf.subarray(0, bytesRead)));
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}
