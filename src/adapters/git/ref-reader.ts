/**
 * Reading files as committed at a git ref, for regression gates' baselines
 * (`GitBaseline` in src/core/gates takes `gitFileReader(cwd)`), and where the
 * pipeline folder sits inside the repository (`repoRelative`), because git
 * paths are relative to the repository root while pipeline paths are
 * relative to the pipeline folder.
 *
 * A ref that does not exist locally is tried as `origin/<ref>`: CI checkouts
 * (actions/checkout, GitLab's fetch) usually have the remote-tracking
 * `origin/main` but no local `main`, and `baseline: main` should still work
 * there. A missing ref or path reads as undefined, never a throw; other git
 * failures (not a repository, git missing, timeout) do throw, so a broken
 * setup is reported instead of looking like "no baseline".
 *
 * Read-only and lock-free: rev-parse, cat-file and show take no index lock.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { SimpleGit } from 'simple-git';
import { simpleGit } from 'simple-git';
import type { ReadFileAtRef } from '../../core/gates/baseline';

/** Longest a single git command may stay silent before it is killed. */
const GIT_TIMEOUT_MS = 15_000;

function gitAt(cwd: string): SimpleGit {
  return simpleGit({ baseDir: cwd, timeout: { block: GIT_TIMEOUT_MS } });
}

/**
 * `(ref, relPath) => text | undefined` for the repository containing `cwd`.
 * `relPath` is relative to the repository root, `/`-separated. Each ref is
 * resolved to a commit once per reader, so all files of one evaluation come
 * from the same commit even if the branch moves meanwhile.
 * Throws at once when `cwd` does not exist (simple-git refuses it).
 */
export function gitFileReader(cwd: string): ReadFileAtRef {
  const git = gitAt(cwd);
  const commits = new Map<string, Promise<string | undefined>>();
  const commitOf = (ref: string) => {
    let c = commits.get(ref);
    if (!c) {
      c = resolveCommit(git, ref);
      commits.set(ref, c);
    }
    return c;
  };
  return async (ref, relPath) => {
    const commit = await commitOf(ref);
    if (!commit) return undefined;
    const object = `${commit}:${relPath.replace(/\\/g, '/').replace(/^\.?\//, '')}`;
    // cat-file -t first: `git show` on a missing path fails (fine), but on a folder it prints a tree listing.
    const type = await git.raw(['cat-file', '-t', object]).then((t) => t.trim(), () => undefined);
    if (type !== 'blob') return undefined;
    // --no-textconv: the committed bytes, not what a diff driver would show.
    return git.show(['--no-textconv', object]);
  };
}

/** `ref => commit | undefined` for the repository containing `cwd` (trying `origin/<ref>` too). */
export function gitRefResolver(cwd: string): (ref: string) => Promise<string | undefined> {
  const git = gitAt(cwd);
  return (ref) => resolveCommit(git, ref);
}

/** The commit `ref` names, else the one `origin/<ref>` names, else undefined. */
async function resolveCommit(git: SimpleGit, ref: string): Promise<string | undefined> {
  // A ref starting with '-' would be read as an option by git: it cannot name a branch anyway.
  if (!ref || ref.startsWith('-')) return undefined;
  for (const candidate of [ref, `origin/${ref}`]) {
    // --verify --quiet: exit 1 with no output when it names no commit; ^{commit} peels annotated tags.
    const sha = await git.raw(['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`]).then((s) => s.trim(), () => '');
    if (sha) return sha;
  }
  return undefined;
}

/**
 * `absPath` relative to the root of the repository containing `cwd`,
 * `/`-separated, '' for the root itself; undefined when `cwd` is not in a
 * work tree or `absPath` lies outside it. Both sides are resolved through
 * symlinks, since git reports the real top-level path (/private/tmp on macOS).
 */
export async function repoRelative(cwd: string, absPath: string): Promise<string | undefined> {
  // simple-git throws synchronously for a folder that does not exist: that is "not in a work tree" too.
  const top = await Promise.resolve()
    .then(() => gitAt(cwd).raw(['rev-parse', '--show-toplevel']))
    .then((s) => s.trim(), () => '');
  if (!top) return undefined;
  const real = async (p: string) => realpath(p).catch(() => path.resolve(p));
  const rel = path.relative(await real(top), await real(absPath));
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}
