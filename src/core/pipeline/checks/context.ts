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
  /** Where `path` is written: a matrix instance's path maps to its template's. */
  where(path: JsonPath): JsonPath;
  /** Problems reported in other files (the params file). */
  extra(problem: Problem): void;
}

export type Check = (ctx: CheckContext) => void;

/**
 * A problem in a matrix instance (`train@lr=0.1`) is shown at its
 * template's text: the instance has the template's structure.
 */
export function templatePath(origin: ReadonlyMap<string, string> | undefined, path: JsonPath): JsonPath {
  if (!origin?.size || path[0] !== 'stages' || typeof path[1] !== 'string') return path;
  const template = origin.get(path[1]);
  return template === undefined ? path : ['stages', template, ...path.slice(2)];
}

export function makeContext(
  src: PipelineSource, pipeline: Pipeline, data: Record<string, unknown>, root: string, files: FileProbe, sink: Problem[],
  origin?: ReadonlyMap<string, string>,
): CheckContext {
  return {
    src, pipeline, data, root, files,
    where: (path) => templatePath(origin, path),
    report(code, path, message, opts = {}) {
      const span = locate(src, templatePath(origin, path), opts.at ?? 'value');
      sink.push({ code, severity: opts.severity ?? 'error', message, file: src.file, ...span, ...(opts.fixes?.length ? { fixes: opts.fixes } : {}) });
    },
    extra(problem) {
      sink.push(problem);
    },
  };
}

/** A one-edit fix that replaces the text at `path` (value by default). */
export function replaceFix(ctx: CheckContext, path: JsonPath, text: string, title: string, at: 'key' | 'value' = 'value'): Fix {
  const span = locate(ctx.src, ctx.where(path), at);
  return { title, edits: [{ start: span.start, end: span.end, text }], preferred: true };
}

/** Is this field written on the stage itself (not inherited from defaults)? */
export function ownField(ctx: CheckContext, stage: string, field: string): boolean {
  const s = (ctx.data.stages as Record<string, unknown> | undefined)?.[stage];
  return !!s && typeof s === 'object' && field in (s as object);
}
