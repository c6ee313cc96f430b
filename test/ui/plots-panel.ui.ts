/**
 * The Plots webview in real headless Chromium, run by
 * scripts/test-plots-panel.mjs (exports `panelTests`, like
 * compare-panel.ui.ts, whose page server, page wrapper and fake `vscode`
 * it reuses). The data is made by the real plots core: the churn example's
 * pipeline (evaluate's confusion matrix and ROC curve, train's history
 * through readHistoryFile) and a workspace written here with every other
 * kind (linear, scatter, bar, confusion_normalized, precision_recall, PNG,
 * SVG, a missing file, a field that is not there).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadPipeline } from '../../src/cli/workspace';
import { seededRandom } from '../../src/core/experiments/grid';
import { workspacePlots } from '../../src/core/plots/collect';
import { historyPlot } from '../../src/core/plots/history';
import { loadPlotFile } from '../../src/core/plots/load';
import type { Plot, PlotData, RunPlots } from '../../src/core/plots/types';
import { readHistoryFile } from '../../src/core/run/metrics';
import type { PlotsLive, PlotsPanelToWebview, PlotsPayload, PlotsRun } from '../../src/protocol/plots-panel';
// Types only: the module itself is loaded by loadPanelModule, with `vscode` faked.
import type * as PlotsPanelModule from '../../src/adapters/vscode/panels/plots-panel';
import type { PanelServer, PanelTest } from './compare-panel.ui';
import { ComparePage, fakeVscode, loadPanelModule, serveComparePanel } from './compare-panel.ui';

export type { PanelTest };

const REPO = path.resolve(path.dirname(__filename), '..', '..');
const EXAMPLE = path.join(REPO, 'examples', 'churn');
const XSS = '<img src=x onerror=alert(1)>';
/** docs/screenshots/plots-panel.png: MLCI_UPDATE_SCREENSHOTS=1 node scripts/test-plots-panel.mjs --grep 'three runs' */
const SCREENSHOT = path.join(REPO, 'docs', 'screenshots', 'plots-panel.png');

/** The example's plots as the workspace has them: evaluate's confusion matrix and ROC, train's loss history. */
export async function examplePlots(): Promise<RunPlots> {
  const loaded = await loadPipeline(EXAMPLE, undefined, () => undefined);
  const run = await workspacePlots(loaded.pipeline, loaded.root);
  const train = loaded.pipeline.stages.find((s) => s.name === 'train')!;
  run.plots.unshift(historyPlot('train', await readHistoryFile(path.join(loaded.root, train.history!), train.history!)));
  return run;
}

