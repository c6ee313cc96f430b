/**
 * Directory manifests: the sorted `relpath\0hash\n` lines a directory's
 * hash is taken over (see hash/file-hasher.ts). Stored as they are, a
 * manifest verifies itself: its sha256 is the directory hash. Parsing checks
 * every path so a manifest from a remote cannot write outside the folder it
 * is restored into.
 */
import { createHash } from 'node:crypto';
import type { TreeEntry } from '../hash';

export interface ManifestLine {
  rel: string;
  hash: string;
}

export function manifestText(entries: readonly Pick<TreeEntry, 'rel' | 'hash'>[]): string {
  const lines = entries.map((e) => `${e.rel}\0${e.hash}\n`);
  lines.sort();
  return lines.join('');
}

export function manifestHash(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A safe relative path: `/`-separated, no empty, `.` or `..` segment, not absolute. */
export function isSafeRel(rel: string): boolean {
  if (!rel || rel.startsWith('/') || rel.includes('\\') || rel.includes('\0')) return false;
  return rel.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/** The lines of a manifest; throws naming what is wrong (the caller treats the object as corrupt). */
export function parseManifest(text: string): ManifestLine[] {
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error('manifest is truncated (no final newline)');
  const out: ManifestLine[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    const nul = line.indexOf('\0');
    const rel = line.slice(0, nul);
    const hash = line.slice(nul + 1);
    if (nul < 0 || !/^[0-9a-f]{64}$/.test(hash)) throw new Error(`manifest line '${line.replace(/\0/g, ' ')}' is not 'path NUL sha256'`);
    if (!isSafeRel(rel)) throw new Error(`manifest names an unsafe path '${rel}'`);
    out.push({ rel, hash });
  }
  return out;
}
