/**
 * What every semantic check receives: the source (for ranges), the model,
 * the raw data (to tell a stage's own field from an inherited default), the
 * pipeline folder, file access, and a reporter that turns a JSON path into a
 * problem at the exact key or value.
 */
import type { FileProbe } from '../../ports';
import type { Fix, Problem, ProblemCode, Severity } from '../../problems';
import type { Pipeline } from '../model';
import type { JsonPath, PipelineSource } from '../source';
import { locate } from '../source';

export interface ReportOptions {
  at?: 'key' | 'value';
  severity?: Severity;
  fixes?: Fix[];
}

export interface CheckContext {
  src: PipelineSource;
  pipeline: Pipeline;
  data: Record<string, unknown>;
  /** Absolute folder of the pipeline file: every path in it is relative to this folder. */
  root: string;
  files: FileProbe;
  report(code: ProblemCode, path: JsonPath, message: string, opts?: ReportOptions): void;
  /** Problems reported in other files (the params file). */
  extra(problem: Problem): void;
}

export type Check = (ctx: CheckContext) => void;

export function makeContext(
  src: PipelineSource, pipeline: Pipeline, data: Record<string, unknown>, root: string, files: FileProbe, sink: Problem[],
): CheckContext {
  return {
    src, pipeline, data, root, files,
    report(code, path, message, opts = {}) {
      const span = locate(src, path, opts.at ?? 'value');
      sink.push({ code, severity: opts.severity ?? 'error', message, file: src.file, ...span, ...(opts.fixes?.length ? { fixes: opts.fixes } : {}) });
    },
    extra(problem) {
      sink.push(problem);
    },
  };
}

/** A one-edit fix that replaces the text at `path` (value by default). */
export function replaceFix(ctx: CheckContext, path: JsonPath, text: string, title: string, at: 'key' | 'value' = 'value'): Fix {
  const span = locate(ctx.src, path, at);
  return { title, edits: [{ start: span.start, end: span.end, text }], preferred: true };
}

/** Is this field written on the stage itself (not inherited from defaults)? */
export function ownField(ctx: CheckContext, stage: string, field: string): boolean {
  const s = (ctx.data.stages as Record<string, unknown> | undefined)?.[stage];
  return !!s && typeof s === 'object' && field in (s as object);
}
