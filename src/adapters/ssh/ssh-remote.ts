/**
 * The `ssh://[user@]host[:port]/path` cache remote, over ssh2 (pure
 * JavaScript; its optional native parts are not needed). It needs a POSIX
 * shell and tar on the server, as rsync needs rsync there.
 *
 * Every remote command costs a shell on the server (with the user's shell
 * start-up files: a `conda init` or `pyenv init` there takes seconds), so a
 * push or pull asks few of them:
 * - push: one shell on the critical path. The first channel's script
 *   reads every key (objects, run entries, commit records) from stdin up to
 *   a marker line, answers which ones the folder holds (with the held
 *   commit records, which the client merges with its own), then, on the
 *   same channel, extracts the tar of exactly what is missing. A push whose
 *   local objects could fill more than one channel (one per 128 MB, at
 *   most `jobs`) opens the others at the same time as the first, so their
 *   shells start together; the missing objects are split over as many as
 *   they fill, the others get an empty archive. Each stream is extracted
 *   by one `tar -x`. Every object arrives as a file in a private staging
 *   folder and then as a hard link entry naming its key, which tar makes
 *   with link(2) once the file is complete: a key is visible only
 *   complete, an interrupted push keeps every object it finished, and the
 *   next push sends only what is still missing. The records go last on the first channel, once every other
 *   channel's tar has exited, so a run entry never appears before its
 *   objects. If tar fails (a full disk: it carries on after a short write),
 *   the keys it linked to truncated files, and its run entries, are removed.
 *   The key folders are made before tar runs (two tars making one folder
 *   at once fail a link).
 * - pull: one shell (openFetch). Its script lists what the pull needs
 *   listed, then answers rounds of keys on the same channel (the lock's
 *   run entries and objects; then the files their directory manifests
 *   name): the keys the folder lacks by name, then one tar of those it
 *   holds, whose entries go to the caller, which verifies each hash before
 *   keeping it. Nothing is written on the server.
 * - has/list: one `xargs`/`find` per call, not one round trip per key;
 *   get: a pull session of one round.
 * The tar streams are read by ./tar.ts and written by ./tar-writer.ts,
 * without stream libraries: a push's headers and objects are packed into
 * a few reused 1 MB buffers (no buffer per object: see tar-writer.ts).
 *
 * Authentication (ssh-login.ts): MLCI_SSH_KEY (a private key file), else
 * ~/.ssh/id_ed25519, id_ecdsa, id_rsa, and the agent at SSH_AUTH_SOCK. Host
 * keys are checked against MLCI_SSH_KNOWN_HOSTS or ~/.ssh/known_hosts.
 */
import os from 'node:os';
import type { ClientChannel, ConnectConfig } from 'ssh2';
import { Client } from 'ssh2';
import { randomBytes } from 'node:crypto';
import { isCacheKey } from '../../core/cache/layout';
import type { FetchSession, KeyPrefix, PushAnswer, PushPlan, PutItem, Receive, RemoteStore, TransferProgress } from '../../core/cache/remote/types';
import { RemoteError, isObjectKeyName, splitBySize } from '../../core/cache/remote/types';
import type { SshLogin } from './ssh-login';
import { sshLogin } from './ssh-login';
import type { TarEntry } from './tar';
import { TarReader } from './tar';
import { TarWriter } from './tar-writer';

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

/** A push opens one more channel (at most --jobs) per this many bytes of objects. */
const CHANNEL_BYTES = 128 * 1024 * 1024;
/** A pull stops reading from the channel while this much received data waits to be stored. */
const INBOX_HIGH_BYTES = 16 * 1024 * 1024;

interface Incoming {
  entry: TarEntry;
  chunks: Buffer[];
  /** Chunks already handed out. */
  pos: number;
  done: boolean;
}

/**
 * What a pull channel receives, in order: text lines, and after a `:tar`
 * line the entries of one tar archive, each with its content as an async
 * iterable, then (after the archive's zero blocks and padding) lines
 * again. Reading pauses while more than INBOX_HIGH_BYTES wait to be
 * consumed.
 */
class ReplyInbox {
  private readonly items: Array<Incoming | string | undefined> = [];
  private taken = 0;
  private buffered = 0;
  private paused = false;
  private closed = false;
  private wake: (() => void) | undefined;
  error: Error | undefined;

