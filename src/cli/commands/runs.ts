/** `mlci runs`: the recorded runs, newest first. */
import { formatMetric } from '../../core/metric-format';
import type { CliIo, Command } from '../command';
import { CliError } from '../errors';
import { formatDuration } from '../../core/run/units';
import { RunStore } from '../../core/run/store';
import { listRuns } from './exp';
import { kindLabel, kindOf } from '../../core/run/kind';
import { resolvePipelineFile } from '../workspace';
import path from 'node:path';

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list every recorded run (experiments and history), newest first',
  usage: 'mlci runs [-f FILE] [--limit N] [--format text|json] | mlci runs --cancel RUN',
  help: `Lists the runs recorded in .mlci/runs/ beside the pipeline file: every run,
history included (runs where nothing ran, Test Explorer runs, sweeps' shared
stages), marked as such. mlci exp list shows the experiments only.

--cancel RUN (an id, a unique prefix, or "last") cancels the Slurm jobs of a
run made with --executor slurm that are still queued or running, found by
their job names: for a run whose mlci process was killed, or that runs on
another machine. A sweep's combination also cancels the sweep's array jobs
(the tasks of every combination).`,
  options: { file: { type: 'string', short: 'f' }, limit: { type: 'string', default: '20' }, format: { type: 'string', default: 'text' }, cancel: { type: 'string' } },
  allowPositionals: false,
  async run({ values }, io) {
    const root = path.dirname(await resolvePipelineFile(io.cwd, values.file as string | undefined));
    const store = new RunStore(root);
    if (values.cancel !== undefined) return cancelJobs(store, String(values.cancel), io);
    const runs = (await listRuns(store, io)).slice(0, Number(values.limit) || 20);
    if (values.format === 'json') {
      io.out(JSON.stringify(runs, null, 2));
      return 0;
    }
    if (runs.length === 0) {
      io.out('no runs yet: mlci run');
      return 0;
    }
    for (const r of runs) {
      const took = r.finishedAt ? formatDuration(Date.parse(r.finishedAt) - Date.parse(r.startedAt)) : 'running';
      const git = r.git ? `${r.git.branch ?? 'detached'}@${r.git.commit.slice(0, 7)}${r.git.dirty ? '*' : ''}` : 'no git';
      const metrics = Object.entries(r.metrics).slice(0, 4).map(([k, v]) => `${k}=${formatMetric(v, r.metricFormats?.[k])}`).join(' ');
      const kind = kindOf(r);
      const history = kind === 'experiment' ? '' : `(${kindLabel(kind)}) `;
      io.out(`${r.id}  ${r.status.padEnd(9)} ${took.padStart(7)}  ${git}  ${history}${r.name ? `"${r.name}" ` : ''}${metrics}`);
    }
    return 0;
  },
};

/** `--cancel RUN`: scancel the run's unfinished Slurm jobs (by job name), and its sweep's array jobs. */
async function cancelJobs(store: RunStore, ref: string, io: CliIo): Promise<number> {
  let id: string;
  try {
    id = await store.resolve(ref);
  } catch (e) {
    throw new CliError((e as Error).message, 2);
  }
  const record = await store.get(id);
  if (record.executor !== 'slurm') throw new CliError(`run ${id} ran with the ${record.executor} executor: only runs on Slurm (--executor slurm) have jobs to cancel`, 2);
  const { SlurmRunner } = await import('../../adapters/slurm/slurm-runner');
  const slurm = new SlurmRunner({ env: io.env });
  const cancelled = await slurm.cancelRun(id);
  // A sweep's combination on Slurm runs as tasks of the sweep's array jobs (named after the sweep): they go too.
  const sweep = record.tags?.find((t) => t.startsWith('sweep:'))?.slice('sweep:'.length);
  const tasks = sweep ? await slurm.cancelRun(sweep) : [];
  if (tasks.length) io.out(`cancelled ${tasks.length} job${tasks.length === 1 ? '' : 's'} of sweep ${sweep!} (its array jobs, every combination's tasks): ${tasks.join(', ')}`);
  if (cancelled.length || !tasks.length) io.out(cancelled.length ? `cancelled ${cancelled.length} job${cancelled.length === 1 ? '' : 's'} of run ${id}: ${cancelled.join(', ')}` : `run ${id} has no queued or running job`);
  return 0;
}
