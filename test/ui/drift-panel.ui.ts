/**
 * The drift report webview in real headless Chromium, run by
 * scripts/test-panels.mjs (not by scripts/test-ui.mjs: this module exports
 * `panelTests`, not `tests`, because it needs no workbench). Each test opens
 * the page the extension serves (panelHtml, the same CSP, served over http
 * so `cspSource` is a real origin) with the built media/webview/drift.js and
 * a stub acquireVsCodeApi that logs messages and keeps state in
 * sessionStorage (so it survives a reload, as VS Code's does).
 * The report comes from detectDrift on the churn example, as the drift stage
 * of examples/churn/mlci.yaml runs it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import Module, { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { detectDrift } from '../../src/core/drift/detect';
import { formatJson, parseDriftReport } from '../../src/core/drift/report';
import { nodeFiles } from '../../src/core/node-files';
import { validatePipeline } from '../../src/core/pipeline/validate';
import type { DriftPanelColumn, DriftPanelReport, DriftPanelToWebview } from '../../src/protocol/drift-panel';
import { newNonce, panelHtml } from '../../src/adapters/vscode/panels/panel-html';
// Types only: the module itself is loaded by loadPanelModule, with `vscode` faked.
import type * as DriftPanelModule from '../../src/adapters/vscode/panels/drift-panel';

// __filename, not __dirname: tsx's tsImport defines only the former faithfully.
const REPO = path.resolve(path.dirname(__filename), '..', '..');
const XSS = '<img src=x onerror=alert(1)>';
/** The churn report as a file, for tests that open a report from disk (showDriftReportFromFile). */
const FIXTURE = path.join(REPO, 'test/fixtures/panels/churn-drift.json');

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
  '--vscode-focusBorder': '#0078d4',
  '--vscode-textLink-foreground': '#4daafc',
  '--vscode-list-activeSelectionBackground': '#04395e',
  '--vscode-list-activeSelectionForeground': '#ffffff',
  '--vscode-font-family': 'system-ui, sans-serif',
  '--vscode-font-size': '13px',
};

/** Runs before the bundle (same nonce): what VS Code's webview host provides, plus a log. */
function stubScript(): string {
  return `
window.__log = [];
window.__dialogs = 0;
const KEY = 'mlci-test-state';
let acquired = false;
window.acquireVsCodeApi = () => {
  if (acquired) throw new Error('acquireVsCodeApi called twice');
  acquired = true;
  return {
    postMessage: (m) => {
      window.__log.push({ dir: 'out', type: m.type, payload: m.payload });
      // The bridge test exposes the extension side here.
      if (window.__toExtension) window.__toExtension(m);
    },
    getState: () => { const s = sessionStorage.getItem(KEY); return s ? JSON.parse(s) : undefined; },
    setState: (s) => sessionStorage.setItem(KEY, JSON.stringify(s)),
  };
};
// Capture phase: logged before the panel's own listener sees the message.
window.addEventListener('message', (e) => window.__log.push({ dir: 'in', type: e.data && e.data.type }), true);
document.addEventListener('securitypolicyviolation', (e) => window.__log.push({ dir: 'csp', directive: e.violatedDirective, blocked: e.blockedURI }));
for (const [k, v] of Object.entries(${JSON.stringify(DARK_THEME)})) document.documentElement.style.setProperty(k, v);
document.body.classList.add('vscode-dark');
`;
}

interface LogEntry { dir: 'in' | 'out' | 'csp'; type?: string; payload?: unknown; directive?: string }

export interface PanelContext {
  browser: Browser;
  /** Saves a screenshot of the page into test-results/panels/. */
  shot(page: Page, name: string): Promise<void>;
  /** Notes printed after the run (render times). */
  note(text: string): void;
}

export interface PanelTest {
  name: string;
  run(ctx: PanelContext): Promise<void>;
}

/** Serves the panel page and media/ over http: the webview's own origin plays cspSource. */
async function servePanel(): Promise<{ url: string; origin: string; setHtml(html: string | undefined): void; close(): Promise<void> }> {
  let fixedHtml: string | undefined;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    // Chromium asks for a favicon on its own; a 404 would read as a page error.
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === '/panel.html') {
      const origin = `http://${req.headers.host}`;
      const page = fixedHtml ?? panelHtml({ cspSource: origin, scriptUri: `${origin}/media/webview/drift.js`, styleUri: `${origin}/media/panels.css`, title: 'Drift', nonce: newNonce() });
      // The stub runs first, under the page's own nonce (as VS Code's injected script does).
      const nonce = /<script nonce="([^"]+)"/.exec(page)![1];
      const html = page.replace('<script nonce=', `<script nonce="${nonce}">${stubScript()}</script>\n<script nonce=`);
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
class PanelPage {
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

