/**
 * The pipeline graph webview: the stages as an SVG graph in layers, each
 * node coloured by status from the theme (media/dag.css reads the
 * --vscode-* variables, so a theme change recolours it at once), an edge per
 * `needs`. Click a node, or Enter/Space on it, to reveal the stage in the
 * pipeline file; arrow keys move between stages; the bar under the graph
 * says what the focused stage is and runs it. Says 'ready' first; renders
 * each 'graph' message (they come again as a run goes). Every string from
 * the pipeline is set as text (textContent), never parsed as markup.
 */
import type { DagPanelFromWebview, DagPanelNode, DagPanelState, DagPanelToWebview, DagPayload } from '../../src/protocol/dag-panel';
import { clear, el } from '../shared/dom';
import { loadSiblingCss, onThemeChange } from '../shared/theme';
import { vscodeApi } from '../shared/vscode-api';
import type { Layout } from './layout';
import { DEFAULT_LAYOUT, layoutDag } from './layout';

const SVG = 'http://www.w3.org/2000/svg';
const vscode = vscodeApi<DagPanelFromWebview, DagPanelState>();
const root = document.getElementById('root')!;
const post = (m: DagPanelFromWebview) => vscode.postMessage(m);

let state: DagPanelState = vscode.getState() ?? {};
let payload: DagPayload | undefined;
let layout: Layout | undefined;
let details: HTMLElement | undefined;

const STATUS_WORD: Record<DagPanelNode['status'], string> = {
  passed: 'passed', failed: 'failed', stale: 'stale', running: 'running', skipped: 'not run', never: 'never run',
};

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function save(): void {
  vscode.setState(state);
}

/** Text width in the panel's font (canvas measureText: no layout pass). */
function measurer(): (text: string, bold?: boolean) => number {
  const ctx = document.createElement('canvas').getContext('2d');
  const style = getComputedStyle(document.body);
  const font = `${style.fontSize || '13px'} ${style.fontFamily || 'sans-serif'}`;
  return (text, bold = false) => {
    if (!ctx) return text.length * 7.5;
    ctx.font = `${bold ? '600 ' : ''}${font}`;
    return ctx.measureText(text).width;
  };
}

/** At most `max` pixels of text: cut with an ellipsis (the full name is in the node's title and label). */
function fit(text: string, max: number, width: (t: string) => number): string {
  if (width(text) <= max) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (width(`${text.slice(0, mid)}…`) <= max) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}

function nodeLabel(n: DagPanelNode, file: string): string {
  const needs = n.needs.length ? ` Needs ${n.needs.join(', ')}.` : '';
  return `${n.name}, ${n.kind} stage, ${n.statusText}.${needs} Line ${n.line} of ${file}: press Enter to reveal.`;
}

function focusStage(name: string | undefined): void {
  if (name === undefined) return;
  root.querySelector<SVGGElement>(`g.node[data-stage="${CSS.escape(name)}"]`)?.focus();
}

/** Arrow keys: left/right along the row, up to a stage it needs, down to a stage that needs it (nearest first). */
function neighbour(name: string, key: string): string | undefined {
  if (!layout || !payload) return undefined;
  const box = layout.nodes.get(name);
  if (!box) return undefined;
  const row = layout.rows[box.row]!;
  if (key === 'ArrowLeft') return row[box.column - 1];
  if (key === 'ArrowRight') return row[box.column + 1];
  if (key === 'Home') return layout.rows[0]?.[0];
  if (key === 'End') return layout.rows.at(-1)?.at(-1);
  const targetRow = key === 'ArrowUp' ? box.row - 1 : key === 'ArrowDown' ? box.row + 1 : -1;
  const candidates = layout.rows[targetRow];
  if (!candidates?.length) return undefined;
  const linked = key === 'ArrowUp'
    ? payload.nodes.find((n) => n.name === name)!.needs
    : payload.nodes.filter((n) => n.needs.includes(name)).map((n) => n.name);
  const pool = candidates.filter((c) => linked.includes(c));
  const cx = box.x + box.width / 2;
  const byDistance = (a: string, b: string) => Math.abs(layout!.nodes.get(a)!.x - cx) - Math.abs(layout!.nodes.get(b)!.x - cx);
  return [...(pool.length ? pool : candidates)].sort(byDistance)[0];
}

function reveal(n: DagPanelNode): void {
  post({ type: 'reveal', payload: { stage: n.name, line: n.line } });
}

function showDetails(n: DagPanelNode | undefined): void {
  if (!details || !payload) return;
  clear(details);
  if (!n) {
    details.append(el('span', { class: 'muted', text: 'Click a stage to show it in the pipeline file; Tab and the arrow keys move between stages.' }));
    return;
  }
  const revealButton = el('button', { class: 'action', text: `Reveal in ${payload.file.split('/').pop() ?? 'pipeline file'}`, attrs: { type: 'button', 'data-action': 'reveal' } });
  revealButton.addEventListener('click', () => reveal(n));
  const parts: (Node | string)[] = [
    el('strong', { text: n.name }),
    ` ${n.kind} · `,
    el('span', { class: `status-text status-${n.status}`, text: n.statusText }),
    n.needs.length ? ` · needs ${n.needs.join(', ')}` : '',
    ` · line ${n.line} `,
    revealButton,
  ];
  if (payload.canRun) {
    const run = el('button', { class: 'action', text: 'Run stage', attrs: { type: 'button', 'data-action': 'run', title: 'Run this stage (what it needs runs if stale)' } });
    run.addEventListener('click', () => post({ type: 'run', payload: { stage: n.name } }));
    parts.push(' ', run);
  }
  details.append(...parts);
}

