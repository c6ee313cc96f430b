/**
 * Pearson and Spearman correlation with their two-sided p-values, as
 * scipy 1.10 computes them (scipy.stats.pearsonr, scipy.stats.spearmanr):
 *  - Pearson: r = <x - mean, y - mean> / (|x - mean| |y - mean|), clipped to
 *    [-1, 1]; p = 2 * sf(|r|) of Beta(n/2 - 1, n/2 - 1) on [-1, 1], which is
 *    2 * I_{(1 - |r|)/2}(n/2 - 1, n/2 - 1); n = 2 gives p = 1.
 *  - Spearman: Pearson's r of the average ranks (scipy.stats.rankdata);
 *    t = r sqrt((n - 2) / ((1 + r)(1 - r))), p = 2 * t.sf(|t|, n - 2), which
 *    cephes' stdtr evaluates as I_{(n-2)/((n-2) + t^2)}((n - 2)/2, 1/2).
 * The regularized incomplete beta function is @stdlib's port of Boost's
 * ibeta, the same family scipy 1.10 uses for the beta distribution.
 * A constant input has no correlation: r and p are NaN (scipy warns and
 * returns NaN too); the caller says why.
 */
import betainc from '@stdlib/math-base-special-betainc';
import { numpySum } from '../../drift/stats/sum';

export interface Correlation {
  r: number;
  pvalue: number;
}

/** Pearson's r and its p-value; x and y have the same length (>= 2) and no NaN. */
export function pearson(x: Float64Array, y: Float64Array): Correlation {
  const n = x.length;
  if (n !== y.length) throw new RangeError(`pearson: x has ${n} values but y has ${y.length}`);
  if (n < 2) throw new RangeError('pearson: need at least 2 values');
  if (n === 2) {
    const r = Math.sign(x[1]! - x[0]!) * Math.sign(y[1]! - y[0]!);
    return { r: r === 0 ? NaN : r, pvalue: r === 0 ? NaN : 1 };
  }
  const r = correlationOf(x, y);
  if (Number.isNaN(r)) return { r: NaN, pvalue: NaN };
  const ab = n / 2 - 1;
  const p = 2 * betainc((1 - Math.abs(r)) / 2, ab, ab);
  return { r, pvalue: Math.min(1, Math.max(0, p)) };
}

/** Spearman's rho (ties get average ranks) and its p-value. */
export function spearman(x: Float64Array, y: Float64Array, ranks?: { x?: Float64Array; y?: Float64Array; scratch?: Float64Array }): Correlation {
  const n = x.length;
  if (n !== y.length) throw new RangeError(`spearman: x has ${n} values but y has ${y.length}`);
  if (n < 2) throw new RangeError('spearman: need at least 2 values');
  const r = correlationOf(ranks?.x ?? rankAverage(x, ranks?.scratch), ranks?.y ?? rankAverage(y));
  if (Number.isNaN(r)) return { r: NaN, pvalue: NaN };
  const dof = n - 2;
  if (dof === 0) return { r, pvalue: 1 };
  if (Math.abs(r) === 1) return { r, pvalue: 0 };
  const t = r * Math.sqrt(Math.max(0, dof / ((r + 1) * (1 - r))));
  const p = betainc(dof / (dof + t * t), dof / 2, 0.5);
  return { r, pvalue: Math.min(1, Math.max(0, p)) };
}

