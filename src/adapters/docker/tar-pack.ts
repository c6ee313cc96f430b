/**
 * A tar stream of workspace files for the engine's archive API, built for
 * speed (the remote-engine upload must stay close to `docker cp`):
 * headers written here (ustar, a PAX record for long or non-ASCII names and
 * huge files), small files read whole with one read each, several reads in
 * flight ahead of the writer, each file hashed (sha256) from the bytes sent,
 * and the output handed to the HTTP request in runs of about 1 MB (one
 * chunk each) instead of one write per header, body and padding.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';

export interface PackFile {
  /** Workspace-relative `/` path: the entry's name. */
  rel: string;
  size: number;
  mtimeMs: number;
  mode: number;
}

export interface PackedFile {
  rel: string;
  hash: string;
  size: number;
  mtimeMs: number;
}

/** Files read whole in one read (bigger ones go in parts of this size). */
const WHOLE_BYTES = 1024 * 1024;
/** Files being read ahead of the one being written. */
const READ_AHEAD = 8;
/** Pieces smaller than this are gathered into runs of about RUN_BYTES before they are handed on. */
const SMALL_BYTES = 64 * 1024;
const RUN_BYTES = 512 * 1024;
const BLOCK = 512;

function octal(buf: Buffer, value: number, offset: number, width: number): void {
  buf.write(value.toString(8).padStart(width - 1, '0') + '\0', offset, width, 'ascii');
}

/** ustar fits: a plain ASCII name up to 100 bytes, a size below 8 GiB. */
function fitsUstar(name: string, size: number): boolean {
  return name.length <= 100 && /^[\x20-\x7e]*$/.test(name) && size < 0o77777777777;
}

/** Extra header fields: a symlink's target (type '2'), the owner's names (uid and gid are always 0). */
interface HeaderExtra {
  link?: string;
  owner?: string;
}

function header(name: string, size: number, mtimeMs: number, mode: number, type: '0' | '2' | '5' | 'x', extra: HeaderExtra = {}): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  octal(h, mode & 0o7777, 100, 8);
  octal(h, 0, 108, 8); // uid
  octal(h, 0, 116, 8); // gid
  octal(h, Math.min(size, 0o77777777777), 124, 12);
  octal(h, Math.max(0, Math.floor(mtimeMs / 1000)), 136, 12);
  h.write(type, 156, 1, 'ascii');
  if (extra.link !== undefined) h.write(extra.link, 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  if (extra.owner) {
    h.write(extra.owner, 265, 32, 'utf8'); // uname
    h.write(extra.owner, 297, 32, 'utf8'); // gname
  }
  h.fill(0x20, 148, 156); // the checksum counts its own field as spaces
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i]!;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

function padding(size: number): Buffer | undefined {
  const rest = size % BLOCK;
  return rest ? Buffer.alloc(BLOCK - rest) : undefined;
}

/**
 * The header blocks of one file (or, with `extra.link`, a symlink): a PAX
 * record first when ustar cannot hold its name, its target or its size.
 */
export function fileHeader(f: Pick<PackFile, 'rel' | 'size' | 'mtimeMs' | 'mode'>, extra: HeaderExtra = {}): Buffer[] {
  const type = extra.link === undefined ? '0' : '2';
  const linkFits = extra.link === undefined || fitsUstar(extra.link, 0);
  if (fitsUstar(f.rel, f.size) && linkFits) return [header(f.rel, f.size, f.mtimeMs, f.mode, type, extra)];
  const record = (key: string, value: string): string => {
    const body = Buffer.byteLength(` ${key}=${value}\n`);
    // The length counts its own digits.
    let len = body;
    while (body + String(len).length !== len) len = body + String(len).length;
    return `${len} ${key}=${value}\n`;
  };
  const ascii = (s: string) => s.replace(/[^\x20-\x7e]/g, '_');
  const pax = Buffer.from(record('path', f.rel) + record('size', String(f.size)) + (linkFits ? '' : record('linkpath', extra.link!)), 'utf8');
  const short = `PaxHeader/${ascii(f.rel).slice(-80)}`;
  const shortExtra = { ...extra, ...(extra.link !== undefined ? { link: ascii(extra.link).slice(0, 100) } : {}) };
  return [header(short, pax.length, f.mtimeMs, 0o644, 'x', extra.owner ? { owner: extra.owner } : {}), pax, ...[padding(pax.length)].filter((b): b is Buffer => !!b), header(ascii(f.rel).slice(0, 100), f.size, f.mtimeMs, f.mode, type, shortExtra)];
}

/** Reads a small file's `size` bytes into `buf` at `at`. Plain callbacks: lighter than a FileHandle, which costs much per file. */
function readFileInto(abs: string, rel: string, size: number, buf: Buffer, at: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.open(abs, 'r', (err, fd) => {
      if (err) return reject(err);
      const end = (e?: unknown) => fs.close(fd, () => (e ? reject(e) : resolve()));
      let done = 0;
      const next = (): void => {
        if (done >= size) return end();
        fs.read(fd, buf, at + done, size - done, done, (e, bytesRead) => {
          if (e) return end(e);
          if (bytesRead === 0) return end(shrank(rel, done, size));
          done += bytesRead;
          next();
        });
      };
      next();
    });
  });
}

