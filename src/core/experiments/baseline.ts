/**
 * The pinned baseline (`mlci exp pin RUN`): a run id in `.mlci/baseline`,
 * machine-local like the runs it names. Which run a comparison is against
 * when none is given: the pinned one, else the run before.
 */
import { rm } from 'node:fs/promises';
import { readRegularFile } from '../files/regular-file';
import path from 'node:path';
import { writeFileAtomic } from '../run/atomic';
import type { KindFields } from '../run/kind';
import { isExperiment } from '../run/kind';
import type { RunRecord } from '../run/record';
import { MLCI_DIR, ensureMlciDir } from '../run/store';

export const BASELINE_FILE = 'baseline';

export function baselinePath(root: string): string {
  return path.join(path.resolve(root), MLCI_DIR, BASELINE_FILE);
}

/** The pinned run id, or undefined when none is pinned. */
export async function readPinned(root: string): Promise<string | undefined> {
  const file = baselinePath(root);
  let text: string;
  try {
    text = await readRegularFile(file, 4096);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // A FIFO, a device, a huge file, a directory: said, not taken as "nothing pinned".
    throw new Error(`cannot read the pinned baseline ${file}: ${(e as Error).message}; remove it and pin again (mlci exp pin RUN)`);
  }
  return text.trim() || undefined;
}

export async function pinBaseline(root: string, runId: string): Promise<void> {
  await ensureMlciDir(root);
  await writeFileAtomic(baselinePath(root), `${runId}\n`);
}

export async function unpinBaseline(root: string): Promise<void> {
  await rm(baselinePath(root), { force: true });
}

/**
 * The baseline for `targetId` among `runs` (newest first): the pinned run
 * when it exists and is not the target itself, else the closest earlier run
 * that is an experiment and reported metrics (a run where nothing ran has
 * the same metrics as the one before it; a sweep's shared-stages record or a
 * data-only run has none), else the closest with metrics, else the one
 * before. undefined when there is none.
 */
export function defaultBaseline(runs: readonly (Pick<RunRecord, 'id' | 'metrics'> & Partial<KindFields>)[], targetId: string, pinned: string | undefined): string | undefined {
  if (pinned && pinned !== targetId && runs.some((r) => r.id === pinned)) return pinned;
  const i = runs.findIndex((r) => r.id === targetId);
  if (i < 0) return undefined;
  const earlier = runs.slice(i + 1);
  const hasMetrics = (r: Pick<RunRecord, 'metrics'>) => Object.keys(r.metrics ?? {}).length > 0;
  const experiment = (r: Partial<KindFields>) => !r.stages || isExperiment({ stages: [], status: 'passed', ...r });
  return (earlier.find((r) => hasMetrics(r) && experiment(r)) ?? earlier.find(hasMetrics) ?? earlier[0])?.id;
}
