/**
 * Paths from the pipeline stay inside the workspace after symlinks are
 * resolved, not only as text: `data/x.csv -> /etc/shadow`, `reports ->
 * /outside` or `.mlci -> /elsewhere` would otherwise let a repository make
 * mlci read host files into logs and records, or write outside the folder
 * it was opened on. A path is resolved with realpath (for a path that does
 * not exist yet, its nearest existing parent) and refused when the result
 * leaves the workspace's own real path, naming the link that leads out.
 *
 * Allowed only by the person running mlci, never by the repository: the
 * environment variable MLCI_ALLOW_OUTSIDE_LINKS=1 (for datasets kept on
 * another disk and linked in). Documented in README.md (Security).
 */
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

export const ALLOW_OUTSIDE_LINKS_ENV = 'MLCI_ALLOW_OUTSIDE_LINKS';

export function outsideLinksAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[ALLOW_OUTSIDE_LINKS_ENV] === '1';
}

export class PathEscapeError extends Error {
  constructor(message: string, readonly shown: string, readonly target: string) {
    super(message);
    this.name = 'PathEscapeError';
  }
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** realpath of `abs`, or of its nearest existing ancestor with the rest appended. */
export function resolveExisting(abs: string): string {
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      return path.join(realpathSync(cur), ...rest.reverse());
    } catch (e) {
      // ELOOP (a link cycle) and the like: leave it to the read or write to fail with its own error.
      if (!isMissing(e)) return path.join(cur, ...rest.reverse());
      const up = path.dirname(cur);
      if (up === cur) return abs;
      rest.push(path.basename(cur));
      cur = up;
    }
  }
}

function within(realRoot: string, real: string): boolean {
  return real === realRoot || real.startsWith(realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep);
}

/** The first symlink on the way from `root` to `abs` that leads out of `realRoot`, as `rel -> target`. */
function escapingLink(root: string, realRoot: string, abs: string): string | undefined {
  const rel = path.relative(root, abs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  let cur = root;
  for (const part of rel.split(path.sep)) {
    cur = path.join(cur, part);
    try {
      if (!lstatSync(cur).isSymbolicLink()) continue;
    } catch {
      return undefined;
    }
    if (!within(realRoot, resolveExisting(cur))) return `${path.relative(root, cur).split(path.sep).join('/')} -> ${readlinkSync(cur)}`;
  }
  return undefined;
}

/**
 * Why `abs` (a path under `root` as written) leaves the workspace through a
 * symlink, or undefined when it stays inside (or links out are allowed).
 * `shown` names the path in the message, as the pipeline writes it.
 */
export function linkEscape(root: string, abs: string, shown: string, env: NodeJS.ProcessEnv = process.env): PathEscapeError | undefined {
  if (outsideLinksAllowed(env)) return undefined;
  const realRoot = resolveExisting(path.resolve(root));
  const real = resolveExisting(path.resolve(abs));
  if (within(realRoot, real)) return undefined;
  const link = escapingLink(path.resolve(root), realRoot, path.resolve(abs));
  return new PathEscapeError(
    `${shown} leads outside the workspace: it resolves to ${real}${link ? ` through the symlink ${link}` : ''}; ` +
      `mlci does not read or write through links that leave ${root} (set ${ALLOW_OUTSIDE_LINKS_ENV}=1 to allow it)`,
    shown,
    real,
  );
}

/** `abs` when it stays inside `root` after resolving symlinks; a PathEscapeError otherwise. */
export function containedPath(root: string, abs: string, shown = path.relative(root, abs).split(path.sep).join('/') || '.'): string {
  const escape = linkEscape(root, abs, shown);
  if (escape) throw escape;
  return abs;
}