function shrank(rel: string, done: number, size: number): Error {
  return new Error(`${rel} shrank while it was being sent (${done} of ${size} bytes): run again once it is written`);
}

/** A big file's `size` bytes in fresh parts of WHOLE_BYTES. */
async function* readParts(abs: string, rel: string, size: number): AsyncGenerator<Buffer> {
  const fh = await fs.promises.open(abs, 'r');
  try {
    let done = 0;
    while (done < size) {
      const buf = Buffer.allocUnsafe(Math.min(WHOLE_BYTES, size - done));
      const { bytesRead } = await fh.read(buf, 0, buf.length, done);
      if (bytesRead === 0) throw shrank(rel, done, size);
      done += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/**
 * A tar of `files` below `root`, hashed as they stream: `sent` resolves
 * with each file's hash once the whole tar has been read, and rejects (as
 * the stream errors) when a file cannot be read.
 */
export function packFiles(root: string, files: readonly PackFile[]): { tar: Readable; sent: Promise<PackedFile[]> } {
  const done: PackedFile[] = [];
  let finish!: (v: PackedFile[]) => void;
  let fail!: (e: unknown) => void;
  const sent = new Promise<PackedFile[]>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  sent.catch(() => undefined);
  /** A small file's whole entry (header, content, padding) in one buffer, its content read straight into it. */
  const entry = async (f: PackFile): Promise<{ buf: Buffer; at: number }> => {
    const head = fileHeader(f);
    const at = head.reduce((n, b) => n + b.length, 0);
    const pad = (BLOCK - (f.size % BLOCK)) % BLOCK;
    const buf = Buffer.allocUnsafe(at + f.size + pad);
    let o = 0;
    for (const b of head) o += b.copy(buf, o);
    buf.fill(0, at + f.size);
    await readFileInto(path.join(root, f.rel), f.rel, f.size, buf, at);
    return { buf, at };
  };
  async function* blocks(): AsyncGenerator<Buffer> {
    // Small pieces (folder headers, small files) gathered into runs; big ones go as they are.
    let run: Buffer[] = [];
    let runBytes = 0;
    function* add(b: Buffer): Generator<Buffer> {
      if (b.length >= SMALL_BYTES) {
        if (run.length) yield take();
        yield b;
        return;
      }
      run.push(b);
      runBytes += b.length;
      if (runBytes >= RUN_BYTES) yield take();
    }
    const take = (): Buffer => {
      const out = run.length === 1 ? run[0]! : Buffer.concat(run, runBytes);
      run = [];
      runBytes = 0;
      return out;
    };
    // Small files are read ahead, in order; big ones when their turn comes.
    const ahead: (Promise<{ buf: Buffer; at: number }> | undefined)[] = [];
    const start = (i: number) => {
      const f = files[i];
      if (!f || f.size > WHOLE_BYTES) return undefined;
      const p = entry(f);
      p.catch(() => undefined);
      return p;
    };
    for (let i = 0; i < Math.min(READ_AHEAD, files.length); i++) ahead.push(start(i));
    // Folder entries before their first file, as `tar` and `docker cp` send them: the engine then makes each folder once.
    const folders = new Set<string>();
    const now = Date.now();
    for (let i = 0; i < files.length; i++) {
      const f = files[i]!;
      const pending = ahead.shift();
      ahead.push(start(i + READ_AHEAD));
      for (let at = f.rel.indexOf('/'); at > 0; at = f.rel.indexOf('/', at + 1)) {
        const dir = f.rel.slice(0, at + 1);
        if (folders.has(dir)) continue;
        folders.add(dir);
        if (fitsUstar(dir, 0)) yield* add(header(dir, 0, now, 0o755, '5'));
      }
      const h = createHash('sha256');
      if (pending) {
        const { buf, at } = await pending;
        h.update(buf.subarray(at, at + f.size));
        yield* add(buf);
      } else {
        // A big file: its parts go out as they are read.
        for (const b of fileHeader(f)) yield* add(b);
        if (run.length) yield take();
        for await (const part of readParts(path.join(root, f.rel), f.rel, f.size)) {
          h.update(part);
          yield part;
        }
        const pad = padding(f.size);
        if (pad) yield* add(pad);
      }
      done.push({ rel: f.rel, hash: h.digest('hex'), size: f.size, mtimeMs: f.mtimeMs });
    }
    yield* add(Buffer.alloc(BLOCK * 2)); // end of archive
    if (run.length) yield take();
  }
  const tar = Readable.from(
    (async function* () {
      try {
        yield* blocks();
        finish(done);
      } catch (err) {
        fail(err);
        throw err;
      }
    })(),
    { objectMode: false },
  );
  return { tar, sent };
}

/** An entry of `packTree`: a file or symlink below the root (the listing's TreeEntry fits). */
export interface TreeFile {
  rel: string;
}

/** An in-memory file appended after the tree (a build's Dockerfile as sent). */
export interface ExtraFile {
  rel: string;
  body: Buffer;
  mode: number;
  mtimeMs: number;
}

/** A tar run handed on once it holds this much (or SLICE_MS have passed). */
const TREE_RUN_BYTES = 1024 * 1024;
/** The longest the packer reads before the event loop gets a turn. */
const SLICE_MS = 8;

/**
 * A tar of the files `entries` names below `root`, then `extra`, for the
 * engine's build API, built for speed: each file lstat'ed (mode, mtime,
 * and whether it is still a file or now a symlink) and read with plain
 * synchronous calls straight into a run buffer of about 1 MB behind its
 * header, runs handed on one chunk each. Synchronous reads do a third of
 * the work of callbacks through the thread pool for a context of small
 * files (the cost is the per-call round trip, not the bytes), and a slice
 * stops after SLICE_MS so the event loop still gets turns. Files larger
 * than WHOLE_BYTES go in parts. `owner` names the owner of tree entries
 * (uid and gid are 0). No folder entries: the builder makes the folders,
 * as the engine did from tar-stream's archives, so layer cache keys stay.
 * A file gone since it was listed, or that shrinks while read, fails the
 * stream with an error naming it.
 */
export function packTree(root: string, entries: readonly TreeFile[], opts: { owner?: string; extra?: readonly ExtraFile[] } = {}): Readable {
  const extraHeader = opts.owner ? { owner: opts.owner } : {};
  async function* chunks(): AsyncGenerator<Buffer> {
    let run = Buffer.allocUnsafe(TREE_RUN_BYTES);
    let at = 0;
    let sliceStart = performance.now();
    const put = (b: Buffer) => {
      at += b.copy(run, at);
    };
    /** Room for `bytes` more in the run: hands the run on first when it lacks it. */
    function* room(bytes: number): Generator<Buffer> {
      if (at + bytes <= run.length) return;
      if (at > 0) yield run.subarray(0, at);
      run = Buffer.allocUnsafe(Math.max(TREE_RUN_BYTES, bytes));
      at = 0;
    }
    for (const f of entries) {
      const abs = path.join(root, f.rel);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(abs);
      } catch (e) {
        throw new Error(`${f.rel} could not be sent: ${(e as Error).message} (it changed since the context was listed: run again)`, { cause: e });
      }
      if (st.isSymbolicLink()) {
        const link = fs.readlinkSync(abs);
        const head = fileHeader({ rel: f.rel, size: 0, mtimeMs: st.mtimeMs, mode: st.mode }, { ...extraHeader, link });
        for (const b of head) {
          yield* room(b.length);
          put(b);
        }
      } else if (!st.isFile()) {
        throw new Error(`${f.rel} could not be sent: it is no longer a regular file (it changed since the context was listed: run again)`);
      } else {
        const head = fileHeader({ rel: f.rel, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode }, extraHeader);
        const pad = (BLOCK - (st.size % BLOCK)) % BLOCK;
        const whole = st.size <= WHOLE_BYTES;
        let headBytes = 0;
        for (const b of head) headBytes += b.length;
        yield* room(headBytes + (whole ? st.size + pad : 0));
        for (const b of head) put(b);
        const fd = fs.openSync(abs, 'r');
        try {
          let done = 0;
          while (done < st.size) {
            if (!whole) yield* room(Math.min(WHOLE_BYTES, st.size - done));
            const want = whole ? st.size - done : Math.min(WHOLE_BYTES, st.size - done, run.length - at);
            const n = fs.readSync(fd, run, at, want, done);
            if (n === 0) throw shrank(f.rel, done, st.size);
            done += n;
            at += n;
          }
        } finally {
          fs.closeSync(fd);
        }
        yield* room(pad);
        run.fill(0, at, at + pad);
        at += pad;
      }
      if (performance.now() - sliceStart >= SLICE_MS) {
        if (at > 0) {
          yield run.subarray(0, at);
          run = Buffer.allocUnsafe(TREE_RUN_BYTES);
          at = 0;
        }
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    for (const x of opts.extra ?? []) {
      const head = fileHeader({ rel: x.rel, size: x.body.length, mtimeMs: x.mtimeMs, mode: x.mode });
      for (const b of [...head, x.body, padding(x.body.length) ?? Buffer.alloc(0)]) {
        yield* room(b.length);
        put(b);
      }
    }
    yield* room(BLOCK * 2);
    run.fill(0, at, at + BLOCK * 2);
    at += BLOCK * 2;
    yield run.subarray(0, at);
  }
  return Readable.from(chunks(), { objectMode: false });
}
