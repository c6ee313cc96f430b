/** Lookups by path over a scan, built once per scan so the outline and facts of large pipelines stay linear. */
import type { ScanEntry, Seg } from './yaml-scan';

export interface EntryIndex {
  /** The first entry at exactly `path`. */
  at(path: readonly Seg[]): ScanEntry | undefined;
  /** The direct children of `path` (keys and items), in document order. */
  children(path: readonly Seg[]): ScanEntry[];
}

const indexes = new WeakMap<readonly ScanEntry[], EntryIndex>();

export function entryIndex(entries: readonly ScanEntry[]): EntryIndex {
  const hit = indexes.get(entries);
  if (hit) return hit;
  const byPath = new Map<string, ScanEntry>();
  const kids = new Map<string, ScanEntry[]>();
  for (const e of entries) {
    const k = JSON.stringify(e.path);
    if (!byPath.has(k)) byPath.set(k, e);
    const parent = JSON.stringify(e.path.slice(0, -1));
    const list = kids.get(parent);
    if (list) list.push(e);
    else kids.set(parent, [e]);
  }
  const index: EntryIndex = {
    at: (path) => byPath.get(JSON.stringify(path)),
    children: (path) => kids.get(JSON.stringify(path)) ?? [],
  };
  indexes.set(entries, index);
  return index;
}
