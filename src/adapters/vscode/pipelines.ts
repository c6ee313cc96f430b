/**
 * The workspace's pipeline files and their validation, kept current by
 * file watchers (debounced), never by polling. Open documents are read as
 * typed (documents.ts); the tree, tasks and tests read pipelines from here.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { Pipeline } from '../../core/pipeline/model';
import type { ValidateResult } from '../../core/pipeline/validate';
import { parseParams } from '../../core/params';
import type { ParamValue } from '../../core/params';
import { editorFiles, validateDocument } from './documents';

export const PIPELINE_GLOB = '**/{mlci.yaml,*.mlci.yaml}';
const EXCLUDE = '{**/node_modules/**,**/.git/**,**/.mlci/**}';

export interface PipelineEntry {
  uri: vscode.Uri;
  /** Pipeline folder: paths in the file are relative to it; mounted into containers. */
  root: string;
  result: ValidateResult;
}

export class PipelineIndex implements vscode.Disposable {
  private readonly entries = new Map<string, PipelineEntry>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private timer: NodeJS.Timeout | undefined;
  private pending = new Set<string>();

  constructor(private readonly log: vscode.LogOutputChannel) {
    const watcher = vscode.workspace.createFileSystemWatcher(PIPELINE_GLOB);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((u) => this.schedule(u)),
      watcher.onDidChange((u) => this.schedule(u)),
      watcher.onDidDelete((u) => {
        this.entries.delete(u.toString());
        this.fire();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.entries.has(e.document.uri.toString())) this.schedule(e.document.uri);
      }),
      // A params file or dep changing can change a pipeline's problems and status.
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (!this.entries.has(d.uri.toString())) for (const e of this.entries.values()) if (d.uri.fsPath.startsWith(e.root + path.sep)) this.schedule(e.uri);
      }),
    );
  }

  async refresh(): Promise<void> {
    const uris = await vscode.workspace.findFiles(PIPELINE_GLOB, EXCLUDE);
    const seen = new Set<string>();
    for (const uri of uris) {
      seen.add(uri.toString());
      await this.load(uri);
    }
    for (const k of [...this.entries.keys()]) if (!seen.has(k)) this.entries.delete(k);
    this.log.debug(`pipelines: ${uris.length} file(s)`);
    this.fire();
  }

  list(): PipelineEntry[] {
    return [...this.entries.values()].sort((a, b) => a.uri.fsPath.localeCompare(b.uri.fsPath));
  }

  get(uriOrPath: vscode.Uri | string): PipelineEntry | undefined {
    const uri = typeof uriOrPath === 'string' ? vscode.Uri.file(uriOrPath) : uriOrPath;
    return this.entries.get(uri.toString());
  }

  /** The pipeline model and params values, or undefined when the file has errors. */
  runnable(entry: PipelineEntry): { pipeline: Pipeline; params: Record<string, ParamValue> } | undefined {
    const pipeline = entry.result.pipeline;
    if (!pipeline || entry.result.problems.some((p) => p.severity === 'error')) return undefined;
    const text = editorFiles.readText(path.resolve(entry.root, pipeline.paramsFile));
    const parsed = text !== undefined ? parseParams(text) : undefined;
    return { pipeline, params: parsed?.ok ? parsed.params.values : {} };
  }

  private schedule(uri: vscode.Uri): void {
    this.pending.add(uri.toString());
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const uris = [...this.pending].map((u) => vscode.Uri.parse(u));
      this.pending.clear();
      void Promise.all(uris.map((u) => this.load(u))).then(() => this.fire());
    }, 250);
  }

  private async load(uri: vscode.Uri): Promise<void> {
    try {
      const doc = await vscode.workspace.openTextDocument(uri);
      this.entries.set(uri.toString(), { uri, root: path.dirname(uri.fsPath), result: validateDocument(doc) });
    } catch (e) {
      this.log.warn(`cannot read ${uri.fsPath}: ${(e as Error).message}`);
      this.entries.delete(uri.toString());
    }
  }

  private fire(): void {
    void vscode.commands.executeCommand('setContext', 'mlci.hasPipeline', this.entries.size > 0);
    this.changed.fire();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.disposables.forEach((d) => d.dispose());
  }
}
