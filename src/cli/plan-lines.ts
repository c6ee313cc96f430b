/**
 * One wording of "what a run would do" for `mlci status` and
 * `mlci run --dry-run`, so the two always agree, and one reading of the
 * image mapping (`--image FROM=TO`, `MLCI_IMAGE_MAP`) for every command
 * that resolves images.
 */
import type { StageStatusEntry } from '../core/run/status';
import type { ImageMap } from '../core/run/images';
import { imageMappingSpecs, parseImageMapping } from '../core/run/images';
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
    return parseImageMapping(imageMappingSpecs(env, (values.image as string[] | undefined) ?? []));
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** A summary line: how many stages run, restore, or are up to date. */
export function planSummary(entries: readonly StageStatusEntry[]): string {
  // Deliver stages are not mlci run's: counted apart, with the command that runs them.
  const runnable = entries.filter((e) => e.stage.kind !== 'deliver');
  const deliver = entries.filter((e) => e.stage.kind === 'deliver' && e.state !== 'up-to-date').length;
  const n = (s: StageStatusEntry['state']) => runnable.filter((e) => e.state === s).length;
  const run = n('stale') + n('after-upstream') + n('unknown');
  const restore = n('restorable');
  const toDeliver = deliver ? `${deliver} deliver stage${deliver === 1 ? '' : 's'} would push something new (mlci deliver)` : '';
  if (!run && !restore) return [`all ${runnable.length} stages are up to date`, toDeliver].filter(Boolean).join('; ');
  const parts = [`${run} of ${runnable.length} stages would run`];
  if (restore) parts.push(`${restore} would be restored from the cache`);
  return parts.join(', ') + ' (mlci run)' + (toDeliver ? `; ${toDeliver}` : '');
}
