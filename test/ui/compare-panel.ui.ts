/**
 * The experiment comparison webview in real headless Chromium, run by
 * scripts/test-compare-panel.mjs (exports `panelTests`, like
 * drift-panel.ui.ts). Each test opens the page the extension serves
 * (panelHtml, the same CSP, served over http so `cspSource` is a real
 * origin) with the built media/webview/compare.js and a stub
 * acquireVsCodeApi that logs messages and keeps state in sessionStorage (so
 * it survives a reload, as VS Code's does).
 * Data: test/fixtures/panels/compare-runs.json (4 run records shaped like
 * the churn example's: params lr/epochs/l2/seed, evaluate's metrics, train
 * history) through compareRunOf, and seeded generated runs for the sizes
 * (generateRuns, also used by bench/compare.bench.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Module, { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { RunRecord } from '../../src/core/run/record';
import type { ComparePanelToWebview, ComparePayload, CompareRun } from '../../src/protocol/compare-panel';
import { newNonce, panelHtml } from '../../src/adapters/vscode/panels/panel-html';
// Types only: the module itself is loaded by loadPanelModule, with `vscode` faked.
import type * as ComparePanelModule from '../../src/adapters/vscode/panels/compare-panel';
import type * as CompareModule from '../../src/adapters/vscode/compare';

// __filename, not __dirname: tsx's tsImport defines only the former faithfully.
const REPO = path.resolve(path.dirname(__filename), '..', '..');
const XSS = '<img src=x onerror=alert(1)>';
const FIXTURE = path.join(REPO, 'test/fixtures/panels/compare-runs.json');

/** Theme variables as VS Code's Dark Modern sets them on <html>. */
const DARK_THEME: Record<string, string> = {
  '--vscode-foreground': '#cccccc',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-editorWidget-border': '#454545',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-focusBorder': '#0078d4',
  '--vscode-textLink-foreground': '#4daafc',
  '--vscode-list-activeSelectionBackground': '#04395e',
  '--vscode-list-activeSelectionForeground': '#ffffff',
  '--vscode-list-hoverBackground': '#2a2d2e',
  '--vscode-font-family': 'system-ui, sans-serif',
  '--vscode-font-size': '13px',
};

/** Runs before the bundle (same nonce): what VS Code's webview host provides, plus a log. */
function stubScript(theme: Record<string, string> = DARK_THEME): string {
  return `
window.__log = [];
const KEY = 'mlci-test-state';
let acquired = false;
window.acquireVsCodeApi = () => {
  if (acquired) throw new Error('acquireVsCodeApi called twice');
  acquired = true;
  return {
    postMessage: (m) => {
      window.__log.push({ dir: 'out', type: m.type, payload: m.payload });
      if (window.__toExtension) window.__toExtension(m);
    },
    getState: () => { const s = sessionStorage.getItem(KEY); return s ? JSON.parse(s) : undefined; },
    setState: (s) => sessionStorage.setItem(KEY, JSON.stringify(s)),
  };
};
window.addEventListener('message', (e) => window.__log.push({ dir: 'in', type: e.data && e.data.type }), true);
document.addEventListener('securitypolicyviolation', (e) => window.__log.push({ dir: 'csp', directive: e.violatedDirective, blocked: e.blockedURI }));
for (const [k, v] of Object.entries(${JSON.stringify(theme)})) document.documentElement.style.setProperty(k, v);
document.body.classList.add('vscode-dark');
`;
}

interface LogEntry { dir: 'in' | 'out' | 'csp'; type?: string; payload?: unknown; directive?: string }

export interface PanelContext {
  browser: Browser;
  shot(page: Page, name: string): Promise<void>;
  note(text: string): void;
}

export interface PanelTest {
  name: string;
  run(ctx: PanelContext): Promise<void>;
}

export interface PanelServer { url: string; origin: string; setHtml(html: string | undefined): void; close(): Promise<void> }

/**
 * Serves the panel page and media/ over http: the server's origin plays
 * cspSource. Another panel's bundle (the pipeline graph's) is served the
 * same way, with the theme variables it reads added to Dark Modern's.
 */
export async function serveComparePanel(o: { bundle?: string; title?: string; theme?: Record<string, string> } = {}): Promise<PanelServer> {
  const bundle = o.bundle ?? 'compare';
  const theme = { ...DARK_THEME, ...o.theme };
  let fixedHtml: string | undefined;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === '/panel.html') {
      const origin = `http://${req.headers.host}`;
      const page = fixedHtml ?? panelHtml({ cspSource: origin, scriptUri: `${origin}/media/webview/${bundle}.js`, styleUri: `${origin}/media/panels.css`, title: o.title ?? 'Compare runs', nonce: newNonce() });
      const nonce = /<script nonce="([^"]+)"/.exec(page)![1];
      const html = page.replace('<script nonce=', `<script nonce="${nonce}">${stubScript(theme)}</script>\n<script nonce=`);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    const file = path.join(REPO, path.normalize(url.pathname));
    if (!url.pathname.startsWith('/media/') || !file.startsWith(path.join(REPO, 'media'))) {
      res.writeHead(404).end();
      return;
    }
    try {
      const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(readFileSync(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/panel.html`,
    origin: `http://127.0.0.1:${port}`,
    setHtml: (html) => (fixedHtml = html),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A page on the panel, with everything that must never happen recorded. */
export class ComparePage {
  readonly dialogs: string[] = [];
  readonly consoleErrors: string[] = [];
  private constructor(readonly page: Page) {
    page.on('dialog', (d) => {
      this.dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content Security Policy|Refused to/.test(m.text())) this.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => this.consoleErrors.push(String(e)));
  }

  static async open(browser: Browser, url: string, before?: (page: Page) => Promise<void>): Promise<ComparePage> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const p = new ComparePage(page);
    await before?.(page);
    await page.goto(url);
    return p;
  }

  log(): Promise<LogEntry[]> {
    return this.page.evaluate(() => (window as unknown as { __log: LogEntry[] }).__log);
  }

  async posted(type: string): Promise<LogEntry[]> {
    return (await this.log()).filter((e) => e.dir === 'out' && e.type === type);
  }

  async waitForPosted(type: string, count = 1, timeout = 10_000): Promise<void> {
    await this.page.waitForFunction(([t, n]) => (window as unknown as { __log: LogEntry[] }).__log.filter((e) => e.dir === 'out' && e.type === t).length >= (n as number), [type, count] as const, { timeout });
  }

  /** Posts the runs as the extension does, once the page has said 'ready'; returns the page's render time. */
  async sendRuns(payload: ComparePayload, timeout = 10_000): Promise<number> {
    await this.waitForPosted('ready');
    const before = (await this.posted('rendered')).length;
    // As JSON text: playwright serialises an object argument value by value, which takes
    // tens of seconds for 10,000 runs; a string crosses at once. The page posts the object.
    await this.page.evaluate((json) => {
      const message: ComparePanelToWebview = { type: 'runs', payload: JSON.parse(json) as ComparePayload };
      window.postMessage(message, '*');
    }, JSON.stringify(payload));
    await this.waitForPosted('rendered', before + 1, timeout);
    return ((await this.posted('rendered')).at(-1)!.payload as { ms: number }).ms;
  }

  rowRuns(): Promise<string[]> {
    return this.page.locator('table.runs tbody tr[data-run]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.run!));
  }

  async assertClean(): Promise<void> {
    const csp = (await this.log()).filter((e) => e.dir === 'csp');
    assert.deepEqual(this.dialogs, [], 'a dialog opened');
    assert.deepEqual(csp, [], 'CSP violations');
    assert.deepEqual(this.consoleErrors, [], 'console errors');
  }
}

/** mulberry32: seeded, so generated runs are the same on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` runs with `params` params and `metrics` metrics (seeded): params p00..
 * (numbers; p01 a string), metrics m00.. (m00 goal max, m01 goal min, the
 * rest alternate), a 50-step train history (loss, accuracy) on every run.
 * Names run-00001.. so name order is creation order.
 */
export function generateRuns(n: number, params = 10, metrics = 20, seed = 1): ComparePayload {
  const next = rng(seed);
  const goals: ComparePayload['goals'] = {};
  for (let m = 0; m < metrics; m++) goals[`m${String(m).padStart(2, '0')}`] = m % 2 === 0 ? 'max' : 'min';
  const runs: CompareRun[] = [];
  for (let i = 0; i < n; i++) {
    const p: CompareRun['params'] = {};
    for (let k = 0; k < params; k++) p[`p${String(k).padStart(2, '0')}`] = k === 1 ? ['adam', 'sgd', 'rmsprop'][i % 3]! : k === 2 ? 7 : Math.round(next() * 1000) / 1000;
    const mt: Record<string, number> = {};
    for (let k = 0; k < metrics; k++) mt[`m${String(k).padStart(2, '0')}`] = Math.round(next() * 1e5) / 1e5;
    const lr = (p.p00 as number) + 0.1;
    const history = { train: Array.from({ length: 50 }, (_, s) => ({ step: s + 1, loss: Math.exp(-lr * s / 10) + next() * 0.05, accuracy: 1 - Math.exp(-lr * s / 10) * 0.5 })) };
    runs.push({
      id: `r${String(i + 1).padStart(5, '0')}`,
      name: `run-${String(i + 1).padStart(5, '0')}`,
      status: i % 17 === 3 ? 'failed' : 'succeeded',
      startedAt: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(),
      branch: 'main',
      commit: (i * 2654435761 >>> 0).toString(16).padStart(8, '0'),
      params: p,
      metrics: mt,
      history,
    });
  }
  return { runs, baselineId: runs[0]?.id, goals };
}

let compareModule: typeof ComparePanelModule | undefined;

/** The fixture's run records through the extension's converter. */
function fixturePayload(mod: typeof ComparePanelModule): ComparePayload {
  const data = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { goals: ComparePayload['goals']; baselineId: string; records: RunRecord[] };
  return { runs: data.records.map((r) => mod.compareRunOf(r)), baselineId: data.baselineId, goals: data.goals };
}

/** Pixels of each chart canvas: the share painted and the number of colours. */
async function canvasInk(page: Page): Promise<Record<string, { painted: number; colours: number }>> {
  return page.evaluate(() => Object.fromEntries(Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')).map((c) => {
    const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    let painted = 0;
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! > 0) {
        painted++;
        colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      }
    }
    return [c.dataset.chart!, { painted: painted / Math.max(1, c.width * c.height), colours: colours.size }];
  })));
}

