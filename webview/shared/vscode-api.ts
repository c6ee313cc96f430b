/**
 * The typed handle on acquireVsCodeApi (which VS Code injects and allows to
 * be called once per page). Message and state types come from src/protocol.
 */

export interface VsCodeApi<Out, State> {
  postMessage(message: Out): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi(): { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void };

let api: unknown;

export function vscodeApi<Out, State>(): VsCodeApi<Out, State> {
  api ??= acquireVsCodeApi();
  return api as VsCodeApi<Out, State>;
}

/**
 * VS Code keeps webview state as JSON, which turns Infinity and NaN into null.
 * Encode them as strings (the report file does the same) and back.
 */
export function encodeNonFinite<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))) as T;
}

/** Decodes only under the given keys: a category may well be called "NaN". */
export function decodeNonFinite<T>(value: T, numericKeys: ReadonlySet<string>): T {
  return JSON.parse(JSON.stringify(value), (k, v: unknown) =>
    numericKeys.has(k) && (v === 'Infinity' || v === '-Infinity' || v === 'NaN') ? Number(v) : v) as T;
}
