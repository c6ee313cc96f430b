/** Shared helpers for the data-check tests: fixtures, pandas' numbers, finding a check. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult, DataCheckReport } from '../../../src/core/data-checks';
import type { ColumnExpectation, Expectations } from '../../../src/core/pipeline/model';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'data-checks');

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** Numbers computed by pandas (test/fixtures/data-checks/expected.py). */
export interface PandasStats {
  count: number;
  nulls: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  quantiles: Record<string, number>;
}

interface ExpectedFile {
  rows: number;
  columns: Record<string, Partial<PandasStats> & { duplicated?: number; null_share?: number }>;
}

export const PANDAS = JSON.parse(readFileSync(fixture('expected.json'), 'utf8')) as Record<string, ExpectedFile>;

export function expectation(file: string, columns: Record<string, ColumnExpectation>, rest: Partial<Expectations> = {}): Expectations {
  return { file, format: 'auto', columns, ...rest };
}

export function check(report: DataCheckReport, id: string): CheckResult {
  const found = report.checks.find((c) => c.id === id);
  assert.ok(found, `no check ${id}; the checks are ${report.checks.map((c) => c.id).join(', ')}`);
  return found;
}

/** Agreement with pandas: the last few bits may differ (summation order, q*100/100 in percentile). */
export function assertClose(actual: number | undefined, expected: number, what: string): void {
  assert.ok(actual !== undefined, `${what}: no value`);
  const tolerance = 1e-12 * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs pandas ${expected}`);
}
