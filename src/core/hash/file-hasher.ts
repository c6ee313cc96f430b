/**
 * Content hashes of stage deps and outputs, for the run engine's
 * up-to-date checks. A file's hash is the sha256 of its bytes; a
 * directory's is the sha256 of the sorted `relpath\0filehash\n` lines of
 * every file below it, so a rename, an added or removed file and a content
 * change all change it, and touching a file (mtime only) does not.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstatSync, readlinkSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { drain } from './bounded';
import { CHUNK_BYTES, hashFileContent, hashText } from './content-hash';
import type { CacheDir, StatKey } from './stat-cache';
import { isMissing } from './fs-errors';
import { StatCache } from './stat-cache';
import { KIND_ERROR, KIND_FILE, KIND_SYMLINK, ROW } from './stat-rows';
import { WalkStats } from './stat-worker';
import type { TreeFilter, WalkDir } from './walk';
import { walkTree } from './walk';
import { Yielder } from './yielder';

export interface PathHash {
  kind: 'file' | 'dir';
  hash: string;
  /** Files covered (1 for a file; regular files and symlinks for a directory). */
  files: number;
  /** Bytes of regular-file content covered. */
  bytes: number;
}

/** One entry of a hashed directory: a regular file (hash, size) or a symlink (its target). */
export type TreeEntry = { rel: string; hash: string; size: number; link?: undefined } | { rel: string; hash: string; size: 0; link: string };

export interface FileHasherOptions {
  /** Files read at once (default 8): enough to keep an SSD busy, few enough to bound descriptors and buffers. */
  concurrency?: number;
  /** Above this many cache entries, `save()` drops those whose file is gone (default 200,000). */
  pruneAbove?: number;
  /** Walks share their lstats with a worker thread once they have found this many entries (default 1,024; see stat-worker.ts). */
  parallelStatAbove?: number;
}

/**
 * A file modified less than this long before it is read is not cached.
 * Racy git: file systems store mtimes at some granularity (1 s on ext3 and
 * HFS+, the kernel's clock tick even on ext4), so a write landing later in
 * the same tick as the one we saw leaves size and mtime unchanged, and a
 * cached hash would then hide the new content for good. Once the mtime is
 * a second old, any later write gets a different mtime and misses the cache.
 */
const RACY_MS = 1000;

export class FileHasher {
  private readonly cache: StatCache;
  private readonly concurrency: number;
  private readonly parallelStatAbove: number;
  /** Read buffers reused across files: one per read in flight, so the pool stays at the peak concurrency. */
  private readonly buffers: Buffer[] = [];

  /** `stateFile`: absolute path of the persistent stat cache (`<pipeline dir>/.mlci/state/hashes.json`); without one the cache lives in this instance only. */
  constructor(stateFile?: string, options: FileHasherOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.parallelStatAbove = options.parallelStatAbove ?? 1024;
    this.cache = new StatCache(stateFile, options.pruneAbove ?? 200_000, this.concurrency);
  }

