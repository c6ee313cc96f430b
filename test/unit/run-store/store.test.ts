/** RunStore: records, listing, lookup by prefix, logs, edits and interrupted runs. */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StoredRunRecord } from '../../../src/core/run/store';
import { processStartTime } from '../../../src/core/run/process-identity';
import { RunStore, ensureMlciDir, isProcessAlive } from '../../../src/core/run/store';
import { deadPid, sampleRecord, tempDirs } from './helpers';

const ID1 = '20261127-053912-4f2a';
const ID2 = '20261127-054500-0b1c';
const ID3 = '20261128-090000-77aa';

describe('RunStore', () => {
  const tmp = tempDirs('mlci-store-');
  after(() => tmp.cleanup());
  const storeWith = async (...ids: string[]) => {
    const store = new RunStore(tmp.make());
    for (const [i, id] of ids.entries()) {
      await store.create(sampleRecord(id, { startedAt: new Date(Date.UTC(2026, 10, 27, 5, 0, i)).toISOString() }));
    }
    return store;
  };

  describe('records', () => {
    it('creates run.json under .mlci/runs/<id>/ and reads it back, owned by this process', async () => {
      const store = new RunStore(tmp.make());
      await store.create(sampleRecord(ID1));
      const file = path.join(store.root, '.mlci', 'runs', ID1, 'run.json');
      assert.equal(store.runFile(ID1), file);
      const got = await store.get(ID1);
      assert.deepEqual(got, { ...sampleRecord(ID1), owner: { pid: process.pid, host: os.hostname(), start: processStartTime(process.pid) } });
      assert.ok(readFileSync(file, 'utf8').startsWith('{\n  "version": 1,\n  "id": '));
    });

    it('refuses a second run with the same id', async () => {
      const store = await storeWith(ID1);
      await assert.rejects(store.create(sampleRecord(ID1)), new RegExp(`run ${ID1} already exists`));
    });

    it('writes .mlci/.gitignore ignoring everything, with a comment, and keeps a user-edited one', async () => {
      const store = await storeWith(ID1);
      const ignore = path.join(store.root, '.mlci', '.gitignore');
      const text = readFileSync(ignore, 'utf8');
      assert.ok(text.split('\n').includes('*'), text);
      assert.match(text, /^# .*mlci/);
      writeFileSync(ignore, '# mine\n*\n');
      await store.create(sampleRecord(ID2));
      await ensureMlciDir(store.root);
      assert.equal(readFileSync(ignore, 'utf8'), '# mine\n*\n');
    });

    it('reads without creating anything', async () => {
      const store = new RunStore(tmp.make());
      assert.deepEqual(await store.list(), []);
      await assert.rejects(store.resolve('last'), /no runs yet/);
      assert.equal(existsSync(path.join(store.root, '.mlci')), false);
    });

    it('updates atomically, leaving no temp files, and keeps name and tags set by others meanwhile', async () => {
      const store = await storeWith();
      const rec = sampleRecord(ID1, { status: 'running', name: 'first try' });
      delete rec.finishedAt;
      await store.create(rec);
      await store.tag(ID1, ['baseline']);
      await store.rename(ID1, 'renamed while running');
      for (let i = 0; i < 20; i++) {
        rec.metrics = { step: i };
        await store.update(rec);
      }
      rec.status = 'passed';
      await store.update(rec);
      const got = await store.get(ID1);
      assert.equal(got.status, 'passed');
      assert.deepEqual(got.metrics, { step: 19 });
      assert.equal(got.name, 'renamed while running');
      assert.deepEqual(got.tags, ['baseline']);
      assert.equal(rec.name, 'first try', 'the caller\'s object is not modified');
      assert.deepEqual(readdirSync(store.runDir(ID1)), ['run.json']);
      assert.deepEqual(readdirSync(path.join(store.root, '.mlci')).sort(), ['.gitignore', 'runs']);
    });

    it('refuses to update a run that does not exist', async () => {
      const store = await storeWith(ID1);
      await assert.rejects(store.update(sampleRecord(ID2)), /cannot update run 20261127-054500-0b1c: it is not in/);
    });

    it('names the file when run.json is corrupt, missing or the wrong shape', async () => {
      const store = await storeWith(ID1, ID2, ID3);
      const f1 = store.runFile(ID1);
      writeFileSync(f1, '{"version": 1, "id": ');
      await assert.rejects(store.get(ID1), (e: Error) => e.message.startsWith(`corrupt run record ${f1}: `));
      const f2 = store.runFile(ID2);
      writeFileSync(f2, JSON.stringify({ ...sampleRecord(ID2), stages: 'nope' }));
      await assert.rejects(store.get(ID2), { message: `corrupt run record ${f2}: 'stages' is missing or not a list` });
      writeFileSync(f2, JSON.stringify(sampleRecord(ID1)));
      await assert.rejects(store.get(ID2), /does not match its folder/);
      writeFileSync(f2, JSON.stringify({ ...sampleRecord(ID2), version: 7 }));
      await assert.rejects(store.get(ID2), /record version 7 was written by a newer mlci/);
      writeFileSync(f2, '[]');
      await assert.rejects(store.get(ID2), /not a JSON object/);
      mkdirSync(path.join(store.runsDir, 'empty-run'));
      await assert.rejects(store.get('empty-run'), { message: `run empty-run has no run record (${path.join(store.runsDir, 'empty-run', 'run.json')} is missing)` });
      await assert.rejects(store.get('nope'), /no run nope in /);
      await assert.rejects(store.get('../x'), /invalid run id/);
    });
  });

  describe('list and resolve', () => {
    it('lists newest first by start time', async () => {
      const store = new RunStore(tmp.make());
      await store.create(sampleRecord('b-run', { startedAt: '2026-11-27T06:00:00.000Z' }));
      await store.create(sampleRecord('a-run', { startedAt: '2026-11-27T07:00:00.000Z' }));
      await store.create(sampleRecord('c-run', { startedAt: '2026-11-27T05:00:00.000Z' }));
      assert.deepEqual((await store.list()).map((r) => r.id), ['a-run', 'b-run', 'c-run']);
    });

    it('skips and reports unreadable folders, ignores temp entries, and never throws', async () => {
      const store = await storeWith(ID1, ID2, ID3);
      writeFileSync(store.runFile(ID2), 'garbage');
      mkdirSync(path.join(store.runsDir, 'half-made'));
      mkdirSync(path.join(store.runsDir, '.20261127-000000-dead.deleting-1-ab'));
      writeFileSync(path.join(store.runsDir, 'stray-file'), '');
      const { runs, skipped } = await store.scan();
      assert.deepEqual(runs.map((r) => r.id), [ID3, ID1]);
      assert.deepEqual(skipped.map((s) => s.id).sort(), [ID2, 'half-made']);
      assert.match(skipped.find((s) => s.id === ID2)!.reason, /corrupt run record .*run\.json/);
      assert.deepEqual((await store.list()).map((r) => r.id), [ID3, ID1]);
    });

    it('resolves a full id, a unique prefix and last/latest', async () => {
      const store = await storeWith(ID1, ID2, ID3);
      assert.equal(await store.resolve(ID2), ID2);
      assert.equal(await store.resolve('20261128'), ID3);
      assert.equal(await store.resolve('20261127-0545'), ID2);
      assert.equal(await store.resolve('last'), ID3);
      assert.equal(await store.resolve('latest'), ID3);
    });

    it('lists the candidates of an ambiguous prefix, newest first', async () => {
      const store = await storeWith(ID1, ID2, ID3);
      await assert.rejects(store.resolve('20261127'), { message: `'20261127' is ambiguous: it matches 2 runs (${ID2}, ${ID1}); give more of the id` });
      await assert.rejects(store.resolve('2027'), /no run matches '2027' in .*mlci runs lists them/);
      await assert.rejects(store.resolve('../..'), /is not a run id/);
    });

    it('resolves an id that is also a prefix of another to itself', async () => {
      const store = await storeWith('run-1', 'run-10');
      assert.equal(await store.resolve('run-1'), 'run-1');
    });
  });

  describe('logs', () => {
    it('appends stage output to <run>/logs/<stage>.log', async () => {
      const store = await storeWith(ID1);
      assert.equal(store.logPath(ID1, 'train'), path.join(store.runsDir, ID1, 'logs', 'train.log'));
      const log = store.openLog(ID1, 'train');
      log.write('epoch 1\n');
      log.write(Buffer.from('epoch 2\n'));
      await log.close();
      await log.close();
      log.write('after close is dropped\n');
      const again = store.openLog(ID1, 'train');
      again.write('resumed\n');
      await again.close();
      assert.equal(readFileSync(store.logPath(ID1, 'train'), 'utf8'), 'epoch 1\nepoch 2\nresumed\n');
      assert.equal(again.error, undefined);
    });

    it('rejects stage names that could leave the logs folder', async () => {
      const store = await storeWith(ID1);
      for (const bad of ['../x', 'a/b', '.hidden', '']) assert.throws(() => store.logPath(ID1, bad), /invalid stage name/);
      assert.throws(() => store.logPath('../x', 'train'), /invalid run id/);
    });

    it('reports a log that cannot be written through error, without throwing', async () => {
      const store = await storeWith(ID1);
      mkdirSync(store.logPath(ID1, 'blocked'), { recursive: true });
      const log = store.openLog(ID1, 'blocked');
      log.write('lost\n');
      await log.close();
      assert.equal((log.error as NodeJS.ErrnoException | undefined)?.code, 'EISDIR');
    });
  });

  describe('edits', () => {
    it('renames and clears a name', async () => {
      const store = await storeWith(ID1);
      assert.equal((await store.rename(ID1, '  lr sweep  ')).name, 'lr sweep');
      assert.equal((await store.get(ID1)).name, 'lr sweep');
      await store.rename(ID1, '');
      assert.equal('name' in (await store.get(ID1)), false);
      await assert.rejects(store.rename(ID1, 'two\nlines'), /single line/);
    });

    it('adds and removes tags without duplicates', async () => {
      const store = await storeWith(ID1);
      await store.tag(ID1, ['baseline', 'gpu']);
      assert.deepEqual((await store.tag(ID1, ['gpu', 'best'], ['baseline'])).tags, ['gpu', 'best']);
      await store.tag(ID1, [], ['gpu', 'best']);
      assert.equal('tags' in (await store.get(ID1)), false);
      await assert.rejects(store.tag(ID1, ['has space']), /invalid tag 'has space'/);
    });

    it('deletes a finished run, refuses a live one and an unknown one', async () => {
      const store = await storeWith(ID1, ID2);
      await store.delete(ID1);
      assert.equal(existsSync(store.runDir(ID1)), false);
      assert.deepEqual(readdirSync(store.runsDir), [ID2]);
      await store.create(sampleRecord(ID3, { status: 'running' }));
      await assert.rejects(store.delete(ID3), new RegExp(`run ${ID3} is still running \\(pid ${process.pid} on .*\\): stop it before deleting it`));
      await assert.rejects(store.delete(ID1), /no run 20261127-053912-4f2a/);
    });

    it('deletes a run whose run.json is broken', async () => {
      const store = await storeWith(ID1);
      writeFileSync(store.runFile(ID1), '');
      await store.delete(ID1);
      assert.deepEqual(readdirSync(store.runsDir), []);
    });
  });

  describe('markInterrupted', () => {
    it('cancels running records whose process is gone, leaving live, foreign and ownerless ones', async () => {
      const store = new RunStore(tmp.make());
      const gone = await deadPid();
      assert.equal(isProcessAlive(gone), false);
      const running = (id: string, owner?: StoredRunRecord['owner']): StoredRunRecord => {
        const r: StoredRunRecord = sampleRecord(id, {
          status: 'running',
          startedAt: '2026-11-27T05:00:00.000Z',
          stages: [
            { name: 'prep', kind: 'shell', status: 'passed', cached: false },
            { name: 'train', kind: 'train', status: 'running', cached: false },
            { name: 'eval', kind: 'eval', status: 'pending', cached: false },
          ],
        });
        delete r.finishedAt;
        if (owner) r.owner = owner;
        return r;
      };
      await store.create(running('dead-run', { pid: gone, host: os.hostname() }));
      await store.create(running('live-run'));
      await store.create(running('other-host', { pid: gone, host: `not-${os.hostname()}` }));
      await store.create(sampleRecord('finished', { owner: { pid: gone, host: os.hostname() } } as Partial<StoredRunRecord>));
      // An ownerless record (older mlci): written by hand since create() stamps an owner.
      await store.create(running('no-owner'));
      const noOwner = JSON.parse(readFileSync(store.runFile('no-owner'), 'utf8'));
      delete noOwner.owner;
      writeFileSync(store.runFile('no-owner'), JSON.stringify(noOwner));
      const lastWrite = new Date('2026-11-27T05:10:00.000Z');
      utimesSync(store.runFile('dead-run'), lastWrite, lastWrite);

      assert.deepEqual(await store.markInterrupted(), ['dead-run']);
      const dead = await store.get('dead-run');
      assert.equal(dead.status, 'cancelled');
      assert.equal(dead.finishedAt, lastWrite.toISOString());
      assert.deepEqual(dead.stages.map((s) => s.status), ['passed', 'cancelled', 'skipped']);
      assert.match(dead.stages[1]!.reason!, new RegExp(`interrupted: the mlci process \\(pid ${gone}\\) exited`));
      for (const id of ['live-run', 'other-host', 'no-owner']) assert.equal((await store.get(id)).status, 'running', id);
      assert.equal((await store.get('finished')).status, 'passed');
      assert.deepEqual(await store.markInterrupted(), []);
    });
  });
});
