/**
 * What evaluating one gate gives: a verdict with the numbers and a sentence
 * saying why, shaped for the CLI, PR comments and the editor alike.
 */
import type { GateKind } from '../pipeline/model';

export type GateStatus = 'passed' | 'failed' | 'skipped';

export interface GateResult {
  /** The stage the gate belongs to. */
  stage: string;
  /** Position in the stage's `gates` list (0-based). */
  index: number;
  kind: GateKind;
  /** The gate's `name`, else one generated from it ("accuracy ≥ 0.75"). */
  name: string;
  severity: 'error' | 'warning';
  status: GateStatus;
  /** What the gate asks for ("≥ 0.75", "drop ≤ 0.02"); '' when not applicable. */
  expected: string;
  /** What was measured ("0.834"); '' when nothing was. */
  actual: string;
  /** One sentence: why it passed, failed or was skipped. */
  reason: string;
  /** A regression gate that found no baseline value: listed as "no baseline", never as passed. */
  noBaseline?: boolean;
}

/** Exit code for a run's gates: 2 when a gate that fails the stage (severity error) failed, else 0. */
export function gatesExitCode(results: readonly GateResult[]): 0 | 2 {
  return results.some((r) => r.status === 'failed' && r.severity === 'error') ? 2 : 0;
}