/** A workspace with one file per remaining kind, loaded by the core (loadPlotFile) as stage `kinds`. */
export async function kindPlots(names: { title?: string; series?: string; label?: string } = {}): Promise<PlotData[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mlci-plot-kinds-'));
  try {
    const series = names.series ?? 'val_loss';
    const label = names.label ?? 'cat';
    writeFileSync(path.join(dir, 'loss.csv'), `step,loss,${series}\n${Array.from({ length: 40 }, (_, i) => `${i},${(1 / (i + 1)).toFixed(4)},${(1.2 / (i + 1) + 0.05).toFixed(4)}`).join('\n')}\n`);
    writeFileSync(path.join(dir, 'embedding.tsv'), `x\ty\n${Array.from({ length: 60 }, (_, i) => `${Math.cos(i) * i / 10}\t${Math.sin(i) * i / 10}`).join('\n')}\n`);
    writeFileSync(path.join(dir, 'importance.json'), JSON.stringify([{ feature: 'tenure', gain: 0.4 }, { feature: 'plan', gain: 0.25 }, { feature: 'support_calls', gain: 0.3 }]));
    writeFileSync(path.join(dir, 'pr.jsonl'), Array.from({ length: 21 }, (_, i) => JSON.stringify({ recall: i / 20, precision: 1 - (i / 20) ** 2 * 0.6 })).join('\n') + '\n');
    writeFileSync(path.join(dir, 'classes.csv'), `actual,predicted\n${[['dog', 'dog'], ['dog', 'dog'], ['dog', label], [label, label], [label, label], [label, 'dog'], ['bird', 'bird'], ['bird', label]].map((r) => r.join(',')).join('\n')}\n`);
    copyFileSync(path.join(REPO, 'docs', 'screenshots', 'explorer.png'), path.join(dir, 'explorer.png'));
    copyFileSync(path.join(REPO, 'media', 'mlci.svg'), path.join(dir, 'logo.svg'));
    writeFileSync(path.join(dir, 'broken.csv'), 'step,loss\n0,1\n1,0.5\n');
    const decls: Plot[] = [
      { path: 'loss.csv', template: 'linear', y: ['loss', series], title: names.title ?? 'Loss (linear)' },
      { path: 'embedding.tsv', template: 'scatter', x: 'x', y: 'y', title: 'Embedding (scatter)' },
      { path: 'importance.json', template: 'bar', x: 'feature', y: 'gain', title: 'Gain (bar)' },
      { path: 'pr.jsonl', template: 'precision_recall', title: 'Precision-recall' },
      { path: 'classes.csv', template: 'confusion_normalized', title: 'Classes (normalized)' },
      { path: 'explorer.png', title: 'A PNG image' },
      { path: 'logo.svg', title: 'An SVG image' },
      { path: 'missing.csv', title: 'A file never written' },
      { path: 'broken.csv', x: 'epoch', y: 'loss', title: 'A field that is not there' },
    ];
    const out: PlotData[] = [];
    for (const d of decls) out.push(await loadPlotFile(d, path.join(dir, d.path), { stage: 'kinds' }));
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `plots` plots x `runs` runs for the bench and the scale test: in turn a
 * 200-step line plot with two series, a ROC curve (100 points), a 3-class
 * confusion matrix and a 6-bar chart, every run its own values.
 */
export function generatePlots(plots: number, runs: number, seed = 1): PlotsPayload {
  const next = seededRandom(seed);
  const out: PlotsRun[] = [];
  for (let r = 0; r < runs; r++) {
    const list: PlotData[] = [];
    for (let p = 0; p < plots; p++) {
      const base = { id: `s${p % 7}:plots/p${p}.json`, path: `plots/p${p}.json`, stage: `s${p % 7}`, title: `plot ${p}`, notes: [] };
      const k = p % 4;
      if (k === 0) {
        const lr = 0.02 + next() * 0.05;
        const series = ['loss', 'val_loss'].map((name, j) => {
          const points = Array.from({ length: 200 }, (_, i) => ({ x: i, y: Math.exp(-lr * i) + j * 0.05 + next() * 0.02 }));
          return { name, points, total: points.length };
        });
        list.push({ ...base, kind: 'xy', template: 'linear', xLabel: 'step', yLabel: 'loss', series });
      } else if (k === 1) {
        const bend = 1 + next() * 4;
        const points = Array.from({ length: 100 }, (_, i) => ({ x: i / 99, y: 1 - (1 - i / 99) ** bend }));
        list.push({ ...base, kind: 'xy', template: 'roc', xLabel: 'fpr', yLabel: 'tpr', series: [{ name: 'tpr', points, total: 100 }] });
      } else if (k === 2) {
        const counts = [0, 1, 2].map((a) => [0, 1, 2].map((b) => Math.round((a === b ? 80 : 10) * (0.5 + next()))));
        list.push({ ...base, kind: 'confusion', template: 'confusion', xLabel: 'actual', yLabel: 'predicted', labels: ['a', 'b', 'c'], counts, normalized: false });
      } else {
        const labels = ['f1', 'f2', 'f3', 'f4', 'f5', 'f6'];
        list.push({ ...base, kind: 'bar', template: 'bar', xLabel: 'feature', yLabel: 'gain', labels, series: [{ name: 'gain', values: labels.map(() => next()) }] });
      }
    }
    out.push({ run: `r${String(r + 1).padStart(3, '0')}`, label: `run-${r + 1}`, plots: list });
  }
  return { title: `Plots: ${runs} runs`, runs: out };
}

/** The page with the Plots webview; sends payloads as the extension does. */
export class PlotsPage {
  private constructor(readonly p: ComparePage) {}
  get page(): Page {
    return this.p.page;
  }

  static async open(browser: Browser, url: string, before?: (page: Page) => Promise<void>): Promise<PlotsPage> {
    return new PlotsPage(await ComparePage.open(browser, url, before));
  }

  /** Posts the plots once the page said 'ready'; returns the page's own render time and the charts drawn. */
  async send(payload: PlotsPayload, timeout = 20_000): Promise<{ ms: number; charts: number; plots: number }> {
    await this.p.waitForPosted('ready');
    const before = (await this.p.posted('rendered')).length;
    // As JSON text: playwright copies an object argument value by value, slowly for big payloads.
    await this.page.evaluate((json) => {
      const message: PlotsPanelToWebview = { type: 'plots', payload: JSON.parse(json) as PlotsPayload };
      window.postMessage(message, '*');
    }, JSON.stringify(payload));
    await this.p.waitForPosted('rendered', before + 1, timeout);
    return (await this.p.posted('rendered')).at(-1)!.payload as { ms: number; charts: number; plots: number };
  }

  async live(message: PlotsLive): Promise<void> {
    const before = (await this.p.posted('liveDrawn')).length;
    await this.page.evaluate((json) => window.postMessage({ type: 'live', payload: JSON.parse(json) as PlotsLive }, '*'), JSON.stringify(message));
    await this.p.waitForPosted('liveDrawn', before + 1);
  }

  card(id: string) {
    return this.page.locator(`figure[data-plot="${id}"]`);
  }

  /** Painted share of a card's canvases (after scrolling it into view, where charts are drawn). */
  async ink(id: string): Promise<Array<{ painted: number; colours: number; points: number }>> {
    await this.card(id).scrollIntoViewIfNeeded();
    await this.page.waitForFunction((sel) => document.querySelector(sel)?.querySelector('canvas, table, img') !== null, `figure[data-plot="${id}"]`);
    return this.card(id).locator('canvas').evaluateAll((cs) => (cs as HTMLCanvasElement[]).map((c) => {
      const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
      let painted = 0;
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! > 0) {
          painted++;
          colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
        }
      }
      return { painted: painted / Math.max(1, c.width * c.height), colours: colours.size, points: Number(c.dataset.points ?? 0) };
    }));
  }

  assertClean(): Promise<void> {
    return this.p.assertClean();
  }
}

