/**
 * The persistent stat cache: file -> (size, mtimeMs, inode, sha256). As in
 * DVC (and git's index), a file whose size, mtime and inode all match its
 * entry is taken to be unchanged, so an unchanged 1 GB dataset costs one
 * lstat instead of a full read. The inode catches a file replaced by another
 * with the same size and mtime (a `mv` over it, an unpacked archive).
 *
 * Entries are grouped by directory, in memory and on disk:
 * `{ "version": 1, "dirs": { "<abs dir>": [name, size, mtimeMs, ino, hash, name, ...] } }`.
 * A walk looks files up by short names, and the flat arrays parse about 3x
 * faster than one object per absolute path (the load was a fifth of a warm
 * 10k-file check that way).
 */
import { randomBytes } from 'node:crypto';
import { FILE_LIMITS, readRegularFileSync } from '../files/regular-file';
import { lstat, mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { drain } from './bounded';
import { isMissing } from './fs-errors';

const FORMAT_VERSION = 1;
const FIELDS = 5;

interface Entry {
  size: number;
  mtimeMs: number;
  ino: number;
  hash: string;
  /** Looked up or stored by this process, so the file existed just now. */
  seen: boolean;
}

/** What a cache entry is checked against: from an lstat (fs.Stats has these too). */
export interface StatKey {
  size: number;
  mtimeMs: number;
  ino: number;
}

/** The cached files of one directory, by name. */
export class CacheDir {
  readonly files = new Map<string, Entry>();

  constructor(private readonly owner: { dirty: boolean }) {}

  /** The cached hash if `st` still matches the entry; a stale entry is dropped. */
  lookup(name: string, st: StatKey): string | undefined {
    const e = this.files.get(name);
    if (!e) return undefined;
    if (e.size === st.size && e.mtimeMs === st.mtimeMs && e.ino === st.ino) {
      e.seen = true;
      return e.hash;
    }
    this.files.delete(name);
    this.owner.dirty = true;
    return undefined;
  }

  store(name: string, st: StatKey, hash: string): void {
    this.files.set(name, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, hash, seen: true });
    this.owner.dirty = true;
  }
}

export class StatCache {
  private readonly dirs = new Map<string, CacheDir>();
  /** Set by CacheDir on any change; `save()` writes only then. */
  dirty = false;
  private loaded = false;

  /** `file` undefined: an in-memory cache for this instance only. */
  constructor(private readonly file: string | undefined, private readonly pruneAbove: number, private readonly concurrency: number) {}

  /** Loads the state file, once. */
  load(): void {
    if (this.loaded) return;
    this.loaded = true;
    this.read();
  }

  /** The entries of directory `absDir` (normalized, as path.resolve gives it); created empty on first use. */
  dir(absDir: string): CacheDir {
    let d = this.dirs.get(absDir);
    if (!d) this.dirs.set(absDir, (d = new CacheDir(this)));
    return d;
  }

  get size(): number {
    let n = 0;
    for (const d of this.dirs.values()) n += d.files.size;
    return n;
  }

  /**
   * Writes the state file if anything changed: a temp file in the same
   * folder, fsynced, then renamed over the old one, so a crash or a
   * concurrent reader sees the old cache or the new one, never half of one.
   * Entries not seen by this process are kept (another stage or pipeline
   * may hash those files next); once there are more than `pruneAbove`, the
   * ones whose file no longer exists are dropped.
   */
  async save(): Promise<void> {
    if (!this.file || !this.dirty) return;
    if (this.size > this.pruneAbove) await this.prune();
    const out: Record<string, (string | number)[]> = {};
    for (const [dir, d] of this.dirs) {
      if (d.files.size === 0) continue;
      const flat: (string | number)[] = [];
      for (const [name, e] of d.files) flat.push(name, e.size, e.mtimeMs, e.ino, e.hash);
      out[dir] = flat;
    }
    const text = JSON.stringify({ version: FORMAT_VERSION, dirs: out });
    await mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
    try {
      const fh = await open(tmp, 'wx');
      try {
        await fh.writeFile(text);
        // Without the fsync a crash right after the rename can leave an
        // empty file on ext4/xfs (the rename reaches disk before the data).
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.file);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    this.dirty = false;
  }

  private async prune(): Promise<void> {
    const unseen: { d: CacheDir; name: string; abs: string }[] = [];
    for (const [dir, d] of this.dirs) {
      for (const [name, e] of d.files) if (!e.seen) unseen.push({ d, name, abs: path.join(dir, name) });
    }
    await drain(unseen, this.concurrency, async ({ d, name, abs }) => {
      try {
        await lstat(abs);
      } catch (e) {
        if (isMissing(e)) d.files.delete(name);
      }
    });
  }

  /** A missing, unreadable or corrupt state file is an empty cache: the cost is re-hashing, never a failed run. */
  private read(): void {
    if (!this.file) return;
    let parsed: unknown;
    try {
      // Synchronous: one read, and fs.promises.readFile's chunked thread-pool
      // round trips cost more than the read itself (5.8 vs 3.9 ms with the
      // parse, for a 10k-file cache); the parse blocks either way.
      // Only a regular file of bounded size: a FIFO here would block every run.
      parsed = JSON.parse(readRegularFileSync(this.file, FILE_LIMITS.hashCache));
    } catch {
      return;
    }
    if (typeof parsed !== 'object' || parsed === null) return;
    const { version, dirs } = parsed as { version?: unknown; dirs?: unknown };
    if (version !== FORMAT_VERSION || typeof dirs !== 'object' || dirs === null) return;
    const table = dirs as Record<string, unknown>;
    for (const dir in table) {
      const flat = table[dir];
      if (!Array.isArray(flat)) continue;
      const d = this.dir(dir);
      for (let i = 0; i + FIELDS <= flat.length; i += FIELDS) {
        const name: unknown = flat[i];
        const size: unknown = flat[i + 1];
        const mtimeMs: unknown = flat[i + 2];
        const ino: unknown = flat[i + 3];
        const hash: unknown = flat[i + 4];
        if (typeof name !== 'string' || typeof size !== 'number' || typeof mtimeMs !== 'number' || typeof ino !== 'number' || typeof hash !== 'string' || hash.length !== 64) continue;
        d.files.set(name, { size, mtimeMs, ino, hash, seen: false });
      }
    }
  }
}
