/**
 * Problems of every pipeline file in the Problems panel, open or not:
 * open documents as typed (debounced per document), the others from disk,
 * kept current by file watchers. A problem located in another file (the
 * params file) is shown on that file. Pipelines are re-validated when the
 * params file they read changes, and when files under their folder appear
 * or disappear (`missing-dep`, `params-file-missing`).
 *
 * A pipeline document that closes is re-validated from disk: its unsaved
 * text is gone, and the saved file is what `mlci validate` and CI will see.
 * A deleted pipeline file loses its problems.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { nodeFiles } from '../../../core/node-files';
import type { Problem, Severity } from '../../../core/problems';
import type { ValidateResult } from '../../../core/pipeline/validate';
import { validatePipeline } from '../../../core/pipeline/validate';
import type { Config } from '../config';
import { editorFiles, forgetDocument, isPipelineDocument, toRange, validateDocument, validationChecks } from '../documents';

export const PIPELINE_FILES = '**/{mlci.yaml,*.mlci.yaml}';
const EXCLUDE = '{**/node_modules/**,**/.git/**,**/.mlci/**}';
/** Paths whose appearing or disappearing says nothing about a pipeline's problems. */
const IGNORED_DIRS = /[\\/](\.git|\.mlci|node_modules)[\\/]/;

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** A problem with where it is shown. */
export interface PlacedProblem {
  problem: Problem;
  /** The file the problem is shown on. */
  uri: vscode.Uri;
  range: vscode.Range;
  /** The pipeline that reported it; fix edits without a `file` go there. */
  pipeline: vscode.Uri;
  /** The pipeline's folder: `fix.file` and `problem.file` are relative to it. */
  root: string;
}

interface Published {
  uri: vscode.Uri;
  root: string;
  placed: PlacedProblem[];
  /** Absolute path of the params file the pipeline reads, when it could be read as a pipeline. */
  paramsFile?: string;
}

