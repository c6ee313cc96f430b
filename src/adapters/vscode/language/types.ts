/** What the language features receive from the composition root. */
import type * as vscode from 'vscode';
import type { Config } from '../config';
import type { PipelineRegistry } from '../registry';

/** A stage's run status for lenses and hovers (e.g. `passed`, `stale: params changed`), if known. */
export type StageStatusFn = (file: string, stage: string) => { label: string; detail?: string } | undefined;

export interface LanguageDeps {
  config: Config;
  log: vscode.LogOutputChannel;
  /** The one pipeline registry: diagnostics publish what it validates. */
  registry: PipelineRegistry;
  stageStatus?: StageStatusFn;
  /** Fires when stage statuses change (a run progressed, files changed). */
  onDidChangeStatus?: vscode.Event<void>;
}
