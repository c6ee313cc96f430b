/**
 * Dependency cycles in `needs`. Stages that depend on each other form a
 * strongly connected component (Tarjan); every `needs` edge inside one is
 * part of some cycle, so each such entry gets an error naming a full cycle
 * through it ("a -> b -> c -> a"): the user sees every edge that could be
 * broken, wherever they look.
 */
import type { CheckContext } from './context';

export function checkCycles(ctx: CheckContext): void {
  const { stageByName, stages } = ctx.pipeline;
  const edges = (name: string) => (stageByName.get(name)?.needs ?? []).filter((n) => n !== name && stageByName.has(n));
  // Tarjan's algorithm, iterative so 1,000-stage chains do not overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const component = new Map<string, number>();
  let counter = 0;
  let comps = 0;
  for (const root of stages.map((s) => s.name)) {
    if (index.has(root)) continue;
    const work: Array<{ v: string; i: number }> = [{ v: root, i: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1];
      const out = edges(top.v);
      if (top.i < out.length) {
        const w = out[top.i++];
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) === index.get(top.v)) {
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.set(w, comps);
        } while (w !== top.v);
        comps++;
      }
    }
  }
  // Shortest path inside the component, for naming a cycle through an edge.
  const pathWithin = (from: string, to: string, comp: number): string[] => {
    const prev = new Map<string, string>([[from, from]]);
    const queue = [from];
    while (queue.length) {
      const v = queue.shift()!;
      if (v === to) break;
      for (const w of edges(v)) {
        if (component.get(w) === comp && !prev.has(w)) {
          prev.set(w, v);
          queue.push(w);
        }
      }
    }
    const path = [to];
    while (path[0] !== from) path.unshift(prev.get(path[0])!);
    return path;
  };
  const order = new Map(stages.map((s, k) => [s.name, k]));
  const size = new Map<number, number>();
  for (const c of component.values()) size.set(c, (size.get(c) ?? 0) + 1);
  // Where each large component's cycle was reported in full (its first edge in the file).
  const shownAt = new Map<number, { stage: string; length: number }>();
  for (const stage of stages) {
    const comp = component.get(stage.name)!;
    stage.needs.forEach((need, i) => {
      if (need === stage.name || component.get(need) !== comp) return;
      // A BFS per edge is linear only while components are small; in a large
      // one (a 4,000-stage ring) the cycle is named once, at its first edge,
      // and the other edges point there: output and time stay linear.
      const first = shownAt.get(comp);
      if (first && size.get(comp)! > SMALL_COMPONENT) {
        ctx.report('cycle', ['stages', stage.name, 'needs', i], `dependency cycle: this need is part of the cycle of ${first.length} stages reported at stage '${first.stage}'; remove one of its needs`);
        return;
      }
      // The same cycle reads the same from every edge: start at the stage
      // written first in the file.
      const ring = [stage.name, ...pathWithin(need, stage.name, comp).slice(0, -1)];
      const start = ring.reduce((best, n, k) => (order.get(n)! < order.get(ring[best])! ? k : best), 0);
      const cycle = [...ring.slice(start), ...ring.slice(0, start), ring[start]];
      if (!first) shownAt.set(comp, { stage: stage.name, length: ring.length });
      ctx.report('cycle', ['stages', stage.name, 'needs', i], `dependency cycle: ${cycleText(cycle)}; remove one of these needs`);
    });
  }
}

/** Components up to this size name the full cycle at every edge. */
const SMALL_COMPONENT = 50;
/** Names shown of a long cycle (its start, then its end). */
const SHOWN = 12;

function cycleText(cycle: readonly string[]): string {
  if (cycle.length <= SHOWN) return cycle.join(' -> ');
  const head = cycle.slice(0, SHOWN - 2);
  return `${head.join(' -> ')} -> … (${cycle.length - SHOWN} more) -> ${cycle.slice(-2).join(' -> ')}`;
}
