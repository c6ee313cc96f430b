/**
 * The cache as the run engine sees it: store a stage's outputs after it
 * ran, tell whether a fingerprint can be restored, restore it, and clear a
 * stage's outputs before it reruns. Everything the engine needs goes
 * through here, so the engine never touches objects or links itself.
 */
import type { Stats } from 'node:fs';
import { chmodSync, copyFileSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { PathHash, TreeEntry } from '../hash';
import type { Stage } from '../pipeline/model';
import { outOptionsOf } from '../pipeline/model';
import { depPaths, outPaths } from '../run/fingerprint';
import type { LockStage } from '../run/lockfile';
import { cacheRoot } from './layout';
import type { LinkPreference } from './link';
import { manifestText, parseManifest } from './manifest';
import type { CorruptObject } from './objects';
import { ObjectStore } from './objects';
import type { OutRecord, RunCacheEntry } from './run-cache';
import { RecordStore, runCacheKey } from './run-cache';

/** What the cache needs from the hasher (FileHasher has all of it). */
export interface CacheHasher {
  hashPath(absPath: string): Promise<PathHash | undefined>;
  hashTree(absPath: string): Promise<(PathHash & { entries: TreeEntry[] }) | undefined>;
  prime(absPath: string, st: { size: number; mtimeMs: number; ino: number }, hash: string): void;
}

export type Restorable = { entry: RunCacheEntry } | { missing: string };

export interface SaveInfo {
  runId: string;
  pipeline: string;
  commit?: string;
  lock: LockStage;
  metrics?: Record<string, number>;
  history?: Array<Record<string, number>>;
  report?: unknown;
  /** Feature dependencies a data stage measured: its importance gates need them when it is cached or restored. */
  importance?: unknown;
}

export class StageCache {
  readonly objects: ObjectStore;
  readonly records: RecordStore;

  constructor(readonly root: string, private readonly hasher: CacheHasher, link: LinkPreference = 'auto') {
    const dir = cacheRoot(root);
    this.objects = new ObjectStore(dir, link);
    this.records = new RecordStore(dir);
  }

  get dir(): string {
    return this.objects.dir;
  }

  /** Objects and records found corrupt (and removed) so far, for the run log. */
  problems(): Array<CorruptObject> {
    return [...this.objects.corrupt, ...this.records.bad];
  }

  /**
   * Stores every cached output of a stage that just passed and records the
   * run-cache entry. Returns the entry.
   */
  async save(stage: Stage, fingerprint: string, info: SaveInfo): Promise<RunCacheEntry> {
    const outs: Record<string, OutRecord> = {};
    for (const out of outPaths(stage)) {
      const abs = path.resolve(this.root, out);
      const cache = outOptionsOf(stage, out).cache;
      const tree = await this.hasher.hashTree(abs);
      if (tree) {
        if (cache) {
          for (const e of tree.entries) this.addEntry(path.join(abs, ...e.rel.split('/')), e);
          this.objects.addText(tree.hash, 'dir', manifestText(tree.entries));
        }
        outs[out] = { hash: tree.hash, kind: 'dir', cache };
        continue;
      }
      const h = await this.hasher.hashPath(abs);
      if (!h) continue; // an output the stage did not write (the lock records it missing)
      if (cache) this.addEntry(abs, { rel: out, hash: h.hash, size: h.bytes });
      outs[out] = { hash: h.hash, kind: 'file', cache };
    }
    const entry: RunCacheEntry = {
      version: 1,
      key: keyOf(stage, fingerprint),
      fingerprint,
      stage: stage.name,
      kind: stage.kind,
      pipeline: info.pipeline,
      runId: info.runId,
      createdAt: new Date().toISOString(),
      ...(info.commit ? { commit: info.commit } : {}),
      outs,
      ...(info.metrics && Object.keys(info.metrics).length ? { metrics: info.metrics } : {}),
      ...(info.history?.length ? { history: info.history } : {}),
      ...(info.report !== undefined ? { report: info.report } : {}),
      ...(info.importance !== undefined ? { importance: info.importance } : {}),
      lock: info.lock,
    };
    await this.records.putRun(entry);
    return entry;
  }

  private addEntry(abs: string, e: TreeEntry): void {
    if (e.link !== undefined) {
      this.objects.addText(e.hash, 'link', e.link);
      return;
    }
    const how = this.objects.addFile(abs, e.hash);
    // A hardlinked file now shares the object's sealed stat: remember its hash under it.
    if (how === 'hardlink') {
      const st = lstatSync(abs);
      this.hasher.prime(abs, st, e.hash);
    }
  }

  /** The run-cache entry for `fingerprint` if every output it names can come back; else why not. */
  async restorable(stage: Stage, fingerprint: string): Promise<Restorable> {
    const entry = this.entryFor(stage, fingerprint);
    if (!entry) return { missing: 'no run-cache entry' };
    for (const [out, rec] of Object.entries(entry.outs)) {
      if (!rec.cache || !outOptionsOf(stage, out).cache) {
        const now = await this.hasher.hashPath(path.resolve(this.root, out));
        if (now?.hash !== rec.hash) return { missing: `output ${out} is not cached (cache: false) and not on disk as recorded` };
        continue;
      }
      const why = this.missingObjects(rec);
      if (why) return { missing: `output ${out}: ${why}` };
    }
    return { entry };
  }

  /** The run-cache entry of this stage with these inputs, if any. */
  entryFor(stage: Stage, fingerprint: string): RunCacheEntry | undefined {
    return this.records.getRun(keyOf(stage, fingerprint));
  }

  /** Why the objects of one output are not all in the cache, or undefined when they are. */
  missingObjects(rec: Pick<OutRecord, 'hash' | 'kind'>): string | undefined {
    if (rec.kind === 'file') return this.objects.has(rec.hash, 'file') ? undefined : `object ${rec.hash.slice(0, 12)} is not in the cache`;
    if (!this.objects.has(rec.hash, 'dir')) return `directory manifest ${rec.hash.slice(0, 12)} is not in the cache`;
    let lines;
    try {
      lines = parseManifest(this.objects.readText(rec.hash, 'dir'));
    } catch (e) {
      return `directory manifest ${rec.hash.slice(0, 12)} is unreadable: ${(e as Error).message}`;
    }
    const absent = lines.filter((l) => !this.objects.has(l.hash, 'file') && !this.objects.has(l.hash, 'link'));
    return absent.length ? `${absent.length} of ${lines.length} files of the directory are not in the cache` : undefined;
  }

  /** Puts the outputs of `entry` in place (replacing what is there). Returns the files placed. */
  restore(entry: RunCacheEntry, only?: (out: string) => boolean): number {
    let files = 0;
    for (const [out, rec] of Object.entries(entry.outs)) {
      if (!rec.cache || (only && !only(out))) continue;
      files += this.materialise(path.resolve(this.root, out), rec);
    }
    return files;
  }

  /** One output, by its recorded hash and kind; the objects must be present (see `restorable`). */
  materialise(abs: string, rec: { hash: string; kind: 'file' | 'dir' }): number {
    rmSync(abs, { recursive: true, force: true });
    mkdirSync(path.dirname(abs), { recursive: true });
    if (rec.kind === 'file') {
      this.placeFile(this.objects.pathOf(rec.hash, 'file'), abs, rec.hash);
      return 1;
    }
    const lines = parseManifest(this.objects.readText(rec.hash, 'dir'));
    mkdirSync(abs, { recursive: true });
    // The hot loop of a restore (one link per file, as `cp -al`): paths are
    // built by concatenation (manifest paths and hashes are validated by
    // parseManifest) and each folder is made once.
    const sep = path.sep;
    const objects = this.objects.pathOf('0'.repeat(64), 'file').slice(0, -65);
    const made = new Set<string>();
    let lastParent = abs;
    for (const l of lines) {
      const rel = sep === '/' ? l.rel : l.rel.split('/').join(sep);
      const dest = abs + sep + rel;
      const slash = rel.lastIndexOf(sep);
      if (slash >= 0) {
        const parent = abs + sep + rel.slice(0, slash);
        if (parent !== lastParent && !made.has(parent)) {
          mkdirSync(parent, { recursive: true });
          made.add(parent);
        }
        lastParent = parent;
      }
      const obj = objects + l.hash.slice(0, 2) + sep + l.hash.slice(2);
      // One lstat tells file from symlink and, for a hardlink, is the new file's stat too.
      const st = lstatSync(obj, { throwIfNoEntry: false });
      if (!st) {
        symlinkSync(this.objects.readText(l.hash, 'link'), dest);
        continue;
      }
      this.placeFile(obj, dest, l.hash, st);
    }
    return lines.length;
  }

  private placeFile(obj: string, dest: string, hash: string, objStat?: Stats): void {
    const how = this.objects.linker.place(obj, dest);
    // A hardlink shares the object's inode, size and mtime: its stat is the object's.
    if (how === 'hardlink') this.hasher.prime(dest, objStat ?? lstatSync(dest), hash);
  }

  /**
   * Before a stage reruns: its outputs are deleted (a stage never reads its
   * own stale output, and never writes through a link into the cache),
   * except `persist` outputs, whose cache links are replaced by private
   * copies. An output that is also a dep of the stage is left alone.
   */
  prepareForRun(stage: Stage): void {
    const deps = new Set(depPaths(stage));
    for (const out of outPaths(stage)) {
      if (deps.has(out)) continue;
      const abs = path.resolve(this.root, out);
      if (outOptionsOf(stage, out).persist) unshare(abs);
      else rmSync(abs, { recursive: true, force: true });
    }
  }
}

function keyOf(stage: Stage, fingerprint: string): string {
  return runCacheKey(fingerprint, stage.name, outPaths(stage));
}


/** Replaces every hardlinked file under `abs` with a private, writable copy. */
function unshare(abs: string): void {
  let st: Stats;
  try {
    st = lstatSync(abs);
  } catch {
    return;
  }
  if (st.isDirectory()) {
    for (const name of readdirSync(abs)) unshare(path.join(abs, name));
  } else if (st.isFile() && st.nlink > 1) {
    const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.unshare-${process.pid}`);
    copyFileSync(abs, tmp);
    // copyFile keeps the object's read-only mode; the stage will write to it.
    chmodSync(tmp, 0o644);
    renameSync(tmp, abs);
  }
}
