/**
 * The binning rule for mutual information (docs/pipeline-file.md § Importance):
 * a numeric column is cut into numpy's 'sturges' bins over its own range,
 * i.e. np.histogram_bin_edges(x, bins='sturges'): width = (max - min) /
 * (log2(n) + 1), ceil((max - min) / width) equal bins, edges from
 * np.linspace. Value x goes to bin i when edges[i] <= x < edges[i+1], the
 * last bin closed, which is np.histogram's rule and equals
 * clip(np.searchsorted(edges, x, 'right') - 1, 0, bins - 1). Empty bins are
 * dropped from the contingency table (they add nothing to the estimate).
 */
import { linspace } from '../../drift/stats/histogram';

export interface Binned {
  /** Bin index per value. */
  codes: Int32Array;
  bins: number;
  edges: Float64Array;
}

/** Sturges bin edges from the range and count of a finite, non-empty sample. */
export function sturgesEdges(min: number, max: number, n: number): Float64Array {
  let first = min;
  let last = max;
  const ptp = last - first;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = ptp / (Math.log2(n) + 1.0);
  const bins = width ? Math.ceil((last - first) / width) : 1;
  return linspace(first, last, bins + 1);
}

/** Bin indices by numpy's uniform-bin fast path, corrected against the edges as numpy does. */
export function binSturges(values: Float64Array): Binned {
  const n = values.length;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const edges = sturgesEdges(min, max, n);
  const bins = edges.length - 1;
  const first = edges[0]!;
  const norm = bins / (edges[bins]! - first);
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    let k = Math.floor((v - first) * norm);
    if (k >= bins) k = bins - 1;
    if (k < 0) k = 0;
    // Float rounding of (v - first) * norm can land one bin off: the edges decide.
    if (v < edges[k]!) k--;
    else if (k < bins - 1 && v >= edges[k + 1]!) k++;
    codes[i] = k;
  }
  return { codes, bins, edges };
}
