/**
 * `mlci sweep`: one run per combination of params (grid or seeded random),
 * each in its own copy of the pipeline folder, recorded in this
 * workspace's runs. The how and why: src/core/experiments/sweep.ts.
 */
import { formatMetric } from '../../core/metric-format';
import path from 'node:path';
import type { Command } from '../command';
import { CliError } from '../errors';
import { chooseRunner, hostUser, parseExecutor } from '../executor';
import { EXIT_CANNOT_RUN, loadPipeline } from '../workspace';
import { createBaseline, engineDeps, newRunId, withWorkspaceLock } from '../compose';
import type { Combination } from '../../core/experiments/grid';
import { describeCombination, gridCombinations, parseGrid, parseRandom, randomCombinations } from '../../core/experiments/grid';
import { OverrideError, checkKnown } from '../../core/experiments/overrides';
import { runSweep } from '../../core/experiments/sweep';
import { imageMappingSpecs, parseImageMapping } from '../../core/run/images';
import { RunStore } from '../../core/run/store';
import { formatDuration } from '../../core/run/units';
import { userEngineNames } from './engine-names';
import { userEnginesFile } from '../../adapters/engines';

export const EXIT_SWEEP = { passed: 0, someFailed: 1, cannotRun: EXIT_CANNOT_RUN, cancelled: 130 } as const;

