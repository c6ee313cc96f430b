/**
 * What "Verify and Push" must know about the repository before it pushes:
 * the branch, its upstream, how far ahead and behind it is, and which
 * changes are not committed (a verified run of the working tree would not
 * be what gets pushed). Read with simple-git.
 */
import { simpleGit } from 'simple-git';

export interface BranchState {
  root: string;
  branch?: string;
  head: string;
  /** e.g. origin/main; undefined when the branch has no upstream. */
  upstream?: string;
  ahead: number;
  behind: number;
  /** Modified, staged, deleted or untracked files (ignored files excluded). */
  changes: string[];
}

export async function branchState(cwd: string): Promise<BranchState> {
  const git = simpleGit({ baseDir: cwd });
  const root = (await git.revparse(['--show-toplevel'])).trim();
  const status = await git.status();
  const head = (await git.revparse(['HEAD'])).trim();
  const changes = [...new Set([...status.files.map((f) => f.path)])];
  return {
    root,
    ...(status.detached || !status.current ? {} : { branch: status.current }),
    head,
    ...(status.tracking ? { upstream: status.tracking } : {}),
    ahead: status.ahead,
    behind: status.behind,
    changes,
  };
}

export async function fetchUpstream(cwd: string, upstream: string): Promise<void> {
  const [remote] = upstream.split('/');
  await simpleGit({ baseDir: cwd }).fetch(remote);
}

/** Whether `file` (absolute) differs from HEAD: verify reran stages and rewrote it. */
export async function fileChanged(cwd: string, file: string): Promise<boolean> {
  const out = await simpleGit({ baseDir: cwd }).raw(['status', '--porcelain', '--', file]);
  return out.trim() !== '';
}

/** Of `files` (absolute), the tracked ones with uncommitted changes. */
export async function changedTracked(cwd: string, files: string[]): Promise<string[]> {
  if (!files.length) return [];
  const out = await simpleGit({ baseDir: cwd }).raw(['status', '--porcelain', '--untracked-files=no', '--', ...files]);
  return out.split('\n').filter((l) => l.length > 3).map((l) => l.slice(3));
}

/** Commits just `files` (tracked, changed) with `message`; returns the new HEAD. */
export async function commitFiles(cwd: string, files: string[], message: string): Promise<string> {
  const git = simpleGit({ baseDir: cwd });
  await git.raw(['commit', '--only', '-m', message, '--', ...files]);
  return (await git.revparse(['HEAD'])).trim();
}

/** `sha subject` of the commits `ref` has that `base` lacks (all of `ref` when base is unknown, at most 20). */
export async function commitsBetween(cwd: string, base: string | undefined, ref: string): Promise<string[]> {
  const git = simpleGit({ baseDir: cwd });
  const range = base ? `${base}..${ref}` : ref;
  const out = await git.raw(['log', '--format=%h %s', '-n', '20', range]).catch(() => '');
  return out.split('\n').filter(Boolean);
}

/**
 * `git push`, with MLCI_VERIFIED set to the verified commit so mlci's own
 * pre-push hook does not verify the same commit a second time.
 */
export async function push(cwd: string, opts: { remote?: string; branch?: string; setUpstream?: boolean; verifiedCommit?: string }): Promise<string> {
  // simple-git guards the environment it is given (editors, pagers, TLS
  // settings...), so the variable is set on this process for the push only,
  // and git and its hooks inherit it.
  const git = simpleGit({ baseDir: cwd });
  const previous = process.env.MLCI_VERIFIED;
  if (opts.verifiedCommit) process.env.MLCI_VERIFIED = opts.verifiedCommit;
  try {
    const args = opts.setUpstream ? ['-u'] : [];
    const result = await git.push(opts.remote ?? 'origin', opts.branch, args);
    return result.pushed.map((p) => `${p.local} -> ${p.remote}`).join(', ') || 'up to date';
  } finally {
    if (previous === undefined) delete process.env.MLCI_VERIFIED;
    else process.env.MLCI_VERIFIED = previous;
  }
}
