/**
 * The histograms a report carries for the panel and the HTML report: both
 * sides over the same bins, so they can be drawn on one axis. These are for
 * people, not for the tests (PSI and Jensen-Shannon bin the data Evidently's
 * way in ../stats/histogram.ts).
 */
import { linspace } from '../stats';
import type { CategoricalHistogram, NumericHistogram } from '../report/types';

export const NUMERIC_BINS = 20;
export const TOP_CATEGORIES = 30;

/**
 * `bins` equal bins over the combined [min, max] of both NaN-free samples,
 * counted as np.histogram counts them ([e_i, e_i+1), the last bin closed);
 * a constant sample gets one bin of width 1 around its value, as numpy does.
 */
export function numericHistogram(reference: Float64Array, current: Float64Array, bins = NUMERIC_BINS): NumericHistogram {
  let lo = Infinity;
  let hi = -Infinity;
  for (const arr of [reference, current]) {
    for (let i = 0; i < arr.length; i++) {
      const x = arr[i]!;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
    bins = 1;
  }
  const edges = linspace(lo, hi, bins + 1);
  const count = (arr: Float64Array): number[] => {
    const counts = new Array<number>(bins).fill(0);
    const scale = bins / (hi - lo);
    for (let i = 0; i < arr.length; i++) {
      const x = arr[i]!;
      // The arithmetic guess can be one bin off at an edge: settle it against the edges.
      let b = Math.min(bins - 1, Math.max(0, Math.floor((x - lo) * scale)));
      while (b < bins - 1 && x >= edges[b + 1]!) b++;
      while (b > 0 && x < edges[b]!) b--;
      counts[b]!++;
    }
    return counts;
  };
  return { kind: 'numeric', edges: Array.from(edges), reference: count(reference), current: count(current) };
}

/**
 * Counts per category for both sides; the `top` categories with the largest
 * share on either side are listed (so a category that only appears in
 * current still shows), the rest are pooled into `other`. Order: by that
 * share, descending, ties by name; or, when the categories are values
 * (`valueOf` given: counts of 0..8 support calls), by value.
 */
export function categoricalHistogram(
  reference: ReadonlyMap<string, number>,
  current: ReadonlyMap<string, number>,
  top = TOP_CATEGORIES,
  valueOf?: (category: string) => number,
): CategoricalHistogram {
  const rt = sum(reference);
  const ct = sum(current);
  const names = new Set([...reference.keys(), ...current.keys()]);
  const share = (k: string): number => Math.max(rt > 0 ? (reference.get(k) ?? 0) / rt : 0, ct > 0 ? (current.get(k) ?? 0) / ct : 0);
  const ranked = [...names].map((k) => ({ k, s: share(k) }))
    .sort((a, b) => b.s - a.s || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((e) => e.k);
  const shown = ranked.slice(0, top);
  if (valueOf) shown.sort((a, b) => valueOf(a) - valueOf(b));
  const h: CategoricalHistogram = {
    kind: 'categorical',
    categories: shown,
    reference: shown.map((k) => reference.get(k) ?? 0),
    current: shown.map((k) => current.get(k) ?? 0),
  };
  if (ranked.length > top) {
    const rest = ranked.slice(top);
    h.other = {
      categories: rest.length,
      reference: rest.reduce((s, k) => s + (reference.get(k) ?? 0), 0),
      current: rest.reduce((s, k) => s + (current.get(k) ?? 0), 0),
    };
  }
  return h;
}

function sum(m: ReadonlyMap<string, number>): number {
  let s = 0;
  for (const v of m.values()) s += v;
  return s;
}
