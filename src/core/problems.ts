/**
 * Problems: what the validator reports. Every problem has a code from the
 * fixed union below, a severity, a sentence a person understands, and an
 * exact range in the source (offsets; line/column derived once, 1-based).
 * Problems are returned, never thrown.
 */

export const PROBLEM_CODES = {
  // YAML layer
  'yaml-syntax': 'The file is not valid YAML.',
  'duplicate-key': 'A mapping has the same key twice.',
  'tab-indent': 'A tab character is used for indentation.',
  'alias-unsupported': 'An alias (*name) or merge key (<<) points at something mlci cannot use there.',
  'multiple-documents': 'The file holds more than one YAML document.',
  'empty-file': 'The file holds no pipeline.',
  'reserved-key': 'A key named __proto__, which JavaScript objects reserve.',
  // Schema layer
  'unknown-key': 'A key the pipeline format does not define.',
  'missing-key': 'A required key is absent.',
  'wrong-type': 'A value has the wrong type.',
  'invalid-value': 'A value is not one of the allowed ones or breaks a bound.',
  'unsupported-version': 'The pipeline format version is not one this mlci reads.',
  'unknown-kind': 'A stage kind that does not exist.',
  'invalid-name': 'A stage or metric name with characters that are not allowed.',
  // Semantic layer
  'unknown-stage': 'A reference to a stage that is not defined.',
  'unknown-engine': 'A stage names a Docker engine that `engines:` does not declare.',
  'self-need': 'A stage lists itself in needs.',
  'cycle': 'Stages depend on each other in a cycle.',
  'missing-need': 'A stage reads an output of another stage it does not (transitively) need.',
  'duplicate-output': 'Two stages write the same output.',
  'params-file-missing': 'The params file does not exist or cannot be read.',
  'params-file-invalid': 'The params file is not valid YAML or JSON, or not a mapping.',
  'unknown-param': 'A stage reads a params key that the params file does not have.',
  'missing-dep': 'A dependency path does not exist and no stage produces it.',
  'path-escapes-workspace': 'A path is absolute or leaves the pipeline folder.',
  'unknown-metric': 'A gate or trigger uses a metric no stage or metrics entry declares.',
  'missing-metric-goal': 'A comparison gate uses a metric without a goal (max or min).',
  'invalid-cron': 'A schedule is not a valid cron expression.',
  'invalid-image': 'An image reference is not a valid Docker reference.',
  'invalid-duration': 'A duration is not like 90s, 30m or 2h.',
  'invalid-size': 'A memory size is not like 512m or 4g.',
  'missing-run': 'A container stage has no run command.',
  'missing-expect': 'A data stage has no expect block.',
  'wrong-stage-kind': 'A reference needs a stage of another kind.',
  'ignored-field': 'A field that has no effect for this stage kind.',
  'invalid-gate': 'A gate mixes fields that do not go together.',
  'unknown-variable': 'A ${} reference names no params key, var or matrix item.',
  'invalid-template': 'A matrix, vars entry or ${} expression that cannot be expanded.',
  'undeclared-code-dep': "A stage's script imports a module of the repository that its deps do not cover.",
  'missing-build-context': 'A build context folder does not exist.',
  'dockerfile-outside-context': 'A Dockerfile lies outside its build context.',
  'missing-dockerfile': 'The Dockerfile of a build does not exist.',
  'dockerfile-syntax': 'The Dockerfile of a build has an error the builder would stop at.',
  'build-arg-missing': 'A Dockerfile ARG without a default gets no value from build.args.',
  'too-many-problems': 'More problems than are listed (the first 1,000 are): fix those first.',
} as const;

export type ProblemCode = keyof typeof PROBLEM_CODES;
export type Severity = 'error' | 'warning' | 'info';

/** A text edit in offsets of the same source the problem was found in. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** A quick fix computed by the core; adapters only apply its edits. */
export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The edits go to another file (e.g. the params file), not the pipeline file. */
  file?: string;
  preferred?: boolean;
}

export interface Span {
  /** 0-based offsets into the source text, end exclusive. */
  start: number;
  end: number;
  /** 1-based line and column of start, and of end (exclusive). */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Problem extends Span {
  code: ProblemCode;
  severity: Severity;
  message: string;
  /** The file the range is in (the pipeline file, or a params file). */
  file: string;
  fixes?: Fix[];
}

export function countBySeverity(problems: readonly Problem[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const p of problems) counts[p.severity]++;
  return counts;
}

export function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => a.file.localeCompare(b.file) || a.start - b.start || a.end - b.end || a.code.localeCompare(b.code));
}
