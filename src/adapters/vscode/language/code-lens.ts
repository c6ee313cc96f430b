/** Run / Run with upstream / status above each stage, refreshed when statuses change. */
import * as vscode from 'vscode';
import type { Config } from '../config';
import { pipelineFacts } from './model/facts';
import { scanOf } from './selector';
import type { StageStatusFn } from './types';

export class StageCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly config: Config, private readonly stageStatus: StageStatusFn | undefined, onDidChangeStatus: vscode.Event<void> | undefined) {
    if (onDidChangeStatus) this.disposables.push(onDidChangeStatus(() => this.changed.fire()));
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mlci.codeLens.enabled')) this.changed.fire();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()),
    );
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.config.codeLensEnabled) return [];
    const file = doc.uri.fsPath;
    return pipelineFacts(scanOf(doc)).stages.flatMap((s) => {
      const at = new vscode.Range(doc.positionAt(s.keyStart), doc.positionAt(s.keyStart));
      const args = [{ file, stage: s.name }];
      // Restricted Mode runs nothing: no buttons that could only say so.
      const lenses = vscode.workspace.isTrusted ? [
        new vscode.CodeLens(at, { title: '▶ Run', command: 'mlci.runStage', arguments: args, tooltip: `Run stage ${s.name}` }),
        new vscode.CodeLens(at, { title: 'Run with upstream', command: 'mlci.runStageWithUpstream', arguments: args, tooltip: `Run ${s.name} and every stage it needs` }),
      ] : [];
      const status = this.stageStatus?.(file, s.name);
      if (status?.label) {
        lenses.push(new vscode.CodeLens(at, { title: `${statusIcon(status.label)} ${status.label}`, command: 'mlci.openStageLog', arguments: args, tooltip: status.detail ?? 'Open the stage log' }));
      }
      return lenses;
    });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function statusIcon(label: string): string {
  if (/^(passed|up.to.date|succeeded|success)/i.test(label)) return '$(pass)';
  if (/^(failed|error)/i.test(label)) return '$(error)';
  if (/^running/i.test(label)) return '$(sync~spin)';
  if (/^stale/i.test(label)) return '$(history)';
  if (/^(cancelled|skipped)/i.test(label)) return '$(circle-slash)';
  return '$(info)';
}
