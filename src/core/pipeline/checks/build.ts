/**
 * `build:` checks, as the pipeline is edited: `image` and `build` side by
 * side, a context folder that is missing or outside the pipeline folder, a
 * Dockerfile outside the context or missing, and what the Dockerfile itself
 * would fail on first (an unknown instruction, an ARG that gets no value),
 * reported at the `build:` field with the Dockerfile's line in the message.
 */
import path from 'node:path';
import type { BuildSpec } from '../model';
import { buildOf } from '../build-model';
import { argsWithoutValue, parseDockerfile } from '../../build/dockerfile';
import { escapeReason } from '../../paths';
import type { CheckContext } from './context';
import type { JsonPath } from '../source';
import { lineStartsOf, spanOf } from '../source';
import type { Problem, ProblemCode } from '../../problems';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

export function checkBuilds(ctx: CheckContext): void {
  const defaults = obj(ctx.data.defaults);
  if (defaults) checkOne(ctx, ['defaults'], defaults, 'defaults');
  for (const [name, raw] of Object.entries(obj(ctx.data.stages) ?? {})) {
    const s = obj(raw);
    if (s) checkOne(ctx, ['stages', name], s, name);
  }
}

function checkOne(ctx: CheckContext, base: JsonPath, o: Obj, owner: string): void {
  if (o.build === undefined) return;
  if (o.image !== undefined) {
    ctx.report('invalid-value', [...base, 'image'], `'image' and 'build' are both set on ${owner === 'defaults' ? 'defaults' : `stage '${owner}'`}: keep one (build: makes the image, image: names an existing one)`, { at: 'key' });
  }
  const spec = buildOf(o.build, owner);
  if (!spec) return;
  const at = (field: 'context' | 'dockerfile' | 'args'): JsonPath => (typeof o.build === 'string' ? [...base, 'build'] : obj(o.build)?.[field] !== undefined ? [...base, 'build', field] : [...base, 'build']);
  checkSpec(ctx, spec, at);
}

function checkSpec(ctx: CheckContext, spec: BuildSpec, at: (f: 'context' | 'dockerfile' | 'args') => JsonPath): void {
  const why = escapeReason(spec.context);
  if (why) {
    ctx.report('path-escapes-workspace', at('context'), `build context '${spec.context}' is not allowed: ${why}; it must be a folder inside the pipeline's folder`);
    return;
  }
  const contextDir = path.resolve(ctx.root, spec.context);
  const kind = ctx.files.stat(contextDir);
  if (kind !== 'dir') {
    ctx.report('missing-build-context', at('context'), kind === 'file' ? `build context '${spec.context}' is a file, not a folder` : `build context '${spec.context}' does not exist`);
    return;
  }
  const dockerfileAbs = path.resolve(contextDir, spec.dockerfile);
  const rel = path.relative(contextDir, dockerfileAbs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    ctx.report('dockerfile-outside-context', at('dockerfile'), `Dockerfile '${spec.dockerfile}' is outside the build context '${spec.context}': the builder only sees the context; move it inside or widen the context`);
    return;
  }
  const text = ctx.files.readText(dockerfileAbs);
  const shown = path.relative(ctx.root, dockerfileAbs).split(path.sep).join('/');
  if (text === undefined) {
    ctx.report('missing-dockerfile', at('dockerfile'), `Dockerfile '${shown}' not found in the build context '${spec.context}'`);
    return;
  }
  const parsed = parseDockerfile(text);
  const inDockerfile = (code: ProblemCode, line: number, message: string) => ctx.extra(lineProblem(code, shown, text, line, message));
  for (const p of parsed.problems.slice(0, 3)) {
    ctx.report('dockerfile-syntax', at('dockerfile'), `${shown}:${p.line}: ${p.message}`);
    inDockerfile('dockerfile-syntax', p.line, p.message);
  }
  for (const a of argsWithoutValue(parsed, spec.args)) {
    ctx.report('build-arg-missing', at('args'), `${shown}:${a.line}: ARG ${a.name} has no default and build.args gives it no value`);
    inDockerfile('build-arg-missing', a.line, `ARG ${a.name} has no default and the pipeline's build.args gives it no value`);
  }
}

/** A problem on a whole line of another file (the Dockerfile), for the Problems view. */
export function lineProblem(code: ProblemCode, file: string, text: string, line: number, message: string): Problem {
  const starts = lineStartsOf(text);
  const start = starts[line - 1] ?? 0;
  const lineText = text.slice(start, starts[line] ?? text.length).replace(/\r?\n$/, '');
  return { code, severity: 'error', file, message, ...spanOf({ lineStarts: starts, text }, start, start + lineText.length) };
}
