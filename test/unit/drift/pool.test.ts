import { strict as assert } from 'node:assert';
import { readTable } from '../../../src/core/data/read';
import { testColumn } from '../../../src/core/drift/detect';
import { DriftPool, findWorkerScript } from '../../../src/core/drift/detect/pool';
import { categoryJob, normals, numericJob, REPO } from './helpers';

describe('drift: worker pool', function () {
  this.timeout(30_000);
  const train = `${REPO}/examples/churn/data/train.csv`;

  it('finds its worker script when running from source', () => {
    const s = findWorkerScript();
    assert.ok(s, 'worker.ts beside pool.ts');
    assert.match(s.file, /worker\.ts$/);
  });

  it('reads a table in a worker, with the same columns and values as on this thread', async () => {
    const pool = new DriftPool(2, findWorkerScript()!);
    try {
      const [a, b] = await Promise.all([pool.read(train, {}), readTable(train)]);
      assert.equal(a.rowCount, b.rowCount);
      assert.deepEqual([...a.columns.keys()], [...b.columns.keys()]);
      for (const [name, col] of b.columns) assert.deepEqual(a.columns.get(name), col, name);
    } finally {
      await pool.close();
    }
  });

  it('tests columns in workers with the same outcome as inline; the job buffers move to the worker', async () => {
    const pool = new DriftPool(2, findWorkerScript()!);
    try {
      const jobs = [
        numericJob(normals(500, 1), normals(400, 2, 0.2)),
        categoryJob(['a', 'b', 'a', null], ['b', 'b', 'c']),
        numericJob([1, 2, 3], [NaN, NaN]),
      ];
      const expected = jobs.map((j) => testColumn(structuredClone(j)));
      const sent = jobs[0]!.reference;
      const got = await Promise.all(jobs.map((j) => pool.test(j)));
      assert.deepEqual(got, expected);
      assert.equal(sent.storage === 'values' && sent.values.length, 0, 'transferred, not copied');
    } finally {
      await pool.close();
    }
  });

  it('a worker that cannot start fails its requests instead of hanging', async () => {
    const pool = new DriftPool(1, { file: `${REPO}/no-such-worker.js` });
    await assert.rejects(pool.read(train, {}));
    await pool.close();
  });

  it('closing rejects what is still queued', async () => {
    const pool = new DriftPool(1, findWorkerScript()!);
    const outcomes = [pool.read(train, {}), pool.read(train, {})].map((p) => p.then(() => 'read', (e: Error) => e.message));
    await pool.close(new Error('closed for the test'));
    assert.deepEqual(await Promise.all(outcomes), ['closed for the test', 'closed for the test']);
  });
});