export class PipelineDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('mlci');
  private readonly published = new Map<string, Published>();
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; external: boolean }>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly config: Config, private readonly log: vscode.LogOutputChannel) {
    const pipelineWatcher = vscode.workspace.createFileSystemWatcher(PIPELINE_FILES);
    const dataWatcher = vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml,json}');
    // Creations and deletions anywhere: deps and params files appearing or going away.
    const presenceWatcher = vscode.workspace.createFileSystemWatcher('**/*', false, true, false);
    this.disposables.push(
      this.collection, pipelineWatcher, dataWatcher, presenceWatcher,
      vscode.workspace.onDidOpenTextDocument((doc) => {
        if (isPipelineDocument(doc)) this.validate(doc.uri);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length === 0) return;
        if (isPipelineDocument(e.document)) this.schedule(e.document.uri, this.config.validationDelay, false);
        else this.dependentsOf(e.document.uri).forEach((u) => this.schedule(u, this.config.validationDelay, true));
      }),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (isPipelineDocument(doc)) this.validate(doc.uri);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (isPipelineDocument(doc)) {
          forgetDocument(doc.uri);
          // The document leaves workspace.textDocuments after this event: read the disk then.
          this.schedule(doc.uri, 0, true);
        } else this.dependentsOf(doc.uri).forEach((u) => this.schedule(u, 0, true));
      }),
      pipelineWatcher.onDidCreate((u) => this.onDiskChange(u)),
      pipelineWatcher.onDidChange((u) => this.onDiskChange(u)),
      pipelineWatcher.onDidDelete((u) => {
        forgetDocument(u);
        this.clear(u);
      }),
      dataWatcher.onDidChange((u) => this.dependentsOf(u).forEach((p) => this.schedule(p, this.config.validationDelay, true))),
      presenceWatcher.onDidCreate((u) => {
        this.onPresenceChange(u);
        if (nodeFiles.stat(u.fsPath) === 'dir') void this.findIn(u);
      }),
      presenceWatcher.onDidDelete((u) => this.onPresenceChange(u)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mlci.validation.enabled')) void this.start();
      }),
    );
  }

  /** Validate open pipeline documents, then every pipeline file of the workspace from disk. */
  async start(): Promise<void> {
    if (!this.config.validationEnabled) {
      for (const p of [...this.published.values()]) this.clear(p.uri);
      return;
    }
    for (const doc of vscode.workspace.textDocuments) if (isPipelineDocument(doc)) this.validate(doc.uri);
    const uris = await vscode.workspace.findFiles(PIPELINE_FILES, EXCLUDE);
    for (const uri of uris) if (!this.published.has(uri.toString())) this.validate(uri);
    this.log.debug(`diagnostics: ${uris.length} pipeline file(s) on disk`);
  }

  /**
   * Pipeline files in a folder that just appeared (a checkout, a copy): the
   * watcher may report the folder alone when its files are written at once.
   */
  private async findIn(folder: vscode.Uri): Promise<void> {
    if (IGNORED_DIRS.test(folder.fsPath + path.sep)) return;
    const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, PIPELINE_FILES), EXCLUDE);
    for (const uri of uris) if (!this.published.has(uri.toString())) this.schedule(uri, 0, true);
  }

  /** Problems shown on `doc`, with the pipeline each came from (for quick fixes). */
  problemsIn(doc: vscode.TextDocument): PlacedProblem[] {
    if (isPipelineDocument(doc)) {
      // The open document's current text: quick fixes must use offsets of this very version.
      const root = path.dirname(doc.uri.fsPath);
      return this.place(doc.uri, root, validateDocument(doc), doc).filter((p) => p.uri.toString() === doc.uri.toString());
    }
    const key = doc.uri.toString();
    return [...this.published.values()].flatMap((p) => p.placed.filter((x) => x.uri.toString() === key));
  }

  private onDiskChange(uri: vscode.Uri): void {
    // An open document is validated as typed; VS Code reloads it (and says so) when the disk changes under it.
    if (!this.openDocument(uri)) this.schedule(uri, this.config.validationDelay, true);
  }

  private onPresenceChange(uri: vscode.Uri): void {
    if (IGNORED_DIRS.test(uri.fsPath)) return;
    for (const p of this.published.values()) {
      // A file under the pipeline's folder (a dep, the params file), or a folder holding the
      // pipeline itself: watchers report a deleted folder, not each file in it.
      const below = uri.fsPath.startsWith(p.root + path.sep) && uri.fsPath !== p.uri.fsPath;
      const holding = p.uri.fsPath.startsWith(uri.fsPath + path.sep);
      if (below || holding) this.schedule(p.uri, Math.max(this.config.validationDelay, 300), true);
    }
  }

  /** Pipelines that read `uri` as their params file. */
  private dependentsOf(uri: vscode.Uri): vscode.Uri[] {
    if (uri.scheme !== 'file') return [];
    return [...this.published.values()].filter((p) => p.paramsFile === uri.fsPath).map((p) => p.uri);
  }

  private schedule(uri: vscode.Uri, delay: number, external: boolean): void {
    const key = uri.toString();
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending.timer);
    const ext = external || !!pending?.external;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      // The document did not change, something it reads did: validateDocument's cache must not answer.
      if (ext) forgetDocument(uri);
      this.validate(uri);
    }, delay);
    this.timers.set(key, { timer, external: ext });
  }

  private openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
    const key = uri.toString();
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === key && !d.isClosed);
  }

  validate(uri: vscode.Uri): void {
    const pending = this.timers.get(uri.toString());
    if (pending) {
      clearTimeout(pending.timer);
      this.timers.delete(uri.toString());
    }
    if (!this.config.validationEnabled) {
      this.clear(uri);
      return;
    }
    const root = path.dirname(uri.fsPath);
    const doc = this.openDocument(uri);
    let result: ValidateResult;
    if (doc) result = validateDocument(doc);
    else {
      const text = nodeFiles.readText(uri.fsPath);
      if (text === undefined) {
        this.clear(uri);
        return;
      }
      result = validatePipeline({ file: path.basename(uri.fsPath), text, root, files: editorFiles, checks: validationChecks() });
    }
    const previous = this.published.get(uri.toString());
    const placed = this.place(uri, root, result, doc);
    const paramsFile = result.pipeline ? path.resolve(root, result.pipeline.paramsFile) : previous?.paramsFile;
    this.published.set(uri.toString(), { uri, root, placed, ...(paramsFile ? { paramsFile } : {}) });
    this.refresh([uri, ...placed.map((p) => p.uri), ...(previous?.placed.map((p) => p.uri) ?? [])]);
  }

  private place(pipeline: vscode.Uri, root: string, result: ValidateResult, doc: vscode.TextDocument | undefined): PlacedProblem[] {
    return result.problems.map((problem) => {
      const abs = path.resolve(root, problem.file);
      const inPipeline = abs === pipeline.fsPath;
      const uri = inPipeline ? pipeline : vscode.Uri.file(abs);
      // Offsets convert exactly against the open document; elsewhere the core's line/column (UTF-16, 1-based) do.
      const range = inPipeline && doc ? toRange(doc, problem.start, problem.end) : new vscode.Range(problem.line - 1, problem.column - 1, problem.endLine - 1, problem.endColumn - 1);
      return { problem, uri, range, pipeline, root };
    });
  }

  clear(uri: vscode.Uri): void {
    const previous = this.published.get(uri.toString());
    this.published.delete(uri.toString());
    this.refresh([uri, ...(previous?.placed.map((p) => p.uri) ?? [])]);
  }

  /** Recompute the diagnostics of these files from every pipeline's problems (two pipelines may share a params file). */
  private refresh(uris: vscode.Uri[]): void {
    const seen = new Set<string>();
    for (const uri of uris) {
      const key = uri.toString();
      if (seen.has(key)) continue;
      seen.add(key);
      const diags = [...this.published.values()].flatMap((p) => p.placed.filter((x) => x.uri.toString() === key)).map(toDiagnostic);
      this.collection.set(uri, diags);
    }
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
  }
}

function toDiagnostic(p: PlacedProblem): vscode.Diagnostic {
  const d = new vscode.Diagnostic(p.range, p.problem.message, SEVERITY[p.problem.severity]);
  d.source = 'mlci';
  d.code = p.problem.code;
  // A field with no effect reads as dead text, like an unused variable.
  if (p.problem.code === 'ignored-field') d.tags = [vscode.DiagnosticTag.Unnecessary];
  return d;
}
