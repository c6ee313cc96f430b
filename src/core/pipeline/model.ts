/**
 * The pipeline model: a typed, normalised view of a pipeline file with
 * defaults applied. Built defensively from data that may still have schema
 * problems: a field of the wrong type is simply absent here (the schema
 * layer has already reported it), so later layers never crash on bad input.
 */

export const STAGE_KINDS = ['test', 'data', 'train', 'evaluate', 'drift', 'custom', 'service', 'deliver'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

/** Kinds whose `run` executes in a container; `data` and `drift` are computed by the engine. */
export const CONTAINER_KINDS: readonly StageKind[] = ['test', 'train', 'evaluate', 'custom'];
/**
 * Kinds whose image comes from `image:`/`build:`: the container kinds plus
 * `service` (a long-running container started for the stages that need it).
 */
export const IMAGE_KINDS: readonly StageKind[] = [...CONTAINER_KINDS, 'service'];
/** Kinds listed as tests (Test Explorer, default `ci.stages`). */
export const TEST_KINDS: readonly StageKind[] = ['test', 'data', 'evaluate', 'drift'];

import type { SlurmOptions } from '../ports';

export type Network = 'none' | 'bridge' | 'host';
export type Goal = 'max' | 'min';

export interface Resources {
  cpus?: number;
  memory?: string | number;
  timeout?: string;
  pids?: number;
  /** GPUs for the container: every GPU, a count, or device ids / UUIDs. */
  gpus?: 'all' | number | string[];
}

/** How to build a stage's image from the repository (`build:` on a stage or in defaults). */
export interface BuildSpec {
  /** Context folder, relative to the pipeline folder. */
  context: string;
  /** Dockerfile path relative to the context (default `Dockerfile`). */
  dockerfile: string;
  args: Record<string, string>;
  target?: string;
  /** Where the `build:` is written: 'defaults' or the stage's name; stages sharing one owner share one image. */
  owner: string;
}

export type GateKind = 'threshold' | 'regression' | 'convergence' | 'overfitting' | 'drift' | 'importance' | 'unknown';

export interface Gate {
  /** Position in the stage's `gates` list (0-based), for ranges and ids. */
  index: number;
  kind: GateKind;
  name?: string;
  severity: 'error' | 'warning';
  metric?: string;
  min?: number;
  max?: number;
  maxDrop?: number;
  relative?: boolean;
  baseline?: string;
  /** A regression gate without a baseline value fails instead of reporting "no baseline". */
  requireBaseline?: boolean;
  converges?: string;
  window?: number;
  /** Convergence gates: also checked while the stage runs; the stage is stopped once the rule is broken. */
  early?: boolean;
  stage?: string;
  maxGap?: number;
  against?: string;
  drift?: string;
  /** Overfitting gates: the `against` (training) stage's metric must reach this, else underfitting. */
  minTrain?: number;
  /** Importance gates: the stage whose dependencies or importances are checked. */
  importance?: string;
  /** Importance gates: no feature's importance may exceed this (possible target leakage). */
  leakage?: number;
  /** Importance gates (`min: { feature: bound }`): features that must matter. */
  minFeatures?: Record<string, number>;
  /** Importance gates: fail on features whose importance is within noise of zero. */
  unused?: boolean;
  /** Importance gates: significance level for `unused` on data dependencies. */
  alpha?: number;
  /** Importance gates: least rank correlation of importances with the baseline's. */
  stability?: number;
}

export type ColumnType = 'number' | 'integer' | 'boolean' | 'category' | 'datetime' | 'text';

export interface Bounds {
  min?: number;
  max?: number;
}

export interface ColumnExpectation extends Bounds {
  type?: ColumnType;
  required?: boolean;
  nulls?: number;
  null_share?: number;
  unique?: boolean;
  in?: Array<string | number | boolean>;
  regex?: string;
  mean?: Bounds;
  std?: Bounds;
  quantiles?: Record<string, Bounds>;
}

export type DataFormat = 'csv' | 'jsonl' | 'parquet' | 'auto';

export interface Expectations {
  file?: string;
  format: DataFormat;
  delimiter?: string;
  rows?: Bounds;
  columns: Record<string, ColumnExpectation>;
}

export type DriftTest = 'auto' | 'ks' | 'chisquare' | 'wasserstein' | 'psi' | 'jensenshannon';

export interface DriftColumnSpec {
  test: DriftTest;
  threshold?: number;
  type?: 'number' | 'category';
  ignore?: boolean;
}

export interface DriftSpec {
  share: number;
  columns: Record<string, DriftColumnSpec>;
  include?: string[];
  exclude: string[];
  format: DataFormat;
  delimiter?: string;
  report?: string;
}

/**
 * Options of one output (`outs: [{PATH: {cache, persist}}]`, dvc.yaml's form).
 * - `cache: false`: hashed into the lock, never stored in `.mlci/cache/`,
 *   restored or pushed (large scratch data, secrets).
 * - `persist: true`: not deleted before the stage reruns (checkpoints the
 *   stage resumes from). Since a persisted output may be rewritten in place,
 *   the engine first replaces any cache link under it with a private copy.
 */
export interface OutOptions {
  cache: boolean;
  persist: boolean;
  desc?: string;
}

export const DEFAULT_OUT_OPTIONS: Readonly<OutOptions> = { cache: true, persist: false };

/** `importance:` of a data stage: dependencies of the features on a target, computed on the data. */
export interface ImportanceSpec {
  target: string;
  /** The data file (default: `expect.file`). */
  file?: string;
  format: DataFormat;
  delimiter?: string;
  /** Only these features (default: every column but the target). */
  features?: string[];
  exclude: string[];
  /** Where to write the report (JSON), so a cached stage and a git baseline still have it. */
  report?: string;
}

/** `kind: service`: how the long-running container is reached and when it is ready. */
export interface ServiceSpec {
  /** The port the server listens on inside the container. */
  port: number;
  /** A fixed 127.0.0.1 port on the host (default: an ephemeral one the engine picks). */
  hostPort?: number;
  health: {
    /** GET this path until it answers 2xx/3xx. */
    http?: string;
    /** Or run this command in the container until it exits 0. */
    cmd?: string;
    /** Milliseconds to wait for health before failing (default 60 s). */
    timeoutMs: number;
    timeout: string;
    /** Milliseconds between checks (default 0.5 s). */
    intervalMs: number;
  };
}

/** A bound on a probed JSON value: an exact value, or a range for numbers. */
export type ProbeJsonExpect = string | number | boolean | null | { min?: number; max?: number };

/** One `probe:` request of a test stage, sent by mlci itself to a service. */
export interface ProbeSpec {
  /** Index in the stage's `probe` list. */
  index: number;
  /** Names the child test and the latency metrics (`probe.<name>.p95_ms`); default from the path. */
  name: string;
  service: string;
  method: string;
  path: string;
  /** A JSON body (sent with content-type application/json)... */
  json?: unknown;
  /** ...or a raw body. */
  body?: string;
  headers: Record<string, string>;
  expect: {
    status?: number;
    /** Dotted paths into the JSON answer (`probabilities.1`) and their expected values. */
    json?: Record<string, ProbeJsonExpect>;
    latencyMs?: { p50?: number; p95?: number; max?: number };
    /** Requests to send (latency percentiles need several; default 1). */
    count: number;
  };
}

/** `kind: deliver`: tag and push a service's image to a registry. */
export interface DeliverSpec {
  /** The service stage whose image is delivered. */
  service: string;
  /** `host:port/repo` (no tag). */
  registry: string;
  /** Tag template: `{commit}`, `{short_commit}`, `{run}`, `{branch}` are replaced. */
  tag: string;
  /** `artifact:` the model files (stage outputs) pushed as an OCI artifact beside the image. */
  artifact?: DeliverArtifactSpec;
}

/** `artifact:` of a deliver stage: files pushed as one OCI artifact (one layer per file). */
export interface DeliverArtifactSpec {
  /** Workspace-relative files or folders, each an output (`outs`) of a stage or inside one. */
  files: string[];
  /** Tag template (as `tag`); default: the image's tag followed by `-model`. */
  tag?: string;
  /** The manifest's `artifactType` (and config media type family). */
  type: string;
}

export const DEFAULT_ARTIFACT_TYPE = 'application/vnd.mlci.model.v1';

export const DEFAULT_DELIVER_TAG = '{short_commit}';

export interface Stage {
  name: string;
  kind: StageKind;
  description?: string;
  run: string[];
  image?: string;
  /** Set when the stage's image is built (its own `build:`, or the default one when it names no image). */
  build?: BuildSpec;
  /** Named caches (`pip`) or container paths mounted as mlci-owned Docker volumes that survive runs. */
  caches: string[];
  env: Record<string, string>;
  secrets: string[];
  network: Network;
  resources: Resources;
  /** sbatch options for the Slurm executor, merged field by field over `defaults.slurm` (`extra` appended). */
  slurm?: SlurmOptions;
  workdir: string;
  needs: string[];
  deps: string[];
  /** Params keys: `key` of the pipeline params file, `file:key` of another, `file:` for a whole file. */
  params: string[];
  /** Output paths in file order (string items and the keys of `{PATH: options}` items). */
  outs: string[];
  /** Options of the outputs that set any, by path; `outOptionsOf` fills in the defaults. */
  outOptions: Record<string, OutOptions>;
  /** The first metrics file (most stages have one). */
  metricsFile?: string;
  /** Every metrics file, in order; later files win on clashing names. */
  metricsFiles: string[];
  plots: Plot[];
  /** Never rerun (DVC's `frozen`): kept as it is, with its outputs. */
  frozen: boolean;
  /** Always rerun, even when nothing changed (DVC's `always_changed`). */
  alwaysChanged: boolean;
  /** Metric names the stage declares in `metrics.names`. */
  metricNames: string[];
  history?: string;
  reports: { junit?: string };
  gates: Gate[];
  expect?: Expectations;
  reference?: string;
  current?: string;
  drift?: DriftSpec;
  importance?: ImportanceSpec;
  /** Model-based importances the stage writes (CSV or JSON: feature, importance, std?). */
  importances?: string;
  /** `kind: service`: port and health. */
  service?: ServiceSpec;
  /** `probe:` requests of a test stage. */
  probes?: ProbeSpec[];
  /** `kind: deliver`: what is pushed where. */
  deliver?: DeliverSpec;
  /**
   * Deps of the services this stage needs: a stage probing a service reruns
   * when what the service serves changes (its code, its model file).
   */
  serviceDeps?: string[];
  /** What the services this stage needs run (command, image, port, health), for its fingerprint. */
  serviceSpecs?: Record<string, unknown>;
  /** The named Docker engine its container runs on (`engine:`); undefined: the local one. */
  engine?: string;
  /**
   * Where its `run` executes (`executor:` of the stage or `defaults`):
   * docker, local (host processes) or slurm (a batch job); undefined: the
   * run's executor (`--executor`, default auto).
   */
  executor?: StageExecutor;
}

export const STAGE_EXECUTORS = ['docker', 'local', 'slurm'] as const;
export type StageExecutor = (typeof STAGE_EXECUTORS)[number];

export const PLOT_TEMPLATES = ['linear', 'scatter', 'confusion', 'confusion_normalized', 'bar', 'roc', 'precision_recall', 'smooth', 'simple'] as const;
export type PlotTemplate = (typeof PLOT_TEMPLATES)[number];

/** A plot a stage writes, in DVC's form (`path` or `path: { template, x, y, title, x_label, y_label }`); loading is in src/core/plots. */
export interface Plot {
  path: string;
  template?: string;
  x?: string;
  y?: string | string[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
}

export interface Triggers {
  schedule: string[];
  drift?: string;
  metric?: { name?: string; source?: string; below?: number; above?: number };
}

export interface CiSpec {
  provider: 'github' | 'gitlab';
  /** Explicit `ci.stages`, or undefined for the default set. */
  stages?: string[];
  baseline: string;
  runner: string;
  node: string;
  file?: string;
  /** Keep `.mlci/runs` (records and stage logs) as a CI artifact (default false). */
  uploadLogs: boolean;
  /** `ci.require_baseline`: regression gates without a baseline fail (default false: listed as "no baseline"). */
  requireBaseline: boolean;
  /** `ci.mlci`: the mlci the exported workflow installs (an exact version, or `repo`). */
  mlci?: string;
}

/** `cache:`: the default remote and named remotes. */
export interface CacheSpec {
  remote?: string;
  remotes: Record<string, string>;
}

export interface Pipeline {
  /** The pipeline file as given (used in messages). */
  file: string;
  version: number;
  name?: string;
  /** Params file path relative to the pipeline folder. */
  paramsFile: string;
  paramsFileExplicit: boolean;
  metrics: Record<string, { goal?: Goal; description?: string; format?: string }>;
  /** In file order. */
  stages: Stage[];
  stageByName: Map<string, Stage>;
  /** Matrix templates -> their stage instances (`train` -> `train@lr=0.1`, ...). */
  groups?: Map<string, string[]>;
  triggers?: Triggers;
  ci: CiSpec;
  cache: CacheSpec;
  /** `engines:` by name (hosts may come from the user's engines file instead). */
  engines: Record<string, EngineSpec>;
}

/** A named Docker engine (`engines: { gpu: { host, remote } }`). */
export interface EngineSpec {
  host?: string;
  /** It cannot see the pipeline folder: inputs travel by content. Undefined: decided from the host. */
  remote?: boolean;
  /** At most this many stages (sweep combinations) on it at once. */
  jobs?: number;
}

/** The name of the engine DOCKER_HOST / mlci.dockerHost gives. */
export const LOCAL_ENGINE = 'local';

export const DEFAULT_PARAMS_FILE = 'params.yaml';
export const DEFAULT_BASELINE = 'main';

/** The options of output `out` of `stage` (defaults when it sets none). */
export function outOptionsOf(stage: Pick<Stage, 'outOptions'>, out: string): OutOptions {
  return stage.outOptions[out] ?? DEFAULT_OUT_OPTIONS;
}
