/**
 * What `mlci <command> --events` writes to standard output: one JSON object
 * per line. The VS Code run service spawns the bundled CLI with --events and
 * follows a run through these, so the extension and a terminal run the very
 * same code (human-readable lines go to standard error meanwhile). Types
 * only: erased at build, shared by the CLI and the extension.
 */
import type { EngineEvent } from '../core/run/engine';
import type { SweepEvent } from '../core/experiments/sweep';

/** Bumped when an event changes shape; the extension refuses other versions. */
export const CLI_EVENTS_VERSION = 1;

export type CliEvent =
  /** First line: the protocol version and the mlci version. */
  | { type: 'hello'; protocol: number; version: string; command: string }
  /** Where stages run, once chosen (after a fallback, `fellBackFrom` says from what and why). */
  | { type: 'executor'; name: 'docker' | 'local' | 'slurm'; where?: string; fellBackFrom?: { name: 'docker'; reason: string } }
  /** The Docker engine did not answer and the executor may not fall back: nothing ran. */
  | { type: 'engine-unreachable'; where: string; reason: string }
  /** A line meant for people (also printed on standard error). */
  | { type: 'note'; level: 'info' | 'warning' | 'error'; text: string }
  | EngineEvent
  | { type: 'sweep'; event: Exclude<SweepEvent, { type: 'engine' }> }
  /** The command failed before or outside a run: the message and the exit code it ends with. */
  | { type: 'error'; message: string; exitCode: number; internal?: boolean }
  /** Last line: the exit code. */
  | { type: 'exit'; code: number };