  static async open(browser: Browser, url: string, before?: (page: Page) => Promise<void>): Promise<PanelPage> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const p = new PanelPage(page);
    await before?.(page);
    await page.goto(url);
    return p;
  }

  log(): Promise<LogEntry[]> {
    return this.page.evaluate(() => (window as unknown as { __log: LogEntry[] }).__log);
  }

  async waitForPosted(type: string, count = 1): Promise<void> {
    await this.page.waitForFunction(([t, n]) => (window as unknown as { __log: LogEntry[] }).__log.filter((e) => e.dir === 'out' && e.type === t).length >= (n as number), [type, count] as const, { timeout: 10_000 });
  }

  /** Posts the report as the extension does, once the page has said 'ready'. */
  async sendReport(report: DriftPanelReport, title = 'Drift: churn'): Promise<void> {
    await this.waitForPosted('ready');
    const before = (await this.log()).filter((e) => e.type === 'rendered').length;
    const message: DriftPanelToWebview = { type: 'report', payload: { report, title } };
    await this.page.evaluate((m) => window.postMessage(m, '*'), message);
    await this.waitForPosted('rendered', before + 1);
  }

  rowNames(): Promise<string[]> {
    return this.page.locator('table.columns tbody tr th button').allTextContents();
  }

  /** Fails on any dialog, page error or CSP violation seen so far. */
  async assertClean(): Promise<void> {
    const csp = (await this.log()).filter((e) => e.dir === 'csp');
    assert.deepEqual(this.dialogs, [], 'a dialog opened');
    assert.deepEqual(csp, [], 'CSP violations');
    assert.deepEqual(this.consoleErrors, [], 'console errors');
  }
}

let churnReport: DriftPanelReport | undefined;

/** The churn example's drift stage, run for real (cached across tests). */
async function churn(): Promise<DriftPanelReport> {
  if (churnReport) return structuredClone(churnReport);
  const file = path.join(REPO, 'examples/churn/mlci.yaml');
  const v = validatePipeline({ file: 'mlci.yaml', text: readFileSync(file, 'utf8'), root: path.dirname(file), files: nodeFiles });
  const stage = v.pipeline!.stageByName.get('drift')!;
  const dir = path.dirname(file);
  churnReport = (await detectDrift(path.resolve(dir, stage.reference!), path.resolve(dir, stage.current!), stage.drift!, {
    referenceName: stage.reference!,
    currentName: stage.current!,
  })) as DriftPanelReport;
  return structuredClone(churnReport);
}

/** 20 columns: the churn columns repeated under new names (real histograms, more of them). */
async function wideReport(n: number): Promise<DriftPanelReport> {
  const r = await churn();
  const columns: DriftPanelColumn[] = [];
  for (let i = 0; columns.length < n; i++) {
    const c = r.columns[i % r.columns.length]!;
    columns.push({ ...structuredClone(c), name: `${c.name}_${String(i).padStart(2, '0')}` });
  }
  return { ...r, columns, driftedShare: columns.filter((c) => c.drifted).length / columns.length };
}

/** Pixels of each chart canvas: how many are painted, and in how many colours. */
async function canvasInk(page: Page): Promise<{ painted: number; colours: number; dataUrlBytes: number }[]> {
  return page.evaluate(() => Array.from(document.querySelectorAll('canvas')).map((c) => {
    const ctx = c.getContext('2d')!;
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let painted = 0;
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! > 0) {
        painted++;
        colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      }
    }
    return { painted: painted / (c.width * c.height), colours: colours.size, dataUrlBytes: c.toDataURL('image/png').length };
  }));
}

let server: Awaited<ReturnType<typeof servePanel>> | undefined;
async function openPanel(browser: Browser): Promise<PanelPage> {
  server ??= await servePanel();
  return PanelPage.open(browser, server.url);
}

/**
 * Just enough of the vscode API for DriftPanel, recording what it is asked
 * to do, so the extension side runs against the real page in Chromium.
 */
