/** `mlci status`: which stages are stale and why, without running anything. */
import type { Command } from '../command';
import { parseExecutor } from '../executor';
import { pipelineStatus } from '../../core/run/status';
import { EXIT_CANNOT_RUN, loadPipeline } from '../workspace';
import { createStatusDeps, stateFile } from '../../adapters/engine-deps';
import { describeFsError, fsErrorFile } from '../../core/fixable-error';
import { STATE_WORDS, imageMapOf, planSummary } from '../plan-lines';
import type { ContainerRunner } from '../../core/ports';
import { LocalRunner } from '../../adapters/local/local-runner';
import { engineRunners } from '../../adapters/engines';

/**
 * Image IDs for status come from the engine, never by pulling. With `auto`
 * and no engine answering, container stages are "unknown: engine
 * unreachable" rather than judged as host processes (which would call every
 * stage that last ran in a container stale).
 */
async function statusRunner(choice: 'docker' | 'local' | 'slurm' | 'auto', note: (l: string) => void): Promise<ContainerRunner> {
  // Slurm stages see images as host processes do ('local'): judged without asking the cluster.
  if (choice === 'local' || choice === 'slurm') return new LocalRunner();
  const { DockerRunner } = await import('../../adapters/docker/docker-runner');
  const docker = new DockerRunner({ pingTimeoutMs: 2000 });
  try {
    await docker.check();
    return docker;
  } catch (e) {
    if (e instanceof Error && e.name === 'DockerClientLoadError') throw e;
    if (choice === 'docker') throw e;
    note(`mlci: ${(e as Error).message.split('. ')[0]}: the images of container stages are not checked`);
    const unreachable = (): never => {
      throw new Error(`image not checked: the Docker engine at ${docker.where} is unreachable`);
    };
    return { name: 'docker', where: docker.where, check: async () => unreachable(), resolveImage: async () => unreachable(), imageIdIfPresent: async () => unreachable(), run: async () => unreachable(), removeStray: async () => 0 };
  }
}

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
    const runner = await statusRunner(parseExecutor(values.executor), io.err);
    const deps = await createStatusDeps(loaded.root, runner, { readOnly: values['read-only'] as boolean });
    // Stages on named engines are judged there (images built and pulled on that engine), as mlci run would run them.
    const runnerFor = runner.name === 'docker' ? engineRunners(loaded.pipeline.engines, io.env) : undefined;
    const entries = await pipelineStatus({ pipeline: loaded.pipeline, root: loaded.root, params: loaded.params, targets: positionals, imageMap }, { ...deps, ...(runnerFor ? { runnerFor } : {}) });
    await deps.hasher.save().catch((e: NodeJS.ErrnoException) => {
      io.err(`mlci status: warning: could not save the hash cache (the next command re-hashes): ${describeFsError(fsErrorFile(e, stateFile(loaded.root)), e)}`);
    });
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
