/**
 * Evaluates every gate of a pipeline against a finished (or finishing) run.
 * Pure apart from the baseline provider: the run record holds the metrics,
 * history and reports, so the same code serves `mlci run`, CI and the editor.
 * Gates of a stage that did not pass (or was not in the run) are skipped:
 * a failed stage already fails the run, and its metrics cannot be trusted.
 */
import type { Gate, Pipeline } from '../pipeline/model';
import type { RunRecord } from '../run/record';
import type { BaselineProvider } from './baseline';
import { notUsable, verdict, type GateContext, type Verdict } from './context';
import { checkConvergence } from './convergence';
import { checkDrift } from './drift';
import { gateName } from './name';
import { checkImportance } from './importance';
import { checkOverfitting } from './overfitting';
import { checkRegression } from './regression';
import type { GateResult } from './result';
import { checkThreshold } from './threshold';

export async function evaluateGates(pipeline: Pick<Pipeline, 'stages' | 'metrics' | 'ci' | 'stageByName'>, record: RunRecord, baseline: BaselineProvider): Promise<GateResult[]> {
  const results: GateResult[] = [];
  for (const stage of pipeline.stages) {
    for (const gate of stage.gates) {
      const ctx: GateContext = { pipeline, record, stage: stage.name, baseline };
      const v = await evaluateGate(gate, ctx);
      results.push({ stage: stage.name, index: gate.index, kind: gate.kind, name: gateName(gate, pipeline.ci.baseline), severity: gate.severity, ...v });
    }
  }
  return results;
}

export async function evaluateGate(gate: Gate, ctx: GateContext): Promise<Verdict> {
  const unusable = notUsable(ctx.record, ctx.stage);
  if (unusable) return verdict('skipped', `${unusable}, so its gates were not checked`);
  try {
    switch (gate.kind) {
      case 'threshold': return checkThreshold(gate, ctx);
      case 'regression': return await checkRegression(gate, ctx);
      case 'convergence': return checkConvergence(gate, ctx);
      case 'overfitting': return await checkOverfitting(gate, ctx);
      case 'importance': return await checkImportance(gate, ctx);
      case 'drift': return checkDrift(gate, ctx);
      default: return verdict('skipped', 'the gate has no known form (see the pipeline file problems)');
    }
  } catch (e) {
    // A baseline that cannot be read (broken JSON at the ref, git failing) fails the gate with the cause, not the whole evaluation.
    return verdict('failed', (e as Error).message);
  }
}
