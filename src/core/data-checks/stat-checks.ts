/**
 * `mean`, `std` and `quantiles`: bounds on statistics of the non-missing
 * values (see stats.ts for the definitions). A statistic that does not exist
 * (no values; std of one value) fails its check: the bound cannot be met.
 *
 * The values arrive in chunks and are not kept. The mean is summed as it
 * goes (numpy's blocks, so the bits are pandas'); std needs the mean first,
 * so its squares are summed in a second pass over the column; quantiles are
 * exact order statistics found in bounded memory over two or more passes
 * (order-statistics.ts). Only columns with std or quantile checks take
 * those passes.
 */
import { StreamingNumpySum } from '../drift/stats/sum';
import type { Bounds } from '../pipeline/model';
import type { ColumnView } from './column-view';
import { OrderStatistics } from './order-statistics';
import { notNumbers } from './range-check';
import type { CheckResult } from './report';
import { quantileOfRanks, quantileRanks } from './stats';
import type { ColumnTotals, Tally } from './tally';
import { boundedTitle, boundsText, formatAgainst, formatNumber } from './text';

/** A column's statistics, shared by its mean, std and quantile checks. */
export class ColumnStats {
  count = 0;
  private readonly sum = new StreamingNumpySum();
  private squares: StreamingNumpySum | undefined;
  private stdValue = NaN;
  private order: OrderStatistics | undefined;
  private readonly levels: number[] = [];
  private needStd = false;
  private passes = 0;

  constructor(private readonly selectLimit?: number) {}

  /** Before the first chunk: which statistics are asked for. */
  ask(what: 'std' | number): void {
    if (what === 'std') this.needStd = true;
    else {
      this.levels.push(what);
      this.order ??= new OrderStatistics(this.selectLimit);
    }
  }

  add(view: ColumnView): void {
    const numbers = view.numbers;
    if (numbers === undefined) return;
    const sum = this.sum;
    let n = 0;
    for (let i = 0; i < numbers.length; i++) {
      const v = numbers[i];
      if (v === v) {
        sum.push(v);
        n++;
      }
    }
    this.count += n;
    this.order?.add(numbers);
  }

  wantsPass(): boolean {
    return this.squares !== undefined || (this.order?.pending ?? false);
  }

  addPass(view: ColumnView): void {
    const numbers = view.numbers;
    if (numbers === undefined) return;
    if (this.squares !== undefined) {
      const m = this.mean();
      for (let i = 0; i < numbers.length; i++) {
        const v = numbers[i];
        if (v !== v) continue;
        const d = v - m;
        this.squares.push(d * d);
      }
    }
    this.order?.addPass(numbers);
  }

  /** After each pass, the first included. */
  endPass(): void {
    if (this.passes === 0) {
      this.squares = this.needStd && this.count >= 2 ? new StreamingNumpySum() : undefined;
      this.order?.want(this.levels.flatMap((q) => quantileRanks(this.count, q)));
    } else {
      if (this.squares !== undefined) this.stdValue = Math.sqrt(this.squares.total() / (this.count - 1));
      this.squares = undefined;
      this.order?.endPass();
    }
    this.passes++;
  }

  mean(): number {
    return this.count === 0 ? NaN : this.sum.total() / this.count;
  }

  /** Sample std (ddof 1), NaN below 2 values. */
  std(): number {
    return this.stdValue;
  }

  quantile(q: number): number {
    const order = this.order;
    return quantileOfRanks(this.count, q, (k) => order?.at(k) ?? NaN);
  }
}

/** The column's statistics as a tally (the first of its statistic checks). */
export class StatsTally implements Tally {
  constructor(readonly stats: ColumnStats) {}
  add(view: ColumnView): void {
    this.stats.add(view);
  }
  wantsPass(): boolean {
    return this.stats.wantsPass();
  }
  addPass(view: ColumnView): void {
    this.stats.addPass(view);
  }
  endPass(): void {
    this.stats.endPass();
  }
  result(): CheckResult {
    throw new Error('StatsTally has no result of its own');
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

export function meanStatistic(name: string): Statistic {
  return { id: `columns.${name}.mean`, name: 'mean', label: `mean(${name})`, compute: (s) => s.mean() };
}

export function stdStatistic(name: string): Statistic {
  return { id: `columns.${name}.std`, name: 'std', label: `std(${name})`, compute: (s) => s.std(), isSpread: true };
}

/** `level` as written in the pipeline ("0.5"), so the id stays what the user typed. */
export function quantileStatistic(name: string, level: string): Statistic {
  const q = Number(level);
  return { id: `columns.${name}.quantiles.${level}`, name: `${level}-quantile`, label: `q${level}(${name})`, compute: (s) => s.quantile(q) };
}

export function checkStatistic(col: ColumnTotals, stats: ColumnStats, bounds: Bounds, stat: Statistic): CheckResult {
  const show = (v: number): string => (stat.isSpread ? formatNumber(v) : col.formatValue(v));
  const base = { id: stat.id, title: boundedTitle(stat.label, bounds, show), column: col.name, expected: boundsText(bounds, show) };
  if (!col.numeric) return notNumbers(col, base, `the ${stat.name}`);
  const v = stat.compute(stats);
  if (Number.isNaN(v)) {
    const why = stats.count === 0 ? 'there are no values' : stat.isSpread && stats.count < 2 ? 'it needs at least 2 values' : 'the values include inf';
    return { ...base, passed: false, actual: 'undefined', message: `${col.name}: the ${stat.name} cannot be computed: ${why}` };
  }
  const low = bounds.min !== undefined && v < bounds.min;
  const high = bounds.max !== undefined && v > bounds.max;
  const near = low ? bounds.min : high ? bounds.max : undefined;
  const shown = col.numberKind === 'datetime' && !stat.isSpread ? show(v) : formatAgainst(v, near);
  if (!low && !high) return { ...base, passed: true, actual: shown, value: v, message: `${col.name}: ${stat.name} ${shown} ${withinText(bounds, show)}` };
  return {
    ...base,
    passed: false,
    actual: shown,
    value: v,
    message: `${col.name}: ${stat.name} ${shown}, ${low ? `below the minimum ${show(bounds.min!)}` : `above the maximum ${show(bounds.max!)}`}`,
  };
}

/** "within [10, 40]", "(minimum 10)", "(maximum 40)". */
function withinText(bounds: Bounds, show: (v: number) => string): string {
  if (bounds.min !== undefined && bounds.max !== undefined) return `within ${boundsText(bounds, show)}`;
  return bounds.min !== undefined ? `(minimum ${show(bounds.min)})` : `(maximum ${show(bounds.max!)})`;
}
