/**
 * The `ssh://[user@]host[:port]/path` cache remote, over ssh2 (pure
 * JavaScript; its optional native parts are not needed). It needs a POSIX
 * shell and tar on the server, as rsync needs rsync there.
 *
 * - push: each of `jobs` channels streams its share of the keys as a
 *   series of tar archives (at most 64 MB / 2,000 files each), each into a
 *   fresh staging folder under `<path>/tmp/` on the server, and only after
 *   tar has written every byte of an archive moves its files to their final
 *   names (a rename within one file system): an interrupted push leaves no
 *   partial object visible, keeps every archive completed before it, and
 *   the next push sends only what is still missing.
 * - pull: each channel asks the server's tar for its share of the keys and
 *   hands every entry to the caller, which verifies its hash before keeping it.
 * - has/list: one shell loop or `find` per call, not one round trip per key.
 *
 * Authentication: MLCI_SSH_KEY (a private key file), else ~/.ssh/id_ed25519,
 * id_ecdsa, id_rsa, and the agent at SSH_AUTH_SOCK. Host keys are checked
 * against MLCI_SSH_KNOWN_HOSTS or ~/.ssh/known_hosts.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ClientChannel, ConnectConfig } from 'ssh2';
import { Client } from 'ssh2';
import { extract, pack } from 'tar-stream';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isCacheKey } from '../../core/cache/layout';
import type { PutItem, RemoteStore, TransferProgress } from '../../core/cache/remote/types';
import { RemoteError, splitBySize } from '../../core/cache/remote/types';
import { hostPattern, isKnownHost, readKnownHosts } from './known-hosts';

export interface SshTarget {
  user: string;
  host: string;
  port: number;
  path: string;
}

export function parseSshUrl(url: string): SshTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RemoteError(`'${url}' is not a valid ssh:// URL (expected ssh://[user@]host[:port]/path)`);
  }
  if (u.protocol !== 'ssh:') throw new RemoteError(`'${url}' is not an ssh:// URL`);
  if (u.password) throw new RemoteError(`put no password in the remote URL '${u.protocol}//${u.host}${u.pathname}'; use a key (MLCI_SSH_KEY) or the SSH agent`);
  const p = decodeURIComponent(u.pathname);
  if (!p || p === '/') throw new RemoteError(`the remote URL '${url}' names no folder (ssh://host/path/to/cache)`);
  return { user: decodeURIComponent(u.username) || os.userInfo().username, host: u.hostname, port: u.port ? Number(u.port) : 22, path: p };
}

/** Bounds of one pushed archive: what an interrupted push can lose per channel. */
export const PUT_BATCH_BYTES = 64 * 1024 * 1024;
export const PUT_BATCH_FILES = 2000;
/** Objects up to this size are read whole when pushed; larger ones are streamed. */
const WHOLE_READ_BYTES = 4 * 1024 * 1024;

