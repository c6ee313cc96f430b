/**
 * The Git port with simple-git: what a run record says about the code it
 * ran (commit, branch, uncommitted changes). Read-only, and careful not to
 * get in the user's way: `--no-optional-locks` keeps `git status` from
 * taking .git/index.lock (which would make a concurrent `git commit` fail),
 * and a time limit keeps a huge or hung repository from stalling a run.
 *
 * simple-git strips ambient GIT_* variables (GIT_DIR, GIT_WORK_TREE... set
 * when mlci runs inside a git hook), so `cwd` alone decides the repository.
 */
import { stat } from 'node:fs/promises';
import type { SimpleGit } from 'simple-git';
import { simpleGit } from 'simple-git';
import type { Git, GitInfo } from '../../core/ports';

/** Longest a single git command may stay silent before it is killed. */
const GIT_TIMEOUT_MS = 15_000;

export class SimpleGitAdapter implements Git {
  /**
   * undefined when `cwd` is not inside a work tree (or does not exist).
   * In a repository without commits yet, `commit` is '' (GitInfo.commit is
   * a string) while `branch` and `dirty` are still reported.
   * `branch` is undefined on a detached HEAD. `dirty` follows
   * `git status --porcelain`: modified, staged or untracked files count,
   * ignored files do not.
   */
  async info(cwd: string): Promise<GitInfo | undefined> {
    if (!(await stat(cwd).then((s) => s.isDirectory(), () => false))) return undefined;
    const git = simpleGit({ baseDir: cwd, timeout: { block: GIT_TIMEOUT_MS } });
    if (!(await git.checkIsRepo())) return undefined;
    const [commit, branch, status] = await Promise.all([headCommit(git), currentBranch(git), git.raw(['--no-optional-locks', 'status', '--porcelain'])]);
    return { commit, ...(branch ? { branch } : {}), dirty: status.trim() !== '' };
  }
}

/** Full sha of HEAD, or '' before the first commit. */
async function headCommit(git: SimpleGit): Promise<string> {
  // --verify --quiet: exit 1 with no output when HEAD does not name a commit yet.
  const out = await git.raw(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']).catch(() => '');
  return out.trim();
}

/** The checked-out branch (also before the first commit), undefined when detached. */
async function currentBranch(git: SimpleGit): Promise<string | undefined> {
  const out = await git.raw(['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => '');
  return out.trim() || undefined;
}
