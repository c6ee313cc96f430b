/**
 * `mlci run [STAGE...]`: run the pipeline (or the named stages and what
 * they need) in containers, skipping what is up to date, and record the
 * run under .mlci/runs/. Ctrl+C cancels: running containers are stopped
 * and removed, the run is recorded as cancelled.
 */
import path from 'node:path';
import type { Command } from '../command';
import { CliError } from '../errors';
import { chooseRunner, hostUser, parseExecutor } from '../executor';
import { formatDuration } from '../../core/run/units';
import { stageWord } from '../../core/run/words';
import { pipelineStatus } from '../../core/run/status';
import { runPipeline } from '../../core/run/engine';
import { formatRunMarkdown } from '../../core/run/report';
import { writeFileAtomic } from '../../core/run/atomic';
import { progressPrinter } from '../progress';
import { STATE_WORDS, imageMapOf, planSummary } from '../plan-lines';
import { sweepCommand } from './sweep';
import { userEngineNames } from './engine-names';
import { userEnginesFile } from '../../adapters/engines';
import { EXIT_CANNOT_RUN, loadPipeline } from '../workspace';
import { createBaseline, engineDeps, newRunId, withWorkspaceLock } from '../compose';
import { formatGateResults, formatGatesMarkdown } from '../../core/gates';
import type { RunRecord } from '../../core/run/record';
import type { MetricGoals } from '../../core/experiments/compare';
import { listMetricKeys } from '../../core/experiments/list';
import { formatMetric } from '../../core/metric-format';

/** `metrics: accuracy 0.81, f1 0.77, loss 0.41`: those with a goal first, at most six; '' without metrics. */
export function keyMetrics(record: RunRecord, goals: MetricGoals, prog = 'mlci'): string {
  const keys = listMetricKeys([record], goals, 6);
  const more = Object.keys(record.metrics ?? {}).length - keys.length;
  const shown = keys.map((k) => `${k} ${formatMetric(record.metrics[k]!, (goals[k] as { format?: string } | undefined)?.format ?? record.metricFormats?.[k])}`);
  return shown.length ? `metrics: ${shown.join(', ')}${more > 0 ? ` (and ${more} more: ${prog} exp show ${record.id})` : ''}` : '';
}

/** `--force` alone means every planned stage; `--force NAME` a given one. */
export function normaliseForce(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--force') {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('-')) {
        out.push(`--force=${next}`);
        i++;
      } else out.push('--force=*');
    } else out.push(a);
  }
  return out;
}

export const EXIT_RUN = { passed: 0, stageFailed: 1, gateFailed: 2, cannotRun: EXIT_CANNOT_RUN, cancelled: 130 } as const;

