/** Lists what a directory hash covers: every non-directory entry below it, recursively. */
import type { Dirent } from 'node:fs';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { isMissing } from './fs-errors';
import type { Yielder } from './yielder';

/**
 * Names never hashed, at any depth: VCS and tool state, caches that change
 * without the data changing, and mlci's own state (which holds the stat
 * cache: hashing it would change the hash every time it is saved).
 */
export const SKIPPED_NAMES: ReadonlySet<string> = new Set(['.git', 'node_modules', '__pycache__', '.mlci', '.DS_Store']);

export interface WalkDir {
  /** Absolute, normalized; the stat cache's key for the directory. */
  abs: string;
  /** `abs` plus a separator: entry paths are built by concatenation, not path.join, whose normalization is a measurable share of a 10k-entry walk. */
  absPrefix: string;
  /** Relative to the walked root plus `/` ('' for the root): `/`-separated on every platform so hashes agree across machines. */
  relPrefix: string;
}

/**
 * Which entries a listing keeps, asked once per directory (`relPrefix` ''
 * for the root, else `a/b/`): undefined skips the directory and all below
 * it unwalked; otherwise a test of the names of its non-directory entries.
 */
export interface TreeFilter {
  dir(relPrefix: string): ((name: string) => boolean) | undefined;
}

export interface WalkEntry {
  dir: WalkDir;
  name: string;
}

/**
 * Every entry below `root` that is not a directory: files, symlinks (never
 * followed, so a link to a directory is not descended) and anything else;
 * the caller lstat's them and decides. Directory entry types come from
 * readdir, so the walk itself stats nothing. A directory that disappears
 * mid-walk is skipped, as if walked a moment later. Synchronous readdir,
 * with event-loop turns: see yielder.ts. `root` must be normalized. With
 * `filter`, only what it keeps (a skipped directory is never read). `found`
 * sees the list after each directory it reads (the last call: the whole
 * list), so the caller can start on it (the lstats, see
 * stat-worker.ts) while the walk goes on.
 */
export async function walkTree(root: string, yielder: Yielder, filter?: TreeFilter, found?: (entries: readonly WalkEntry[]) => void): Promise<WalkEntry[]> {
  const out: WalkEntry[] = [];
  const keepRoot = filter?.dir('');
  if (filter && !keepRoot) return out;
  const dirs: WalkDir[] = [{ abs: root, absPrefix: root.endsWith(path.sep) ? root : root + path.sep, relPrefix: '' }];
  const keeps = [keepRoot];
  for (let i = 0; i < dirs.length; i++) {
    const dir = dirs[i];
    const keep = keeps[i];
    let dirents: Dirent[];
    try {
      dirents = readdirSync(dir.abs, { withFileTypes: true });
    } catch (e) {
      if (i > 0 && isMissing(e)) continue;
      throw e;
    }
    for (const d of dirents) {
      if (SKIPPED_NAMES.has(d.name)) continue;
      if (d.isDirectory()) {
        const relPrefix = `${dir.relPrefix}${d.name}/`;
        const sub = filter?.dir(relPrefix);
        if (filter && !sub) continue;
        const abs = dir.absPrefix + d.name;
        dirs.push({ abs, absPrefix: abs + path.sep, relPrefix });
        keeps.push(sub);
      } else if (!keep || keep(d.name)) {
        out.push({ dir, name: d.name });
      }
    }
    found?.(out);
    if (yielder.due()) await yielder.turn();
  }
  return out;
}
