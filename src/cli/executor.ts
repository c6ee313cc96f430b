/** The CLI's `--executor` option over the shared runner choice (src/adapters/engine-deps.ts). */
import type { ContainerRunner } from '../core/ports';
import type { ExecutorChoice } from '../adapters/engine-deps';
import { EngineUnreachable, chooseRunner as choose } from '../adapters/engine-deps';
import type { CliEvent } from '../protocol/cli-events';
import { CliError } from './errors';
import { EXIT_CANNOT_RUN } from './workspace';

export { hostUser } from '../adapters/engine-deps';
export type { ExecutorChoice };

export function parseExecutor(value: unknown): ExecutorChoice {
  const v = String(value ?? 'auto');
  if (v === 'docker' || v === 'local' || v === 'slurm' || v === 'auto') return v;
  throw new CliError(`--executor must be docker, local, slurm or auto, not '${v}'`);
}

/**
 * The runner for `choice`. With `auto` an unreachable engine falls back to
 * host processes, and says so on standard error (and as an `executor` event
 * naming what it fell back from); `docker` never falls back.
 */
export async function chooseRunner(choice: ExecutorChoice, note: (line: string) => void, event?: (e: CliEvent) => void): Promise<ContainerRunner> {
  let fellBack: string | undefined;
  try {
    const runner = await choose(choice, {
      note: (l) => {
        fellBack ??= l;
        note(`mlci: ${l}`);
      },
    });
    event?.({
      type: 'executor',
      name: runner.name,
      ...(runner.where ? { where: runner.where } : {}),
      ...(fellBack !== undefined && runner.name === 'local' ? { fellBackFrom: { name: 'docker' as const, reason: fellBack } } : {}),
    });
    return runner;
  } catch (e) {
    if (e instanceof EngineUnreachable) {
      event?.({ type: 'engine-unreachable', where: e.where, reason: e.message });
      throw new CliError(e.message, EXIT_CANNOT_RUN);
    }
    throw e;
  }
}
