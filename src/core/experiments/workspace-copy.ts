/**
 * A sweep combination's private copy of the pipeline folder. Everything is
 * copied except `.mlci/` (run records, hash cache, the sweep copies
 * themselves) and `.git/`, so the lock file and the outputs of stages
 * already run come along and those stages are up to date in the copy. Big files
 * (> 1 MB) that no stage writes are hard-linked instead of copied: data
 * sets are read-only inputs, and a link costs no space or time. Outputs are
 * always copied, because a stage rewriting a file in place would otherwise
 * write through the link into the real workspace.
 */
import { copyFileSync, linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import path from 'node:path';

export const LINK_MIN_BYTES = 1024 * 1024;

export interface CopyStats {
  copied: number;
  linked: number;
}

/**
 * Copies `src` into `dest` (created). `noLink(rel)` says which files must be
 * real copies (stage outputs), `rel` being the `/`-separated path below src.
 */
export function copyWorkspace(src: string, dest: string, noLink: (rel: string) => boolean): CopyStats {
  const stats: CopyStats = { copied: 0, linked: 0 };
  const walk = (rel: string) => {
    const from = path.join(src, rel);
    const to = path.join(dest, rel);
    mkdirSync(to, { recursive: true });
    for (const e of readdirSync(from, { withFileTypes: true })) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      // .mlci: runs, caches and the copies themselves. .git: history is not an
      // input of any stage, and the record takes git info from the real workspace.
      if (!rel && (e.name === '.mlci' || e.name === '.git')) continue;
      const a = path.join(from, e.name);
      const b = path.join(to, e.name);
      if (e.isDirectory()) walk(childRel);
      else if (e.isSymbolicLink()) symlinkSync(readlinkSync(a), b);
      else if (e.isFile()) {
        if (lstatSync(a).size > LINK_MIN_BYTES && !noLink(childRel)) {
          try {
            linkSync(a, b);
            stats.linked++;
            continue;
          } catch {
            // Another filesystem or links not allowed: copy instead.
          }
        }
        copyFileSync(a, b);
        stats.copied++;
      }
    }
  };
  walk('');
  return stats;
}

/** True when `rel` is one of `outs` or below one of them (`models/` covers `models/a.json`). */
export function underAny(rel: string, outs: readonly string[]): boolean {
  return outs.some((o) => {
    const clean = o.replace(/^\.\//, '').replace(/\/+$/, '');
    return rel === clean || rel.startsWith(`${clean}/`);
  });
}
