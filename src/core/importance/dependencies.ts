/**
 * Model-agnostic dependencies of each feature on a target, computed on the
 * data as the readers load it (CSV, JSON Lines, Parquet; see ../data):
 * mutual information (binned, see stats/binning.ts) for every feature,
 * Spearman and Pearson when both sides are numbers, Cramér's V when both
 * are categories (a numeric target with few values counts as classes).
 * Rows where the feature or the target is missing are left out of that
 * pair, and `n` says how many remained.
 *
 * A problem with one feature (one value, all missing, free text) is written
 * on that feature and the others are still measured; a problem with the
 * target (absent, constant, too many classes) is a report problem and no
 * feature is measured.
 */
import type { Column, Table } from '../data/table';
import { cellText, isNumericColumn } from '../data/table';
import { contingency, cramersV, entropyOf, mutualInfo } from './stats/contingency';
import { pearson, rankAverage, spearman } from './stats/correlation';
import type { Labels } from './labels';
import {
  binnedLabels, codeLabels, distinctValues, MAX_NUMERIC_CLASSES, MAX_TARGET_CLASSES, numbersAt, presentRows, valueLabels,
} from './labels';
import type { FeatureImportance, ImportanceReport } from './types';
import { IMPORTANCE_REPORT_VERSION } from './types';

export interface DependencyOptions {
  target: string;
  /** How the report names the data file. */
  file: string;
  /** Only these features (default: every column but the target). */
  features?: string[];
  exclude?: string[];
  signal?: AbortSignal;
}

export const BINNING_RULE = "numeric columns: numpy 'sturges' bins over the column's range (np.histogram_bin_edges(x, 'sturges')); a numeric target with at most 50 distinct values: one class per value";

interface Target {
  column: Column;
  /** Label per row of the table, -1 where the target is missing. */
  labels: Int32Array;
  levels: number;
  numeric: boolean;
  classes: boolean;
  /** Ranks of the target over all its present rows (reused when a feature has none missing). */
  ranks?: Float64Array;
  /** Where each feature's ranks are written (one array for all features of the full length). */
  scratch?: Float64Array;
}

export function computeDependencies(table: Table, opts: DependencyOptions): ImportanceReport {
  const report: ImportanceReport = {
    version: IMPORTANCE_REPORT_VERSION, source: 'data', file: opts.file, target: opts.target, rows: table.rowCount,
    binning: BINNING_RULE, features: [], problems: [],
  };
  const exclude = new Set(opts.exclude ?? []);
  const names = (opts.features ?? [...table.columns.keys()]).filter((n) => n !== opts.target && !exclude.has(n));
  const missing = names.filter((n) => !table.columns.has(n));
  for (const n of missing) report.problems.push(`feature "${n}" is not a column of ${opts.file}`);
  const features = names.filter((n) => table.columns.has(n));

  const targetColumn = table.columns.get(opts.target);
  const target = targetColumn ? preparedTarget(targetColumn, table.rowCount, report) : undefined;
  if (!targetColumn) report.problems.push(`target column "${opts.target}" is not in ${opts.file} (columns: ${[...table.columns.keys()].join(', ')})`);
  if (!target) return report; // the problem says why; listing every feature as unmeasured adds nothing
  for (const name of features) {
    if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error('cancelled');
    report.features.push(measureFeature(name, table.columns.get(name)!, target, table.rowCount));
  }
  report.features.sort((a, b) => (b.importance ?? -Infinity) - (a.importance ?? -Infinity));
  return report;
}

/**
 * A target prepared once per column: a big file is measured in column groups
 * (measure.ts), each group a table holding the same target column, whose
 * labels and ranks (tens of MB at a million rows) are then made once, not
 * once per group.
 */
const prepared = new WeakMap<Column, { target: Target; levels: number; entropy: number }>();

function preparedTarget(column: Column, rowCount: number, report: ImportanceReport): Target | undefined {
  const known = prepared.get(column);
  if (known && known.target.labels.length === rowCount) {
    report.targetLevels = known.levels;
    report.targetEntropy = known.entropy;
    return known.target;
  }
  const target = prepareTarget(column, rowCount, report);
  if (target) prepared.set(column, { target, levels: report.targetLevels!, entropy: report.targetEntropy! });
  return target;
}

