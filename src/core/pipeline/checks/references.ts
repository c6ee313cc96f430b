/**
 * References between stages: `needs`, gate `against`/`stage`/`drift`/`importance`,
 * `triggers.drift` and `ci.stages` must name stages that exist (with a
 * did-you-mean fix), and some must name a stage of a given kind.
 */
import { didYouMean } from '../../text/suggest';
import type { StageKind } from '../model';
import type { JsonPath } from '../source';
import type { CheckContext } from './context';
import { replaceFix } from './context';

/**
 * Edit-distance comparisons allowed per validation for did-you-mean: each
 * unknown name is compared with every stage name, so 100,000 unknown names
 * in a 100,000-stage file would take hours. Past the budget, names are
 * reported without a suggestion.
 */
const SUGGEST_BUDGET = 500_000;
const budgets = new WeakMap<CheckContext, { left: number }>();

function guessStage(ctx: CheckContext, name: string): string | undefined {
  let budget = budgets.get(ctx);
  if (!budget) budgets.set(ctx, (budget = { left: SUGGEST_BUDGET }));
  const cost = ctx.pipeline.stageByName.size;
  if (budget.left < cost) return undefined;
  budget.left -= cost;
  return didYouMean(name, ctx.pipeline.stageByName.keys());
}

function checkStageRef(ctx: CheckContext, name: string, path: JsonPath, what: string, kind?: StageKind): void {
  const stage = ctx.pipeline.stageByName.get(name);
  if (!stage) {
    const guess = guessStage(ctx, name);
    ctx.report('unknown-stage', path, `${what} '${name}', which is not a stage of this pipeline` + (guess ? `; did you mean '${guess}'?` : ''), {
      fixes: guess ? [replaceFix(ctx, path, guess, `Change to '${guess}'`)] : [],
    });
    return;
  }
  if (kind && stage.kind !== kind) {
    ctx.report('wrong-stage-kind', path, `${what} '${name}', which must be a ${kind} stage but is of kind '${stage.kind}'`);
  }
}

export function checkReferences(ctx: CheckContext): void {
  const { pipeline } = ctx;
  for (const stage of pipeline.stages) {
    stage.needs.forEach((need, i) => {
      const path = ['stages', stage.name, 'needs', i];
      if (need === stage.name) {
        ctx.report('self-need', path, `stage '${stage.name}' cannot need itself`);
        return;
      }
      checkStageRef(ctx, need, path, `stage '${stage.name}' needs`);
    });
    for (const gate of stage.gates) {
      const base = ['stages', stage.name, 'gates', gate.index];
      if (gate.against !== undefined) checkStageRef(ctx, gate.against, [...base, 'against'], 'gate compares against');
      if (gate.stage !== undefined) checkStageRef(ctx, gate.stage, [...base, 'stage'], 'gate reads the history of');
      if (gate.drift !== undefined) checkStageRef(ctx, gate.drift, [...base, 'drift'], 'drift gate reads', 'drift');
      if (gate.importance !== undefined) {
        checkStageRef(ctx, gate.importance, [...base, 'importance'], 'importance gate reads');
        const other = pipeline.stageByName.get(gate.importance);
        if (other && !other.importance && !other.importances) {
          ctx.report('invalid-gate', [...base, 'importance'], `importance gate reads stage '${other.name}', which has neither 'importance' (a data stage measuring dependencies) nor 'importances' (a file of model importances)`);
        }
      }
    }
  }
  const t = pipeline.triggers;
  if (t?.drift !== undefined) checkStageRef(ctx, t.drift, ['triggers', 'drift'], 'the drift trigger reads', 'drift');
  pipeline.ci.stages?.forEach((name, i) => checkStageRef(ctx, name, ['ci', 'stages', i], 'ci.stages lists'));
}

/** `engine:` names an engine of `engines:` (or `local`); the host itself may come from the user's engines file. */
export function checkEngineRefs(ctx: CheckContext): void {
  const names = Object.keys(ctx.pipeline.engines);
  for (const stage of ctx.pipeline.stages) {
    if (stage.engine === undefined || names.includes(stage.engine)) continue;
    const own = ['stages', stage.name, 'engine'];
    const path = (ctx.data.stages as Record<string, Record<string, unknown>> | undefined)?.[stage.name]?.engine !== undefined ? own : ['defaults', 'engine'];
    const guess = didYouMean(stage.engine, names);
    ctx.report('unknown-engine', path, `engine '${stage.engine}' is not declared: add it under \`engines:\` (e.g. \`engines: { ${stage.engine}: { remote: true } }\`, its host in ~/.config/mlci/engines.yaml) or use \`local\`` + (guess ? `; did you mean '${guess}'?` : ''), {
      fixes: guess ? [replaceFix(ctx, path, guess, `Change to '${guess}'`)] : [],
    });
  }
}
