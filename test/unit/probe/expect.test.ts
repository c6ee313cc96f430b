/**
 * Probe expectations: dotted JSON paths, nearest-rank percentiles (checked
 * against numpy's `percentile(..., method='inverted_cdf')`, the same
 * definition, computed by Debian's python3-numpy when present), and the
 * "expected X, got Y" words of every kind of mismatch.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import type { ProbeSpec } from '../../../src/core/pipeline/model';
import { checkAnswer, checkLatency, jsonAt, percentile, summarize } from '../../../src/core/probe/expect';

const probe = (expect: Partial<ProbeSpec['expect']>): ProbeSpec => ({ index: 0, name: 'p', service: 's', method: 'POST', path: '/predict', headers: {}, expect: { count: 1, ...expect } });
const json = (v: unknown) => ({ status: 200, contentType: 'application/json', text: JSON.stringify(v) });

describe('probe expectations', () => {
  it('reads dotted paths through objects and arrays', () => {
    const v = { a: { b: [10, { c: 'x' }] } };
    assert.deepEqual(jsonAt(v, 'a.b.0'), { found: true, value: 10 });
    assert.deepEqual(jsonAt(v, '$.a.b.1.c'), { found: true, value: 'x' });
    assert.deepEqual(jsonAt(v, 'a.b.2'), { found: false });
    assert.deepEqual(jsonAt(v, 'a.constructor'), { found: false });
  });

  it('percentiles are nearest-rank, as numpy inverted_cdf', function () {
    const values = [12.5, 3, 7, 7, 41, 0.5, 19, 8, 8, 100, 2, 5.5, 6, 30, 1, 9, 10, 11, 13, 14, 15];
    const ours = [50, 90, 95, 99, 100].map((p) => percentile(values, p));
    const py = spawnSync('/usr/bin/python3', ['-c', `import numpy as np; v=${JSON.stringify(values)}; print(*[float(np.percentile(v, p, method='inverted_cdf')) for p in (50, 90, 95, 99, 100)])`], { encoding: 'utf8' });
    if (py.status !== 0) {
      if (process.env.CI === 'true') throw new Error(`CI needs Debian's python3-numpy: ${py.stderr}`);
      this.skip();
    }
    assert.deepEqual(ours, py.stdout.trim().split(' ').map(Number));
    assert.deepEqual(summarize([5, 1, 3]), { p50_ms: 3, p95_ms: 5, max_ms: 5 });
  });

  it('says what was expected and what came back', () => {
    assert.deepEqual(checkAnswer(probe({ json: { churn: 1 } }), json({ churn: 0 })), ['expected churn = 1, got 0']);
    assert.deepEqual(checkAnswer(probe({ json: { p: { min: 0.5, max: 1 } } }), json({ p: 0.2 })), ['expected p >= 0.5 and <= 1, got 0.2']);
    assert.deepEqual(checkAnswer(probe({ json: { p: { min: 0.5 } } }), json({ p: 'high' })), ['expected p >= 0.5 (a number), got "high"']);
    assert.deepEqual(checkAnswer(probe({ json: { label: 'yes' } }), json({ other: 1 })), [`expected label = "yes", got no 'label' in {"other":1}`]);
    assert.deepEqual(checkAnswer(probe({ status: 201 }), { status: 500, contentType: 'text/plain', text: 'boom' }), ['expected status 201, got 500: boom']);
    assert.deepEqual(checkAnswer(probe({}), { status: 404, contentType: '', text: '' }), ['expected status 2xx, got 404']);
    assert.deepEqual(checkAnswer(probe({ json: { a: 1 } }), { status: 200, contentType: 'text/html', text: '<html>\n<p>hi</p></html>' }), ['expected a JSON answer, got text/html: <html> <p>hi</p></html>']);
    assert.deepEqual(checkAnswer(probe({ status: 200, json: { 'a.1': 2, b: null } }), json({ a: [1, 2], b: null })), []);
    assert.deepEqual(checkLatency(probe({ latencyMs: { p95: 10, max: 100 } }), { p50_ms: 5, p95_ms: 12, max_ms: 20 }, 20), ['expected latency p95 <= 10 ms, got 12 ms (over 20 requests)']);
  });
});