/**
 * Just enough of the vscode API for ComparePanel, recording what it is
 * asked to do, so the extension side runs against the real page.
 */
export function fakeVscode(origin: string, saveTo: string | undefined) {
  const uri = (p: string) => ({ scheme: 'file', fsPath: p, path: p, toString: () => `file://${p}` });
  type FakeUri = ReturnType<typeof uri>;
  const calls = { errors: [] as string[], infos: [] as string[], written: [] as { path: string; bytes: Uint8Array }[], dialogs: [] as unknown[] };
  const serializers: { deserializeWebviewPanel(panel: unknown, state: unknown): Promise<void> }[] = [];
  let receive: ((m: unknown) => void) | undefined;
  let disposeHandler: (() => void) | undefined;
  const sent: unknown[] = [];
  const panel = {
    title: '',
    viewColumn: 1,
    webview: {
      html: '',
      options: {} as { localResourceRoots?: FakeUri[]; enableScripts?: boolean },
      cspSource: origin,
      asWebviewUri: (u: FakeUri) => ({ toString: () => `${origin}/${path.relative(REPO, u.fsPath).split(path.sep).join('/')}` }),
      postMessage: async (m: unknown) => {
        sent.push(m);
        return true;
      },
      onDidReceiveMessage: (fn: (m: unknown) => void) => {
        receive = fn;
        return { dispose() {} };
      },
    },
    onDidDispose: (fn: () => void) => {
      disposeHandler = fn;
      return { dispose() {} };
    },
    reveal() {},
    dispose() {
      const fire = disposeHandler;
      disposeHandler = undefined;
      fire?.();
    },
  };
  const api = {
    ViewColumn: { Active: -1 },
    Uri: { file: uri, joinPath: (base: FakeUri, ...parts: string[]) => uri(path.join(base.fsPath, ...parts)) },
    window: {
      createWebviewPanel: (_viewType: string, title: string, _column: number, options: typeof panel.webview.options) => {
        panel.title = title;
        panel.webview.options = options;
        return panel;
      },
      registerWebviewPanelSerializer: (_viewType: string, serializer: (typeof serializers)[number]) => {
        serializers.push(serializer);
        return { dispose() {} };
      },
      showSaveDialog: async (options: unknown) => {
        calls.dialogs.push(options);
        return saveTo ? uri(saveTo) : undefined;
      },
      showErrorMessage: async (m: string) => void calls.errors.push(m),
      showWarningMessage: async (m: string) => void calls.errors.push(m),
      showInformationMessage: async (m: string) => void calls.infos.push(m),
    },
    workspace: {
      workspaceFolders: [{ uri: uri(path.join(REPO, 'examples', 'churn')) }],
      asRelativePath: (u: FakeUri) => path.relative(REPO, u.fsPath),
      fs: {
        writeFile: async (u: FakeUri, bytes: Uint8Array) => {
          calls.written.push({ path: u.fsPath, bytes });
          writeFileSync(u.fsPath, bytes);
        },
      },
    },
  };
  return { api, panel, calls, sent, serializers, receive: (m: unknown) => receive?.(m) };
}

/**
 * Loads the real src/adapters/vscode/panels/compare-panel.ts (or `modulePath`) with `vscode`
 * resolved to `fake` (a temp file exporting a global, as drift-panel.ui.ts
 * does: tsx's scoped require keeps its own cache keys).
 */
export function loadPanelModule<T = typeof ComparePanelModule>(fake: unknown, modulePath = '../../src/adapters/vscode/panels/compare-panel.ts'): T {
  const fakePath = path.join(mkdtempSync(path.join(tmpdir(), 'mlci-fake-vscode-')), 'vscode.js');
  writeFileSync(fakePath, 'module.exports = globalThis.__mlciFakeVscode;\n');
  (globalThis as { __mlciFakeVscode?: unknown }).__mlciFakeVscode = fake;
  const load = createRequire(__filename);
  fakeVscodePath = fakePath;
  patchVscodeResolution();
  try {
    const tsx = load('tsx/cjs/api') as { require(id: string, from: string): unknown };
    return tsx.require(modulePath, __filename) as T;
  } finally {
    fakeVscodePath = undefined;
    rmSync(path.dirname(fakePath), { recursive: true, force: true });
  }
}

/** Where `vscode` resolves while loadPanelModule loads a module (undefined: not faked). */
let fakeVscodePath: string | undefined;
let resolutionPatched = false;

/**
 * `vscode` resolves to fakeVscodePath while it is set. Patched once and left
 * in place: tsx's namespaced require hooks the resolver too, and restoring
 * ours under it made a second loadPanelModule in the same process fail.
 */
function patchVscodeResolution(): void {
  if (resolutionPatched) return;
  resolutionPatched = true;
  const resolver = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
  const original = resolver._resolveFilename;
  resolver._resolveFilename = function (request, ...rest) {
    return request === 'vscode' && fakeVscodePath ? fakeVscodePath : original.call(this, request, ...rest);
  };
}

/**
 * The fake the module sees: fixed keys whose getters read the test's current
 * fake (`import * as vscode` copies the key list once, at load), so one
 * load serves every test.
 */
let currentFake: ReturnType<typeof fakeVscode>['api'] | undefined;
const vscodeStandIn = {
  get ViewColumn() { return currentFake!.ViewColumn; },
  get Uri() { return currentFake!.Uri; },
  get window() { return currentFake!.window; },
  get workspace() { return currentFake!.workspace; },
};

function panelModule(): typeof ComparePanelModule {
  return (compareModule ??= loadPanelModule<typeof ComparePanelModule>(vscodeStandIn));
}

