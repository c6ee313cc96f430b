/** `mlci status`: which stages are stale and why, without running anything. */
import type { Command } from '../command';
import { chooseRunner, parseExecutor } from '../executor';
import { pipelineStatus } from '../../core/run/status';
import { EXIT_CANNOT_RUN, loadPipeline } from '../workspace';
import { createStatusDeps, stateFile } from '../../adapters/engine-deps';
import { describeFsError, fsErrorFile } from '../../core/fixable-error';

export const statusCommand: Command = {
  name: 'status',
  errorExit: EXIT_CANNOT_RUN,
  summary: 'list stages that are not up to date, and why',
  usage: 'mlci status [STAGE...] [-f FILE] [--executor docker|local|auto] [--format text|json]',
  help: `Compares each stage's command, image, env, params and deps with mlci.lock and
its outputs with the files on disk. Stages that need a stale stage are shown
as "may run" (their inputs change only when the upstream stage runs).
Image IDs come from the Docker engine; with --executor local images are ignored.

Exit codes: 0 (whatever the status), 3 could not read the pipeline or mlci.lock.`,
  options: { file: { type: 'string', short: 'f' }, executor: { type: 'string', default: 'auto' }, format: { type: 'string', default: 'text' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const loaded = await loadPipeline(io.cwd, values.file as string | undefined, io.err);
    const runner = await chooseRunner(parseExecutor(values.executor), io.err);
    const deps = await createStatusDeps(loaded.root, runner);
    const entries = await pipelineStatus({ pipeline: loaded.pipeline, root: loaded.root, params: loaded.params, targets: positionals }, deps);
    await deps.hasher.save().catch((e: NodeJS.ErrnoException) => {
      io.err(`mlci status: warning: could not save the hash cache (the next command re-hashes): ${describeFsError(fsErrorFile(e, stateFile(loaded.root)), e)}`);
    });
    if (values.format === 'json') {
      io.out(JSON.stringify(entries.map((e) => ({ stage: e.stage.name, kind: e.stage.kind, state: e.state, reasons: e.reasons })), null, 2));
      return 0;
    }
    const w = entries.reduce((m, e) => Math.max(m, e.stage.name.length), 0);
    for (const e of entries) {
      const label = e.state === 'stale' ? 'stale' : e.state === 'up-to-date' ? 'up to date' : e.state === 'after-upstream' ? 'may run' : 'unknown';
      io.out(`${e.stage.name.padEnd(w)}  ${label}${e.reasons.length ? `: ${e.reasons.join('; ')}` : ''}`);
    }
    const stale = entries.filter((e) => e.state !== 'up-to-date').length;
    io.out(stale ? `${stale} of ${entries.length} stages would run (mlci run)` : `all ${entries.length} stages are up to date`);
    return 0;
  },
};
