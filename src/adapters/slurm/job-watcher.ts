/**
 * Follows submitted jobs with one `squeue` per poll for all of them, with
 * back-off: the interval starts short (a stage that takes a second should
 * not wait five to be seen finished), grows by half while nothing changes,
 * up to a cap, and drops back when a job moves. Not a busy loop: while no
 * job is followed, nothing runs.
 */
import type { SlurmCli } from './slurm-cli';
import type { JobState } from './squeue';
import { TERMINAL } from './squeue';

export interface WatchOptions {
  minMs?: number;
  maxMs?: number;
  /**
   * How long squeue may fail on every poll (the controller down, the
   * network gone) before the followed jobs' stages fail, saying which
   * command failed and how (default 120 s; MLCI_SLURM_GIVE_UP_S).
   */
  giveUpMs?: number;
}

/** The give-up time from MLCI_SLURM_GIVE_UP_S (seconds), or the default; a bad value is an error naming it. */
export function giveUpMsFrom(env: NodeJS.ProcessEnv): number | undefined {
  const v = env.MLCI_SLURM_GIVE_UP_S;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`MLCI_SLURM_GIVE_UP_S must be a number of seconds above 0, not '${v}'`);
  return n * 1000;
}

interface Watch {
  key: string;
  onState: (s: JobState, position?: number) => void;
  /** Called after every poll (output files are read then). */
  onTick: () => void;
  done: (s: JobState | Error) => void;
  last?: string;
  /** Polls in a row that did not list the job. */
  missing: number;
}

/** Polls a job may be absent from squeue before it is taken as gone (submit races, a controller restart). */
const MISSING_POLLS = 20;

export class JobWatcher {
  private readonly watches = new Map<string, Watch>();
  private timer: NodeJS.Timeout | undefined;
  private delay: number;
  private readonly minMs: number;
  private readonly maxMs: number;
  private polling = false;
  private readonly giveUpMs: number;
  /** squeue failing on every poll since then (reset by an answer). */
  private failing: { since: number; tries: number } | undefined;

  constructor(private readonly cli: SlurmCli, opts: WatchOptions = {}) {
    this.minMs = opts.minMs ?? 150;
    this.maxMs = opts.maxMs ?? 5000;
    this.delay = this.minMs;
    this.giveUpMs = opts.giveUpMs ?? 120_000;
  }

  /** Resolves with the job's final state; `onState` hears every change (state, reason, node, position). */
  follow(key: string, onState: Watch['onState'], onTick: Watch['onTick']): Promise<JobState> {
    return new Promise((resolve, reject) => {
      this.watches.set(key, { key, onState, onTick, missing: 0, done: (s) => (s instanceof Error ? reject(s) : resolve(s)) });
      this.delay = this.minMs;
      this.schedule(0);
    });
  }

  /** Poll soon (a cancel was sent, a job was submitted). */
  nudge(): void {
    this.delay = this.minMs;
    this.schedule(this.minMs);
  }

  private schedule(ms: number): void {
    if (this.polling) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), ms);
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    if (!this.watches.size) return;
    this.polling = true;
    let changed = false;
    try {
      const jobs = await this.cli.jobs();
      this.failing = undefined;
      const byKey = new Map(jobs.map((j) => [j.key, j]));
      const pending = [...this.watches.values()].map((w) => byKey.get(w.key)).filter((j): j is JobState => j?.state === 'PENDING');
      const order = new Map<string, number>();
      for (const partition of new Set(pending.map((j) => j.partition))) {
        const ids = await this.cli.pendingOrder(partition).catch(() => [] as string[]);
        ids.forEach((id, i) => order.set(id, i + 1));
      }
      for (const w of [...this.watches.values()]) {
        const j = byKey.get(w.key);
        w.onTick();
        if (!j) {
          if (++w.missing >= MISSING_POLLS) {
            this.watches.delete(w.key);
            w.done(new Error(`Slurm no longer knows job ${w.key} (it ended more than MinJobAge ago, or was purged)`));
          }
          continue;
        }
        w.missing = 0;
        const position = order.get(j.key);
        const sig = `${j.state}|${j.reason}|${j.node}|${position ?? ''}`;
        if (sig !== w.last) {
          w.last = sig;
          changed = true;
          w.onState(j, position);
        }
        if (TERMINAL.has(j.state)) {
          this.watches.delete(w.key);
          w.done(j);
        }
      }
    } catch (e) {
      // squeue failed (controller busy or restarting): try again later, say
      // nothing yet; after giveUpMs of nothing but failures, fail the stages.
      const now = Date.now();
      this.failing ??= { since: now, tries: 0 };
      this.failing.tries++;
      const waited = now - this.failing.since;
      if (this.failing.tries >= 2 && waited >= this.giveUpMs) {
        const secs = Math.round(waited / 1000);
        for (const w of [...this.watches.values()]) {
          this.watches.delete(w.key);
          w.done(new Error(`Slurm stopped answering: squeue failed on every poll for ${secs} s (${this.failing.tries} tries): ${(e as Error).message}. Job ${w.key} may still be queued or running: cancel it (mlci runs --cancel RUN, or scancel ${w.key}) once the cluster answers`));
        }
        this.failing = undefined;
      }
    } finally {
      this.polling = false;
    }
    if (!this.watches.size) return;
    this.delay = changed ? this.minMs : Math.min(this.maxMs, Math.round(this.delay * 1.5));
    this.schedule(this.delay);
  }
}
