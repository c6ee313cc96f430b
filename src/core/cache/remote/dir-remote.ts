/**
 * A directory remote: a folder (a shared disk, an NFS mount) holding the
 * same layout as `.mlci/cache/`. Each key is copied to `tmp/` inside the
 * remote folder and renamed into place, so it appears complete or not at
 * all, and two writers of one key both leave a complete file.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { drain } from '../../hash/bounded';
import { isCacheKey, keyPath } from '../layout';
import type { KeyPrefix, PutItem, RemoteStore, TransferProgress } from './types';
import { RemoteError, isObjectKeyName } from './types';

export class DirRemote implements RemoteStore {
  readonly display: string;

  constructor(private readonly root: string) {
    this.display = root;
  }

  /** Fails with a clear error when the folder is not there (an unmounted share must not become an empty remote). */
  async open(): Promise<this> {
    const st = await stat(this.root).catch((e: NodeJS.ErrnoException) => {
      throw new RemoteError(`cache remote ${this.root} is not reachable: ${e.code === 'ENOENT' ? 'no such folder (create it, or mount the share)' : e.message}`);
    });
    if (!st.isDirectory()) throw new RemoteError(`cache remote ${this.root} is not a folder`);
    return this;
  }

  async has(keys: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    await drain([...keys], 32, async (k) => {
      const st = await stat(keyPath(this.root, k)).catch(() => undefined);
      if (st?.isFile()) found.add(k);
    });
    return found;
  }

  async list(prefixes: readonly KeyPrefix[]): Promise<string[]> {
    const out: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      const entries = await readdir(path.join(this.root, ...rel.split('/')), { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        const k = `${rel}/${e.name}`;
        if (e.isDirectory()) await walk(k);
        else if (isCacheKey(k)) out.push(k);
      }
    };
    for (const prefix of prefixes) await walk(prefix);
    return out;
  }

  async put(items: readonly PutItem[], opts: TransferProgress & { jobs: number }): Promise<void> {
    const tmpDir = path.join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
      throw this.writeError(e);
    });
    // Objects first, then the records naming them.
    await this.copyIn(items.filter((it) => isObjectKeyName(it.key)), tmpDir, opts);
    await this.copyIn(items.filter((it) => !isObjectKeyName(it.key)), tmpDir, opts);
  }

  private async copyIn(items: readonly PutItem[], tmpDir: string, opts: TransferProgress & { jobs: number }): Promise<void> {
    await drain([...items], opts.jobs, async (it) => {
      const dest = keyPath(this.root, it.key);
      const tmp = path.join(tmpDir, `${process.pid}-${randomBytes(6).toString('hex')}`);
      try {
        await copyFile(it.file, tmp);
        const st = await stat(tmp);
        if (st.size !== it.size) throw new RemoteError(`cache remote ${this.root}: ${it.key} arrived with ${st.size} of ${it.size} bytes`);
        await mkdir(path.dirname(dest), { recursive: true });
        await rename(tmp, dest);
      } catch (e) {
        await rm(tmp, { force: true }).catch(() => undefined);
        throw e instanceof RemoteError ? e : this.writeError(e as NodeJS.ErrnoException);
      }
      opts.onKey?.(it.key, it.size);
    });
  }

  async get(keys: readonly string[], receive: (key: string, chunks: AsyncIterable<Buffer>) => Promise<void>, opts: TransferProgress & { jobs: number }): Promise<void> {
    await drain([...keys], opts.jobs, async (k) => {
      const file = keyPath(this.root, k);
      const st = await stat(file).catch(() => undefined);
      if (!st) throw new RemoteError(`cache remote ${this.root} has no ${k}`);
      await receive(k, createReadStream(file, { highWaterMark: 1024 * 1024 }));
      opts.onKey?.(k, st.size);
    });
  }

  async close(): Promise<void> {}

  private writeError(e: NodeJS.ErrnoException): RemoteError {
    const why = e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS' ? 'it is read-only for this user'
      : e.code === 'ENOSPC' || e.code === 'EDQUOT' ? 'it is full' : e.message;
    return new RemoteError(`cannot write to cache remote ${this.root}: ${why} (${e.code ?? 'error'}); the local cache is unchanged`);
  }
}
