/**
 * What a stage becomes for Slurm: the batch script (the stage's commands,
 * run on the compute node as a host process or in `docker run`) and the
 * sbatch options its resources and `slurm:` settings map to.
 */
import type { SlurmOptions, StageSpec } from '../../core/ports';
import { stageScript } from '../local/stage-script';

/** How a job runs its stage on the node. */
export type SlurmRuntime = 'host' | 'docker';

/** Job names and comments carry run and stage; Slurm and our `|`-separated squeue parsing need them plain. */
export function plain(s: string): string {
  return s.replace(/[^A-Za-z0-9_.@=+-]/g, '_');
}

/** `mlci:<run>:<stage>`: how jobs are found again (`squeue --name` cannot glob, so names are read and split). */
export function jobName(runId: string, stage: string): string {
  return `mlci:${plain(runId)}:${plain(stage)}`;
}

export function parseJobName(name: string): { runId: string; stage: string } | undefined {
  const m = /^mlci:([^:]+):(.+)$/.exec(name);
  return m ? { runId: m[1]!, stage: m[2]! } : undefined;
}

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Slurm's `--time`: whole minutes rounded up are what most sites accept; seconds under a minute stay seconds. */
export function slurmTime(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** sbatch options from the stage's resources and `slurm:` settings (no script, no output files). */
export function resourceArgs(spec: StageSpec): string[] {
  const args: string[] = [];
  if (spec.cpus !== undefined) args.push(`--cpus-per-task=${Math.max(1, Math.ceil(spec.cpus))}`);
  if (spec.memoryBytes !== undefined) args.push(`--mem=${Math.max(1, Math.ceil(spec.memoryBytes / (1024 * 1024)))}M`);
  if (spec.timeoutMs !== undefined) args.push(`--time=${slurmTime(spec.timeoutMs)}`);
  if (spec.gpus !== undefined) {
    const n = spec.gpus === 'all' ? undefined : Array.isArray(spec.gpus) ? spec.gpus.length : spec.gpus;
    // `all` has no Slurm meaning: one GPU unless a count is given (said in docs/slurm.md).
    args.push(`--gres=gpu:${n ?? 1}`);
  }
  args.push(...optionArgs(spec.slurm));
  return args;
}

export function optionArgs(o: SlurmOptions | undefined): string[] {
  if (!o) return [];
  const args: string[] = [];
  if (o.partition) args.push(`--partition=${o.partition}`);
  if (o.account) args.push(`--account=${o.account}`);
  if (o.qos) args.push(`--qos=${o.qos}`);
  if (o.constraint) args.push(`--constraint=${o.constraint}`);
  args.push(...(o.extra ?? []));
  return args;
}

/**
 * The batch script. Host runtime: the commands in `sh`, as the local runner
 * runs them. Docker runtime: the same script in `docker run` on the node,
 * the workspace mounted at its own path; the container is named after the
 * job so a scancel (SIGTERM to this script) removes it too, instead of
 * leaving it running on the node.
 */
export function batchScript(spec: StageSpec, runtime: SlurmRuntime, cwd: string): string {
  const body = stageScript(spec.commands);
  if (runtime === 'host') return `#!/bin/sh\ncd ${shellQuote(cwd)} || exit 1\n${body}`;
  const name = `mlci-${plain(spec.runId)}-${plain(spec.stage)}-$SLURM_JOB_ID`.toLowerCase();
  const env = Object.keys(spec.env).map((k) => `-e ${shellQuote(k)}`).join(' ');
  const user = spec.user ? `--user ${shellQuote(spec.user)}` : '';
  const cpus = spec.cpus !== undefined ? `--cpus ${spec.cpus}` : '';
  const mem = spec.memoryBytes !== undefined ? `--memory ${spec.memoryBytes}` : '';
  return [
    '#!/bin/sh',
    `name=${name}`,
    `trap 'docker rm -f "$name" >/dev/null 2>&1; exit 143' TERM INT`,
    `docker run --rm --name "$name" --label mlci.run=${shellQuote(spec.runId)} --network ${spec.network} ${user} ${cpus} ${mem} ${env} \\`,
    `  -v ${shellQuote(`${spec.workspace}:${spec.workspace}`)} -w ${shellQuote(cwd)} ${shellQuote(spec.image)} sh -c ${shellQuote(body)} &`,
    // `wait` returns at once on a signal, so the trap runs while the container still lives.
    'wait $!',
    '',
  ].join('\n');
}
