/**
 * The report as JSON and back. JSON has no Infinity or NaN (a chi-square
 * statistic is Infinity when current has a new category, a p-value can be
 * NaN), and JSON.stringify would silently write null: these are written as
 * the strings "Infinity", "-Infinity" and "NaN", and parseDriftReport turns
 * them back into numbers.
 */
import type { DriftReport } from './types';
import { DRIFT_REPORT_VERSION } from './types';

const NUMERIC_KEYS = new Set(['statistic', 'pvalue', 'distance', 'threshold', 'driftedShare', 'share']);

export function formatJson(r: DriftReport): string {
  return JSON.stringify(r, (_key, value: unknown) => {
    if (typeof value === 'number' && !Number.isFinite(value)) return String(value); // "Infinity", "-Infinity", "NaN"
    return value;
  }, 2) + '\n';
}

/** Reads a report written by formatJson; throws an Error naming the problem for anything else. */
export function parseDriftReport(text: string): DriftReport {
  const data: unknown = JSON.parse(text, (key, value: unknown) => {
    if (NUMERIC_KEYS.has(key) && (value === 'Infinity' || value === '-Infinity' || value === 'NaN')) return Number(value);
    return value;
  });
  if (typeof data !== 'object' || data === null) throw new Error('not a drift report: expected a JSON object');
  const version = (data as { version?: unknown }).version;
  if (version !== DRIFT_REPORT_VERSION) {
    throw new Error(`unsupported drift report version ${JSON.stringify(version)} (this mlci reads version ${DRIFT_REPORT_VERSION})`);
  }
  const r = data as Partial<DriftReport>;
  if (typeof r.datasetDrift !== 'boolean' || !Array.isArray(r.columns)) {
    throw new Error('not a drift report: "datasetDrift" (boolean) and "columns" (array) are required');
  }
  return data as DriftReport;
}
