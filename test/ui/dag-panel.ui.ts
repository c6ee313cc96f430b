/**
 * The pipeline graph (DAG) webview in real headless Chromium, run by
 * scripts/test-dag-panel.mjs (exports `panelTests`, like
 * compare-panel.ui.ts, whose page server and page wrapper it uses: the page
 * the extension serves, the same CSP, a stub acquireVsCodeApi that logs
 * messages and keeps state in sessionStorage).
 * Data: examples/churn/mlci.yaml, validated by the core and turned into the
 * panel's payload by the extension's own dag-model.ts (the same code the
 * panel posts from), with statuses set per test.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { nodeFiles } from '../../src/core/node-files';
import { validatePipeline } from '../../src/core/pipeline/validate';
import { dagPayloadOf } from '../../src/adapters/vscode/panels/dag-model';
import type { DagPanelToWebview, DagPayload } from '../../src/protocol/dag-panel';
import type { PanelServer, PanelTest } from './compare-panel.ui';
import { ComparePage, serveComparePanel } from './compare-panel.ui';

const REPO = path.resolve(path.dirname(__filename), '..', '..');
const EXAMPLE = path.join(REPO, 'examples', 'churn');
const PIPELINE = path.join(EXAMPLE, 'mlci.yaml');

/** Status colours as Dark Modern sets them (the graph reads these; compare's stub sets the rest). */
const DAG_THEME: Record<string, string> = {
  '--vscode-testing-iconPassed': '#73c991',
  '--vscode-testing-iconFailed': '#f14c4c',
  '--vscode-list-warningForeground': '#cca700',
  '--vscode-progressBar-background': '#0078d4',
  '--vscode-disabledForeground': '#8b949e',
  '--vscode-editorWidget-background': '#202020',
};

/** The example's graph with the statuses given (the tree's words), as the panel builds it. */
function examplePayload(status: Record<string, string> = {}, canRun = true): DagPayload {
  const text = readFileSync(PIPELINE, 'utf8');
  const result = validatePipeline({ file: 'mlci.yaml', text, root: EXAMPLE, files: nodeFiles });
  assert.equal(result.problems.filter((p) => p.severity === 'error').length, 0, 'the example validates');
  return dagPayloadOf(result, { file: 'mlci.yaml', path: PIPELINE, canRun, statusText: (s) => status[s] });
}

/** 1-based line of `  <stage>:` under stages: in the example's file. */
function lineOfStage(stage: string): number {
  const lines = readFileSync(PIPELINE, 'utf8').split('\n');
  const i = lines.findIndex((l) => l === `  ${stage}:`);
  assert.ok(i >= 0, `stage ${stage} not found in ${PIPELINE}`);
  return i + 1;
}

let server: PanelServer | undefined;
async function openPanel(browser: Browser): Promise<ComparePage> {
  server ??= await serveComparePanel({ bundle: 'dag', title: 'Graph: mlci.yaml', theme: DAG_THEME });
  return ComparePage.open(browser, server.url);
}

export async function stopPanelServer(): Promise<void> {
  await server?.close();
  server = undefined;
}

/** Posts a graph as the extension does (after 'ready'); waits for the page's next 'rendered'. */
async function sendGraph(p: ComparePage, payload: DagPayload): Promise<{ nodes: number; edges: number; ms: number }> {
  await p.waitForPosted('ready');
  const before = (await p.posted('rendered')).length;
  await p.page.evaluate((json) => {
    const message: DagPanelToWebview = { type: 'graph', payload: JSON.parse(json) as DagPayload };
    window.postMessage(message, '*');
  }, JSON.stringify(payload));
  await p.waitForPosted('rendered', before + 1);
  return (await p.posted('rendered')).at(-1)!.payload as { nodes: number; edges: number; ms: number };
}

/** Each node's stage, status class, box and its rect's stroke colour. */
async function nodes(p: ComparePage): Promise<Array<{ stage: string; status: string; line: number; x: number; y: number; stroke: string; label: string }>> {
  return p.page.locator('svg.dag g.node').evaluateAll((gs) => gs.map((g) => {
    const el = g as SVGGElement;
    const box = el.getBoundingClientRect();
    return {
      stage: el.dataset.stage!,
      status: el.dataset.status!,
      line: Number(el.dataset.line),
      x: box.x,
      y: box.y,
      stroke: getComputedStyle(el.querySelector('rect.box')!).stroke,
      label: el.getAttribute('aria-label') ?? '',
    };
  }));
}

async function edges(p: ComparePage): Promise<string[]> {
  return p.page.locator('svg.dag path.edge').evaluateAll((ps) => ps.map((e) => `${(e as SVGPathElement).dataset.from} -> ${(e as SVGPathElement).dataset.to}`).sort());
}

