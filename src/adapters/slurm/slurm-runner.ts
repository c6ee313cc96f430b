/**
 * Runs stages as Slurm batch jobs (`--executor slurm`), from a login node
 * that shares the workspace's filesystem with the compute nodes (the usual
 * cluster set-up; docs/slurm.md).
 *
 * Each stage is one `sbatch --parsable` job named `mlci:<run>:<stage>`, its
 * comment naming the run, the stage and the mlci process that owns it. The
 * job script and its output files live in `.mlci/slurm/<run>/` in the
 * workspace; the output is streamed into the run log as the files grow, and
 * the folder is removed when the run ends (`endRun`).
 * States are followed with squeue (JobWatcher: one call per poll for every
 * job, with back-off) and mapped onto the same outcomes as containers:
 * COMPLETED/FAILED -> exit code, TIMEOUT -> timeout, OUT_OF_MEMORY -> oom,
 * NODE_FAIL/PREEMPTED/BOOT_FAIL/DEADLINE/cancelled by someone else -> an
 * error saying so. A requeued job keeps its id: it is followed, not resubmitted.
 *
 * Cancellation scancels the job. A CLI killed outright leaves its jobs
 * queued: `removeStray` (before every run) cancels jobs whose owning mlci
 * process on this host is dead, and `cancelRun` cancels a run's jobs by name
 * (`mlci runs --cancel ID`).
 */
import { closeSync, mkdirSync, openSync, readSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ArrayTask, Cancel, ContainerRunner, LogSink, SchedulerJob, StageOutcome, StageResult, StageSpec } from '../../core/ports';
import type { ProcessIdentity } from '../../core/run/process-identity';
import { currentProcess, processState } from '../../core/run/process-identity';
import { ChunkDecoder } from '../local/stage-script';
import type { SlurmRuntime } from './job-script';
import { batchScript, jobName, parseJobName, plain, resourceArgs, shellQuote } from './job-script';
import { JobWatcher, giveUpMsFrom } from './job-watcher';
import type { WatchOptions } from './job-watcher';
import { SlurmCli } from './slurm-cli';
import type { JobState } from './squeue';
import { TERMINAL, exitCodeOf } from './squeue';

export interface SlurmRunnerOptions extends WatchOptions {
  /** Environment for the Slurm commands and the jobs (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** Where a run's job scripts and output files go: inside the workspace, which the nodes share. */
export function jobDir(workspace: string, runId: string): string {
  return path.join(workspace, '.mlci', 'slurm', plain(runId));
}

function ownerTag(p: ProcessIdentity): string {
  return `owner=${p.host}/${p.pid}/${p.start ?? ''}`;
}

function parseOwner(comment: string): ProcessIdentity | undefined {
  const m = /owner=([^/\s]+)\/(\d+)\/(\S*)/.exec(comment);
  return m ? { host: m[1]!, pid: Number(m[2]), ...(m[3] ? { start: m[3] } : {}) } : undefined;
}

/** Streams a growing file into a LogSink (the job's output, written on the node). */
class FileTail {
  private offset = 0;
  private readonly decoder = new ChunkDecoder();
  constructor(private readonly file: string, private readonly stream: 'stdout' | 'stderr', private readonly log: LogSink) {}

  read(): void {
    let size: number;
    try {
      size = statSync(this.file).size;
    } catch {
      return; // not created yet (job pending)
    }
    // A requeued job starts its output file again.
    if (size < this.offset) this.offset = 0;
    if (size === this.offset) return;
    const fd = openSync(this.file, 'r');
    try {
      const buf = Buffer.alloc(Math.min(size - this.offset, 4 * 1024 * 1024));
      const n = readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += n;
      const text = this.decoder.write(buf.subarray(0, n));
      if (text) this.log(this.stream, text);
    } finally {
      closeSync(fd);
    }
  }

