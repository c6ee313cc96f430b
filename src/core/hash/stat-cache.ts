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

/** What a cache entry is checked against: from an lstat (fs.Stats has these too). */
export interface StatKey {
  size: number;
  mtimeMs: number;
  ino: number;
}

/**
 * The cached files of one directory, by name: the state file's flat array
 * as parsed (`name, size, mtimeMs, ino, hash` per file) with an index of
 * names, not an object per file: a warm 10k-file check then allocates a
 * map entry per file and nothing else, and the garbage collector was a
 * seventh of it. Entries are checked when looked up, so a damaged one is a
 * miss, never a wrong hash.
 */
export class CacheDir {
  /** name -> offset of its entry in `flat`. */
  private readonly index = new Map<string, number>();
  private readonly flat: unknown[];
  /** Per entry (offset / FIELDS): 1 once looked up or stored by this process (the file existed just now). */
  private seen: Uint8Array;

  constructor(private readonly owner: { dirty: boolean }, flat: unknown[] = []) {
    this.flat = flat;
    this.seen = new Uint8Array(flat.length / FIELDS + 16);
    for (let i = 0; i + FIELDS <= flat.length; i += FIELDS) {
      const name = flat[i];
      if (typeof name === 'string') this.index.set(name, i);
    }
  }

  get size(): number {
    return this.index.size;
  }

  /** The cached hash if `st` still matches the entry; a stale or damaged entry is dropped. */
  lookup(name: string, st: StatKey): string | undefined {
    const i = this.index.get(name);
    if (i === undefined) return undefined;
    const f = this.flat;
    const hash = f[i + 4];
    if (f[i + 1] === st.size && f[i + 2] === st.mtimeMs && f[i + 3] === st.ino && typeof hash === 'string' && hash.length === 64) {
      this.seen[i / FIELDS] = 1;
      return hash;
    }
    this.index.delete(name);
    this.owner.dirty = true;
    return undefined;
  }

  store(name: string, st: StatKey, hash: string): void {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.flat.length;
      this.index.set(name, i);
      this.flat.push(name, 0, 0, 0, '');
      if (i / FIELDS >= this.seen.length) {
        const grown = new Uint8Array(this.seen.length * 2);
        grown.set(this.seen);
        this.seen = grown;
      }
    }
    this.flat[i + 1] = st.size;
    this.flat[i + 2] = st.mtimeMs;
    this.flat[i + 3] = st.ino;
    this.flat[i + 4] = hash;
    this.seen[i / FIELDS] = 1;
    this.owner.dirty = true;
  }

  /** Drops the entries this process has not seen and `gone(name)` says are gone. */
  async dropGone(gone: (name: string) => Promise<boolean>, concurrency: number): Promise<void> {
    const unseen = [...this.index].filter(([, i]) => !this.seen[i / FIELDS]).map(([name]) => name);
    await drain(unseen, concurrency, async (name) => {
      if (await gone(name)) this.index.delete(name);
    });
  }

  /** The well-formed entries, as the state file stores them. */
  toFlat(): unknown[] {
    const out: unknown[] = [];
    const f = this.flat;
    for (const i of this.index.values()) {
      const [name, size, mtimeMs, ino, hash] = [f[i], f[i + 1], f[i + 2], f[i + 3], f[i + 4]];
      if (typeof size === 'number' && typeof mtimeMs === 'number' && typeof ino === 'number' && typeof hash === 'string' && hash.length === 64) out.push(name, size, mtimeMs, ino, hash);
    }
    return out;
  }
}

export class StatCache {
  private readonly dirs = new Map<string, CacheDir>();
  /** Directories of the state file not asked for yet, as parsed: indexed on first use. */
  private unread: Record<string, unknown> = {};
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
    if (!d) {
      const flat = Object.hasOwn(this.unread, absDir) ? this.unread[absDir] : undefined;
      if (flat !== undefined) delete this.unread[absDir];
      this.dirs.set(absDir, (d = new CacheDir(this, Array.isArray(flat) ? flat : [])));
    }
    return d;
  }

  get size(): number {
    this.indexAll();
    let n = 0;
    for (const d of this.dirs.values()) n += d.size;
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
    this.indexAll();
    if (this.size > this.pruneAbove) await this.prune();
    const out: Record<string, unknown[]> = {};
    for (const [dir, d] of this.dirs) {
      if (d.size) out[dir] = d.toFlat();
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
    for (const [dir, d] of this.dirs) {
      await d.dropGone(async (name) => {
        try {
          await lstat(path.join(dir, name));
          return false;
        } catch (e) {
          return isMissing(e);
        }
      }, this.concurrency);
    }
  }

  /** Every directory as a CacheDir (for a count or a prune, never on a warm check's path). */
  private indexAll(): void {
    for (const dir of Object.keys(this.unread)) this.dir(dir);
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
    this.unread = dirs as Record<string, unknown>;
  }
}
