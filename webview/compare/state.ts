/**
 * The saved view (vscode.setState). VS Code keeps it as JSON, which turns
 * NaN and Infinity into null: metric and history numbers are stored as
 * strings and turned back here. The last payload is kept only up to
 * MAX_SAVED_RUNS runs and MAX_SAVED_CHARS of JSON: setState serialises the whole state on every save,
 * and megabytes of runs on each click would make selection sluggish (a
 * bigger comparison is re-sent by the extension after 'ready').
 */
import type { ComparePanelState, ComparePayload } from '../../src/protocol/compare-panel';
export const MAX_SAVED_RUNS = 1000;
/** Long histories make even a few runs big: cap the saved JSON too (characters). */
export const MAX_SAVED_CHARS = 2_000_000;

export function defaultState(): ComparePanelState {
  return { selected: [], sort: { key: 'name', dir: 'asc' }, onlyDiff: false };
}

/** The payload as it is saved: undefined when too big (see above). */
export function savedPayload(payload: ComparePayload): ComparePayload | undefined {
  if (payload.runs.length > MAX_SAVED_RUNS) return undefined;
  // As shared/vscode-api.ts encodeNonFinite: NaN and ±Infinity as strings.
  const json = JSON.stringify(payload, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
  return json.length <= MAX_SAVED_CHARS ? (JSON.parse(json) as ComparePayload) : undefined;
}

function num(v: unknown): unknown {
  return v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : v;
}

/** A saved state back to a usable one (missing fields defaulted, non-finite numbers decoded). */
export function restoreState(saved: Partial<ComparePanelState> | undefined): ComparePanelState {
  const state = { ...defaultState(), ...(saved ?? {}) };
  if (!Array.isArray(state.selected)) state.selected = [];
  const last = state.last;
  if (last && Array.isArray(last.runs)) {
    for (const r of last.runs) {
      for (const k of Object.keys(r.metrics ?? {})) r.metrics[k] = num(r.metrics[k]) as number;
      for (const rows of Object.values(r.history ?? {})) for (const row of rows) for (const k of Object.keys(row)) row[k] = num(row[k]) as number;
    }
  } else state.last = undefined;
  return state;
}