  constructor(private readonly ch: ClientChannel) {
    let current: Incoming | undefined;
    let reader: TarReader | undefined;
    /** Between an archive's end block and the next line: the rest of its zero padding. */
    let zeros = false;
    let partial = EMPTY;
    const onEntry = (entry: TarEntry) => {
      current = { entry, chunks: [], pos: 0, done: false };
      this.items.push(current);
      this.notify();
    };
    const onData = (c: Buffer) => {
      current!.chunks.push(c);
      this.buffered += c.length;
      if (!this.paused && this.buffered > INBOX_HIGH_BYTES) {
        this.paused = true;
        ch.pause();
      }
      this.notify();
    };
    const onEnd = () => {
      current!.done = true;
      this.notify();
    };
    const read = (d: Buffer) => {
      let off = 0;
      while (off < d.length) {
        if (reader) {
          off += reader.push(d.subarray(off));
          if (reader.ended) {
            reader = undefined;
            zeros = true;
          }
        } else if (zeros) {
          while (off < d.length && d[off] === 0) off++;
          if (off < d.length) zeros = false;
        } else {
          const nl = d.indexOf(10, off);
          if (nl < 0) {
            partial = Buffer.concat([partial, d.subarray(off)]);
            return;
          }
          const line = partial.length ? Buffer.concat([partial, d.subarray(off, nl)]).toString('utf8') : d.toString('utf8', off, nl);
          partial = EMPTY;
          off = nl + 1;
          this.items.push(line);
          this.notify();
          if (line === ':tar') reader = new TarReader({ onEntry, onData, onEnd });
        }
      }
    };
    ch.on('data', (d: Buffer) => {
      if (this.error) return;
      try {
        read(d);
      } catch (e) {
        this.error = e as Error;
        ch.close();
      }
    });
  }

  close(): void {
    this.closed = true;
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  /** The next line or entry, or undefined once the channel closed. */
  async next(): Promise<Incoming | string | undefined> {
    for (;;) {
      if (this.taken < this.items.length) {
        const item = this.items[this.taken]!;
        this.items[this.taken++] = undefined;
        return item;
      }
      if (this.closed) return undefined;
      await this.wait();
    }
  }

  /** The rest of an entry's content; throws if the stream ends inside it. */
  async *body(item: Incoming): AsyncGenerator<Buffer> {
    for (;;) {
      while (item.pos < item.chunks.length) {
        const c = item.chunks[item.pos];
        item.chunks[item.pos++] = EMPTY;
        this.buffered -= c.length;
        if (this.paused && this.buffered < INBOX_HIGH_BYTES / 2) {
          this.paused = false;
          this.ch.resume();
        }
        yield c;
      }
      if (item.done) return;
      if (this.closed) throw new Error(`the stream ended inside ${item.entry.name}`);
      await this.wait();
    }
  }
}

const EMPTY = Buffer.alloc(0);

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** objects/00 ... objects/ff and runs/00 ... runs/ff: the folders of object and run keys. */
const FANOUT_DIRS = ['objects', 'runs'].flatMap((p) => Array.from({ length: 256 }, (_, i) => `${p}/${i.toString(16).padStart(2, '0')}`)).join(' ');

/** The folders the keys of `items` go to (the fan-out ones, and each commit record's). */
function keyDirs(items: readonly PutItem[]): string {
  const commits = new Set(items.filter((it) => it.key.startsWith('commits/') && isCacheKey(it.key)).map((it) => it.key.slice(0, it.key.lastIndexOf('/'))));
  return [FANOUT_DIRS, ...commits].join(' ');
}

/** The line ending the key list of a push (xargs' logical end of file); never a cache key. */
const END_OF_KEYS = 'END';

/** A push channel: its stream in, its staging folder on the server, its exit. */
interface Sink {
  ch: ClientChannel;
  staging: string;
  out: TarWriter;
  isOpen(): boolean;
  closed: Promise<number | null>;
  stderr(): string;
}

const objectBytes = (items: readonly PutItem[]) => items.reduce((n, it) => n + (isObjectKeyName(it.key) ? it.size : 0), 0);
/** One channel per CHANNEL_BYTES of objects, at least one, at most `max`: a channel costs a remote shell. */
const channelsFor = (bytes: number, max: number) => Math.max(1, Math.min(max, Math.ceil(bytes / CHANNEL_BYTES)));

export class SshRemote implements RemoteStore {
  readonly display: string;
  private client: Client | undefined;