export const runCommand: Command = {
  name: 'run',
  errorExit: EXIT_CANNOT_RUN,
  events: true,
  summary: 'run the pipeline in containers, skipping stages that are up to date',
  usage: 'mlci run [STAGE...] [options]',
  help: `Runs the named stages and everything they need (default: every stage), in
DAG order, up to --jobs at a time. A stage whose command, image, env, params
and deps match mlci.lock is skipped as up to date. Each run is recorded in
.mlci/runs/<id>/ (run.json and one log per stage); mlci.lock is updated.

Options:
  -f, --file FILE        pipeline file (default: ./mlci.yaml, or the only one below)
  --downstream           also run every stage that depends on the named ones
  --force [STAGE]        rerun STAGE even if up to date; alone: rerun every planned stage
  --dry-run              print the plan and why each stage would run, run nothing
  -j, --jobs N           stages run in parallel at most (default: MLCI_JOBS, else
                         the number of cores)
  --executor KIND        docker | local | slurm | auto (default auto: Docker when
                         reachable; slurm submits each stage as a batch job) for
                         the stages whose executor: (or defaults.executor) names none
  --engine NAME          run every container stage on the named engine (engines: in
                         the pipeline file or ~/.config/mlci/engines.yaml), whatever
                         its engine: says; local = DOCKER_HOST's
  --image FROM=TO        run stages that ask for image FROM on image TO (repeatable)
  --fail-fast            start no new stage after a failure (default: independent
                         branches finish; downstream of a failure never runs)
  --name NAME            a name for this run (experiment)
  --set KEY=VALUE        run with a params override (repeatable), recorded on the
                         run; the params file is not edited: the run happens in
                         a copy of the pipeline folder, like one sweep
                         combination (stages that do not read KEY run in this
                         folder first); one run record, named by the overrides
                         unless --name
  --origin WHO           who started the run, kept in the record: cli (default),
                         editor, test-explorer (history, not an experiment), task
  --ci                   plain output (no colours) and a Markdown report in
                         .mlci/report.md for the job summary or a PR comment
Exit codes:
  0 all stages passed or were up to date   1 a stage failed   2 a gate failed
  3 could not run (invalid pipeline, engine unreachable, run in progress, a corrupt
    mlci.lock), or could not write mlci.lock or the run record (the summary says why)
  130 cancelled (Ctrl+C)

Examples:
  mlci run
  mlci run evaluate --dry-run
  mlci run --executor local
  mlci run --image python:3.12-slim=local/py:dev`,
  options: {
    file: { type: 'string', short: 'f' },
    downstream: { type: 'boolean', default: false },
    force: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean', default: false },
    jobs: { type: 'string', short: 'j' },
    executor: { type: 'string', default: 'auto' },
    image: { type: 'string', multiple: true },
    'fail-fast': { type: 'boolean', default: false },
    name: { type: 'string' },
    ci: { type: 'boolean', default: false },
    set: { type: 'string', multiple: true },
    origin: { type: 'string' },
    engine: { type: 'string' },
  },
  allowPositionals: true,
  preprocess: normaliseForce,
  async run({ values, positionals }, io) {
    const sets = (values.set as string[] | undefined) ?? [];
    if (sets.length) {
      // One combination of a sweep: same isolation, same records.
      if (positionals.length) throw new CliError('--set runs the whole pipeline in a copy; name no stages with it');
      return sweepCommand.run({ values: { ...values, grid: sets, set: undefined }, positionals: [] }, io);
    }
    const loaded = await loadPipeline(io.cwd, values.file as string | undefined, io.err);
    // MLCI_JOBS: the default --jobs (the VS Code setting mlci.jobs arrives this way).
    const jobsArg = values.jobs ?? io.env.MLCI_JOBS;
    const jobs = jobsArg !== undefined ? Number(jobsArg) : undefined;
    if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) throw new CliError(`--jobs${values.jobs === undefined ? ' (MLCI_JOBS)' : ''} must be a whole number of at least 1, not '${String(jobsArg)}'`);
    const imageMap = imageMapOf(values, io.env);
    const origins = ['cli', 'editor', 'test-explorer', 'task', 'verify', 'experiment'] as const;
    const origin = (values.origin ?? 'cli') as (typeof origins)[number];
    if (!origins.includes(origin)) throw new CliError(`--origin must be one of ${origins.join(', ')}, not '${String(values.origin)}'`);
    const forceList = (values.force as string[] | undefined) ?? [];
    const force = forceList.includes('*') ? true : forceList;
    for (const f of forceList) if (f !== '*' && !loaded.pipeline.stageByName.has(f)) throw new CliError(`--force names '${f}', which is not a stage of ${loaded.shown}`);
    const runner = await chooseRunner(parseExecutor(values.executor), io.err, io.event?.bind(io));
    const engine = values.engine as string | undefined;
    if (engine !== undefined && engine !== 'local' && !(engine in loaded.pipeline.engines) && !(engine in (await userEngineNames(io.env)))) {
      throw new CliError(`--engine names '${engine}', which is not declared in ${loaded.shown} (engines:) nor in ${userEnginesFile(io.env)}`);
    }
    const deps = await engineDeps(loaded.root, runner, loaded.pipeline.engines);

    if (values['dry-run']) {
      // mlci run leaves deliver stages out (mlci deliver runs them): so does its plan.
      const entries = (await pipelineStatus({ pipeline: loaded.pipeline, root: loaded.root, params: loaded.params, targets: positionals, downstream: values.downstream as boolean, force, imageMap, ...(engine !== undefined ? { engine } : {}) }, deps)).filter((e) => e.stage.kind !== 'deliver');
      const w = Math.max(...entries.map((e) => e.stage.name.length));
      io.out(`plan for ${loaded.shown} (${runner.name} executor), nothing will run:`);
      for (const e of entries) {
        io.out(`  ${e.stage.name.padEnd(w)}  ${STATE_WORDS[e.state].plan}  ${e.reasons.length ? e.reasons.join('; ') : 'up to date'}`);
      }
      io.out(planSummary(entries));
      return EXIT_RUN.passed;
    }

    const runId = newRunId();
    const baseline = await createBaseline(loaded.root, loaded.pipeline, deps.store);
    const controller = new AbortController();
    const onSigint = () => {
      io.err('\nmlci: cancelling: stopping running stages (Ctrl+C again to force quit)...');
      controller.abort();
      process.removeListener('SIGINT', onSigint);
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    try {
      const record = await withWorkspaceLock(loaded.root, { runId, command: 'mlci run' }, () =>
        runPipeline({
          runId,
          ...(values.name ? { name: String(values.name) } : {}),
          root: loaded.root,
          pipelineFile: path.basename(loaded.file),
          pipeline: loaded.pipeline,
          params: loaded.params,
          targets: positionals,
          downstream: values.downstream as boolean,
          force,
          ...(jobs !== undefined ? { jobs } : {}),
          imageMap,
          failFast: values['fail-fast'] as boolean,
          ...(runner.name === 'docker' && hostUser() ? { user: hostUser()! } : {}),
          signal: controller.signal,
          onEvent: progressPrinter(values.ci ? { ...io, isTTY: false } : io),
          baseline,
          ...(loaded.source ? { source: loaded.source } : {}),
          origin,
          ...(engine !== undefined ? { engine } : {}),
        }, deps));
      if (record.gates?.length) for (const line of formatGateResults(record.gates)) io.out(line);
      const metricsLine = keyMetrics(record, loaded.pipeline.metrics, io.prog);
      if (metricsLine) io.out(metricsLine);
      const counts = new Map<string, number>();
      for (const s of record.stages) counts.set(stageWord(s.status), (counts.get(stageWord(s.status)) ?? 0) + 1);
      const took = record.finishedAt ? formatDuration(Date.parse(record.finishedAt) - Date.parse(record.startedAt)) : '';
      io.out(`run ${record.id}: ${record.status} in ${took} (${[...counts].map(([k, v]) => `${v} ${k}`).join(', ')}) with the ${runner.name} executor`);
      const rel = (p: string) => path.relative(io.cwd, p) || '.';
      io.out(`record: ${rel(path.join(loaded.root, '.mlci', 'runs', record.id, 'run.json'))}`);
      const fileArg = values.file ? ` -f ${values.file as string}` : '';
      const mlci = io.prog ?? 'mlci';
      const next = [`${mlci} logs${fileArg} ${record.id}`, `${mlci} runs${fileArg}`, `${mlci} status${fileArg}`];
      const driftReport = loaded.pipeline.stages.find((s) => s.kind === 'drift' && s.drift?.report && record.stages.some((r) => r.name === s.name && (r.status === 'passed' || r.status === 'cached' || r.status === 'restored')))?.drift?.report;
      if (driftReport) next.push(`${mlci} drift${fileArg} --format html --output drift.html (or open ${rel(path.join(loaded.root, driftReport))})`);
      io.out(`next: ${next.join('  |  ')}`);
      if (values.ci) {
        const reportFile = path.join(loaded.root, '.mlci', 'report.md');
        await writeFileAtomic(reportFile, formatRunMarkdown(record, { title: `mlci run (${loaded.shown})` }) + (record.gates?.length ? `\n${formatGatesMarkdown(record.gates)}` : ''));
        io.out(`report: ${path.relative(io.cwd, reportFile)}`);
      }
      if (record.status === 'cancelled') return EXIT_RUN.cancelled;
      // The stages ran, but what records them did not reach the disk.
      if (record.errors?.length) {
        for (const e of record.errors) io.err(`mlci run: ${e}`);
        return EXIT_RUN.cannotRun;
      }
      if (record.status === 'gate-failed') return EXIT_RUN.gateFailed;
      return record.status === 'passed' ? EXIT_RUN.passed : EXIT_RUN.stageFailed;
    } finally {
      process.removeListener('SIGINT', onSigint);
      process.removeListener('SIGTERM', onSigint);
    }
  },
};