function whole(v: unknown, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${flag} must be a whole number of at least ${min}, not '${String(v)}'`);
  return n;
}

/** The combinations the options ask for; a usage error for anything inconsistent. */
export function sweepCombinations(values: Record<string, unknown>): Combination[] {
  const grids = (values.grid as string[] | undefined) ?? [];
  const randoms = (values.random as string[] | undefined) ?? [];
  try {
    if (grids.length && randoms.length) throw new CliError('use either --grid or --random, not both');
    if (grids.length) {
      if (values.samples !== undefined) throw new CliError('--samples is for --random; a grid runs every combination');
      return gridCombinations(grids.map(parseGrid));
    }
    if (randoms.length) {
      const samples = whole(values.samples, '--samples', 1);
      if (samples === undefined) throw new CliError('--random needs --samples N');
      return randomCombinations(randoms.map(parseRandom), samples, whole(values.seed, '--seed', 0) ?? 0);
    }
  } catch (e) {
    if (e instanceof OverrideError) throw new CliError(e.message);
    throw e;
  }
  throw new CliError('nothing to sweep: give --grid KEY=V1,V2 or --random KEY=SPEC --samples N');
}

export const sweepCommand: Command = {
  name: 'sweep',
  errorExit: EXIT_CANNOT_RUN,
  events: true,
  summary: 'run the pipeline once per combination of params (grid or seeded random search)',
  usage: 'mlci sweep (--grid KEY=V1,V2... | --random KEY=SPEC --samples N [--seed S]) [options]',
  help: `Runs the pipeline once per combination of params values and records each
run here (mlci exp list / mlci exp diff compare them).

How it runs: stages that read no swept param (and whose upstream reads none),
e.g. tests and data checks, run once first in this folder, as mlci run would
(mlci.lock is updated for them only). Each combination then runs in its own
copy of the pipeline folder under .mlci/sweeps/ (all but .mlci/ and .git/; input
files over 1 MB that no stage writes are hard-linked, not copied) with the
values written into the copy's params file; the shared stages are up to date
there and skipped. This folder's mlci.lock, params file and outputs are left
as they were. Each run is named "sweep 3/4 lr=0.01 l2=0", records its
overrides and is tagged sweep:<id>. Copies are deleted at the end (--keep
keeps them).

Options:
  --grid KEY=V1,V2,...   values of one params key (repeatable): every combination
                         runs, the first --grid varying slowest. Values are YAML
                         (0.01, true, adam, [64,32])
  --random KEY=SPEC      sample KEY (repeatable); SPEC is
                           A..B          uniform real in [A, B)
                           A..B:log      log-uniform real (A > 0), e.g. learning rates
                           A..B:int      uniform integer in [A, B]
                           A..B:logint   log-uniform integer in [A, B]
                           V1,V2,...     one of the values
  --samples N            combinations to sample (with --random)
  --seed S               random seed (default 0): same seed, same combinations
  -j, --jobs N           combinations run at once (default 1)
  --stage-jobs N         stages at once within a combination (default 1)
  -f, --file FILE        pipeline file (default: ./mlci.yaml, or the only one below)
  --executor KIND        docker | local | slurm | auto (default auto; slurm: each
                         swept stage is one array job, a task per combination,
                         --jobs tasks at once: --array=0-N%jobs)
  --image FROM=TO        run stages asking for image FROM on image TO (repeatable)
  --engines A,B          spread the combinations over these named engines (engines:
                         in the pipeline file or ~/.config/mlci/engines.yaml; local
                         = DOCKER_HOST's), --jobs at once on each
  --keep                 keep the per-combination copies in .mlci/sweeps/
  --dry-run              print the combinations, run nothing
Exit codes: 0 every combination passed, 1 one failed, 3 could not run, 130 cancelled.

Examples:
  mlci sweep --grid lr=0.1,0.01 --grid l2=0,0.001 --jobs 2
  mlci sweep --random lr=0.001..0.1:log --random epochs=10..50:int --samples 8 --seed 42`,
  options: {
    grid: { type: 'string', multiple: true },
    random: { type: 'string', multiple: true },
    samples: { type: 'string' },
    seed: { type: 'string' },
    jobs: { type: 'string', short: 'j' },
    'stage-jobs': { type: 'string' },
    file: { type: 'string', short: 'f' },
    executor: { type: 'string', default: 'auto' },
    image: { type: 'string', multiple: true },
    keep: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    engines: { type: 'string' },
  },
  allowPositionals: false,
  async run({ values }, io) {
    const combinations = sweepCombinations(values);
    const loaded = await loadPipeline(io.cwd, values.file as string | undefined, io.err);
    for (const key of new Set(combinations.flatMap((c) => c.map((o) => o.key)))) {
      try {
        checkKnown(loaded.params, key);
      } catch (e) {
        throw new CliError(`${(e as Error).message} (in ${loaded.pipeline.paramsFile})`);
      }
    }
    const jobs = whole(values.jobs, '--jobs', 1) ?? 1;
    const engines = values.engines === undefined ? undefined : String(values.engines).split(',').map((e) => e.trim()).filter(Boolean);
    if (engines !== undefined) {
      if (!engines.length) throw new CliError('--engines needs engine names: --engines gpu,local');
      const user = await userEngineNames(io.env);
      for (const e of engines) if (e !== 'local' && !(e in loaded.pipeline.engines) && !(e in user)) throw new CliError(`--engines names '${e}', which is not declared in ${loaded.shown} (engines:) nor in ${userEnginesFile(io.env)}`);
    }
    const stageJobs = whole(values['stage-jobs'], '--stage-jobs', 1) ?? 1;
    if (values['dry-run']) {
      io.out(`${combinations.length} combination${combinations.length === 1 ? '' : 's'} for ${loaded.shown}, nothing will run:`);
      combinations.forEach((c, i) => io.out(`  ${i + 1}. ${describeCombination(c)}`));
      return EXIT_SWEEP.passed;
    }
    let imageMap;
    try {
      imageMap = parseImageMapping(imageMappingSpecs(io.env, (values.image as string[] | undefined) ?? []));
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    const runner = await chooseRunner(parseExecutor(values.executor), io.err, io.event?.bind(io));
    const store = new RunStore(loaded.root);
    // Regression gates compare against the real workspace's git ref or pinned run, never a copy's.
    const baseline = await createBaseline(loaded.root, loaded.pipeline, store);
    const sweepId = newRunId();
    const controller = new AbortController();
    const onSigint = () => {
      io.err('\nmlci: cancelling the sweep: stopping running stages...');
      controller.abort();
    };
    process.once('SIGINT', onSigint);
    process.once('SIGTERM', onSigint);
    const started = Date.now();
    try {
      const result = await withWorkspaceLock(loaded.root, { runId: sweepId, command: 'mlci sweep' }, () =>
        runSweep({
          sweepId,
          root: loaded.root,
          pipelineFile: path.basename(loaded.file),
          pipeline: loaded.pipeline,
          params: loaded.params,
          combinations,
          jobs,
          ...(engines ? { engines } : {}),
          stageJobs,
          newRunId,
          run: { imageMap, baseline, ...(runner.name === 'docker' && hostUser() ? { user: hostUser()! } : {}) },
          signal: controller.signal,
          keepCopies: values.keep as boolean,
          // `mlci run --set --name N` (one combination) names its one run.
          ...(typeof values.name === 'string' && values.name ? { name: values.name } : {}),
          onEvent: (e) => {
            // --events: the extension follows the sweep; stage events of a
            // single combination (Run Experiment) and of the shared stages
            // drive its live tree.
            if (io.event) {
              if (e.type !== 'engine') io.event({ type: 'sweep', event: e });
              else if (e.index === 'shared' || combinations.length === 1) io.event(e.event);
            }
            if (e.type === 'shared-start') io.out(`sweep ${sweepId}: ${combinations.length} combination${combinations.length === 1 ? '' : 's'}; shared stages first: ${e.stages.join(', ')}`);
            else if (e.type === 'shared-end') io.out(`shared stages: ${e.run.status} (run ${e.run.id}: ${e.run.stages.map((s) => `${s.name} ${s.status}`).join(', ')})`);
            else if (e.type === 'combination-start') io.out(`[${e.index + 1}/${e.total}] ${e.name}: run ${e.runId}`);
            else if (e.type === 'combination-end') {
              const m = Object.entries(e.run.metrics).slice(0, 4).map(([k, v]) => `${k}=${formatMetric(v, e.run.metricFormats?.[k])}`).join(' ');
              io.out(`[${e.index + 1}/${e.total}] ${e.run.status} ${m}`.trimEnd());
            } else if (e.type === 'engine' && e.event.type === 'stage-end' && e.event.stage.status === 'failed') {
              io.err(`[${e.index === 'shared' ? 'shared' : e.index + 1}] ${e.event.stage.name} failed: ${e.event.stage.reason ?? ''}`);
            }
          },
        }, {
          depsFor: (dir) => engineDeps(dir, runner, loaded.pipeline.engines),
          sink: store,
        }));
      if (result.shared && result.shared.status !== 'passed') {
        io.err(`mlci: shared stages ${result.shared.status}: no combination was run (${io.prog ?? 'mlci'} logs ${result.shared.id})`);
        return controller.signal.aborted ? EXIT_SWEEP.cancelled : EXIT_SWEEP.someFailed;
      }
      const passed = result.runs.filter((r) => r.status === 'passed').length;
      io.out(`sweep ${sweepId}: ${passed}/${result.runs.length} passed in ${formatDuration(Date.now() - started)}; compare: ${io.prog ?? 'mlci'} exp diff ${result.runs.map((r) => r.id).join(' ')}`);
      if (controller.signal.aborted) return EXIT_SWEEP.cancelled;
      return passed === result.runs.length ? EXIT_SWEEP.passed : EXIT_SWEEP.someFailed;
    } catch (e) {
      if (e instanceof OverrideError) throw new CliError(e.message);
      throw e;
    } finally {
      process.removeListener('SIGINT', onSigint);
      process.removeListener('SIGTERM', onSigint);
    }
  },
};
