/**
 * Which files changed below a folder dep. mlci.lock keeps one hash per dep
 * (a folder's hash covers every file below it), which says *that* `src/`
 * changed, not *what* did. After a stage succeeds, the file list of each
 * folder dep is kept under .mlci/state/dirs/<folder hash>.json (content
 * addressed, like the build manifests in .mlci/state/builds/), so the next
 * status can say `dep src/utils/ changed: logs.py`. Without the manifest (a
 * fresh clone, a run before this existed) the reason stays `dep src/ changed`.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { TreeEntry, TreeFilter } from '../hash';
import { writeFileAtomic } from './atomic';

/** What the engine's hasher offers for folders (the FileHasher's listFiles). */
export interface FolderLister {
  listFiles?(root: string, filter?: TreeFilter): Promise<TreeEntry[]>;
}

interface DirManifest {
  files: Record<string, string>;
}

function manifestDir(root: string): string {
  return path.join(root, '.mlci', 'state', 'dirs');
}

function manifestFile(root: string, hash: string): string {
  return path.join(manifestDir(root), `${hash}.json`);
}

function readManifest(root: string, hash: string): DirManifest | undefined {
  if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
  try {
    const m = JSON.parse(readFileSync(manifestFile(root, hash), 'utf8')) as DirManifest;
    return m && typeof m.files === 'object' ? m : undefined;
  } catch {
    return undefined;
  }
}

async function filesOf(absDir: string, lister: FolderLister): Promise<Record<string, string> | undefined> {
  if (!lister.listFiles) return undefined;
  try {
    return Object.fromEntries((await lister.listFiles(absDir)).map((e) => [e.rel, e.hash]));
  } catch {
    // Not a folder (a file dep), or unreadable: the plain reason stands.
    return undefined;
  }
}

/** Folder deps are written with a trailing slash (`src/`), as the pipeline file documents. */
export function isFolderDep(dep: string): boolean {
  return dep.endsWith('/');
}

/**
 * Keeps the file list of each folder dep under its hash (once: the name is
 * the content). Best effort: a failure only costs the detail in a later reason.
 */
export async function rememberFolderDeps(root: string, deps: Record<string, string | null>, absOf: (dep: string) => string, lister: FolderLister): Promise<void> {
  for (const [dep, hash] of Object.entries(deps)) {
    if (!hash || !isFolderDep(dep) || existsSync(manifestFile(root, hash))) continue;
    const files = await filesOf(absOf(dep), lister);
    if (!files) continue;
    const file = manifestFile(root, hash);
    await mkdir(path.dirname(file), { recursive: true })
      .then(() => writeFileAtomic(file, JSON.stringify({ files })))
      .catch(() => undefined);
  }
}

/** "logs.py", "logs.py, new.py added, old.py removed", "a.py, b.py, c.py and 4 more"; undefined without the earlier list. */
export async function folderChange(root: string, absDir: string, previousHash: string, lister: FolderLister): Promise<string | undefined> {
  const before = readManifest(root, previousHash);
  if (!before) return undefined;
  const after = await filesOf(absDir, lister);
  if (!after) return undefined;
  const changed: string[] = [];
  for (const k of [...new Set([...Object.keys(before.files), ...Object.keys(after)])].sort()) {
    const a = before.files[k];
    const b = after[k];
    if (a === b) continue;
    changed.push(a === undefined ? `${k} added` : b === undefined ? `${k} removed` : k);
  }
  if (!changed.length) return undefined;
  return changed.length > 3 ? `${changed.slice(0, 3).join(', ')} and ${changed.length - 3} more` : changed.join(', ');
}

export interface FolderListGc {
  removed: number;
  kept: number;
  freedBytes: number;
}

/** Lists younger than this are kept: a run writes a stage's list before it writes mlci.lock. */
export const FOLDER_LIST_GRACE_MS = 3600_000;

/**
 * `mlci cache gc`: removes the folder file lists (.mlci/state/dirs/) that no
 * folder dep in the lock files has as its hash any more (only the lock's hash
 * is ever compared against), keeping lists written in the last hour (a run
 * going on) and anything that is not a list (`<sha256>.json`).
 */
export function pruneFolderLists(root: string, locks: ReadonlyArray<{ stages: Record<string, { deps?: Record<string, string | null> }> }>, dryRun: boolean, now = Date.now()): FolderListGc {
  const keep = new Set<string>();
  for (const l of locks) for (const s of Object.values(l.stages)) for (const [dep, hash] of Object.entries(s.deps ?? {})) if (hash && isFolderDep(dep)) keep.add(hash);
  const report: FolderListGc = { removed: 0, kept: 0, freedBytes: 0 };
  let names: string[];
  try {
    names = readdirSync(manifestDir(root));
  } catch {
    return report; // no lists yet
  }
  for (const name of names) {
    const m = /^([0-9a-f]{64})\.json$/.exec(name);
    const file = path.join(manifestDir(root), name);
    let st;
    try {
      st = statSync(file);
    } catch {
      continue; // gone meanwhile
    }
    if (!m || !st.isFile() || keep.has(m[1]!) || now - st.mtimeMs < FOLDER_LIST_GRACE_MS) {
      if (m) report.kept++;
      continue;
    }
    report.removed++;
    report.freedBytes += st.size;
    if (!dryRun) rmSync(file, { force: true });
  }
  return report;
}