  end(): void {
    this.read();
    const rest = this.decoder.end();
    if (rest) this.log(this.stream, rest);
  }
}

/** Removes a run's scratch folder, and `.mlci/slurm` when no other run's is left in it. */
function removeScratch(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  try {
    rmdirSync(path.dirname(dir));
  } catch {
    // Another run's folder is still there (or it is gone already).
  }
}

/** A job submitted with the plan, held until the engine decides its stage runs. */
interface HeldJob {
  /** Job id, or `<array>_<index>` for a sweep combination's task of its stage's array. */
  id: string;
  released: boolean;
  after: string[];
  /** An array task: the sweep's folder (scripts and output files per task) and the task's index. */
  task?: { dir: string; index: number };
}

/** A sweep on Slurm: one held array job per stage, a task per combination. */
interface ArrayGroup {
  id: string;
  dir: string;
  size: number;
  limit: number;
  /** The stage's array (submitted by the first combination to plan it), and what its tasks share. */
  stages: Map<string, Promise<{ id: string; signature: string }>>;
}

export class SlurmRunner implements ContainerRunner {
  readonly name = 'slurm' as const;
  readonly where: string;
  readonly cli: SlurmCli;
  private readonly watcher: JobWatcher;
  private readonly env: NodeJS.ProcessEnv;
  private readonly owner = currentProcess();
  /** Jobs `submitPlan` submitted held, by run and stage, until `run` releases them. */
  private readonly held = new Map<string, Map<string, HeldJob>>();
  /** Sweeps whose combinations share one array job per stage (`openArrays`). */
  private readonly groups = new Map<string, ArrayGroup>();
  /** Each run's scratch folder (`.mlci/slurm/<run>`), removed by `endRun`. */
  private readonly scratch = new Map<string, string>();

  constructor(opts: SlurmRunnerOptions = {}) {
    this.env = opts.env ?? process.env;
    this.cli = new SlurmCli({ env: this.env });
    const giveUpMs = opts.giveUpMs ?? giveUpMsFrom(this.env);
    this.watcher = new JobWatcher(this.cli, { ...opts, ...(giveUpMs !== undefined ? { giveUpMs } : {}) });
    this.where = `slurm${this.env.SLURM_CONF ? ` (${this.env.SLURM_CONF})` : ''}`;
  }

  async check(): Promise<void> {
    try {
      await this.cli.check();
    } catch (e) {
      throw new Error(`the Slurm cluster does not answer: ${(e as Error).message}\n  Run mlci on a login node of the cluster (sinfo must work), or set SLURM_CONF.`);
    }
  }

  /**
   * The login node cannot see the nodes' images, so the image ID is
   * 'local' as with `--executor local` (a lock written by a local run stays
   * valid); the image reference itself is still part of the fingerprint.
   */
  async resolveImage(_image: string): Promise<string> {
    return 'local';
  }

  async removeStray(isRunAlive: (runId: string) => boolean): Promise<number> {
    const jobs = await this.cli.jobs();
    const stray = jobs.filter((j) => {
      if (TERMINAL.has(j.state)) return false;
      const named = parseJobName(j.name);
      const owner = parseOwner(j.comment);
      return named && owner && !isRunAlive(named.runId) && processState(owner) === 'dead';
    });
    await this.cli.scancel(stray.map((j) => j.key));
    return stray.length;
  }

  /** Cancels every unfinished job of a run (by job name); returns the job ids cancelled. */
  async cancelRun(runId: string): Promise<string[]> {
    const jobs = await this.cli.jobs();
    const keys = jobs.filter((j) => !TERMINAL.has(j.state) && parseJobName(j.name)?.runId === plain(runId)).map((j) => j.key);
    await this.cli.scancel(keys);
    return keys;
  }

  run(spec: StageSpec, log: LogSink, cancel?: Cancel, progress?: (job: SchedulerJob) => void): Promise<StageResult> {
    return this.runJob(spec, log, cancel, progress);
  }

