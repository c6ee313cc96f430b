/**
 * Lines of the files training writes while it runs, each complete line
 * parsed on its own (an incomplete last line waits for its line end):
 * - a declared history, CSV with a header or JSON lines, one row per step;
 * - DVCLive's `plots/metrics/<name>.tsv`: `timestamp  step  <name>`;
 * - an MLflow file store's `metrics/<name>`: `<timestamp> <value> <step>`.
 */
import type { LivePoint } from './types';

function num(s: string | undefined): number {
  if (s === undefined) return NaN;
  const t = s.trim();
  if (/^[-+]?inf(inity)?$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (t === '' || /^(nan|na|null|none)$/i.test(t)) return NaN;
  return Number(t);
}

export type LineFormat = { kind: 'csv'; header: string[]; delimiter: string } | { kind: 'jsonl' } | { kind: 'mlflow'; name: string };

/** Points of one complete line; `row` numbers rows without a step. */
export function pointsOfLine(line: string, format: LineFormat, row: number): LivePoint[] {
  if (line.trim() === '') return [];
  if (format.kind === 'mlflow') {
    const [, value, step] = line.trim().split(/\s+/);
    const v = num(value);
    const s = num(step);
    return [{ name: format.name, step: Number.isFinite(s) ? s : row, value: v }];
  }
  let cells: Record<string, number>;
  if (format.kind === 'jsonl') {
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      return [];
    }
    if (!o || typeof o !== 'object') return [];
    cells = {};
    for (const [k, v] of Object.entries(o as Record<string, unknown>)) cells[k] = typeof v === 'number' ? v : v === null ? NaN : num(String(v));
  } else {
    const parts = line.split(format.delimiter);
    if (parts.length !== format.header.length) return [];
    cells = Object.fromEntries(format.header.map((h, i) => [h, num(parts[i])]));
  }
  const step = 'step' in cells && Number.isFinite(cells.step) ? cells.step! : row;
  return Object.entries(cells).filter(([k]) => k !== 'step' && k !== 'timestamp').map(([name, value]) => ({ name, step, value }));
}
