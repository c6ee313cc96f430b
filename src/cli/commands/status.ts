/** `mlci status`: which stages are stale and why, without running anything. */
import type { Command } from '../command';
import { parseExecutor } from '../executor';
import { EXIT_CANNOT_RUN, loadPipeline } from '../workspace';
import { describeFsError, fsErrorFile } from '../../core/fixable-error';
import { STATE_WORDS, imageMapOf, planSummary } from '../plan-lines';
import { stageStatus } from '../../adapters/stage-status';

export const statusCommand: Command = {
  name: 'status',
  errorExit: EXIT_CANNOT_RUN,
  summary: 'list stages that are not up to date, and why',
  usage: 'mlci status [STAGE...] [-f FILE] [--executor docker|local|auto] [--image FROM=TO] [--format text|json] [--read-only]',
  help: `Compares each stage's command, image, env, params and deps with mlci.lock and
its outputs with the files on disk. A stale stage whose inputs match a run in
the cache (.mlci/cache/) shows as "restore": mlci run puts its outputs back
instead of running it. Stages that need a stale stage are shown as "may run"
(their inputs change only when the upstream stage runs). The answer is the
one \`mlci run --dry-run\` gives with the same options. A stage with \`build:\`
is compared by the content hash of its build context (Dockerfile, the files
.dockerignore lets through, args): nothing is built or sent; a changed hash
reads "image rebuilt: requirements.txt changed".

Options:
  -f, --file FILE      pipeline file (default: ./mlci.yaml, or the only one below)
  --executor KIND      docker | local | slurm | auto (default auto; MLCI_EXECUTOR sets it):
                       image IDs come from the Docker engine; local ignores images
  --image FROM=TO      judge stages that ask for image FROM as if run on TO
                       (FROM lines of build: Dockerfiles too; repeatable;
                       also MLCI_IMAGE_MAP=FROM=TO,FROM=TO)
  --format text|json
  --read-only          write nothing (the hash cache under .mlci/ is read, not
                       updated): what the VS Code extension asks for

Status never pulls an image: one the engine lacks is a reason to run. With
auto and no engine answering, container stages are "unknown" (images not
checked), never judged as host processes.

Exit codes: 0 (whatever the status), 2 bad option, 3 could not read the pipeline or mlci.lock.`,
  options: {
    file: { type: 'string', short: 'f' },
    executor: { type: 'string', default: 'auto' },
    image: { type: 'string', multiple: true },
    format: { type: 'string', default: 'text' },
    'read-only': { type: 'boolean', default: false },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const loaded = await loadPipeline(io.cwd, values.file as string | undefined, io.err);
    const imageMap = imageMapOf(values, io.env);
    const entries = await stageStatus(
      { pipeline: loaded.pipeline, root: loaded.root, params: loaded.params, targets: positionals, executor: parseExecutor(values.executor), imageMap, readOnly: values['read-only'] as boolean, env: io.env, note: io.err },
      (e, file) => io.err(`mlci status: warning: could not save the hash cache (the next command re-hashes): ${describeFsError(fsErrorFile(e, file), e)}`),
    );
    if (values.format === 'json') {
      io.out(JSON.stringify(entries.map((e) => ({ stage: e.stage.name, kind: e.stage.kind, state: e.state, reasons: e.reasons })), null, 2));
      return 0;
    }
    const w = entries.reduce((m, e) => Math.max(m, e.stage.name.length), 0);
    for (const e of entries) io.out(`${e.stage.name.padEnd(w)}  ${STATE_WORDS[e.state].status}${e.reasons.length ? `: ${e.reasons.join('; ')}` : ''}`);
    io.out(planSummary(entries));
    return 0;
  },
};
