/**
 * The workspace of a stage on an engine that cannot see this machine's
 * files (a GPU server): shipped by content instead of bind-mounted.
 *
 * Each (host, workspace) pair has one volume on the engine, mounted at the
 * workspace's own path, holding the files stages declared as inputs.
 * A manifest next to the local workspace (`.mlci/state/remote/<volume>.json`)
 * records the content hash of every file the volume holds, so a run sends
 * only the files whose content it lacks: a second run sends nothing, a
 * one-file change sends that file. The volume carries a random generation
 * label the manifest repeats: a volume removed or recreated on the engine
 * no longer matches, and everything is sent again (never a stale file).
 *
 * Files go as one tar stream through the archive API of the (created, not
 * yet started) stage container, which writes into its volume; outputs come
 * back the same way from the exited container, into the local workspace,
 * before it is removed. Nothing needs a shell, rsync or ssh on the engine.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Dockerode from 'dockerode';
import type * as TarStreamModule from 'tar-stream';
import type { Cancel, LogSink, StageSpec, TransferStats } from '../../core/ports';
import { packFiles } from './tar-pack';
import { containedPath } from '../../core/files/contain';
import { LABEL_HOST, hostId } from './owner';
import { isNotFound } from './docker-api';

type TarStream = typeof TarStreamModule;

export const LABEL_WORKSPACE = 'mlci.workspace';
const LABEL_GENERATION = 'mlci.generation';

interface FileState {
  hash: string;
  size: number;
  mtimeMs: number;
}

interface Manifest {
  volume: string;
  generation: string;
  files: Record<string, FileState>;
}

/** The volume of a workspace on an engine: one per (this host, workspace path). */
export function workspaceVolume(workspace: string): string {
  return `mlci-ws-${createHash('sha256').update(`${hostId()}\0${workspace}`).digest('hex').slice(0, 16)}`;
}

function manifestPath(workspace: string, volume: string): string {
  return path.join(workspace, '.mlci', 'state', 'remote', `${volume}.json`);
}

/** Manifests in memory, one per file: stages of one run on one engine share them. */
const manifests = new Map<string, Promise<Manifest>>();
/** Manifest writes, one at a time per file (stages finish concurrently). */
const writes = new Map<string, Promise<void>>();

async function loadManifest(file: string, volume: string, generation: string): Promise<Manifest> {
  let cached = manifests.get(file);
  if (!cached) {
    cached = readFile(file, 'utf8').then(
      (t) => JSON.parse(t) as Manifest,
      () => ({ volume, generation, files: {} }),
    );
    manifests.set(file, cached);
  }
  const m = await cached;
  // Another generation of the volume (removed, recreated): it holds none of these files.
  if (m.volume !== volume || m.generation !== generation || typeof m.files !== 'object' || m.files === null) {
    m.volume = volume;
    m.generation = generation;
    m.files = {};
  }
  return m;
}

/** The volume is gone: its manifest (on disk and in memory) goes too. */
export async function forgetManifest(workspace: string): Promise<void> {
  const file = manifestPath(workspace, workspaceVolume(workspace));
  manifests.delete(file);
  await (writes.get(file) ?? Promise.resolve());
  await rm(file, { force: true });
}

function saveManifest(file: string, m: Manifest): Promise<void> {
  const next = (writes.get(file) ?? Promise.resolve()).then(async () => {
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(m));
    await rename(tmp, file);
  });
  writes.set(file, next.catch(() => undefined));
  return next;
}

async function hashFile(abs: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(abs), h);
  return h.digest('hex');
}

/**
 * Regular files below `rel` (a file or a folder), as workspace-relative `/`
 * paths; missing: none. Synchronous on purpose, like the stats in
 * prepareShipment: an unchanged rerun is nothing but these reads and stats,
 * and the libuv pool's per-request overhead is several times the syscall
 * (10,000 files: ~65 ms with readdirSync/statSync against ~170-330 ms with
 * 32 requests in flight). The engine's answer about the volume arrives
 * meanwhile.
 */
