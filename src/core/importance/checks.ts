/**
 * What the importance gates look for, as pure functions of a report:
 * possible target leakage (a dependency above a bound), features that must
 * matter (below their minimum), and unused features (importance within
 * noise of zero). The gate (../gates/importance.ts) turns findings into a
 * verdict; the CLI lists the same findings.
 */
import { fmt } from './compare';
import type { FeatureImportance, ImportanceReport } from './types';

export const DEFAULT_ALPHA = 0.05;

export function leaks(report: ImportanceReport, max: number): FeatureImportance[] {
  return report.features.filter((f) => typeof f.importance === 'number' && f.importance > max);
}

export interface Shortfall {
  feature: string;
  min: number;
  /** Undefined when the feature is not in the report (or was not measured). */
  actual?: number;
  why?: string;
}

export function shortfalls(report: ImportanceReport, mins: Record<string, number>): Shortfall[] {
  const byName = new Map(report.features.map((f) => [f.feature, f]));
  const out: Shortfall[] = [];
  for (const [feature, min] of Object.entries(mins)) {
    const f = byName.get(feature);
    if (!f) out.push({ feature, min, why: `not in ${report.file}` });
    else if (typeof f.importance !== 'number') out.push({ feature, min, why: f.problem ?? 'not measured' });
    else if (f.importance < min) out.push({ feature, min, actual: f.importance });
  }
  return out;
}

/**
 * Within noise of zero. Data: no test rejects independence at `alpha`
 * (mutual information's G-test and, where defined, Spearman's and Pearson's
 * p-values), or the feature has one value. Model: |importance| <= 2 std when
 * the file gives std, else importance <= 0.
 */
export function unused(report: ImportanceReport, alpha = DEFAULT_ALPHA): Array<FeatureImportance & { why: string }> {
  const out: Array<FeatureImportance & { why: string }> = [];
  for (const f of report.features) {
    if (report.source === 'model') {
      if (typeof f.importance !== 'number') continue;
      if (f.std !== undefined && Math.abs(f.importance) <= 2 * f.std) out.push({ ...f, why: `importance ${fmt(f.importance)} within 2 std (${fmt(f.std)}) of zero` });
      else if (f.std === undefined && f.importance <= 0) out.push({ ...f, why: `importance ${fmt(f.importance)}` });
      continue;
    }
    if (f.problem && /one value/.test(f.problem)) {
      out.push({ ...f, why: f.problem });
      continue;
    }
    const ps = [f.mutualInfo?.pvalue, f.spearman?.pvalue, f.pearson?.pvalue, f.cramersV?.pvalue].filter((p): p is number => typeof p === 'number');
    if (ps.length > 0 && ps.every((p) => p >= alpha)) out.push({ ...f, why: `no dependency at α=${alpha} (smallest p-value ${fmt(Math.min(...ps))}, n ${f.n})` });
  }
  return out;
}

/** The numbers behind a feature's dependency, for messages. */
export function describeFeature(f: FeatureImportance): string {
  const parts: string[] = [];
  if (f.std !== undefined) parts.push(`± ${fmt(f.std)}`);
  if (f.mutualInfo) parts.push(`MI ${fmt(f.mutualInfo.value)} nats${f.mutualInfo.pvalue !== undefined ? ` p ${fmt(f.mutualInfo.pvalue)}` : ''}`);
  if (f.spearman) parts.push(`Spearman ${fmt(f.spearman.value)}`);
  if (f.pearson) parts.push(`Pearson ${fmt(f.pearson.value)}`);
  if (f.cramersV) parts.push(`Cramér's V ${fmt(f.cramersV.value)}`);
  if (f.n !== undefined) parts.push(`n ${f.n}`);
  return `${f.feature} ${fmt(f.importance)}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}
