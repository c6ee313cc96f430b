/**
 * Quick fixes: the core computes each fix as text edits in offsets of the
 * file it read; this only turns them into a WorkspaceEdit on the right
 * document (the pipeline, or `fix.file` such as the params file).
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { Fix } from '../../../core/problems';
import { toRange } from '../documents';
import type { PipelineDiagnostics, PlacedProblem } from './diagnostics';

export class PipelineCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly diagnostics: PipelineDiagnostics) {}

  async provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const ours = context.diagnostics.filter((d) => d.source === 'mlci');
    if (ours.length === 0) return [];
    const actions: vscode.CodeAction[] = [];
    for (const placed of this.diagnostics.problemsIn(doc)) {
      if (!placed.problem.fixes?.length) continue;
      // Only for a problem the user sees: diagnostics from an older version of the text have other ranges.
      const diag = ours.find((d) => codeOf(d) === placed.problem.code && d.message === placed.problem.message && d.range.isEqual(placed.range));
      if (!diag) continue;
      for (const fix of placed.problem.fixes) {
        const edit = await toWorkspaceEdit(fix, placed);
        if (!edit) continue;
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.edit = edit;
        action.diagnostics = [diag];
        action.isPreferred = !!fix.preferred;
        actions.push(action);
      }
    }
    return actions;
  }
}

function codeOf(d: vscode.Diagnostic): string | number | undefined {
  return typeof d.code === 'object' ? d.code.value : d.code;
}

async function toWorkspaceEdit(fix: Fix, placed: PlacedProblem): Promise<vscode.WorkspaceEdit | undefined> {
  const uri = fix.file ? vscode.Uri.file(path.resolve(placed.root, fix.file)) : placed.pipeline;
  let target: vscode.TextDocument;
  try {
    // Offsets become positions against the document's text (opened without showing it when needed).
    target = await vscode.workspace.openTextDocument(uri);
  } catch {
    return undefined;
  }
  const edit = new vscode.WorkspaceEdit();
  for (const e of fix.edits) edit.replace(uri, toRange(target, e.start, e.end), e.text);
  return edit;
}
