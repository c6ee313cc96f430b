/** `mlci logs RUN [STAGE]`: print a run's stage logs. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from '../command';
import { CliError } from '../errors';
import { RunStore } from '../../core/run/store';
import { resolvePipelineFile } from '../workspace';

export const logsCommand: Command = {
  name: 'logs',
  summary: "print a run's stage logs",
  usage: 'mlci logs [RUN] [STAGE] [-f FILE]',
  help: 'RUN is a run id, a unique prefix of one, or "last" (default). Without STAGE, every stage that ran is printed with a header.',
  options: { file: { type: 'string', short: 'f' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const root = path.dirname(await resolvePipelineFile(io.cwd, values.file as string | undefined));
    const store = new RunStore(root);
    await store.markInterrupted().catch(() => undefined);
    let record;
    try {
      record = await store.get(await store.resolve(positionals[0] ?? 'last'));
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    const stages = positionals[1] ? [positionals[1]] : record.stages.filter((s) => s.log).map((s) => s.name);
    if (positionals[1] && !record.stages.some((s) => s.name === positionals[1])) throw new CliError(`run ${record.id} has no stage '${positionals[1]}'; stages: ${record.stages.map((s) => s.name).join(', ')}`);
    for (const stage of stages) {
      let text: string;
      try {
        text = await readFile(store.logPath(record.id, stage), 'utf8');
      } catch {
        text = '(no log: the stage did not run in this run)\n';
      }
      if (!positionals[1]) io.out(`==> ${stage} <==`);
      io.out(text.replace(/\n$/, ''));
    }
    return 0;
  },
};
