/**
 * The Slurm client commands mlci uses (sbatch, squeue, scancel, sinfo), run
 * as processes with their errors turned into messages that say what to fix.
 */
import { execFile } from 'node:child_process';
import type { JobState } from './squeue';
import { SQUEUE_FORMAT, parseSqueue } from './squeue';

export interface SlurmCliOptions {
  /** Environment of the client commands (SLURM_CONF, PATH...); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export class SlurmCommandError extends Error {}

export class SlurmCli {
  constructor(private readonly opts: SlurmCliOptions = {}) {}

  exec(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(cmd, args, { env: opts.env ?? this.opts.env ?? process.env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        if (e.code === 'ENOENT') return reject(new SlurmCommandError(`${cmd} not found: the Slurm executor needs the Slurm client commands (sbatch, squeue, scancel) on PATH, as on a cluster's login node`));
        const said = String(stderr).trim().split('\n').filter(Boolean).slice(-3).join('; ');
        // The command as typed, without the long format strings and comments.
        const shown = [cmd, ...args.map((a) => (a.length <= 40 ? a : '…'))].join(' ');
        reject(new SlurmCommandError(`\`${shown}\` failed${typeof e.code === 'number' ? ` (exit ${String(e.code)})` : e.killed ? ' (timed out)' : ''}: ${said || e.message}`));
      });
    });
  }

  /** Submits a batch script (`--parsable`); returns the job id (without a cluster name). */
  async sbatch(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
    const out = await this.exec('sbatch', ['--parsable', ...args], { env });
    const id = out.trim().split(';')[0]!;
    if (!/^\d+$/.test(id)) throw new SlurmCommandError(`sbatch answered '${out.trim()}' instead of a job id`);
    return id;
  }

  /** Every job of the user, ended ones included (while Slurm keeps them: MinJobAge). */
  async jobs(): Promise<JobState[]> {
    const user = process.env.USER ?? (await this.exec('id', ['-un'])).trim();
    return parseSqueue(await this.exec('squeue', ['-h', '-r', '-t', 'all', '-u', user, '-O', SQUEUE_FORMAT]));
  }

  /** Pending job ids of a partition, next to start first (for a queue position). */
  async pendingOrder(partition: string): Promise<string[]> {
    const out = await this.exec('squeue', ['-h', '-r', '-t', 'PD', '-p', partition, '--sort=-p,i', '-O', 'JobID:|,ArrayJobID:|,ArrayTaskID:|']);
    return out.split('\n').filter(Boolean).map((l) => {
      const [id, arr, task] = l.split('|').map((s) => s.trim());
      return task && task !== 'N/A' ? `${arr}_${task}` : id!;
    });
  }

  async scancel(keys: string[]): Promise<void> {
    if (!keys.length) return;
    await this.exec('scancel', keys);
  }

  /** Throws with what to do when the cluster does not answer. */
  async check(): Promise<void> {
    await this.exec('sinfo', ['-h', '-o', '%P'], { timeoutMs: 20_000 });
  }
}