let server: PanelServer | undefined;
const PAGE = { bundle: 'plots', title: 'Plots' };
async function openPanel(browser: Browser): Promise<PlotsPage> {
  server ??= await serveComparePanel(PAGE);
  return PlotsPage.open(browser, server.url);
}

export async function stopPanelServer(): Promise<void> {
  await server?.close();
  server = undefined;
}

export async function servePlotsPanel(): Promise<PanelServer> {
  return serveComparePanel(PAGE);
}

let currentFake: ReturnType<typeof fakeVscode>['api'] | undefined;
const vscodeStandIn = {
  get ViewColumn() { return currentFake!.ViewColumn; },
  get Uri() { return currentFake!.Uri; },
  get window() { return currentFake!.window; },
  get workspace() { return currentFake!.workspace; },
};
let plotsModule: typeof PlotsPanelModule | undefined;
const panelModule = () => (plotsModule ??= loadPanelModule<typeof PlotsPanelModule>(vscodeStandIn, '../../src/adapters/vscode/panels/plots-panel.ts'));

const one = (run: RunPlots, extra: Partial<PlotsPayload> = {}): PlotsPayload => ({ title: `Plots: ${run.label}`, runs: [run], ...extra });
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Three runs of the example: the recorded data, and two with other predictions (the same files through the core, changed). */
async function threeRuns(): Promise<PlotsRun[]> {
  const base = await examplePlots();
  const runs: PlotsRun[] = [];
  for (let i = 0; i < 3; i++) {
    const r = structuredClone(base);
    r.run = `run-${i + 1}`;
    r.label = `lr=${[0.05, 0.1, 0.3][i]}`;
    for (const p of r.plots) {
      if (p.kind === 'xy' && p.template === 'roc') for (const s of p.series) s.points = s.points.map((pt) => ({ x: pt.x, y: Math.min(1, pt.y ** (1 + i * 0.5)) }));
      if (p.kind === 'confusion') p.counts = p.counts.map((row, a) => row.map((c, b) => (a === b ? c - i * 7 : c + i * 7)));
      if (p.kind === 'xy' && p.stage === 'train') for (const s of p.series) s.points = s.points.map((pt) => ({ x: pt.x, y: pt.y * (1 + i * 0.15) }));
    }
    runs.push(r);
  }
  return runs;
}

