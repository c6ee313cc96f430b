/** The bounded work queue behind parallel reads: never more than the limit in flight, items added while running are done too, the first error wins. */
import { strict as assert } from 'node:assert';
import { drain } from '../../../src/core/hash/bounded';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

describe('drain (bounded concurrency)', () => {
  it('keeps at most `limit` calls in flight and runs every item, including ones pushed meanwhile', async () => {
    const queue = Array.from({ length: 40 }, (_, i) => i);
    let active = 0;
    let peak = 0;
    const done: number[] = [];
    await drain(queue, 3, async (n) => {
      peak = Math.max(peak, ++active);
      await tick();
      if (n < 5) queue.push(100 + n);
      done.push(n);
      active--;
    });
    assert.equal(peak, 3);
    assert.equal(done.length, 45);
  });

  it('resolves at once for an empty queue and rejects with the first error', async () => {
    await drain([], 8, async () => assert.fail('no items'));
    let started = 0;
    await assert.rejects(
      drain([1, 2, 3, 4, 5, 6], 2, async (n) => {
        started++;
        await tick();
        if (n === 1) throw new Error('boom');
      }),
      /boom/,
    );
    await tick();
    await tick();
    assert.ok(started <= 3, `no new items after the error (${started} started)`);
  });
});