function filesUnder(root: string, rel: string): string[] {
  const abs = containedPath(root, path.resolve(root, rel), rel);
  const st = statSync(abs, { throwIfNoEntry: false });
  if (!st) return []; // a missing input fails the stage there, as it would here
  const relOf = (p: string) => path.relative(root, p).split(path.sep).join('/');
  if (st.isFile()) return [relOf(abs)];
  if (!st.isDirectory()) return [];
  const out: string[] = [];
  const dirs = [abs];
  for (let dir = dirs.pop(); dir !== undefined; dir = dirs.pop()) {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, d.name);
      if (d.isDirectory()) dirs.push(p);
      else if (d.isFile()) out.push(relOf(p));
      else if (d.isSymbolicLink()) {
        // Followed like a bind mount would, when it stays inside the workspace.
        const target = statSync(containedPath(root, p, relOf(p)), { throwIfNoEntry: false });
        if (target?.isFile()) out.push(relOf(p));
      }
    }
  }
  return out;
}

/** One stage's shipment: the volume to mount, then send before start and fetch after exit. */
export interface Shipment {
  mount: { Type: 'volume'; Source: string; Target: string };
  /** A command run before the stage's own: removes outputs an earlier run left in the volume (the archive API cannot delete). */
  clearOutputs?: string;
  send(container: Dockerode.Container, cancel?: Cancel): Promise<void>;
  fetch(container: Dockerode.Container): Promise<void>;
  stats: TransferStats;
}

/** Prepares a stage's shipment: the workspace volume exists, and what it lacks is known. */
export async function prepareShipment(docker: Dockerode, spec: StageSpec, log: LogSink): Promise<Shipment> {
  const root = spec.workspace;
  const volume = workspaceVolume(root);
  // The engine's answer about the volume comes while the files are listed and stat'ed here.
  const generationP = ensureVolume(docker, volume, root);
  generationP.catch(() => undefined);
  const stats: TransferStats = { sentFiles: 0, sentBytes: 0, reusedFiles: 0, fetchedFiles: 0 };
  const rels = new Set<string>();
  for (const input of spec.inputs ?? []) for (const rel of filesUnder(root, input)) rels.add(rel);
  const sorted = [...rels].sort();
  const stated: Stats[] = sorted.map((rel) => statSync(path.join(root, rel)));
  const generation = await generationP;
  const file = manifestPath(root, volume);
  const manifest = await loadManifest(file, volume, generation);

  // What the volume lacks: files whose content hash differs from the manifest's.
  const toSend: { rel: string; size: number; mtimeMs: number; mode: number }[] = [];
  let rehashed = false;
  for (let i = 0; i < sorted.length; i++) {
    const rel = sorted[i]!;
    const st = stated[i]!;
    const known = manifest.files[rel];
    if (known && known.size === st.size && known.mtimeMs === st.mtimeMs) {
      stats.reusedFiles++;
      continue;
    }
    // Touched (or never sent): the content decides. A new file is hashed while it is sent.
    const hash = known ? await hashFile(path.join(root, rel)) : undefined;
    if (hash !== undefined && hash === known?.hash) {
      manifest.files[rel] = { hash, size: st.size, mtimeMs: st.mtimeMs };
      rehashed = true;
      stats.reusedFiles++;
      continue;
    }
    toSend.push({ rel, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode & 0o777 });
  }

  // Outputs of an earlier run are not left for this one to find (locally, the engine deleted them).
  const stale = (spec.outputs ?? []).filter((o) => !rels.has(o) && ![...rels].some((r) => r.startsWith(`${o.replace(/\/$/, '')}/`)));
  return {
    mount: { Type: 'volume', Source: volume, Target: root },
    ...(stale.length ? { clearOutputs: `rm -rf -- ${stale.map((o) => shellQuote(path.posix.join(root, o))).join(' ')}` } : {}),
    stats,
    async send(container, cancel) {
      if (toSend.length === 0) return;
      const { tar, sent } = packFiles(root, toSend);
      // The engine has the files once it answers: its answer is read to the end.
      const answer = await container.putArchive(tar, { path: root, ...(cancel ? { abortSignal: cancel } : {}) });
      await drain(answer);
      for (const f of await sent) {
        manifest.files[f.rel] = { hash: f.hash, size: f.size, mtimeMs: f.mtimeMs };
        stats.sentFiles++;
        stats.sentBytes += f.size;
      }
      await saveManifest(file, manifest);
      if (stats.sentFiles) log('stderr', `mlci: sent ${stats.sentFiles} file${stats.sentFiles === 1 ? '' : 's'} (${formatBytes(stats.sentBytes)}) to the engine; ${stats.reusedFiles} already there\n`);
    },
    async fetch(container) {
      for (const out of spec.outputs ?? []) {
        const target = path.posix.join(root, out.replace(/\/$/, ''));
        let stream: NodeJS.ReadableStream;
        try {
          stream = await container.getArchive({ path: target });
        } catch (err) {
          if (isNotFound(err)) continue; // not written: reported as a missing output, as locally
          throw err;
        }
        const fetched = await unpackInto(root, path.posix.dirname(out.replace(/\/$/, '')), stream);
        for (const f of fetched) manifest.files[f.rel] = { hash: f.hash, size: f.size, mtimeMs: f.mtimeMs };
        stats.fetchedFiles += fetched.length;
      }
      // Nothing came back and nothing was re-hashed: the manifest on disk is current.
      if (stats.fetchedFiles || rehashed) await saveManifest(file, manifest);
    },
  };
}

