/**
 * Errors the user can act on, as opposed to bugs. A FixableError names the
 * thing at fault and what to do about it; the CLI prints it as one line
 * with the command's "could not run" exit code, never as an internal error.
 *
 * `describeFsError` turns a Node file-system error (EISDIR, ENOSPC, EACCES...)
 * into such a sentence: which file, what is wrong with it, what to do.
 */
export class FixableError extends Error {
  override readonly name = 'FixableError';
}

/** Node's errno-style error, as thrown by node:fs. */
export function isFsError(e: unknown): e is NodeJS.ErrnoException & { code: string } {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && /^E[A-Z0-9]+$/.test((e as NodeJS.ErrnoException).code!);
}

/** What to do, per errno code, for a file mlci had to `verb` ("write", "read"). */
const ADVICE: Record<string, (file: string, verb: string) => string> = {
  EISDIR: (f) => `a directory is in the way of the file ${f}: remove or rename that directory`,
  ENOTDIR: (f) => `a file is in the way of a folder on the path to ${f}: remove or rename it`,
  ENOSPC: (f, v) => `the disk holding ${f} is full: free some space, then run again (could not ${v} it)`,
  EDQUOT: (f, v) => `the disk quota for ${f} is exhausted: free some space, then run again (could not ${v} it)`,
  EACCES: (f, v) => `no permission to ${v} ${f}: check the permissions of the file and its folder`,
  EPERM: (f, v) => `not permitted to ${v} ${f}: check the permissions of the file and its folder`,
  EROFS: (f, v) => `${f} is on a read-only file system: cannot ${v} it; run from a writable copy`,
  EMFILE: () => 'too many open files in this process: raise the limit (ulimit -n) and run again',
  EIO: (f, v) => `an I/O error while trying to ${v} ${f}: the disk may be failing`,
};

/** One sentence for an fs failure on `file`; `verb` is what mlci was doing ("write", "read"). */
export function describeFsError(file: string, e: unknown, verb = 'write'): string {
  const code = isFsError(e) ? e.code : undefined;
  const advice = code ? ADVICE[code] : undefined;
  if (advice) return `${advice(file, verb)} [${code}]`;
  return `could not ${verb} ${file}: ${(e as Error)?.message ?? String(e)}`;
}

/** The file an fs error is about: a rename's target over its temp source, else its path, else `fallback`. */
export function fsErrorFile(e: unknown, fallback: string): string {
  const err = e as NodeJS.ErrnoException & { dest?: string };
  return err?.dest ?? err?.path ?? fallback;
}
