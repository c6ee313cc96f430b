/**
 * `mlci triggers check`: evaluate the pipeline's continuous-training
 * triggers (schedule, drift, live metric; see src/core/triggers) against
 * the recorded runs and files, print each with why it fired or not, and
 * exit 10 when any fired, so a scheduled CI job can decide to retrain.
 */
import { statSync } from 'node:fs';
import type { TriggerFileReader } from '../../core/triggers';
import { checkTriggers } from '../../core/triggers';
import { RunStore } from '../../core/run/store';
import type { Command } from '../command';
import { CliError, EXIT } from '../errors';
import { loadPipeline } from '../workspace';
import { FILE_LIMITS, readRegularFileSync } from '../../core/files/regular-file';

/** Exit code when a trigger fired (distinct from failures, so CI can branch on it). */
export const EXIT_TRIGGER_FIRED = 10;

const readTriggerFile: TriggerFileReader = (absPath) => {
  try {
    return { text: readRegularFileSync(absPath, FILE_LIMITS.record), modified: statSync(absPath).mtime };
  } catch {
    return undefined;
  }
};

export const triggersCommand: Command = {
  name: 'triggers',
  summary: 'check the continuous-training triggers (exit 10 when one fires)',
  usage: 'mlci triggers check [-f FILE] [--format text|json]',
  help: `Checks the pipeline's triggers: schedule (a cron time passed since the last
successful training run), drift (the latest drift report says the dataset
drifted) and metric (the live metric crossed its bound). Prints each one,
fired or not, and why.

Options:
  -f, --file FILE      pipeline file (default: ./mlci.yaml, or the only one below)
  --format text|json   text (default), or {"fire","results":[{"trigger","fired","reason"}]}
Exit codes:
  0   no trigger fired (or none is configured)
  10  at least one trigger fired: retrain
  2   usage error, invalid pipeline, unreadable run records

Examples:
  mlci triggers check
  mlci triggers check -f examples/churn/mlci.yaml --format json`,
  options: { file: { type: 'string', short: 'f' }, format: { type: 'string', default: 'text' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length !== 1 || positionals[0] !== 'check') throw new CliError(`expected 'mlci triggers check', got: mlci triggers ${positionals.join(' ')}`.trimEnd());
    const format = String(values.format);
    if (format !== 'text' && format !== 'json') throw new CliError(`--format must be 'text' or 'json', not '${format}'`);
    // Every failure is exit 2 here: 1 and 3 would read as "no trigger" to a CI script checking for 10.
    const loaded = await loadPipeline(io.cwd, values.file as string | undefined, io.err).catch((e: unknown) => {
      throw e instanceof CliError ? new CliError(e.message, EXIT.usage) : e;
    });
    let runs;
    try {
      runs = await new RunStore(loaded.root).list();
    } catch (e) {
      throw new CliError(`cannot read the run records in ${loaded.root}/.mlci/runs: ${(e as Error).message}`);
    }
    const check = checkTriggers(loaded.pipeline, loaded.root, runs, new Date(), readTriggerFile);
    if (format === 'json') {
      io.out(JSON.stringify(check, null, 2));
    } else if (check.results.length === 0) {
      io.out(`${loaded.shown} has no triggers`);
    } else {
      for (const r of check.results) io.out(`${r.trigger.padEnd(8)}  ${r.fired ? 'FIRED' : 'no   '}  ${r.reason}`);
      io.out(check.fire ? `retrain: ${check.results.filter((r) => r.fired).map((r) => r.trigger).join(', ')} fired` : 'no trigger fired');
    }
    return check.fire ? EXIT_TRIGGER_FIRED : EXIT.ok;
  },
};