  constructor(private readonly t: SshTarget, private readonly env: NodeJS.ProcessEnv = process.env) {
    this.display = `ssh://${t.user}@${t.host}${t.port === 22 ? '' : ':' + t.port}${t.path}`;
  }

  async open(): Promise<this> {
    let login: SshLogin;
    try {
      login = sshLogin(this.t, { env: this.env });
    } catch (e) {
      throw new RemoteError((e as Error).message);
    }
    const config: ConnectConfig = { ...login.config, keepaliveInterval: 10_000 };
    const client = new Client();
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', (e: Error & { level?: string; code?: string }) => {
        reject(new RemoteError(`cache remote ${this.display}: ${login.failure(e, 'set MLCI_SSH_KEY to a key the server accepts')}`));
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
    // xargs reads the keys in bulk and hands them to a loop of shell builtins
    // (a `while read` loop would read its input one byte per system call).
    const script = `cd ${q(this.t.path)} 2>/dev/null || exit 0; xargs sh -c 'for k; do [ -f "$k" ] && echo "$k"; done; exit 0' sh; exit 0`;
    const out = await this.run(script, keys.join('\n') + '\n', 'checking which keys exist');
    return new Set(out.split('\n').filter((k) => k && isCacheKey(k)));
  }

  async list(prefixes: readonly KeyPrefix[]): Promise<string[]> {
    if (!prefixes.length) return [];
    const out = await this.run(`cd ${q(this.t.path)} 2>/dev/null || exit 0; for p in ${prefixes.join(' ')}; do [ -d "$p" ] && find "$p" -type f; done; exit 0`, '', `listing ${prefixes.join(', ')}`);
    return out.split('\n').filter((k) => k && isCacheKey(k));
  }

  async put(items: readonly PutItem[], opts: TransferProgress & { jobs: number }): Promise<void> {
    if (!items.length) return;
    const n = channelsFor(objectBytes(items), opts.jobs);
    const sinks = await Promise.all(Array.from({ length: n }, () => this.openSink(items)));
    await this.send(sinks, items, opts);
  }

  /**
   * A push over one remote shell on its critical path: the first channel's
   * script reads the key list from stdin, answers which keys the folder
   * holds (and the content of the held records to read back), then
   * extracts the tar of what the client chose to send, on the same
   * channel. When the local objects could fill more than one channel, the
   * others are opened at the same time as the first, so their shells start
   * while the first one's does; those the answer leaves without work get
   * an empty archive.
   */
  async putMissing(plan: PushPlan, opts: TransferProgress & { jobs: number }): Promise<void> {
    if (!plan.candidates.length) {
      await this.put(await plan.choose({ there: new Set(), texts: new Map() }), opts);
      return;
    }
    const extra = channelsFor(objectBytes(plan.candidates), opts.jobs) - 1;
    const opening = [this.openSink(plan.candidates, true), ...Array.from({ length: extra }, () => this.openSink(plan.candidates))];
    for (const o of opening) o.catch(() => undefined);
    const sinks = await Promise.all(opening).catch(async (e: unknown) => {
      for (const o of opening) o.then((s) => s.ch.close(), () => undefined);
      throw e;
    });
    const first = sinks[0];
    const read = new Set(plan.read);
    // The list ends with the marker line xargs stops at; nothing more is sent until the answer.
    first.ch.write(plan.candidates.map((it) => (read.has(it.key) ? `+${it.key}` : it.key)).join('\n') + `\n${END_OF_KEYS}\n`);
    let items: PutItem[];
    try {
      items = await plan.choose(await this.answer(first));
    } catch (e) {
      for (const s of sinks) s.ch.close();
      throw e;
    }
    await this.send(sinks, items, opts);
  }

