/**
 * Outputs and the deps that read them: two stages may not write the same
 * path (or one inside the other); a stage that reads another stage's output
 * must need it (directly or transitively), or the run order is a race; a
 * dep that does not exist and that no stage produces is worth a warning.
 *
 * Paths are indexed once (normalised, sorted) so a 1,000-stage pipeline is
 * checked in O(n log n), not by comparing every pair.
 */
import { escapeReason, normalizeRel, resolveIn } from '../../paths';
import type { CheckContext } from './context';
import { appendToListFix } from './edits';
import type { PathRef } from './paths';

interface Indexed extends PathRef {
  norm: string;
}

/** Outputs by normalised path, answering "which outputs overlap this path?". */
class OutputIndex {
  private readonly byPath = new Map<string, Indexed[]>();
  private readonly sorted: string[];

  constructor(outs: Indexed[]) {
    for (const o of outs) {
      const list = this.byPath.get(o.norm);
      if (list) list.push(o);
      else this.byPath.set(o.norm, [o]);
    }
    this.sorted = [...this.byPath.keys()].sort();
  }

  /** Outputs equal to `norm`, containing it (an ancestor folder), or inside it. */
  overlapping(norm: string): Indexed[] {
    if (norm === '.') return [...this.byPath.values()].flat();
    const found: Indexed[] = [];
    // Equal or ancestors: walk up the path.
    for (let p = norm; ; ) {
      const hit = this.byPath.get(p);
      if (hit) found.push(...hit);
      const slash = p.lastIndexOf('/');
      if (slash < 0) break;
      p = p.slice(0, slash);
    }
    if (this.byPath.has('.')) found.push(...this.byPath.get('.')!);
    // Descendants: a contiguous run in sorted order after `norm/`.
    const prefix = norm + '/';
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.sorted.length && this.sorted[i].startsWith(prefix); i++) found.push(...this.byPath.get(this.sorted[i])!);
    return found;
  }
}

/** Does `from` need `target`, directly or through other stages? */
function reaches(ctx: CheckContext, from: string, target: string, cache: Map<string, Set<string>>): boolean {
  const direct = ctx.pipeline.stageByName.get(from)?.needs ?? [];
  if (direct.includes(target)) return true;
  let ups = cache.get(from);
  if (!ups) {
    ups = upstreamOf(ctx, from);
    cache.set(from, ups);
  }
  return ups.has(target);
}

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
  const usable = refs.filter((r) => r.stage && !escapeReason(r.path)).map((r): Indexed => ({ ...r, norm: normalizeRel(r.path) }));
  const outs = usable.filter((r) => r.role === 'out');
  const index = new OutputIndex(outs);
  const order = new Map(outs.map((o, i) => [o, i]));

  // Report each clash once, on the later of the two outputs in the file.
  for (const b of outs) {
    const i = order.get(b)!;
    const a = index.overlapping(b.norm).filter((o) => o.stage !== b.stage && order.get(o)! < i).sort((x, y) => order.get(x)! - order.get(y)!)[0];
    if (a) ctx.report('duplicate-output', b.at, `stage '${b.stage}' writes '${b.path}', which stage '${a.stage}' also writes ('${a.path}'): each output must have one producer`);
  }

  const cache = new Map<string, Set<string>>();
  for (const dep of usable) {
    if (dep.role !== 'dep') continue;
    const producers = [...new Set(index.overlapping(dep.norm).filter((o) => o.stage !== dep.stage).map((o) => o.stage!))];
    if (producers.length === 0) {
      if (!ctx.files.stat(resolveIn(ctx.root, dep.path))) {
        ctx.report('missing-dep', dep.at, `'${dep.path}' does not exist and no stage produces it`, { severity: 'warning' });
      }
      continue;
    }
    for (const producer of producers) {
      if (reaches(ctx, dep.stage!, producer, cache)) continue;
      const fix = appendToListFix(ctx.src, ctx.where(['stages', dep.stage!]), 'needs', producer, `Add '${producer}' to the needs of '${dep.stage}'`);
      ctx.report('missing-need', dep.at, `stage '${dep.stage}' reads '${dep.path}', an output of stage '${producer}', but does not need it: add '${producer}' to its needs`, {
        fixes: fix ? [fix] : [],
      });
    }
  }
}
