/**
 * The words people read for stage outcomes, the same in the terminal, the
 * run report, the tree, CodeLens, Test Explorer and notifications. The
 * record keeps its status values (`cached` stays `cached` in run.json, so
 * older records read the same); only what is shown is mapped here.
 */
import type { SchedulerJob } from '../ports';
import type { StageRecord } from './record';

/** "up to date" is the one word for a stage skipped because its inputs did not change. */
export function stageWord(status: StageRecord['status']): string {
  switch (status) {
    case 'cached': return 'up to date';
    case 'skipped': return 'not run';
    default: return status;
  }
}

/**
 * Where a stage's batch job is, in a few words: `queued #2 (Priority)`,
 * `running on node7`, or its end state with the node (`completed on node7`).
 * A job short enough to start and end between two polls is first seen
 * ended: the node is still said, so the user always learns where it ran.
 */
export function jobWhere(j: SchedulerJob): string {
  if (j.state === 'PENDING') return `queued${j.position ? ` #${j.position}` : ''}${j.reason ? ` (${j.reason})` : ''}`;
  if (j.state === 'RUNNING') return `running on ${j.node ?? '?'}`;
  return `${j.state.toLowerCase()}${j.node ? ` on ${j.node}` : ''}`;
}
