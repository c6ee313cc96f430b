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
import type { PutItem, RemoteStore } from './types';

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
  for (const prefix of ['objects', 'runs'] as const) {
    const items = await localKeys(local.dir, prefix);
    const there = await remote.has(items.map((i) => i.key));
    const missing = items.filter((i) => !there.has(i.key));
    report.present += items.length - missing.length;
    await remote.put(missing, { jobs: opts.jobs, onKey: (k, b) => {
      report.keys++;
      report.bytes += b;
      opts.onKey?.(k, b);
    } });
  }
  // Commit records merge: another machine may have recorded other stages of the same commit.
  const commits = await localKeys(local.dir, 'commits');
  const there = await remote.has(commits.map((c) => c.key));
  for (const c of commits.filter((x) => there.has(x.key))) {
    const theirs = await fetchRecord<CommitRecord>(remote, c.key);
    const mine = openJson<CommitRecord>(readFileSync(c.file, 'utf8'));
    if (theirs && 'value' in mine) {
      const stageMetrics = { ...theirs.stageMetrics, ...mine.value.stageMetrics };
      const metrics: Record<string, number> = {};
      for (const m of Object.values(stageMetrics)) Object.assign(metrics, m);
      await writeFileAtomic(c.file, JSON.stringify(sealJson({ ...mine.value, stageMetrics, metrics })));
    }
  }
  const sized = await Promise.all(commits.map(async (c) => ({ ...c, size: (await lstat(c.file)).size })));
  await remote.put(sized, { jobs: opts.jobs, onKey: (k, b) => {
    report.keys++;
    report.bytes += b;
    opts.onKey?.(k, b);
  } });
  return report;
}

async function fetchRecord<T>(remote: RemoteStore, key: string): Promise<T | undefined> {
  const r = openJson<T>(await fetchText(remote, key));
  return 'value' in r ? r.value : undefined;
}

/** One small key's content as text (a record). */
export async function fetchText(remote: RemoteStore, key: string): Promise<string> {
  let text = '';
  await remote.get([key], async (_k, chunks) => {
    const parts: Buffer[] = [];
    for await (const c of chunks) parts.push(c);
    text = Buffer.concat(parts).toString('utf8');
  }, { jobs: 1 });
  return text;
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
  // 1. Records: the run entries asked for, and every commit record (small; baselines need them).
  const runKeys = want.runs === 'all' ? await remote.list('runs') : want.runs;
  const commitKeys = await remote.list('commits');
  const recordKeys = [...runKeys, ...commitKeys];
  const onRemote = await remote.has(recordKeys);
  report.absent.push(...runKeys.filter((k) => !onRemote.has(k)));
  const haveLocally = (k: string) => {
    try {
      return readFileSync(keyPath(local.dir, k)).length > 0;
    } catch {
      return false;
    }
  };
  // Commit records are re-fetched (another machine may have added stages); run entries only when absent.
  const fetchRecords = recordKeys.filter((k) => onRemote.has(k) && (k.startsWith('commits/') || !haveLocally(k)));
  report.present += recordKeys.filter((k) => onRemote.has(k)).length - fetchRecords.length;
  await remote.get(fetchRecords, storeRecord, { jobs: opts.jobs, onKey });

  // 2. Objects: those the entries and the lock name; directory manifests first, then their files.
  const tops = new Set<string>();
  for (const k of runKeys) {
    const e = local.records.read<RunCacheEntry>(k);
    for (const o of Object.values(e?.outs ?? {})) if (o.cache) tops.add(objectKey(o.hash, o.kind));
  }
  if (want.runs === 'all') for (const k of await remote.list('objects')) tops.add(k);
  const loose = (want.hashes ?? []).flatMap((h) => [objectKey(h, 'file'), objectKey(h, 'dir')]);
  const looseThere = await remote.has(loose);
  for (const k of loose) if (looseThere.has(k)) tops.add(k);
  await fetchObjects(local, remote, [...tops], report, opts.jobs, onKey);
  const files = new Set<string>();
  for (const k of tops) {
    const o = parseObjectKey(k);
    if (o?.kind !== 'dir' || !local.objects.has(o.hash, 'dir')) continue;
    for (const l of parseManifest(local.objects.readText(o.hash, 'dir'))) files.add(l.hash);
  }
  const fileKeys = [...files].filter((h) => !local.objects.has(h, 'file') && !local.objects.has(h, 'link'));
  // A manifest line is a file or a symlink: ask for both names, take what exists.
  const candidates = fileKeys.flatMap((h) => [objectKey(h, 'file'), objectKey(h, 'link')]);
  const there = await remote.has(candidates);
  const lacking = fileKeys.filter((h) => !there.has(objectKey(h, 'file')) && !there.has(objectKey(h, 'link')));
  report.absent.push(...lacking.map((h) => objectKey(h, 'file')));
  await fetchObjects(local, remote, candidates.filter((k) => there.has(k)), report, opts.jobs, onKey);
  return report;
}

async function fetchObjects(local: { objects: ObjectStore }, remote: RemoteStore, keys: string[], report: TransferReport, jobs: number, onKey: (k: string, b: number) => void): Promise<void> {
  const needed = keys.filter((k) => {
    const o = parseObjectKey(k)!;
    return !local.objects.has(o.hash, o.kind);
  });
  report.present += keys.length - needed.length;
  const there = await remote.has(needed);
  report.absent.push(...needed.filter((k) => !there.has(k)));
  await remote.get(needed.filter((k) => there.has(k)), async (key, chunks) => {
    const o = parseObjectKey(key)!;
    const why = await local.objects.receive(o.hash, o.kind, chunks);
    if (why) report.rejected.push({ key, reason: why });
  }, { jobs, onKey });
}