let server: PanelServer | undefined;
async function openPanel(browser: Browser): Promise<ComparePage> {
  server ??= await serveComparePanel();
  return ComparePage.open(browser, server.url);
}

export async function stopPanelServer(): Promise<void> {
  await server?.close();
  server = undefined;
}

/** Clicks the row of run `id` (scrolled into view first), with modifiers. */
async function clickRun(p: ComparePage, id: string, modifiers: ('Control' | 'Shift')[] = []): Promise<void> {
  await p.page.locator(`tr[data-run="${id}"] th button`).click({ modifiers });
}

export const panelTests: PanelTest[] = [
  {
    name: "posts 'ready' before any data, then renders the 4 fixture runs with every chart drawn (bar, history, scatter, parallel)",
    async run({ browser, shot }) {
      const payload = fixturePayload(panelModule());
      const p = await openPanel(browser);
      try {
        await p.sendRuns(payload);
        const log = await p.log();
        const ready = log.findIndex((e) => e.dir === 'out' && e.type === 'ready');
        const data = log.findIndex((e) => e.dir === 'in' && e.type === 'runs');
        assert.ok(ready >= 0 && ready < data, `'ready' (${ready}) must come before the runs (${data})`);
        assert.deepEqual(await p.rowRuns(), [...payload.runs].sort((a, b) => a.name!.localeCompare(b.name!)).map((r) => r.id));
        const headers = await p.page.locator('table.runs thead button').allTextContents();
        // Metrics first (those with a goal in the pipeline's order), then params.
        assert.deepEqual(headers.map((h) => h.replace(/ [▲▼]$/, '')), ['Run', 'Status', 'accuracy', 'f1', 'loss', 'precision', 'recall', 'epochs', 'l2', 'lr', 'seed', 'threshold']);
        assert.equal(await p.page.getByTestId('history-stage').inputValue(), 'train');
        assert.deepEqual(await p.page.getByTestId('history-series').locator('option').allTextContents(), ['accuracy', 'loss']);
        const ink = await canvasInk(p.page);
        assert.deepEqual(Object.keys(ink).sort(), ['bar', 'history', 'parallel', 'scatter']);
        for (const [name, k] of Object.entries(ink)) assert.ok(k.painted > 0.01 && k.colours > 4, `${name} chart looks blank: ${JSON.stringify(k)}`);
        await p.page.setViewportSize({ width: 1200, height: 1600 });
        await shot(p.page, 'compare-fixture');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'the table is virtualised: 10,000 runs keep < 200 rows in the DOM and scrolling to the bottom shows the last run',
    async run({ browser, shot, note }) {
      const payload = generateRuns(10_000);
      const p = await openPanel(browser);
      try {
        const ms = await p.sendRuns(payload, 30_000);
        note(`10,000 runs x 20 metrics x 10 params: first render ${ms.toFixed(0)} ms in the page`);
        const rows = await p.page.locator('table.runs tbody tr').count();
        assert.ok(rows < 200, `${rows} rows in the DOM`);
        assert.equal(await p.page.locator('table.runs').getAttribute('aria-rowcount'), '10001');
        const scroller = p.page.getByTestId('runs-scroll');
        await scroller.evaluate((s) => (s.scrollTop = s.scrollHeight));
        await p.page.waitForSelector('tr[data-run="r10000"]', { timeout: 5000 });
        const shown = await p.rowRuns();
        assert.equal(shown.at(-1), 'r10000');
        assert.ok((await p.page.locator('table.runs tbody tr').count()) < 200);
        // The last row is really on screen, not just in the DOM.
        const box = await p.page.locator('tr[data-run="r10000"]').boundingBox();
        const area = await scroller.boundingBox();
        assert.ok(box && area && box.y >= area.y && box.y + box.height <= area.y + area.height + 1, 'the last row is not visible');
        await shot(p.page, 'compare-10000-bottom');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'differences to the baseline are coloured by goal: a better and a worse cell have the theme green and red',
    async run({ browser, shot }) {
      const payload = fixturePayload(panelModule());
      const p = await openPanel(browser);
      try {
        await p.sendRuns(payload);
        // lr=0.1 has lower accuracy (goal max: worse) and higher loss (goal min: worse); lr=1.0 the opposite.
        const colour = (id: string, column: number) => p.page.locator(`tr[data-run="${id}"] > *`).nth(column).evaluate((c) => [c.getAttribute('data-verdict'), getComputedStyle(c).color]);
        const accuracyColumn = 2;
        const [worseVerdict, worseColour] = await colour('20261121-101200-c3d4', accuracyColumn);
        const [betterVerdict, betterColour] = await colour('20261122-140305-e5f6', accuracyColumn);
        assert.equal(worseVerdict, 'worse');
        assert.equal(betterVerdict, 'better');
        assert.equal(worseColour, 'rgb(241, 76, 76)', '--vscode-charts-red');
        assert.equal(betterColour, 'rgb(137, 209, 133)', '--vscode-charts-green');
        const [lossVerdict] = await colour('20261122-140305-e5f6', 4);
        assert.equal(lossVerdict, 'better', 'loss went down: better under goal min');
        assert.match(await p.page.locator('tr[data-run="20261121-101200-c3d4"] > *').nth(accuracyColumn).textContent() ?? '', /\(−0\.\d+\)$/);
        // The baseline's own cells carry no verdict.
        assert.equal(await p.page.locator('tr[data-run="20261120-091500-a1b2"] [data-verdict]').count(), 0);
        await shot(p.page, 'compare-diff-colours');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: `a run named ${XSS} shows as text: no element, no dialog, no CSP violation`,
    async run({ browser, shot }) {
      const payload = fixturePayload(panelModule());
      payload.runs[1]!.name = XSS;
      payload.runs[1]!.params[XSS] = XSS;
      payload.runs[1]!.metrics[`<b>${XSS}</b>`] = 1;
      const p = await openPanel(browser);
      try {
        await p.sendRuns(payload);
        assert.equal(await p.page.locator(`tr[data-run="${payload.runs[1]!.id}"] th button`).textContent(), XSS);
        assert.equal(await p.page.locator('#root img, #root b').count(), 0);
        // Selecting the run draws its name on the charts (canvas text) and lists it in the summary.
        await clickRun(p, payload.runs[1]!.id);
        await p.page.waitForTimeout(200);
        assert.equal(await p.page.locator('#root img').count(), 0);
        await shot(p.page, 'compare-xss');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'selection (Ctrl/Shift), sort, differences-only and chart axes are restored after a reload',
    async run({ browser, shot }) {
      const payload = fixturePayload(panelModule());
      const [a, , c] = payload.runs.map((r) => r.id);
      const p = await openPanel(browser);
      try {
        await p.sendRuns(payload);
        await clickRun(p, a!);
        await clickRun(p, c!, ['Control']);
        assert.deepEqual((await p.page.locator('tr.selected').evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.run))).sort(), [a, c].sort());
        // Sort by loss, descending (two presses; the second from the keyboard).
        await p.page.locator('th button[data-key="metric:loss"]').click();
        await p.page.keyboard.press('Enter');
        assert.equal(await p.page.locator('th:has(button[data-key="metric:loss"])').getAttribute('aria-sort'), 'descending');
        const byLoss = [...payload.runs].sort((x, y) => y.metrics.loss! - x.metrics.loss!).map((r) => r.id);
        assert.deepEqual(await p.rowRuns(), byLoss);
        // Shift extends from the anchor (c) in table order.
        await clickRun(p, byLoss[0]!, ['Shift']);
        const from = byLoss.indexOf(c!);
        const expected = byLoss.slice(0, from + 1).sort();
        assert.deepEqual((await p.page.locator('tr.selected').evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.run))).sort(), expected);
        await p.page.getByLabel('Show differences only').check();
        await p.page.getByTestId('scatter-x').selectOption('l2');
        await p.page.getByTestId('bar-metric').selectOption('recall');
        const headersBefore = await p.page.locator('table.runs thead button').allTextContents();
        assert.ok(!headersBefore.includes('threshold'), 'threshold is the same in every run: hidden');
        await p.page.waitForTimeout(300); // the debounced save

        await p.page.reload();
        await p.waitForPosted('rendered');
        assert.deepEqual((await p.page.locator('tr.selected').evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.run))).sort(), expected);
        assert.deepEqual(await p.rowRuns(), byLoss);
        assert.equal(await p.page.getByLabel('Show differences only').isChecked(), true);
        assert.deepEqual(await p.page.locator('table.runs thead button').allTextContents(), headersBefore);
        assert.equal(await p.page.getByTestId('scatter-x').inputValue(), 'l2');
        assert.equal(await p.page.getByTestId('bar-metric').inputValue(), 'recall');

        await shot(p.page, 'compare-restored');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'Export CSV posts the table of 3 runs as RFC 4180 CSV (commas, quotes, newlines quoted; formulas defused)',
    async run({ browser }) {
      const payload: ComparePayload = {
        runs: [
          { id: 'r1', name: 'plain', status: 'succeeded', startedAt: '2026-11-01T00:00:00.000Z', branch: 'main', commit: 'abc', params: { lr: 0.1, opt: 'adam' }, metrics: { acc: 0.9 } },
          { id: 'r2', name: 'with, comma', status: 'failed', startedAt: '2026-11-02T00:00:00.000Z', params: { lr: 0.2, opt: 'say "hi"' }, metrics: { acc: 0.8 } },
          { id: 'r3', name: 'two\nlines', status: 'succeeded', startedAt: '2026-11-03T00:00:00.000Z', params: { lr: -0.5, opt: '=HYPERLINK("x")' }, metrics: {} },
        ],
        baselineId: 'r1',
        goals: { acc: 'max' },
      };
      const p = await openPanel(browser);
      try {
        await p.sendRuns(payload);
        await p.page.getByRole('button', { name: 'Export CSV' }).click();
        await p.waitForPosted('exportCsv');
        const csv = ((await p.posted('exportCsv'))[0]!.payload as { csv: string }).csv;
        assert.equal(csv, [
          'id,name,status,branch,commit,acc,lr,opt',
          'r1,plain,succeeded,main,abc,0.9,0.1,adam',
          'r3,"two\nlines",succeeded,,,,-0.5,"\'=HYPERLINK(""x"")"',
          'r2,"with, comma",failed,,,0.8,0.2,"say ""hi"""',
          '',
        ].join('\r\n'));
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'the extension side: createOrShow serves compare.js under the CSP, answers ready, routes actions and exports, revives from saved state',
    async run({ browser, shot }) {
      server ??= await serveComparePanel();
      const out = mkdtempSync(path.join(tmpdir(), 'mlci-compare-export-'));
      const fake = fakeVscode(server.origin, path.join(out, 'export.bin'));
      currentFake = fake.api;
      const { ComparePanel, registerComparePanel, COMPARE_PANEL_VIEW_TYPE } = panelModule();
      assert.equal(COMPARE_PANEL_VIEW_TYPE, 'mlci.comparePanel');
      const extensionUri = fake.api.Uri.file(REPO);
      registerComparePanel({ extensionUri } as never);
      const payload = fixturePayload(panelModule());
      const actions: string[] = [];
      const panel = ComparePanel.createOrShow(extensionUri as never, payload, {
        applyParams: (id) => actions.push(`apply ${id}`),
        pinBaseline: (id) => actions.push(`pin ${id}`),
      });
      try {
        assert.equal(fake.panel.title, 'Compare runs');
        assert.deepEqual(fake.panel.webview.options.localResourceRoots?.map((u) => u.fsPath), [path.join(REPO, 'media')]);
        assert.match(fake.panel.webview.html, /<script nonce="[^"]+" src="http:\/\/127\.0\.0\.1:\d+\/media\/webview\/compare\.js"><\/script>/);
        assert.match(fake.panel.webview.html, /script-src &#39;nonce-[^&]+&#39;;/);
        assert.equal(fake.sent.length, 0, 'nothing is posted before the page says ready');
        server.setHtml(fake.panel.webview.html);
        const p = await ComparePage.open(browser, server.url, async (page) => {
          await page.exposeFunction('__toExtension', (m: unknown) => fake.receive(m));
        });
        try {
          for (let i = 0; i < 250 && !fake.sent.length; i++) await new Promise((r) => setTimeout(r, 20));
          assert.equal((fake.sent[0] as ComparePanelToWebview | undefined)?.type, 'runs', "no runs after 'ready'");
          await p.page.evaluate((m) => window.postMessage(m, '*'), fake.sent[0] as ComparePanelToWebview);
          await p.waitForPosted('rendered');
          const target = payload.runs[2]!.id;
          assert.equal(await p.page.getByRole('button', { name: 'Apply params' }).isDisabled(), true, 'no run selected yet');
          await clickRun(p, target);
          await p.page.getByRole('button', { name: 'Apply params' }).click();
          await p.page.getByRole('button', { name: 'Pin as baseline' }).click();
          for (let i = 0; i < 100 && actions.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
          assert.deepEqual(actions, [`apply ${target}`, `pin ${target}`]);
          // A run id the panel does not show is refused.
          fake.receive({ type: 'applyParams', payload: { runId: 'not-a-run' } });
          await p.page.getByRole('button', { name: 'Export CSV' }).click();
          for (let i = 0; i < 100 && !fake.calls.written.length; i++) await new Promise((r) => setTimeout(r, 20));
          const csv = Buffer.from(fake.calls.written[0]!.bytes).toString('utf8');
          assert.match(csv, /^id,name,status,branch,commit,accuracy,f1,loss,precision,recall,epochs,l2,lr,seed,threshold\r\n/);
          assert.equal(csv.trim().split('\r\n').length, 5);
          await p.page.locator('button[data-export="parallel"]').click();
          for (let i = 0; i < 100 && fake.calls.written.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
          const png = fake.calls.written[1]!.bytes;
          assert.deepEqual([...png.slice(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
          assert.equal(fake.calls.dialogs.length, 2);
          // A data: URL that is not a PNG is refused, nothing written.
          fake.receive({ type: 'exportPng', payload: { dataUrl: 'data:text/html;base64,PGI+', name: '../x' } });
          await new Promise((r) => setTimeout(r, 50));
          assert.equal(fake.calls.written.length, 2);
          assert.deepEqual(actions.length, 2);
          await shot(p.page, 'compare-extension-side');
          await p.assertClean();
        } finally {
          await p.page.close();
          server.setHtml(undefined);
        }
      } finally {
        panel.dispose();
        rmSync(out, { recursive: true, force: true });
      }
      assert.equal(ComparePanel.current, undefined);

      // After a reload VS Code hands the serializer the webview's saved state (JSON: NaN as a string).
      const saved = structuredClone(payload);
      (saved.runs[0]!.metrics as Record<string, unknown>).loss = 'NaN';
      fake.sent.length = 0;
      await fake.serializers[0]!.deserializeWebviewPanel(fake.panel, { selected: [], sort: { key: 'name', dir: 'asc' }, onlyDiff: false, last: saved });
      assert.ok(ComparePanel.current, 'revived');
      fake.receive({ type: 'ready' });
      for (let i = 0; i < 50 && !fake.sent.length; i++) await new Promise((r) => setTimeout(r, 10));
      const revived = (fake.sent[0] as Extract<ComparePanelToWebview, { type: 'runs' }>).payload;
      assert.equal(revived.runs.length, 4);
      assert.ok(Number.isNaN(revived.runs[0]!.metrics.loss));
      assert.equal(revived.baselineId, payload.baselineId);
      ComparePanel.current!.dispose();
    },
  },
  {
    name: 'keyboard: headers sort with Enter, arrows move the selection (Shift extends), the table follows in 10,000 runs',
    async run({ browser, shot }) {
      const payload = generateRuns(10_000);
      const p = await openPanel(browser);
      try {
        await p.sendRuns(payload, 30_000);
        await p.page.locator('th button[data-key="metric:m00"]').focus();
        await p.page.keyboard.press('Enter');
        assert.equal(await p.page.locator('th:has(button[data-key="metric:m00"])').getAttribute('aria-sort'), 'ascending');
        await p.page.keyboard.press('Enter');
        assert.equal(await p.page.locator('th:has(button[data-key="metric:m00"])').getAttribute('aria-sort'), 'descending');
        const byM00 = payload.runs.map((r, i) => [r, i] as const).sort(([a, ia], [b, ib]) => b.metrics.m00! - a.metrics.m00! || ia - ib).map(([r]) => r.id);
        assert.deepEqual((await p.rowRuns()).slice(0, 5), byM00.slice(0, 5));
        // Into the rows: the first name button, then arrows.
        await p.page.locator(`tr[data-run="${byM00[0]}"] th button`).focus();
        await p.page.keyboard.press('Enter');
        await p.page.keyboard.press('ArrowDown');
        await p.page.keyboard.press('ArrowDown');
        await p.page.keyboard.press('Shift+ArrowDown');
        const selected = () => p.page.locator('tr.selected').evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.run));
        assert.deepEqual(await selected(), byM00.slice(2, 4));
        assert.match(await p.page.getByTestId('summary').textContent() ?? '', /2 selected$/);
        // End jumps to the last run, which the window scrolls to.
        await p.page.keyboard.press('End');
        await p.page.waitForSelector(`tr.selected[data-run="${byM00.at(-1)}"]`, { timeout: 5000 });
        assert.equal(await p.page.evaluate(() => (document.activeElement?.closest('tr') as HTMLElement | null)?.dataset.run), byM00.at(-1));
        assert.ok((await p.page.locator('table.runs tbody tr').count()) < 200);
        await shot(p.page, 'compare-keyboard');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'Export PNG posts each chart as a PNG data: URL; the scatter draws every selected point (x range from all of them)',
    async run({ browser }) {
      const payload = fixturePayload(panelModule());
      const p = await openPanel(browser);
      try {
        await p.sendRuns(payload);
        // Select every run: the scatter's selected points (theme yellow) then span l2 = 0.001 .. 0.01.
        for (const [i, r] of payload.runs.entries()) await clickRun(p, r.id, i ? ['Control'] : []);
        await p.page.getByTestId('scatter-x').selectOption('l2');
        const yellowColumns = await p.page.locator('canvas[data-chart="scatter"]').evaluate((c: HTMLCanvasElement) => {
          const { data, width, height } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
          const xs: number[] = [];
          for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
            const i = (y * width + x) * 4;
            if (data[i]! > 180 && data[i + 1]! > 140 && data[i + 1]! < 190 && data[i + 2]! < 40) xs.push(x / width);
          }
          return xs;
        });
        assert.ok(yellowColumns.some((x) => x < 0.4) && yellowColumns.some((x) => x > 0.8), `selected points only at ${Math.min(...yellowColumns)}..${Math.max(...yellowColumns)}`);
        for (const name of ['bar', 'history', 'scatter', 'parallel']) await p.page.locator(`button[data-export="${name}"]`).click();
        await p.waitForPosted('exportPng', 4);
        const posted = (await p.posted('exportPng')).map((e) => e.payload as { dataUrl: string; name: string });
        assert.deepEqual(posted.map((e) => e.name), ['bar', 'history', 'scatter', 'parallel']);
        for (const e of posted) {
          assert.match(e.dataUrl, /^data:image\/png;base64,/);
          assert.ok(e.dataUrl.length > 2000, `${e.name}: a tiny image`);
        }
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'a theme change redraws with the new colours (table cells and charts)',
    async run({ browser }) {
      const payload = fixturePayload(panelModule());
      const p = await openPanel(browser);
      try {
        await p.sendRuns(payload);
        const renders = (await p.posted('rendered')).length;
        await p.page.evaluate(() => {
          document.documentElement.style.setProperty('--vscode-charts-green', '#00ff00');
          document.documentElement.style.setProperty('--vscode-charts-blue', '#0000ff');
          document.body.classList.replace('vscode-dark', 'vscode-light');
        });
        await p.waitForPosted('rendered', renders + 1);
        assert.equal(await p.page.locator('td[data-verdict="better"]').first().evaluate((c) => getComputedStyle(c).color), 'rgb(0, 255, 0)');
        const blue = await p.page.locator('canvas[data-chart="bar"]').evaluate((c: HTMLCanvasElement) => {
          const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
          for (let i = 0; i < data.length; i += 4) if (data[i]! < 30 && data[i + 1]! < 30 && data[i + 2]! > 200) return true;
          return false;
        });
        assert.ok(blue, 'the bars did not take the new --vscode-charts-blue');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'feature importance: a chart per stage with one bar per run, side by side, only when runs recorded importances; names stay text',
    async run({ browser, shot }) {
      const mod = panelModule();
      const data = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { goals: ComparePayload['goals']; baselineId: string; records: RunRecord[] };
      // Two runs' records carry importances as the engine records them (a data stage's dependencies, a train stage's file).
      const report = (values: Record<string, number>, source: 'data' | 'model') => ({
        version: 1 as const, source, file: 'x', problems: [], features: Object.entries(values).map(([feature, importance]) => ({ feature, importance })),
      });
      data.records[0]!.importance = { train: report({ tenure: 0.14, contract: 0.13, [XSS]: 0.06 }, 'model'), 'validate-data': report({ tenure: 0.17, plan: 0.03 }, 'data') };
      data.records[1]!.importance = { train: report({ tenure: 0.05, contract: 0.2, [XSS]: 0.01 }, 'model') };
      const payload: ComparePayload = { runs: data.records.map((r) => mod.compareRunOf(r)), baselineId: data.baselineId, goals: data.goals };
      assert.deepEqual(payload.runs[0]!.importance!.train!.map((f) => f.feature), ['tenure', 'contract', XSS]);
      const p = await openPanel(browser);
      try {
        await p.sendRuns(payload);
        assert.deepEqual(await p.page.getByTestId('importance-stage').locator('option').allTextContents(), ['train', 'validate-data']);
        assert.equal(await p.page.getByTestId('importance-stage').inputValue(), 'train');
        const datasets = await p.page.locator('canvas[data-chart="importance"]').evaluate((c: HTMLCanvasElement) => {
          const ink = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          let painted = 0;
          for (let i = 3; i < ink.length; i += 4) if (ink[i]! > 0) painted++;
          return painted / (c.width * c.height);
        });
        assert.ok(datasets > 0.01, `the importance chart looks blank (${datasets})`);
        await p.page.getByTestId('importance-stage').selectOption('validate-data');
        assert.equal(await p.page.locator('#root img').count(), 0, 'a feature name is never markup');
        await p.page.setViewportSize({ width: 1200, height: 2000 });
        await p.page.getByTestId('importance-stage').selectOption('train');
        await p.page.locator('[data-card="importance"]').scrollIntoViewIfNeeded();
        await shot(p.page, 'compare-importance');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
];

/** Two runs whose accuracy differs by 0.014 near 0.83: what an axis from zero hides. */
function closeRuns(): ComparePayload {
  const run = (id: string, accuracy: number): CompareRun => ({
    id, name: id, status: 'passed', startedAt: '2026-11-01T00:00:00.000Z', params: { lr: id === 'base' ? 0.5 : 0.1 }, metrics: { accuracy, loss: 1 - accuracy },
  });
  return { runs: [run('base', 0.834), run('candidate', 0.82)], baselineId: 'base', goals: { accuracy: 'max', loss: 'min' } };
}

panelTests.push(
  {
    name: 'in a 900 px editor column the run column and the first metrics are in view; the run column stays frozen when the table scrolls sideways',
    async run({ browser, shot }) {
      const payload = fixturePayload(panelModule());
      const p = await openPanel(browser);
      try {
        // The webview is as wide as the editor column it sits in.
        await p.page.setViewportSize({ width: 900, height: 900 });
        await p.sendRuns(payload);
        const scroller = p.page.getByTestId('runs-scroll');
        const area = (await scroller.boundingBox())!;
        const inView = async (selector: string) => {
          const box = (await p.page.locator(selector).first().boundingBox())!;
          return box.x >= area.x - 0.5 && box.x + box.width <= area.x + area.width + 0.5 && box.x + box.width <= 900;
        };
        const id = payload.runs[1]!.id;
        // The run column, the status and the first two metrics (the goals accuracy and f1) are fully visible.
        assert.ok(await inView('thead th.name'), 'run column header');
        assert.ok(await inView(`tr[data-run="${id}"] th`), 'run cell');
        assert.ok(await inView('th:has(button[data-key="metric:accuracy"])'), 'first metric header');
        assert.ok(await inView('th:has(button[data-key="metric:f1"])'), 'second metric header');
        const accuracyCell = p.page.locator(`tr[data-run="${id}"] > *`).nth(2);
        assert.match(await accuracyCell.textContent() ?? '', /^0\.809 \(−0\.025\)$/);
        assert.ok(await inView(`tr[data-run="${id}"] > :nth-child(3)`), 'first metric cell');
        assert.ok(!(await inView('th:has(button[data-key="param:threshold"])')), 'the last param is off to the right: the table does scroll');
        await shot(p.page, 'compare-900px');

        // Scrolled to the far right: the params come into view, the run column stays at the left edge, on top.
        await scroller.evaluate((s) => (s.scrollLeft = s.scrollWidth));
        await p.page.waitForTimeout(100);
        assert.ok(await inView('th:has(button[data-key="param:threshold"])'), 'the last param after scrolling');
        const runCell = (await p.page.locator(`tr[data-run="${id}"] th`).boundingBox())!;
        assert.ok(Math.abs(runCell.x - area.x) <= 2, `the run column left the edge: ${runCell.x} vs ${area.x}`);
        const onTop = await p.page.evaluate(([x, y]) => document.elementFromPoint(x!, y!)?.closest('th')?.getAttribute('scope'), [runCell.x + 20, runCell.y + runCell.height / 2]);
        assert.equal(onTop, 'row', 'the frozen run cell is drawn over the scrolled cells');
        const header = (await p.page.locator('thead th.name').boundingBox())!;
        assert.ok(Math.abs(header.x - area.x) <= 2, 'the run column header is frozen too');
        await shot(p.page, 'compare-900px-scrolled');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'the bar chart does not hide 0.82 vs 0.834: its axis comes from the data range (chart.js scale min/max); "Axis from zero" is a choice that survives a reload',
    async run({ browser, shot }) {
      const p = await openPanel(browser);
      try {
        await p.sendRuns(closeRuns());
        const bar = p.page.locator('canvas[data-chart="bar"]');
        const axis = async () => bar.evaluate((c: HTMLCanvasElement) => [Number(c.dataset.yMin), Number(c.dataset.yMax)]);
        const [min, max] = await axis();
        assert.ok(min > 0.7 && min < 0.82, `axis min ${min}: from the data, below the lowest bar`);
        assert.ok(max >= 0.834 && max < 0.9, `axis max ${max}`);
        const share = (0.834 - 0.82) / (max - min);
        assert.ok(share >= 0.2, `the difference is ${(share * 100).toFixed(1)}% of the axis: too small to see`);
        // On the canvas: the two bars' heights differ by a visible number of pixels.
        // (No named helpers inside evaluate: the bundler's __name wrapper does not exist in the page.)
        const heights = await bar.evaluate((c: HTMLCanvasElement) => {
          const { data, width, height } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
          const cols: number[] = [];
          for (let x = 0; x < width; x++) {
            let n = 0;
            for (let y = 0; y < height; y++) {
              const i = (y * width + x) * 4;
              // Bar fills: the theme blue (baseline) or orange (the other run), strongly coloured.
              if (data[i + 3]! > 100 && Math.abs(data[i]! - data[i + 2]!) > 80) n++;
            }
            cols.push(n);
          }
          // The first bar (base) is the leftmost coloured column, the second (candidate) the rightmost.
          return [cols.find((n) => n > 0) ?? 0, [...cols].reverse().find((n) => n > 0) ?? 0, height];
        });
        await shot(p.page, 'compare-bar-axis');
        assert.ok(heights[1]! > 0 && heights[0]! - heights[1]! >= heights[2]! * 0.2, `bar heights ${heights[0]} vs ${heights[1]} of ${heights[2]} px`);

        await p.page.getByTestId('bar-from-zero').check();
        const [zeroMin] = await axis();
        assert.equal(zeroMin, 0, 'from zero when asked');
        await p.page.waitForTimeout(300); // the debounced save
        await p.page.reload();
        await p.waitForPosted('rendered');
        assert.equal(await p.page.getByTestId('bar-from-zero').isChecked(), true);
        assert.equal((await axis())[0], 0);
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: '"Pin as baseline" from the panel (or the Experiments view) updates the open panel: new baseline tag, summary, deltas; a run it did not show is added',
    async run({ browser, shot }) {
      server ??= await serveComparePanel();
      const fake = fakeVscode(server.origin, undefined);
      currentFake = fake.api;
      const mod = panelModule();
      const extensionUri = fake.api.Uri.file(REPO);
      const data = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { records: RunRecord[] };
      const payload = fixturePayload(mod);
      // What the extension does on a pin: ExperimentsView.pin writes .mlci/baseline, refreshes, and hands the open panel the pinned run.
      const pinned: string[] = [];
      const panel = mod.ComparePanel.createOrShow(extensionUri as never, payload, {
        applyParams: () => undefined,
        pinBaseline: (id) => {
          pinned.push(id);
          mod.ComparePanel.current?.setBaseline(mod.compareRunOf(data.records.find((r) => r.id === id)!));
        },
      });
      server.setHtml(fake.panel.webview.html);
      try {
        const p = await ComparePage.open(browser, server.url, async (page) => {
          // Both ways, as VS Code's webview does: the page's messages reach the panel, the panel's posts reach the page.
          await page.exposeFunction('__toExtension', (m: unknown) => fake.receive(m));
        });
        const deliver = async (from: number) => {
          for (let i = 0; i < 250 && fake.sent.length <= from; i++) await new Promise((r) => setTimeout(r, 20));
          assert.ok(fake.sent.length > from, 'the panel posted nothing');
          const renders = (await p.posted('rendered')).length;
          await p.page.evaluate((m) => window.postMessage(m, '*'), fake.sent.at(-1) as ComparePanelToWebview);
          await p.waitForPosted('rendered', renders + 1);
        };
        try {
          await deliver(0);
          const oldBase = payload.baselineId!;
          const target = payload.runs.find((r) => r.name === 'lr=1.0 epochs=200')!;
          assert.equal(await p.page.locator(`tr[data-run="${oldBase}"] .tag`).textContent(), ' baseline');
          await clickRun(p, target.id);
          const before = fake.sent.length;
          await p.page.getByRole('button', { name: 'Pin as baseline' }).click();
          await deliver(before);
          assert.deepEqual(pinned, [target.id]);
          assert.equal(await p.page.locator(`tr[data-run="${target.id}"] .tag`).textContent(), ' baseline', 'the tag moved');
          assert.equal(await p.page.locator(`tr[data-run="${oldBase}"] .tag`).count(), 0);
          assert.match(await p.page.getByTestId('summary').textContent() ?? '', /baseline: lr=1\.0 epochs=200;/);
          // Deltas are now against lr=1.0: the old baseline's accuracy (0.834 < 0.844008) is worse.
          assert.equal(await p.page.locator(`tr[data-run="${oldBase}"] > *`).nth(2).getAttribute('data-verdict'), 'worse');
          assert.equal(await p.page.locator(`tr[data-run="${target.id}"] [data-verdict]`).count(), 0, 'the new baseline has no deltas');
          assert.deepEqual((await p.page.locator('tr.selected').evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.run))), [target.id], 'the selection is kept');
          await shot(p.page, 'compare-pinned');

          // The same baseline again: nothing is posted.
          const count = fake.sent.length;
          mod.ComparePanel.current!.setBaseline(mod.compareRunOf(data.records.find((r) => r.id === target.id)!));
          assert.equal(fake.sent.length, count);
          // A pinned run the panel did not show (pinned in the view or with mlci exp pin) joins the table as its baseline.
          const outsider = { ...data.records[0]!, id: '20261124-000000-ffff', name: 'pinned elsewhere' };
          mod.ComparePanel.current!.setBaseline(mod.compareRunOf(outsider));
          await deliver(count);
          assert.equal(await p.page.locator(`tr[data-run="${outsider.id}"] .tag`).textContent(), ' baseline');
          assert.equal((await p.rowRuns()).length, 5);
          // Unpinned: no baseline, no deltas.
          mod.ComparePanel.current!.setBaseline(undefined);
          await deliver(count + 1);
          assert.equal(await p.page.locator('[data-verdict]').count(), 0);
          assert.match(await p.page.getByTestId('summary').textContent() ?? '', /baseline: none/);
          await p.assertClean();
        } finally {
          await p.page.close();
        }
      } finally {
        server.setHtml(undefined);
        panel.dispose();
      }
    },
  },
);

/** The history chart's lines as the page drew them (label, points): its canvas's data-lines. */
async function historyLines(p: ComparePage): Promise<Array<{ label: string; points: number }>> {
  return JSON.parse((await p.page.locator('canvas[data-chart="history"]').getAttribute('data-lines')) ?? '[]') as Array<{ label: string; points: number }>;
}

/** Rows `{ step, loss, accuracy }` for steps from..to, inside the fixture runs' ranges (steps 1..200, accuracy 0.76..0.86). */
function liveRows(from: number, to: number): Array<Record<string, number>> {
  return Array.from({ length: to - from + 1 }, (_, i) => ({ step: from + i, loss: 0.6 - (from + i) * 0.002, accuracy: 0.77 + (from + i) * 0.0008 }));
}

/** What a fake VS Code hands CompareController: the panel's fake plus the command table. */
function controllerStandIn(commands: Map<string, (...a: unknown[]) => unknown>) {
  return {
    get ViewColumn() { return currentFake!.ViewColumn; },
    get Uri() { return currentFake!.Uri; },
    get window() { return currentFake!.window; },
    get workspace() { return currentFake!.workspace; },
    commands: {
      registerCommand: (id: string, fn: (...a: unknown[]) => unknown) => {
        commands.set(id, fn);
        return { dispose() {} };
      },
      executeCommand: async () => undefined,
    },
  };
}

panelTests.push(
  {
    name: "live: the running run's row is in the table and its history line grows in the chart as 'live' messages arrive; a new stage is offered; the recorded run replaces the row",
    async run({ browser, shot }) {
      const payload = fixturePayload(panelModule());
      payload.runs.push({ id: 'live', name: 'running now', status: 'running', startedAt: '2026-12-04T16:00:00.000Z', params: {}, metrics: {}, history: { train: liveRows(1, 10) }, live: true });
      const p = await openPanel(browser);
      try {
        await p.sendRuns(payload);
        assert.ok((await p.rowRuns()).includes('live'), 'a running-now row');
        assert.equal(await p.page.locator('tr[data-run="live"] > *').nth(1).textContent(), 'running');
        assert.match(await p.page.getByTestId('summary').textContent() ?? '', /running now: a run is going, its history grows as it logs/);
        // Params cannot be applied from (nor a baseline pinned to) a run not recorded yet.
        await clickRun(p, 'live');
        assert.equal(await p.page.getByRole('button', { name: 'Apply params' }).isDisabled(), true);
        assert.equal(await p.page.getByRole('button', { name: 'Pin as baseline' }).isDisabled(), true);
        // Selected or not, the running run is one of the history chart's lines.
        await clickRun(p, payload.runs[0]!.id);
        assert.deepEqual((await historyLines(p)).map((l) => l.label), [payload.runs[0]!.name, 'running now']);
        await clickRun(p, payload.runs[0]!.id, ['Control']);
        assert.equal((await historyLines(p)).length, 5);
        const live = (await historyLines(p)).find((l) => l.label === 'running now')!;
        assert.equal(live.points, 10);
        const inkBefore = (await canvasInk(p.page)).history!.painted;
        for (const to of [20, 40, 60]) {
          const drawn = (await p.posted('liveDrawn')).length;
          await p.page.evaluate((m) => window.postMessage(m, '*'), { type: 'live', payload: { run: 'live', history: { train: liveRows(1, to) }, points: 20, step: to, at: Date.now() } } satisfies ComparePanelToWebview);
          await p.waitForPosted('liveDrawn', drawn + 1);
          assert.equal((await historyLines(p)).find((l) => l.label === 'running now')!.points, to, `the line has ${to} points`);
          assert.match(await p.page.getByTestId('summary').textContent() ?? '', new RegExp(`\\(step ${to}\\)`));
        }
        const inkAfter = (await canvasInk(p.page)).history!.painted;
        assert.ok(inkAfter > inkBefore * 1.02, `the longer line paints more of the chart: ${inkBefore} -> ${inkAfter}`);
        assert.equal(await p.page.getByTestId('history-stage').inputValue(), 'train', 'the chosen stage stays');
        await shot(p.page, 'compare-live');
        // A stage the chart did not offer yet (its first points): offered now, the chosen one kept.
        const drawn = (await p.posted('liveDrawn')).length;
        await p.page.evaluate((m) => window.postMessage(m, '*'), { type: 'live', payload: { run: 'live', history: { finetune: [{ step: 0, loss: 0.5 }] }, points: 1, step: 0, at: Date.now() } } satisfies ComparePanelToWebview);
        await p.waitForPosted('liveDrawn', drawn + 1);
        assert.deepEqual(await p.page.getByTestId('history-stage').locator('option').allTextContents(), ['finetune', 'train']);
        assert.equal(await p.page.getByTestId('history-stage').inputValue(), 'train');
        assert.equal((await historyLines(p)).find((l) => l.label === 'running now')!.points, 60);
        // A message for a run the panel does not show changes nothing (still drawn: 'liveDrawn' is not posted).
        await p.page.evaluate((m) => window.postMessage(m, '*'), { type: 'live', payload: { run: 'other', history: { train: liveRows(1, 2) }, points: 2, at: Date.now() } } satisfies ComparePanelToWebview);
        // The run ended: the extension sends the runs with the recorded one instead of the row.
        const ended = fixturePayload(panelModule());
        ended.runs.push({ ...ended.runs[0]!, id: '20261204-160000-beef', name: 'just finished', history: { train: liveRows(1, 60) } });
        await p.sendRuns(ended);
        assert.ok(!(await p.rowRuns()).includes('live'));
        assert.ok((await p.rowRuns()).includes('20261204-160000-beef'));
        assert.doesNotMatch(await p.page.getByTestId('summary').textContent() ?? '', /a run is going/);
        assert.equal((await p.posted('liveDrawn')).length, 4);
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: "the extension side, live: CompareController follows the run service's live points into the running row (at most one post per 250 ms), the page's line grows, the row becomes the recorded run (or goes, when the run left no record); a revived panel drops the row",
    async run({ browser, shot }) {
      server ??= await serveComparePanel();
      const fake = fakeVscode(server.origin, undefined);
      currentFake = fake.api;
      const commands = new Map<string, (...a: unknown[]) => unknown>();
      const mod = loadPanelModule<typeof CompareModule>(controllerStandIn(commands), '../../src/adapters/vscode/compare.ts');
      const data = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { records: RunRecord[] };
      const file = path.join(REPO, 'examples', 'churn', 'mlci.yaml');
      const entry = { uri: { fsPath: file }, result: { pipeline: { metrics: { accuracy: { goal: 'max' } } } } };
      const items = data.records.map((run) => ({ kind: 'run', run, entry, pinned: false, runKind: 'experiment' }));
      const onLive: Array<(e: { file: string; update: unknown }) => void> = [];
      const onFinish: Array<(r: RunRecord) => void> = [];
      const onUnrecorded: Array<(file: string) => void> = [];
      const runService = {
        onDidEndWithoutRecord: (fn: (typeof onUnrecorded)[number]) => (onUnrecorded.push(fn), { dispose() {} }),
        onLiveMetrics: (fn: (typeof onLive)[number]) => (onLive.push(fn), { dispose() {} }),
        onDidFinishRun: (fn: (typeof onFinish)[number]) => (onFinish.push(fn), { dispose() {} }),
        runningPipelines: () => [file],
      };
      const controller = new mod.CompareController({
        extensionUri: fake.api.Uri.file(REPO) as never,
        runs: runService as never,
        pipelines: { get: () => entry } as never,
        experiments: { getChildren: () => items, all: () => items } as never,
        handlers: { applyParams: () => undefined, pinBaseline: () => undefined },
        selection: () => [],
      });
      const posts: Array<{ at: number; message: ComparePanelToWebview }> = [];
      const post = fake.panel.webview.postMessage;
      fake.panel.webview.postMessage = async (m: unknown) => {
        posts.push({ at: Date.now(), message: m as ComparePanelToWebview });
        return post(m);
      };
      try {
        assert.ok(commands.has('mlci.compareRuns'), 'the command is the controller\'s');
        // Opened while the pipeline runs: its runs and a running-now row (empty until it logs).
        await commands.get('mlci.compareRuns')!();
        assert.deepEqual(controller.shown!.runs.map((r) => r.id), [...data.records.map((r) => r.id), 'live']);
        assert.equal(controller.shown!.pipeline, file);
        server.setHtml(fake.panel.webview.html);
        const p = await ComparePage.open(browser, server.url, async (page) => {
          await page.exposeFunction('__toExtension', (m: unknown) => fake.receive(m));
        });
        try {
          for (let i = 0; i < 250 && !posts.length; i++) await new Promise((r) => setTimeout(r, 20));
          await p.page.evaluate((m) => window.postMessage(m, '*'), posts[0]!.message);
          await p.waitForPosted('rendered');
          // The stage logs a step every 10 ms for 600 ms, as the run service streams it.
          const started = Date.now();
          for (let step = 1; step <= 60; step++) {
            for (const fn of onLive) fn({ file, update: { stage: 'train', step, latest: {}, points: [{ name: 'loss', step, value: 0.6 - step * 0.002 }, { name: 'accuracy', step, value: 0.77 + step * 0.0008 }], sources: ['dvclive/plots/metrics/loss.tsv'], at: Date.now() } });
            // Another pipeline's run is not this panel's.
            if (step === 30) for (const fn of onLive) fn({ file: '/elsewhere/mlci.yaml', update: { stage: 'train', step, latest: {}, points: [{ name: 'loss', step, value: 9 }], sources: [], at: Date.now() } });
            await new Promise((r) => setTimeout(r, 10));
          }
          const elapsed = Date.now() - started;
          await new Promise((r) => setTimeout(r, 400));
          const lives = posts.filter((x) => x.message.type === 'live');
          assert.ok(lives.length >= 2, `the points reach the page while the stage logs (${lives.length} posts)`);
          assert.ok(lives.length <= Math.ceil(elapsed / 250) + 1, `at most 4 posts a second: ${lives.length} in ${elapsed} ms`);
          for (let i = 1; i < lives.length; i++) assert.ok(lives[i]!.at - lives[i - 1]!.at >= 240, `posts ${lives[i]!.at - lives[i - 1]!.at} ms apart`);
          const last = lives.at(-1)!.message as Extract<ComparePanelToWebview, { type: 'live' }>;
          assert.equal(last.payload.history.train!.length, 60);
          assert.deepEqual(last.payload.history.train![59], { step: 60, loss: 0.6 - 60 * 0.002, accuracy: 0.77 + 60 * 0.0008 });
          assert.equal(lives.reduce((n, x) => n + (x.message as Extract<ComparePanelToWebview, { type: 'live' }>).payload.points, 0), 120, 'every point counted once');
          // The panel kept them (a reload or a late 'ready' shows them).
          assert.equal(controller.shown!.runs.find((r) => r.live)!.history!.train!.length, 60);
          for (const x of lives) {
            const drawn = (await p.posted('liveDrawn')).length;
            await p.page.evaluate((m) => window.postMessage(m, '*'), x.message);
            await p.waitForPosted('liveDrawn', drawn + 1);
          }
          assert.equal((await historyLines(p)).find((l) => l.label === 'running now')!.points, 60);
          await shot(p.page, 'compare-live-extension');
          // The page reloads mid-run: 'ready' is answered with the row as it is now.
          const before = posts.length;
          fake.receive({ type: 'ready' });
          for (let i = 0; i < 50 && posts.length === before; i++) await new Promise((r) => setTimeout(r, 10));
          const again = posts.at(-1)!.message as Extract<ComparePanelToWebview, { type: 'runs' }>;
          assert.equal(again.type, 'runs');
          assert.equal(again.payload.runs.find((r) => r.live)!.history!.train!.length, 60);
          // The run ended: the row becomes the recorded run.
          const record = { ...data.records[0]!, id: '20261204-160000-beef', name: 'just finished', history: { train: liveRows(1, 60) } };
          for (const fn of onFinish) fn(record);
          const ended = posts.at(-1)!.message as Extract<ComparePanelToWebview, { type: 'runs' }>;
          assert.equal(ended.type, 'runs');
          assert.deepEqual(ended.payload.runs.map((r) => r.id), [...data.records.map((r) => r.id), record.id]);
          await p.sendRuns(ended.payload);
          assert.ok(!(await p.rowRuns()).includes('live'));
          assert.equal((await historyLines(p)).find((l) => l.label === 'just finished')!.points, 60);
          await p.assertClean();

          // The next run: Compare during it has the (empty) row; the run ends before logging, with a record: the row becomes it.
          await commands.get('mlci.compareRuns')!();
          assert.ok(controller.shown!.runs.some((r) => r.live && Object.keys(r.history ?? {}).length === 0));
          for (const fn of onFinish) fn({ ...record, id: '20261204-170000-cafe', name: 'quick one' });
          assert.deepEqual(controller.shown!.runs.map((r) => r.id).slice(-1), ['20261204-170000-cafe']);
          assert.ok(!controller.shown!.runs.some((r) => r.live));
          // And one that logs, then ends with no record (mlci failed first): the row goes, nothing replaces it.
          await commands.get('mlci.compareRuns')!();
          for (const fn of onLive) fn({ file, update: { stage: 'train', step: 0, latest: {}, points: [{ name: 'loss', step: 0, value: 1 }], sources: [], at: Date.now() } });
          assert.ok(controller.shown!.runs.some((r) => r.live));
          const count = posts.length;
          for (const fn of onUnrecorded) fn(file);
          assert.ok(!controller.shown!.runs.some((r) => r.live), 'no running row');
          assert.equal((posts.at(-1)!.message as Extract<ComparePanelToWebview, { type: 'runs' }>).payload.runs.length, data.records.length);
          assert.ok(posts.length > count);
          await new Promise((r) => setTimeout(r, 300));
          assert.ok(!posts.slice(count).some((x) => x.message.type === 'live'), 'no live post after the run');
        } finally {
          await p.page.close();
          server.setHtml(undefined);
        }
        // After a window reload the serializer drops a saved running row (its run ended with the window).
        const panels = panelModule();
        panels.registerComparePanel({ extensionUri: fake.api.Uri.file(REPO) } as never);
        const saved = fixturePayload(panels);
        saved.runs.push({ id: 'live', name: 'running now', status: 'running', startedAt: '2026-12-04T16:00:00.000Z', params: {}, metrics: {}, history: { train: liveRows(1, 3) }, live: true });
        await fake.serializers.at(-1)!.deserializeWebviewPanel(fake.panel, { selected: [], sort: { key: 'name', dir: 'asc' }, onlyDiff: false, last: { ...saved, pipeline: file } });
        assert.deepEqual(panels.ComparePanel.current!.shown!.runs.map((r) => r.id), data.records.map((r) => r.id));
        assert.equal(panels.ComparePanel.current!.shown!.pipeline, file);
        panels.ComparePanel.current!.dispose();
      } finally {
        controller.dispose();
        fake.panel.dispose();
      }
    },
  },
);
