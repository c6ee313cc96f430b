/**
 * The tar streams of the ssh:// cache remote, without a stream library:
 * the headers a push writes (./tar-writer.ts puts them, and each object's
 * content, into reused buffers), and a reader of the server's `tar -c`
 * output, entry by entry.
 * Only what the remote needs: ustar regular files and hard links, names of
 * at most 100 bytes (every cache key and staging name is shorter), sizes
 * beyond 8 GiB in GNU base-256. Reading also accepts GNU long names and
 * skips pax headers, whatever the server's tar writes.
 */

export const TAR_BLOCK = 512;
const MAX_OCTAL_SIZE = 8 ** 11 - 1;

function octal(h: Buffer, off: number, len: number, n: number): void {
  h.write(n.toString(8).padStart(len - 1, '0') + '\0', off, len, 'ascii');
}

/**
 * Writes one ustar header into `buf` at `off` (the whole block, zeros
 * included): a regular file of `size` bytes, or (with `link`) a hard link
 * to an entry earlier in the same archive, which `tar -x` makes with
 * link(2): the name appears at once, complete.
 */
export function writeTarHeader(buf: Buffer, off: number, name: string, size: number, opts: { link?: string; mode?: number; mtime?: number } = {}): void {
  if (Buffer.byteLength(name) > 100 || (opts.link !== undefined && Buffer.byteLength(opts.link) > 100)) throw new Error(`tar name longer than 100 bytes: '${name}'`);
  const h = buf.subarray(off, off + TAR_BLOCK);
  h.fill(0);
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, opts.mode ?? 0o644);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  const bytes = opts.link === undefined ? size : 0;
  if (bytes <= MAX_OCTAL_SIZE) octal(h, 124, 12, bytes);
  else {
    // GNU base-256: the top bit of the first byte set, the size big-endian in the rest.
    h[124] = 0x80;
    let n = BigInt(bytes);
    for (let i = 135; i > 124; i--) {
      h[i] = Number(n & 0xffn);
      n >>= 8n;
    }
  }
  octal(h, 136, 12, opts.mtime ?? Math.floor(Date.now() / 1000));
  h.write('        ', 148, 8, 'ascii');
  h[156] = opts.link === undefined ? 0x30 : 0x31; // '0' file, '1' hard link
  if (opts.link !== undefined) h.write(opts.link, 157, 100, 'utf8');
  h.write('ustar\u000000', 257, 8, 'ascii');
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += h[i];
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
}

function cString(b: Buffer, off: number, len: number): string {
  const end = b.indexOf(0, off);
  return b.toString('utf8', off, end < 0 || end > off + len ? off + len : end);
}

function readSize(h: Buffer): number {
  if (h[124] & 0x80) {
    let n = 0n;
    for (let i = 125; i < 136; i++) n = (n << 8n) | BigInt(h[i]);
    return Number(n);
  }
  const s = cString(h, 124, 12).trim();
  const n = s ? parseInt(s, 8) : 0;
  if (!Number.isFinite(n)) throw new Error(`tar header of '${cString(h, 0, 100)}' has a bad size '${s}'`);
  return n;
}

export interface TarEntry {
  name: string;
  size: number;
  /** '0' regular file, '1' hard link, '2' symlink, '5' folder, ... */
  type: string;
}

/**
 * An incremental reader of a tar stream: `push` the bytes as they come;
 * `onEntry` is called for each header, then `onData` with the entry's
 * content (slices of the pushed buffers, in order), then `onEnd`.
 */
export class TarReader {
  private header: Buffer[] = [];
  private headerBytes = 0;
  private left = 0;
  private pad = 0;
  private current: TarEntry | undefined;
  private longName: Buffer[] | undefined;
  private skipping = false;
  private nextName: string | undefined;
  /** True once the end-of-archive block is seen. */
  ended = false;

  constructor(private readonly sink: {
    onEntry(e: TarEntry): void;
    onData(chunk: Buffer): void;
    onEnd(): void;
  }) {}

  /** Reads `buf`; returns how many of its bytes belong to the archive (all of them until the end block). */
  push(buf: Buffer): number {
    let off = 0;
    while (off < buf.length && !this.ended) {
      if (this.left > 0) {
        const n = Math.min(this.left, buf.length - off);
        const part = buf.subarray(off, off + n);
        if (this.longName) this.longName.push(part);
        else if (!this.skipping) this.sink.onData(part);
        this.left -= n;
        off += n;
        if (this.left === 0) this.finishEntry();
        continue;
      }
      if (this.pad > 0) {
        const n = Math.min(this.pad, buf.length - off);
        this.pad -= n;
        off += n;
        continue;
      }
      const n = Math.min(TAR_BLOCK - this.headerBytes, buf.length - off);
      this.header.push(buf.subarray(off, off + n));
      this.headerBytes += n;
      off += n;
      if (this.headerBytes === TAR_BLOCK) {
        const h = this.header.length === 1 ? this.header[0] : Buffer.concat(this.header, TAR_BLOCK);
        this.header = [];
        this.headerBytes = 0;
        this.startEntry(h);
      }
    }
    return off;
  }

  private startEntry(h: Buffer): void {
    if (h.every((b) => b === 0)) {
      this.ended = true;
      return;
    }
    const size = readSize(h);
    const type = String.fromCharCode(h[156] || 0x30);
    this.pad = (TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK;
    this.left = size;
    if (type === 'L') {
      this.longName = [];
    } else if (type === 'x' || type === 'g' || type === 'K') {
      this.skipping = true;
    } else {
      let name = this.nextName ?? cString(h, 0, 100);
      const magic = h.toString('ascii', 257, 263);
      if (this.nextName === undefined && magic === 'ustar\0' && h[345]) name = `${cString(h, 345, 155)}/${name}`;
      this.nextName = undefined;
      this.current = { name, size, type };
      this.sink.onEntry(this.current);
    }
    if (size === 0) this.finishEntry();
  }

  private finishEntry(): void {
    if (this.longName) {
      this.nextName = cString(Buffer.concat(this.longName), 0, Number.MAX_SAFE_INTEGER);
      this.longName = undefined;
    } else if (this.skipping) {
      this.skipping = false;
    } else if (this.current) {
      this.current = undefined;
      this.sink.onEnd();
    }
  }
}
