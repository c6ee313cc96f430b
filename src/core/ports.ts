/**
 * The interfaces the core needs from the outside world. Types only: the
 * adapters (docker, local, git, vscode) and the CLI implement them.
 */

/**
 * Read-only file access for validation. Synchronous on purpose: the checks
 * look at a handful of small files (the params file, dep paths) and run on
 * every keystroke pause, where a sync stat is cheaper than a promise chain.
 * The extension passes unsaved editor contents through `readText`.
 */
export interface FileProbe {
  /** 'file', 'dir', or undefined when the path does not exist. */
  stat(absPath: string): 'file' | 'dir' | undefined;
  /** The text of a file, or undefined when it cannot be read. */
  readText(absPath: string): string | undefined;
  /** Why readText gave undefined for an existing file (a FIFO, too large...), for the message. */
  readError?(absPath: string): string | undefined;
  /** Why `absPath` (written `shown` in the pipeline) leaves `root` through a symlink; undefined when it stays inside. */
  linkEscape?(root: string, absPath: string, shown: string): string | undefined;
}

/** What a stage runs: one command, in an image, with the workspace mounted. */
export interface StageSpec {
  runId: string;
  stage: string;
  /** Image reference after image mapping (e.g. `python:3.12-slim`). */
  image: string;
  /** Commands run one after the other with `sh -c`; the first non-zero exit ends the stage. */
  commands: string[];
  /** Absolute host path of the pipeline folder, mounted at the same path in the container. */
  workspace: string;
  /** Working directory, relative to the workspace. */
  workdir: string;
  env: Record<string, string>;
  network: 'none' | 'bridge' | 'host';
  /** A run's private network (services): joined instead of `network`. */
  networkName?: string;
  cpus?: number;
  memoryBytes?: number;
  timeoutMs?: number;
  pids?: number;
  /** uid:gid to run as (Linux hosts), so outputs are not root-owned. */
  user?: string;
  /** mlci-owned Docker volumes mounted in the container (named build caches). */
  volumes?: { name: string; target: string }[];
  /** GPU device request: every GPU, a count, or device ids. */
  gpus?: 'all' | number | string[];
  /** Scheduler options for the Slurm executor (`slurm:` in the pipeline); other runners ignore them. */
  slurm?: SlurmOptions;
  /**
   * What the stage reads and writes, relative to the workspace (deps,
   * params files; outs, metrics, plots, reports). A runner whose engine
   * cannot see the workspace (a remote engine) sends `inputs` by content
   * and brings `outputs` back; others ignore both.
   */
  inputs?: string[];
  outputs?: string[];
}

/** What a remote engine's run moved: files sent (and their bytes), files already there, files brought back. */
export interface TransferStats {
  sentFiles: number;
  sentBytes: number;
  reusedFiles: number;
  fetchedFiles: number;
}

/** `slurm:` of the defaults or a stage: sbatch options beyond what `resources` maps to. */
export interface SlurmOptions {
  partition?: string;
  account?: string;
  qos?: string;
  constraint?: string;
  /** More sbatch options, as written (`--exclusive`, `--nodelist=n1`). */
  extra?: string[];
  /** How the job runs the stage on the node: host processes (default) or `docker run` with the stage's image. */
  runtime?: 'host' | 'docker';
}

/** A stage's batch job as the scheduler reports it (queued, running, ended), for progress and the run record. */
export interface SchedulerJob {
  system: 'slurm';
  /** Job id (`123`, or `122_4` for an array task). */
  id: string;
  state: string;
  /** Why it waits or why it ended (squeue's reason: Priority, Resources, Dependency, TimeLimit...). */
  reason?: string;
  /** Position among pending jobs of its partition (1 = next), while pending. */
  position?: number;
  node?: string;
  /** Submit to start. */
  queuedMs?: number;
  /** Start to end (or to now). */
  ranMs?: number;
  /** Times Slurm requeued it (followed, not resubmitted). */
  restarts?: number;
}

/** One image build: the files of the context (already filtered by .dockerignore) and the Dockerfile as sent. */
export interface BuildRequest {
  tag: string;
  /** Absolute context folder. */
  contextDir: string;
  /** Relative `/` paths below the context, with sizes (symlinks carry their link text). */
  files: { rel: string; size: number }[];
  /** Path of the Dockerfile inside the context. */
  dockerfile: string;
  /** Its text as sent (FROM images mapped). */
  dockerfileText: string;
  args: Record<string, string>;
  target?: string;
  noCache?: boolean;
  pull?: boolean;
  labels: Record<string, string>;
}

export interface BuildFailure {
  /** The step that failed as the builder names it (`Step 3/4 : RUN make`). */
  step?: string;
  /** Its number (classic builder), to find the Dockerfile line. */
  stepNumber?: number;
  message: string;
  /** The last lines of build output before the failure. */
  lastLines: string[];
}

export type BuildOutcome = { ok: true; imageId: string } | { ok: false; failure: BuildFailure };

/** Builds images and manages mlci's volumes (the Docker adapter; host processes have none). */
export interface ImageBuilder {
  /** The ID of a local image, without pulling; undefined when absent. */
  findImage(ref: string): Promise<string | undefined>;
  /** Pulls an image; throws with the engine's reason when it cannot. */
  pullImage(ref: string, log?: LogSink, cancel?: Cancel): Promise<void>;
  build(req: BuildRequest, log: LogSink, cancel?: Cancel): Promise<BuildOutcome>;
  /** Creates the volume when missing (labelled as mlci's). */
  ensureVolume(name: string, labels: Record<string, string>): Promise<void>;
  /**
   * Removes mlci-owned volumes whose labels match, except those named in
   * `keep`; returns their names (with dryRun: the names it would remove).
   */
  removeVolumes(labels: Record<string, string>, opts?: { keep?: ReadonlySet<string>; dryRun?: boolean }): Promise<string[]>;
}