const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

const RUNNING = { 'unit-tests': 'passed', 'validate-data': 'up to date', train: 'running', evaluate: 'stale', drift: 'failed' };

export const panelTests: PanelTest[] = [
  {
    name: "says 'ready' first, then draws the example's graph: one node per stage, one edge per needs, in layers, status-coloured from the theme",
    async run({ browser, shot, note }) {
      const payload = examplePayload(RUNNING);
      const p = await openPanel(browser);
      try {
        const rendered = await sendGraph(p, payload);
        note(`the example's graph (5 stages) rendered in ${rendered.ms.toFixed(1)} ms in the page`);
        const log = await p.log();
        const ready = log.findIndex((e) => e.dir === 'out' && e.type === 'ready');
        const data = log.findIndex((e) => e.dir === 'in' && e.type === 'graph');
        assert.ok(ready >= 0 && ready < data, `'ready' (${ready}) must come before the graph (${data})`);
        const drawn = await nodes(p);
        assert.deepEqual(drawn.map((n) => n.stage).sort(), ['drift', 'evaluate', 'train', 'unit-tests', 'validate-data']);
        // One edge per entry of a stage's needs: train needs unit-tests and validate-data, evaluate needs train.
        const expectedEdges = payload.nodes.flatMap((n) => n.needs.map((need) => `${need} -> ${n.name}`)).sort();
        assert.deepEqual(expectedEdges, ['train -> evaluate', 'unit-tests -> train', 'validate-data -> train']);
        assert.deepEqual(await edges(p), expectedEdges);
        assert.deepEqual({ nodes: rendered.nodes, edges: rendered.edges }, { nodes: 5, edges: 3 });
        // Layers: what a stage needs sits above it.
        const at = Object.fromEntries(drawn.map((n) => [n.stage, n]));
        assert.equal(at['unit-tests']!.y, at['validate-data']!.y);
        assert.equal(at['unit-tests']!.y, at.drift!.y);
        assert.ok(at.train!.y > at['unit-tests']!.y && at.evaluate!.y > at.train!.y, 'train below what it needs, evaluate below train');
        // Status colours are the theme's: passed/up to date green, failed red, stale yellow, running the progress blue.
        assert.deepEqual(Object.fromEntries(drawn.map((n) => [n.stage, n.status])), { 'unit-tests': 'passed', 'validate-data': 'passed', train: 'running', evaluate: 'stale', drift: 'failed' });
        assert.equal(at['unit-tests']!.stroke, rgb(DAG_THEME['--vscode-testing-iconPassed']!));
        assert.equal(at.drift!.stroke, rgb(DAG_THEME['--vscode-testing-iconFailed']!));
        assert.equal(at.evaluate!.stroke, rgb(DAG_THEME['--vscode-list-warningForeground']!));
        assert.equal(at.train!.stroke, rgb(DAG_THEME['--vscode-progressBar-background']!));
        assert.match(at.train!.label, /^train, train stage, running\. Needs unit-tests, validate-data\. Line \d+ of mlci\.yaml/);
        assert.equal(await p.page.getByTestId('summary').textContent(), 'mlci.yaml: 5 stages (2 passed, 1 running, 1 stale, 1 failed)');
        await shot(p.page, 'dag-example');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: "a click on a stage posts 'reveal' with its name and its line in mlci.yaml; Enter does the same, arrows move along the edges; Run stage posts 'run'",
    async run({ browser }) {
      const p = await openPanel(browser);
      try {
        await sendGraph(p, examplePayload(RUNNING));
        await p.page.locator('g.node[data-stage="train"]').click();
        const reveals = async () => (await p.posted('reveal')).map((e) => e.payload);
        assert.deepEqual(await reveals(), [{ stage: 'train', line: lineOfStage('train') }]);
        assert.equal(lineOfStage('train'), 70);
        // Keyboard: Tab reaches the first stage; Down follows an edge to a stage that needs it; Enter reveals.
        await p.page.locator('g.node[data-stage="unit-tests"]').focus();
        await p.page.keyboard.press('ArrowDown');
        assert.equal(await p.page.evaluate(() => (document.activeElement as SVGGElement | null)?.dataset.stage), 'train');
        await p.page.keyboard.press('ArrowDown');
        assert.equal(await p.page.evaluate(() => (document.activeElement as SVGGElement | null)?.dataset.stage), 'evaluate');
        await p.page.keyboard.press('Enter');
        await p.page.keyboard.press('ArrowUp');
        await p.page.keyboard.press('ArrowUp');
        // Up: the stage it needs nearest across (train sits under validate-data, the middle of the top row).
        assert.equal(await p.page.evaluate(() => (document.activeElement as SVGGElement | null)?.dataset.stage), 'validate-data', 'up goes to a stage it needs, the nearest');
        await p.page.keyboard.press('ArrowLeft');
        assert.equal(await p.page.evaluate(() => (document.activeElement as SVGGElement | null)?.dataset.stage), 'unit-tests', 'left goes along the row');
        await p.page.keyboard.press(' ');
        assert.deepEqual(await reveals(), [
          { stage: 'train', line: 70 },
          { stage: 'evaluate', line: lineOfStage('evaluate') },
          { stage: 'unit-tests', line: lineOfStage('unit-tests') },
        ]);
        // The bar under the graph names the focused stage and runs it.
        const details = p.page.getByTestId('details');
        assert.match((await details.textContent())!, /^unit-tests test · passed · line 34 /);
        await details.locator('button[data-action="run"]').click();
        assert.deepEqual((await p.posted('run')).map((e) => e.payload), [{ stage: 'unit-tests' }]);
        await details.locator('button[data-action="reveal"]').click();
        assert.deepEqual((await reveals()).at(-1), { stage: 'unit-tests', line: 34 });
        // Where nothing may run (Restricted Mode, a run going on) there is no Run button.
        await sendGraph(p, examplePayload(RUNNING, false));
        await p.page.locator('g.node[data-stage="drift"]').focus();
        assert.equal(await details.locator('button[data-action="run"]').count(), 0);
        assert.equal(await details.locator('button[data-action="reveal"]').count(), 1);
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'stage names are text: an XSS probe as a stage (and in needs, status and file) runs nothing and shows literally',
    async run({ browser, shot }) {
      const XSS = '<img src=x onerror=alert(1)>';
      const SCRIPT = '"><script>alert(2)</script><svg onload=alert(3)>';
      const payload: DagPayload = {
        file: `${XSS}.mlci.yaml`,
        path: '/tmp/x.mlci.yaml',
        name: SCRIPT,
        canRun: true,
        nodes: [
          { name: XSS, kind: 'test', layer: 0, needs: [], status: 'passed', statusText: SCRIPT, line: 3 },
          { name: SCRIPT, kind: 'train', layer: 1, needs: [XSS], status: 'failed', statusText: XSS, line: 9 },
        ],
      };
      const p = await openPanel(browser);
      try {
        await sendGraph(p, payload);
        assert.equal(await p.page.locator('img').count(), 0, 'no <img> was created');
        assert.equal(await p.page.locator('script').count(), 2, 'only the test stub and the bundle');
        const names = await p.page.locator('svg.dag g.node text.name').allTextContents();
        assert.deepEqual(names.map((n) => n.replace(/…$/, '')).every((n, i) => [XSS, SCRIPT][i]!.startsWith(n)), true, `names shown as text: ${JSON.stringify(names)}`);
        assert.deepEqual(await p.page.locator('svg.dag g.node title').allTextContents(), [`${XSS} (test): ${SCRIPT}`, `${SCRIPT} (train): ${XSS}`]);
        assert.equal(await p.page.locator('h1').textContent(), SCRIPT);
        assert.deepEqual(await edges(p), [`${XSS} -> ${SCRIPT}`]);
        await p.page.locator('svg.dag g.node').nth(1).click();
        assert.deepEqual((await p.posted('reveal')).map((e) => e.payload), [{ stage: SCRIPT, line: 9 }]);
        await shot(p.page, 'dag-xss');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'a theme change recolours the nodes with the new theme colours and keeps the focused stage',
    async run({ browser, shot }) {
      const p = await openPanel(browser);
      try {
        await sendGraph(p, examplePayload(RUNNING));
        await p.page.locator('g.node[data-stage="evaluate"]').focus();
        const renders = (await p.posted('rendered')).length;
        // What VS Code does on a theme switch: new variables on <html>, a new body class.
        const LIGHT = { '--vscode-testing-iconPassed': '#388a34', '--vscode-testing-iconFailed': '#e51400', '--vscode-list-warningForeground': '#855f00', '--vscode-progressBar-background': '#005fb8', '--vscode-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff', '--vscode-editorWidget-background': '#f8f8f8' };
        await p.page.evaluate((vars) => {
          for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
          document.body.classList.replace('vscode-dark', 'vscode-light');
        }, LIGHT);
        await p.waitForPosted('rendered', renders + 1);
        const at = Object.fromEntries((await nodes(p)).map((n) => [n.stage, n]));
        assert.equal(at['unit-tests']!.stroke, rgb(LIGHT['--vscode-testing-iconPassed']));
        assert.equal(at.drift!.stroke, rgb(LIGHT['--vscode-testing-iconFailed']));
        assert.equal(at.evaluate!.stroke, rgb('#0078d4'), 'the focused node wears the focus border (--vscode-focusBorder)');
        assert.equal(await p.page.evaluate(() => getComputedStyle(document.querySelector('g.node[data-stage="evaluate"] rect.bar')!).fill), rgb(LIGHT['--vscode-list-warningForeground']));
        assert.equal(at.train!.stroke, rgb(LIGHT['--vscode-progressBar-background']));
        assert.equal(await p.page.evaluate(() => (document.activeElement as SVGGElement | null)?.dataset.stage), 'evaluate');
        assert.equal(await p.page.evaluate(() => getComputedStyle(document.querySelector('g.node text.name')!).fill), rgb(LIGHT['--vscode-foreground']));
        await shot(p.page, 'dag-light');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'the graph follows a run: new statuses recolour the nodes in place (focus kept), and a reload shows the last graph before the extension answers',
    async run({ browser }) {
      const p = await openPanel(browser);
      try {
        await sendGraph(p, examplePayload(RUNNING));
        await p.page.locator('g.node[data-stage="train"]').focus();
        await sendGraph(p, examplePayload({ ...RUNNING, train: 'passed', evaluate: 'running' }));
        const at = Object.fromEntries((await nodes(p)).map((n) => [n.stage, n]));
        assert.equal(at.train!.status, 'passed');
        assert.equal(at.evaluate!.status, 'running');
        assert.equal(await p.page.evaluate(() => (document.activeElement as SVGGElement | null)?.dataset.stage), 'train');
        assert.equal(await p.page.locator('svg.dag path.edge.to-running').count(), 1, 'the edge into the running stage is marked');
        await p.page.reload();
        await p.page.waitForSelector('svg.dag g.node[data-stage="evaluate"][data-status="running"]');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'a pipeline with errors or no stages says so instead of an empty picture',
    async run({ browser }) {
      const p = await openPanel(browser);
      try {
        const text = 'version: 1\nstages:\n  a: { kind: test, run: echo, needs: [b] }\n  b: { kind: test, run: echo, needs: [a] }\n';
        const result = validatePipeline({ file: 'cycle.mlci.yaml', text, root: EXAMPLE, files: nodeFiles });
        const payload = dagPayloadOf(result, { file: 'cycle.mlci.yaml', path: '/tmp/cycle.mlci.yaml', canRun: true, statusText: () => undefined });
        assert.equal(payload.canRun, false, 'nothing runs from a pipeline with errors');
        await sendGraph(p, payload);
        assert.match((await p.page.locator('.report-error').textContent())!, /^cycle\.mlci\.yaml has \d+ errors? \(see Problems\)/);
        assert.equal(await p.page.locator('svg.dag g.node').count(), 2, 'a cycle still draws its stages');
        await sendGraph(p, { file: 'empty.mlci.yaml', path: '/tmp/empty.mlci.yaml', canRun: true, nodes: [] });
        assert.equal(await p.page.locator('.empty').textContent(), 'No stages yet: add one under stages: in the pipeline file.');
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
  {
    name: 'a 300-stage pipeline (30 layers of 10, each stage needing two of the layer above) draws every node and edge, and stays keyboard-navigable',
    async run({ browser, note }) {
      const nodes: DagPayload['nodes'] = [];
      for (let l = 0; l < 30; l++) {
        for (let i = 0; i < 10; i++) {
          const needs = l === 0 ? [] : [`s${l - 1}-${i}`, `s${l - 1}-${(i + 3) % 10}`];
          nodes.push({ name: `s${l}-${i}`, kind: 'custom', layer: l, needs, status: (['passed', 'stale', 'never'] as const)[(l + i) % 3]!, statusText: 'x', line: 1 + nodes.length });
        }
      }
      const p = await openPanel(browser);
      try {
        const rendered = await sendGraph(p, { file: 'big.mlci.yaml', path: '/tmp/big.mlci.yaml', canRun: false, nodes });
        assert.deepEqual({ nodes: rendered.nodes, edges: rendered.edges }, { nodes: 300, edges: 580 });
        assert.equal(await p.page.locator('svg.dag g.node').count(), 300);
        assert.equal(await p.page.locator('svg.dag path.edge').count(), 580);
        await p.page.locator('g.node[data-stage="s0-0"]').focus();
        await p.page.keyboard.press('ArrowDown');
        assert.match((await p.page.evaluate(() => (document.activeElement as SVGGElement | null)?.dataset.stage))!, /^s1-/);
        note(`300 stages, 580 edges rendered in ${rendered.ms.toFixed(0)} ms in the page`);
        await p.assertClean();
      } finally {
        await p.page.close();
      }
    },
  },
];
