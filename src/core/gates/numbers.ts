import { formatMetric } from '../metric-format';
/** Numbers as shown in gate messages: the metric rule (4 significant digits, integers in full), so float noise (0.031000000000000028) reads as 0.031. */
export function num(v: number): string {
  return formatMetric(v);
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** A share (0..1) as a percentage, e.g. 0.125 → "12.5%". */
export function percent(share: number): string {
  return `${num(share * 100)}%`;
}

/**
 * `a > b` beyond floating-point noise: 0.786 − 0.766 is 0.020000000000000018,
 * and a drop shown as "0.02" must not fail an allowance of 0.02.
 */
export function exceeds(a: number, b: number, ...scale: number[]): boolean {
  return a - b > 1e-9 * Math.max(1, ...scale.map(Math.abs));
}
