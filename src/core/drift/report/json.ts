/**
 * The report as JSON and back. JSON has no Infinity or NaN (a chi-square
 * statistic is Infinity when current has a new category, a p-value can be
 * NaN), and JSON.stringify would silently write null: these are written as
 * the strings "Infinity", "-Infinity" and "NaN", and parseDriftReport (through
 * checkDriftReport) turns them back into numbers.
 */
import type { DriftReport } from './types';
import { checkDriftReport } from './validate';

export function formatJson(r: DriftReport): string {
  return JSON.stringify(r, (_key, value: unknown) => {
    if (typeof value === 'number' && !Number.isFinite(value)) return String(value); // "Infinity", "-Infinity", "NaN"
    return value;
  }, 2) + '\n';
}

/** Reads a report written by formatJson; throws an Error naming the problem for anything else. */
export function parseDriftReport(text: string): DriftReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`not a drift report: not JSON (${(e as Error).message})`);
  }
  return checkDriftReport(data);
}
