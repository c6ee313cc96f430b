/**
 * What both exporters need from a pipeline, worked out once: where the
 * pipeline lives in the repository, which stages CI runs, which stages
 * retrain, the commands, the cache key file and the artifact paths.
 */
import path from 'node:path';
import type { Pipeline } from '../pipeline/model';
import { TEST_KINDS } from '../pipeline/model';
import { shellWord } from './yaml-text';

/**
 * How the workflow calls mlci once the install step ran: `mlci` (installed
 * globally at a pinned version), or with `ci.mlci: repo` the project's own
 * locked devDependency through `npx --no-install` (never `npx --yes`, which
 * would run whatever the registry holds under that name).
 */
export const DEFAULT_CLI = 'mlci';
const REPO_CLI = 'npx --no-install mlci';
/** Run records kept between CI runs (the rolling runs cache), newest first. */
export const CI_RUNS_KEPT = 50;
/**
 * The Markdown summary `mlci run --ci` writes (relative to the pipeline
 * folder): the exporters show it in the job summary / as an MR artifact.
 */
export const CI_REPORT_FILE = '.mlci/report.md';
/** Where a retraining job leaves its mlci.lock for the delivery job (relative to the pipeline folder). */
export const RETRAINED_LOCK = '.mlci/retrained.lock';
/** Exit code of `mlci triggers check` when a trigger fired. */
export const TRIGGER_FIRED_EXIT = 10;

export interface ExportOptions {
  /** The pipeline file relative to the repository root (POSIX or native separators). */
  pipelineFile: string;
  /** How CI invokes mlci (default: see DEFAULT_CLI); given, no install step is written. */
  cliCommand?: string;
  /** The version of mlci that exports: what the workflow pins unless `ci.mlci` says otherwise. */
  mlciVersion?: string;
}

export interface CiPlan {
  pipelineFile: string;
  /** Pipeline folder relative to the repository root ('.' at the root). */
  dir: string;
  name: string;
  cli: string;
  /** The `ci.stages` (or the default test/data/evaluate/drift stages). */
  stages: string[];
  /** Stages of kind `train`: forced to rerun when a trigger fires. */
  trainStages: string[];
  schedules: string[];
  hasTriggers: boolean;
  /** Repository-relative paths. */
  lockFile: string;
  stateDir: string;
  runsDir: string;
  reportFile: string;
  /** Repository-relative report files stages write (drift reports, JUnit XML). */
  reportFiles: string[];
  /** What the job keeps as artifacts: the report files, plus the run records and logs only with `ci.upload_logs`. */
  artifacts: string[];
  /** Secret names the stages declare, sorted: passed to the job from the provider's secret store. */
  secrets: string[];
  /** `mlci run ... --ci` for push / pull request events (run in `dir`). */
  runCommand: string;
  /** `mlci run ... --ci` for a scheduled run whose trigger fired: also retrains. */
  retrainCommand: string;
  /** `mlci triggers check` (run in `dir`). */
  checkCommand: string;
  /** The install step's shell command, or undefined when mlci comes from the repository or cliCommand. */
  installCommand?: string;
  /** What the install step installs, for its name. */
  installWhat?: string;
  /** Repository-relative `.mlci/cache` (objects, run-cache, commit records). */
  cacheDir: string;
  /** Repository-relative pipeline file and params file: part of the cache key. */
  keyFiles: string[];
  /** The configured cache remote (pulled before the run, pushed after), if any. */
  remote?: string;
  pullCommand: string;
  pushCommand: string;
  gcCommand: string;
  /** Deletes run records beyond the newest CI_RUNS_KEPT (run in `dir`). */
  pruneRunsCommand: string;
  /** `kind: deliver` stages: with any, a delivery job runs `mlci deliver` on the default branch after the main job passed. */
  deliverStages: string[];
  /** The registries they push to (`host[:port]/repo`), for the comments. */
  registries: string[];
  /** `mlci deliver ... --ci` for pushes and manual runs (run in `dir`). */
  deliverCommand: string;
  /** `mlci deliver --retrained ... --ci` after a continuous-training retrain. */
  deliverRetrainedCommand: string;
}

/** The secrets a delivery job reads for the registry (mlci deliver's MLCI_REGISTRY_USER / MLCI_REGISTRY_PASSWORD). */
export const REGISTRY_SECRETS = ['MLCI_REGISTRY_USER', 'MLCI_REGISTRY_PASSWORD'] as const;

