/**
 * The validator: YAML -> schema -> model -> semantic checks. Never throws
 * on any input; returns the problems (sorted by position) and, when the
 * document could be read at all, the model for the engine and the editor.
 */
import type { FileProbe } from '../ports';
import type { Problem } from '../problems';
import { sortProblems } from '../problems';
import { buildPipeline } from './build-model';
import { makeContext } from './checks/context';
import { checkCodeDeps } from './checks/code-deps';
import { checkBuilds } from './checks/build';
import { checkCycles } from './checks/cycles';
import { checkMetricFormats } from './checks/metric-formats';
import { checkGates } from './checks/gates';
import { checkOutputs } from './checks/outputs';
import { checkParams } from './checks/params';
import { checkWorkspacePaths, pathRefs } from './checks/paths';
import { checkEngineRefs, checkReferences } from './checks/references';
import { checkSchedules } from './checks/schedule';
import { checkStageShapes } from './checks/stage-shape';
import { checkServiceShapes } from './checks/service-shape';
import type { Pipeline } from './model';
import { DEFAULT_PARAMS_FILE } from './model';
import { expandTemplates } from './templates';
import type { Expansion } from './templates';
import { locate, spanOf } from './source';
import { parsePipelineText } from './parse';
import type { ParseResult } from './parse';
import { checkSchema } from './schema-check';
import type { PipelineSource } from './source';

export interface ValidateInput {
  /** The file name used in problems (as the user would write it). */
  file: string;
  text: string;
  /** Absolute folder of the pipeline file; paths in it are relative to this. */
  root: string;
  files: FileProbe;
  /** Checks that can be turned off (settings); all on by default. */
  checks?: { codeDeps?: boolean };
}

export interface ValidateResult {
  problems: Problem[];
  /** Undefined when the YAML could not be read as a mapping. */
  pipeline?: Pipeline;
  source?: PipelineSource;
}

/**
 * Problems returned at most; the rest are summed up in one last problem
 * ("and 299,000 more"). 300,000 problems are no use to anyone, and their
 * text would dwarf the file.
 */
export const MAX_PROBLEMS = 1000;

export function validatePipeline(input: ValidateInput): ValidateResult {
  return validateParsed(input, () => parsePipelineText(input.file, input.text));
}

/** The validator after the YAML layer: `parse` gives the parse of input.text (incremental.ts reuses most of the last one). */
export function validateParsed(input: ValidateInput, parse: () => ParseResult): ValidateResult {
  const problems: Problem[] = [];
  try {
    const result = run(input, parse, problems);
    return { ...result, problems: capProblems(result.problems, input.file) };
  } catch (e) {
    // A bug in a check must not take the editor or the CLI down: report it
    // as a problem at the top of the file and keep what was found so far.
    problems.push({
      code: 'yaml-syntax', severity: 'error', file: input.file,
      message: `internal validator error (please report it): ${(e as Error).message}`,
      start: 0, end: 0, line: 1, column: 1, endLine: 1, endColumn: 1,
    });
    return { problems: capProblems(sortProblems(problems), input.file) };
  }
}

