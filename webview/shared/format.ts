/** Number formatting for report values, including the non-finite ones JSON cannot hold. */

export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === undefined || value === null) return '—';
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '−∞';
  if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential(2);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(digits)));
}

export function formatPercent(share: number): string {
  return `${(share * 100).toFixed(share > 0 && share < 0.1 ? 1 : 0)}%`;
}

/** Compares numbers for sorting with NaN (and missing values) always last. */
export function compareNumbers(a: number | undefined, b: number | undefined): number {
  const an = a === undefined || Number.isNaN(a);
  const bn = b === undefined || Number.isNaN(b);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a === b ? 0 : a! < b! ? -1 : 1;
}
