/**
 * `mean`, `std` and `quantiles`: bounds on statistics of the non-missing
 * values (see stats.ts for the definitions). A statistic that does not exist
 * (no values; std of one value) fails its check: the bound cannot be met.
 */
import type { Bounds } from '../pipeline/model';
import type { ColumnView } from './column-view';
import { notNumbers } from './range-check';
import type { CheckResult } from './report';
import { mean, present, quantileSelect, quantileSorted, sampleStd } from './stats';
import { boundedTitle, boundsText, formatAgainst, formatNumber } from './text';

/** A selection costs ~3 passes over the values, a sort ~log2 n: a handful of levels select. */
const SELECT_LEVELS = 4;

/** The column's values and statistics, each computed once and only when asked for. */
export class ColumnStats {
  private values?: Float64Array;
  /** A copy of the values, partly ordered by earlier quantiles (see quantileSelect). */
  private work?: Float64Array;
  private sortedValues?: Float64Array;
  private quantilesAsked = 0;
  private meanValue?: number;

  constructor(private readonly numbers: Float64Array) {}

  get count(): number {
    return this.present().length;
  }

  mean(): number {
    return (this.meanValue ??= mean(this.present()));
  }

  std(): number {
    return sampleStd(this.present(), this.mean());
  }

  /** Selection for the first few levels; past SELECT_LEVELS, one sort serves all the rest. */
  quantile(q: number): number {
    if (this.sortedValues === undefined && ++this.quantilesAsked <= SELECT_LEVELS) {
      this.work ??= this.present().slice();
      return quantileSelect(this.work, q);
    }
    if (this.sortedValues === undefined) {
      this.sortedValues = (this.work ?? this.present().slice()).sort();
      this.work = undefined;
    }
    return quantileSorted(this.sortedValues, q);
  }

  private present(): Float64Array {
    return (this.values ??= present(this.numbers));
  }
}

interface Statistic {
  id: string;
  /** "mean", "std", "0.5-quantile". */
  name: string;
  /** "mean(tenure)", for the title. */
  label: string;
  compute: (stats: ColumnStats) => number;
  /** std is a spread, not a value of the column: never shown as a date. */
  isSpread?: boolean;
}

export function checkMean(view: ColumnView, stats: ColumnStats | undefined, bounds: Bounds): CheckResult {
  return checkStatistic(view, stats, bounds, { id: `columns.${view.name}.mean`, name: 'mean', label: `mean(${view.name})`, compute: (s) => s.mean() });
}

export function checkStd(view: ColumnView, stats: ColumnStats | undefined, bounds: Bounds): CheckResult {
  return checkStatistic(view, stats, bounds, { id: `columns.${view.name}.std`, name: 'std', label: `std(${view.name})`, compute: (s) => s.std(), isSpread: true });
}

/** `level` as written in the pipeline ("0.5"), so the id stays what the user typed. */
export function checkQuantile(view: ColumnView, stats: ColumnStats | undefined, level: string, bounds: Bounds): CheckResult {
  const q = Number(level);
  return checkStatistic(view, stats, bounds, { id: `columns.${view.name}.quantiles.${level}`, name: `${level}-quantile`, label: `q${level}(${view.name})`, compute: (s) => s.quantile(q) });
}

function checkStatistic(view: ColumnView, stats: ColumnStats | undefined, bounds: Bounds, stat: Statistic): CheckResult {
  const show = (v: number): string => (stat.isSpread ? formatNumber(v) : view.formatValue(v));
  const base = { id: stat.id, title: boundedTitle(stat.label, bounds, show), column: view.name, expected: boundsText(bounds, show) };
  if (stats === undefined) return notNumbers(view, base, `the ${stat.name}`);
  const v = stat.compute(stats);
  if (Number.isNaN(v)) {
    const why = stats.count === 0 ? 'there are no values' : stat.isSpread && stats.count < 2 ? 'it needs at least 2 values' : 'the values include inf';
    return { ...base, passed: false, actual: 'undefined', message: `${view.name}: the ${stat.name} cannot be computed: ${why}` };
  }
  const low = bounds.min !== undefined && v < bounds.min;
  const high = bounds.max !== undefined && v > bounds.max;
  const near = low ? bounds.min : high ? bounds.max : undefined;
  const shown = view.numberKind === 'datetime' && !stat.isSpread ? show(v) : formatAgainst(v, near);
  if (!low && !high) return { ...base, passed: true, actual: shown, value: v, message: `${view.name}: ${stat.name} ${shown} ${withinText(bounds, show)}` };
  return {
    ...base,
    passed: false,
    actual: shown,
    value: v,
    message: `${view.name}: ${stat.name} ${shown}, ${low ? `below the minimum ${show(bounds.min!)}` : `above the maximum ${show(bounds.max!)}`}`,
  };
}

/** "within [10, 40]", "(minimum 10)", "(maximum 40)". */
function withinText(bounds: Bounds, show: (v: number) => string): string {
  if (bounds.min !== undefined && bounds.max !== undefined) return `within ${boundsText(bounds, show)}`;
  return bounds.min !== undefined ? `(minimum ${show(bounds.min)})` : `(maximum ${show(bounds.max!)})`;
}
