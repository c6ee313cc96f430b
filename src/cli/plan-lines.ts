/**
 * One wording of "what a run would do" for `mlci status` and
 * `mlci run --dry-run`, so the two always agree, and one reading of the
 * image mapping (`--image FROM=TO`, `MLCI_IMAGE_MAP`) for every command
 * that resolves images.
 */
import type { StageStatusEntry } from '../core/run/status';
import type { ImageMap } from '../core/run/images';
import { parseImageMapping } from '../core/run/images';
import { CliError } from './errors';

export const STATE_WORDS: Record<StageStatusEntry['state'], { status: string; plan: string }> = {
  stale: { status: 'stale', plan: 'run    ' },
  restorable: { status: 'restore', plan: 'restore' },
  'up-to-date': { status: 'up to date', plan: 'skip   ' },
  'after-upstream': { status: 'may run', plan: 'run?   ' },
  unknown: { status: 'unknown', plan: '???    ' },
};

export function imageMapOf(values: { image?: unknown }, env: NodeJS.ProcessEnv): ImageMap {
  try {
    return parseImageMapping([...((values.image as string[] | undefined) ?? []), ...(env.MLCI_IMAGE_MAP ? env.MLCI_IMAGE_MAP.split(',') : [])]);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** A summary line: how many stages run, restore, or are up to date. */
export function planSummary(entries: readonly StageStatusEntry[]): string {
  const n = (s: StageStatusEntry['state']) => entries.filter((e) => e.state === s).length;
  const run = n('stale') + n('after-upstream') + n('unknown');
  const restore = n('restorable');
  if (!run && !restore) return `all ${entries.length} stages are up to date`;
  const parts = [`${run} of ${entries.length} stages would run`];
  if (restore) parts.push(`${restore} would be restored from the cache`);
  return parts.join(', ') + ' (mlci run)';
}