function repoPath(dir: string, p: string): string {
  return dir === '.' ? path.posix.normalize(p) : path.posix.join(dir, p);
}

export function ciPlan(pipeline: Pipeline, opts: ExportOptions): CiPlan {
  const pipelineFile = opts.pipelineFile.split(path.sep).join('/').replace(/^\.\//, '');
  const dir = path.posix.dirname(pipelineFile);
  const fileArg = shellWord(path.posix.basename(pipelineFile));
  const pinned = pipeline.ci.mlci ?? opts.mlciVersion;
  const fromRepo = pipeline.ci.mlci === 'repo';
  const cli = opts.cliCommand ?? (fromRepo ? REPO_CLI : DEFAULT_CLI);
  const stages = pipeline.ci.stages ?? pipeline.stages.filter((s) => TEST_KINDS.includes(s.kind)).map((s) => s.name);
  const trainStages = pipeline.stages.filter((s) => s.kind === 'train').map((s) => s.name);
  const retrainStages = [...stages, ...trainStages.filter((t) => !stages.includes(t))];
  const planned = new Set(retrainStages);
  const reportFiles: string[] = [];
  for (const s of pipeline.stages) {
    if (!planned.has(s.name)) continue;
    if (s.drift?.report) reportFiles.push(repoPath(dir, s.drift.report));
    if (s.reports.junit) reportFiles.push(repoPath(dir, s.reports.junit));
  }
  const deliverStages = pipeline.stages.filter((s) => s.kind === 'deliver').map((s) => s.name);
  const t = pipeline.triggers;
  const schedules = t?.schedule ?? [];
  return {
    pipelineFile,
    dir,
    name: pipeline.name ?? path.posix.basename(dir === '.' ? pipelineFile : dir),
    cli,
    stages,
    trainStages,
    schedules,
    hasTriggers: schedules.length > 0 || !!t?.drift || !!t?.metric,
    lockFile: repoPath(dir, 'mlci.lock'),
    stateDir: repoPath(dir, '.mlci/state'),
    runsDir: repoPath(dir, '.mlci/runs'),
    reportFile: repoPath(dir, CI_REPORT_FILE),
    reportFiles,
    artifacts: [...(pipeline.ci.uploadLogs ? [repoPath(dir, '.mlci/runs')] : []), repoPath(dir, CI_REPORT_FILE), ...reportFiles],
    secrets: [...new Set(pipeline.stages.flatMap((s) => s.secrets))].sort(),
    runCommand: [cli, 'run', '-f', fileArg, ...stages.map(shellWord), '--ci'].join(' '),
    retrainCommand: [cli, 'run', '-f', fileArg, ...retrainStages.map(shellWord), ...trainStages.map((s) => `--force=${shellWord(s)}`), '--ci'].join(' '),
    checkCommand: [cli, 'triggers', 'check', '-f', fileArg].join(' '),
    ...(!opts.cliCommand && !fromRepo ? {
      installCommand: `npm install --global --no-fund --no-audit mlci@${pinned ?? 'latest'}`,
      installWhat: pinned ? `mlci ${pinned} (pinned)` : 'mlci (latest: set ci.mlci to pin a version)',
    } : {}),
    cacheDir: repoPath(dir, '.mlci/cache'),
    keyFiles: [pipelineFile, repoPath(dir, pipeline.paramsFile)],
    ...(pipeline.cache.remote ? { remote: pipeline.cache.remote } : {}),
    pullCommand: [cli, 'cache', 'pull', '-f', fileArg].join(' '),
    pushCommand: [cli, 'cache', 'push', '-f', fileArg].join(' '),
    gcCommand: [cli, 'cache', 'gc', '-f', fileArg, '--keep-runs', '10'].join(' '),
    deliverStages,
    registries: [...new Set(pipeline.stages.flatMap((s) => (s.deliver ? [s.deliver.registry] : [])))],
    deliverCommand: [cli, 'deliver', '-f', fileArg, '--ci'].join(' '),
    deliverRetrainedCommand: [cli, 'deliver', '-f', fileArg, '--retrained', '--ci'].join(' '),
    pruneRunsCommand: `ls -1dt .mlci/runs/*/ 2>/dev/null | tail -n +${CI_RUNS_KEPT + 1} | xargs -r rm -rf`,
  };
}
