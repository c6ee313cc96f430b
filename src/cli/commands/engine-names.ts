/** Names of the user's engines (file and setting), for checking `--engine` / `--engines` before a run starts. */
import { CliError } from '../errors';
import { loadUserEngines } from '../../adapters/engines';

export async function userEngineNames(env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  try {
    return await loadUserEngines(env);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}
