/**
 * `mlci cache push|pull` over any RemoteStore. Push sends what the remote
 * lacks in dependency order: objects, then run-cache entries, then commit
 * records, so a run entry never becomes visible before the objects it names.
 * Pull fetches entries first, then the objects they (and the lock) name,
 * verifying every object by hash and every record by checksum before it
 * enters the local cache; a bad one is reported and left out.
 */
import { readFileSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../run/atomic';
import { isCacheKey, keyPath, objectKey, parseObjectKey } from '../layout';
import { parseManifest } from '../manifest';
import type { ObjectStore } from '../objects';
import type { CommitRecord, RecordStore, RunCacheEntry } from '../run-cache';
import { openJson, sealJson } from '../sealed-json';
import type { PushPlan, PutItem, RemoteStore, TransferProgress } from './types';

export interface TransferReport {
  keys: number;
  bytes: number;
  /** Keys already on the other side. */
  present: number;
  /** Keys refused because their content did not verify. */
  rejected: Array<{ key: string; reason: string }>;
  /** Keys wanted but not on the remote (pull). */
  absent: string[];
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
  /** Output hashes wanted besides those the entries name (from mlci.lock); kind unknown. */
  hashes?: string[];
}

export async function pull(local: { dir: string; objects: ObjectStore; records: RecordStore }, remote: RemoteStore, want: PullWant, opts: { jobs: number; onKey?: (k: string, bytes: number) => void }): Promise<TransferReport> {
  const report = emptyReport();
  const onKey = (k: string, b: number) => {
    report.keys++;
    report.bytes += b;
    opts.onKey?.(k, b);
  };
  const storeRecord = async (key: string, chunks: AsyncIterable<Buffer>) => {
    const parts: Buffer[] = [];
    for await (const c of chunks) parts.push(c);
    const text = Buffer.concat(parts).toString('utf8');
    const r = openJson(text);
    if ('error' in r) report.rejected.push({ key, reason: r.error });
    else await local.records.write(key, r.value);
  };
  // 1. What the remote has. With every run wanted, one listing of everything
  // (and the records come with the objects in one transfer); else the commit
  // records are listed and the run entries asked for by name.
  const all = want.runs === 'all';
  const listed = await remote.list(all ? ['runs', 'commits', 'objects'] : ['commits']);
  const runKeys = all ? listed.filter((k) => k.startsWith('runs/')) : want.runs as string[];
  const commitKeys = listed.filter((k) => k.startsWith('commits/'));
  const recordKeys = [...runKeys, ...commitKeys];
  const known = new Set(listed);
  if (!all) for (const k of await remote.has(runKeys)) known.add(k);
  report.absent.push(...runKeys.filter((k) => !known.has(k)));
  const haveLocally = (k: string) => {
    try {
      return readFileSync(keyPath(local.dir, k)).length > 0;
    } catch {
      return false;
    }
  };
  // Commit records are re-fetched (another machine may have added stages); run entries only when absent.
  const fetchRecords = recordKeys.filter((k) => known.has(k) && (k.startsWith('commits/') || !haveLocally(k)));
  report.present += recordKeys.filter((k) => known.has(k)).length - fetchRecords.length;
  if (!all) await remote.get(fetchRecords, storeRecord, { jobs: opts.jobs, onKey });

  // 2. Objects: those the entries and the lock name; directory manifests first, then their files.
  const tops = new Set<string>();
  if (all) {
    for (const k of listed) if (k.startsWith('objects/')) tops.add(k);
  } else {
    for (const k of runKeys) {
      const e = local.records.read<RunCacheEntry>(k);
      for (const o of Object.values(e?.outs ?? {})) if (o.cache) tops.add(objectKey(o.hash, o.kind));
    }
  }
  const loose = (want.hashes ?? []).flatMap((h) => [objectKey(h, 'file'), objectKey(h, 'dir')]).filter((k) => !known.has(k));
  for (const k of await remote.has(loose)) {
    tops.add(k);
    known.add(k);
  }
  await fetchObjects(local, remote, [...tops], report, opts.jobs, onKey, known, all ? { keys: fetchRecords, store: storeRecord } : undefined);
  const files = new Set<string>();
  for (const k of tops) {
    const o = parseObjectKey(k);
    if (o?.kind !== 'dir' || !local.objects.has(o.hash, 'dir')) continue;
    for (const l of parseManifest(local.objects.readText(o.hash, 'dir'))) files.add(l.hash);
  }
  const fileKeys = [...files].filter((h) => !local.objects.has(h, 'file') && !local.objects.has(h, 'link'));
  // A manifest line is a file or a symlink: ask for both names, take what exists.
  const candidates = fileKeys.flatMap((h) => [objectKey(h, 'file'), objectKey(h, 'link')]);
  const asked = candidates.filter((k) => !known.has(k));
  const there = new Set([...candidates.filter((k) => known.has(k)), ...await remote.has(asked)]);
  const lacking = fileKeys.filter((h) => !there.has(objectKey(h, 'file')) && !there.has(objectKey(h, 'link')));
  report.absent.push(...lacking.map((h) => objectKey(h, 'file')));
  await fetchObjects(local, remote, candidates.filter((k) => there.has(k)), report, opts.jobs, onKey, there);
  return report;
}

/**
 * Fetches the `keys` the local cache lacks; `known`: keys already known to be
 * on the remote; `records`: record keys fetched in the same transfer.
 */
async function fetchObjects(local: { objects: ObjectStore }, remote: RemoteStore, keys: string[], report: TransferReport, jobs: number, onKey: (k: string, b: number) => void, known: ReadonlySet<string>, records?: { keys: string[]; store: (key: string, chunks: AsyncIterable<Buffer>) => Promise<void> }): Promise<void> {
  const needed = keys.filter((k) => {
    const o = parseObjectKey(k)!;
    return !local.objects.has(o.hash, o.kind);
  });
  report.present += keys.length - needed.length;
  const unknown = needed.filter((k) => !known.has(k));
  const there = new Set([...needed.filter((k) => known.has(k)), ...await remote.has(unknown)]);
  report.absent.push(...needed.filter((k) => !there.has(k)));
  await remote.get([...(records?.keys ?? []), ...needed.filter((k) => there.has(k))], async (key, chunks) => {
    const o = parseObjectKey(key);
    if (!o) return records!.store(key, chunks);
    const why = await local.objects.receive(o.hash, o.kind, chunks);
    if (why) report.rejected.push({ key, reason: why });
  }, { jobs, onKey });
}