  /** The first channel's answer: the held keys, then `:N` and an N-byte tar of the held keys to read back. */
  private answer(sink: Sink): Promise<PushAnswer> {
    return new Promise((resolve, reject) => {
      const there = new Set<string>();
      let rest = EMPTY;
      let want = -1;
      const tar: Buffer[] = [];
      let got = 0;
      let done = false;
      const finish = () => {
        done = true;
        const texts = new Map<string, string>();
        const parts: Buffer[] = [];
        let name = '';
        const reader = new TarReader({
          onEntry: (e) => {
            name = e.name;
            parts.length = 0;
          },
          onData: (c) => parts.push(c),
          onEnd: () => {
            if (isCacheKey(name)) texts.set(name, Buffer.concat(parts).toString('utf8'));
          },
        });
        try {
          if (want) reader.push(Buffer.concat(tar).subarray(0, want));
          resolve({ there, texts });
        } catch (e) {
          reject(new RemoteError(`cache remote ${this.display}: checking which keys exist failed: ${(e as Error).message}`));
        }
      };
      sink.ch.on('data', (d: Buffer) => {
        if (done) return;
        if (want < 0) {
          const b = rest.length ? Buffer.concat([rest, d]) : d;
          let at = 0;
          for (let nl = b.indexOf(10, at); nl >= 0 && want < 0; nl = b.indexOf(10, at)) {
            const line = b.toString('utf8', at, nl);
            at = nl + 1;
            if (!line.startsWith(':')) {
              if (isCacheKey(line)) there.add(line);
              continue;
            }
            want = Number(line.slice(1));
            if (!Number.isSafeInteger(want) || want < 0) {
              done = true;
              sink.ch.close();
              reject(new RemoteError(`cache remote ${this.display}: checking which keys exist failed: unexpected answer '${line.slice(0, 80)}'`));
              return;
            }
          }
          rest = EMPTY;
          d = b.subarray(at);
          if (want < 0) {
            rest = Buffer.from(d);
            return;
          }
        }
        tar.push(d);
        got += d.length;
        if (got >= want) finish();
      });
      sink.closed.then((code) => {
        if (!done) {
          done = true;
          reject(this.failure('checking which keys exist', code ?? null, sink.stderr()));
        }
      }, () => undefined);
    });
  }

  /**
   * Sends `items` over `sinks`: the objects split by size over as many
   * channels as they fill (one per CHANNEL_BYTES), the records last on the
   * first channel once every other channel's tar has exited; channels left
   * without work get an empty archive.
   */
  private async send(sinks: readonly Sink[], items: readonly PutItem[], opts: TransferProgress): Promise<void> {
    const objects = items.filter((it) => isObjectKeyName(it.key));
    const records = items.filter((it) => !isObjectKeyName(it.key));
    const shares = splitBySize(objects, channelsFor(objectBytes(objects), sinks.length));
    if (!shares.length) shares.push([]);
    const [first, ...rest] = sinks;
    const others = Promise.all(rest.map((s, i) => this.sendShare(s, shares[i + 1] ?? [], opts)));
    others.catch(() => undefined);
    await Promise.all([this.sendShare(first, shares[0], opts, records.length ? { after: others, records } : undefined), others]);
  }

  /** The script of a push channel: optionally the answer to the key list first, then `tar -x` of what follows. */
  private script(staging: string, ask: boolean, keys: readonly PutItem[]): string {
    return [
      'set -e',
      `mkdir -p ${q(this.t.path)}/tmp`,
      `cd ${q(this.t.path)}`,
      `trap 'rm -rf ${staging}' EXIT`,
      // Every folder a key may land in exists before tar links into it: two
      // tars creating the same missing folder at once (two channels, two
      // pushes) make one of them fail its link ("Cannot hard link ... No
      // such file or directory").
      `mkdir -p ${keyDirs(keys)}`,
      ...(ask ? [
        `mkdir ${staging}`,
        // xargs reads the keys in bulk and stops at the marker line without
        // reading further (the client sends nothing more until it has the
        // answer), so tar below reads from the next byte. A key marked `+`
        // is also read back if held; a failed write of that list (a full
        // disk) stops xargs (status 255) and the script.
        `xargs -E ${END_OF_KEYS} sh -c 'for k; do case $k in +*) k=\${k#+}; if [ -f "$k" ]; then echo "$k" >> "$0" || exit 255; fi ;; esac; [ -f "$k" ] && echo "$k"; done; exit 0' ${staging}/back`,
        `if [ -s ${staging}/back ]; then tar -c -f ${staging}/back.tar -T ${staging}/back; echo ":$(($(wc -c < ${staging}/back.tar)))"; cat ${staging}/back.tar; else echo ":0"; fi`,
      ] : []),
      // tar carries on after a failed write (a full disk) and would then link
      // a truncated file to its key: when tar fails, every key linked to a
      // staging file shorter than the map says is removed again, and so is
      // every run entry this stream linked (its objects may be missing).
      'tar -x -f - || {',
      '  rc=$?',
      `  [ -f ${staging}/map ] && while read -r n size key; do`,
      `    f=${staging}/$n`,
      '    if [ -f "$f" ] && [ "$f" -ef "$key" ]; then',
      '      case $key in runs/*) rm -f "$key" ;; *) [ "$(($(wc -c < "$f")))" -eq "$size" ] || rm -f "$key" ;; esac',
      '    fi',
      `  done < ${staging}/map`,
      '  exit $rc',
      '}',
      // Staging folders of pushes killed a day ago or more.
      'find tmp -maxdepth 1 -name "in.*" -mmin +1440 -exec rm -rf {} + 2>/dev/null || true',
    ].join('\n');
  }

