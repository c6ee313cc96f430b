/**
 * `resources.timeout: 30d`: Node's timers overflow past 24.8 days and fire
 * at once, which failed such stages immediately as "timed out". The long
 * timer chains steps; a local stage with a 30-day timeout runs to its end.
 */
import { strict as assert } from 'node:assert';
import os from 'node:os';
import { LocalRunner } from '../../src/adapters/local/local-runner';
import { setLongTimeout } from '../../src/core/long-timer';
import { parseDuration } from '../../src/core/run/units';

describe('long timeouts (30d)', () => {
  it('a 30-day timer does not fire at once; a chained one fires when due, not before', async () => {
    let fired = false;
    const t = setLongTimeout(() => (fired = true), parseDuration('30d')!);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(fired, false);
    t.clear();
    const t0 = Date.now();
    const at = await new Promise<number>((resolve) => setLongTimeout(() => resolve(Date.now()), 150, 40));
    assert.ok(at - t0 >= 145, `fired after ${at - t0} ms`);
  });

  it('a local stage with resources.timeout 30d runs to its end (exit 0), not "timed out"', async () => {
    const runner = new LocalRunner();
    const r = await runner.run({ runId: 'long', stage: 's', image: 'x', commands: ['sleep 0.2'], workspace: os.tmpdir(), workdir: '.', env: {}, network: 'none', timeoutMs: parseDuration('30d')! } as never, () => undefined);
    assert.deepEqual(r.outcome, { kind: 'exited', exitCode: 0 });
  });
});
