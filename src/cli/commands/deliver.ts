/**
 * `mlci deliver`: pushes the image of each deliver stage's service to its
 * registry, from a verified commit only. The check is `mlci push`'s: a clean
 * working tree, and `mlci verify` passed for this very commit (a passing
 * verify run recorded for HEAD, else verify runs now). The pushed digest is
 * kept in the run record, the Markdown report and the Experiments view.
 */
import path from 'node:path';
import type { Command } from '../command';
import { CliError } from '../errors';
import { chooseRunner, parseExecutor } from '../executor';
import { EXIT_CANNOT_RUN, loadPipeline } from '../workspace';
import { progressPrinter } from '../progress';
import { engineDeps, newRunId, withWorkspaceLock } from '../compose';
import { branchState, fileChanged } from '../../adapters/git/branch-state';
import { runPipeline } from '../../core/run/engine';
import { expandTag, registryProblem } from '../../core/run/deliver-tag';
import { formatRunMarkdown } from '../../core/run/report';
import { writeFileAtomic } from '../../core/run/atomic';
import { parseImageMapping } from '../../core/run/images';
import type { DeliveryRecord } from '../../core/run/record';
import { runVerify } from './verify';
import { maskCredentials, registryCredentials } from '../../adapters/registry/credentials';
import { pushArtifact } from '../../adapters/registry/oci-artifact';
import { artifactFiles } from '../../core/run/artifact-files';

