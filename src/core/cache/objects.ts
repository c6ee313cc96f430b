/**
 * The local object store: files, directory manifests and symlink targets
 * under `.mlci/cache/objects/`, named by content hash. Objects are written
 * to a temp name and renamed into place, so a crash never leaves a partial
 * object under a real name. Before an object is used its stat is checked
 * (sealed mtime, see link.ts); one that was written to since is re-hashed,
 * and if its content no longer matches its name it is deleted and reported,
 * never restored.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { symlinkHash } from '../hash';
import type { ObjectKind } from './layout';
import { keyPath, objectKey } from './layout';
import type { LinkMode, LinkPreference } from './link';
import { Linker, OBJECT_MTIME_MS, sealObject } from './link';

/** Bytes gathered before one write when receiving an object. */
const RECEIVE_WRITE_BYTES = 1024 * 1024;
import { manifestHash } from './manifest';

export interface CorruptObject {
  key: string;
  reason: string;
}

export class ObjectStore {
  readonly linker: Linker;
  /** How workspace files enter the cache: never a hardlink unless MLCI_CACHE_LINK=hardlink asks for it. */
  readonly storeLinker: Linker;
  /** Objects found corrupt (and deleted) by this instance, for the caller to report. */
  readonly corrupt: CorruptObject[] = [];
  private readonly madeDirs = new Set<string>();

  constructor(readonly dir: string, preference: LinkPreference = 'auto') {
    this.linker = new Linker(preference);
    this.storeLinker = new Linker(preference, ['reflink', 'copy']);
  }

  pathOf(hash: string, kind: ObjectKind): string {
    return keyPath(this.dir, objectKey(hash, kind));
  }

  tempPath(): string {
    const tmp = path.join(this.dir, 'tmp');
    this.mkdir(tmp);
    return path.join(tmp, `${process.pid}-${randomBytes(6).toString('hex')}`);
  }

  mkdir(dir: string): void {
    if (this.madeDirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  /**
   * Whether the object is present and intact. A sealed object (mtime as set
   * when stored) is trusted on its stat alone; any other is hashed, and
   * deleted as corrupt when its content does not match its name.
   */
  has(hash: string, kind: ObjectKind): boolean {
    const file = this.pathOf(hash, kind);
    let st;
    try {
      st = lstatSync(file);
    } catch {
      return false;
    }
    if (st.isFile() && st.mtimeMs === OBJECT_MTIME_MS) return true;
    const why = !st.isFile() ? 'not a regular file' : this.verify(file, hash, kind);
    if (why === undefined) {
      sealObject(file);
      return true;
    }
    rmSync(file, { force: true });
    this.corrupt.push({ key: objectKey(hash, kind), reason: why });
    return false;
  }

  /** undefined when the file's content has the hash its name says; else why not. */
  verify(file: string, hash: string, kind: ObjectKind): string | undefined {
    const data = readFileSync(file);
    const actual = kind === 'link' ? symlinkHash(data.toString('utf8')) : kind === 'dir' ? manifestHash(data) : createHash('sha256').update(data).digest('hex');
    return actual === hash ? undefined : `content hashes to ${actual.slice(0, 12)}, not ${hash.slice(0, 12)} (modified or truncated)`;
  }

  /**
   * Stores the workspace file `abs` whose content hashes to `hash` (known to
   * the caller). Returns how the object was made, or 'present'.
   */
  addFile(abs: string, hash: string): LinkMode | 'present' {
    if (this.has(hash, 'file')) return 'present';
    const tmp = this.tempPath();
    const how = this.storeLinker.place(abs, tmp);
    this.publish(tmp, this.pathOf(hash, 'file'));
    return how;
  }

  /** Stores small content (a manifest, a link target) under its key. */
  addText(hash: string, kind: 'dir' | 'link', text: string): void {
    if (this.has(hash, kind)) return;
    const tmp = this.tempPath();
    writeFileSync(tmp, text, { flag: 'wx' });
    this.publish(tmp, this.pathOf(hash, kind));
  }

  /** Seals a complete temp file and renames it to its final name (atomic visibility). */
  publish(tmp: string, final: string): void {
    sealObject(tmp);
    this.mkdir(path.dirname(final));
    renameSync(tmp, final);
  }

  /**
   * Streams a downloaded object into a temp file while hashing it; publishes
   * it only when the hash matches. Returns undefined on success, or why not.
   */
  async receive(hash: string, kind: ObjectKind, chunks: AsyncIterable<Buffer>): Promise<string | undefined> {
    const tmp = this.tempPath();
    const h = createHash('sha256');
    if (kind === 'link') h.update('symlink\0');
    // A transfer hands over chunks of an SSH packet (~32 kB): they are
    // written in runs of RECEIVE_WRITE_BYTES, and an object smaller than that
    // in one synchronous write, instead of one awaited write per chunk.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let fh: Awaited<ReturnType<typeof open>> | undefined;
    try {
      for await (const c of chunks) {
        h.update(c);
        pending.push(c);
        pendingBytes += c.length;
        if (pendingBytes >= RECEIVE_WRITE_BYTES) {
          fh ??= await open(tmp, 'wx');
          await fh.write(Buffer.concat(pending, pendingBytes));
          pending = [];
          pendingBytes = 0;
        }
      }
      if (fh) {
        if (pendingBytes) await fh.write(Buffer.concat(pending, pendingBytes));
      } else {
        writeFileSync(tmp, Buffer.concat(pending, pendingBytes), { flag: 'wx' });
      }
    } catch (e) {
      await fh?.close();
      fh = undefined;
      rmSync(tmp, { force: true });
      throw e;
    } finally {
      await fh?.close();
    }
    const actual = h.digest('hex');
    if (actual !== hash) {
      rmSync(tmp, { force: true });
      return `received content hashes to ${actual.slice(0, 12)}, not ${hash.slice(0, 12)}`;
    }
    this.publish(tmp, this.pathOf(hash, kind));
    return undefined;
  }

  readText(hash: string, kind: 'dir' | 'link'): string {
    return readFileSync(this.pathOf(hash, kind), 'utf8');
  }
}
