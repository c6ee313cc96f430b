/**
 * Model-based importances written by a stage's own code (e.g. permutation
 * importance): a CSV with columns `feature`, `importance` and optionally
 * `std`, or JSON as a list of { feature, importance, std? } objects, an
 * object { features: [...] } holding such a list, or a plain
 * { feature: importance } object. Errors name the file and the row or item.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path, { extname } from 'node:path';
import { readTable } from '../data/read';
import { cellText } from '../data/table';
import type { FeatureImportance, ImportanceReport } from './types';
import { IMPORTANCE_REPORT_VERSION } from './types';

export class ImportanceFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportanceFileError';
  }
}

export async function readImportancesFile(abs: string, label: string): Promise<ImportanceReport> {
  const features = extname(abs).toLowerCase() === '.json' ? await fromJson(abs, label) : await fromCsv(abs, label);
  const seen = new Set<string>();
  for (const f of features) {
    if (seen.has(f.feature)) throw new ImportanceFileError(`${label}: feature "${f.feature}" is listed twice`);
    seen.add(f.feature);
  }
  features.sort((a, b) => (b.importance ?? -Infinity) - (a.importance ?? -Infinity));
  return { version: IMPORTANCE_REPORT_VERSION, source: 'model', file: label, features, problems: [] };
}

/**
 * The same, from text (a file at a git ref): an importance report mlci wrote
 * (`importance.report`) or an importances file. CSV goes through the same
 * reader via a private temporary file.
 */
export async function parseImportancesText(text: string, name: string, label: string): Promise<ImportanceReport> {
  if (extname(name).toLowerCase() === '.json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new ImportanceFileError(`${label}: not valid JSON: ${(e as Error).message}`);
    }
    const d = data as Partial<ImportanceReport> | null;
    if (d && typeof d === 'object' && typeof d.version === 'number' && (d.source === 'data' || d.source === 'model') && Array.isArray(d.features)) return d as ImportanceReport;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mlci-importances-'));
  try {
    const file = path.join(dir, `importances${extname(name).toLowerCase() || '.csv'}`);
    await writeFile(file, text);
    return await readImportancesFile(file, label);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function fromCsv(abs: string, label: string): Promise<FeatureImportance[]> {
  const probe = await readTable(abs, { file: label, types: { feature: 'text' } }).catch((e: Error) => {
    throw new ImportanceFileError(e.message.replace(/^([^:]+): unknown column/, '$1: missing column'));
  });
  if (!probe.columns.has('importance')) throw new ImportanceFileError(`${label}: needs the columns feature and importance (and optionally std); found ${[...probe.columns.keys()].join(', ')}`);
  const table = await readTable(abs, { file: label, types: { feature: 'text', importance: 'number', ...(probe.columns.has('std') ? { std: 'number' as const } : {}) } })
    .catch((e: Error) => { throw new ImportanceFileError(e.message); });
  const feature = table.columns.get('feature')!;
  const importance = table.columns.get('importance')!;
  const std = table.columns.get('std');
  const out: FeatureImportance[] = [];
  for (let i = 0; i < table.rowCount; i++) {
    const name = cellText(feature, i);
    const value = cellText(importance, i);
    if (name === undefined) throw new ImportanceFileError(`${label}: row ${i + 2}: the feature name is empty`);
    if (typeof value !== 'number') throw new ImportanceFileError(`${label}: row ${i + 2}: feature "${name}" has no importance`);
    const entry: FeatureImportance = { feature: String(name), importance: value };
    const s = std ? cellText(std, i) : undefined;
    if (typeof s === 'number') entry.std = s;
    out.push(entry);
  }
  return out;
}

async function fromJson(abs: string, label: string): Promise<FeatureImportance[]> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(abs, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ImportanceFileError(code === 'ENOENT' ? `${label}: no such file` : `${label}: not valid JSON: ${(e as Error).message}`);
  }
  if (data && typeof data === 'object' && !Array.isArray(data) && Array.isArray((data as { features?: unknown }).features)) data = (data as { features: unknown[] }).features;
  if (Array.isArray(data)) {
    return data.map((item, k) => {
      const o = item as Record<string, unknown> | null;
      const where = `${label}: item ${k + 1}`;
      if (!o || typeof o !== 'object') throw new ImportanceFileError(`${where}: expected an object { feature, importance, std? }`);
      if (typeof o.feature !== 'string' || o.feature === '') throw new ImportanceFileError(`${where}: "feature" must be a non-empty string`);
      if (typeof o.importance !== 'number' || !Number.isFinite(o.importance)) throw new ImportanceFileError(`${where} (${o.feature}): "importance" must be a number`);
      if (o.std !== undefined && (typeof o.std !== 'number' || !Number.isFinite(o.std) || o.std < 0)) throw new ImportanceFileError(`${where} (${o.feature}): "std" must be a number >= 0`);
      return { feature: o.feature, importance: o.importance, ...(typeof o.std === 'number' ? { std: o.std } : {}) };
    });
  }
  if (data && typeof data === 'object') {
    return Object.entries(data as Record<string, unknown>).map(([feature, v]) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ImportanceFileError(`${label}: "${feature}" must map to a number (its importance)`);
      return { feature, importance: v };
    });
  }
  throw new ImportanceFileError(`${label}: expected a list of { feature, importance, std? } or an object of feature: importance`);
}
