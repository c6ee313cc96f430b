/** `mlci runs`: the recorded runs, newest first. */
import { formatMetric } from '../../core/metric-format';
import type { Command } from '../command';
import { formatDuration } from '../../core/run/units';
import { RunStore } from '../../core/run/store';
import { listRuns } from './exp';
import { kindLabel, kindOf } from '../../core/run/kind';
import { resolvePipelineFile } from '../workspace';
import path from 'node:path';

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list every recorded run (experiments and history), newest first',
  usage: 'mlci runs [-f FILE] [--limit N] [--format text|json]',
  help: `Lists the runs recorded in .mlci/runs/ beside the pipeline file: every run,
history included (runs where nothing ran, Test Explorer runs, sweeps' shared
stages), marked as such. mlci exp list shows the experiments only.`,
  options: { file: { type: 'string', short: 'f' }, limit: { type: 'string', default: '20' }, format: { type: 'string', default: 'text' } },
  allowPositionals: false,
  async run({ values }, io) {
    const root = path.dirname(await resolvePipelineFile(io.cwd, values.file as string | undefined));
    const store = new RunStore(root);
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
