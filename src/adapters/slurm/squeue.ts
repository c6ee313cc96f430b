/**
 * Reading job states from Slurm. `sacct` needs accounting storage (slurmdbd),
 * which many clusters (and the test cluster) lack, so states come from
 * `squeue -t all`, which also lists jobs that ended less than MinJobAge
 * (300 s by default) ago, exit status included. One call covers every job of
 * the user (`-r`: array tasks one per line), so following N jobs costs one
 * process per poll, not N.
 */

/** One job (or array task) as squeue shows it. */
export interface JobState {
  /** `123`, or `122_4` for task 4 of array job 122 (what `scancel` takes). */
  key: string;
  /** The numeric id the task has once it started (or the job's own id). */
  jobId: string;
  state: string;
  reason: string;
  /** Node(s) it runs or ran on; empty while pending. */
  node: string;
  /** Raw wait status (`768` is exit code 3), meaningful once the job ended. */
  exitStatus: number;
  name: string;
  comment: string;
  submitTime?: Date;
  startTime?: Date;
  endTime?: Date;
  partition: string;
}

/** Fields asked of `squeue -O`; `:|` prints each in full, ended by `|`. */
const FIELDS = ['JobID', 'ArrayJobID', 'ArrayTaskID', 'State', 'Reason', 'NodeList', 'exit_code', 'SubmitTime', 'StartTime', 'EndTime', 'Partition', 'Name', 'Comment'] as const;
export const SQUEUE_FORMAT = FIELDS.map((f) => `${f}:|`).join(',');

/** States after which Slurm does nothing more with the job. */
export const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE', 'REVOKED']);

function time(s: string | undefined): Date | undefined {
  if (!s || s === 'N/A' || s === 'Unknown' || s === 'None') return undefined;
  const d = new Date(s); // the controller's local time, ISO-like without zone: read as local
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Lines of `squeue -h -r -t all -O SQUEUE_FORMAT`. Comment is last: it may hold `|`. */
export function parseSqueue(text: string): JobState[] {
  const out: JobState[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const parts = line.split('|');
    if (parts.length < FIELDS.length) continue;
    const [jobId, arrayJobId, arrayTaskId, state, reason, node, exit, submit, start, end, partition, name] = parts.map((p) => p.trim());
    const comment = parts.slice(FIELDS.length - 1, parts.length - 1).join('|').trim();
    const task = arrayTaskId && arrayTaskId !== 'N/A' ? arrayTaskId : undefined;
    const st = (state ?? '').split(/\s+/)[0]!;
    out.push({
      key: task !== undefined ? `${arrayJobId}_${task}` : jobId!,
      jobId: jobId!,
      state: st,
      reason: reason === 'None' ? '' : reason ?? '',
      node: node === '(null)' ? '' : node ?? '',
      exitStatus: Number(exit) || 0,
      name: name ?? '',
      comment,
      ...(time(submit) ? { submitTime: time(submit)! } : {}),
      ...(time(start) && st !== 'PENDING' ? { startTime: time(start)! } : {}),
      ...(time(end) && TERMINAL.has(st) ? { endTime: time(end)! } : {}),
      partition: partition ?? '',
    });
  }
  return out;
}

/** Exit code of a raw wait status as a shell reports it (a signal N gives 128+N). */
export function exitCodeOf(status: number): number {
  const signal = status & 0x7f;
  return signal ? 128 + signal : (status >> 8) & 0xff;
}