function fakeVscode(origin: string) {
  const uri = (p: string) => ({ scheme: 'file', fsPath: p, path: p, toString: () => `file://${p}` });
  type FakeUri = ReturnType<typeof uri>;
  const calls = { errors: [] as string[], infos: [] as { message: string; actions: string[] }[], commands: [] as { id: string; args: unknown[] }[], opened: [] as string[], serializers: [] as string[] };
  /** The button the user presses on an information message (undefined: dismissed). */
  const answers = { info: undefined as string | undefined, onCommand: undefined as ((id: string, args: unknown[]) => void) | undefined };
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
      // media/ on disk is served at /media/ by the test server.
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
    // Like VS Code: onDidDispose fires once, later dispose() calls do nothing.
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
      registerWebviewPanelSerializer: (viewType: string, serializer: (typeof serializers)[number]) => {
        calls.serializers.push(viewType);
        serializers.push(serializer);
        return { dispose() {} };
      },
      showErrorMessage: async (m: string) => void calls.errors.push(m),
      showWarningMessage: async (m: string) => void calls.errors.push(m),
      showInformationMessage: async (message: string, ...actions: string[]) => {
        calls.infos.push({ message, actions });
        return answers.info;
      },
      showTextDocument: async (u: FakeUri) => void calls.opened.push(u.fsPath),
    },
    commands: {
      executeCommand: async (id: string, ...args: unknown[]) => {
        calls.commands.push({ id, args });
        answers.onCommand?.(id, args);
      },
    },
    workspace: {
      workspaceFolders: [{ uri: uri(path.join(REPO, 'examples', 'churn')) }],
      asRelativePath: (u: FakeUri) => path.relative(REPO, u.fsPath),
      fs: {
        readFile: async (u: FakeUri) => readFileSync(u.fsPath),
        stat: async (u: FakeUri) => {
          if (!existsSync(u.fsPath)) throw new Error(`ENOENT ${u.fsPath}`);
          return {};
        },
      },
    },
  };
  return { api, panel, calls, answers, sent, serializers, receive: (m: unknown) => receive?.(m) };
}

/**
 * Loads the real src/adapters/vscode/panels/drift-panel.ts with `vscode`
 * resolved to the fake: 'vscode' resolves to a one-line temp file that
 * exports it (tsx's scoped require keeps its own cache keys, so a file it
 * can read is the dependable way in).
 */
function loadPanelModule(fake: ReturnType<typeof fakeVscode>['api']): typeof DriftPanelModule {
  currentFake = fake;
  return (driftModule ??= loadModuleOnce(vscodeStandIn));
}

/**
 * The fake the module sees: fixed keys whose getters read the test's current
 * fake (`import * as vscode` copies the key list once, and tsx caches the
 * module), so one load serves every test, as in compare-panel.ui.ts.
 */
let currentFake: ReturnType<typeof fakeVscode>['api'] | undefined;
let driftModule: typeof DriftPanelModule | undefined;
const vscodeStandIn = {
  get ViewColumn() { return currentFake!.ViewColumn; },
  get Uri() { return currentFake!.Uri; },
  get window() { return currentFake!.window; },
  get workspace() { return currentFake!.workspace; },
  get commands() { return currentFake!.commands; },
};

function loadModuleOnce(fake: unknown): typeof DriftPanelModule {
  const resolver = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
  const fakePath = path.join(mkdtempSync(path.join(tmpdir(), 'mlci-fake-vscode-')), 'vscode.js');
  writeFileSync(fakePath, 'module.exports = globalThis.__mlciFakeVscode;\n');
  (globalThis as { __mlciFakeVscode?: unknown }).__mlciFakeVscode = fake;
  const load = createRequire(__filename);
  const original = resolver._resolveFilename;
  resolver._resolveFilename = function (request, ...rest) {
    return request === 'vscode' ? fakePath : original.call(this, request, ...rest);
  };
  try {
    // tsx's require compiles the .ts; its nested require('vscode') resolves through the patch.
    const tsx = load('tsx/cjs/api') as { require(id: string, from: string): unknown };
    return tsx.require('../../src/adapters/vscode/panels/drift-panel.ts', __filename) as typeof DriftPanelModule;
  } finally {
    resolver._resolveFilename = original;
    rmSync(path.dirname(fakePath), { recursive: true, force: true });
  }
}

export async function stopPanelServer(): Promise<void> {
  await server?.close();
  server = undefined;
}