/** Centered dot product over the norms; NaN when either side is constant. */
function correlationOf(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  const mx = numpySum(x) / n;
  const my = numpySum(y) / n;
  // Three sums in one pass, each with a running compensation (Neumaier) so a
  // million rows agree with numpy's pairwise sums far below 1e-9.
  let sxx = 0, cxx = 0, syy = 0, cyy = 0, sxy = 0, cxy = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i]! - mx;
    const b = y[i]! - my;
    let v = a * a; let t = sxx + v; cxx += Math.abs(sxx) >= Math.abs(v) ? (sxx - t) + v : (v - t) + sxx; sxx = t;
    v = b * b; t = syy + v; cyy += Math.abs(syy) >= Math.abs(v) ? (syy - t) + v : (v - t) + syy; syy = t;
    v = a * b; t = sxy + v; cxy += Math.abs(sxy) >= Math.abs(v) ? (sxy - t) + v : (v - t) + sxy; sxy = t;
  }
  sxx += cxx; syy += cyy; sxy += cxy;
  // scipy warns below 1e-13 relative spread; an exactly constant column is 0 here.
  if (sxx === 0 || syy === 0) return NaN;
  const r = sxy / (Math.sqrt(sxx) * Math.sqrt(syy));
  return Math.max(-1, Math.min(1, r));
}

/**
 * scipy.stats.rankdata(x, 'average'): 1-based ranks, ties share the mean of
 * their positions. The order comes from an LSD radix sort of the values'
 * IEEE-754 bits (four 16-bit digits, keys moved with their row index), which
 * is linear in n: a comparison sort or a binary search per value was most
 * of the time of a million-row Spearman. x must hold no NaN.
 */
export function rankAverage(x: Float64Array, into?: Float64Array): Float64Array {
  const n = x.length;
  const order = argsortFloat64(x);
  const out = into && into.length === n ? into : new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i + 1;
    const v = x[order[i]!]!;
    while (j < n && x[order[j]!]! === v) j++;
    const rank = (i + 1 + j) / 2; // positions i+1 .. j, averaged
    for (let k = i; k < j; k++) out[order[k]!] = rank;
    i = j;
  }
  return out;
}

/**
 * Work arrays of the last sort, kept for the next one of the same length:
 * ranking 20 million-row features otherwise leaves 8 MB of garbage each,
 * and the collector lets several generations pile up before it runs.
 */
let scratch: Uint32Array[] | undefined;

function buffers(n: number): Uint32Array[] {
  if (!scratch || scratch[0]!.length !== n) scratch = [new Uint32Array(n), new Uint32Array(n)];
  return scratch;
}

/**
 * The 16-bit digit `pass` (0 lowest) of row j's sortable key: the float's
 * bits with every bit of negatives flipped and only the sign bit of the rest.
 */
function digitOf(bits: Uint32Array, j: number, pass: number): number {
  const h = bits[2 * j + 1]!;
  const negative = (h & 0x80000000) !== 0;
  const word = pass < 2 ? (negative ? ~bits[2 * j]! : bits[2 * j]!) : (negative ? ~h : h | 0x80000000);
  return ((pass & 1 ? word >>> 16 : word) & 0xffff) >>> 0;
}

/**
 * Row indices in ascending order of value (-0 and 0 compare equal afterwards,
 * as in numpy): an LSD radix sort of the indices alone, each digit read from
 * the values through the index. Two index arrays are all it keeps (it kept
 * the keys too, permuted with them: three times the memory, for a sort that
 * is a small part of the time next to reading the file). The result is a
 * work array: valid until the next call.
 */
export function argsortFloat64(x: Float64Array): Uint32Array {
  const n = x.length;
  const bits = new Uint32Array(x.buffer, x.byteOffset, n * 2);
  const work = buffers(n);
  let idx = work[0]!;
  let idx2 = work[1]!;
  for (let i = 0; i < n; i++) idx[i] = i;
  const count = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    count.fill(0);
    // Counting needs no order: walk the rows as they lie.
    for (let j = 0; j < n; j++) count[digitOf(bits, j, pass)]!++;
    // A digit every key shares moves nothing: skip the pass.
    if (n === 0 || count[digitOf(bits, 0, pass)] === n) continue;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = count[d]!;
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const j = idx[i]!;
      idx2[count[digitOf(bits, j, pass)]!++] = j;
    }
    [idx, idx2] = [idx2, idx];
  }
  return idx;
}
