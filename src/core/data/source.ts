/**
 * Reading a file as a stream of chunks, with open/read failures turned into
 * DataErrors. Chunks default to 1 MiB: large enough that per-chunk overhead
 * vanishes, small enough to bound memory; tests pass tiny sizes to exercise
 * every chunk boundary.
 */
import { createReadStream } from 'node:fs';
import { FILE_LIMITS, FileReadError, openRegularFile } from '../files/regular-file';
import { DataError } from './errors';

export const DEFAULT_CHUNK_BYTES = 1024 * 1024;

export interface ChunkOptions {
  /** Bytes per read (the stream's highWaterMark). */
  chunkBytes?: number;
  /** Only the bytes [start, end) of the file (a part of it; see csv-parts.ts). */
  range?: { start: number; end: number };
}

/**
 * Yields the file's chunks. Breaking out of the loop closes the file, which
 * is how a second pass stops early.
 */
export async function* fileChunks(path: string, label: string, options: ChunkOptions = {}): AsyncGenerator<Buffer> {
  // Only a regular file, checked on the open descriptor: a FIFO would block the read forever.
  let opened;
  try {
    opened = await openRegularFile(path, FILE_LIMITS.data);
  } catch (err) {
    throw ioError(label, err);
  }
  const range = options.range;
  if (range !== undefined && range.end <= range.start) {
    await opened.handle.close();
    return;
  }
  const stream = createReadStream(path, { fd: opened.handle, highWaterMark: options.chunkBytes ?? DEFAULT_CHUNK_BYTES, ...(range ? { start: range.start, end: range.end - 1 } : {}) });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    throw ioError(label, err);
  } finally {
    stream.destroy();
  }
}

export function ioError(label: string, err: unknown): DataError {
  if (err instanceof DataError) return err;
  if (err instanceof FileReadError) return new DataError({ file: label, code: 'io', detail: err.message.replace(/^\S+ is /, 'is ') }, { cause: err });
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new DataError({ file: label, code: 'not-found', detail: 'no such file' }, { cause: err });
  if (code === 'EISDIR') return new DataError({ file: label, code: 'io', detail: 'is a folder, not a file' }, { cause: err });
  const why = err instanceof Error ? err.message : String(err);
  return new DataError({ file: label, code: 'io', detail: `cannot read: ${why}` }, { cause: err });
}
