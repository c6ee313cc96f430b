/** `mlci logs RUN [STAGE]`: print a run's stage logs. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command, CliIo } from '../command';
import { CliError } from '../errors';
import type { RunRecord, StageRecord } from '../../core/run/record';
import { RunStore } from '../../core/run/store';
import { nothingRan, producerOf } from '../../core/run/producer';
import { resolvePipelineFile } from '../workspace';

export const logsCommand: Command = {
  name: 'logs',
  summary: "print a run's stage logs",
  usage: 'mlci logs [RUN] [STAGE] [-f FILE]',
  help: `RUN is a run id, a unique prefix of one, or "last" (default). Without STAGE, every stage that ran is printed with a header.
A stage that was up to date in RUN has no log there: mlci names the run that produced its outputs.`,
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
    const fileArg = values.file ? ` -f ${values.file as string}` : '';
    const cmd = `${io.prog ?? 'mlci'} logs${fileArg}`;
    if (!positionals[1] && nothingRan(record)) {
      await explainNothingRan(record, store, cmd, io);
      return 0;
    }
    const stages = positionals[1] ? [positionals[1]] : record.stages.filter((s) => s.log).map((s) => s.name);
    if (positionals[1] && !record.stages.some((s) => s.name === positionals[1])) throw new CliError(`run ${record.id} has no stage '${positionals[1]}'; stages: ${record.stages.map((s) => s.name).join(', ')}`);
    for (const stage of stages) {
      let text: string;
      try {
        text = await readFile(store.logPath(record.id, stage), 'utf8');
      } catch {
        const rec = record.stages.find((s) => s.name === stage)!;
        const from = producerOf(record, rec, await store.list());
        text = `(no log: the stage did not run in this run${rec.reason ? `: ${rec.reason}` : ''}${from ? `; its outputs come from run ${from}: ${cmd} ${from} ${stage}` : ''})\n`;
      }
      if (!positionals[1]) io.out(`==> ${stage} <==`);
      io.out(text.replace(/\n$/, ''));
    }
    return 0;
  },
};

/** "run X ran nothing: every stage was up to date", then where each stage's outputs came from. */
async function explainNothingRan(record: RunRecord, store: RunStore, cmd: string, io: CliIo): Promise<void> {
  const runs = await store.list();
  const skipped = record.stages.some((s) => s.status === 'skipped');
  io.out(`run ${record.id} ran nothing: ${skipped ? 'no stage ran' : 'every stage was up to date'}, so it has no logs.`);
  const byProducer = new Map<string, StageRecord[]>();
  const unknown: StageRecord[] = [];
  for (const s of record.stages) {
    const from = producerOf(record, s, runs);
    if (from) byProducer.set(from, [...(byProducer.get(from) ?? []), s]);
    else unknown.push(s);
  }
  for (const [from, stages] of byProducer) io.out(`  ${stages.map((s) => s.name).join(', ')}: outputs from run ${from}: ${cmd} ${from}`);
  for (const s of unknown) io.out(`  ${s.name}: ${s.reason ?? s.status}${s.status === 'cached' ? ' (no recorded run made its outputs: they came with the workspace or mlci.lock)' : ''}`);
}
