/**
 * Importance gates on a stage's feature dependencies (data stage
 * `importance:`) or model importances (`importances:` file), as recorded in
 * the run: possible target leakage, features that must matter, unused
 * features, and stability (rank correlation with the baseline's
 * importances, naming the features that moved most). A gate may set several
 * of these; every one set must hold. Model importances naming features the
 * run's measured data does not have fail the gate with the names.
 */
import { compareImportances, describeMoves } from '../importance/compare';
import { DEFAULT_ALPHA, describeFeature, leaks, shortfalls, unused } from '../importance/checks';
import type { ImportanceReport } from '../importance/types';
import type { Gate } from '../pipeline/model';
import { PINNED_BASELINE } from './baseline';
import { notUsable, verdict, type GateContext, type Verdict } from './context';
import { num } from './numbers';

export async function checkImportance(g: Gate, ctx: GateContext): Promise<Verdict> {
  const stage = g.importance ?? '';
  const expects: string[] = [];
  if (g.leakage !== undefined) expects.push(`every importance ≤ ${g.leakage}`);
  if (g.minFeatures) for (const [f, m] of Object.entries(g.minFeatures)) expects.push(`${f} ≥ ${m}`);
  if (g.unused) expects.push('no feature within noise of zero');
  const ref = g.baseline ?? ctx.pipeline.ci.baseline;
  const where = ref === PINNED_BASELINE ? 'the pinned run' : ref;
  if (g.stability !== undefined) expects.push(`rank correlation ≥ ${g.stability} vs ${where}`);
  const expected = expects.join('; ');

  const unusable = notUsable(ctx.record, stage);
  if (unusable) return verdict('skipped', `${unusable}, so there are no importances to check`, expected);
  const report = ctx.record.importance?.[stage];
  if (!report) return verdict('failed', `stage ${stage} recorded no importances`, expected);

  const failures: string[] = [];
  const notes: string[] = [];
  const actuals: string[] = [];
  for (const p of report.problems) failures.push(p);

  const strangers = unknownFeatures(report, ctx);
  if (strangers) failures.push(strangers);

  if (g.leakage !== undefined) {
    const found = leaks(report, g.leakage);
    const top = report.features.find((f) => typeof f.importance === 'number');
    if (top) actuals.push(`max ${top.feature} ${num(top.importance!)}`);
    if (found.length > 0) failures.push(`possible target leakage: ${found.map(describeFeature).join('; ')} — above ${g.leakage}${report.target ? `; does it encode ${report.target}?` : ''}`);
    else notes.push(`no feature above ${g.leakage}`);
  }
  if (g.minFeatures) {
    const short = shortfalls(report, g.minFeatures);
    for (const s of short) failures.push(s.actual !== undefined ? `${s.feature} matters less than required: ${num(s.actual)} < ${s.min}` : `${s.feature} must matter (≥ ${s.min}) but is ${s.why}`);
    for (const f of Object.keys(g.minFeatures)) {
      const v = report.features.find((x) => x.feature === f)?.importance;
      actuals.push(`${f} ${v === undefined ? '–' : num(v)}`);
    }
    if (short.length === 0) notes.push(`${Object.keys(g.minFeatures).join(', ')} matter enough`);
  }
  if (g.unused) {
    const dead = unused(report, g.alpha ?? DEFAULT_ALPHA);
    actuals.push(`${dead.length} unused`);
    if (dead.length > 0) failures.push(`a data dependency with no value: ${dead.map((f) => `${f.feature} (${f.why})`).join('; ')}`);
    else notes.push('every feature carries information');
  }
  if (g.stability !== undefined) {
    const before = await ctx.baseline.importances?.(ref, stage);
    if (!before) {
      notes.push(`no importances for ${stage} at ${where}: stability not checked`);
      if (failures.length === 0 && expects.length === 1) return verdict('skipped', notes.join('; '), expected);
    } else {
      const c = compareImportances(before, report.features);
      if (c.rankCorrelation === undefined) {
        failures.push(`only ${c.shared} features are shared with ${where}: no rank correlation`);
      } else {
        actuals.push(`rank correlation ${num(c.rankCorrelation)}`);
        const moved = describeMoves(c);
        if (c.rankCorrelation < g.stability) failures.push(`importances changed order vs ${where}: rank correlation ${num(c.rankCorrelation)} < ${g.stability}${moved ? `; moved most: ${moved}` : ''}`);
        else notes.push(`rank correlation ${num(c.rankCorrelation)} vs ${where}${moved ? ` (moved: ${moved})` : ''}`);
      }
    }
  }
  const actual = actuals.join('; ');
  if (failures.length > 0) return verdict('failed', failures.join('; '), expected, actual);
  return verdict('passed', notes.join('; '), expected, actual);
}

/** Model importances that name features the run's data stages never saw. */
function unknownFeatures(report: ImportanceReport, ctx: GateContext): string | undefined {
  if (report.source !== 'model') return undefined;
  const data = Object.entries(ctx.record.importance ?? {}).filter(([, r]) => r.source === 'data');
  if (data.length === 0) return undefined;
  const known = new Set<string>();
  for (const [, r] of data) {
    for (const f of r.features) known.add(f.feature);
    if (r.target) known.add(r.target);
  }
  const strangers = report.features.map((f) => f.feature).filter((f) => !known.has(f));
  if (strangers.length === 0) return undefined;
  return `${report.file} names features not in the data (${data.map(([s, r]) => `${s}: ${r.file}`).join(', ')}): ${strangers.join(', ')}`;
}