/** Appends without spreading: `push(...list)` of a 300,000-item list overflows the call stack. */
function pushAll(into: Problem[], list: readonly Problem[]): void {
  for (const p of list) into.push(p);
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The first MAX_PROBLEMS (in file order), then one problem saying how many more there are. */
function capProblems(problems: Problem[], file: string): Problem[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  const rest = problems.slice(MAX_PROBLEMS);
  const errors = rest.filter((p) => p.severity === 'error').length;
  const first = rest[0]!;
  const kept = problems.slice(0, MAX_PROBLEMS);
  kept.push({
    code: 'too-many-problems', severity: errors ? 'error' : 'warning', file,
    message: `and ${count(rest.length, 'more problem')} from here on (${count(errors, 'error')}, ${count(rest.length - errors, 'warning or note', 'warnings and notes')}), not listed: fix the ones above first`,
    start: first.start, end: first.end, line: first.line, column: first.column, endLine: first.endLine, endColumn: first.endColumn,
  });
  return kept;
}

function run(input: ValidateInput, parse: () => ParseResult, problems: Problem[]): ValidateResult {
  const parsed = parse();
  pushAll(problems, parsed.problems);
  const { source, data } = parsed;
  if (!source || data === undefined) return { problems: sortProblems(problems), ...(source ? { source } : {}) };
  // With YAML errors the recovered structure is a guess: schema and semantic
  // problems found on it would mostly be echoes of the syntax error.
  if (problems.some((p) => p.severity === 'error')) return { problems: sortProblems(problems), source };
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    if (!problems.some((p) => p.severity === 'error')) {
      pushAll(problems, checkSchema(source, data));
    }
    return { problems: sortProblems(problems), source };
  }
  pushAll(problems, checkSchema(source, data));
  const files = onceEach(input.files);
  const raw = data as Record<string, unknown>;
  const expansion = expandTemplates(raw, input.root, files, typeof raw.params === 'string' ? raw.params : DEFAULT_PARAMS_FILE);
  reportTemplateIssues(source, expansion, problems);
  const pipeline = buildPipeline(input.file, expansion.data);
  if (expansion.groups.size) pipeline.groups = expansion.groups;
  const ctx = makeContext(source, pipeline, expansion.data, input.root, files, problems, expansion.origin);
  const refs = pathRefs(pipeline, ctx.data);
  checkReferences(ctx);
  checkEngineRefs(ctx);
  checkCycles(ctx);
  checkWorkspacePaths(ctx, refs);
  checkOutputs(ctx, refs);
  checkParams(ctx);
  checkGates(ctx);
  checkStageShapes(ctx);
  checkServiceShapes(ctx);
  checkBuilds(ctx);
  checkSchedules(ctx);
  checkMetricFormats(ctx);
  if (input.checks?.codeDeps !== false) checkCodeDeps(ctx);
  return { problems: dedupe(sortProblems(problems)), pipeline, source };
}

/**
 * The files as one validation sees them: each path is stat'ed and read at
 * most once per validation (1,000 stages that all depend on src/step.py
 * asked the disk 1,000 times, and read the script 1,000 times for its
 * imports). A validation is one snapshot; the next one asks again.
 */
function onceEach(files: FileProbe): FileProbe {
  const stats = new Map<string, ReturnType<FileProbe['stat']>>();
  const texts = new Map<string, string | undefined>();
  return {
    stat(p) {
      if (!stats.has(p)) stats.set(p, files.stat(p));
      return stats.get(p);
    },
    readText(p) {
      if (!texts.has(p)) texts.set(p, files.readText(p));
      return texts.get(p);
    },
    ...(files.readError ? { readError: (p: string) => files.readError!(p) } : {}),
    ...(files.linkEscape ? { linkEscape: (root: string, p: string, shown: string) => files.linkEscape!(root, p, shown) } : {}),
  };
}

/** The same finding through two routes (schema and semantic, or two aliases) is shown once. */
function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    // Shared (anchored) content used by several stages yields the same
    // code at the same range, once per user: keep the first.
    const key = `${p.file}:${p.start}:${p.end}:${p.code}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Template problems point at the `${...}` inside the value when it is written there verbatim. */
function reportTemplateIssues(src: PipelineSource, expansion: Expansion, sink: Problem[]): void {
  for (const issue of expansion.issues) {
    let span = locate(src, issue.path);
    if (issue.needle) {
      const at = src.text.slice(span.start, span.end).indexOf(issue.needle);
      if (at >= 0) span = spanOf(src, span.start + at, span.start + at + issue.needle.length);
    }
    sink.push({ code: issue.code, severity: 'error', message: issue.message, file: src.file, ...span });
  }
}
