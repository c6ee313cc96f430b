/**
 * Choosing where stages run: `docker` (containers through dockerode),
 * `local` (host processes), or `auto` (Docker when its engine answers,
 * else local, saying so). The Docker adapter is loaded only when used.
 */
import type { ContainerRunner } from '../core/ports';
import { LocalRunner } from '../adapters/local/local-runner';
import { CliError } from './errors';
import { EXIT_CANNOT_RUN } from './workspace';

export type ExecutorChoice = 'docker' | 'local' | 'auto';

export function parseExecutor(value: unknown): ExecutorChoice {
  const v = String(value ?? 'auto');
  if (v === 'docker' || v === 'local' || v === 'auto') return v;
  throw new CliError(`--executor must be docker, local or auto, not '${v}'`);
}

export async function chooseRunner(choice: ExecutorChoice, note: (line: string) => void): Promise<ContainerRunner> {
  if (choice === 'local') return new LocalRunner();
  const { DockerRunner } = await import('../adapters/docker/docker-runner');
  const docker = new DockerRunner();
  try {
    await docker.check();
    return docker;
  } catch (e) {
    if (choice === 'docker') throw new CliError((e as Error).message, EXIT_CANNOT_RUN);
    note(`mlci: ${(e as Error).message.split('\n')[0]}`);
    note('mlci: running stages as host processes instead (--executor local); images are ignored');
    return new LocalRunner();
  }
}

/** The uid:gid containers run as, so files they write belong to the user (Linux/macOS). */
export function hostUser(): string | undefined {
  return typeof process.getuid === 'function' && typeof process.getgid === 'function' ? `${process.getuid()}:${process.getgid()}` : undefined;
}
