/**
 * Aligned histograms for the distribution-distance drift scores (PSI,
 * Jensen-Shannon), following Evidently's `get_binned_data`
 * (evidently/calculations/stattests/utils.py):
 *  - a numeric column whose reference has more than 20 distinct values is
 *    binned with np.histogram_bin_edges(concat(reference, current),
 *    bins='sturges') and each side's counts divided by its length;
 *  - otherwise (few distinct values, or categorical columns) each distinct
 *    value is its own bin over the union of both sides' values;
 *  - PSI fills zero proportions (Evidently's feel_zeroes), Jensen-Shannon does not.
 * Edges and counts are bit-identical to numpy 1.24 (np.linspace,
 * np.histogram with an edge array: bins are [e_i, e_{i+1}), the last one closed).
 *
 * Order of categories: Evidently iterates a Python set (hash order); here the
 * order is deterministic (numbers ascending; strings: reference order, then
 * categories new in current). Sums over bins can differ from Evidently's in
 * the last bits only.
 */

/** Evidently: numeric columns with more distinct reference values than this are binned. */
export const EVIDENTLY_MAX_DISCRETE_VALUES = 20;

function finiteSorted(x: Float64Array | readonly number[], fn: string): Float64Array {
  const s = Float64Array.from(x).sort(); // -Infinity first; +Infinity and NaN last
  if (s.length > 0 && !(Number.isFinite(s[0]!) && Number.isFinite(s[s.length - 1]!))) {
    throw new RangeError(`${fn}: values must be finite; remove missing values before calling`);
  }
  return s;
}

/** `np.linspace(start, stop, num)` (endpoint=True) as numpy 1.24 computes it. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const y = new Float64Array(num);
  const div = num - 1;
  const delta = stop - start;
  if (div > 0) {
    const step = delta / div;
    if (step === 0) {
      for (let i = 0; i < num; i++) y[i] = i / div * delta; // numpy's denormal path (gh-5437)
    } else {
      for (let i = 0; i < num; i++) y[i] = i * step;
    }
  } else {
    for (let i = 0; i < num; i++) y[i] = i * delta;
  }
  for (let i = 0; i < num; i++) y[i]! += start;
  if (num > 1) y[num - 1] = stop;
  return y;
}

/**
 * `np.histogram_bin_edges(values, bins='sturges')` for finite float data:
 * ceil(ptp / (ptp / (log2(n) + 1))) equal bins over [min, max], one bin of
 * width 1 around a constant sample. Throws a RangeError for empty input.
 */
export function sturgesBinEdges(values: Float64Array | readonly number[]): Float64Array {
  const s = finiteSorted(values, 'sturgesBinEdges');
  if (s.length === 0) throw new RangeError('sturgesBinEdges: no values');
  let first = s[0]!;
  let last = s[s.length - 1]!;
  const ptp = last - first;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = ptp / (Math.log2(s.length) + 1.0);
  const nBins = width ? Math.ceil((last - first) / width) : 1;
  return linspace(first, last, nBins + 1);
}

function searchLeft(s: Float64Array, v: number): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid]! < v) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function searchRight(s: Float64Array, v: number): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid]! <= v) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * `np.histogram(values, edges)[0]`: counts per bin [e_i, e_{i+1}), the last
 * bin closed on the right; values outside [e_0, e_last] are not counted.
 */
export function histogramCounts(values: Float64Array | readonly number[], edges: Float64Array | readonly number[]): Float64Array {
  const s = finiteSorted(values, 'histogramCounts');
  const nb = edges.length - 1;
  if (nb < 1) throw new RangeError('histogramCounts: need at least two edges');
  const counts = new Float64Array(nb);
  let prev = searchLeft(s, edges[0]!);
  for (let i = 1; i <= nb; i++) {
    const cum = i < nb ? searchLeft(s, edges[i]!) : searchRight(s, edges[nb]!);
    counts[i - 1] = cum - prev;
    prev = cum;
  }
  return counts;
}

/** Number of distinct values (pandas nunique on NaN-free data; -0 equals 0). */
export function countDistinct(values: Float64Array | readonly number[]): number {
  const s = Float64Array.from(values).sort();
  let k = 0;
  for (let i = 0; i < s.length; i++) if (i === 0 || s[i] !== s[i - 1]) k++;
  return k;
}

export interface AlignedProportions {
  /** 'histogram' when the numeric values were binned, 'values' when each distinct value is a bin. */
  kind: 'histogram' | 'values';
  /** Bin edges (kind 'histogram'). */
  edges?: Float64Array;
  /** The distinct values, ascending (kind 'values'). */
  values?: Float64Array;
  reference: Float64Array;
  current: Float64Array;
}