  /**
   * The whole DAG at once: every stage a held job (`--hold`) waiting on its
   * upstream jobs (`--dependency=afterok:...`), so the queue shows the run's
   * jobs and their order from the start. The batch script only `exec`s the
   * stage script `run` writes when the engine has decided the stage runs,
   * then `scontrol release` lets Slurm start it; `endRun` cancels the ones
   * never released (up to date, restored, upstream failed, cancelled).
   */
  async submitPlan(runId: string, stages: { spec: StageSpec; after: string[] }[], cancel?: Cancel, task?: ArrayTask): Promise<void> {
    const mine = new Map<string, HeldJob>();
    this.held.set(runId, mine);
    const group = task ? this.groups.get(task.group) : undefined;
    for (const { spec, after } of stages) {
      if (cancel?.aborted) return;
      if (group && task) {
        const array = await this.arrayFor(group, spec, after);
        if (array) {
          mine.set(spec.stage, { id: `${array}_${task.index}`, released: false, after, task: { dir: group.dir, index: task.index } });
          continue;
        }
        // This combination's stage differs from its array's (env, resources): a job of its own.
      }
      const f = this.files(spec);
      writeFileSync(f.script, `#!/bin/sh\nexec sh ${shellQuote(f.stageScript)}\n`, { mode: 0o700 });
      const ids = after.map((n) => mine.get(n)?.id).filter((id): id is string => id !== undefined);
      const id = await this.cli.sbatch([...this.submitArgs(spec, f), '--hold', ...(ids.length ? [`--dependency=afterok:${ids.join(':')}`, '--kill-on-invalid-dep=no'] : []), f.script], { ...this.env, ...spec.env });
      mine.set(spec.stage, { id, released: false, after });
    }
  }

  openArrays(group: { id: string; root: string; size: number; limit: number }): void {
    this.groups.set(group.id, { id: group.id, dir: jobDir(group.root, group.id), size: group.size, limit: group.limit, stages: new Map() });
  }

  /** Cancels the array tasks no combination released (a cancelled sweep's), then removes the sweep's job files. */
  async closeArrays(groupId: string): Promise<void> {
    const g = this.groups.get(groupId);
    this.groups.delete(groupId);
    if (!g) return;
    try {
      const arrays = new Set((await Promise.all([...g.stages.values()].map((p) => p.catch(() => undefined)))).flatMap((a) => (a ? [a.id] : [])));
      if (!arrays.size) return;
      const left = (await this.cli.jobs()).filter((j) => !TERMINAL.has(j.state) && arrays.has(j.key.split('_')[0]!)).map((j) => j.key);
      await this.cli.scancel(left);
    } finally {
      removeScratch(g.dir);
    }
  }

  /**
   * The array job of a sweep's stage: submitted held by the first
   * combination that plans it (`--array=0-N%limit`, each task waiting on the
   * same task of the upstream stages' arrays: `aftercorr`), shared by the
   * rest. Each task's script is `<stage>.<task>.stage.sh`, written when its
   * combination runs the stage. Undefined for a combination whose stage
   * differs from the array's (env, resources, runtime, upstream).
   */
  private async arrayFor(g: ArrayGroup, spec: StageSpec, after: string[]): Promise<string | undefined> {
    const signature = JSON.stringify([resourceArgs(spec), spec.slurm?.runtime ?? 'host', spec.env, after]);
    let submitted = g.stages.get(spec.stage);
    if (!submitted) {
      submitted = (async () => {
        const upstream = (await Promise.all(after.map((n) => g.stages.get(n)?.catch(() => undefined)))).flatMap((a) => (a ? [a.id] : []));
        const base = path.join(g.dir, plain(spec.stage));
        mkdirSync(g.dir, { recursive: true });
        writeFileSync(`${base}.sh`, `#!/bin/sh\nexec sh ${shellQuote(base)}."$SLURM_ARRAY_TASK_ID".stage.sh\n`, { mode: 0o700 });
        const id = await this.cli.sbatch([
          `--job-name=${jobName(g.id, spec.stage)}`,
          `--comment=mlci run=${plain(g.id)} stage=${plain(spec.stage)} sweep=${g.size} ${ownerTag(this.owner)}`,
          `--output=${base}.%a.out`,
          `--error=${base}.%a.err`,
          // Each task's script goes to its combination's folder; this one lasts the whole sweep.
          `--chdir=${g.dir}`,
          '--export=ALL',
          ...resourceArgs(spec),
          `--array=0-${g.size - 1}%${g.limit}`,
          '--hold',
          ...(upstream.length ? [`--dependency=aftercorr:${upstream.join(':')}`, '--kill-on-invalid-dep=no'] : []),
          `${base}.sh`,
        ], { ...this.env, ...spec.env });
        return { id, signature };
      })();
      g.stages.set(spec.stage, submitted);
    }
    const array = await submitted;
    return array.signature === signature ? array.id : undefined;
  }

