/**
 * Validation of pipeline files as the editor sees them: open documents are
 * read from their (unsaved) text, everything else from disk. One place
 * turns a document into the core's ValidateResult, so diagnostics, the
 * tree, completion and hover never validate the same text twice.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { nodeFiles } from '../../core/node-files';
import type { FileProbe } from '../../core/ports';
import type { ValidateResult } from '../../core/pipeline/validate';
import type { IncrementalState } from '../../core/pipeline/incremental';
import { validateIncremental } from '../../core/pipeline/incremental';

export function isPipelineDocument(doc: { uri: vscode.Uri }): boolean {
  const base = path.basename(doc.uri.fsPath);
  return doc.uri.scheme === 'file' && (base === 'mlci.yaml' || base.endsWith('.mlci.yaml'));
}

/** Open editors win over the disk, so a params file being edited is seen as typed. */
export const editorFiles: FileProbe = {
  stat: (p) => nodeFiles.stat(p),
  readText(p) {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === p);
    return open ? open.getText() : nodeFiles.readText(p);
  },
  readError: (p) => nodeFiles.readError?.(p),
  linkEscape: (root, p, shown) => nodeFiles.linkEscape?.(root, p, shown),
};

const cache = new Map<string, { version: number; text: string; result: ValidateResult; state: IncrementalState }>();

/** Checks the user turned off in settings (`mlci.validation.undeclaredCodeDeps`). */
export function validationChecks(): { codeDeps: boolean } {
  return { codeDeps: vscode.workspace.getConfiguration('mlci').get<boolean>('validation.undeclaredCodeDeps', true) };
}

/** The validation of a document, cached by URI and version. */
export function validateDocument(doc: vscode.TextDocument): ValidateResult {
  const key = doc.uri.toString();
  const hit = cache.get(key);
  const text = doc.getText();
  if (hit && hit.version === doc.version && hit.text === text) return hit.result;
  // Incremental: the YAML of the stage being typed in is re-read, the rest reused (same result as a full validation).
  const { result, state } = validateIncremental({ file: path.basename(doc.uri.fsPath), text, root: path.dirname(doc.uri.fsPath), files: editorFiles, checks: validationChecks() }, hit?.state);
  cache.set(key, { version: doc.version, text, result, state });
  return result;
}

export function forgetDocument(uri: vscode.Uri): void {
  cache.delete(uri.toString());
}

/** A core offset range as a vscode.Range (the only place this conversion happens). */
export function toRange(doc: vscode.TextDocument, start: number, end: number): vscode.Range {
  return new vscode.Range(doc.positionAt(start), doc.positionAt(end));
}
