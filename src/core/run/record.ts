/**
 * Run records (experiments): what `.mlci/runs/<id>/run.json` holds. One
 * record per `mlci run`, written atomically on every state change so a
 * killed process leaves the last complete state, never half a file.
 * Secrets never appear here (env values are not recorded at all).
 */
import type { ParamValue } from '../params';
import type { GitInfo, SchedulerJob, StageOutcome, TransferStats } from '../ports';
import type { GateResult } from '../gates/result';
import type { ImportanceReport } from '../importance/types';
import type { PlotRecord } from '../plots/types';

export const RUN_RECORD_VERSION = 1;

/**
 * Who started a run (recorded as given; the engine only reads
 * 'test-explorer'). The CLI records 'cli'; the extension's run service says
 * which of its entry points it was.
 */
export type RunOrigin = 'cli' | 'editor' | 'test-explorer' | 'task' | 'verify' | 'experiment';

/**
 * What a run is to the user (src/core/run/kind.ts decides):
 *   experiment     a run that ran something: a row in the experiment lists
 *   cached         nothing ran, every stage was up to date
 *   tests          a Test Explorer run (tests, not a training experiment)
 *   shared-stages  a sweep's shared-stages step (belongs to its sweep)
 * Everything but 'experiment' is history: `mlci exp list`, the Experiments
 * view and the comparison panel leave it out unless asked for history.
 */
export type RunKind = 'experiment' | 'cached' | 'tests' | 'shared-stages';

export type RunStatus = 'running' | 'passed' | 'failed' | 'gate-failed' | 'cancelled';

export type StageStatus =
  /** Ran and exited 0 (and its checks passed). */
  | 'passed'
  /** Ran and failed (non-zero exit, OOM, timeout, error, failed data checks). */
  | 'failed'
  /** Up to date: not run, its outputs on disk match mlci.lock. */
  | 'cached'
  /** Not run: its fingerprint had a run-cache entry, whose outputs were restored from `.mlci/cache/`. */
  | 'restored'
  /** Not run because an upstream stage failed or the run was cancelled first. */
  | 'skipped'
  /** Stopped while running. */
  | 'cancelled'
  | 'running'
  | 'pending';

export interface StageRecord {
  name: string;
  kind: string;
  status: StageStatus;
  /** Why it ran or was skipped ("dep data/train.csv changed", "up to date", "upstream train failed"). */
  reason?: string;
  outcome?: StageOutcome;
  exitCode?: number;
  startedAt?: string;
  durationMs?: number;
  cached: boolean;
  image?: string;
  imageId?: string;
  fingerprint?: string;
  /** Path of the stage's log, relative to the run folder. */
  log?: string;
  /** Where in the pipeline file (and Dockerfile) a failure points, for the Problems view. */
  problem?: RunProblemRef;
  /** The batch job that ran it (Slurm executor): id, node, queue wait, run time, final state. */
  job?: SchedulerJob;
  /** A started service's addresses: inside the run's network, and on this host. */
  service?: { url: string; hostUrl: string };
  /** A deliver stage's push: the image reference and the digest the registry answered. */
  delivery?: DeliveryRecord;
  /** The named engine its container ran on (`engine:` / --engine); absent: the local one. */
  engine?: string;
  /** The stage's own executor (`executor:` in the pipeline file) when it differs from the run's. */
  executor?: 'docker' | 'local' | 'slurm';
  /** Files a remote engine's run sent and brought back. */
  transfer?: TransferStats;
}

export interface DeliveryRecord {
  /** `host:port/repo:tag` as pushed. */
  image: string;
  registry: string;
  tag: string;
  /** `sha256:...` of the pushed manifest. */
  digest: string;
  /** The local image that was pushed. */
  imageId?: string;
  commit?: string;
  /** Delivered after a continuous-training retrain: mlci.lock differed from the commit (the retrained model). */
  retrained?: boolean;
  /** `artifact:` the model files pushed as an OCI artifact. */
  artifact?: {
    /** `host:port/repo:tag` */
    ref: string;
    /** `sha256:...` of the artifact's manifest. */
    digest: string;
    files: Array<{ path: string; digest: string; size: number }>;
  };
}

/** A failure's place in the pipeline file (a JSON path) and, for builds, in the Dockerfile. */
export interface RunProblemRef {
  path: Array<string | number>;
  message: string;
  dockerfile?: { file: string; line: number };
}

/** One image build of a run (`build:` of the defaults or of a stage). */
export interface BuildRecord {
  owner: string;
  tag: string;
  status: 'built' | 'reused' | 'failed';
  imageId?: string;
  durationMs?: number;
  reason?: string;
  /** Build output, relative to the run folder. */
  log?: string;
  stages: string[];
}

export interface RunRecord {
  version: typeof RUN_RECORD_VERSION;
  id: string;
  name?: string;
  /** Pipeline file, relative to the workspace root. */
  pipeline: string;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  executor: 'docker' | 'local' | 'slurm';
  /** Who started the run (absent in records older than the field). */
  origin?: RunOrigin;
  /** Experiment or history (absent in older records: kindOf() derives it). */
  kind?: RunKind;
  git?: GitInfo;
  /** The params values the run used (after --set overrides). */
  params: Record<string, ParamValue>;
  overrides?: Record<string, ParamValue>;
  /** Flattened metrics from every stage's metrics file ("accuracy", "train.loss"...). */
  metrics: Record<string, number>;
  /** Per-stage metric history series: stage -> rows with a `step`. */
  history: Record<string, Array<Record<string, number>>>;
  stages: StageRecord[];
  tags?: string[];
  /** Display formats of metrics (top-level `metrics.<name>.format`) when the run happened. */
  metricFormats?: Record<string, string>;
  /** Metrics per stage (before flattening into `metrics`). */
  stageMetrics?: Record<string, Record<string, number>>;
  /** Reports of engine-run stages: data check results, drift reports (versioned JSON). */
  reports?: Record<string, unknown>;
  /** Feature dependencies (data stages' `importance`) and model importances (stages' `importances` files), by stage. */
  importance?: Record<string, ImportanceReport>;
  /** Gate results, when the run's stages have gates. */
  gates?: GateResult[];
  /**
   * What mlci could not write during the run (mlci.lock, this record), with
   * the file and what to do. The stages' statuses stand; the CLI exits 3.
   */
  errors?: string[];
  /** Images built (or reused) for the run's stages. */
  builds?: BuildRecord[];
  /** The stages' plots (`plots:`), each with the copy kept in the run folder (`plots/<stage>/<path>`). */
  plots?: PlotRecord[];
}
