/**
 * The planner: which stages a run covers and in what order. Like a build
 * system target, naming stages selects them and everything upstream;
 * `downstream` adds everything that depends on them. The order is a
 * topological order that keeps the file's order among independent stages,
 * so plans read like the pipeline file.
 */
import type { Pipeline, Stage } from '../pipeline/model';

export interface PlanOptions {
  /** Stage names to run; empty = every stage. */
  targets: string[];
  downstream?: boolean;
}

export interface Plan {
  /** Stages in execution order (dependencies first). */
  stages: Stage[];
}

export class PlanError extends Error {}

export function makePlan(pipeline: Pipeline, opts: PlanOptions): Plan {
  const { stageByName } = pipeline;
  // A matrix template's name stands for all its instances (`train` -> `train@lr=0.1`, ...).
  const targets = opts.targets.flatMap((t) => (!stageByName.has(t) && pipeline.groups?.get(t)?.length ? pipeline.groups.get(t)! : [t]));
  opts = { ...opts, targets };
  for (const t of opts.targets) {
    if (!stageByName.has(t)) {
      const names = [...stageByName.keys()];
      throw new PlanError(`no stage named '${t}' in ${pipeline.file}; stages: ${names.join(', ')}`);
    }
  }
  let selected: Set<string>;
  if (opts.targets.length === 0) selected = new Set(stageByName.keys());
  else {
    selected = new Set();
    const addUp = (name: string) => {
      if (selected.has(name)) return;
      selected.add(name);
      for (const n of stageByName.get(name)?.needs ?? []) if (stageByName.has(n)) addUp(n);
    };
    const roots = new Set(opts.targets);
    if (opts.downstream) {
      // Everything that (transitively) needs a target.
      let grew = true;
      while (grew) {
        grew = false;
        for (const s of pipeline.stages) {
          if (!roots.has(s.name) && s.needs.some((n) => roots.has(n))) {
            roots.add(s.name);
            grew = true;
          }
        }
      }
    }
    for (const r of roots) addUp(r);
  }
  // Kahn's algorithm over the selection, picking the earliest stage in file order.
  const position = new Map(pipeline.stages.map((s, i) => [s.name, i]));
  const pendingNeeds = new Map<string, number>();
  for (const name of selected) pendingNeeds.set(name, stageByName.get(name)!.needs.filter((n) => selected.has(n) && n !== name).length);
  const order: Stage[] = [];
  const done = new Set<string>();
  while (order.length < selected.size) {
    let next: string | undefined;
    for (const [name, count] of pendingNeeds) {
      if (count === 0 && !done.has(name) && (next === undefined || position.get(name)! < position.get(next)!)) next = name;
    }
    if (next === undefined) {
      const stuck = [...selected].filter((n) => !done.has(n));
      throw new PlanError(`the stages ${stuck.join(', ')} depend on each other in a cycle; run 'mlci validate' for details`);
    }
    done.add(next);
    order.push(stageByName.get(next)!);
    for (const name of selected) {
      if (!done.has(name) && stageByName.get(name)!.needs.includes(next)) pendingNeeds.set(name, pendingNeeds.get(name)! - 1);
    }
  }
  return { stages: order };
}
