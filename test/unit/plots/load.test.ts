/**
 * Plot files -> chart data: every template with DVC's defaults, confusion
 * counts, downsampling of long series, and bad input as an error on that
 * plot only (missing file, malformed JSON/CSV, a field that is not there,
 * an image that is not one, a last line still being written).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPlotFile, plotFromBytes } from '../../../src/core/plots/load';
import { downsampleSeries } from '../../../src/core/plots/downsample';
import type { PlotData } from '../../../src/core/plots/types';

const B = (s: string) => Buffer.from(s);
function as<K extends PlotData['kind']>(p: PlotData, kind: K): Extract<PlotData, { kind: K }> {
  assert.equal(p.kind, kind, p.kind === 'error' ? p.error : `expected ${kind}, got ${p.kind}`);
  return p as Extract<PlotData, { kind: K }>;
}
const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe('plots: loading plot files', () => {
  it('linear: x defaults to step, y to the last other field; x_label/y_label/title are used', () => {
    const p = as(plotFromBytes({ path: 'loss.csv' }, B('step,acc,loss\n0,0.5,1.0\n1,0.6,0.7\n2,0.7,0.5\n')), 'xy');
    assert.equal(p.template, 'linear');
    assert.equal(p.xLabel, 'step');
    assert.deepEqual(p.series.map((s) => s.name), ['loss']);
    assert.deepEqual(p.series[0]!.points, [{ x: 0, y: 1 }, { x: 1, y: 0.7 }, { x: 2, y: 0.5 }]);
    const q = as(plotFromBytes({ path: 'loss.csv', y: ['acc', 'loss'], title: 'T', xLabel: 'Epoch', yLabel: 'Value' }, B('step,acc,loss\n0,0.5,1\n')), 'xy');
    assert.deepEqual([q.title, q.xLabel, q.yLabel, q.series.length], ['T', 'Epoch', 'Value', 2]);
  });

  it('TSV, JSON (a list or an object holding one) and JSONL read the same rows', () => {
    const tsv = as(plotFromBytes({ path: 'a.tsv', x: 'epoch', y: 'loss' }, B('epoch\tloss\n1\t0.5\n2\t0.25\n')), 'xy');
    const json = as(plotFromBytes({ path: 'a.json', x: 'epoch', y: 'loss' }, B('{"train":[{"epoch":1,"loss":0.5},{"epoch":2,"loss":0.25}]}')), 'xy');
    const jsonl = as(plotFromBytes({ path: 'a.jsonl', x: 'epoch', y: 'loss' }, B('{"epoch":1,"loss":0.5}\n{"epoch":2,"loss":0.25}\n')), 'xy');
    for (const p of [tsv, json, jsonl]) assert.deepEqual(p.series[0]!.points, [{ x: 1, y: 0.5 }, { x: 2, y: 0.25 }]);
  });

  it('roc and precision_recall read fpr/tpr and recall/precision by default', () => {
    const roc = as(plotFromBytes({ path: 'roc.json', template: 'roc' }, B('[{"fpr":0,"tpr":0,"threshold":1},{"fpr":0.5,"tpr":0.9,"threshold":0.5},{"fpr":1,"tpr":1,"threshold":0}]')), 'xy');
    assert.deepEqual([roc.xLabel, roc.yLabel], ['fpr', 'tpr']);
    assert.deepEqual(roc.series[0]!.points[1], { x: 0.5, y: 0.9 });
    const pr = as(plotFromBytes({ path: 'pr.csv', template: 'precision_recall' }, B('precision,recall\n1,0\n0.8,0.5\n')), 'xy');
    assert.deepEqual([pr.xLabel, pr.yLabel], ['recall', 'precision']);
  });

  it('confusion counts each (actual, predicted) pair; labels in natural order; normalized keeps the counts', () => {
    const rows = [['1', '1'], ['1', '0'], ['0', '0'], ['0', '0'], ['10', '1'], ['1', '1']];
    const csv = 'actual,predicted\n' + rows.map((r) => r.join(',')).join('\n') + '\n';
    const c = as(plotFromBytes({ path: 'c.csv', template: 'confusion' }, B(csv)), 'confusion');
    assert.deepEqual(c.labels, ['0', '1', '10']);
    assert.deepEqual(c.counts, [[2, 0, 0], [1, 2, 0], [0, 1, 0]]);
    const n = as(plotFromBytes({ path: 'c.json', template: 'confusion_normalized', x: 'y_true', y: 'y_pred' }, B('[{"y_true":"cat","y_pred":"dog"},{"y_true":"cat","y_pred":"cat"}]')), 'confusion');
    assert.equal(n.normalized, true);
    assert.deepEqual(n.counts, [[1, 1], [0, 0]]);
  });

  it('bar: categories on x, numbers on y', () => {
    const b = as(plotFromBytes({ path: 'imp.csv', template: 'bar', x: 'feature', y: 'importance' }, B('feature,importance\ntenure,0.4\nplan,0.1\n')), 'bar');
    assert.deepEqual(b.labels, ['tenure', 'plan']);
    assert.deepEqual(b.series[0]!.values, [0.4, 0.1]);
  });

  it('images: PNG and SVG by their bytes; a .png that is text is an error naming it', () => {
    const png = as(plotFromBytes({ path: 'p.png' }, PNG_1x1), 'image');
    assert.equal(png.mime, 'image/png');
    const svg = as(plotFromBytes({ path: 'p.svg' }, B('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>')), 'image');
    assert.equal(svg.mime, 'image/svg+xml');
    const bad = as(plotFromBytes({ path: 'fake.png' }, B('hello, not an image')), 'error');
    assert.match(bad.error, /fake\.png is not a PNG image: it starts with "hello, not an im"/);
    const jpegAsPng = as(plotFromBytes({ path: 'x.png' }, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0])), 'error');
    assert.match(jpegAsPng.error, /its bytes are image\/jpeg/);
  });

  it('a field named in x/y that the file lacks: an error with the fields it has and a guess', () => {
    const e = as(plotFromBytes({ path: 'loss.csv', x: 'step', y: 'los' }, B('step,loss\n0,1\n')), 'error');
    assert.equal(e.error, 'loss.csv: y: "los" is not a field of the file (did you mean "loss"?); it has "step", "loss"');
  });

  it('malformed files: JSON, a ragged CSV row, text where a number belongs, an unknown extension', () => {
    assert.match(as(plotFromBytes({ path: 'a.json' }, B('[{"a":1},')), 'error').error, /a\.json is not valid JSON/);
    assert.match(as(plotFromBytes({ path: 'a.csv' }, B('a,b\n1,2\n3\n4,5\n')), 'error').error, /a\.csv: row 3 has 1 field, the header has 2/);
    assert.match(as(plotFromBytes({ path: 'a.csv', y: 'b' }, B('a,b\n1,2\n2,oops\n')), 'error').error, /a\.csv: row 2, b is "oops", not a number/);
    assert.match(as(plotFromBytes({ path: 'a.txt' }, B('x')), 'error').error, /mlci draws \.csv, \.tsv, \.json and \.jsonl/);
    assert.match(as(plotFromBytes({ path: 'a.jsonl' }, B('{"a":1}\nnot json\n{"a":2}\n')), 'error').error, /a\.jsonl: line 2 is not valid JSON/);
  });

  it('a last line still being written is left out with a note (CSV short row, CSV open quote, JSONL)', () => {
    const csv = as(plotFromBytes({ path: 'h.csv' }, B('step,loss\n0,1\n1,0.5\n2')), 'xy');
    assert.equal(csv.series[0]!.points.length, 2);
    assert.match(csv.notes.join(), /last line of h\.csv is incomplete/);
    const quoted = as(plotFromBytes({ path: 'h.csv', template: 'bar', x: 'name', y: 'v' }, B('name,v\n"a",1\n"b')), 'bar');
    assert.deepEqual(quoted.labels, ['a']);
    const jsonl = as(plotFromBytes({ path: 'h.jsonl' }, B('{"step":0,"loss":1}\n{"step":1,"lo')), 'xy');
    assert.equal(jsonl.series[0]!.points.length, 1);
    assert.match(jsonl.notes.join(), /incomplete/);
  });

  it('a missing file and a folder are errors on the plot', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-plots-'));
    try {
      const e = as(await loadPlotFile({ path: 'nope.csv' }, path.join(dir, 'nope.csv'), { stage: 'train' }), 'error');
      assert.equal(e.error, 'nope.csv does not exist (was it written by the stage?)');
      assert.equal(e.id, 'train:nope.csv');
      writeFileSync(path.join(dir, 'ok.csv'), 'step,loss\n0,1\n');
      as(await loadPlotFile({ path: 'ok.csv' }, path.join(dir, 'ok.csv')), 'xy');
      assert.match(as(await loadPlotFile({ path: 'd.csv' }, dir), 'error').error, /folder|not a regular file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a 1,000,000-point series is downsampled (LTTB) to the limit, keeping the ends and the extremes', function () {
    this.timeout(120_000);
    const lines = ['step,loss'];
    for (let i = 0; i < 1_000_000; i++) lines.push(`${i},${i === 500_000 ? 100 : i === 700_000 ? -100 : Math.sin(i / 1000)}`);
    const p = as(plotFromBytes({ path: 'big.csv' }, B(lines.join('\n') + '\n'), { maxPoints: 2000 }), 'xy');
    const s = p.series[0]!;
    assert.equal(s.total, 1_000_000);
    assert.equal(s.points.length, 2000);
    assert.deepEqual(s.points[0], { x: 0, y: 0 });
    assert.equal(s.points[s.points.length - 1]!.x, 999_999);
    assert.ok(s.points.some((q) => q.y === 100) && s.points.some((q) => q.y === -100), 'spikes kept');
    assert.match(p.notes.join(), /1000000 points shown as 2000/);
    assert.equal(downsampleSeries([{ x: 0, y: 1 }, { x: 1, y: 2 }], 2000).length, 2);
  });
});