export const panelTests: PanelTest[] = [
  {
    name: 'test/fixtures/panels/churn-drift.json is the report detectDrift gives on the churn example today',
    async run() {
      const live = { ...(await churn()), durationMs: 0 };
      // MLCI_UPDATE_FIXTURES=1 rewrites it after an intended change of the report.
      if (process.env.MLCI_UPDATE_FIXTURES === '1' || !existsSync(FIXTURE)) writeFileSync(FIXTURE, formatJson(live as Parameters<typeof formatJson>[0]));
      assert.deepEqual(parseDriftReport(readFileSync(FIXTURE, 'utf8')), live);
    },
  },
  {
    name: 'each page load gets a fresh nonce, used by the CSP and the script tag alike',
    async run({ browser }) {
      const nonces: string[] = [];
      for (let i = 0; i < 2; i++) {
        const p = await openPanel(browser);
        try {
          const csp = await p.page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
          const nonce = /script-src 'nonce-([^']+)'/.exec(csp ?? '')?.[1];
          assert.ok(nonce && nonce.length >= 22, `no nonce in ${csp}`);
          assert.match(csp!, /^default-src 'none'; img-src http:\/\/127\.0\.0\.1:\d+ data:; style-src http:\/\/127\.0\.0\.1:\d+ 'nonce-[^']+'; script-src 'nonce-[^']+';$/);
          // The nonce attribute is hidden from the DOM once parsed; the element's property keeps it.
          const scriptNonces = await p.page.evaluate(() => Array.from(document.scripts).map((s) => s.nonce));
          assert.ok(scriptNonces.every((n) => n === nonce));
          nonces.push(nonce);
          await p.waitForPosted('ready');
          await p.assertClean();
        } finally {
          await p.page.close();
        }
      }
      assert.notEqual(nonces[0], nonces[1]);
    },
  },
  {
    name: "posts 'ready' before any data and renders the churn report: drifted, one row per column, charts drawn",
    async run({ browser, shot }) {
      const report = await churn();
      assert.equal(report.datasetDrift, true, 'the churn example is expected to drift');
      const p = await openPanel(browser);
      try {
        await p.sendReport(report);
        const log = await p.log();
        const ready = log.findIndex((e) => e.dir === 'out' && e.type === 'ready');
        const data = log.findIndex((e) => e.dir === 'in' && e.type === 'report');
        assert.ok(ready >= 0 && ready < data, `'ready' (${ready}) must come before the report (${data})`);
        assert.match(await p.page.getByTestId('verdict').textContent() ?? '', /Dataset drift detected/);
        const drifted = report.columns.filter((c) => c.drifted).length;
        assert.match(await p.page.getByTestId('share').textContent() ?? '', new RegExp(`^${drifted} of ${report.columns.length} \\(\\d+%\\); the dataset drifts at 40%`));
        assert.match(await p.page.locator('.facts').textContent() ?? '', /data\/train\.csv 2000 rows.*data\/current\.csv 1000 rows/s);
        assert.deepEqual(await p.rowNames(), report.columns.map((c) => c.name).sort((a, b) => a.localeCompare(b)));
        const ink = await canvasInk(p.page);
        assert.equal(ink.length, report.columns.length, 'one chart per column');
        for (const [i, k] of ink.entries()) {
          assert.ok(k.painted > 0.03 && k.colours > 8, `canvas ${i} looks blank: ${JSON.stringify(k)}`);
        }
        await shot(p.page, 'drift-churn');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'the table sorts on header click and from the keyboard (headers are buttons, aria-sort follows)',
    async run({ browser, shot }) {
      const report = await churn();
      const p = await openPanel(browser);
      try {
        await p.sendReport(report);
        const byStat = [...report.columns].sort((a, b) => a.statistic - b.statistic).map((c) => c.name);
        await p.page.getByRole('button', { name: 'Statistic' }).click();
        assert.deepEqual(await p.rowNames(), byStat);
        assert.equal(await p.page.locator('th:has(button[data-key="statistic"])').getAttribute('aria-sort'), 'ascending');
        // Keyboard: focus stays on the header after the re-render, Enter reverses.
        await p.page.keyboard.press('Enter');
        assert.deepEqual(await p.rowNames(), [...byStat].reverse());
        assert.equal(await p.page.locator('th:has(button[data-key="statistic"])').getAttribute('aria-sort'), 'descending');
        // Tab to the next header and sort by drift with Space.
        await p.page.keyboard.press('Tab');
        await p.page.keyboard.press('Tab');
        await p.page.keyboard.press('Tab');
        assert.equal(await p.page.evaluate(() => document.activeElement?.getAttribute('data-key')), 'drifted');
        await p.page.keyboard.press('Space');
        const names = await p.rowNames();
        const flags = names.map((n) => report.columns.find((c) => c.name === n)!.drifted);
        assert.deepEqual(flags, [...flags].sort((a, b) => Number(a) - Number(b)), 'not drifted first, then drifted');
        await shot(p.page, 'drift-sorted');
        // A narrow editor column: the table scrolls in its wrapper, the page itself does not.
        await p.page.setViewportSize({ width: 420, height: 900 });
        await p.page.waitForTimeout(100);
        assert.ok(await p.page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), 'the page scrolls sideways');
        await shot(p.page, 'drift-narrow');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'a column and a category named <img src=x onerror=alert(1)> show as text: no element, no dialog, no CSP violation',
    async run({ browser, shot }) {
      const report = await churn();
      const target = report.columns.find((c) => c.histogram.kind === 'categorical')!;
      target.name = XSS;
      if (target.histogram.kind === 'categorical') target.histogram.categories[0] = XSS;
      target.newCategories = [XSS];
      target.warnings = [XSS];
      report.reference.path = XSS;
      report.skipped.push({ name: XSS, reason: XSS });
      const p = await openPanel(browser);
      try {
        await p.sendReport(report, XSS);
        assert.equal(await p.page.locator('img').count(), 0, 'an <img> element was created from data');
        assert.ok((await p.rowNames()).includes(XSS), 'the column name is shown as text');
        assert.equal(await p.page.locator('h1').textContent(), XSS);
        // Selecting it exercises the lookup by name (no CSS selector built from data).
        await p.page.locator('table.columns tbody th').getByRole('button', { name: XSS, exact: true }).click();
        assert.equal(await p.page.locator('.card.selected .name').textContent(), XSS);
        // The file link hands the path back to the extension as data.
        await p.page.locator('.facts').getByRole('button', { name: XSS, exact: true }).click();
        const open = (await p.log()).filter((e) => e.type === 'openFile');
        assert.deepEqual(open.map((e) => e.payload), [{ path: XSS }]);
        await p.page.locator('table.columns tbody th').getByRole('button', { name: XSS, exact: true }).hover();
        await p.page.waitForTimeout(200);
        await shot(p.page, 'drift-xss');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'sort, selected column and the report (Infinity included) come back after a reload from setState',
    async run({ browser, shot }) {
      const report = await churn();
      // A chi-square statistic is Infinity when current has a new category: JSON state must keep it.
      const cat = report.columns.find((c) => c.test === 'chisquare')!;
      cat.statistic = Infinity;
      const p = await openPanel(browser);
      try {
        await p.sendReport(report);
        await p.page.getByRole('button', { name: 'p-value / distance' }).click();
        await p.page.getByRole('button', { name: 'p-value / distance' }).click();
        const sorted = await p.rowNames();
        const pick = report.columns[1]!.name;
        await p.page.getByRole('button', { name: pick, exact: true }).click();
        await p.page.reload();
        // No report is posted after the reload: the page renders from its state.
        await p.page.waitForSelector('table.columns');
        assert.deepEqual(await p.rowNames(), sorted);
        assert.equal(await p.page.locator('th:has(button[data-key="score"])').getAttribute('aria-sort'), 'descending');
        assert.equal(await p.page.locator('tr.selected th button').textContent(), pick);
        assert.equal(await p.page.locator('.card.selected .name').textContent(), pick);
        assert.equal(await p.page.locator(`tr[aria-current="true"] td`).count(), 6);
        const statCell = await p.page.locator('table.columns tbody tr').filter({ hasText: cat.name }).locator('td').nth(2).textContent();
        assert.equal(statCell, '∞');
        const log = await p.log();
        assert.equal(log[0]?.type, 'ready', 'ready is still the first message after a reload');
        // A fresh report from the extension keeps the restored sort and selection.
        await p.sendReport(report);
        assert.deepEqual(await p.rowNames(), sorted);
        assert.equal(await p.page.locator('tr.selected th button').textContent(), pick);
        await shot(p.page, 'drift-restored');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'DriftPanel (extension side, vscode faked) + the page: showDriftReportFromFile, ready → report, openFile, bad versions refused, serializer revive',
    async run({ browser, shot }) {
      server ??= await servePanel();
      const fake = fakeVscode(server.origin);
      const { showDriftReportFromFile, registerDriftPanel, DriftPanel } = loadPanelModule(fake.api);
      const extensionUri = fake.api.Uri.file(REPO) as never;
      registerDriftPanel({ extensionUri } as never);
      assert.deepEqual(fake.calls.serializers, ['mlci.driftPanel']);

      // A report of another version is refused with a message; the panel says why instead of a report.
      const bad = path.join(REPO, 'test-results', 'panels', 'drift-v2.json');
      writeFileSync(bad, readFileSync(FIXTURE, 'utf8').replace('"version": 1', '"version": 2'));
      const refused = await showDriftReportFromFile(extensionUri, bad);
      assert.match(fake.calls.errors.join('\n'), /unsupported drift report version 2/);
      fake.receive({ type: 'ready' });
      for (let i = 0; i < 50 && !fake.sent.length; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(fake.sent[0], { type: 'error', payload: { title: 'Drift: drift-v2.json', file: 'test-results/panels/drift-v2.json', message: 'unsupported drift report version 2 (this mlci reads version 1)' } });
      refused.dispose();
      fake.sent.length = 0;
      fake.panel.webview.html = '';

      const panel = await showDriftReportFromFile(extensionUri, FIXTURE);
      assert.ok(panel && DriftPanel.current === panel);
      assert.equal(fake.panel.title, 'Drift: churn-drift.json');
      assert.deepEqual(fake.panel.webview.options.localResourceRoots?.map((u) => u.fsPath), [path.join(REPO, 'media')]);
      assert.equal(fake.sent.length, 0, 'nothing is posted before the page says ready');

      server.setHtml(fake.panel.webview.html);
      try {
        const p = await PanelPage.open(browser, server.url, async (page) => {
          // The page's messages reach the panel; the panel's reach the page.
          await page.exposeFunction('__toExtension', (m: unknown) => fake.receive(m));
        });
        try {
          // The panel answers the page's 'ready' with the report; deliver it as VS Code would.
          for (let i = 0; i < 250 && !fake.sent.length; i++) await new Promise((r) => setTimeout(r, 20));
          assert.equal((fake.sent[0] as DriftPanelToWebview | undefined)?.type, 'report', "no report after 'ready'");
          await p.page.evaluate((m) => window.postMessage(m, '*'), fake.sent[0] as DriftPanelToWebview);
          await p.page.waitForSelector('table.columns');
          assert.match(await p.page.getByTestId('verdict').textContent() ?? '', /Dataset drift detected/);
          // Report paths are relative to the pipeline folder, found above the report file or in the workspace.
          await p.page.locator('.facts').getByRole('button', { name: 'data/train.csv' }).click();
          for (let i = 0; i < 50 && !fake.calls.opened.length; i++) await new Promise((r) => setTimeout(r, 20));
          assert.deepEqual(fake.calls.opened, [path.join(REPO, 'examples', 'churn', 'data', 'train.csv')]);
          await shot(p.page, 'drift-from-file');
          await p.assertClean();
        } finally {
          await p.page.close();
        }
      } finally {
        server.setHtml(undefined);
        panel.dispose();
      }
      assert.equal(DriftPanel.current, undefined);

      // After a reload VS Code hands the serializer the webview's saved state (JSON: Infinity as a string).
      const saved = JSON.parse(readFileSync(FIXTURE, 'utf8')) as DriftPanelReport;
      (saved.columns[0] as unknown as { statistic: string }).statistic = 'Infinity';
      fake.sent.length = 0;
      fake.panel.webview.html = '';
      await fake.serializers[0]!.deserializeWebviewPanel(fake.panel, { sort: { key: 'name', dir: 'asc' }, last: { report: saved, title: 'Drift: old' } });
      assert.ok(DriftPanel.current, 'revived');
      assert.match(fake.panel.webview.html, /<script nonce="[^"]+" src="http:\/\/127\.0\.0\.1:\d+\/media\/webview\/drift\.js"><\/script>/);
      fake.receive({ type: 'ready' });
      for (let i = 0; i < 50 && !fake.sent.length; i++) await new Promise((r) => setTimeout(r, 10));
      const revived = (fake.sent[0] as unknown as Extract<DriftPanelToWebview, { type: 'report' }>).payload;
      assert.equal(revived.title, 'Drift: old');
      assert.equal(revived.report.columns[0]!.statistic, Infinity);
      DriftPanel.current!.dispose();
    },
  },
  {
    name: 'a wrong-typed report file (valid JSON) opens the panel on an error naming the file and the field, not on "Loading"',
    async run({ browser, shot }) {
      server ??= await servePanel();
      const fake = fakeVscode(server.origin);
      const { showDriftReportFromFile, DriftPanel } = loadPanelModule(fake.api);
      const extensionUri = fake.api.Uri.file(REPO) as never;
      const cases: [string, string, unknown, string][] = [
        ['drift-string-statistic.json', 'columns.0.statistic', 'abc', 'not a valid drift report: columns[0].statistic must be a number, not "abc"'],
        ['drift-columns-object.json', 'columns', { tenure: 1 }, 'not a valid drift report: columns must be an array, not {"tenure":1}'],
        ['drift-no-histogram.json', 'columns.1.histogram', undefined, 'not a valid drift report: columns[1].histogram is missing'],
        ['drift-short-edges.json', 'columns.0.histogram.edges', [0, 1], 'not a valid drift report: columns[0] ("tenure").histogram: 20 bins need 21 edges, not 2'],
        ['drift-verdict-text.json', 'datasetDrift', 'true', 'not a valid drift report: datasetDrift must be a boolean, not "true"'],
      ];
      for (const [name, at, value, message] of cases) {
        const data = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
        const keys = at.split('.');
        let node = data;
        for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
        if (value === undefined) delete node[keys[keys.length - 1]!];
        else node[keys[keys.length - 1]!] = value;
        const file = path.join(REPO, 'test-results', 'panels', name);
        writeFileSync(file, JSON.stringify(data, null, 2));
        fake.sent.length = 0;
        const panel = await showDriftReportFromFile(extensionUri, file);
        assert.ok(DriftPanel.current === panel, `${name}: a panel opens`);
        assert.equal(fake.calls.errors.at(-1), `mlci: test-results/panels/${name}: ${message}`);
        server.setHtml(fake.panel.webview.html);
        try {
          const p = await PanelPage.open(browser, server.url, async (page) => {
            await page.exposeFunction('__toExtension', (m: unknown) => fake.receive(m));
          });
          try {
            for (let i = 0; i < 250 && !fake.sent.length; i++) await new Promise((r) => setTimeout(r, 20));
            await p.page.evaluate((m) => window.postMessage(m, '*'), fake.sent[0] as DriftPanelToWebview);
            const alert = p.page.getByRole('alert');
            await alert.waitFor({ timeout: 5_000 });
            assert.equal(await alert.locator('h1').textContent(), `Drift: ${name}`);
            assert.equal(await alert.locator('p').first().textContent(), `Cannot show the drift report test-results/panels/${name}:`);
            assert.equal(await alert.locator('.message').textContent(), message);
            assert.equal(await p.page.locator('.loading').count(), 0, 'still "Loading"');
            assert.equal(await p.page.locator('table.columns').count(), 0);
            if (name === 'drift-string-statistic.json') await shot(p.page, 'drift-report-error');
            await p.assertClean();
          } finally {
            await p.page.close();
          }
        } finally {
          server.setHtml(undefined);
          panel.dispose();
        }
      }
    },
  },
  {
    name: 'a report the page cannot draw (past the extension\'s check) shows what failed instead of "Loading"',
    async run({ browser }) {
      const report = await churn();
      (report.columns[0] as unknown as { histogram: unknown }).histogram = null;
      const p = await openPanel(browser);
      try {
        await p.waitForPosted('ready');
        const message: DriftPanelToWebview = { type: 'report', payload: { report, title: 'Drift: broken', source: 'reports/drift.json' } };
        await p.page.evaluate((m) => window.postMessage(m, '*'), message);
        const alert = p.page.getByRole('alert');
        await alert.waitFor({ timeout: 5_000 });
        assert.equal(await alert.locator('p').first().textContent(), 'Cannot show the drift report reports/drift.json:');
        assert.match(await alert.locator('.message').textContent() ?? '', /\S/);
        assert.equal(await p.page.locator('.loading').count(), 0);
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'a report with problems (a column on one side only) shows them under the verdict',
    async run({ browser, shot }) {
      const report = await churn();
      report.problems = ['column "plan" of reference data/train.csv missing from current data/current.csv; exclude them (drift.exclude, or --exclude) if that is expected'];
      report.missingColumns = ['plan'];
      report.columns = report.columns.filter((c) => c.name !== 'plan');
      const p = await openPanel(browser);
      try {
        await p.sendReport(report);
        assert.match(await p.page.getByTestId('verdict').textContent() ?? '', /Dataset drift detected/);
        assert.deepEqual(await p.page.getByTestId('problem').allTextContents(), report.problems);
        await shot(p.page, 'drift-problems');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'Show Drift Report before the drift stage ran says so with a Run Stage action (no ENOENT); Run Stage runs it, then the report opens',
    async run({ browser, shot }) {
      server ??= await servePanel();
      const fake = fakeVscode(server.origin);
      const { showStageDriftReport, DriftPanel } = loadPanelModule(fake.api);
      const extensionUri = fake.api.Uri.file(REPO) as never;
      const root = mkdtempSync(path.join(tmpdir(), 'mlci-drift-not-run-'));
      const target = { pipelineFile: path.join(root, 'mlci.yaml'), root, stage: 'drift', reportFile: 'reports/drift.json', fromLastRun: () => undefined };
      try {
        // Dismissed: a message, no error, no panel, nothing run.
        assert.equal(await showStageDriftReport(extensionUri, target), undefined);
        assert.deepEqual(fake.calls.errors, [], 'no error (ENOENT) message');
        assert.equal(fake.calls.infos.length, 1);
        assert.equal(fake.calls.infos[0]!.message, 'Stage drift has not run yet, so there is no drift report (reports/drift.json is not there yet). Run it to compute one.');
        assert.deepEqual(fake.calls.infos[0]!.actions, ['Run Stage']);
        assert.deepEqual(fake.calls.commands, []);
        assert.equal(fake.panel.webview.html, '');

        // Run Stage: the stage runs (here the command writes the report the way the drift stage does), then the panel shows it.
        fake.answers.info = 'Run Stage';
        fake.answers.onCommand = (id) => {
          if (id !== 'mlci.runStage') return;
          mkdirSync(path.join(root, 'reports'), { recursive: true });
          writeFileSync(path.join(root, 'reports', 'drift.json'), readFileSync(FIXTURE));
        };
        const panel = await showStageDriftReport(extensionUri, target);
        assert.deepEqual(fake.calls.commands, [{ id: 'mlci.runStage', args: [{ file: target.pipelineFile, stage: 'drift' }] }]);
        assert.ok(panel && DriftPanel.current === panel, 'the report opened after the run');
        assert.equal(fake.panel.title, 'Drift: drift.json');
        assert.deepEqual(fake.calls.errors, []);
        server.setHtml(fake.panel.webview.html);
        try {
          const p = await PanelPage.open(browser, server.url, async (page) => {
            await page.exposeFunction('__toExtension', (m: unknown) => fake.receive(m));
          });
          try {
            for (let i = 0; i < 250 && !fake.sent.length; i++) await new Promise((r) => setTimeout(r, 20));
            await p.page.evaluate((m) => window.postMessage(m, '*'), fake.sent[0] as DriftPanelToWebview);
            await p.page.waitForSelector('table.columns');
            assert.match(await p.page.getByTestId('verdict').textContent() ?? '', /Dataset drift detected/);
            await shot(p.page, 'drift-after-run-stage');
            await p.assertClean();
          } finally {
            await p.page.close();
          }
        } finally {
          server.setHtml(undefined);
          panel.dispose();
        }

        // A run that wrote no report: no second offer (no loop), no error.
        rmSync(path.join(root, 'reports'), { recursive: true, force: true });
        fake.answers.onCommand = undefined;
        assert.equal(await showStageDriftReport(extensionUri, target), undefined);
        assert.equal(fake.calls.infos.length, 3, 'one message per Show Drift Report');
        assert.deepEqual(fake.calls.errors, []);

        // The last run's report wins over the file, without asking.
        const report = JSON.parse(readFileSync(FIXTURE, 'utf8')) as DriftPanelReport;
        const fromRun = await showStageDriftReport(extensionUri, { ...target, fromLastRun: () => ({ report, runId: 'r42' }) });
        assert.equal(fake.panel.title, 'Drift: drift (run r42)');
        assert.equal(fake.calls.infos.length, 3);
        fromRun?.dispose();
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'charts follow a theme change (VS Code swaps the body class and the --vscode-* variables)',
    async run({ browser, shot }) {
      const p = await openPanel(browser);
      try {
        await p.sendReport(await churn());
        const green = () => p.page.evaluate(() => Array.from(document.querySelectorAll('canvas')).some((c) => {
          const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
          for (let i = 0; i < data.length; i += 4) if (data[i]! < 40 && data[i + 1]! > 200 && data[i + 2]! < 40) return true;
          return false;
        }));
        assert.equal(await green(), false);
        const renders = (await p.log()).filter((e) => e.type === 'rendered').length;
        await p.page.evaluate(() => {
          document.documentElement.style.setProperty('--vscode-charts-blue', '#00ff00');
          document.documentElement.style.setProperty('--vscode-editor-background', '#ffffff');
          document.documentElement.style.setProperty('--vscode-foreground', '#333333');
          document.body.classList.replace('vscode-dark', 'vscode-light');
        });
        await p.waitForPosted('rendered', renders + 1);
        assert.equal(await green(), true, 'the reference bars did not take the new --vscode-charts-blue');
        await shot(p.page, 'drift-theme-change');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'a 20-column report renders (table and 20 charts drawn); its render time is printed, not asserted (it depends on the load of the machine)',
    async run({ browser, shot, note }) {
      const report = await wideReport(20);
      const p = await openPanel(browser);
      try {
        await p.waitForPosted('ready');
        const times: number[] = [];
        for (let i = 0; i < 5; i++) {
          const t0 = Date.now();
          await p.sendReport(report);
          const wall = Date.now() - t0;
          const rendered = (await p.log()).filter((e) => e.type === 'rendered').at(-1)!.payload as { ms: number };
          times.push(rendered.ms);
          if (i === 0) note(`20-column render: first ${rendered.ms.toFixed(0)} ms in the page (${wall} ms round trip)`);
        }
        const median = [...times].sort((a, b) => a - b)[2]!;
        note(`20-column render: median of 5 ${median.toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(', ')} ms)`);
        assert.equal(await p.page.locator('table.columns tbody tr').count(), 20);
        const ink = await canvasInk(p.page);
        assert.equal(ink.length, 20);
        assert.ok(ink.every((k) => k.painted > 0.03), 'a blank chart');
        await p.page.setViewportSize({ width: 1200, height: 2400 });
        await shot(p.page, 'drift-20-columns');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
];
