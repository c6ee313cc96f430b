/**
 * Early convergence gates (`{ converges: loss, early: true }`): checked on
 * the live series while the stage runs, so a training that is already
 * broken is stopped instead of run to the end. "Already broken" is the
 * gate's own rule (src/core/gates/convergence.ts) failing on the points so
 * far once it can be judged: a non-finite value (divergence) at once, else
 * with at least 2·window points the mean of the last window not better than
 * the mean of the first.
 */
import { convergence, DEFAULT_WINDOW, type Point } from '../gates/convergence';
import type { Verdict } from '../gates/context';
import type { Gate, Goal } from '../pipeline/model';
import type { LivePoint } from './types';

/** A live metric answers to the gate's name, or to `<folder>/<name>` (DVCLive's `train/loss`). */
export function matchesMetric(live: string, wanted: string): boolean {
  return live === wanted || live.endsWith(`/${wanted}`);
}

/** Early gates of a stage: convergence gates with `early: true` on the stage's own series. */
export function earlyGates(gates: readonly Gate[], stage: string): Gate[] {
  return gates.filter((g) => g.kind === 'convergence' && g.early === true && (g.stage === undefined || g.stage === stage) && g.severity === 'error');
}

export class EarlyGateWatch {
  private readonly series = new Map<number, Map<number, Point>>();

  constructor(private readonly gates: readonly Gate[], private readonly goalOf: (metric: string) => Goal | undefined) {}

  /** Adds points; returns the first gate now broken, with its verdict. */
  add(points: readonly LivePoint[]): { gate: Gate; verdict: Verdict } | undefined {
    for (const g of this.gates) {
      const name = g.converges ?? '';
      let s = this.series.get(g.index);
      if (!s) this.series.set(g.index, (s = new Map()));
      // By step: a source logging a step twice (DVCLive's TSV and metrics.json) keeps the latest.
      for (const p of points) if (matchesMetric(p.name, name)) s.set(p.step, { step: p.step, value: Number.isFinite(p.value) ? p.value : null });
    }
    for (const g of this.gates) {
      const s = [...(this.series.get(g.index)?.values() ?? [])].sort((a, b) => a.step - b.step);
      if (s.length === 0) continue;
      const w = g.window !== undefined && Number.isInteger(g.window) && g.window >= 1 ? g.window : DEFAULT_WINDOW;
      const nonFinite = s.some((p) => p.value === null);
      if (!nonFinite && s.length < 2 * w) continue;
      const v = convergence(g.converges ?? '', s, w, this.goalOf(g.converges ?? '') ?? 'min');
      if (v.status === 'failed') return { gate: g, verdict: v };
    }
    return undefined;
  }

  /** The points seen for a gate, as history rows (kept on the record of a stage stopped early). */
  rows(): Array<Record<string, number>> {
    const byStep = new Map<number, Record<string, number>>();
    for (const g of this.gates) {
      for (const p of this.series.get(g.index)?.values() ?? []) {
        const row = byStep.get(p.step) ?? { step: p.step };
        row[g.converges ?? ''] = p.value ?? NaN;
        byStep.set(p.step, row);
      }
    }
    return [...byStep.values()].sort((a, b) => a.step! - b.step!);
  }
}