/** `items` in order, cut into runs of at most PUT_BATCH_BYTES (or one larger item) and PUT_BATCH_FILES. */
export function chunkBatches<T extends { size: number }>(items: readonly T[], maxBytes = PUT_BATCH_BYTES, maxFiles = PUT_BATCH_FILES): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const it of items) {
    if (cur.length && (bytes + it.size > maxBytes || cur.length >= maxFiles)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(it);
    bytes += it.size;
  }
  if (cur.length) out.push(cur);
  return out;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export class SshRemote implements RemoteStore {
  readonly display: string;
  private client: Client | undefined;

  constructor(private readonly t: SshTarget, private readonly env: NodeJS.ProcessEnv = process.env) {
    this.display = `ssh://${t.user}@${t.host}${t.port === 22 ? '' : ':' + t.port}${t.path}`;
  }

  async open(): Promise<this> {
    const knownFile = this.env.MLCI_SSH_KNOWN_HOSTS ?? path.join(os.homedir(), '.ssh', 'known_hosts');
    const known = readKnownHosts(knownFile);
    let unknownKey = false;
    const config: ConnectConfig = {
      host: this.t.host,
      port: this.t.port,
      username: this.t.user,
      readyTimeout: 15_000,
      keepaliveInterval: 10_000,
      hostVerifier: (key: Buffer) => {
        const ok = isKnownHost(known, this.t.host, this.t.port, key);
        if (!ok) unknownKey = true;
        return ok;
      },
    };
    const keyFile = this.env.MLCI_SSH_KEY ?? ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((n) => path.join(os.homedir(), '.ssh', n)).find((f) => existsSync(f));
    if (keyFile) {
      try {
        config.privateKey = readFileSync(keyFile);
      } catch (e) {
        throw new RemoteError(`cannot read the SSH key ${keyFile}: ${(e as Error).message}`);
      }
    }
    if (this.env.SSH_AUTH_SOCK) config.agent = this.env.SSH_AUTH_SOCK;
    const client = new Client();
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', (e: Error & { level?: string; code?: string }) => {
        if (unknownKey) reject(new RemoteError(`cache remote ${this.display}: the host key of ${hostPattern(this.t.host, this.t.port)} is not in ${knownFile}; check it and add it (ssh-keyscan -p ${this.t.port} ${this.t.host} >> ${knownFile}), or set MLCI_SSH_KNOWN_HOSTS`));
        else if (e.level === 'client-authentication') reject(new RemoteError(`cache remote ${this.display}: authentication as ${this.t.user} failed (tried ${keyFile ?? 'no key file'}${config.agent ? ' and the SSH agent' : ''}); set MLCI_SSH_KEY to a key the server accepts`));
        else reject(new RemoteError(`cannot reach cache remote ${this.display}: ${e.code ?? ''} ${e.message}`.replace(/\s+/g, ' ')));
      });
      client.connect(config);
    });
    client.on('error', () => undefined); // later errors surface through the channel in use
    this.client = client;
    return this;
  }

  private channel(cmd: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.client!.exec(cmd, (err, ch) => (err ? reject(new RemoteError(`cache remote ${this.display}: ${err.message}`)) : resolve(ch)));
    });
  }

  /** Runs a command with `input` on stdin; resolves with stdout, or a RemoteError carrying stderr. */
  private async run(cmd: string, input: string, what: string): Promise<string> {
    const ch = await this.channel(cmd);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    ch.on('data', (d: Buffer) => out.push(d));
    ch.stderr.on('data', (d: Buffer) => err.push(d));
    const code = await new Promise<number | null>((resolve) => {
      ch.on('close', (c: number | null) => resolve(c));
      ch.end(input);
    });
    if (code !== 0) throw this.failure(what, code, Buffer.concat(err).toString('utf8'));
    return Buffer.concat(out).toString('utf8');
  }

  private failure(what: string, code: number | null, stderr: string): RemoteError {
    const msg = stderr.trim().split('\n').slice(-3).join(' | ');
    if (code === 97) return new RemoteError(`cache remote ${this.display}: no such folder ${this.t.path} on ${this.t.host}`);
    // GNU tar reports a full disk as a short write ("Wrote only N of M bytes").
    const why = /No space left|Disk quota|Wrote only \d+ of \d+ bytes/i.test(msg) ? 'the remote is full'
      : /Permission denied|Read-only file system/i.test(msg) ? 'the remote folder is read-only for this user' : msg || `exit code ${code}`;
    return new RemoteError(`cache remote ${this.display}: ${what} failed: ${why}; the local cache is unchanged`);
  }

  async has(keys: readonly string[]): Promise<Set<string>> {
    if (!keys.length) return new Set();
    const script = `cd ${q(this.t.path)} 2>/dev/null || exit 0; while IFS= read -r k; do [ -f "$k" ] && printf '%s\\n' "$k"; done; exit 0`;
    const out = await this.run(script, keys.join('\n') + '\n', 'checking which keys exist');
    return new Set(out.split('\n').filter((k) => k && isCacheKey(k)));
  }

  async list(prefix: 'objects' | 'runs' | 'commits'): Promise<string[]> {
    const out = await this.run(`cd ${q(this.t.path)} 2>/dev/null || exit 0; [ -d ${prefix} ] || exit 0; find ${prefix} -type f`, '', `listing ${prefix}`);
    return out.split('\n').filter((k) => k && isCacheKey(k));
  }

  async put(items: readonly PutItem[], opts: TransferProgress & { jobs: number }): Promise<void> {
    if (!items.length) return;
    // Extract into a private staging folder; only a complete archive gets its files moved into place.
    const script = [
      'set -e',
      `mkdir -p ${q(this.t.path)}/tmp`,
      `cd ${q(this.t.path)}`,
      'R=$(pwd)',
      'S=$(mktemp -d tmp/in.XXXXXXXX)',
      'trap \'rm -rf "$R/$S"\' EXIT',
      'tar -x -f - -C "$S"',
      'cd "$S"',
      'find . -type f | sed \'s|/[^/]*$||\' | sort -u | while IFS= read -r d; do mkdir -p "$R/$d"; mv -f "$d"/* "$R/$d/"; done',
      // Staging folders of pushes killed a day ago or more.
      'find "$R/tmp" -maxdepth 1 -name "in.*" -mmin +1440 -exec rm -rf {} + 2>/dev/null || true',
    ].join('\n');
    // Each channel sends its share as a series of archives of at most
    // PUT_BATCH_BYTES / PUT_BATCH_FILES, each committed (moved into place) when
    // complete: an interrupted push loses only the archives in flight, and
    // the next push sends only what is still missing.
    await Promise.all(splitBySize(items, opts.jobs).map(async (share) => {
      for (const batch of chunkBatches(share)) await this.putBatch(script, batch, opts);
    }));
  }

  private async putBatch(script: string, batch: readonly PutItem[], opts: TransferProgress): Promise<void> {
    const ch = await this.channel(script);
    const err: Buffer[] = [];
    ch.stderr.on('data', (d: Buffer) => err.push(d));
    ch.on('data', () => undefined);
    const closed = new Promise<number | null>((resolve) => ch.on('close', (c: number | null) => resolve(c)));
    const tar = pack();
    tar.pipe(ch);
    try {
      // Small objects are read whole, the next one while this one is sent
      // (one read and one entry write each, instead of a stream per file).
      const whole = (it: PutItem | undefined) => (it && it.size <= WHOLE_READ_BYTES ? readFile(it.file) : undefined);
      let next = whole(batch[0]);
      next?.catch(() => undefined);
      for (let i = 0; i < batch.length; i++) {
        const it = batch[i];
        const body = next;
        next = whole(batch[i + 1]);
        next?.catch(() => undefined);
        if (body) {
          const data = await body;
          await new Promise<void>((resolve, reject) => tar.entry({ name: it.key, size: data.length, mode: 0o644 }, data, (e) => (e ? reject(e) : resolve())));
        } else {
          await new Promise<void>((resolve, reject) => {
            const entry = tar.entry({ name: it.key, size: it.size, mode: 0o644 }, (e) => (e ? reject(e) : resolve()));
            const src = createReadStream(it.file, { highWaterMark: 1024 * 1024 });
            src.on('error', reject);
            src.pipe(entry);
          });
        }
        opts.onKey?.(it.key, it.size);
      }
      tar.finalize();
    } catch (e) {
      tar.destroy();
      ch.close();
      await closed;
      throw new RemoteError(`cache remote ${this.display}: sending failed: ${(e as Error).message}; the local cache is unchanged`);
    }
    const code = await closed;
    if (code !== 0) throw this.failure('writing', code, Buffer.concat(err).toString('utf8'));
  }

  async get(keys: readonly string[], receive: (key: string, chunks: AsyncIterable<Buffer>) => Promise<void>, opts: TransferProgress & { jobs: number }): Promise<void> {
    if (!keys.length) return;
    const batches = splitBySize(keys.map((k) => ({ key: k, size: 1 })), opts.jobs);
    await Promise.all(batches.map(async (batch) => {
      const ch = await this.channel(`cd ${q(this.t.path)} || exit 97; tar -c -f - -T -`);
      const err: Buffer[] = [];
      ch.stderr.on('data', (d: Buffer) => err.push(d));
      const closed = new Promise<number | null>((resolve) => ch.on('close', (c: number | null) => resolve(c)));
      const x = extract();
      let failure: Error | undefined;
      const done = new Promise<void>((resolve, reject) => {
        x.on('entry', (header, stream: Readable, next) => {
          if (!isCacheKey(header.name)) {
            stream.resume();
            next();
            return;
          }
          receive(header.name, stream).then(() => {
            opts.onKey?.(header.name, header.size ?? 0);
            next();
          }, (e: Error) => {
            failure = e;
            stream.resume();
            next();
          });
        });
        x.on('finish', () => resolve());
        x.on('error', reject);
      });
      ch.pipe(x);
      ch.end(batch.map((b) => b.key).join('\n') + '\n');
      const code = await closed;
      await done.catch((e: Error) => {
        failure ??= e;
      });
      if (code !== 0) throw this.failure('reading', code, Buffer.concat(err).toString('utf8'));
      if (failure) throw failure;
    }));
  }

  async close(): Promise<void> {
    this.client?.end();
    this.client = undefined;
  }
}
