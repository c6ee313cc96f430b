/**
 * Shared helpers for the drift-stats tests: loading the scipy fixtures
 * (test/fixtures/drift-stats, made by scripts/scipy/make-drift-fixtures.py)
 * and comparing with a relative tolerance, recording the worst error seen so
 * the agreement can be reported.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURE_DIR = join(__dirname, '..', '..', 'fixtures', 'drift-stats');

/** Statistics: relative 1e-9. */
export const STAT_RTOL = 1e-9;
/** p-values: relative 1e-6, with an absolute floor for values scipy gives as (nearly) 0. */
export const P_RTOL = 1e-6;
export const P_ATOL = 1e-300;

/** JSON lacks NaN/Infinity: the generator writes them as strings. */
export function num(v: unknown): number {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v !== 'number') throw new TypeError(`not a number in fixture: ${JSON.stringify(v)}`);
  return v;
}

export function nums(v: unknown): Float64Array {
  return Float64Array.from(v as unknown[], num);
}

/** Integers over a divisor, exactly as numpy's `np.asarray(ints, float) / scale`. */
export function scaled(ints: readonly number[], scale: number): Float64Array {
  return Float64Array.from(ints, (i) => i / scale);
}

export interface Fixture<C> {
  meta: { scipy: string; numpy: string; description: string };
  cases: C[];
}

export function loadFixture<C>(name: string): Fixture<C> {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, name), 'utf8')) as Fixture<C>;
}

const worst = new Map<string, { rel: number; where: string }>();

/** Worst relative error seen per named quantity, for the agreement report. */
export function agreementReport(): Map<string, { rel: number; where: string }> {
  return worst;
}

function record(kind: string, rel: number, where: string): void {
  const w = worst.get(kind);
  if (!w || rel > w.rel) worst.set(kind, { rel, where });
}

/**
 * Assert actual ~ expected: NaN matches NaN, infinities match exactly, else
 * |a - e| <= max(rtol |e|, atol).
 */
export function assertClose(kind: string, actual: number, expected: number, rtol: number, atol: number, where: string): void {
  if (Number.isNaN(expected)) {
    assert.ok(Number.isNaN(actual), `${where}: ${kind} expected NaN, got ${actual}`);
    record(kind, 0, where);
    return;
  }
  if (!Number.isFinite(expected)) {
    assert.equal(actual, expected, `${where}: ${kind}`);
    record(kind, 0, where);
    return;
  }
  const err = Math.abs(actual - expected);
  const rel = expected === 0 ? (err === 0 ? 0 : Infinity) : err / Math.abs(expected);
  record(kind, err <= atol && rel > rtol ? 0 : rel, where);
  assert.ok(
    err <= Math.max(rtol * Math.abs(expected), atol),
    `${where}: ${kind} ${actual} vs scipy ${expected} (relative error ${rel})`,
  );
}

export function assertStat(kind: string, actual: number, expected: number, where: string): void {
  assertClose(kind, actual, expected, STAT_RTOL, 0, where);
}

export function assertP(kind: string, actual: number, expected: number, where: string): void {
  assertClose(kind, actual, expected, P_RTOL, P_ATOL, where);
}

// A root-level hook (this module is loaded once, at the top level of the first
// spec that imports it): with MLCI_DRIFT_AGREEMENT=1 print the worst relative
// error per quantity after all suites ran.
after(() => {
  if (!process.env.MLCI_DRIFT_AGREEMENT) return;
  const rows = [...worst.entries()].sort(([a], [b]) => a.localeCompare(b));
  console.log('\n  drift-stats agreement with scipy (max relative error):');
  for (const [k, v] of rows) console.log(`    ${k.padEnd(28)} ${v.rel.toExponential(2)}  (${v.where})`);
});
