/** Which documents the language features serve, and the cached scan of each. */
import type * as vscode from 'vscode';
import type { ScanEntry } from './model/yaml-scan';
import { scanYaml } from './model/yaml-scan';

/** Pipeline files on disk (not untitled buffers: their paths mean nothing yet). */
export const PIPELINE_SELECTOR: vscode.DocumentFilter[] = [
  { scheme: 'file', pattern: '**/mlci.yaml' },
  { scheme: 'file', pattern: '**/*.mlci.yaml' },
];

const scans = new WeakMap<vscode.TextDocument, { version: number; entries: ScanEntry[] }>();

/** The lenient scan of a document, once per version (completion, hover, symbols and lenses share it). */
export function scanOf(doc: vscode.TextDocument): ScanEntry[] {
  const hit = scans.get(doc);
  if (hit && hit.version === doc.version) return hit.entries;
  const entries = scanYaml(doc.getText());
  scans.set(doc, { version: doc.version, entries });
  return entries;
}
