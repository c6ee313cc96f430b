/**
 * `mlci plots` as a process (the bundled dist/cli.js) over runs made with the
 * local executor: plots are kept with each run (a copy in the run folder,
 * listed in run.json), shown from the workspace or a run, compared between
 * runs, written as HTML (self-contained, escaped), Markdown (images beside
 * it) and JSON; a broken plot is an error on that plot, exit 1, the rest
 * drawn.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.join(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli.js');
const mlci = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};


describe('mlci plots (process, local executor)', function () {
  this.timeout(120_000);
  let dir: string;
  const runs: string[] = [];
  before(() => {
    const b = spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-cli-plots-'));
    writeFileSync(path.join(dir, 'params.yaml'), 'k: 1\n');
    // The stage writes a loss history, a confusion matrix, an ROC curve, a PNG and a "PNG" that is text.
    writeFileSync(path.join(dir, 'train.sh'), `set -e
k=$(sed -n 's/^k: //p' params.yaml)
mkdir -p plots
printf 'step,loss\\n0,1\\n1,0.%s\\n2,0.2\\n' "$k" > plots/loss.csv
printf '[{"actual":"yes","predicted":"yes"},{"actual":"yes","predicted":"no"},{"actual":"no","predicted":"no"},{"actual":"<b>x</b>","predicted":"no"}]' > plots/confusion.json
printf '{"roc":[{"fpr":0,"tpr":0},{"fpr":0.2,"tpr":0.%s},{"fpr":1,"tpr":1}]}' "$((k+5))" > plots/roc.json
printf 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' | base64 -d > plots/sample.png
echo 'not an image' > plots/fake.png
printf 'step,loss,acc\n1,0.9,0.5\n2,0.%s,0.6\n3,0.3,0.8\n' "$((k+4))" > history.csv
`);
    writeFileSync(path.join(dir, 'mlci.yaml'), `version: 1
params: params.yaml
defaults: { image: busybox }
stages:
  train:
    kind: train
    run: sh train.sh
    params: [k]
    deps: [train.sh]
    history: history.csv
    plots:
      - plots/loss.csv: { x: step, y: loss, title: "Loss <script>alert(1)</script>", x_label: Epoch }
      - plots/confusion.json: { template: confusion, x: actual, y: predicted }
      - plots/roc.json: { template: roc }
      - plots/sample.png
      - plots/fake.png
`);
    for (const k of ['1', '3']) {
      writeFileSync(path.join(dir, 'params.yaml'), `k: ${k}\n`);
      const r = mlci(['run', '--executor', 'local'], dir);
      assert.equal(r.code, 0, r.out + r.err);
      runs.push(/run (\S+): passed/.exec(r.out)![1]!);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a copy of each plot with the run, listed in run.json', () => {
    const rec = JSON.parse(readFileSync(path.join(dir, '.mlci/runs', runs[0]!, 'run.json'), 'utf8'));
    assert.deepEqual(rec.plots.map((p: { path: string }) => p.path), ['plots/loss.csv', 'plots/confusion.json', 'plots/roc.json', 'plots/sample.png', 'plots/fake.png']);
    assert.equal(rec.plots[0].file, 'plots/train/plots/loss.csv');
    assert.equal(rec.plots[0].xLabel, 'Epoch');
    // The first run's copy is its own, though the workspace file has changed since.
    assert.equal(readFileSync(path.join(dir, '.mlci/runs', runs[0]!, rec.plots[0].file), 'utf8'), 'step,loss\n0,1\n1,0.1\n2,0.2\n');
  });

  it('show --format json: the workspace plots, the broken one as an error, exit 1', () => {
    const r = mlci(['plots', 'show', '--format', 'json'], dir);
    assert.equal(r.code, 1, r.err);
    const data = JSON.parse(r.out);
    assert.equal(data.version, 1);
    const plots = data.runs[0].plots;
    assert.deepEqual(plots.map((p: { kind: string }) => p.kind), ['xy', 'confusion', 'xy', 'image', 'error', 'xy']);
    // The stage's metric history as the workspace has it, a line per series (as the Plots panel draws it).
    assert.equal(plots[5].id, 'train:(history)');
    assert.equal(plots[5].title, 'train: metric history');
    assert.deepEqual(plots[5].series.map((s: { name: string }) => s.name), ['loss', 'acc']);
    assert.deepEqual(plots[5].series[0].points, [{ x: 1, y: 0.9 }, { x: 2, y: 0.7 }, { x: 3, y: 0.3 }]);
    assert.deepEqual(plots[0].series[0].points[1], { x: 1, y: 0.3 });
    assert.deepEqual(plots[1].labels, ['<b>x</b>', 'no', 'yes']);
    assert.deepEqual(plots[1].counts, [[0, 1, 0], [0, 1, 0], [0, 1, 1]]);
    assert.match(plots[4].error, /plots\/fake\.png is not a PNG image/);
    assert.match(r.err, /cannot draw: workspace: plots\/fake\.png is not a PNG image/);
  });

  it('diff of two runs as HTML: one file, no script, labels escaped, lines of both runs, the error on its plot', () => {
    const out = path.join(dir, 'report.html');
    const r = mlci(['plots', 'diff', runs[0]!, runs[1]!, '--format', 'html', '--out', out], dir);
    assert.equal(r.code, 1, r.err);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"/);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<b>x<\/b>/);
    assert.match(html, /Loss &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(html, /&lt;b&gt;x&lt;\/b&gt;/);
    assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    // loss and roc, one line per run; the metric history, a line per series (loss, acc) per run.
    assert.equal((html.match(/<polyline/g) ?? []).length, 8, 'loss, roc and the history of both runs');
    assert.match(html, /train: metric history/);
    assert.equal((html.match(/<img /g) ?? []).length, 2, 'the PNG of each run');
    assert.match(html, /class="err">plots\/fake\.png is not a PNG image/);
  });

  it('diff without runs: the latest run against the workspace; Markdown with images beside the file', () => {
    const out = path.join(dir, 'summary.md');
    const r = mlci(['plots', 'diff', '--format', 'md', '--out', out, '--plot', 'plots/confusion.json', '--plot', 'train:plots/loss.csv'], dir);
    assert.equal(r.code, 0, r.err);
    const md = readFileSync(out, 'utf8');
    assert.match(md, new RegExp(`## Plots: ${runs[1]} vs workspace`));
    assert.match(md, /!\[Loss \\<script\\>alert\\\(1\\\)\\<\/script\\> \(\S+, workspace\)\]\(summary-plots\/plot-1\.svg\)/);
    assert.match(md, /\| actual \\ predicted \| \\<b\\>x\\<\/b\\> \| no \| yes \|/);
    const assets = readdirSync(path.join(dir, 'summary-plots')).sort();
    assert.deepEqual(assets, ['plot-1.svg', 'plot-2.svg', 'plot-3.svg']);
    assert.match(readFileSync(path.join(dir, 'summary-plots/plot-1.svg'), 'utf8'), /^<svg xmlns/);
  });

  it('json of a run: its recorded history (each run its own values); --plot (history) picks only the histories', () => {
    const r = mlci(['plots', 'show', runs[0]!, runs[1]!, '--format', 'json', '--plot', '(history)'], dir);
    assert.equal(r.code, 0, r.err);
    const data = JSON.parse(r.out);
    assert.deepEqual(data.runs.map((run: { run: string }) => run.run), runs);
    for (const run of data.runs) assert.deepEqual(run.plots.map((p: { id: string }) => p.id), ['train:(history)']);
    assert.deepEqual(data.runs.map((run: { plots: Array<{ series: Array<{ points: Array<{ y: number }> }> }> }) => run.plots[0]!.series[0]!.points.map((p) => p.y)), [[0.9, 0.5, 0.3], [0.9, 0.7, 0.3]]);
  });

  it('Markdown of a run: the history drawn as a line chart, a line per series (an SVG beside the file)', () => {
    const out = path.join(dir, 'history.md');
    const r = mlci(['plots', 'show', runs[1]!, '--format', 'md', '--out', out, '--plot', 'train:(history)'], dir);
    assert.equal(r.code, 0, r.err);
    const md = readFileSync(out, 'utf8');
    assert.match(md, /### train: metric history\n\n!\[train: metric history\]\(history-plots\/plot-1\.svg\)/);
    const svg = readFileSync(path.join(dir, 'history-plots/plot-1.svg'), 'utf8');
    assert.equal((svg.match(/<polyline/g) ?? []).length, 2, 'loss and acc');
    assert.match(svg, />loss</);
    assert.match(svg, />acc</);
  });

  it('bad usage: no subcommand, an unknown format, an unknown run', () => {
    assert.equal(mlci(['plots'], dir).code, 2);
    assert.match(mlci(['plots', 'show', '--format', 'pdf'], dir).err, /--format must be html, md or json/);
    const r = mlci(['plots', 'show', 'nosuchrun'], dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /no run matches 'nosuchrun'/);
    assert.ok(!existsSync(path.join(dir, 'nosuchrun')));
  });

  it('a workspace history that cannot be read is an error on that plot (exit 1), the other plots drawn', () => {
    writeFileSync(path.join(dir, 'history.csv'), 'step,loss,acc\n1,0.9\n2,0.5,0.6\n');
    const r = mlci(['plots', 'show', '--format', 'json', '--plot', '(history)', '--plot', 'plots/roc.json'], dir);
    assert.equal(r.code, 1, r.err);
    const plots = JSON.parse(r.out).runs[0].plots;
    assert.deepEqual(plots.map((p: { id: string; kind: string }) => `${p.id} ${p.kind}`), ['train:plots/roc.json xy', 'train:(history) error']);
    assert.match(plots[1].error, /history file 'history\.csv'/);
    assert.match(r.err, /cannot draw: workspace: history file 'history\.csv'/);
  });
});
