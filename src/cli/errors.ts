/** Errors the CLI prints as one line and turns into an exit code, never a stack trace. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

/** Exit codes a script can rely on (documented in README and `mlci --help`). */
export const EXIT = {
  ok: 0,
  /** Validation errors, a failed stage, dataset drift. */
  failed: 1,
  /** Bad usage, unreadable files, engine unreachable. */
  usage: 2,
  /**
   * An internal error: a bug in mlci, not something the user did (sysexits'
   * EX_SOFTWARE). Distinct from every other code, so a script never takes a
   * crash for "a gate failed" (2) or "could not run" (3).
   */
  internal: 70,
} as const;
