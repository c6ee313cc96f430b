/**
 * Outputs and the deps that read them: two stages may not write the same
 * path (or one inside the other); a stage that reads another stage's output
 * must need it (directly or transitively), or the run order is a race; a
 * dep that does not exist and that no stage produces is worth a warning.
 */
import { escapeReason, pathsOverlap, resolveIn } from '../../paths';
import type { CheckContext } from './context';
import { appendToListFix } from './edits';
import type { PathRef } from './paths';

/** All stages `name` needs, directly or through others (cycles tolerated). */
export function upstreamOf(ctx: CheckContext, name: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(ctx.pipeline.stageByName.get(name)?.needs ?? [])];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...(ctx.pipeline.stageByName.get(n)?.needs ?? []));
  }
  return seen;
}

export function checkOutputs(ctx: CheckContext, refs: PathRef[]): void {
  const outs = refs.filter((r) => r.role === 'out' && r.stage && !escapeReason(r.path));
  for (let i = 0; i < outs.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = outs[j];
      const b = outs[i];
      if (a.stage === b.stage || !pathsOverlap(a.path, b.path)) continue;
      ctx.report('duplicate-output', b.at, `stage '${b.stage}' writes '${b.path}', which stage '${a.stage}' also writes ('${a.path}'): each output must have one producer`);
      break;
    }
  }

  const upstream = new Map<string, Set<string>>();
  for (const dep of refs) {
    if (dep.role !== 'dep' || !dep.stage || escapeReason(dep.path)) continue;
    const producers = [...new Set(outs.filter((o) => o.stage !== dep.stage && pathsOverlap(o.path, dep.path)).map((o) => o.stage!))];
    if (producers.length === 0) {
      if (!ctx.files.stat(resolveIn(ctx.root, dep.path))) {
        ctx.report('missing-dep', dep.at, `'${dep.path}' does not exist and no stage produces it`, { severity: 'warning' });
      }
      continue;
    }
    if (!upstream.has(dep.stage)) upstream.set(dep.stage, upstreamOf(ctx, dep.stage));
    const ups = upstream.get(dep.stage)!;
    for (const producer of producers) {
      if (ups.has(producer)) continue;
      const fix = appendToListFix(ctx.src, ['stages', dep.stage], 'needs', producer, `Add '${producer}' to the needs of '${dep.stage}'`);
      ctx.report('missing-need', dep.at, `stage '${dep.stage}' reads '${dep.path}', an output of stage '${producer}', but does not need it: add '${producer}' to its needs`, {
        fixes: fix ? [fix] : [],
      });
    }
  }
}
