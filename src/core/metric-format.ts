/**
 * Metric values as people read them, the same in every output (CLI, report,
 * tree, Experiments view, panels). One rule:
 *   - a metric with a `format` under top-level `metrics` is shown with it
 *     (a d3-format spec: `.3f` -> 0.931, `.1%` -> 93.1%, `,d` -> 1,200);
 *   - any other number: integers in full (1200), others rounded to 4
 *     significant digits with trailing zeros dropped (0.930556 -> 0.9306,
 *     12.5 -> 12.5), in JavaScript's shortest form (1e-7); NaN and
 *     Infinity as such.
 * Run records carry the formats in force when they ran (`metricFormats`),
 * so a record reads the same later.
 */
import { format as d3format, formatSpecifier } from 'd3-format';

/** d3-format's types; it reads any other letter as `g` silently, which would hide a typo. */
const TYPES = new Set(['', 'e', 'f', 'g', 'r', 's', '%', 'p', 'b', 'o', 'd', 'x', 'X', 'c', 'n']);

const cache = new Map<string, ((n: number) => string) | null>();

/** The formatter of a d3-format spec, or undefined when the spec is not one. */
function formatterOf(spec: string): ((n: number) => string) | undefined {
  if (!cache.has(spec)) {
    try {
      cache.set(spec, TYPES.has(formatSpecifier(spec).type) ? d3format(spec) : null);
    } catch {
      cache.set(spec, null);
    }
  }
  return cache.get(spec) ?? undefined;
}

/** Why a `format` spec cannot be used, or undefined when it can. */
export function metricFormatProblem(spec: string): string | undefined {
  return formatterOf(spec) ? undefined : `'${spec}' is not a d3-format spec (e.g. '.3f', '.1%', ',d', '.4~g')`;
}

export function formatMetric(value: number, spec?: string): string {
  if (!Number.isFinite(value)) return String(value);
  const f = spec ? formatterOf(spec) : undefined;
  if (f) return f(value);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/** The formats declared under top-level `metrics`, by name (only those that set one). */
export function metricFormatsOf(metrics: Record<string, { format?: string }> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, m] of Object.entries(metrics ?? {})) if (m.format && !metricFormatProblem(m.format)) out[name] = m.format;
  return out;
}
