/**
 * Reading what stages report: metrics files (a JSON object; nested keys
 * flatten to `a.b`, only numbers are kept, booleans as 0/1) and history
 * files (CSV, TSV or JSON lines, one row per step with a `step` column).
 * Unreadable files give a clear error naming the file, never a crash.
 */
import { FILE_LIMITS, FileReadError, readRegularFile } from '../files/regular-file';
import { readCsvTable } from '../plots/read-table';

export type Metrics = Record<string, number>;

export function flattenMetrics(value: unknown, prefix = '', out: Metrics = {}): Metrics {
  if (typeof value === 'number' && Number.isFinite(value)) out[prefix] = value;
  else if (typeof value === 'boolean') out[prefix] = value ? 1 : 0;
  else if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flattenMetrics(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

export async function readMetricsFile(absPath: string, shown: string): Promise<Metrics> {
  let text: string;
  try {
    text = await readRegularFile(absPath, FILE_LIMITS.record, `metrics file '${shown}'`);
  } catch (e) {
    if (e instanceof FileReadError) throw e;
    throw new Error(`metrics file '${shown}' was not written by the stage`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`metrics file '${shown}' is not valid JSON: ${(e as Error).message}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error(`metrics file '${shown}' must hold a JSON object of metric names to numbers`);
  return flattenMetrics(data);
}

export type HistoryRow = Record<string, number>;

function toNumber(s: string): number {
  const t = s.trim();
  if (t === '' || /^(nan|na|null|none)$/i.test(t)) return NaN;
  if (/^[-+]?inf(inity)?$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  return Number(t);
}

/**
 * CSV or TSV (DVCLive writes `timestamp<TAB>step<TAB>loss`), through the
 * project's CSV tokenizer: the delimiter is `.tsv`'s tab or sniffed (comma,
 * tab, semicolon, pipe), quoted fields are fields. A last line cut short
 * (still being written) is left out; a short line anywhere else is an error.
 */
function delimitedRows(text: string, shown: string): HistoryRow[] {
  let table;
  try {
    table = readCsvTable(Buffer.from(text, 'utf8'), shown, shown.toLowerCase().endsWith('.tsv') ? '\t' : 'auto');
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(`history file '${shown}': ${msg.startsWith(shown) ? msg.slice(shown.length).replace(/^:?\s*/, '') : msg}`);
  }
  const cols = table.fields.map((f) => table.columns.get(f)!);
  const rows: HistoryRow[] = new Array(table.length);
  for (let i = 0; i < table.length; i++) {
    const row: HistoryRow = {};
    table.fields.forEach((f, j) => {
      const c = cols[j]![i];
      row[f] = typeof c === 'number' ? c : typeof c === 'boolean' ? Number(c) : c === null || c === undefined ? NaN : toNumber(c);
    });
    rows[i] = row;
  }
  return rows;
}

/** History rows sorted by step; NaN/inf kept (the convergence gate needs to see them). */
export async function readHistoryFile(absPath: string, shown: string): Promise<HistoryRow[]> {
  let text: string;
  try {
    text = await readRegularFile(absPath, FILE_LIMITS.record, `history file '${shown}'`);
  } catch (e) {
    if (e instanceof FileReadError) throw e;
    throw new Error(`history file '${shown}' was not written by the stage`);
  }
  if (text.trim() === '') return [];
  let rows: HistoryRow[];
  if (text.trimStart().startsWith('{')) {
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    rows = lines.map((l, i) => {
      let o: unknown;
      try {
        o = JSON.parse(l);
      } catch {
        throw new Error(`history file '${shown}' line ${i + 1} is not valid JSON`);
      }
      const row: HistoryRow = {};
      for (const [k, v] of Object.entries(o as object)) row[k] = typeof v === 'number' ? v : v === null ? NaN : toNumber(String(v));
      return row;
    });
  } else {
    rows = delimitedRows(text, shown);
  }
  if (rows.length && !('step' in rows[0])) rows.forEach((r, i) => (r.step = i));
  return rows.sort((a, b) => a.step - b.step);
}
