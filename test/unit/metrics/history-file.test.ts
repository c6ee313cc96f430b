/**
 * readHistoryFile: the history a stage declares (or DVCLive writes) as rows
 * by step, read from real files: CSV, TSV (DVCLive's
 * `timestamp<TAB>step<TAB>loss`), a tab-separated `.csv`, quoted fields,
 * JSON lines, and the errors naming the file and row.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readHistoryFile } from '../../../src/core/run/metrics';

describe('readHistoryFile', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'mlci-history-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };

  it('reads a DVCLive TSV file (timestamp, step, value) by step', async () => {
    const f = file('loss.tsv', 'timestamp\tstep\tloss\n1733300000000\t1\t0.5\n1733300000100\t0\t0.9\n1733300000200\t2\t0.25\n');
    const rows = await readHistoryFile(f, 'dvclive/plots/metrics/loss.tsv');
    assert.deepEqual(rows.map((r) => [r.step, r.loss]), [[0, 0.9], [1, 0.5], [2, 0.25]]);
    assert.equal(rows[0]!.timestamp, 1733300000100);
  });

  it('reads tab-separated text in a .csv file and comma-separated CSV the same way', async () => {
    const tabs = await readHistoryFile(file('h1.csv', 'step\tloss\taccuracy\n0\t1.0\t0.5\n1\t0.5\t0.75\n'), 'h1.csv');
    const commas = await readHistoryFile(file('h2.csv', 'step,loss,accuracy\r\n0,1.0,0.5\r\n1,0.5,0.75\r\n'), 'h2.csv');
    assert.deepEqual(tabs, commas);
    assert.deepEqual(commas, [{ step: 0, loss: 1, accuracy: 0.5 }, { step: 1, loss: 0.5, accuracy: 0.75 }]);
  });

  it('keeps NaN and infinities, numbers rows without a step, and reads quoted headers', async () => {
    const rows = await readHistoryFile(file('h3.csv', '"val, loss",acc\nnan,inf\n0.5,-inf\n'), 'h3.csv');
    assert.equal(rows.length, 2);
    assert.ok(Number.isNaN(rows[0]!['val, loss']));
    assert.equal(rows[0]!.acc, Infinity);
    assert.equal(rows[1]!.acc, -Infinity);
    assert.deepEqual(rows.map((r) => r.step), [0, 1]);
  });

  it('leaves out a last line still being written, but names a short row in the middle', async () => {
    const cut = await readHistoryFile(file('cut.tsv', 'step\tloss\n0\t1\n1\t0.5\n2'), 'cut.tsv');
    assert.deepEqual(cut.map((r) => r.step), [0, 1]);
    await assert.rejects(readHistoryFile(file('bad.tsv', 'step\tloss\n0\t1\n1\n2\t0.5\n'), 'metrics/bad.tsv'), /history file 'metrics\/bad\.tsv': row 3 has 1 field, the header has 2/);
  });

  it('reads JSON lines and an empty file', async () => {
    assert.deepEqual(await readHistoryFile(file('h.jsonl', '{"step": 1, "loss": 0.5}\n{"step": 0, "loss": null}\n'), 'h.jsonl'), [{ step: 0, loss: NaN }, { step: 1, loss: 0.5 }]);
    assert.deepEqual(await readHistoryFile(file('empty.csv', ''), 'empty.csv'), []);
  });
});