export const deliverCommand: Command = {
  name: 'deliver',
  errorExit: EXIT_CANNOT_RUN,
  events: true,
  summary: "push the services' images of the deliver stages to their registries, from a verified commit",
  usage: 'mlci deliver [STAGE...] [-f FILE] [--registry HOST:PORT/REPO] [--tag TEMPLATE] [--retrained] [--ci]',
  help: `Refuses uncommitted changes; uses a passing mlci verify of this commit (run
now when none is recorded; verify rerunning stages that change mlci.lock is
refused, as in mlci push). Then, for each deliver stage (all, or those named),
tags the service's image as REGISTRY:TAG and pushes it through the Docker
engine. The digest the registry answered is recorded with the run.

With artifact: on the stage, the model files it lists (stage outputs) are
also pushed as an OCI artifact (one layer per file) to the same repository,
tagged with artifact.tag (default: the image's tag followed by -model).

--registry overrides the stage's registry (e.g. a local one on a free port),
--tag its tag template ({commit}, {short_commit}, {branch}, {run}).
--retrained delivers after a continuous-training retrain (the exported CI's
scheduled job): mlci.lock may differ from the commit, since it records the
retrained model; verify runs on that lock and must pass. Nothing else may differ.
--ci writes .mlci/report.md.

Credentials: MLCI_REGISTRY_USER and MLCI_REGISTRY_PASSWORD (set both; the
exported CI takes them from its secret store), else the registry's entry in
the Docker CLI's config.json (docker login; credential helpers are not read).
The password is never printed.

Exit codes: 0 delivered, 1 a push failed, 2 a gate failed in verify,
3 not delivered for another reason (dirty tree, no deliver stage, engine).`,
  options: {
    file: { type: 'string', short: 'f' },
    executor: { type: 'string', default: 'docker' },
    image: { type: 'string', multiple: true },
    registry: { type: 'string' },
    tag: { type: 'string' },
    retrained: { type: 'boolean', default: false },
    ci: { type: 'boolean', default: false },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const loaded = await loadPipeline(io.cwd, values.file as string | undefined, io.err);
    const all = loaded.pipeline.stages.filter((s) => s.kind === 'deliver');
    for (const p of positionals) if (!all.some((s) => s.name === p)) throw new CliError(`'${p}' is not a deliver stage of ${loaded.shown} (deliver stages: ${all.map((s) => s.name).join(', ') || 'none'})`, EXIT_CANNOT_RUN);
    const targets = positionals.length ? positionals : all.map((s) => s.name);
    if (!targets.length) throw new CliError(`${loaded.shown} has no deliver stage: add one (kind: deliver, service, registry), see docs/pipeline-file.md#delivery-kind-deliver-mlci-deliver`, EXIT_CANNOT_RUN);
    const registry = values.registry as string | undefined;
    if (registry !== undefined && registryProblem(registry)) throw new CliError(`--registry: ${registryProblem(registry)!}`, EXIT_CANNOT_RUN);
    let state;
    try {
      state = await branchState(loaded.root);
    } catch (e) {
      throw new CliError(`not a git repository (${(e as Error).message.split('\n')[0]}): a delivery comes from a verified commit`, EXIT_CANNOT_RUN);
    }
    const retrained = values.retrained === true;
    // After a retrain, the pipeline folder's mlci.lock records the retrained model: the one change allowed.
    const lockPath = path.relative(state.root, path.join(loaded.root, 'mlci.lock')).split(path.sep).join('/');
    const changes = retrained ? state.changes.filter((c) => c !== lockPath) : state.changes;
    if (changes.length) throw new CliError(`uncommitted changes (${changes.slice(0, 5).join(', ')}): what is delivered is the commit${retrained ? ' (and, with --retrained, its retrained mlci.lock)' : ''}, so commit or stash first`, EXIT_CANNOT_RUN);
    const branch = state.branch ?? io.env.CI_COMMIT_BRANCH ?? (io.env.GITHUB_REF_TYPE === 'branch' ? io.env.GITHUB_REF_NAME : undefined);

    const runner = await chooseRunner(parseExecutor(values.executor), io.err, io.event?.bind(io));
    const push = (runner as { pushImage?: (local: string, repo: string, tag: string, log: (t: string) => void, cancel?: AbortSignal, auth?: { username: string; password: string }) => Promise<{ digest: string; imageId: string }> }).pushImage?.bind(runner);
    if (runner.name !== 'docker' || !push) throw new CliError('mlci deliver pushes images through the Docker engine: run it with the docker executor', EXIT_CANNOT_RUN);
    const deps = await engineDeps(loaded.root, runner);

    // Verified? A passing verify recorded for this very commit, else verify now.
    const verified = retrained ? undefined : (await deps.store.list()).find((r) => r.name === 'verify' && r.status === 'passed' && r.git?.commit === state.head && !r.git.dirty);
    if (verified) io.out(`verified: run ${verified.id} passed mlci verify on ${state.head.slice(0, 7)}`);
    else {
      io.out(retrained ? `retrained model of ${state.head.slice(0, 7)}: verifying it now` : `no passing mlci verify recorded for ${state.head.slice(0, 7)}: verifying now`);
      const { result } = await runVerify(values, io, retrained);
      if (result.exitCode !== 0) {
        io.out('not delivered.');
        return result.exitCode === 130 ? 130 : result.exitCode;
      }
      if (!retrained && await fileChanged(loaded.root, path.join(loaded.root, 'mlci.lock'))) {
        io.out('not delivered: verify reran stages and changed mlci.lock, so the commit does not record what was verified; commit it, then deliver');
        return EXIT_CANNOT_RUN;
      }
    }

    const runId = newRunId();
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    try {
      const record = await withWorkspaceLock(loaded.root, { runId, command: 'mlci deliver' }, () => runPipeline({
        runId, name: 'deliver', root: loaded.root, pipelineFile: path.basename(loaded.file), pipeline: loaded.pipeline, params: loaded.params,
        targets, imageMap: parseImageMapping((values.image as string[] | undefined) ?? []), signal: controller.signal,
        onEvent: progressPrinter(io), ...(loaded.source ? { source: loaded.source } : {}),
        deliver: async (stage, ctx) => {
          const to = registry ?? stage.deliver!.registry;
          const problem = registryProblem(to);
          if (problem) return { passed: false, reason: problem };
          const creds = registryCredentials(to.split('/')[0]!, io.env);
          const log = (t: string) => ctx.log(maskCredentials(t, creds));
          try {
            const vars = { commit: state.head, ...(branch ? { branch } : {}), run: runId };
            const tag = expandTag((values.tag as string | undefined) ?? stage.deliver!.tag, vars);
            if (creds) log(`credentials for ${to.split('/')[0]}: from ${creds.source}\n`);
            const pushed = await push(ctx.image, to, tag, log, ctx.signal, creds);
            const image = `${to}:${tag}`;
            log(`pushed ${image}@${pushed.digest}\n`);
            const delivery: DeliveryRecord = { image, registry: to, tag, digest: pushed.digest, imageId: pushed.imageId, commit: state.head, ...(retrained ? { retrained } : {}) };
            const spec = stage.deliver!.artifact;
            if (spec) {
              const files = await artifactFiles(loaded.root, spec.files);
              const artifactTag = spec.tag !== undefined ? expandTag(spec.tag, vars) : expandTag(`${tag}-model`, vars);
              const artifact = await pushArtifact({
                repository: to, tag: artifactTag, files, type: spec.type, log, signal: ctx.signal,
                ...(creds ? { creds } : {}),
                annotations: { 'org.opencontainers.image.revision': state.head, 'dev.mlci.pipeline': path.basename(loaded.file), 'dev.mlci.run': runId, 'dev.mlci.image': `${image}@${pushed.digest}` },
              });
              log(`pushed artifact ${artifact.ref}@${artifact.digest} (${files.length} file${files.length === 1 ? '' : 's'})\n`);
              delivery.artifact = artifact;
            }
            const extra = delivery.artifact ? `; model files ${delivery.artifact.ref} (${delivery.artifact.digest})` : '';
            return { passed: true, reason: `pushed ${image} (${pushed.digest})${extra}`, delivery };
          } catch (e) {
            throw new Error(maskCredentials((e as Error).message, creds), { cause: e });
          }
        },
      }, deps));
      for (const s of record.stages.filter((x) => x.delivery)) {
        io.out(`delivered ${s.name}: ${s.delivery!.image}@${s.delivery!.digest}${s.delivery!.retrained ? ' (retrained model)' : ''}`);
        if (s.delivery!.artifact) io.out(`delivered ${s.name} model files: ${s.delivery!.artifact.ref}@${s.delivery!.artifact.digest}`);
      }
      io.out(`run ${record.id}: ${record.status}`);
      if (values.ci) {
        const reportFile = path.join(loaded.root, '.mlci', 'report.md');
        await writeFileAtomic(reportFile, formatRunMarkdown(record, { title: `mlci deliver (${loaded.shown})` }));
        io.out(`report: ${path.relative(io.cwd, reportFile)}`);
      }
      if (record.status === 'cancelled') return 130;
      return record.status === 'passed' ? 0 : 1;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  },
};
