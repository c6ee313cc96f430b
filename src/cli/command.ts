/**
 * The shape of a CLI command: a name, a one-line summary, its help text,
 * its options (for node:util parseArgs) and a run function. main.ts holds
 * the table; each command lives in commands/<name>.ts.
 */
import type { ParseArgsConfig } from 'node:util';
import type { CliEvent } from '../protocol/cli-events';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  /** How the user runs mlci (`mlci`, `node dist/cli.js`), for the commands hints print; `mlci` when absent. */
  prog?: string;
  /**
   * Set with `--events`: machine-readable events go here (JSON lines on
   * standard output) and `out` writes to standard error instead.
   */
  event?(e: CliEvent): void;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Lines after the usage: options and examples. */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals: boolean;
  /** Accepts `--events` (JSON lines on standard output, for the VS Code extension). */
  events?: boolean;
  /** Rewrites argv before parsing (for flags with an optional value). */
  preprocess?: (argv: string[]) => string[];
  /**
   * Exit code for an error that stops the command and that the user can fix
   * (bad input, a corrupt or unwritable file): 2 by default; 3 ("could not
   * run") for commands where 2 means "a gate failed".
   */
  errorExit?: number;
  run(args: { values: Record<string, unknown>; positionals: string[] }, io: CliIo): Promise<number>;
}
