/**
 * Which earlier run produced the outputs a stage reused. A run where a stage
 * was up to date (or restored from the cache) has no log of it; the log that
 * explains its outputs is that of the run where the stage last ran with the
 * same fingerprint. `mlci logs` points there instead of printing nothing.
 */
import type { RunRecord, StageRecord } from './record';

const RESTORED_FROM = /same inputs as run (\S+)/;

/** The id of the run whose stage `stage` made the outputs `run` reused; undefined when no record says. */
export function producerOf(run: Pick<RunRecord, 'id' | 'startedAt'>, stage: StageRecord, runs: readonly RunRecord[]): string | undefined {
  if (stage.status === 'restored') return RESTORED_FROM.exec(stage.reason ?? '')?.[1];
  if (stage.status !== 'cached') return undefined;
  // Newest first, strictly before this run; the same fingerprint when both know it.
  const earlier = runs.filter((r) => r.id !== run.id && r.startedAt <= run.startedAt).sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
  for (const r of earlier) {
    const s = r.stages.find((x) => x.name === stage.name);
    if (s?.status === 'passed' && (!stage.fingerprint || !s.fingerprint || s.fingerprint === stage.fingerprint)) return r.id;
  }
  return undefined;
}

/** True when no stage of the run ran (every one up to date, restored, or not run). */
export function nothingRan(run: Pick<RunRecord, 'stages'>): boolean {
  return run.stages.every((s) => s.status === 'cached' || s.status === 'restored' || s.status === 'skipped');
}
