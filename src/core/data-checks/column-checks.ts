/**
 * The checks of one column, in a fixed order (presence, type, missing values,
 * uniqueness, allowed values, pattern, bounds, statistics) so reports of
 * successive runs line up.
 *
 * The pipeline model passes column expectations through as written (the
 * schema layer reports wrong types), so each field is checked for its shape
 * here; a malformed one is a failed check rather than a crash or a pass.
 *
 * The column arrives in chunks (evaluate.ts): each chunk goes to every
 * check's tally (tally.ts), and the results are made at the end.
 */
import { closestName } from '../data/errors';
import type { Column } from '../data/read';
import { COLUMN_TYPES } from '../data/table';
import type { Bounds, ColumnExpectation, ColumnType } from '../pipeline/model';
import { AllowedTally } from './allowed-check';
import { ColumnView } from './column-view';
import { NullShareTally, NullsTally } from './missing-checks';
import { BoundTally } from './range-check';
import { RegexTally } from './regex-check';
import type { CheckResult } from './report';
import { checkStatistic, ColumnStats, meanStatistic, quantileStatistic, StatsTally, stdStatistic } from './stat-checks';
import { ColumnTotals } from './tally';
import type { Tally } from './tally';
import { listNames, plural } from './text';
import { applyType, TypeTally } from './type-check';
import { UniqueTally } from './unique-check';

/** Quantile levels as the schema allows them: "0", "0.25", "1", "1.0". */
const LEVEL = /^(0(\.[0-9]+)?|1(\.0+)?)$/;

/** The result of a field whose expectation is malformed, fixed before the data is read. */
type Entry = Tally | CheckResult;

/** The results for a column that is not in the file. */
export function absentColumn(name: string, spec: ColumnExpectation, fileColumns: readonly string[]): CheckResult[] {
  const required = spec.required !== false;
  const presence = { id: `columns.${name}.present`, title: `${name} present${required ? '' : ' (optional)'}`, column: name, expected: required ? 'present' : 'present or absent' };
  if (!required) return [{ ...presence, passed: true, actual: 'absent', message: `${name}: not in the file; optional, so its other checks are skipped` }];
  const guess = closestName(name, fileColumns);
  const hint = guess !== undefined ? ` (did you mean "${guess}"?)` : '';
  return [{ ...presence, passed: false, actual: 'missing', message: `${name}: no such column${hint}; the file has ${listNames(fileColumns)}` }];
}

export interface ColumnCheckOptions {
  /** See OrderStatistics (tests make it small to take every path). */
  selectLimit?: number;
}

/** The checks of a column that is in the file: fed its chunks, then asked for the results. */
export class ColumnChecker {
  private readonly totals: ColumnTotals;
  private readonly entries: Entry[] = [];
  private readonly tallies: Tally[] = [];
  private readonly declared: ColumnType | undefined;
  /** The tallies that take part in the current pass (the first: all). */
  private passing: Tally[];

