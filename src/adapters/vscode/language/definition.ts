/** Go to definition: stage references to the stage's key, paths to their file. */
import path from 'node:path';
import * as vscode from 'vscode';
import { nodeFiles } from '../../../core/node-files';
import { escapeReason } from '../../../core/paths';
import { toRange } from '../documents';
import { definitionAt } from './model/definition';
import { scanOf } from './selector';

export class PipelineDefinition implements vscode.DefinitionProvider {
  provideDefinition(doc: vscode.TextDocument, pos: vscode.Position): vscode.LocationLink[] | undefined {
    const d = definitionAt(doc.getText(), doc.offsetAt(pos), scanOf(doc));
    if (!d) return undefined;
    const originSelectionRange = toRange(doc, d.originStart, d.originEnd);
    if (d.kind === 'stage') {
      const target = toRange(doc, d.start, d.end);
      return [{ originSelectionRange, targetUri: doc.uri, targetRange: target, targetSelectionRange: target }];
    }
    // Only files inside the pipeline folder (what the validator allows); folders have nothing to open.
    if (escapeReason(d.path)) return undefined;
    const abs = path.resolve(path.dirname(doc.uri.fsPath), d.path);
    if (nodeFiles.stat(abs) !== 'file') return undefined;
    const start = new vscode.Range(0, 0, 0, 0);
    return [{ originSelectionRange, targetUri: vscode.Uri.file(abs), targetRange: start, targetSelectionRange: start }];
  }
}
