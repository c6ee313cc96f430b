/**
 * The Plots panel's data side, without the DOM: plots aligned across runs
 * (one card per plot id, first-seen order), the filter, the CSV of the data
 * behind a plot, and the saved state (NaN and infinities survive JSON as
 * strings, as the comparison panel does).
 */
import type { PlotData, PlotsPanelState, PlotsPayload, PlotsRun } from '../../src/protocol/plots-panel';
import { csvField } from '../compare/model';
import { decodeNonFinite, encodeNonFinite } from '../shared/vscode-api';

export interface Aligned {
  id: string;
  title: string;
  stage?: string;
  path: string;
  /** One entry per run, in payload order (undefined: the run has no such plot). */
  byRun: Array<PlotData | undefined>;
}

export function alignRuns(runs: readonly PlotsRun[]): Aligned[] {
  const cards = new Map<string, Aligned>();
  runs.forEach((run, i) => {
    for (const p of run.plots) {
      let a = cards.get(p.id);
      if (!a) cards.set(p.id, (a = { id: p.id, title: p.title, ...(p.stage !== undefined ? { stage: p.stage } : {}), path: p.path, byRun: runs.map(() => undefined) }));
      a.byRun[i] = p;
    }
  });
  return [...cards.values()];
}

export function matches(a: Aligned, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  if (!f) return true;
  return [a.title, a.path, a.stage ?? ''].some((t) => t.toLowerCase().includes(f));
}

const line = (cells: Array<string | number>) => cells.map(csvField).join(',');

/** The data behind one card: every run's rows, with the run as the first column. */
export function plotCsv(a: Aligned, runs: readonly PlotsRun[]): string {
  const rows: string[] = [];
  const present = a.byRun.flatMap((p, i) => (p ? [{ p, run: runs[i]!.label }] : []));
  const kind = present.find((x) => x.p.kind !== 'error')?.p.kind ?? 'error';
  if (kind === 'xy') rows.push(line(['run', 'series', 'x', 'y']));
  else if (kind === 'bar') rows.push(line(['run', 'series', 'label', 'value']));
  else if (kind === 'confusion') rows.push(line(['run', 'actual', 'predicted', 'count']));
  else if (kind === 'image') rows.push(line(['run', 'mime', 'bytes', 'base64']));
  else rows.push(line(['run', 'error']));
  for (const { p, run } of present) {
    if (p.kind === 'xy') for (const s of p.series) for (const pt of s.points) rows.push(line([run, s.name, pt.x, pt.y]));
    else if (p.kind === 'bar') for (const s of p.series) s.values.forEach((v, i) => rows.push(line([run, s.name, p.labels[i] ?? '', v])));
    else if (p.kind === 'confusion') p.labels.forEach((actual, r) => p.labels.forEach((predicted, c) => rows.push(line([run, actual, predicted, p.counts[r]![c]!]))));
    else if (p.kind === 'image') rows.push(line([run, p.mime, p.bytes, p.data]));
    else rows.push(line([run, p.error]));
  }
  return rows.join('\r\n') + '\r\n';
}

export function defaultState(): PlotsPanelState {
  return { layout: 'overlay', filter: '' };
}

/** Saved JSON stays under this many characters: setState serialises it all on every save. */
export const MAX_SAVED_CHARS = 2_000_000;

/** About how many characters the payload's JSON takes, counted without making it (that alone takes seconds for 20 MB). */
export function estimateChars(payload: PlotsPayload): number {
  let n = 0;
  for (const r of payload.runs) {
    for (const p of r.plots) {
      n += 200;
      if (p.kind === 'xy') for (const s of p.series) n += s.points.length * 40;
      else if (p.kind === 'bar') n += p.labels.length * 30 * (1 + p.series.length);
      else if (p.kind === 'confusion') n += p.counts.length * p.counts.length * 8 + p.labels.length * 20;
      else if (p.kind === 'image') n += p.data.length;
      else n += p.error.length;
    }
  }
  return n;
}

/** The payload as saved: undefined when too big (the extension sends it again after 'ready'). */
export function savedPayload(payload: PlotsPayload): PlotsPayload | undefined {
  if (estimateChars(payload) > MAX_SAVED_CHARS) return undefined;
  const encoded = encodeNonFinite(payload);
  return JSON.stringify(encoded).length <= MAX_SAVED_CHARS ? encoded : undefined;
}

const NUMERIC_KEYS = new Set(['x', 'y']);

/** Saved state back to a usable one: defaults filled in, points' NaN/±Infinity decoded (only x and y: a label may be "NaN"). */
export function restoreState(saved: Partial<PlotsPanelState> | undefined): PlotsPanelState {
  const state = { ...defaultState(), ...(saved ?? {}) };
  if (state.layout !== 'overlay' && state.layout !== 'side') state.layout = 'overlay';
  if (typeof state.filter !== 'string') state.filter = '';
  if (state.last && Array.isArray(state.last.runs)) {
    state.last = decodeNonFinite(state.last, NUMERIC_KEYS);
  } else delete state.last;
  return state;
}