/** The volume's generation label, creating the volume when missing. */
async function ensureVolume(docker: Dockerode, volume: string, workspace: string): Promise<string> {
  try {
    const info = (await docker.getVolume(volume).inspect()) as { Labels?: Record<string, string> | null };
    const g = info.Labels?.[LABEL_GENERATION];
    if (g) return g;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const generation = randomUUID();
  await docker.createVolume({
    Name: volume,
    Labels: { 'mlci.owned': 'true', [LABEL_WORKSPACE]: workspace, [LABEL_HOST]: hostId(), [LABEL_GENERATION]: generation },
  });
  // Created by another mlci meanwhile: its label wins.
  const info = (await docker.getVolume(volume).inspect()) as { Labels?: Record<string, string> | null };
  return info.Labels?.[LABEL_GENERATION] ?? generation;
}

async function tarStream(): Promise<TarStream> {
  // A CommonJS module: under the CLI's ESM chunks its exports sit on `default`.
  const mod = (await import('tar-stream')) as TarStream & { default?: TarStream };
  return mod.default ?? mod;
}

function drain(s: NodeJS.ReadableStream | undefined): Promise<void> {
  if (!s || typeof s.on !== 'function') return Promise.resolve();
  return new Promise((resolve, reject) => {
    s.on('error', reject);
    s.on('end', resolve);
    s.on('close', resolve);
    s.resume();
  });
}

/**
 * Extracts an archive the engine sent (the entry names start with the
 * basename of the path asked for) below `dir` of the workspace: regular
 * files and folders only, each path checked to stay inside the workspace.
 */
async function unpackInto(root: string, dir: string, stream: NodeJS.ReadableStream): Promise<(FileState & { rel: string })[]> {
  const ex = (await tarStream()).extract();
  const out: (FileState & { rel: string })[] = [];
  ex.on('entry', (header, body, next) => {
    const rel = path.posix.normalize(path.posix.join(dir, header.name));
    const fail = (err: unknown) => {
      body.resume();
      next(err as Error);
    };
    if (rel.startsWith('..') || path.posix.isAbsolute(rel)) return fail(new Error(`the engine sent '${header.name}', outside the workspace`));
    const abs = path.join(root, ...rel.split('/'));
    void (async () => {
      try {
        if (header.type === 'directory') {
          await mkdir(containedPath(root, abs, rel), { recursive: true });
          body.resume();
          return next();
        }
        if (header.type !== 'file') {
          body.resume();
          return next(); // links and devices a stage made stay on the engine
        }
        await mkdir(path.dirname(abs), { recursive: true });
        const target = containedPath(root, abs, rel);
        // A cache link (hard link into .mlci/cache) must not be written through.
        await rm(target, { force: true });
        const h = createHash('sha256');
        const tee = new PassThrough();
        tee.on('data', (c: Buffer) => h.update(c));
        const { createWriteStream } = await import('node:fs');
        await pipeline(body, tee, createWriteStream(target, { mode: (header.mode ?? 0o644) & 0o777 }));
        const st = await lstat(target);
        out.push({ rel, hash: h.digest('hex'), size: st.size, mtimeMs: st.mtimeMs });
        next();
      } catch (err) {
        fail(err);
      }
    })();
  });
  await pipeline(stream, ex);
  return out;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
