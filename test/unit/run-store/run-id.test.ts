/** Run ids: time-sortable, unique enough, and the RUN argument validator. */
import { strict as assert } from 'node:assert';
import { isRunId, isSafeRunId, newRunId, parseRunRef, runIdTime } from '../../../src/core/run/run-id';

describe('run ids', () => {
  it('formats the UTC time to the second plus 4 hex digits', () => {
    assert.equal(newRunId(new Date('2026-11-27T05:39:12.987Z'), '4f2a'), '20261127-053912-4f2a');
    assert.equal(newRunId(new Date('2026-01-02T03:04:05Z'), '0000'), '20260102-030405-0000');
    assert.ok(isRunId(newRunId()));
    assert.ok(isSafeRunId(newRunId()));
  });

  it('sorts as strings in time order', () => {
    const times = ['2026-11-27T05:39:12Z', '2026-11-27T05:39:13Z', '2026-12-01T00:00:00Z', '2027-01-01T00:00:00Z'];
    const ids = times.map((t) => newRunId(new Date(t)));
    assert.deepEqual([...ids].reverse().sort(), ids);
  });

  it('differs between ids made in the same second', () => {
    const now = new Date();
    const ids = new Set(Array.from({ length: 50 }, () => newRunId(now)));
    assert.ok(ids.size > 45, `only ${ids.size} distinct ids of 50`);
  });

  it('reads the start time back, rejecting impossible dates', () => {
    assert.equal(runIdTime('20261127-053912-4f2a')?.toISOString(), '2026-11-27T05:39:12.000Z');
    assert.equal(runIdTime('20260230-000000-0000'), undefined);
    assert.equal(runIdTime('test-1'), undefined);
  });

  it('accepts only folder-safe ids', () => {
    for (const ok of ['20261127-053912-4f2a', 'test-1700000000000-0', 'a.b_c']) assert.ok(isSafeRunId(ok), ok);
    for (const bad of ['', '.', '..', '../x', 'a/b', 'a\\b', '.hidden', 'a b', 'x'.repeat(129)]) assert.ok(!isSafeRunId(bad), bad);
  });

  it('parses RUN arguments: last/latest, ids and prefixes; rejects anything else with a hint', () => {
    assert.deepEqual(parseRunRef('last'), { kind: 'last' });
    assert.deepEqual(parseRunRef(' Latest '), { kind: 'last' });
    assert.deepEqual(parseRunRef('20261127-0539'), { kind: 'id', text: '20261127-0539' });
    assert.deepEqual(parseRunRef('2026'), { kind: 'id', text: '2026' });
    assert.throws(() => parseRunRef('../etc'), /'\.\.\/etc' is not a run id: give a run id \(like 20261127-053912-4f2a\), a unique prefix of one, or "last"/);
    assert.throws(() => parseRunRef('  '), /an empty run id/);
  });
});
