/**
 * `mlci cache push|pull` over any RemoteStore. Push sends what the remote
 * lacks in dependency order: objects, then run-cache entries, then commit
 * records, so a run entry never becomes visible before the objects it names.
 * Pull fetches entries first, then the objects they (and the lock) name,
 * in rounds over one session (see pull), verifying every object by hash and
 * every record by checksum before it enters the local cache; a bad one is
 * reported and left out.
 */
import { readFileSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../run/atomic';
import type { ObjectKind } from '../layout';
import { isCacheKey, keyPath, objectKey, parseObjectKey } from '../layout';
import type { ManifestLine } from '../manifest';
import { parseManifest } from '../manifest';
import type { ObjectStore } from '../objects';
import type { CommitRecord, RecordStore, RunCacheEntry } from '../run-cache';
import { openJson, sealJson } from '../sealed-json';
import type { FetchSession, KeyPrefix, PushPlan, PutItem, RemoteStore, TransferProgress } from './types';

export interface TransferReport {
  keys: number;
  bytes: number;
  /** Keys already on the other side. */
  present: number;
  /** Keys refused because their content did not verify. */
  rejected: Array<{ key: string; reason: string }>;
  /** Keys wanted but not on the remote (pull). */
  absent: string[];
  /** Pull: the wanted outputs (PullWant.outputs) the local cache still cannot restore, with what they lack. */
  unrestored?: Array<{ output: string; missing: string }>;
}

const emptyReport = (): TransferReport => ({ keys: 0, bytes: 0, present: 0, rejected: [], absent: [] });

/** Every key in a local cache folder under `prefix`. */
export async function localKeys(dir: string, prefix: 'objects' | 'runs' | 'commits'): Promise<PutItem[]> {
  const out: PutItem[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(dir, ...rel.split('/')), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const k = `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(k);
      else if (isCacheKey(k)) {
        const file = keyPath(dir, k);
        out.push({ key: k, file, size: (await lstat(file)).size });
      }
    }
  };
  await walk(prefix);
  return out;
}

export async function push(local: { dir: string; records: RecordStore }, remote: RemoteStore, opts: { jobs: number; onKey?: (k: string, bytes: number) => void }): Promise<TransferReport> {
  const report = emptyReport();
  const onKey = (k: string, b: number) => {
    report.keys++;
    report.bytes += b;
    opts.onKey?.(k, b);
  };
  const objects = await localKeys(local.dir, 'objects');
  const runs = await localKeys(local.dir, 'runs');
  const commits = await localKeys(local.dir, 'commits');
  const plan: PushPlan = {
    // One question for every key, one answer: what the remote already has,
    // and the commit records it holds (to merge with ours).
    candidates: [...objects, ...runs, ...commits],
    read: commits.map((c) => c.key),
    choose: async ({ there, texts }) => {
      const missing = [...objects, ...runs].filter((i) => !there.has(i.key));
      report.present += objects.length + runs.length - missing.length;
      // Commit records merge: another machine may have recorded other stages of the same commit.
      for (const c of commits) {
        const text = texts.get(c.key);
        const other = text === undefined ? undefined : openJson<CommitRecord>(text);
        const mine = openJson<CommitRecord>(readFileSync(c.file, 'utf8'));
        if (other && 'value' in other && 'value' in mine) {
          const stageMetrics = { ...other.value.stageMetrics, ...mine.value.stageMetrics };
          const metrics: Record<string, number> = {};
          for (const m of Object.values(stageMetrics)) Object.assign(metrics, m);
          await writeFileAtomic(c.file, JSON.stringify(sealJson({ ...mine.value, stageMetrics, metrics })));
        }
      }
      const sized = await Promise.all(commits.map(async (c) => ({ ...c, size: (await lstat(c.file)).size })));
      // One put: the remote makes the records (runs/, commits/) visible only after the objects they name.
      return [...missing, ...sized];
    },
  };
  if (remote.putMissing) await remote.putMissing(plan, { jobs: opts.jobs, onKey });
  else await pushInSteps(remote, plan, { jobs: opts.jobs, onKey });
  return report;
}

/** A push for a remote without `putMissing`: `has`, a `get` of the held records to read, then `put`. */
export async function pushInSteps(remote: RemoteStore, plan: PushPlan, opts: TransferProgress & { jobs: number }): Promise<void> {
  const there = await remote.has(plan.candidates.map((i) => i.key));
  const texts = await fetchTexts(remote, plan.read.filter((k) => there.has(k)), opts.jobs);
  await remote.put(await plan.choose({ there, texts }), opts);
}

/** Small keys' contents as text (records), fetched together. */
async function fetchTexts(remote: RemoteStore, keys: readonly string[], jobs: number): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await remote.get(keys, async (k, chunks) => {
    const parts: Buffer[] = [];
    for await (const c of chunks) parts.push(c);
    out.set(k, Buffer.concat(parts).toString('utf8'));
  }, { jobs });
  return out;
}

/** One small key's content as text (a record). */
export async function fetchText(remote: RemoteStore, key: string): Promise<string> {
  return (await fetchTexts(remote, [key], 1)).get(key) ?? '';
}

export interface PullWant {
  /** Run-cache keys (runs/...) wanted; 'all' for every entry on the remote. */
  runs: string[] | 'all';
  /** Output hashes wanted besides those the entries name (from mlci.lock); kind unknown: asked as a file, a folder and a symlink. */
  hashes?: string[];
  /** The outputs these hashes are (`stage: path`), to say which could not be restored. */
  outputs?: Array<{ label: string; hash: string }>;
}

/** A session over `has`, `get` and `list`, for a remote without `openFetch`. */
export async function openFetchSession(remote: RemoteStore, list: readonly KeyPrefix[], jobs: number): Promise<FetchSession> {
  if (remote.openFetch) return remote.openFetch(list);
  const listed = list.length ? await remote.list(list) : [];
  return {
    listed,
    async fetch(keys, receive, opts) {
      const there = await remote.has(keys);
      await remote.get(keys.filter((k) => there.has(k)), receive, { ...opts, jobs });
      return keys.filter((k) => !there.has(k));
    },
    async close() {},
  };
}

/**
 * Fetches what `want` names in rounds over one session: the run entries,
 * commit records and the lock's objects first, then the objects the
 * entries name and the files of every directory manifest that arrived,
 * until nothing new is named. A hash whose kind is unknown is asked under
 * each kind it may have; it is absent when none arrived.
 */
export async function pull(local: { dir: string; objects: ObjectStore; records: RecordStore }, remote: RemoteStore, want: PullWant, opts: { jobs: number; onKey?: (k: string, bytes: number) => void }): Promise<TransferReport> {
  const report = emptyReport();
  const onKey = (k: string, b: number) => {
    report.keys++;
    report.bytes += b;
    opts.onKey?.(k, b);
  };
  const all = want.runs === 'all';
  // With every run wanted, everything is listed; else only the commit records (baselines).
  const session = await openFetchSession(remote, all ? ['runs', 'commits', 'objects'] : ['commits'], opts.jobs);
  try {
    const listed = session.listed;
    const runKeys = all ? listed.filter((k) => k.startsWith('runs/')) : want.runs as string[];
    let round: string[] = [];
    const asked = new Set<string>();
    const ask = (k: string) => {
      if (asked.has(k)) return;
      asked.add(k);
      round.push(k);
    };
    /** Hashes looked at, with the kinds asked for when not held locally. */
    const seen = new Map<string, ObjectKind[]>();
    const wantObject = (hash: string, kinds: ObjectKind[]) => {
      if (seen.has(hash)) return;
      const held = kinds.find((k) => local.objects.has(hash, k));
      seen.set(hash, held ? [] : kinds);
      if (!held) {
        for (const k of kinds) ask(objectKey(hash, k));
        return;
      }
      report.present++;
      if (held === 'dir') expand(hash);
    };
    const expand = (dirHash: string) => {
      let lines: ManifestLine[];
      try {
        lines = parseManifest(local.objects.readText(dirHash, 'dir'));
      } catch (e) {
        report.rejected.push({ key: objectKey(dirHash, 'dir'), reason: (e as Error).message });
        return;
      }
      for (const l of lines) wantObject(l.hash, ['file', 'link']);
    };
    const examineRun = (k: string) => {
      const e = local.records.read<RunCacheEntry>(k);
      for (const o of Object.values(e?.outs ?? {})) if (o.cache) wantObject(o.hash, [o.kind]);
    };
    const haveLocally = (k: string) => {
      try {
        return readFileSync(keyPath(local.dir, k)).length > 0;
      } catch {
        return false;
      }
    };
    // Run entries only when absent; commit records always (another machine may have added stages).
    for (const k of runKeys) {
      if (!haveLocally(k)) ask(k);
      else {
        report.present++;
        examineRun(k);
      }
    }
    for (const k of listed) if (k.startsWith('commits/')) ask(k);
    for (const h of want.hashes ?? []) wantObject(h, ['file', 'dir', 'link']);
    if (all) {
      for (const k of listed) {
        const o = parseObjectKey(k);
        if (o) wantObject(o.hash, [o.kind]);
      }
    }
    const storeRecord = async (key: string, chunks: AsyncIterable<Buffer>) => {
      const parts: Buffer[] = [];
      for await (const c of chunks) parts.push(c);
      const r = openJson(Buffer.concat(parts).toString('utf8'));
      if ('error' in r) report.rejected.push({ key, reason: r.error });
      else await local.records.write(key, r.value);
    };
    while (round.length) {
      const keys = round;
      round = [];
      const arrived: string[] = [];
      const absent = new Set(await session.fetch(keys, async (key, chunks) => {
        const o = parseObjectKey(key);
        if (!o) await storeRecord(key, chunks);
        else {
          const why = await local.objects.receive(o.hash, o.kind, chunks);
          if (why) return void report.rejected.push({ key, reason: why });
        }
        arrived.push(key);
      }, { onKey }));
      // A record is absent by its key; an object when no kind it was asked under is there.
      const gone = new Set<string>();
      for (const k of keys) {
        if (!absent.has(k)) continue;
        const o = parseObjectKey(k);
        if (!o) report.absent.push(k);
        else if (!gone.has(o.hash) && seen.get(o.hash)!.every((kind) => absent.has(objectKey(o.hash, kind)))) {
          gone.add(o.hash);
          report.absent.push(k);
        }
      }
      for (const k of arrived) {
        const o = parseObjectKey(k);
        if (!o) {
          if (k.startsWith('runs/')) examineRun(k);
        } else if (o.kind === 'dir') expand(o.hash);
      }
    }
  } finally {
    await session.close();
  }
  report.unrestored = unrestored(local.objects, want.outputs ?? [], new Set(report.rejected.map((r) => parseObjectKey(r.key)?.hash)));
  return report;
}

/** The outputs the local cache cannot restore after a pull, with what is missing of each. */
function unrestored(objects: ObjectStore, outputs: NonNullable<PullWant['outputs']>, rejected: ReadonlySet<string | undefined>): Array<{ output: string; missing: string }> {
  const out: Array<{ output: string; missing: string }> = [];
  for (const { label, hash } of outputs) {
    if (objects.has(hash, 'file') || objects.has(hash, 'link')) continue;
    if (!objects.has(hash, 'dir')) {
      out.push({ output: label, missing: rejected.has(hash) ? 'rejected: its content does not match its hash' : 'not on the remote' });
      continue;
    }
    let lines: ManifestLine[];
    try {
      lines = parseManifest(objects.readText(hash, 'dir'));
    } catch (e) {
      out.push({ output: label, missing: `its file list is unreadable: ${(e as Error).message}` });
      continue;
    }
    const lacking = lines.filter((l) => !objects.has(l.hash, 'file') && !objects.has(l.hash, 'link'));
    if (!lacking.length) continue;
    const bad = lacking.filter((l) => rejected.has(l.hash)).length;
    const why = !bad ? 'not on the remote' : bad === lacking.length ? 'rejected: content does not match its hash' : `${bad} rejected as corrupt, the rest not on the remote`;
    out.push({ output: label, missing: `${lacking.length} of ${lines.length} files missing (${why}), e.g. ${lacking[0].rel}` });
  }
  return out;
}