function prepareTarget(column: Column, rowCount: number, report: ImportanceReport): Target | undefined {
  const name = column.name;
  const rows = presentRows([column], rowCount);
  const present = rows ? rows.length : rowCount;
  if (present === 0) {
    report.problems.push(`target "${name}" has no values (every row is missing)`);
    return undefined;
  }
  let labels: Labels;
  let classes = true;
  if (isNumericColumn(column)) {
    const values = numbersAt(column, rows);
    const distinct = distinctValues(values, MAX_NUMERIC_CLASSES);
    if (distinct) labels = valueLabels(values, distinct);
    else {
      labels = binnedLabels(values);
      classes = false;
    }
  } else {
    if (column.type === 'text' || column.dictionary.length > MAX_TARGET_CLASSES) {
      report.problems.push(`target "${name}" has ${column.dictionary.length} distinct values: too many classes for a dependency estimate (at most ${MAX_TARGET_CLASSES}); use a numeric target or group the classes`);
      return undefined;
    }
    labels = codeLabels(column, rows);
  }
  const counts = new Float64Array(labels.levels);
  for (const c of labels.codes) counts[c]!++;
  const used = counts.filter((c) => c > 0).length;
  if (used < 2) {
    const first = rows ? rows[0]! : 0;
    report.problems.push(`target "${name}" has one value (${String(cellText(column, first))}): no feature can depend on it`);
    return undefined;
  }
  report.targetLevels = used;
  report.targetEntropy = entropyOf(counts);
  let full = labels.codes;
  if (rows) {
    full = new Int32Array(rowCount).fill(-1);
    for (let k = 0; k < rows.length; k++) full[rows[k]!] = labels.codes[k]!;
  }
  const numeric = isNumericColumn(column);
  return { column, labels: full, levels: labels.levels, numeric, classes: classes || !numeric };
}

function pick(codes: Int32Array, rows: Uint32Array | undefined): Int32Array {
  return rows ? Int32Array.from(rows, (i) => codes[i]!) : codes;
}

function measureFeature(name: string, column: Column, target: Target, rowCount: number): FeatureImportance {
  const numeric = isNumericColumn(column) && column.type !== 'boolean';
  const out: FeatureImportance = { feature: name, kind: numeric ? 'numeric' : 'categorical' };
  if (!isNumericColumn(column) && column.type === 'text') {
    out.problem = `free text (${column.dictionary.length} distinct values): not measured; declare it a category or leave it out`;
    return out;
  }
  const rows = presentRows([column, target.column], rowCount);
  const n = rows ? rows.length : rowCount;
  out.n = n;
  if (column.nullCount === rowCount || n === 0) {
    out.problem = column.nullCount === rowCount ? 'every value is missing' : 'no row has both this feature and the target';
    return out;
  }
  if (n < 3) {
    out.problem = `only ${n} rows have both this feature and the target`;
    return out;
  }
  const y = pick(target.labels, rows);
  let x: Labels;
  let xs: Float64Array | undefined;
  if (isNumericColumn(column)) {
    xs = numbersAt(column, rows);
    x = column.type === 'boolean' ? valueLabels(xs, distinctValues(xs, 2) ?? [0, 1]) : binnedLabels(xs);
  } else {
    x = codeLabels(column, rows);
  }
  const table = contingency(x.codes, x.levels, y, target.levels);
  if (table.rows < 2) {
    const first = rows ? rows[0]! : 0;
    out.problem = `one value (${String(cellText(column, first))}): carries no information`;
    out.importance = 0;
    out.mutualInfo = { value: 0, bins: 1, dof: 0 };
    return out;
  }
  const mi = mutualInfo(table);
  out.mutualInfo = { value: mi.value, pvalue: mi.pvalue, bins: table.rows, dof: mi.dof };
  out.importance = target.labels.length > 0 ? mi.value / entropyOfTable(table.colSums) : 0;
  if (xs && target.numeric) {
    const ys = numbersAt(target.column as Column & { values: Float64Array }, rows);
    const p = pearson(xs, ys);
    let targetRanks: Float64Array | undefined;
    if (!rows) targetRanks = target.ranks ??= rankAverage(ys);
    if (!rows) target.scratch ??= new Float64Array(rowCount);
    const s = spearman(xs, ys, { ...(targetRanks ? { y: targetRanks } : {}), ...(!rows ? { scratch: target.scratch! } : {}) });
    out.pearson = withP(p.r, p.pvalue);
    out.spearman = withP(s.r, s.pvalue);
  }
  if (!numeric && target.classes) {
    const v = cramersV(table);
    out.cramersV = withP(v.v, v.pvalue);
  }
  return out;
}

/** Entropy of the target over the rows of this pair (the normaliser of the importance). */
function entropyOfTable(colSums: Float64Array): number {
  const h = entropyOf(colSums);
  return h > 0 ? h : Infinity;
}

function withP(value: number, pvalue: number): { value: number; pvalue?: number } {
  return Number.isNaN(pvalue) ? { value } : { value, pvalue };
}
