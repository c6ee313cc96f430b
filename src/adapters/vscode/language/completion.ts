/** Completion in pipeline files: schema keys and values, stage, metric and params names (model/completions.ts). */
import path from 'node:path';
import * as vscode from 'vscode';
import type { ParamsFile } from '../../../core/params';
import { parseParams } from '../../../core/params';
import { escapeReason } from '../../../core/paths';
import { editorFiles, toRange } from '../documents';
import type { Candidate } from './model/completions';
import { completionsAt } from './model/completions';
import { pipelineFacts } from './model/facts';
import { scanOf } from './selector';

/** Typed where a new word starts: after `key:`, in flow lists and mappings, after `- `. */
export const TRIGGER_CHARACTERS = [':', ' ', '[', ',', '{'];

const KIND: Record<Candidate['kind'], vscode.CompletionItemKind> = {
  key: vscode.CompletionItemKind.Property,
  value: vscode.CompletionItemKind.Value,
  enum: vscode.CompletionItemKind.EnumMember,
  stage: vscode.CompletionItemKind.Function,
  metric: vscode.CompletionItemKind.Variable,
  param: vscode.CompletionItemKind.Constant,
  snippet: vscode.CompletionItemKind.Snippet,
};

export class PipelineCompletion implements vscode.CompletionItemProvider {
  provideCompletionItems(doc: vscode.TextDocument, pos: vscode.Position, _token: vscode.CancellationToken, context: vscode.CompletionContext): vscode.CompletionItem[] {
    const text = doc.getText();
    const offset = doc.offsetAt(pos);
    const byCharacter = context.triggerKind === vscode.CompletionTriggerKind.TriggerCharacter;
    // A space pops a list up only right after `key:`, `- ` or inside brackets, not in indentation or prose.
    if (byCharacter && context.triggerCharacter === ' ' && !/(:|^\s*-|[[{,]) $/.test(text.slice(doc.offsetAt(pos.with(undefined, 0)), offset))) return [];
    const entries = scanOf(doc);
    const result = completionsAt({ text, offset, entries, params: readParams(doc, pipelineFacts(entries).paramsFile) });
    if (!result) return [];
    const { context: ctx } = result;
    // A trigger character inside a word (`python:3.12`) is part of the word, not the start of a new one.
    if (byCharacter && ctx.prefix !== '') return [];
    const range = { inserting: toRange(doc, ctx.start, offset), replacing: toRange(doc, ctx.start, Math.max(offset, ctx.end)) };
    return result.items.map((c) => {
      const item = new vscode.CompletionItem(c.label, KIND[c.kind]);
      item.insertText = c.snippet ? new vscode.SnippetString(c.insertText) : c.insertText;
      item.range = range;
      // The lead (' ' after `key:`) is not typed by the user: filter on the word alone.
      item.filterText = c.label;
      if (c.detail) item.detail = c.detail;
      if (c.documentation) item.documentation = new vscode.MarkdownString(c.documentation);
      if (c.sortText) item.sortText = c.sortText;
      if (c.retrigger) item.command = { title: 'Suggest', command: 'editor.action.triggerSuggest' };
      return item;
    });
  }
}

/** The params file's keys, read as the editor has it (open and unsaved, or from disk). */
function readParams(doc: vscode.TextDocument, paramsFile: string): ParamsFile | undefined {
  if (escapeReason(paramsFile)) return undefined;
  const text = editorFiles.readText(path.resolve(path.dirname(doc.uri.fsPath), paramsFile));
  if (text === undefined) return undefined;
  const parsed = parseParams(text);
  return parsed.ok ? parsed.params : undefined;
}
