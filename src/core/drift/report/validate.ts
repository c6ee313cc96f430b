/**
 * The typed guard for drift reports read back (a report file, a run
 * record's copy): schemas/drift-report.schema.json checked with ajv, then
 * what a schema cannot say (histogram bars and bins of matching lengths).
 * A report that passes is safe to render; one that fails gives one message
 * naming the field and what is wrong with it, so the panel can say so
 * instead of waiting for a report it cannot draw.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv from 'ajv';
import schemaJson from '../../../../schemas/drift-report.schema.json';
import type { DriftReport } from './types';
import { DRIFT_REPORT_VERSION } from './types';

const SCORE_KEYS = new Set(['statistic', 'pvalue', 'distance', 'threshold']);

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  // Compiled on first use (a report opened), not at import: keeps activation cheap.
  compiled ??= new Ajv({ allErrors: false, strict: false, verbose: true }).compile(schemaJson);
  return compiled;
}

/** "columns[2].histogram.edges" from ajv's "/columns/2/histogram/edges". */
function fieldName(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

function shown(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describe(e: ErrorObject): string {
  if (e.keyword === 'required') {
    return `${fieldName(e.instancePath, (e.params as { missingProperty: string }).missingProperty)} is missing`;
  }
  const where = fieldName(e.instancePath) || 'the report';
  switch (e.keyword) {
    case 'type': return `${where} must be ${articled((e.params as { type: string }).type)}, not ${shown(e.data)}`;
    case 'enum': return `${where} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map(shown).join(', ')}, not ${shown(e.data)}`;
    case 'anyOf': return `${where} must be a number, not ${shown(e.data)}`;
    default: return `${where} ${e.message ?? 'is not valid'}${e.data !== undefined && typeof e.data !== 'object' ? ` (${shown(e.data)})` : ''}`;
  }
}

function articled(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Lengths a renderer relies on: n bins have n+1 edges (numbers) or n categories. */
function shapeProblem(report: DriftReport): string | undefined {
  for (const [i, c] of report.columns.entries()) {
    const h = c.histogram;
    const where = `columns[${i}] (${JSON.stringify(c.name)}).histogram`;
    if (h.reference.length !== h.current.length) return `${where}: reference has ${h.reference.length} bars but current ${h.current.length}`;
    if (h.kind === 'numeric' && h.edges.length !== h.reference.length + 1) {
      return `${where}: ${h.reference.length} bins need ${h.reference.length + 1} edges, not ${h.edges.length}`;
    }
    if (h.kind === 'categorical' && h.categories.length !== h.reference.length) {
      return `${where}: ${h.categories.length} categories but ${h.reference.length} bars`;
    }
  }
  return undefined;
}

/**
 * Checks parsed JSON (non-finite numbers still as strings, or as null from
 * a run record) and returns it as a DriftReport with those numbers revived;
 * throws an Error saying what is wrong. Reports from before `problems`
 * existed get an empty list.
 */
export function checkDriftReport(data: unknown): DriftReport {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('not a drift report: expected a JSON object');
  const version = (data as { version?: unknown }).version;
  if (version !== DRIFT_REPORT_VERSION) {
    throw new Error(`unsupported drift report version ${JSON.stringify(version)} (this mlci reads version ${DRIFT_REPORT_VERSION})`);
  }
  const validate = validator();
  if (!validate(data)) throw new Error(`not a valid drift report: ${describe(validate.errors![0]!)}`);
  const report = data as DriftReport;
  for (const c of report.columns as unknown as Record<string, unknown>[]) {
    for (const key of SCORE_KEYS) {
      const v = c[key];
      if (typeof v === 'string') c[key] = Number(v);
      else if (v === null) c[key] = NaN;
    }
  }
  report.problems ??= [];
  const shape = shapeProblem(report);
  if (shape) throw new Error(`not a valid drift report: ${shape}`);
  return report;
}
