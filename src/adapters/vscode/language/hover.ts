/** Hovers: schema documentation for keys and values; stage names with the stage's last status. */
import * as vscode from 'vscode';
import { toRange } from '../documents';
import { hoverAt } from './model/hover';
import { scanOf } from './selector';
import type { StageStatusFn } from './types';

export class PipelineHover implements vscode.HoverProvider {
  constructor(private readonly stageStatus: StageStatusFn | undefined) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const h = hoverAt(doc.getText(), doc.offsetAt(pos), scanOf(doc));
    if (!h) return undefined;
    let markdown = h.markdown;
    const status = h.stage ? this.stageStatus?.(doc.uri.fsPath, h.stage) : undefined;
    if (status) markdown += `\n\n---\n\n**Status:** ${escape(status.label)}${status.detail ? `\n\n${escape(status.detail)}` : ''}`;
    return new vscode.Hover(new vscode.MarkdownString(markdown), toRange(doc, h.start, h.end));
  }
}

/** Run reasons and labels are plain text: keep Markdown from reading them. */
function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+!|<>]/g, '\\$&');
}