  /** Opens a push channel (its remote shell starts now); with `ask`, one that answers the key list first. */
  private async openSink(keys: readonly PutItem[], ask = false): Promise<Sink> {
    const staging = `tmp/in.${randomBytes(8).toString('hex')}`;
    const ch = await this.channel(this.script(staging, ask, keys));
    const err: Buffer[] = [];
    ch.stderr.on('data', (d: Buffer) => err.push(d));
    if (!ask) ch.on('data', () => undefined);
    const out = new TarWriter((b, done) => ch.write(b, done));
    const closed = new Promise<number | null>((resolve) => ch.on('close', (c: number | null) => {
      out.stop();
      resolve(c);
    }));
    return { ch, staging, closed, out, isOpen: () => !out.isStopped, stderr: () => Buffer.concat(err).toString('utf8') };
  }

  /**
   * One channel's tar stream: every object comes as a file in a private
   * staging folder, then as a hard link entry giving it its key, which tar
   * makes with link(2) once the file is complete. So a key is visible only
   * complete, an interrupted push keeps every object it finished, and the
   * next push sends only what is still missing. With `last`, the records
   * follow once `last.after` (the other channels) has settled.
   */
  private async sendShare(sink: Sink, share: readonly PutItem[], opts: TransferProgress, last?: { after: Promise<unknown>; records: readonly PutItem[] }): Promise<void> {
    const { ch, staging, out, closed } = sink;
    const mtime = Math.floor(Date.now() / 1000);
    try {
      // First the map of this stream: staging file number, size, key.
      const all = [...share, ...(last?.records ?? [])];
      const map = Buffer.from(all.map((it, i) => `${i} ${it.size} ${it.key}\n`).join(''));
      await out.header(`${staging}/map`, map.length, { mtime });
      await out.bytes(map);
      const send = async (items: readonly PutItem[], from: number) => {
        for (let i = 0; i < items.length && sink.isOpen(); i++) {
          const it = items[i];
          const tmp = `${staging}/${from + i}`;
          await out.header(tmp, it.size, { mtime });
          await out.file(it.file, it.size);
          await out.header(it.key, 0, { link: tmp, mtime });
          opts.onKey?.(it.key, it.size);
        }
      };
      await send(share, 0);
      if (last) {
        // The records wait until every other channel's objects are in place.
        await out.flush();
        await last.after;
        await send(last.records, share.length);
      }
      await out.end();
      ch.end();
    } catch (e) {
      ch.close();
      await closed;
      throw e instanceof RemoteError ? e : new RemoteError(`cache remote ${this.display}: sending failed: ${(e as Error).message}; the local cache is unchanged`);
    }
    const code = await closed;
    if (code !== 0) throw this.failure('writing', code, sink.stderr());
  }

  async get(keys: readonly string[], receive: Receive, opts: TransferProgress & { jobs: number }): Promise<void> {
    if (!keys.length) return;
    const session = await this.openFetch([]);
    try {
      const absent = await session.fetch(keys, receive, opts);
      if (absent.length) throw new RemoteError(`cache remote ${this.display} has no ${absent[0]}${absent.length > 1 ? ` (and ${absent.length - 1} more keys)` : ''}`);
    } finally {
      await session.close();
    }
  }

