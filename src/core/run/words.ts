/**
 * The words people read for stage outcomes, the same in the terminal, the
 * run report, the tree, CodeLens, Test Explorer and notifications. The
 * record keeps its status values (`cached` stays `cached` in run.json, so
 * older records read the same); only what is shown is mapped here.
 */
import type { StageRecord } from './record';

/** "up to date" is the one word for a stage skipped because its inputs did not change. */
export function stageWord(status: StageRecord['status']): string {
  switch (status) {
    case 'cached': return 'up to date';
    case 'skipped': return 'not run';
    default: return status;
  }
}