  /**
   * The hash of a file or directory, undefined when it does not exist. The
   * path itself is followed if it is a symlink (it is what the pipeline
   * names); symlinks below a directory are not (see `symlinkHash`).
   */
  async hashPath(absPath: string): Promise<PathHash | undefined> {
    if (!path.isAbsolute(absPath)) throw new Error(`FileHasher.hashPath needs an absolute path, got '${absPath}'`);
    let st: Stats;
    try {
      st = await stat(absPath);
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
    if (st.isDirectory()) return dirHash(await this.scan(path.resolve(absPath)));
    if (!st.isFile()) throw new Error(`cannot hash ${absPath}: not a regular file or directory`);
    const abs = path.resolve(absPath);
    this.cache.load();
    const cached = this.cache.dir(path.dirname(abs));
    const name = path.basename(abs);
    const hash = cached.lookup(name, st) ?? (await this.readAndCache(abs, st, cached, name));
    return hash === undefined ? undefined : { kind: 'file', hash, files: 1, bytes: st.size };
  }

  /**
   * Like `hashPath` for a directory, also returning every entry (what the
   * content-addressed cache stores). Undefined when the path is missing or
   * not a directory.
   */
  async hashTree(absPath: string): Promise<(PathHash & { entries: TreeEntry[] }) | undefined> {
    const st = await stat(absPath).catch((e: unknown) => {
      if (isMissing(e)) return undefined;
      throw e;
    });
    if (!st?.isDirectory()) return undefined;
    const scanned = await this.scan(path.resolve(absPath));
    return { ...dirHash(scanned), entries: scanned.entries };
  }

  /**
   * The files below `root` that `filter` keeps, with hashes and sizes,
   * sorted by path (UTF-16 code units): the same stat-cached walk as a
   * directory hash, for a Docker build context filtered by its
   * `.dockerignore` (no file is read when the cache holds; a directory the
   * filter skips is not walked).
   */
  async listFiles(root: string, filter?: TreeFilter): Promise<TreeEntry[]> {
    const { entries } = await this.scan(path.resolve(root), filter);
    return entries.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  }

  /**
   * Records a hash the caller knows for a file (the cache just linked it
   * from an object of that hash), so the next check is an lstat, not a
   * read. Only when the file is not racy (see RACY_MS).
   */
  prime(absPath: string, st: StatKey, hash: string): void {
    if (Math.abs(Date.now() - st.mtimeMs) < RACY_MS) return;
    this.cache.load();
    this.cache.dir(path.dirname(absPath)).store(path.basename(absPath), st, hash);
  }

  /** Persists the stat cache (atomically, and only if it changed). */
  save(): Promise<void> {
    return this.cache.save();
  }

  /**
   * Lists the tree, lstat's every entry (synchronously, see yielder.ts; a
   * large tree shares the stats with a worker thread as the walk finds
   * them, see stat-worker.ts),
   * answers what it can from the stat cache, then reads the misses with at
   * most `concurrency` in flight: an unchanged tree is stats only, a changed
   * one overlaps its reads. Entries come in walk order, misses last.
   */
  private async scan(root: string, filter?: TreeFilter): Promise<{ entries: TreeEntry[]; bytes: number }> {
    const yielder = new Yielder();
    const stats = new WalkStats(this.parallelStatAbove);
    // The walk's last `found` call hands over the whole list: every entry is offered.
    const walked = await walkTree(root, yielder, filter, (found) => stats.offer(found));
    // The stat cache loads while the worker stats its share.
    const rows = await stats.finish(yielder, () => this.cache.load());
    const { paths } = stats;
    const entries: TreeEntry[] = [];
    const misses: { abs: string; rel: string; st: StatKey; cached: CacheDir; name: string }[] = [];
    let bytes = 0;
    // Entries of one directory are contiguous: one cache-directory lookup per directory.
    let lastDir: WalkDir | undefined;
    let cached: CacheDir | undefined;
    for (let i = 0; i < walked.length; i++) {
      const { dir, name } = walked[i];
      const o = i * ROW;
      const kind = rows[o];
      if (kind === KIND_FILE) {
        if (dir !== lastDir) {
          lastDir = dir;
          cached = this.cache.dir(dir.abs);
        }
        const st = { size: rows[o + 1], mtimeMs: rows[o + 2], ino: rows[o + 3] };
        const hash = cached!.lookup(name, st);
        if (hash === undefined) {
          misses.push({ abs: paths[i], rel: dir.relPrefix + name, st, cached: cached!, name });
        } else {
          entries.push({ rel: dir.relPrefix + name, hash, size: st.size });
          bytes += st.size;
        }
      } else if (kind === KIND_SYMLINK) {
        const target = orMissing(() => readlinkSync(paths[i]));
        if (target !== undefined) entries.push({ rel: dir.relPrefix + name, hash: symlinkHash(target), size: 0, link: target });
      } else if (kind === KIND_ERROR) {
        lstatSync(paths[i]); // throws the error the stat met (EACCES...) with its message
        throw new Error(`cannot lstat ${paths[i]}`);
      }
      // KIND_GONE: removed since listed. KIND_OTHER: sockets, FIFOs, devices
      // are not content (reading a FIFO would block); a directory here
      // replaced a file since the listing. All skipped.
    }
    await drain(misses, this.concurrency, async ({ abs, rel, st, cached: dirCache, name }) => {
      const hash = await this.readAndCache(abs, st, dirCache, name);
      if (hash === undefined) return;
      entries.push({ rel, hash, size: st.size });
      bytes += st.size;
    });
    return { entries, bytes };
  }

  /** Reads and hashes a file and caches the hash; undefined if the file is gone since `st` was taken. */
  private async readAndCache(abs: string, st: StatKey, cached: CacheDir, name: string): Promise<string | undefined> {
    // Taken before the read starts: a write after that lands more than
    // RACY_MS past a cached mtime, so it changes the mtime.
    const now = Date.now();
    const buf = this.buffers.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
    try {
      const hash = await hashFileContent(abs, buf, st.size);
      // The key is the stat taken before reading: if the file changes while
      // it is read, its new mtime no longer matches and the entry is inert.
      if (Math.abs(now - st.mtimeMs) >= RACY_MS) cached.store(name, st, hash);
      return hash;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    } finally {
      this.buffers.push(buf);
    }
  }
}

/**
 * A directory's hash: the sha256 of its entries' sorted `relpath\0hash\n`
 * lines. Sorting the lines sorts by relpath (no path holds \0, and \0
 * sorts before any character a longer path continues with), and one join
 * feeds the digest in one update. Default sort: UTF-16 code-unit order, the
 * same on every platform and locale.
 */
function dirHash({ entries, bytes }: { entries: readonly TreeEntry[]; bytes: number }): PathHash {
  const lines = entries.map((e) => `${e.rel}\0${e.hash}\n`).sort();
  return { kind: 'dir', hash: createHash('sha256').update(lines.join('')).digest('hex'), files: lines.length, bytes };
}

/**
 * A symlink below a directory is hashed as its target text, not followed:
 * following could leave the tree or loop, and the link is what the
 * directory holds. The prefix keeps a link apart from a regular file whose
 * content is that text.
 */
export function symlinkHash(target: string): string {
  return hashText(`symlink\0${target}`);
}

/** An entry that vanished since its directory was listed is skipped, as if listed a moment later. */
function orMissing<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}
