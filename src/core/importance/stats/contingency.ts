/**
 * Dependence between two discrete labelings (bin indices or category
 * codes), from their contingency table of observed levels:
 *  - mutual information, the plug-in estimate in nats exactly as
 *    sklearn.metrics.mutual_info_score computes it (1.2), with its G-test
 *    p-value: G = 2 N MI ~ chi2((r-1)(c-1)) under independence, which is
 *    scipy.stats.chi2_contingency(table, correction=False,
 *    lambda_='log-likelihood');
 *  - Cramér's V = sqrt(chi2 / (N (min(r, c) - 1))), as
 *    scipy.stats.contingency.association(table, method='cramer'), with the
 *    Pearson chi-square p-value of chi2_contingency(table, correction=False).
 * Levels that never occur are not rows or columns (no zero expected counts).
 */
import { chi2Contingency, chi2Sf } from '../../drift/stats/chisquare';

export interface Contingency {
  /** Observed counts, rows = levels of a (in code order), columns = levels of b. */
  table: Float64Array;
  rows: number;
  cols: number;
  rowSums: Float64Array;
  colSums: Float64Array;
  n: number;
}

/** Codes are >= 0 and below their level counts; the table keeps only levels that occur. */
export function contingency(a: Int32Array, levelsA: number, b: Int32Array, levelsB: number): Contingency {
  const full = new Float64Array(levelsA * levelsB);
  for (let i = 0; i < a.length; i++) full[a[i]! * levelsB + b[i]!]!++;
  const rowFull = new Float64Array(levelsA);
  const colFull = new Float64Array(levelsB);
  for (let i = 0; i < levelsA; i++) {
    for (let j = 0; j < levelsB; j++) {
      const v = full[i * levelsB + j]!;
      rowFull[i]! += v;
      colFull[j]! += v;
    }
  }
  const rowIdx: number[] = [];
  const colIdx: number[] = [];
  for (let i = 0; i < levelsA; i++) if (rowFull[i]! > 0) rowIdx.push(i);
  for (let j = 0; j < levelsB; j++) if (colFull[j]! > 0) colIdx.push(j);
  const rows = rowIdx.length;
  const cols = colIdx.length;
  const table = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) table[r * cols + c] = full[rowIdx[r]! * levelsB + colIdx[c]!]!;
  return {
    table, rows, cols,
    rowSums: Float64Array.from(rowIdx, (i) => rowFull[i]!),
    colSums: Float64Array.from(colIdx, (j) => colFull[j]!),
    n: a.length,
  };
}

export interface MutualInfo {
  /** Nats. */
  value: number;
  /** G-test p-value; NaN when either side has a single level (dof 0). */
  pvalue: number;
  dof: number;
}

/** sklearn.metrics.mutual_info_score's formula, term by term. */
export function mutualInfo(t: Contingency): MutualInfo {
  const dof = (t.rows - 1) * (t.cols - 1);
  if (t.rows <= 1 || t.cols <= 1) return { value: 0, pvalue: NaN, dof: 0 };
  const total = t.n;
  const logTotal = Math.log(total);
  const logSums = Math.log(total) + Math.log(total); // log(pi.sum()) + log(pj.sum())
  const eps = 2.220446049250313e-16;
  let mi = 0;
  for (let r = 0; r < t.rows; r++) {
    for (let c = 0; c < t.cols; c++) {
      const v = t.table[r * t.cols + c]!;
      if (v === 0) continue;
      const nm = v / total;
      const logOuter = -Math.log(t.rowSums[r]! * t.colSums[c]!) + logSums;
      const term = nm * (Math.log(v) - logTotal) + nm * logOuter;
      if (Math.abs(term) >= eps) mi += term;
    }
  }
  const value = Math.max(0, mi);
  return { value, pvalue: chi2Sf(2 * total * value, dof), dof };
}

/** Shannon entropy (nats) of a distribution given by counts, as scipy.stats.entropy. */
export function entropyOf(counts: Float64Array): number {
  let total = 0;
  for (const c of counts) total += c;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / total) * Math.log(c / total);
  return h;
}

export interface CramersV {
  v: number;
  pvalue: number;
  statistic: number;
  dof: number;
}

/** NaN when either side has a single level (V is undefined there). */
export function cramersV(t: Contingency): CramersV {
  if (t.rows <= 1 || t.cols <= 1) return { v: NaN, pvalue: NaN, statistic: NaN, dof: 0 };
  const rowsOf: Float64Array[] = [];
  for (let r = 0; r < t.rows; r++) rowsOf.push(t.table.subarray(r * t.cols, (r + 1) * t.cols));
  const res = chi2Contingency(rowsOf, { correction: false });
  const v = Math.sqrt(res.statistic / (t.n * (Math.min(t.rows, t.cols) - 1)));
  return { v, pvalue: res.pvalue, statistic: res.statistic, dof: res.dof };
}
