/**
 * What a probe's answer must be, checked value by value: the status, JSON
 * values at dotted paths (exact, or a {min, max} range for numbers) and
 * latency percentiles. Each failure reads "expected X, got Y".
 */
import type { ProbeJsonExpect, ProbeSpec } from '../pipeline/model';

export interface ProbeAnswer {
  status: number;
  contentType: string;
  text: string;
}

/** The value at `a.b.0.c` in a parsed JSON answer; `found: false` when a step is missing. */
export function jsonAt(value: unknown, path: string): { found: boolean; value?: unknown } {
  let cur: unknown = value;
  for (const step of path.replace(/^\$\.?/, '').split('.').filter((s) => s !== '')) {
    if (Array.isArray(cur) && /^\d+$/.test(step) && Number(step) < cur.length) cur = cur[Number(step)];
    else if (cur !== null && typeof cur === 'object' && !Array.isArray(cur) && Object.hasOwn(cur, step)) cur = (cur as Record<string, unknown>)[step];
    else return { found: false };
  }
  return { found: true, value: cur };
}

const shown = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
};

function matches(expected: ProbeJsonExpect, actual: unknown): string | undefined {
  if (expected !== null && typeof expected === 'object') {
    const bounds = [expected.min !== undefined ? `>= ${expected.min}` : '', expected.max !== undefined ? `<= ${expected.max}` : ''].filter(Boolean).join(' and ');
    if (typeof actual !== 'number') return `${bounds} (a number)`;
    if ((expected.min !== undefined && actual < expected.min) || (expected.max !== undefined && actual > expected.max)) return bounds;
    return undefined;
  }
  return JSON.stringify(expected) === JSON.stringify(actual) ? undefined : shown(expected);
}

/** The answer's failures against `expect` (status and JSON); [] when it is as expected. */
export function checkAnswer(probe: ProbeSpec, answer: ProbeAnswer): string[] {
  const failures: string[] = [];
  const want = probe.expect.status;
  if (want !== undefined ? answer.status !== want : answer.status < 200 || answer.status > 299) {
    failures.push(`expected status ${want ?? '2xx'}, got ${answer.status}${answer.text ? `: ${excerpt(answer.text)}` : ''}`);
  }
  const json = probe.expect.json;
  if (json && Object.keys(json).length) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      failures.push(`expected a JSON answer, got ${answer.contentType || 'no content type'}: ${excerpt(answer.text) || '(empty body)'}`);
      return failures;
    }
    for (const [p, expected] of Object.entries(json)) {
      const at = jsonAt(parsed, p);
      if (!at.found) {
        failures.push(`expected ${p} = ${shown(expected)}, got no '${p}' in ${excerpt(answer.text)}`);
        continue;
      }
      const wanted = matches(expected, at.value);
      if (wanted !== undefined) failures.push(`expected ${p} ${typeof expected === 'object' && expected !== null ? '' : '= '}${wanted}, got ${shown(at.value)}`);
    }
  }
  return failures;
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface LatencySummary {
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
}

export function summarize(latencies: readonly number[]): LatencySummary {
  const r = (x: number) => Math.round(x * 10) / 10;
  return { p50_ms: r(percentile(latencies, 50)), p95_ms: r(percentile(latencies, 95)), max_ms: r(Math.max(...latencies)) };
}

/** Failures of the latency bounds. */
export function checkLatency(probe: ProbeSpec, s: LatencySummary, n: number): string[] {
  const out: string[] = [];
  const bounds = probe.expect.latencyMs ?? {};
  const got = { p50: s.p50_ms, p95: s.p95_ms, max: s.max_ms };
  for (const k of ['p50', 'p95', 'max'] as const) {
    const b = bounds[k];
    if (b !== undefined && got[k] > b) out.push(`expected latency ${k} <= ${b} ms, got ${got[k]} ms (over ${n} request${n === 1 ? '' : 's'})`);
  }
  return out;
}

function excerpt(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 160 ? `${one.slice(0, 157)}...` : one;
}
