/** The outline: sections, stages (kind as detail) with their gates, metrics, triggers and ci fields. */
import * as vscode from 'vscode';
import { toRange } from '../documents';
import type { OutlineNode } from './model/outline';
import { outline } from './model/outline';
import { scanOf } from './selector';

const KIND: Record<OutlineNode['kind'], vscode.SymbolKind> = {
  section: vscode.SymbolKind.Namespace,
  field: vscode.SymbolKind.Property,
  stage: vscode.SymbolKind.Function,
  // A gate is a pass/fail check.
  gate: vscode.SymbolKind.Boolean,
  metric: vscode.SymbolKind.Variable,
};

export class PipelineSymbols implements vscode.DocumentSymbolProvider {
  provideDocumentSymbols(doc: vscode.TextDocument): vscode.DocumentSymbol[] {
    const toSymbol = (n: OutlineNode): vscode.DocumentSymbol => {
      const s = new vscode.DocumentSymbol(n.name, n.detail, KIND[n.kind], toRange(doc, n.start, n.end), toRange(doc, n.selectionStart, n.selectionEnd));
      s.children = n.children.map(toSymbol);
      return s;
    };
    return outline(scanOf(doc)).map(toSymbol);
  }
}
