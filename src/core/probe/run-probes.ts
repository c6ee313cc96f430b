/**
 * Runs a test stage's `probe:` requests from the mlci process against the
 * services it needs (their published 127.0.0.1 addresses), `count` times
 * each, sequentially so latencies are not inflated by our own concurrency.
 * Each probe becomes a JUnit-style case (Test Explorer's child tests, the
 * JUnit file when `reports.junit` is set) and three latency metrics.
 */
import type { ProbeSpec, Stage } from '../pipeline/model';
import type { JunitCase, JunitReport } from '../run/junit';
import type { Metrics } from '../run/metrics';
import type { ProbeAnswer } from './expect';
import { checkAnswer, checkLatency, summarize } from './expect';

/** Per request, at most: a hung service fails the probe instead of the run hanging. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface ProbeRun {
  passed: boolean;
  lines: string[];
  report: JunitReport;
  metrics: Metrics;
}

export interface ProbeTarget {
  /** `http://127.0.0.1:PORT` of the service. */
  hostUrl: string;
}

async function send(probe: ProbeSpec, base: string, signal: AbortSignal): Promise<{ answer: ProbeAnswer; ms: number }> {
  const headers: Record<string, string> = { ...probe.headers };
  let body: string | undefined;
  if (probe.json !== undefined) {
    body = JSON.stringify(probe.json);
    headers['content-type'] ??= 'application/json';
  } else if (probe.body !== undefined) body = probe.body;
  const t0 = performance.now();
  const res = await fetch(`${base}${probe.path}`, { method: probe.method, headers, ...(body !== undefined ? { body } : {}), redirect: 'manual', signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) });
  const text = await res.text();
  const ms = performance.now() - t0;
  return { answer: { status: res.status, contentType: res.headers.get('content-type') ?? '', text }, ms };
}

function requestError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if ((err as Error).name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

export async function runProbes(stage: Stage, targets: ReadonlyMap<string, ProbeTarget>, signal: AbortSignal): Promise<ProbeRun> {
  const cases: JunitCase[] = [];
  const lines: string[] = [];
  const metrics: Metrics = {};
  for (const probe of stage.probes ?? []) {
    const target = targets.get(probe.service);
    const what = `${probe.method} ${probe.path}`;
    // classname.name, as parseJunit names cases: the same id whether read back from the XML or not.
    const id = `probe.${probe.service}.${probe.name}`;
    const t0 = performance.now();
    const failures: string[] = [];
    const latencies: number[] = [];
    if (!target) failures.push(`service '${probe.service}' is not running for this stage (list it in needs)`);
    for (let i = 0; target && i < probe.expect.count && !signal.aborted; i++) {
      try {
        const { answer, ms } = await send(probe, target.hostUrl, signal);
        latencies.push(ms);
        // The first wrong answer says what is wrong; more of the same add nothing.
        if (!failures.length) failures.push(...checkAnswer(probe, answer).map((f) => (probe.expect.count > 1 ? `request ${i + 1}/${probe.expect.count}: ${f}` : f)));
      } catch (err) {
        if (signal.aborted) break;
        failures.push(`${what} to ${probe.service} failed${probe.expect.count > 1 ? ` (request ${i + 1}/${probe.expect.count})` : ''}: ${requestError(err)}`);
        break;
      }
    }
    if (latencies.length) {
      const s = summarize(latencies);
      metrics[`probe.${probe.name}.p50_ms`] = s.p50_ms;
      metrics[`probe.${probe.name}.p95_ms`] = s.p95_ms;
      metrics[`probe.${probe.name}.max_ms`] = s.max_ms;
      if (latencies.length === probe.expect.count) failures.push(...checkLatency(probe, s, latencies.length));
      lines.push(`${failures.length ? 'FAIL' : 'ok  '} ${probe.name}: ${what} -> ${probe.service} (${latencies.length} request${latencies.length === 1 ? '' : 's'}, p50 ${s.p50_ms} ms, p95 ${s.p95_ms} ms, max ${s.max_ms} ms)`);
    } else lines.push(`FAIL ${probe.name}: ${what} -> ${probe.service}`);
    for (const f of failures) lines.push(`     ${f}`);
    const c: JunitCase = { id, name: probe.name, classname: `probe.${probe.service}`, status: failures.length ? 'failed' : 'passed', timeMs: Math.round(performance.now() - t0) };
    if (failures.length) {
      c.message = failures[0];
      c.details = failures.join('\n');
    }
    cases.push(c);
  }
  return { passed: cases.every((c) => c.status === 'passed') && !signal.aborted, lines, report: { kind: 'junit', cases }, metrics };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The cases as a JUnit XML file (for `reports.junit` and CI test reporters). */
export function junitXml(suite: string, report: JunitReport): string {
  const failed = report.cases.filter((c) => c.status === 'failed').length;
  const time = report.cases.reduce((a, c) => a + (c.timeMs ?? 0), 0) / 1000;
  const cases = report.cases.map((c) => {
    const open = `    <testcase classname="${esc(c.classname)}" name="${esc(c.name)}" time="${((c.timeMs ?? 0) / 1000).toFixed(3)}"`;
    if (c.status !== 'failed') return `${open}/>`;
    return `${open}>\n      <failure message="${esc(c.message ?? 'failed')}">${esc(c.details ?? '')}</failure>\n    </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite name="${esc(suite)}" tests="${report.cases.length}" failures="${failed}" time="${time.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}
