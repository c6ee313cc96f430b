/**
 * `mlci build [STAGE...]`: build the images of the pipeline's `build:`
 * entries (or of the named stages) without running any stage, each once
 * however many stages share it; `--prune` removes the pipeline's named
 * cache volumes.
 */
import type { Command } from '../command';
import { CliError } from '../errors';
import { chooseRunner } from '../executor';
import { EXIT_CANNOT_RUN, loadPipeline } from '../workspace';
import { engineDeps } from '../compose';
import { imageMapOf } from '../plan-lines';
import { buildSessionFor, pipelineLabel } from '../../core/run/engine';
import { BuildFailedError } from '../../core/build/session';
import { locate } from '../../core/pipeline/source';
import { progressPrinter } from '../progress';
import { formatDuration } from '../../core/run/units';

export const buildCommand: Command = {
  name: 'build',
  summary: 'build the stage images declared with build:, without running stages',
  usage: 'mlci build [STAGE...] [-f FILE] [--no-cache] [--pull] [--prune] [--image FROM=TO]',
  help: `Builds the image of each \`build:\` (in defaults or on a stage) that the named
stages use (default: every stage), once per \`build:\`. An image whose content-hash
tag (mlci/<pipeline>/<stage or defaults>:<hash>) is already on the engine is
reused. Needs a Docker engine.

Options:
  -f, --file FILE     pipeline file (default: ./mlci.yaml, or the only one below)
  --no-cache          build every layer again (docker build --no-cache)
  --pull              pull newer base images first (docker build --pull)
  --prune             remove this pipeline's named cache volumes (caches:) instead of building
  --image FROM=TO     map images, FROM lines included (repeatable; also MLCI_IMAGE_MAP)

Exit codes: 0 built or up to date, 1 a build failed, 3 could not build
(invalid pipeline, no Docker engine).`,
  options: {
    file: { type: 'string', short: 'f' },
    'no-cache': { type: 'boolean', default: false },
    pull: { type: 'boolean', default: false },
    prune: { type: 'boolean', default: false },
    image: { type: 'string', multiple: true },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const loaded = await loadPipeline(io.cwd, values.file as string | undefined, io.err);
    const { pipeline } = loaded;
    for (const p of positionals) if (!pipeline.stageByName.has(p)) throw new CliError(`no stage named '${p}' in ${loaded.shown}; stages: ${[...pipeline.stageByName.keys()].join(', ')}`);
    const imageMap = imageMapOf(values, io.env);
    const runner = await chooseRunner('docker', io.err);
    const builder = runner.builder;
    if (!builder) throw new CliError('this executor cannot build images', EXIT_CANNOT_RUN);
    if (values.prune) {
      const removed = await builder.removeVolumes({ 'mlci.pipeline': pipelineLabel(pipeline) });
      io.out(removed.length ? `removed ${removed.length} cache volume${removed.length === 1 ? '' : 's'}: ${removed.join(', ')}` : `no cache volumes of ${pipelineLabel(pipeline)} to remove`);
      return 0;
    }
    const stages = (positionals.length ? positionals.map((n) => pipeline.stageByName.get(n)!) : pipeline.stages).filter((s) => s.build);
    const owners = [...new Map(stages.map((s) => [s.build!.owner, s.build!])).values()];
    if (owners.length === 0) {
      io.out(`nothing to build: ${positionals.length ? 'these stages name' : `the stages of ${loaded.shown} name`} images (image:), none has build:`);
      return 0;
    }
    const deps = await engineDeps(loaded.root, runner);
    const print = progressPrinter(io);
    const started = new Map<string, { tag: string; at: number }>();
    const session = buildSessionFor(pipeline, loaded.root, deps, imageMap, {
      ...(values['no-cache'] ? { noCache: true } : {}),
      ...(values.pull ? { pull: true } : {}),
      onStart: (owner, tag) => {
        started.set(owner, { tag, at: Date.now() });
        print({ type: 'build-start', owner, tag });
      },
      onLog: (owner, stream, text) => print({ type: 'build-log', owner, stream, text }),
    });
    if (!session) throw new CliError('no build context could be listed', EXIT_CANNOT_RUN);
    let failed = 0;
    for (const spec of owners) {
      try {
        const b = await session.ensure(spec);
        io.out(b.reused ? `○ image ${spec.owner}: up to date, reused ${b.tag}` : `✔ image ${spec.owner}: built ${b.tag} (${formatDuration(b.durationMs)})`);
      } catch (e) {
        failed++;
        if (!(e instanceof BuildFailedError)) throw e;
        for (const l of e.lastLines) io.err(`  | ${l}`);
        const at = locate(loaded.source!, spec.owner === 'defaults' ? ['defaults', 'build'] : ['stages', spec.owner, 'build'], 'key');
        io.err(`${loaded.shown}:${at.line}:${at.column}: error build-failed: ${e.message}`);
        if (e.dockerfilePath && e.dockerfileLine !== undefined) io.err(`${e.dockerfilePath}:${e.dockerfileLine}:1: error build-failed: ${e.step ?? 'this line'} failed`);
      }
    }
    await deps.hasher.save();
    return failed ? 1 : 0;
  },
};
