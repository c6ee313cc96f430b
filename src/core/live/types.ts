/**
 * Live metrics: what a stage logs while it runs (its declared `history`,
 * DVCLive's files, an MLflow file store), as the engine streams them to the
 * CLI, the tree and the panels.
 */

/** One logged value. */
export interface LivePoint {
  /** The metric's name as its source names it (`loss`, DVCLive's `train/loss`). */
  name: string;
  step: number;
  value: number;
}

/** What changed since the last update of a running stage. */
export interface LiveUpdate {
  stage: string;
  /** The highest step seen so far (absent when no source has steps). */
  step?: number;
  /** The latest value of every metric seen so far. */
  latest: Record<string, number>;
  /** Points logged since the previous update, in order. */
  points: LivePoint[];
  /** Where they came from, relative to the workspace (`dvclive/plots/metrics/loss.tsv`). */
  sources: string[];
  /** Milliseconds since the epoch when the update was made (for latency measurements). */
  at: number;
}