  /**
   * Cancels the held jobs the run never released, then removes the run's
   * scratch folder (job scripts and output files: the output is in the run
   * log by now), and `.mlci/slurm` itself once empty.
   */
  async endRun(runId: string): Promise<void> {
    const mine = this.held.get(runId);
    this.held.delete(runId);
    try {
      if (mine) await this.cli.scancel([...mine.values()].filter((j) => !j.released).map((j) => j.id));
    } finally {
      const dir = this.scratch.get(runId);
      this.scratch.delete(runId);
      if (dir) removeScratch(dir);
    }
  }

  private files(spec: StageSpec) {
    const dir = jobDir(spec.workspace, spec.runId);
    this.scratch.set(spec.runId, dir);
    const base = plain(spec.stage);
    mkdirSync(dir, { recursive: true });
    return { dir, script: path.join(dir, `${base}.sh`), stageScript: path.join(dir, `${base}.stage.sh`), out: path.join(dir, `${base}.out`), err: path.join(dir, `${base}.err`), cwd: path.resolve(spec.workspace, spec.workdir) };
  }

  private submitArgs(spec: StageSpec, f: { out: string; err: string; cwd: string }): string[] {
    return [
      `--job-name=${jobName(spec.runId, spec.stage)}`,
      `--comment=mlci run=${plain(spec.runId)} stage=${plain(spec.stage)} ${ownerTag(this.owner)}`,
      `--output=${f.out}`,
      `--error=${f.err}`,
      `--chdir=${f.cwd}`,
      '--export=ALL',
      ...resourceArgs(spec),
    ];
  }

  private async runJob(spec: StageSpec, log: LogSink, cancel?: Cancel, progress?: (job: SchedulerJob) => void): Promise<StageResult> {
    const startedAt = new Date();
    const t0 = performance.now();
    const result = (outcome: StageOutcome, job?: SchedulerJob): StageResult => ({
      outcome,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      imageId: 'local',
      ...(job ? { job } : {}),
    });
    if (cancel?.aborted) return result({ kind: 'cancelled' });
    const runtime: SlurmRuntime = spec.slurm?.runtime ?? 'host';
    const held = this.held.get(spec.runId)?.get(spec.stage);
    const f = held?.task ? taskFiles(spec, held.task) : this.files(spec);
    writeFileSync(f.out, '');
    writeFileSync(f.err, '');
    let id: string;
    try {
      if (held) {
        // Submitted with the plan: write what it runs, then let it go.
        writeFileSync(f.stageScript, batchScript(spec, runtime, f.cwd), { mode: 0o700 });
        held.released = true;
        // Upstream stages the engine did not run (up to date, restored) never
        // release their jobs: the dependency keeps only the ones that ran.
        const mine = this.held.get(spec.runId)!;
        const ran = held.after.map((n) => mine.get(n)).filter((j) => j?.released).map((j) => j!.id);
        // An array task waits on the upstream tasks of its own combination that ran.
        if (ran.length !== held.after.length || (held.task && ran.length > 0)) await this.cli.exec('scontrol', ['update', `JobId=${held.id}`, `Dependency=${ran.length ? `afterok:${ran.join(':')}` : ''}`]);
        await this.cli.exec('scontrol', ['release', held.id]);
        id = held.id;
      } else {
        writeFileSync(f.script, batchScript(spec, runtime, f.cwd), { mode: 0o700 });
        // The stage's env (secrets included) travels in sbatch's environment
        // (--export=ALL), never in a file on the shared filesystem.
        id = await this.cli.sbatch([...this.submitArgs(spec, f), f.script], { ...this.env, ...spec.env });
      }
    } catch (e) {
      return result({ kind: 'error', message: (e as Error).message });
    }
    const out = f.out;
    const err = f.err;
    return this.follow(id, { out, err }, log, cancel, progress, result);
  }

