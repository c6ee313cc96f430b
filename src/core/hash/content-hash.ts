/** SHA-256 of strings and of file contents, the latter streamed in chunks. */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Read size: large enough that a 9 MB file is a handful of reads, small enough that 8 in flight stay at 8 MiB. */
export const CHUNK_BYTES = 1024 * 1024;

/** sha256 hex of a string (UTF-8), for fingerprints. */
export function hashText(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/**
 * sha256 hex of a file's content, read through `buf` one chunk at a time so
 * a 1 GB file never sits in memory. `expectedSize` (from the caller's stat)
 * lets a short read that reaches it end the loop: a local regular file only
 * reads short at end of file, and skipping the confirming zero-byte read
 * saves a thread-pool round trip per small file. If the size is not reached
 * (the file shrank, or a file system that reads short) it reads on to EOF.
 */
export async function hashFileContent(absPath: string, buf: Buffer, expectedSize: number): Promise<string> {
  const h = createHash('sha256');
  // O_NONBLOCK: a file replaced by a FIFO since it was stat'ed must not block the open.
  const fh = await open(absPath, constants.O_RDONLY | constants.O_NONBLOCK);
  if (!(await fh.stat()).isFile()) {
    await fh.close();
    throw new Error(`cannot hash ${absPath}: not a regular file (it changed since it was listed)`);
  }
  try {
    let total = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
      total += bytesRead;
      if (bytesRead < buf.length && total === expectedSize) break;
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}
