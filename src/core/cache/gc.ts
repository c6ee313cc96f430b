/**
 * `mlci cache gc`: keeps the run-cache entries and objects that the lock,
 * the pinned run and the last N runs need, and deletes the rest (plus
 * leftovers of interrupted writes in tmp/). Commit records are small and
 * are what baselines are read from: they are kept.
 */
import { lstatSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { LockFile } from '../run/lockfile';
import { isCacheKey, keyPath, objectKey, parseObjectKey } from './layout';
import { parseManifest } from './manifest';
import type { ObjectStore } from './objects';
import type { RecordStore, RunCacheEntry } from './run-cache';

export interface GcInput {
  dir: string;
  objects: ObjectStore;
  records: RecordStore;
  /** Lock files of the pipelines sharing this cache. */
  locks: LockFile[];
  /** Run ids to keep (the last N and the pinned one) and the stage fingerprints they used. */
  keepRuns: Set<string>;
  keepFingerprints: Set<string>;
  dryRun?: boolean;
}

export interface GcReport {
  keptObjects: number;
  keptEntries: number;
  removedObjects: number;
  removedEntries: number;
  freedBytes: number;
}

function keysUnder(dir: string, prefix: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    let entries;
    try {
      entries = readdirSync(path.join(dir, ...rel.split('/')), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const k = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(k);
      else if (isCacheKey(k)) out.push(k);
    }
  };
  walk(prefix);
  return out;
}

export function collectGarbage(input: GcInput): GcReport {
  const report: GcReport = { keptObjects: 0, keptEntries: 0, removedObjects: 0, removedEntries: 0, freedBytes: 0 };
  const lockFingerprints = new Set(input.locks.flatMap((l) => Object.values(l.stages).map((s) => s.fingerprint)));
  const live = new Set<string>();
  const keepHash = (hash: string) => {
    for (const kind of ['file', 'dir', 'link'] as const) {
      const k = objectKey(hash, kind);
      if (live.has(k)) continue;
      if (!input.objects.has(hash, kind)) continue;
      live.add(k);
      if (kind === 'dir') {
        try {
          for (const l of parseManifest(input.objects.readText(hash, 'dir'))) keepHash(l.hash);
        } catch {
          // an unreadable manifest keeps nothing below it
        }
      }
    }
  };
  const remove = (key: string) => {
    const file = keyPath(input.dir, key);
    try {
      const st = lstatSync(file);
      // An object still hardlinked into a workspace frees nothing when its cache name goes.
      report.freedBytes += st.nlink > 1 ? 0 : st.size;
    } catch {
      return;
    }
    if (!input.dryRun) rmSync(file, { force: true });
  };
  for (const key of keysUnder(input.dir, 'runs')) {
    const e = input.records.read<RunCacheEntry>(key);
    if (e && (lockFingerprints.has(e.fingerprint) || input.keepRuns.has(e.runId) || input.keepFingerprints.has(e.fingerprint))) {
      report.keptEntries++;
      for (const o of Object.values(e.outs)) if (o.cache) keepHash(o.hash);
    } else {
      report.removedEntries++;
      remove(key);
    }
  }
  for (const l of input.locks) for (const s of Object.values(l.stages)) for (const h of Object.values(s.outs ?? {})) keepHash(h);
  for (const key of keysUnder(input.dir, 'objects')) {
    if (live.has(key) || !parseObjectKey(key)) {
      report.keptObjects++;
      continue;
    }
    report.removedObjects++;
    remove(key);
  }
  // Temp files of writes that died more than an hour ago.
  const tmp = path.join(input.dir, 'tmp');
  let names: string[] = [];
  try {
    names = readdirSync(tmp);
  } catch {
    // no tmp folder
  }
  for (const n of names) {
    const f = path.join(tmp, n);
    try {
      const st = statSync(f);
      if (Date.now() - st.mtimeMs > 3600_000) {
        report.freedBytes += st.size;
        if (!input.dryRun) rmSync(f, { recursive: true, force: true });
      }
    } catch {
      // gone meanwhile
    }
  }
  return report;
}
