/**
 * The Problems entries of the last run's failures that have a place (a
 * failed image build at `build:` and at the Dockerfile line, a GPU request
 * at `gpus:`), in their own collection so validation does not clear them;
 * the next run of the same pipeline replaces them.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { nodeFiles } from '../../core/node-files';
import { parsePipelineText } from '../../core/pipeline/parse';
import type { RunRecord } from '../../core/run/record';
import { runProblems } from '../../core/run/run-problems';

export class RunProblemsView implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('mlci-run');
  private readonly shown = new Map<string, vscode.Uri[]>();

  show(record: RunRecord, pipelineFile: string, root: string): void {
    for (const uri of this.shown.get(pipelineFile) ?? []) this.collection.delete(uri);
    const text = nodeFiles.readText(pipelineFile);
    const source = text !== undefined ? parsePipelineText(path.basename(pipelineFile), text).source : undefined;
    if (!source) return;
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of runProblems(record, path.relative(root, pipelineFile), source, (rel) => nodeFiles.readText(path.resolve(root, rel)))) {
      const d = new vscode.Diagnostic(new vscode.Range(p.line - 1, p.column - 1, p.endLine - 1, p.endColumn - 1), p.message, vscode.DiagnosticSeverity.Error);
      d.source = 'mlci run';
      d.code = p.code;
      const abs = path.resolve(root, p.file);
      byFile.set(abs, [...(byFile.get(abs) ?? []), d]);
    }
    const uris = [...byFile].map(([abs, diags]) => {
      const uri = vscode.Uri.file(abs);
      this.collection.set(uri, diags);
      return uri;
    });
    this.shown.set(pipelineFile, uris);
  }

  dispose(): void {
    this.collection.dispose();
  }
}
