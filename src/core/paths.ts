/**
 * Paths written in a pipeline file: always relative to the pipeline's
 * folder, always with '/' separators, and never allowed to leave that
 * folder (they are mounted into containers and hashed; a path outside the
 * workspace would leak host files into a run).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Normalised form for comparing paths: no './', no trailing '/'. */
export function normalizeRel(p: string): string {
  const n = path.posix.normalize(p.replace(/\\/g, '/'));
  return n === '.' || n === './' ? '.' : n.replace(/\/+$/, '').replace(/^\.\//, '');
}

/** Why a path escapes the workspace, or undefined when it stays inside. */
export function escapeReason(p: string): string | undefined {
  const raw = p.replace(/\\/g, '/');
  if (path.posix.isAbsolute(raw) || /^[A-Za-z]:\//.test(raw)) return 'it is absolute';
  if (raw.startsWith('~')) return "it starts at the home folder ('~')";
  const n = normalizeRel(raw);
  if (n === '..' || n.startsWith('../')) return 'it leaves the pipeline folder';
  return undefined;
}

/** True when a and b are the same path, or one is inside the other. */
export function pathsOverlap(a: string, b: string): boolean {
  const x = normalizeRel(a);
  const y = normalizeRel(b);
  if (x === y || x === '.' || y === '.') return true;
  return x.startsWith(y + '/') || y.startsWith(x + '/');
}

/** Resolve a pipeline path to an absolute one under `root` (call escapeReason first). */
export function resolveIn(root: string, p: string): string {
  return path.resolve(root, p);
}

/** The nearest folder at or above `dir` holding `.git` (a folder, or a file for worktrees). */
export function findRepoRoot(dir: string): string | undefined {
  let d = path.resolve(dir);
  for (;;) {
    if (existsSync(path.join(d, '.git'))) return d;
    const up = path.dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}