  constructor(readonly name: string, private readonly spec: ColumnExpectation, private readonly rowBase: number, options: ColumnCheckOptions = {}) {
    this.totals = new ColumnTotals(name);
    const bad = (field: string, message: string): void => {
      this.entries.push({ id: `columns.${name}.${field}`, title: `${name} ${field}`, column: name, passed: false, expected: 'a valid expectation', actual: 'invalid', message: `${name}: ${field} ${message}` });
    };
    const tally = (t: Tally): void => {
      this.entries.push(t);
      this.tallies.push(t);
    };

    if (spec.type !== undefined) {
      if (COLUMN_TYPES.includes(spec.type)) {
        this.declared = spec.type;
        tally(new TypeTally(spec.type));
      } else bad('type', `must be one of ${COLUMN_TYPES.join(', ')}, not ${JSON.stringify(spec.type)}`);
    }
    if (spec.nulls !== undefined) {
      if (isCount(spec.nulls)) tally(new NullsTally(spec.nulls));
      else bad('nulls', 'must be a whole number ≥ 0');
    }
    if (spec.null_share !== undefined) {
      if (typeof spec.null_share === 'number' && spec.null_share >= 0 && spec.null_share <= 1) tally(new NullShareTally(spec.null_share));
      else bad('null_share', 'must be a number from 0 to 1');
    }
    if (spec.unique !== undefined) {
      if (spec.unique === true) tally(new UniqueTally());
      else if (spec.unique !== false) bad('unique', 'must be true or false');
    }
    if (spec.in !== undefined) {
      if (Array.isArray(spec.in) && spec.in.length > 0 && spec.in.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) tally(new AllowedTally(spec.in));
      else bad('in', 'must be a non-empty list of strings, numbers or booleans');
    }
    if (spec.regex !== undefined) {
      if (typeof spec.regex === 'string') tally(new RegexTally(spec.regex));
      else bad('regex', 'must be a string');
    }
    for (const which of ['min', 'max'] as const) {
      const bound = spec[which];
      if (bound === undefined) continue;
      if (typeof bound === 'number' && Number.isFinite(bound)) tally(new BoundTally(which, bound));
      else bad(which, 'must be a number');
    }

    const stats = new ColumnStats(options.selectLimit);
    let usesStats = false;
    const statistic = (bounds: Bounds, make: () => ReturnType<typeof meanStatistic>): void => {
      usesStats = true;
      this.entries.push({ add: () => undefined, result: (col) => checkStatistic(col, stats, bounds, make()) });
    };
    if (spec.mean !== undefined) {
      if (isBounds(spec.mean)) statistic(spec.mean, () => meanStatistic(name));
      else bad('mean', 'must be { min, max } with at least one number');
    }
    if (spec.std !== undefined) {
      if (isBounds(spec.std)) {
        stats.ask('std');
        statistic(spec.std, () => stdStatistic(name));
      } else bad('std', 'must be { min, max } with at least one number');
    }
    if (spec.quantiles !== undefined) {
      if (spec.quantiles === null || typeof spec.quantiles !== 'object' || Array.isArray(spec.quantiles)) bad('quantiles', 'must map levels such as "0.5" to { min, max }');
      else {
        for (const [level, bounds] of Object.entries(spec.quantiles)) {
          if (!LEVEL.test(level)) bad(`quantiles.${level}`, 'is not a level from "0" to "1"');
          else if (!isBounds(bounds)) bad(`quantiles.${level}`, 'must be { min, max } with at least one number');
          else {
            stats.ask(Number(level));
            statistic(bounds, () => quantileStatistic(name, level));
          }
        }
      }
    }
    if (usesStats) this.tallies.push(new StatsTally(stats));
    this.passing = this.tallies;
  }

  /** A chunk of the column; `firstRow`: its first row's index among the data rows. */
  add(column: Column, firstRow: number): void {
    const view = this.view(column, firstRow);
    const notOfType = this.declared !== undefined ? applyType(view, this.declared) : undefined;
    this.totals.add(view);
    for (const t of this.tallies) t.add(view, notOfType);
  }

  /** After a pass: whether another one is needed. */
  endPass(): boolean {
    for (const t of this.passing) t.endPass?.();
    this.passing = this.tallies.filter((t) => t.wantsPass?.() === true);
    return this.passing.length > 0;
  }

  /** A chunk of a further pass. */
  addPass(column: Column, firstRow: number): void {
    const view = this.view(column, firstRow);
    if (this.declared !== undefined) applyType(view, this.declared);
    for (const t of this.passing) t.addPass!(view);
  }

  results(): CheckResult[] {
    const col = this.totals;
    const present: CheckResult = {
      id: `columns.${this.name}.present`,
      title: `${this.name} present${this.spec.required !== false ? '' : ' (optional)'}`,
      column: this.name,
      expected: this.spec.required !== false ? 'present' : 'present or absent',
      passed: true,
      actual: 'present',
      message: `${this.name}: present (${plural(col.present, 'value')}, ${col.nullCount} missing)`,
    };
    return [present, ...this.entries.map((e) => ('result' in e ? e.result(col) : e))];
  }

  private view(column: Column, firstRow: number): ColumnView {
    return new ColumnView(column, this.rowBase + firstRow);
  }
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function isBounds(b: unknown): b is Bounds {
  if (b === null || typeof b !== 'object' || Array.isArray(b)) return false;
  const { min, max } = b as Record<string, unknown>;
  const ok = (v: unknown): boolean => v === undefined || (typeof v === 'number' && Number.isFinite(v));
  return ok(min) && ok(max) && (min !== undefined || max !== undefined);
}