/**
 * Evidently's zero fill for PSI (`feel_zeroes`): zeros become
 * min(nonzero)/1e6 when the smallest non-zero proportion is <= 0.0001,
 * else 0.0001. Returns a new array; throws a RangeError when all are zero.
 */
export function fillZeroProportions(p: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(p as ArrayLike<number>);
  let minNonZero = Infinity;
  for (let i = 0; i < out.length; i++) if (out[i] !== 0 && out[i]! < minNonZero) minNonZero = out[i]!;
  if (minNonZero === Infinity) throw new RangeError('fillZeroProportions: every proportion is zero');
  const fill = minNonZero <= 0.0001 ? minNonZero / 10 ** 6 : 0.0001;
  for (let i = 0; i < out.length; i++) if (out[i] === 0) out[i] = fill;
  return out;
}

/**
 * Evidently's `get_binned_data` for a numeric column (NaN-free, non-empty):
 * proportions of reference and current per aligned bin.
 */
export function binnedProportions(
  reference: Float64Array | readonly number[],
  current: Float64Array | readonly number[],
  opts: { fillZeroes?: boolean } = {},
): AlignedProportions {
  if (reference.length === 0 || current.length === 0) {
    throw new RangeError(`binnedProportions: both samples must be non-empty (reference ${reference.length}, current ${current.length})`);
  }
  let out: AlignedProportions;
  if (countDistinct(reference) > EVIDENTLY_MAX_DISCRETE_VALUES) {
    const all = new Float64Array(reference.length + current.length);
    all.set(reference);
    all.set(current, reference.length);
    const edges = sturgesBinEdges(all);
    const rc = histogramCounts(reference, edges);
    const cc = histogramCounts(current, edges);
    out = {
      kind: 'histogram',
      edges,
      reference: rc.map((c) => c / reference.length),
      current: cc.map((c) => c / current.length),
    };
  } else {
    const rs = finiteSorted(reference, 'binnedProportions');
    const cs = finiteSorted(current, 'binnedProportions');
    const keys: number[] = [];
    for (let i = 0, j = 0; i < rs.length || j < cs.length;) {
      const v = j >= cs.length ? rs[i]! : i >= rs.length ? cs[j]! : Math.min(rs[i]!, cs[j]!);
      keys.push(v);
      while (i < rs.length && rs[i] === v) i++;
      while (j < cs.length && cs[j] === v) j++;
    }
    const values = Float64Array.from(keys);
    const count = (s: Float64Array, v: number): number => searchRight(s, v) - searchLeft(s, v);
    out = {
      kind: 'values',
      values,
      reference: values.map((v) => count(rs, v) / rs.length),
      current: values.map((v) => count(cs, v) / cs.length),
    };
  }
  if (opts.fillZeroes) {
    out.reference = fillZeroProportions(out.reference);
    out.current = fillZeroProportions(out.current);
  }
  return out;
}

export interface AlignedCategories {
  categories: string[];
  reference: Float64Array;
  current: Float64Array;
}

/**
 * Category counts aligned over the union of categories: reference categories
 * in map order, then categories only seen in current, in map order.
 */
export function alignCategoryCounts(
  refCounts: ReadonlyMap<string, number>,
  curCounts: ReadonlyMap<string, number>,
): AlignedCategories {
  const categories = [...refCounts.keys()];
  for (const k of curCounts.keys()) if (!refCounts.has(k)) categories.push(k);
  return {
    categories,
    reference: Float64Array.from(categories, (k) => refCounts.get(k) ?? 0),
    current: Float64Array.from(categories, (k) => curCounts.get(k) ?? 0),
  };
}

/**
 * Evidently's `get_binned_data` for a categorical column given its counts:
 * count / total per category, aligned. Totals are the sums of the counts
 * (missing values dropped by the caller). Optionally with the PSI zero fill.
 */
export function categoricalProportions(
  refCounts: ReadonlyMap<string, number>,
  curCounts: ReadonlyMap<string, number>,
  opts: { fillZeroes?: boolean } = {},
): AlignedCategories {
  const a = alignCategoryCounts(refCounts, curCounts);
  let rt = 0;
  let ct = 0;
  for (const v of a.reference) rt += v;
  for (const v of a.current) ct += v;
  if (rt <= 0 || ct <= 0) {
    throw new RangeError(`categoricalProportions: both samples need at least one value (reference ${rt}, current ${ct})`);
  }
  let reference: Float64Array = a.reference.map((c) => c / rt);
  let current: Float64Array = a.current.map((c) => c / ct);
  if (opts.fillZeroes) {
    reference = fillZeroProportions(reference);
    current = fillZeroProportions(current);
  }
  return { categories: a.categories, reference, current };
}
