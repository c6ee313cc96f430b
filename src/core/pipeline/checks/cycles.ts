/**
 * Dependency cycles in `needs`. Each cycle is named in full
 * ("a -> b -> c -> a") on every `needs` entry that forms it, so the user
 * sees every edge to break, wherever they look.
 */
import type { CheckContext } from './context';

export function checkCycles(ctx: CheckContext): void {
  const { stageByName, stages } = ctx.pipeline;
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const reported = new Set<string>();

  const visit = (name: string): void => {
    state.set(name, 'open');
    stack.push(name);
    const stage = stageByName.get(name)!;
    for (const need of stage.needs) {
      if (need === name || !stageByName.has(need)) continue; // self-need and unknown stages are reported elsewhere
      const s = state.get(need);
      if (s === 'open') {
        const cycle = [...stack.slice(stack.indexOf(need)), need];
        const key = [...cycle.slice(0, -1)].sort().join('\u0000');
        if (reported.has(key)) continue;
        reported.add(key);
        const text = cycle.join(' -> ');
        for (let i = 0; i < cycle.length - 1; i++) {
          const from = stageByName.get(cycle[i])!;
          const idx = from.needs.indexOf(cycle[i + 1]);
          ctx.report('cycle', ['stages', from.name, 'needs', idx], `dependency cycle: ${text}; remove one of these needs`);
        }
      } else if (s === undefined) {
        visit(need);
      }
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const s of stages) if (!state.has(s.name)) visit(s.name);
}
