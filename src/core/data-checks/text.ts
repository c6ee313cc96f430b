/**
 * Wording shared by the checks: numbers short enough to read, bounds as the
 * user wrote them, counts with the right plural.
 */
import type { Bounds } from '../pipeline/model';

/** Integers as written; other numbers to 6 significant digits (a log line, not a dump). */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return String(Number(v.toPrecision(6)));
}

/**
 * A measured value next to its bound: when rounding would make a failing
 * value look equal to the bound ("mean 40, above the maximum 40"), all digits.
 */
export function formatAgainst(v: number, bound: number | undefined): string {
  const short = formatNumber(v);
  return bound !== undefined && v !== bound && short === formatNumber(bound) ? String(v) : short;
}

/** ±8.64e15 ms (±100,000,000 days) is the range a Date can hold. */
const MAX_DATE_MS = 8.64e15;

/**
 * Epoch ms as ISO 8601; midnight UTC as the date alone, as dates are usually
 * written. Beyond the range of dates (a bound such as 1e300 on a datetime
 * column), the number itself.
 */
export function formatDate(ms: number): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) return formatNumber(ms);
  const iso = new Date(ms).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "≥ 10", "≤ 40", "[10, 40]". */
export function boundsText(b: Bounds, show: (v: number) => string = formatNumber): string {
  if (b.min !== undefined && b.max !== undefined) return `[${show(b.min)}, ${show(b.max)}]`;
  if (b.min !== undefined) return `≥ ${show(b.min)}`;
  return `≤ ${show(b.max ?? NaN)}`;
}

/** "10 ≤ mean(tenure) ≤ 40", "std(tenure) ≤ 25". */
export function boundedTitle(what: string, b: Bounds, show: (v: number) => string = formatNumber): string {
  if (b.min !== undefined && b.max !== undefined) return `${show(b.min)} ≤ ${what} ≤ ${show(b.max)}`;
  if (b.min !== undefined) return `${what} ≥ ${show(b.min)}`;
  return `${what} ≤ ${show(b.max ?? NaN)}`;
}

/** Names for a message, the first `limit` of them. */
export function listNames(names: readonly string[], limit = 20): string {
  const shown = names.slice(0, limit).map((n) => JSON.stringify(n)).join(', ');
  return names.length > limit ? `${shown} and ${names.length - limit} more` : shown || '(none)';
}
