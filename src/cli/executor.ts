/** The CLI's `--executor` option over the shared runner choice (src/adapters/engine-deps.ts). */
import type { ContainerRunner } from '../core/ports';
import type { ExecutorChoice } from '../adapters/engine-deps';
import { EngineUnreachable, chooseRunner as choose } from '../adapters/engine-deps';
import { CliError } from './errors';
import { EXIT_CANNOT_RUN } from './workspace';

export { hostUser } from '../adapters/engine-deps';
export type { ExecutorChoice };

export function parseExecutor(value: unknown): ExecutorChoice {
  const v = String(value ?? 'auto');
  if (v === 'docker' || v === 'local' || v === 'auto') return v;
  throw new CliError(`--executor must be docker, local or auto, not '${v}'`);
}

export async function chooseRunner(choice: ExecutorChoice, note: (line: string) => void): Promise<ContainerRunner> {
  try {
    return await choose(choice, { note: (l) => note(`mlci: ${l}`) });
  } catch (e) {
    if (e instanceof EngineUnreachable) throw new CliError(e.message, EXIT_CANNOT_RUN);
    throw e;
  }
}
