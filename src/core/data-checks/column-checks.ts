/**
 * The checks of one column, in a fixed order (presence, type, missing values,
 * uniqueness, allowed values, pattern, bounds, statistics) so reports of
 * successive runs line up.
 *
 * The pipeline model passes column expectations through as written (the
 * schema layer reports wrong types), so each field is checked for its shape
 * here; a malformed one is a failed check rather than a crash or a pass.
 */
import { closestName } from '../data/errors';
import type { Table } from '../data/read';
import { COLUMN_TYPES } from '../data/table';
import type { Bounds, ColumnExpectation } from '../pipeline/model';
import { checkAllowed } from './allowed-check';
import { ColumnView } from './column-view';
import { checkNullShare, checkNulls } from './missing-checks';
import { checkBound } from './range-check';
import { checkRegex } from './regex-check';
import type { CheckResult } from './report';
import { checkMean, checkQuantile, checkStd, ColumnStats } from './stat-checks';
import { listNames, plural } from './text';
import { checkType } from './type-check';
import { checkUnique } from './unique-check';

/** Quantile levels as the schema allows them: "0", "0.25", "1", "1.0". */
const LEVEL = /^(0(\.[0-9]+)?|1(\.0+)?)$/;

export function checkColumn(name: string, spec: ColumnExpectation, table: Table, fileColumns: readonly string[], rowBase: number): CheckResult[] {
  const column = table.columns.get(name);
  const required = spec.required !== false;
  const presence = { id: `columns.${name}.present`, title: `${name} present${required ? '' : ' (optional)'}`, column: name, expected: required ? 'present' : 'present or absent' };
  if (column === undefined) {
    if (!required) return [{ ...presence, passed: true, actual: 'absent', message: `${name}: not in the file; optional, so its other checks are skipped` }];
    const guess = closestName(name, fileColumns);
    const hint = guess !== undefined ? ` (did you mean "${guess}"?)` : '';
    return [{ ...presence, passed: false, actual: 'missing', message: `${name}: no such column${hint}; the file has ${listNames(fileColumns)}` }];
  }

  const view = new ColumnView(column, rowBase);
  const checks: CheckResult[] = [{ ...presence, passed: true, actual: 'present', message: `${name}: present (${plural(view.length - view.nullCount, 'value')}, ${view.nullCount} missing)` }];
  const bad = (field: string, message: string): void => {
    checks.push({ id: `columns.${name}.${field}`, title: `${name} ${field}`, column: name, passed: false, expected: 'a valid expectation', actual: 'invalid', message: `${name}: ${field} ${message}` });
  };

  if (spec.type !== undefined) {
    if (COLUMN_TYPES.includes(spec.type)) checks.push(checkType(view, spec.type));
    else bad('type', `must be one of ${COLUMN_TYPES.join(', ')}, not ${JSON.stringify(spec.type)}`);
  }
  if (spec.nulls !== undefined) {
    if (isCount(spec.nulls)) checks.push(checkNulls(view, spec.nulls));
    else bad('nulls', 'must be a whole number ≥ 0');
  }
  if (spec.null_share !== undefined) {
    if (typeof spec.null_share === 'number' && spec.null_share >= 0 && spec.null_share <= 1) checks.push(checkNullShare(view, spec.null_share));
    else bad('null_share', 'must be a number from 0 to 1');
  }
  if (spec.unique !== undefined) {
    if (spec.unique === true) checks.push(checkUnique(view));
    else if (spec.unique !== false) bad('unique', 'must be true or false');
  }
  if (spec.in !== undefined) {
    if (Array.isArray(spec.in) && spec.in.length > 0 && spec.in.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) checks.push(checkAllowed(view, spec.in));
    else bad('in', 'must be a non-empty list of strings, numbers or booleans');
  }
  if (spec.regex !== undefined) {
    if (typeof spec.regex === 'string') checks.push(checkRegex(view, spec.regex));
    else bad('regex', 'must be a string');
  }
  for (const which of ['min', 'max'] as const) {
    const bound = spec[which];
    if (bound === undefined) continue;
    if (typeof bound === 'number' && Number.isFinite(bound)) checks.push(checkBound(view, which, bound));
    else bad(which, 'must be a number');
  }

  const stats = view.numbers !== undefined ? new ColumnStats(view.numbers) : undefined;
  if (spec.mean !== undefined) {
    if (isBounds(spec.mean)) checks.push(checkMean(view, stats, spec.mean));
    else bad('mean', 'must be { min, max } with at least one number');
  }
  if (spec.std !== undefined) {
    if (isBounds(spec.std)) checks.push(checkStd(view, stats, spec.std));
    else bad('std', 'must be { min, max } with at least one number');
  }
  if (spec.quantiles !== undefined) {
    if (spec.quantiles === null || typeof spec.quantiles !== 'object' || Array.isArray(spec.quantiles)) bad('quantiles', 'must map levels such as "0.5" to { min, max }');
    else {
      for (const [level, bounds] of Object.entries(spec.quantiles)) {
        if (!LEVEL.test(level)) bad(`quantiles.${level}`, 'is not a level from "0" to "1"');
        else if (!isBounds(bounds)) bad(`quantiles.${level}`, 'must be { min, max } with at least one number');
        else checks.push(checkQuantile(view, stats, level, bounds));
      }
    }
  }
  return checks;
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