export const panelTests: PanelTest[] = [
  {
    name: "posts 'ready' first, then draws every plot kind the core makes: lines, scatter, bar, ROC, PR, confusion heat maps with the core's counts, PNG and SVG images, errors on their plot",
    async run({ browser, shot }) {
      const example = await examplePlots();
      const run: RunPlots = { ...example, plots: [...example.plots, ...(await kindPlots())] };
      const p = await openPanel(browser);
      try {
        const r = await p.send(one(run));
        const log = await p.p.log();
        const ready = log.findIndex((e) => e.dir === 'out' && e.type === 'ready');
        const data = log.findIndex((e) => e.dir === 'in' && e.type === 'plots');
        assert.ok(ready >= 0 && ready < data, `'ready' (${ready}) must come before the plots (${data})`);
        assert.equal(r.plots, run.plots.length);
        const ids = await p.page.locator('figure[data-plot]').evaluateAll((fs) => fs.map((f) => (f as HTMLElement).dataset.plot));
        assert.deepEqual(ids, run.plots.map((x) => x.id));
        // Line, ROC, scatter, bar and PR charts are drawn (their canvases have ink in several colours).
        for (const id of ['train:(history)', 'evaluate:metrics/roc.json', 'kinds:loss.csv', 'kinds:embedding.tsv', 'kinds:importance.json', 'kinds:pr.jsonl']) {
          const ink = await p.ink(id);
          assert.equal(ink.length, 1, `${id}: one chart`);
          assert.ok(ink[0]!.painted > 0.01 && ink[0]!.colours > 4, `${id} looks blank: ${JSON.stringify(ink)}`);
        }
        const history = run.plots.find((x) => x.id === 'train:(history)') as Extract<PlotData, { kind: 'xy' }>;
        assert.deepEqual(history.series.map((s) => s.name), ['loss', 'accuracy']);
        assert.equal((await p.ink('train:(history)'))[0]!.points, history.series.reduce((n, s) => n + s.points.length, 0));
        // The confusion matrix: the counts the core computed from metrics/confusion.json, as text in the cells.
        const confusion = run.plots.find((x) => x.id === 'evaluate:metrics/confusion.json') as Extract<PlotData, { kind: 'confusion' }>;
        assert.equal(confusion.kind, 'confusion');
        await p.card(confusion.id).scrollIntoViewIfNeeded();
        const cells = await p.card(confusion.id).locator('table.confusion tbody tr').evaluateAll((rows) => rows.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => Number(td.textContent))));
        assert.deepEqual(cells, confusion.counts);
        const rows = JSON.parse(readFileSync(path.join(EXAMPLE, 'metrics', 'confusion.json'), 'utf8')) as unknown[] | Record<string, unknown[]>;
        const n = Array.isArray(rows) ? rows.length : Object.values(rows)[0]!.length;
        assert.equal(cells.flat().reduce((a, b) => a + b, 0), n, 'every prediction counted once');
        // Normalized: shares of the row, the count in the cell's data.
        await p.card('kinds:classes.csv').scrollIntoViewIfNeeded();
        const norm = await p.card('kinds:classes.csv').locator('table.confusion tbody td').allTextContents();
        assert.deepEqual(norm, ['0.50', '0.50', '0.00', '0.00', '0.67', '0.33', '0.00', '0.33', '0.67'], 'rows and columns bird, cat, dog: shares of each row');
        // Images: shown from data: URIs, decoded by the browser.
        for (const id of ['kinds:explorer.png', 'kinds:logo.svg']) {
          await p.card(id).scrollIntoViewIfNeeded();
          const img = p.card(id).locator('img');
          await p.page.waitForFunction((sel) => { const i = document.querySelector<HTMLImageElement>(sel); return !!i && i.complete && i.naturalWidth > 0; }, `figure[data-plot="${id}"] img`);
          assert.match(await img.getAttribute('src') ?? '', /^data:image\/(png|svg\+xml);base64,/);
        }
        // Errors: on their own plot, the core's message; the other plots drew.
        assert.match(await p.card('kinds:missing.csv').locator('.plot-error').textContent() ?? '', /missing\.csv does not exist/);
        assert.match(await p.card('kinds:broken.csv').locator('.plot-error').textContent() ?? '', /x: "epoch" is not a field of the file; it has "step", "loss"/);
        await p.page.evaluate(() => window.scrollTo(0, 0));
        await p.page.setViewportSize({ width: 1200, height: 1400 });
        await p.page.waitForTimeout(300);
        await shot(p.page, 'plots-kinds');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'three runs of the example: loss and ROC overlaid in one chart (a line per run), confusion matrices side by side; unticking Overlay gives a chart per run',
    async run({ browser, shot }) {
      const runs = await threeRuns();
      const p = await openPanel(browser);
      try {
        await p.page.setViewportSize({ width: 1400, height: 1000 });
        await p.send({ title: 'Plots: 3 runs', runs });
        const roc = runs[0]!.plots.find((x) => x.kind === 'xy' && x.template === 'roc') as Extract<PlotData, { kind: 'xy' }>;
        const ink = await p.ink(roc.id);
        assert.equal(ink.length, 1, 'one overlaid chart');
        assert.equal(ink[0]!.points, 3 * roc.series[0]!.points.length);
        const matrices = p.card('evaluate:metrics/confusion.json').locator('table.confusion');
        assert.equal(await matrices.count(), 3);
        assert.deepEqual(await p.card('evaluate:metrics/confusion.json').locator('.cell-label').allTextContents(), ['lr=0.05', 'lr=0.1', 'lr=0.3']);
        const firstCells = await matrices.nth(2).locator('td').allTextContents();
        const c = runs[2]!.plots.find((x) => x.kind === 'confusion') as Extract<PlotData, { kind: 'confusion' }>;
        assert.deepEqual(firstCells.map(Number), c.counts.flat());
        await p.page.evaluate(() => window.scrollTo(0, 0));
        await shot(p.page, 'plots-three-runs');
        // The README's picture: written only when asked (a test run leaves the tree as it was).
        if (process.env.MLCI_UPDATE_SCREENSHOTS === '1') writeFileSync(SCREENSHOT, await p.page.screenshot({ fullPage: false }));

        await p.page.getByTestId('overlay').uncheck();
        const side = await p.ink(roc.id);
        assert.equal(side.length, 3, 'a chart per run');
        for (const s of side) assert.ok(s.painted > 0.01, 'each drawn');
        assert.deepEqual(await p.card(roc.id).locator('.cell-label').allTextContents(), ['lr=0.05', 'lr=0.1', 'lr=0.3']);
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: `a plot, series, class, file and run named ${XSS} show as text: no element, no dialog, no CSP violation`,
    async run({ browser, shot }) {
      const kinds = await kindPlots({ title: XSS, series: XSS, label: XSS });
      const missing = kinds.find((k) => k.kind === 'error' && k.path === 'missing.csv')!;
      missing.path = `${XSS}.csv`;
      (missing as { error: string }).error = `${XSS}.csv does not exist`;
      const run: RunPlots = { run: XSS, label: XSS, plots: kinds };
      const p = await openPanel(browser);
      try {
        await p.send({ title: XSS, runs: [run, { ...structuredClone(run), run: 'b', label: 'b' }] });
        assert.equal(await p.page.locator('h1').textContent(), XSS);
        assert.equal(await p.card('kinds:loss.csv').locator('figcaption .name').textContent(), XSS);
        await p.ink('kinds:loss.csv');
        await p.card('kinds:classes.csv').scrollIntoViewIfNeeded();
        const headers = await p.card('kinds:classes.csv').locator('table.confusion thead th').allTextContents();
        assert.ok(headers.includes(XSS), `class label shown as text: ${headers.join(' | ')}`);
        assert.match(await p.card('kinds:missing.csv').locator('.plot-error').first().textContent() ?? '', new RegExp(`^${XSS.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
        // The only images are the two image plots of each run (4): nothing made of the names.
        for (const id of ['kinds:explorer.png', 'kinds:logo.svg']) await p.card(id).scrollIntoViewIfNeeded();
        await p.page.waitForTimeout(200);
        assert.equal(await p.page.locator('img:not([src^="data:image/"])').count(), 0);
        assert.equal(await p.page.locator('#root b, #root script, #root img[src="x"]').count(), 0);
        await shot(p.page, 'plots-xss');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'layout, filter and scroll are restored after a reload, and the last plots render before the extension answers',
    async run({ browser }) {
      const runs = await threeRuns();
      const p = await openPanel(browser);
      try {
        await p.send({ title: 'Plots: 3 runs', runs });
        await p.page.getByTestId('overlay').uncheck();
        await p.page.getByTestId('filter').fill('roc');
        assert.deepEqual(await p.page.locator('figure[data-plot]').evaluateAll((fs) => fs.map((f) => (f as HTMLElement).dataset.plot)), ['evaluate:metrics/roc.json']);
        await p.page.waitForTimeout(300); // the debounced save
        await p.page.reload();
        // No 'plots' message this time: the saved payload renders.
        await p.p.waitForPosted('rendered');
        assert.equal(await p.page.getByTestId('overlay').isChecked(), false);
        assert.equal(await p.page.getByTestId('filter').inputValue(), 'roc');
        assert.deepEqual(await p.page.locator('figure[data-plot]').evaluateAll((fs) => fs.map((f) => (f as HTMLElement).dataset.plot)), ['evaluate:metrics/roc.json']);
        assert.equal((await p.ink('evaluate:metrics/roc.json')).length, 3);
        assert.match(await p.page.getByTestId('summary').textContent() ?? '', /^1 of 3 plots · 3 runs/);
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: "live: a running stage's history grows in its card as 'live' messages arrive, and a new stage's first points add a card",
    async run({ browser, shot }) {
      const recorded = (await threeRuns())[0]!;
      const live: PlotsRun = { run: 'live', label: 'running now', live: true, plots: [] };
      const p = await openPanel(browser);
      try {
        await p.send({ title: 'Plots: train', runs: [recorded, live], stage: 'train' });
        const id = 'train:(history)';
        const before = (await p.ink(id))[0]!.points;
        const grown = { id, path: '(history)', stage: 'train', title: 'train: metric history', notes: [], kind: 'xy' as const, template: 'linear' as const, xLabel: 'step', yLabel: 'value', series: [{ name: 'loss', points: [] as Array<{ x: number; y: number }>, total: 0 }] };
        for (let step = 0; step < 5; step++) {
          grown.series[0]!.points.push({ x: step, y: 1 / (step + 1) });
          grown.series[0]!.total++;
          await p.live({ run: 'live', stage: 'train', step, plot: structuredClone(grown), points: 1, at: Date.now() });
          assert.equal((await p.ink(id))[0]!.points, before + step + 1, `after step ${step}`);
        }
        assert.match(await p.page.getByTestId('summary').textContent() ?? '', /running now is running/);
        // Another stage starts logging: its history is a new card.
        await p.live({ run: 'live', stage: 'finetune', step: 0, plot: { ...structuredClone(grown), id: 'finetune:(history)', stage: 'finetune', title: 'finetune: metric history' }, points: 1, at: Date.now() });
        assert.equal(await p.card('finetune:(history)').count(), 1);
        await shot(p.page, 'plots-live');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'Export data posts the CSV behind a plot (run, actual, predicted, count), Export PNG a PNG data: URL',
    async run({ browser }) {
      const runs = (await threeRuns()).slice(0, 2);
      const p = await openPanel(browser);
      try {
        await p.send({ title: 'Plots', runs });
        const card = p.card('evaluate:metrics/confusion.json');
        await card.scrollIntoViewIfNeeded();
        await card.getByRole('button', { name: 'Export data' }).click();
        await p.p.waitForPosted('exportData');
        const { csv, name } = (await p.p.posted('exportData'))[0]!.payload as { csv: string; name: string };
        assert.equal(name, 'Confusion matrix (test)');
        const lines = csv.trimEnd().split('\r\n');
        assert.equal(lines[0], 'run,actual,predicted,count');
        const c = runs[1]!.plots.find((x) => x.kind === 'confusion') as Extract<PlotData, { kind: 'confusion' }>;
        assert.ok(lines.includes(`lr=0.1,${c.labels[0]},${c.labels[1]},${c.counts[0]![1]}`), csv);
        assert.equal(lines.length, 1 + 2 * c.labels.length ** 2);
        await card.getByRole('button', { name: 'Export PNG' }).click();
        await p.p.waitForPosted('exportPng');
        const png = (await p.p.posted('exportPng'))[0]!.payload as { dataUrl: string };
        assert.match(png.dataUrl, /^data:image\/png;base64,iVBORw0KGgo/);
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: "the extension side: createOrShow serves plots.js under the CSP, answers 'ready' with the plots, forwards live points (kept for a late ready), saves exports, revives from saved state",
    async run({ browser }) {
      server ??= await serveComparePanel(PAGE);
      const out = mkdtempSync(path.join(tmpdir(), 'mlci-plots-export-'));
      const fake = fakeVscode(server.origin, path.join(out, 'export.bin'));
      currentFake = fake.api;
      const { PlotsPanel, registerPlotsPanel, PLOTS_PANEL_VIEW_TYPE } = panelModule();
      assert.equal(PLOTS_PANEL_VIEW_TYPE, 'mlci.plotsPanel');
      const extensionUri = fake.api.Uri.file(REPO);
      registerPlotsPanel({ extensionUri } as never);
      const recorded = (await threeRuns())[0]!;
      const payload: PlotsPayload = { title: 'Plots: train', runs: [recorded, { run: 'live', label: 'running now', live: true, plots: [] }], pipeline: path.join(EXAMPLE, 'mlci.yaml') };
      const panel = PlotsPanel.createOrShow(extensionUri as never, payload);
      try {
        assert.equal(fake.panel.title, 'Plots: train');
        assert.deepEqual(fake.panel.webview.options.localResourceRoots?.map((u) => u.fsPath), [path.join(REPO, 'media')]);
        assert.match(fake.panel.webview.html, /<script nonce="[^"]+" src="http:\/\/127\.0\.0\.1:\d+\/media\/webview\/plots\.js"><\/script>/);
        assert.match(fake.panel.webview.html, /script-src &#39;nonce-[^&]+&#39;;/);
        // Points before the page is up: kept, nothing posted.
        panel.live({ run: 'live', stage: 'train', step: 1, points: [{ name: 'loss', step: 0, value: 1 }, { name: 'loss', step: 1, value: 0.5 }], at: Date.now() });
        panel.live({ run: 'not-shown', stage: 'train', points: [{ name: 'loss', step: 0, value: 9 }], at: Date.now() });
        assert.equal(fake.sent.length, 0, 'nothing is posted before the page says ready');
        server.setHtml(fake.panel.webview.html);
        const p = await PlotsPage.open(browser, server.url, async (page) => {
          await page.exposeFunction('__toExtension', (m: unknown) => fake.receive(m));
        });
        try {
          for (let i = 0; i < 250 && !fake.sent.length; i++) await wait(20);
          const first = fake.sent[0] as PlotsPanelToWebview;
          assert.equal(first?.type, 'plots', "no plots after 'ready'");
          const liveRun = (first as Extract<PlotsPanelToWebview, { type: 'plots' }>).payload.runs.find((r) => r.live)!;
          assert.deepEqual((liveRun.plots[0] as Extract<PlotData, { kind: 'xy' }>).series[0]!.points, [{ x: 0, y: 1 }, { x: 1, y: 0.5 }]);
          await p.page.evaluate((m) => window.postMessage(m, '*'), first);
          await p.p.waitForPosted('rendered');
          // After ready: each update goes out as the stage's history plot as it now is.
          panel.live({ run: 'live', stage: 'train', step: 2, points: [{ name: 'loss', step: 2, value: 0.25 }], at: Date.now() });
          for (let i = 0; i < 100 && fake.sent.length < 2; i++) await wait(10);
          const second = fake.sent[1] as Extract<PlotsPanelToWebview, { type: 'live' }>;
          assert.equal(second.type, 'live');
          assert.deepEqual(second.payload.plot.series[0]!.points.map((q) => q.x), [0, 1, 2]);
          await p.page.evaluate((m) => window.postMessage(m, '*'), second);
          await p.p.waitForPosted('liveDrawn');
          // Exports through the save dialog.
          const card = p.card('evaluate:metrics/roc.json');
          await card.scrollIntoViewIfNeeded();
          await card.getByRole('button', { name: 'Export data' }).click();
          for (let i = 0; i < 100 && !fake.calls.written.length; i++) await wait(20);
          assert.match(Buffer.from(fake.calls.written[0]!.bytes).toString('utf8'), /^run,series,x,y\r\n/);
          await card.getByRole('button', { name: 'Export PNG' }).click();
          for (let i = 0; i < 100 && fake.calls.written.length < 2; i++) await wait(20);
          assert.deepEqual([...fake.calls.written[1]!.bytes.slice(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
          // A data: URL that is not a PNG is refused, nothing written.
          fake.receive({ type: 'exportPng', payload: { dataUrl: 'data:text/html;base64,PGI+', name: '../x' } });
          await wait(50);
          assert.equal(fake.calls.written.length, 2);
          await p.assertClean();
        } finally {
          await p.page.close();
          server.setHtml(undefined);
        }
      } finally {
        panel.dispose();
        rmSync(out, { recursive: true, force: true });
      }
      assert.equal(PlotsPanel.current, undefined);
      // After a reload VS Code hands the serializer the webview's saved state (JSON: NaN as a string).
      const saved = structuredClone(payload);
      const hist = saved.runs[0]!.plots.find((x) => x.kind === 'xy')! as Extract<PlotData, { kind: 'xy' }>;
      (hist.series[0]!.points[0] as unknown as { y: string }).y = 'NaN';
      fake.sent.length = 0;
      await fake.serializers[0]!.deserializeWebviewPanel(fake.panel, { layout: 'side', filter: '', last: saved });
      assert.ok(PlotsPanel.current, 'revived');
      fake.receive({ type: 'ready' });
      for (let i = 0; i < 50 && !fake.sent.length; i++) await wait(10);
      const revived = (fake.sent[0] as Extract<PlotsPanelToWebview, { type: 'plots' }>).payload;
      assert.equal(revived.runs.length, 2);
      assert.ok(Number.isNaN((revived.runs[0]!.plots.find((x) => x.kind === 'xy') as Extract<PlotData, { kind: 'xy' }>).series[0]!.points[0]!.y));
      PlotsPanel.current!.dispose();
    },
  },
  {
    name: 'virtualised: 200 plots x 20 runs build 200 cards but draw only the charts in view; scrolling to the end draws the last card',
    async run({ browser, note }) {
      const p = await openPanel(browser);
      try {
        const r = await p.send(generatePlots(200, 20), 60_000);
        note(`200 plots x 20 runs: first render ${r.ms.toFixed(0)} ms in the page, ${r.charts} charts drawn`);
        assert.equal(r.plots, 200);
        assert.ok(r.charts > 0 && r.charts < 20, `${r.charts} charts drawn at first`);
        assert.equal(await p.page.locator('figure[data-plot]').count(), 200);
        const last = generatePlots(200, 1).runs[0]!.plots[199]!.id;
        await p.card(last).scrollIntoViewIfNeeded();
        await p.page.waitForFunction((sel) => !!document.querySelector(sel), `figure[data-plot="${last}"] canvas, figure[data-plot="${last}"] table`);
        // Cards far above were dropped again: the canvases in the page stay few.
        assert.ok(await p.page.locator('canvas').count() < 40, `${await p.page.locator('canvas').count()} canvases`);
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
];