  /**
   * A pull over one remote shell: its script lists the prefixes, then
   * answers rounds of keys on the same channel until the client closes its
   * input. Each round is the keys, one a line, up to a marker line (xargs
   * stops there; the client sends the next round only after this one's
   * answer); the answer is `-KEY` for each key the folder lacks, then
   * `:tar`, the tar of the ones it holds and `=STATUS` (tar's exit status),
   * or `:` and `=0` when it holds none. Nothing is written on the server,
   * so an interrupted pull leaves nothing there: when the connection goes,
   * tar's next write fails (SIGPIPE) and the shell's with it, or xargs
   * reads the end of its input and the loop ends.
   */
  async openFetch(list: readonly KeyPrefix[]): Promise<FetchSession> {
    const ch = await this.channel([
      `cd ${q(this.t.path)} || exit 97`,
      ...(list.length ? [`for p in ${list.join(' ')}; do [ ! -d "$p" ] || find "$p" -type f; done`] : []),
      'echo /',
      'while :; do',
      // The keys held print as themselves, the others as -KEY; an empty round (the client's end of input) ends the loop.
      `  r=$(xargs -E ${END_OF_KEYS} sh -c 'for k; do if [ -f "$k" ]; then echo "$k"; else echo "-$k"; fi; done; exit 0' sh) || exit`,
      '  [ -n "$r" ] || exit 0',
      `  printf '%s\\n' "$r" | grep '^-'`,
      `  h=$(printf '%s\\n' "$r" | grep -v '^-')`,
      `  if [ -n "$h" ]; then echo :tar; printf '%s\\n' "$h" | tar -c -f - -T -; echo "=$?"; else echo :; echo =0; fi`,
      'done',
    ].join('\n'));
    const err: Buffer[] = [];
    ch.stderr.on('data', (d: Buffer) => err.push(d));
    const stderr = () => Buffer.concat(err).toString('utf8');
    const inbox = new ReplyInbox(ch);
    let code: number | null = null;
    let open = true;
    const closed = new Promise<void>((resolve) => ch.on('close', (c: number | null) => {
      code = c;
      open = false;
      inbox.close();
      resolve();
    }));
    const listed: string[] = [];
    /** False while an answer is being read (or one was left unread): closing then cuts the channel. */
    let clean = true;
    for (;;) {
      const item = await inbox.next();
      if (typeof item !== 'string') {
        ch.close();
        throw this.failure(list.length ? `listing ${list.join(', ')}` : 'reading', code, stderr());
      }
      if (item === '/') break;
      if (isCacheKey(item)) listed.push(item);
    }
    return {
      listed,
      fetch: async (keys, receive, opts) => {
        if (!keys.length) return [];
        if (!open) throw this.failure('reading', code, stderr());
        ch.write(keys.join('\n') + `\n${END_OF_KEYS}\n`);
        const asked = new Set(keys);
        const absent: string[] = [];
        const got = new Set<string>();
        clean = false;
        let failure: Error | undefined;
        let status: number | undefined;
        while (status === undefined) {
          const item = await inbox.next();
          if (item === undefined) break;
          if (typeof item === 'string') {
            if (item.startsWith('-') && asked.has(item.slice(1))) absent.push(item.slice(1));
            else if (item.startsWith('=')) status = Number(item.slice(1));
            continue;
          }
          const { name, size, type } = item.entry;
          if (type === '0' && asked.has(name) && !got.has(name)) {
            got.add(name);
            try {
              await receive(name, inbox.body(item));
              opts.onKey?.(name, size);
            } catch (e) {
              failure ??= e as Error;
            }
          }
          // Whatever the receiver left (an entry it refused, or one not asked for).
          try {
            for await (const _ of inbox.body(item)) void _;
          } catch (e) {
            failure ??= e as Error;
          }
        }
        if (inbox.error) throw new RemoteError(`cache remote ${this.display}: reading failed: ${inbox.error.message}`);
        if (status === undefined) throw this.failure('reading', code, stderr());
        if (status !== 0) throw this.failure('reading', status, stderr());
        if (failure) throw failure;
        // A key neither sent nor said to be missing (removed in between): not there either.
        const said = new Set(absent);
        for (const k of keys) if (!got.has(k) && !said.has(k)) absent.push(k);
        clean = true;
        return absent;
      },
      close: async () => {
        // The end of input ends the server's loop; a session left in the middle of an answer is cut.
        if (open && clean) ch.end();
        else ch.close();
        const cut = setTimeout(() => ch.close(), 5000);
        await closed;
        clearTimeout(cut);
      },
    };
  }

  async close(): Promise<void> {
    this.client?.end();
    this.client = undefined;
  }
}
