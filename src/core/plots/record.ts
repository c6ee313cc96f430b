/**
 * Plots kept with a run: after a stage passes (or is up to date, or is
 * restored) each of its plot files is copied into the run folder, so the
 * run's plots can be shown and compared after later runs overwrite the
 * workspace files. A plot that cannot be kept is recorded with why; it
 * never fails the stage.
 */
import path from 'node:path';
import { containedPath } from '../files/contain';
import { FILE_LIMITS, readRegularBytes } from '../files/regular-file';
import type { Stage } from '../pipeline/model';
import type { PlotRecord } from './types';

export async function keepPlots(stage: Stage, root: string, save: (plotPath: string, bytes: Uint8Array) => Promise<string>): Promise<PlotRecord[]> {
  const out: PlotRecord[] = [];
  for (const plot of stage.plots) {
    const r: PlotRecord = { stage: stage.name, ...plot };
    try {
      const abs = containedPath(root, path.resolve(root, plot.path), plot.path);
      const bytes = await readRegularBytes(abs, FILE_LIMITS.plot, plot.path);
      r.file = await save(plot.path, bytes);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      r.error = code === 'ENOENT' ? `${plot.path} was not written by the stage` : `${plot.path} was not kept: ${(e as Error).message}`;
    }
    out.push(r);
  }
  return out;
}
