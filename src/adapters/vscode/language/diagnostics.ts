/**
 * Problems of every pipeline file in the Problems panel, open or not, as the
 * pipeline registry validates them (registry.ts: open documents as typed,
 * the others from disk, kept current by watchers). A problem located in
 * another file (the params file) is shown on that file; two pipelines may
 * share one. A deleted pipeline file loses its problems; one that cannot be
 * read (a FIFO, a huge file) gets one problem saying why.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { Problem, Severity } from '../../../core/problems';
import type { ValidateResult } from '../../../core/pipeline/validate';
import type { Config } from '../config';
import { isPipelineDocument, toRange, validateDocument } from '../documents';
import type { PipelineEntry, PipelineRegistry } from '../registry';

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
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly config: Config, registry: PipelineRegistry) {
    this.disposables.push(
      this.collection,
      registry.onDidValidate((entry) => this.publish(entry)),
      registry.onDidRemove((uri) => this.clear(uri)),
      registry.onDidFailToRead(({ uri, problem }) => {
        this.clear(uri);
        this.collection.set(uri, [Object.assign(new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), problem, vscode.DiagnosticSeverity.Error), { source: 'mlci', code: 'unreadable-file' })]);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('mlci.validation.enabled')) return;
        if (this.config.validationEnabled) registry.list().forEach((entry) => this.publish(entry));
        else for (const p of [...this.published.values()]) this.clear(p.uri);
      }),
    );
    registry.list().forEach((entry) => this.publish(entry));
  }

  /** Problems shown on `doc`, with the pipeline each came from (for quick fixes). */
  problemsIn(doc: vscode.TextDocument): PlacedProblem[] {
    if (isPipelineDocument(doc)) {
      // The open document's current text (cached by version): quick fixes must use offsets of this very version.
      const root = path.dirname(doc.uri.fsPath);
      return this.place(doc.uri, root, validateDocument(doc), doc).filter((p) => p.uri.toString() === doc.uri.toString());
    }
    const key = doc.uri.toString();
    return [...this.published.values()].flatMap((p) => p.placed.filter((x) => x.uri.toString() === key));
  }

  private publish(entry: PipelineEntry): void {
    if (!this.config.validationEnabled) return;
    const { uri, root, result } = entry;
    const key = uri.toString();
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key && !d.isClosed);
    const previous = this.published.get(key);
    const placed = this.place(uri, root, result, doc);
    this.published.set(key, { uri, root, placed, ...(entry.paramsFile ? { paramsFile: entry.paramsFile } : {}) });
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
