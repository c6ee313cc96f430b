/**
 * Gates and metrics: a gate must name a declared metric (top-level
 * `metrics:` or a stage's `metrics.names`); comparison gates (regression,
 * overfitting) need the metric's goal to know which direction is worse;
 * gates must have something to read (a metrics file, a history).
 */
import { didYouMean } from '../../text/suggest';
import type { Gate, Stage } from '../model';
import { CONTAINER_KINDS } from '../model';
import type { CheckContext } from './context';
import { replaceFix } from './context';
import { probeMetricNames } from '../service-model';

export function declaredMetrics(ctx: CheckContext): Set<string> {
  const names = new Set(Object.keys(ctx.pipeline.metrics));
  for (const s of ctx.pipeline.stages) for (const n of [...s.metricNames, ...probeMetricNames(s)]) names.add(n);
  return names;
}

function checkMetricName(ctx: CheckContext, stage: Stage, gate: Gate, declared: Set<string>): boolean {
  if (gate.metric === undefined) return false;
  if (declared.has(gate.metric)) return true;
  const path = ['stages', stage.name, 'gates', gate.index, 'metric'];
  const guess = didYouMean(gate.metric, declared);
  ctx.report('unknown-metric', path,
    `gate uses metric '${gate.metric}', which no stage or metrics entry declares` + (guess ? `; did you mean '${guess}'?` : `; declare it under top-level 'metrics:' with its goal`),
    { fixes: guess ? [replaceFix(ctx, path, guess, `Change to '${guess}'`)] : [] });
  return false;
}

export function checkGates(ctx: CheckContext): void {
  const declared = declaredMetrics(ctx);
  // A live metric may legitimately be one the pipeline does not compute,
  // so an undeclared trigger metric is a warning, not an error.
  const live = ctx.pipeline.triggers?.metric?.name;
  if (live !== undefined && !declared.has(live)) {
    const guess = didYouMean(live, declared);
    const path = ['triggers', 'metric', 'name'];
    ctx.report('unknown-metric', path, `the metric trigger watches '${live}', which no stage or metrics entry declares` + (guess ? `; did you mean '${guess}'?` : ''), {
      severity: 'warning', fixes: guess ? [replaceFix(ctx, path, guess, `Change to '${guess}'`)] : [],
    });
  }
  const { stageByName, metrics } = ctx.pipeline;
  for (const stage of ctx.pipeline.stages) {
    for (const gate of stage.gates) {
      const base = ['stages', stage.name, 'gates', gate.index];
      const known = checkMetricName(ctx, stage, gate, declared);
      const needsFile = gate.kind === 'threshold' || gate.kind === 'regression' || gate.kind === 'overfitting';
      if (needsFile && !stage.metricsFile && !(gate.metric && probeMetricNames(stage).includes(gate.metric))) {
        ctx.report('invalid-gate', base, `gate ${gate.index + 1} of stage '${stage.name}' reads metric '${gate.metric ?? '?'}', but the stage has no 'metrics' file to read it from`);
      }
      if ((gate.kind === 'regression' || gate.kind === 'overfitting') && known && gate.metric && !metrics[gate.metric]?.goal) {
        ctx.report('missing-metric-goal', [...base, 'metric'],
          `gate compares '${gate.metric}' ${gate.kind === 'regression' ? 'with a baseline' : 'with another stage'}, but '${gate.metric}' has no goal: add it under top-level 'metrics:' as { goal: max } or { goal: min }`);
      }
      if (gate.kind === 'threshold' && gate.min !== undefined && gate.max !== undefined && gate.min > gate.max) {
        ctx.report('invalid-gate', [...base, 'min'], `gate ${gate.index + 1} of stage '${stage.name}' can never pass: min ${gate.min} is above max ${gate.max}`);
      }
      if (gate.kind === 'convergence') {
        const source = gate.stage !== undefined ? stageByName.get(gate.stage) : stage;
        // An early gate on the stage's own series may read what it logs live (DVCLive, MLflow): that becomes its history.
        const live = gate.early === true && source === stage && CONTAINER_KINDS.includes(stage.kind);
        if (source && !source.history && !live) {
          ctx.report('invalid-gate', gate.stage !== undefined ? [...base, 'stage'] : [...base, 'converges'],
            `gate checks that '${gate.converges ?? '?'}' converges, but stage '${source.name}' has no 'history' file` +
            (gate.stage === undefined ? `; set 'stage:' to the stage that writes it` : ''));
        }
      }
      if (gate.kind === 'overfitting' && gate.against !== undefined) {
        const other = stageByName.get(gate.against);
        if (other && !other.metricsFile) {
          ctx.report('invalid-gate', [...base, 'against'], `gate compares with stage '${other.name}', which has no 'metrics' file`);
        }
      }
    }
  }
}
