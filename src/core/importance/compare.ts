/**
 * Two runs' importances side by side: Spearman's rank correlation over the
 * features both have (how much the order of what matters changed) and the
 * features whose rank moved most. Used by the stability gate and
 * `mlci exp diff`.
 */
import { spearman } from './stats/correlation';
import type { FeatureImportance } from './types';

export interface ImportanceMove {
  feature: string;
  before?: number;
  after?: number;
  rankBefore?: number;
  rankAfter?: number;
}

export interface ImportanceComparison {
  /** Spearman's rho over shared features; undefined with fewer than 3 shared or a constant side. */
  rankCorrelation?: number;
  shared: number;
  /** Largest rank change first; features on one side only come first. */
  moves: ImportanceMove[];
  onlyBefore: string[];
  onlyAfter: string[];
}

function ranked(features: readonly FeatureImportance[]): Map<string, { value: number; rank: number }> {
  const withValue = features.filter((f) => typeof f.importance === 'number');
  const sorted = [...withValue].sort((a, b) => b.importance! - a.importance!);
  return new Map(sorted.map((f, i) => [f.feature, { value: f.importance!, rank: i + 1 }]));
}

export function compareImportances(before: readonly FeatureImportance[], after: readonly FeatureImportance[]): ImportanceComparison {
  const a = ranked(before);
  const b = ranked(after);
  const shared = [...a.keys()].filter((k) => b.has(k));
  const onlyBefore = [...a.keys()].filter((k) => !b.has(k));
  const onlyAfter = [...b.keys()].filter((k) => !a.has(k));
  let rankCorrelation: number | undefined;
  if (shared.length >= 3) {
    const r = spearman(Float64Array.from(shared, (k) => a.get(k)!.value), Float64Array.from(shared, (k) => b.get(k)!.value)).r;
    if (!Number.isNaN(r)) rankCorrelation = r;
  }
  const moves: ImportanceMove[] = [...new Set([...a.keys(), ...b.keys()])].map((feature) => {
    const x = a.get(feature);
    const y = b.get(feature);
    return {
      feature,
      ...(x ? { before: x.value, rankBefore: x.rank } : {}),
      ...(y ? { after: y.value, rankAfter: y.rank } : {}),
    };
  });
  const shift = (m: ImportanceMove) => (m.rankBefore === undefined || m.rankAfter === undefined ? Infinity : Math.abs(m.rankAfter - m.rankBefore));
  moves.sort((p, q) => shift(q) - shift(p) || Math.abs((q.after ?? 0) - (q.before ?? 0)) - Math.abs((p.after ?? 0) - (p.before ?? 0)));
  return { ...(rankCorrelation !== undefined ? { rankCorrelation } : {}), shared: shared.length, moves, onlyBefore, onlyAfter };
}

/** "age 1→4 (0.31→0.05)" for the features that moved, at most `limit`. */
export function describeMoves(c: ImportanceComparison, limit = 3): string {
  const parts = c.moves.filter((m) => m.rankBefore !== m.rankAfter).slice(0, limit).map((m) => {
    if (m.rankBefore === undefined) return `${m.feature} new (${fmt(m.after)})`;
    if (m.rankAfter === undefined) return `${m.feature} gone (was #${m.rankBefore})`;
    return `${m.feature} #${m.rankBefore}→#${m.rankAfter} (${fmt(m.before)}→${fmt(m.after)})`;
  });
  return parts.join(', ');
}

export function fmt(v: number | undefined): string {
  if (v === undefined) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(3))) : v.toExponential(2);
}
