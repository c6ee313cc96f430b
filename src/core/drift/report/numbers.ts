/** Number and verdict wording shared by the text, Markdown and HTML formatters. */
import type { DriftColumnReport, DriftReport } from './types';

/** Short, readable: 4 significant digits, exponent form for tiny p-values, words for non-finite values. */
export function formatNumber(x: number | undefined): string {
  if (x === undefined) return '';
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-4 || a >= 1e6) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

/** "p-value" or "distance": the score the threshold is compared with. */
export function scoreName(c: DriftColumnReport): string {
  return c.pvalue !== undefined ? 'p-value' : 'distance';
}

export function score(c: DriftColumnReport): number {
  return c.pvalue ?? c.distance ?? NaN;
}

/** "< 0.05" for p-value tests, ">= 0.1" for distances: the drift condition. */
export function condition(c: DriftColumnReport): string {
  return `${c.pvalue !== undefined ? '<' : '>='} ${formatNumber(c.threshold)}`;
}

export function percent(x: number): string {
  return `${Number((x * 100).toFixed(1))}%`;
}

/**
 * "dataset drift: 2 of 3 columns drifted (66.7% >= 50%)"; the report's
 * problems (columns on one side only, nothing compared) come first, since
 * they decide the verdict whatever the share.
 */
export function summaryLine(r: DriftReport): string {
  const drifted = r.columns.filter((c) => c.drifted).length;
  const cmp = r.driftedShare >= r.share && r.columns.length > 0 ? '>=' : '<';
  const of = `${drifted} of ${r.columns.length} column${r.columns.length === 1 ? '' : 's'} drifted (${percent(r.driftedShare)} ${cmp} ${percent(r.share)})`;
  if (r.problems.length > 0) return `dataset drift: ${r.problems.join('; ')}${r.columns.length > 0 ? `; ${of}` : ''}`;
  return `${r.datasetDrift ? 'dataset drift' : 'no dataset drift'}: ${of}`;
}