function legend(): HTMLElement {
  return el('ul', { class: 'dag-legend', attrs: { 'aria-label': 'Status colours' } }, (Object.keys(STATUS_WORD) as DagPanelNode['status'][]).map((s) =>
    el('li', { class: `status-${s}` }, [el('span', { class: 'swatch', attrs: { 'aria-hidden': 'true' } }), STATUS_WORD[s]])));
}

function drawGraph(next: DagPayload): SVGSVGElement {
  const width = measurer();
  const o = DEFAULT_LAYOUT;
  // One width for every node: the longest name (or status), clamped, so rows line up.
  const textMax = Math.max(0, ...next.nodes.map((n) => Math.max(width(n.name, true), width(`${n.kind} · ${n.statusText}`))));
  const nodeWidth = Math.min(260, Math.max(o.nodeWidth, Math.ceil(textMax) + 24));
  layout = layoutDag(next.nodes, { ...o, nodeWidth });
  const graph = svg('svg', { class: 'dag', width: layout.width, height: layout.height, viewBox: `0 0 ${layout.width} ${layout.height}`, role: 'group', 'aria-label': `Stages of ${next.file}` });
  const defs = svg('defs');
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' }));
  defs.append(marker);
  graph.append(defs);
  const status = new Map(next.nodes.map((n) => [n.name, n.status]));
  const edges = svg('g', { class: 'edges', 'aria-hidden': 'true' });
  for (const e of layout.edges) {
    const path = svg('path', { d: e.d, class: `edge from-${status.get(e.from)} to-${status.get(e.to)}`, 'marker-end': 'url(#arrow)' });
    path.dataset.from = e.from;
    path.dataset.to = e.to;
    edges.append(path);
  }
  graph.append(edges);
  const textWidth = nodeWidth - 20;
  for (const n of next.nodes) {
    const box = layout.nodes.get(n.name)!;
    const g = svg('g', { class: `node status-${n.status}`, tabindex: 0, role: 'button', transform: `translate(${box.x} ${box.y})`, 'aria-label': nodeLabel(n, next.file) });
    g.dataset.stage = n.name;
    g.dataset.line = String(n.line);
    g.dataset.status = n.status;
    g.append(
      svg('title', {}, `${n.name} (${n.kind}): ${n.statusText}`),
      svg('rect', { width: box.width, height: box.height, rx: 6, ry: 6, class: 'box' }),
      svg('rect', { width: 5, height: box.height, rx: 2, class: 'bar' }),
      svg('text', { x: 14, y: 20, class: 'name' }, fit(n.name, textWidth, (t) => width(t, true))),
      svg('text', { x: 14, y: 38, class: 'meta' }, fit(`${n.kind} · ${n.statusText}`, textWidth, width)),
    );
    g.addEventListener('click', () => reveal(n));
    g.addEventListener('focus', () => {
      state = { ...state, focused: n.name };
      save();
      showDetails(n);
    });
    g.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        reveal(n);
        return;
      }
      const to = neighbour(n.name, ev.key);
      if (to !== undefined) {
        ev.preventDefault();
        focusStage(to);
      }
    });
    graph.append(g);
  }
  return graph;
}

function render(next: DagPayload): void {
  const t0 = performance.now();
  const hadFocus = root.contains(document.activeElement) && document.activeElement !== document.body ? state.focused : undefined;
  payload = next;
  clear(root);
  const counts = new Map<string, number>();
  for (const n of next.nodes) counts.set(n.status, (counts.get(n.status) ?? 0) + 1);
  const summary = [...counts].map(([s, c]) => `${c} ${STATUS_WORD[s as DagPanelNode['status']]}`).join(', ');
  root.append(
    el('h1', { text: next.name ? `${next.name}` : 'Pipeline graph' }),
    el('p', { class: 'dag-summary', attrs: { role: 'status', 'data-testid': 'summary' }, text: `${next.file}: ${next.nodes.length} stage${next.nodes.length === 1 ? '' : 's'}${summary ? ` (${summary})` : ''}` }),
  );
  if (next.note) root.append(el('p', { class: 'report-error', text: next.note }));
  let edgeCount = 0;
  if (next.nodes.length === 0) {
    root.append(el('p', { class: 'empty', text: 'No stages yet: add one under stages: in the pipeline file.' }));
  } else {
    const graph = drawGraph(next);
    edgeCount = layout!.edges.length;
    details = el('div', { class: 'dag-details', attrs: { 'aria-live': 'polite', 'data-testid': 'details' } });
    root.append(el('div', { class: 'dag-scroll' }, [graph]), legend(), details);
    const focused = next.nodes.find((n) => n.name === state.focused);
    showDetails(focused);
    if (hadFocus) focusStage(hadFocus);
  }
  post({ type: 'rendered', payload: { nodes: next.nodes.length, edges: edgeCount, ms: performance.now() - t0 } });
}

window.addEventListener('message', (event: MessageEvent<DagPanelToWebview>) => {
  const message = event.data;
  if (message?.type !== 'graph') return;
  state = { ...state, path: message.payload.path, last: message.payload };
  save();
  render(message.payload);
});

// Fonts may change with the theme (colours follow by themselves, from CSS): measure again.
onThemeChange(() => {
  if (payload) render(payload);
});

loadSiblingCss('dag.css');
const loading = root.querySelector('.loading');
if (loading) loading.textContent = 'Loading the pipeline graph…';
post({ type: 'ready' });
if (state.last) render(state.last);