  /** Follows a submitted job to its end (shared by stages and array tasks). */
  async follow(key: string, files: { out: string; err: string }, log: LogSink, cancel: Cancel | undefined, progress: ((job: SchedulerJob) => void) | undefined, result: (o: StageOutcome, job?: SchedulerJob) => StageResult): Promise<StageResult> {
    const tails = [new FileTail(files.out, 'stdout', log), new FileTail(files.err, 'stderr', log)];
    let cancelled = false;
    let last: SchedulerJob = { system: 'slurm', id: key, state: 'PENDING' };
    const onAbort = (): void => {
      cancelled = true;
      this.cli.scancel([key]).catch(() => undefined);
      this.watcher.nudge();
    };
    cancel?.addEventListener('abort', onAbort, { once: true });
    // Cancelled while the job was being submitted or released: scancel it now.
    if (cancel?.aborted) onAbort();
    let final: JobState;
    try {
      final = await this.watcher.follow(key, (s, position) => {
        last = jobInfo(key, s, position, last);
        progress?.(last);
      }, () => tails.forEach((t) => t.read()));
    } catch (e) {
      tails.forEach((t) => t.end());
      return result(cancelled ? { kind: 'cancelled' } : { kind: 'error', message: (e as Error).message }, last);
    } finally {
      cancel?.removeEventListener('abort', onAbort);
    }
    tails.forEach((t) => t.end());
    const job = jobInfo(key, final, undefined, last);
    return result(cancelled ? { kind: 'cancelled' } : outcomeOf(final), job);
  }
}

/** An array task's files in the sweep's folder: `<stage>.<task>.{stage.sh,out,err}`. */
function taskFiles(spec: StageSpec, task: { dir: string; index: number }) {
  const stem = path.join(task.dir, `${plain(spec.stage)}.${task.index}`);
  return { script: `${stem}.stage.sh`, stageScript: `${stem}.stage.sh`, out: `${stem}.out`, err: `${stem}.err`, cwd: path.resolve(spec.workspace, spec.workdir) };
}

function jobInfo(key: string, s: JobState, position: number | undefined, prev: SchedulerJob): SchedulerJob {
  const now = Date.now();
  const queuedMs = s.submitTime ? Math.max(0, (s.startTime ?? new Date(now)).getTime() - s.submitTime.getTime()) : undefined;
  const ranMs = s.startTime ? Math.max(0, (s.endTime ?? new Date(now)).getTime() - s.startTime.getTime()) : undefined;
  // A running job that is pending again was requeued.
  const restarts = (prev.restarts ?? 0) + (prev.state === 'RUNNING' && (s.state === 'PENDING' || s.state === 'REQUEUED') ? 1 : 0);
  return {
    system: 'slurm',
    id: key,
    state: s.state,
    ...(s.reason ? { reason: s.reason } : {}),
    ...(position !== undefined ? { position } : {}),
    ...(s.node ? { node: s.node } : prev.node ? { node: prev.node } : {}),
    ...(queuedMs !== undefined ? { queuedMs } : {}),
    ...(ranMs !== undefined ? { ranMs } : {}),
    ...(restarts ? { restarts } : {}),
  };
}

/** A finished job's state as a stage outcome, with the reason Slurm gave. */
export function outcomeOf(s: JobState): StageOutcome {
  const code = exitCodeOf(s.exitStatus);
  const why = s.reason ? ` (${s.reason})` : '';
  switch (s.state) {
    case 'COMPLETED': return { kind: 'exited', exitCode: 0 };
    case 'FAILED': return { kind: 'exited', exitCode: code || 1 };
    case 'TIMEOUT': return { kind: 'timeout' };
    case 'OUT_OF_MEMORY': return { kind: 'oom', exitCode: code || 137 };
    case 'NODE_FAIL': return { kind: 'error', message: `Slurm job ${s.key} ended NODE_FAIL: its node ${s.node || ''} failed${why}; run again`, engineLost: false };
    case 'PREEMPTED': return { kind: 'error', message: `Slurm job ${s.key} was preempted${why} and not requeued; run again, or use a partition/QOS that requeues` };
    case 'BOOT_FAIL': return { kind: 'error', message: `Slurm job ${s.key} ended BOOT_FAIL: its node did not boot${why}` };
    case 'DEADLINE': return { kind: 'error', message: `Slurm job ${s.key} missed its deadline${why}` };
    case 'CANCELLED': return { kind: 'error', message: `Slurm job ${s.key} was cancelled outside mlci (scancel or an administrator)${why}` };
    default: return { kind: 'error', message: `Slurm job ${s.key} ended ${s.state}${why}` };
  }
}

