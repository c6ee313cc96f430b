/**
 * Writes a push's tar stream (./tar.ts's format) into a few buffers that
 * are reused: headers, padding and file contents are put straight into the
 * current buffer (a file is read into it with pread, no buffer of its own),
 * which goes to the channel when full; it is reused once the channel has
 * taken its bytes (the write's callback). So sending 1 GB allocates a few
 * MB, not one buffer per object and per read: on the 1 GB bench the
 * garbage of the old per-object buffers cost the client about a second.
 *
 * The buffers in flight are the backpressure: with every buffer handed to
 * the channel and none returned yet, the writer waits.
 *
 * Files are read synchronously: an object is read in a few system calls
 * (open, pread, fstat, close) from a cache that is usually in the page
 * cache, where a round trip through libuv's thread pool per call cost more
 * CPU than the call (10,000 small objects). The event loop is held for at
 * most one buffer's read.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { TAR_BLOCK, writeTarHeader } from './tar';

/** Sends `bytes`; calls `done` once they are taken and the buffer may be reused. */
export type SendBuffer = (bytes: Buffer, done: () => void) => void;

export class TarWriter {
  private readonly free: Buffer[] = [];
  private made = 0;
  private buf: Buffer;
  private at = 0;
  private wake: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly send: SendBuffer, private readonly bufferBytes = 1024 * 1024, private readonly buffers = 4) {
    this.buf = this.make();
  }

  /** The channel is gone: nothing more is sent, and no call waits any longer. */
  stop(): void {
    this.stopped = true;
    this.notify();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** A header (see tarHeader). */
  async header(name: string, size: number, opts: { link?: string; mtime?: number } = {}): Promise<void> {
    await this.room(TAR_BLOCK);
    writeTarHeader(this.buf, this.at, name, size, opts);
    this.at += TAR_BLOCK;
  }

  /** Content held in memory, then its padding. */
  async bytes(b: Buffer): Promise<void> {
    for (let off = 0; off < b.length && !this.stopped;) {
      await this.room(1);
      const n = b.copy(this.buf, this.at, off);
      this.at += n;
      off += n;
    }
    await this.pad(b.length);
  }

  /** The `size` bytes of the file at `file`, then their padding; throws if the file is not `size` bytes long. */
  async file(file: string, size: number): Promise<void> {
    const fd = openSync(file, 'r');
    try {
      for (let pos = 0; pos < size;) {
        await this.room(1);
        if (this.stopped) return;
        const n = readSync(fd, this.buf, this.at, Math.min(this.buf.length - this.at, size - pos), pos);
        if (n === 0) throw new Error(`${file} changed size while being sent (${pos} of ${size} bytes)`);
        this.at += n;
        pos += n;
      }
      const now = fstatSync(fd).size;
      if (now !== size) throw new Error(`${file} changed size while being sent (${now} bytes, ${size} expected)`);
    } finally {
      closeSync(fd);
    }
    await this.pad(size);
  }

  /** The end-of-archive blocks, then everything still held goes out. */
  async end(): Promise<void> {
    await this.zeros(2 * TAR_BLOCK);
    await this.flush();
  }

  /** Sends what the current buffer holds. */
  async flush(): Promise<void> {
    if (!this.at) return;
    if (this.stopped) {
      this.at = 0;
      return;
    }
    const b = this.buf;
    this.send(b.subarray(0, this.at), () => {
      this.free.push(b);
      this.notify();
    });
    this.buf = await this.take();
    this.at = 0;
  }

  private async pad(size: number): Promise<void> {
    const rest = size % TAR_BLOCK;
    if (rest) await this.zeros(TAR_BLOCK - rest);
  }

  private async zeros(n: number): Promise<void> {
    while (n > 0 && !this.stopped) {
      await this.room(1);
      const k = Math.min(n, this.buf.length - this.at);
      this.buf.fill(0, this.at, this.at + k);
      this.at += k;
      n -= k;
    }
  }

  /** Makes sure the current buffer has `n` bytes free (n ≤ one block). */
  private async room(n: number): Promise<void> {
    if (this.buf.length - this.at < n) await this.flush();
  }

  private async take(): Promise<Buffer> {
    for (;;) {
      const b = this.free.pop();
      if (b) return b;
      if (this.made < this.buffers) return this.make();
      // Stopped: the buffers in flight may never come back; what is written now is dropped anyway.
      if (this.stopped) return this.buf;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private make(): Buffer {
    this.made++;
    return Buffer.allocUnsafe(this.bufferBytes);
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