export type StageOutcome =
  | { kind: 'exited'; exitCode: number }
  | { kind: 'oom'; exitCode: number }
  | { kind: 'timeout' }
  | { kind: 'cancelled' }
  /** `engineLost`: the engine died or stopped answering (the run could not go on), not the stage's fault. */
  | { kind: 'error'; message: string; engineLost?: boolean };

export interface StageResult {
  outcome: StageOutcome;
  /** The batch job that ran the stage (scheduler runners). */
  job?: SchedulerJob;
  startedAt: string;
  durationMs: number;
  /** Image ID the stage ran on (for the fingerprint and the run record). */
  imageId?: string;
  /** Set by a runner that shipped the workspace by content (a remote engine). */
  transfer?: TransferStats;
}

export interface LogSink {
  (stream: 'stdout' | 'stderr', chunk: string): void;
}

/** A cancellation signal the CLI (Ctrl+C) and the extension (a token) both map onto. */
export type Cancel = AbortSignal;

/** A `kind: service` container to start: a stage spec plus how it is reached and when it is ready. */
export interface ServiceStartSpec extends Omit<StageSpec, 'network' | 'networkName' | 'timeoutMs'> {
  /** The run's private network; the service joins it with its stage name as host name. */
  networkName: string;
  port: number;
  /** Publish on this 127.0.0.1 port (default: an ephemeral one). */
  hostPort?: number;
  health: { http?: string; cmd?: string; timeoutMs: number; intervalMs: number };
}

/** Why a service did not become healthy, with what it printed last. */
export interface ServiceFailure {
  message: string;
  lastLines: string[];
  exitCode?: number;
}

export interface ServiceHandle {
  /** `http://<name>:<port>`: what the stages on the network use. */
  url: string;
  /** `http://127.0.0.1:<published port>`: what mlci (and a browser on this host) uses. */
  hostUrl: string;
  /** Set once the container exited (a crash mid-test). */
  exited(): { exitCode: number } | undefined;
  /** The last lines it printed (for messages). */
  lastLines(n?: number): string[];
  /** Stops and removes the container (idempotent). */
  stop(): Promise<void>;
}

/** Long-running service containers and the per-run networks they live on (Docker only). */
export interface ServiceHost {
  /** Creates the run's private network (labelled as the run's, so stray cleanup finds it). */
  createNetwork(runId: string): Promise<string>;
  removeNetwork(name: string): Promise<void>;
  /** Starts the service and waits for health; a ServiceFailure when it exits or never turns healthy. */
  start(spec: ServiceStartSpec, log: LogSink, cancel?: Cancel): Promise<{ ok: true; handle: ServiceHandle } | { ok: false; failure: ServiceFailure }>;
}

/** One combination of a sweep in its stages' array jobs: task `index` of the arrays of `group`. */
export interface ArrayTask {
  group: string;
  index: number;
}

/** Runs stages: the docker adapter (containers) and the local adapter (host processes). */
export interface ContainerRunner {
  readonly name: 'docker' | 'local' | 'slurm';
  /** Present when the runner can build images (Docker); the local runner ignores `build:` like `image:`. */
  readonly builder?: ImageBuilder;
  /** Where stages run, for messages (`unix:///var/run/docker.sock`); undefined for host processes. */
  readonly where?: string;
  /** Throws an Error with a message saying how to fix it when the engine is unreachable. */
  check(): Promise<void>;
  /** The image's ID, pulling it first when missing (progress via `log`). */
  resolveImage(image: string, log?: LogSink, cancel?: Cancel): Promise<string>;
  /**
   * The image's ID when the engine has it, else undefined: never pulls.
   * Status and plans use it, so looking at a pipeline downloads nothing.
   */
  imageIdIfPresent?(image: string): Promise<string | undefined>;
  /** `progress`: a scheduler runner's job moved (queued with a reason, running on a node). */
  run(spec: StageSpec, log: LogSink, cancel?: Cancel, progress?: (job: SchedulerJob) => void): Promise<StageResult>;
  /** Present when the runner can start `kind: service` containers (Docker). */
  readonly services?: ServiceHost;
  /**
   * Scheduler runners: every planned command stage at once, before the first
   * one runs (`after`: the stages whose jobs it waits for). Each is started
   * later by `run`, when the engine has decided it runs.
   */
  submitPlan?(runId: string, stages: { spec: StageSpec; after: string[] }[], cancel?: Cancel, task?: ArrayTask): Promise<void>;
  /**
   * Scheduler runners: a sweep's combinations share one array job per stage
   * (`size` tasks, at most `limit` running at once); each combination's run
   * passes its `ArrayTask` to `submitPlan`. `closeArrays` cancels what is
   * left of them and removes their files.
   */
  openArrays?(group: { id: string; root: string; size: number; limit: number }): void;
  closeArrays?(groupId: string): Promise<void>;
  /** Scheduler runners: withdraw what `submitPlan` submitted and the run did not run (up to date, skipped, cancelled). */
  endRun?(runId: string): Promise<void>;
  /** Remove containers labelled by runs that are no longer alive; returns how many. */
  removeStray(isRunAlive: (runId: string) => boolean): Promise<number>;
  /** A remote engine: removes the volume holding the workspace at `root` (a sweep's copy, once done). */
  releaseWorkspace?(root: string): Promise<void>;
}

/** What the run records need from git (simple-git adapter). */
export interface GitInfo {
  commit: string;
  branch?: string;
  /** Uncommitted or untracked changes in the working tree. */
  dirty: boolean;
}

export interface Git {
  /** undefined when `cwd` is not inside a git work tree. */
  info(cwd: string): Promise<GitInfo | undefined>;
}
