/**
 * The interfaces the core needs from the outside world. Types only: the
 * adapters (docker, local, git, vscode) and the CLI implement them.
 */

/**
 * Read-only file access for validation. Synchronous on purpose: the checks
 * look at a handful of small files (the params file, dep paths) and run on
 * every keystroke pause, where a sync stat is cheaper than a promise chain.
 * The extension passes unsaved editor contents through `readText`.
 */
export interface FileProbe {
  /** 'file', 'dir', or undefined when the path does not exist. */
  stat(absPath: string): 'file' | 'dir' | undefined;
  /** The text of a file, or undefined when it cannot be read. */
  readText(absPath: string): string | undefined;
}
