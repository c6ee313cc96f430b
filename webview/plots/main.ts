/**
 * The Plots webview: the pipeline's plots (declared `plots:` and each
 * stage's metric history) for one run or several, one card per plot. Line
 * charts of several runs are overlaid in one chart or drawn side by side
 * (the layout is saved); confusion matrices are heat maps with counts,
 * images a grid, one per run. Cards are built for every plot, charts only
 * for the cards in view (IntersectionObserver) and dropped again far out of
 * view, so 200 plots x 20 runs open as fast as a few. 'live' messages grow
 * a running stage's history plot. Every string from the data goes through
 * textContent (shared/dom.ts) or is drawn on a canvas.
 */
import type { Chart } from 'chart.js';
import type { PlotData, PlotsLayout, PlotsLive, PlotsPanelFromWebview, PlotsPanelState, PlotsPanelToWebview, PlotsPayload } from '../../src/protocol/plots-panel';
import { clear, el } from '../shared/dom';
import { loadSiblingCss, onThemeChange, readTheme } from '../shared/theme';
import { vscodeApi } from '../shared/vscode-api';
import type { PlotsTheme } from './charts';
import { barChart, plotsPalette, xyChart } from './charts';
import { confusionTable, drawConfusion } from './heatmap';
import type { Aligned } from './model';
import { alignRuns, matches, plotCsv, restoreState, savedPayload } from './model';

const vscode = vscodeApi<PlotsPanelFromWebview, PlotsPanelState>();
const root = document.getElementById('root')!;
const post = (m: PlotsPanelFromWebview) => vscode.postMessage(m);

let state = restoreState(vscode.getState());
let payload: PlotsPayload | undefined;
let theme: PlotsTheme;
let grid: HTMLElement | undefined;
let summary: HTMLElement | undefined;
let observer: IntersectionObserver | undefined;
let saveTimer: ReturnType<typeof setTimeout> | undefined;
/** The charts drawn right now (the bench and tests read it). */
let liveCharts = 0;

type XY = Extract<PlotData, { kind: 'xy' }>;
type Bar = Extract<PlotData, { kind: 'bar' }>;
type Confusion = Extract<PlotData, { kind: 'confusion' }>;
type Image = Extract<PlotData, { kind: 'image' }>;

/** A place in a card something is drawn into when the card comes into view. */
type Slot =
  | { kind: 'xy'; box: HTMLElement; parts: Array<{ run: string; plot: XY }> }
  | { kind: 'bar'; box: HTMLElement; parts: Array<{ run: string; plot: Bar }> }
  | { kind: 'confusion'; box: HTMLElement; run: string; plot: Confusion }
  | { kind: 'image'; box: HTMLElement; run: string; plot: Image };

interface CardView {
  aligned: Aligned;
  element: HTMLElement;
  slots: Slot[];
  charts: Chart[];
  drawn: boolean;
}

const cards = new Map<string, CardView>();

/** The payload changed since it was last saved (encoded in the next save, after the charts are drawn). */
let payloadChanged = false;

function save(now = false): void {
  if (saveTimer) clearTimeout(saveTimer);
  const write = () => {
    if (payloadChanged && payload) state = { ...state, last: savedPayload(payload) };
    payloadChanged = false;
    vscode.setState({ ...state, scrollTop: document.scrollingElement?.scrollTop ?? 0 });
  };
  if (now) write();
  else saveTimer = setTimeout(write, 200);
}

function runIndex(label: string): number {
  return payload ? Math.max(0, payload.runs.findIndex((r) => r.label === label)) : 0;
}

function cell(run: string | undefined, box: HTMLElement, extra?: string): HTMLElement {
  const children: HTMLElement[] = [];
  if (run !== undefined) children.push(el('div', { class: 'cell-label', text: run, attrs: { title: run } }));
  children.push(box);
  return el('div', { class: `cell${extra ? ` ${extra}` : ''}`, attrs: run !== undefined ? { 'data-run': run } : {} }, children);
}

function chartBox(id: string, run?: string): HTMLElement {
  return el('div', { class: 'plot', attrs: { 'data-chart': id, ...(run !== undefined ? { 'data-run': run } : {}) } });
}

/** The card of one plot: caption, actions, a cell per run (or one for the overlaid runs), notes and errors. */
function buildCard(a: Aligned): CardView {
  const runs = payload!.runs;
  const multi = runs.length > 1;
  const present = a.byRun.flatMap((p, i) => (p ? [{ p, run: runs[i]!.label }] : []));
  const slots: Slot[] = [];
  const cells: HTMLElement[] = [];
  const messages: HTMLElement[] = [];
  const layout: PlotsLayout = state.layout;
  for (const kind of ['xy', 'bar'] as const) {
    const parts = present.filter((x) => x.p.kind === kind).map((x) => ({ run: x.run, plot: x.p }));
    if (!parts.length) continue;
    const groups = layout === 'overlay' || !multi ? [parts] : parts.map((x) => [x]);
    for (const g of groups) {
      const box = chartBox(a.id, groups.length > 1 ? g[0]!.run : undefined);
      slots.push({ kind, box, parts: g } as Slot);
      cells.push(cell(groups.length > 1 ? g[0]!.run : undefined, box, groups.length === 1 ? 'wide' : undefined));
    }
  }
  for (const { p, run } of present) {
    if (p.kind === 'confusion' || p.kind === 'image') {
      const box = el('div', { class: p.kind === 'image' ? 'image-box' : 'matrix-box', attrs: { 'data-run': run } });
      slots.push({ kind: p.kind, box, run, plot: p } as Slot);
      cells.push(cell(multi ? run : undefined, box));
    }
    if (p.kind === 'error') messages.push(el('p', { class: 'plot-error', text: multi ? `${run}: ${p.error}` : p.error, attrs: { role: 'alert' } }));
    for (const n of p.notes) messages.push(el('p', { class: 'note', text: multi ? `${run}: ${n}` : n }));
  }
  a.byRun.forEach((p, i) => {
    if (!p) messages.push(el('p', { class: 'note', text: `${runs[i]!.label} has no plot ${a.path}${a.stage ? ` in ${a.stage}` : ''}` }));
  });
  const png = el('button', { class: 'action', text: 'Export PNG', attrs: { type: 'button', 'data-export': 'png', title: `Save ${a.title} as a PNG image` } });
  const data = el('button', { class: 'action', text: 'Export data', attrs: { type: 'button', 'data-export': 'data', title: `Save the data behind ${a.title} as CSV` } });
  // Several runs side by side take the whole row.
  const element = el('figure', { class: `card plot-card${cells.length > 1 ? ' span' : ''}`, attrs: { 'data-plot': a.id, 'aria-label': a.title } }, [
    el('figcaption', {}, [el('span', { class: 'name', text: a.title }), el('span', { class: 'meta', text: ` ${[a.stage, a.path].filter(Boolean).join(' · ')}` })]),
    el('div', { class: 'chart-controls' }, [png, data]),
    el('div', { class: `cells${cells.length > 1 ? ' side' : ''}` }, cells),
    ...messages,
  ]);
  const view: CardView = { aligned: a, element, slots, charts: [], drawn: false };
  png.addEventListener('click', () => exportPng(view));
  data.addEventListener('click', () => post({ type: 'exportData', payload: { csv: plotCsv(a, payload!.runs), name: a.title } }));
  return view;
}

function draw(view: CardView): void {
  if (view.drawn) return;
  view.drawn = true;
  for (const slot of view.slots) {
    if (slot.kind === 'xy' || slot.kind === 'bar') {
      const canvas = el('canvas', { attrs: { role: 'img', 'aria-label': view.aligned.title } });
      slot.box.append(canvas);
      const chart = slot.kind === 'xy' ? xyChart(canvas, slot.parts, theme, runIndex) : barChart(canvas, slot.parts, theme, runIndex);
      canvas.dataset.points = String(slot.kind === 'xy' ? slot.parts.reduce((n, x) => n + x.plot.series.reduce((m, s) => m + s.points.length, 0), 0) : 0);
      view.charts.push(chart);
      liveCharts++;
    } else if (slot.kind === 'confusion') {
      slot.box.append(confusionTable(slot.plot, theme.reference));
    } else {
      slot.box.append(el('img', { attrs: { src: `data:${slot.plot.mime};base64,${slot.plot.data}`, alt: `${slot.plot.title} (${slot.run})`, loading: 'lazy' } }));
    }
  }
}

function undraw(view: CardView): void {
  if (!view.drawn) return;
  view.drawn = false;
  for (const c of view.charts) c.destroy();
  liveCharts -= view.charts.length;
  view.charts = [];
  for (const slot of view.slots) clear(slot.box);
}

function exportPng(view: CardView): void {
  draw(view);
  const slots = view.slots;
  const only = slots.length === 1 ? slots[0]! : undefined;
  const name = view.aligned.title;
  const canvasOf = (s: Slot) => s.box.querySelector('canvas');
  if (only && (only.kind === 'xy' || only.kind === 'bar')) {
    post({ type: 'exportPng', payload: { dataUrl: canvasOf(only)!.toDataURL('image/png'), name } });
    return;
  }
  // Several cells (runs side by side, heat maps, images): one picture, a cell per run.
  const W = 480;
  const H = 340;
  const cols = Math.min(slots.length, 3);
  const rows = Math.ceil(slots.length / cols) || 1;
  const out = document.createElement('canvas');
  out.width = cols * W;
  out.height = rows * H;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = getComputedStyle(document.body).backgroundColor || '#1f1f1f';
  ctx.fillRect(0, 0, out.width, out.height);
  const font = `${Math.max(10, theme.fontSize - 1)}px ${theme.fontFamily}`;
  slots.forEach((s, i) => {
    const x = (i % cols) * W;
    const y = Math.floor(i / cols) * H;
    ctx.fillStyle = theme.foreground;
    ctx.font = font;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    const label = 'run' in s ? s.run : s.parts.map((p) => p.run).join(', ');
    ctx.fillText(label.slice(0, 60), x + 8, y + 6);
    if (s.kind === 'confusion') drawConfusion(ctx, s.plot, x + 8, y + 24, W - 16, H - 32, theme.reference, theme.foreground, font);
    else if (s.kind === 'image') {
      const img = s.box.querySelector('img');
      if (img?.complete && img.naturalWidth) {
        const k = Math.min((W - 16) / img.naturalWidth, (H - 32) / img.naturalHeight, 1);
        ctx.drawImage(img, x + 8, y + 24, img.naturalWidth * k, img.naturalHeight * k);
      }
    } else {
      const c = canvasOf(s);
      if (c) ctx.drawImage(c, x + 8, y + 24, W - 16, H - 32);
    }
  });
  post({ type: 'exportPng', payload: { dataUrl: out.toDataURL('image/png'), name } });
}

function updateSummary(): void {
  if (!summary || !payload) return;
  const shown = [...cards.values()].length;
  const total = alignRuns(payload.runs).length;
  const live = payload.runs.find((r) => r.live);
  summary.textContent = `${shown === total ? `${total} plot${total === 1 ? '' : 's'}` : `${shown} of ${total} plots`} · ${payload.runs.length} run${payload.runs.length === 1 ? '' : 's'}${live ? ` · ${live.label} is running: its history grows as it logs` : ''}`;
}

function toolbar(): HTMLElement {
  const overlay = el('input', { attrs: { type: 'checkbox', id: 'overlay', 'data-testid': 'overlay' } });
  overlay.checked = state.layout === 'overlay';
  overlay.addEventListener('change', () => {
    state = { ...state, layout: overlay.checked ? 'overlay' : 'side' };
    save(true);
    buildCards();
  });
  const filter = el('input', { attrs: { type: 'search', placeholder: 'Filter plots (title, path, stage)', 'aria-label': 'Filter plots', 'data-testid': 'filter' } });
  filter.value = state.filter;
  filter.addEventListener('input', () => {
    state = { ...state, filter: filter.value };
    save();
    buildCards();
  });
  return el('div', { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Plots' } }, [
    el('label', { class: 'toggle', attrs: { title: 'Line and bar charts of several runs in one chart (else one chart per run, side by side)' } }, [overlay, ' Overlay runs']),
    filter,
  ]);
}

/** (Re)builds every card and draws those in view now; the others draw when scrolled to. */
function buildCards(): number {
  observer?.disconnect();
  for (const v of cards.values()) undraw(v);
  cards.clear();
  clear(grid!);
  const aligned = alignRuns(payload!.runs).filter((a) => matches(a, state.filter));
  for (const a of aligned) {
    const v = buildCard(a);
    cards.set(a.id, v);
    grid!.append(v.element);
  }
  if (aligned.length === 0) grid!.append(el('p', { class: 'empty', text: payload!.runs.length === 0 ? 'No runs to show.' : state.filter ? 'No plot matches the filter.' : 'These runs kept no plots and no metric history: declare plots: on a stage (docs/pipeline-file.md), or a history: file.' }));
  // Cards in the first screen now, synchronously: the first render is complete when it is posted.
  const bottom = window.innerHeight + 200;
  for (const v of cards.values()) {
    const top = v.element.getBoundingClientRect().top;
    if (top > bottom) break;
    draw(v);
  }
  observer = new IntersectionObserver((entries) => {
    for (const e of entries) {
      const v = cards.get((e.target as HTMLElement).dataset.plot ?? '');
      if (!v) continue;
      if (e.isIntersecting) draw(v);
      else undraw(v);
    }
  }, { rootMargin: '600px 0px' });
  for (const v of cards.values()) observer.observe(v.element);
  updateSummary();
  return liveCharts;
}

function render(next: PlotsPayload): void {
  const t0 = performance.now();
  payload = next;
  theme = { ...readTheme(), palette: [] };
  theme.palette = plotsPalette(theme);
  observer?.disconnect();
  for (const v of cards.values()) undraw(v);
  cards.clear();
  clear(root);
  summary = el('p', { class: 'plots-summary', attrs: { role: 'status', 'data-testid': 'summary' } });
  grid = el('section', { class: 'charts plot-grid', attrs: { 'aria-label': 'Plots' } });
  root.append(el('h1', { text: next.title }), summary, toolbar(), grid);
  const charts = buildCards();
  if (state.scrollTop && document.scrollingElement) document.scrollingElement.scrollTop = state.scrollTop;
  post({ type: 'rendered', payload: { plots: cards.size, runs: next.runs.length, charts, ms: performance.now() - t0 } });
}

/** A running stage logged points: grow its history plot in the live run, redraw that card if shown. */
function onLive(m: PlotsLive): void {
  if (!payload) return;
  const run = payload.runs.find((r) => r.run === m.run);
  if (!run) return;
  const plot = m.plot;
  const at = run.plots.findIndex((p) => p.id === plot.id);
  if (at >= 0) run.plots[at] = plot;
  else run.plots.push(plot);
  const view = cards.get(plot.id);
  if (!view) {
    // A new history plot (the stage's first points): the cards are rebuilt, the scroll kept.
    const top = document.scrollingElement?.scrollTop ?? 0;
    buildCards();
    if (document.scrollingElement) document.scrollingElement.scrollTop = top;
  } else {
    const a = alignRuns(payload.runs).find((x) => x.id === plot.id)!;
    const wasDrawn = view.drawn;
    undraw(view);
    const fresh = buildCard(a);
    view.element.replaceWith(fresh.element);
    observer?.unobserve(view.element);
    observer?.observe(fresh.element);
    cards.set(a.id, fresh);
    if (wasDrawn) draw(fresh);
  }
  payloadChanged = true;
  save();
  post({ type: 'liveDrawn', payload: { run: m.run, stage: m.stage, points: m.points, at: m.at } });
}

window.addEventListener('message', (event: MessageEvent<PlotsPanelToWebview>) => {
  const message = event.data;
  if (message?.type === 'plots') {
    render(message.payload);
    // Saved after the first paint: encoding a big payload must not hold up the charts.
    payloadChanged = true;
    save();
  } else if (message?.type === 'live') onLive(message.payload);
});

window.addEventListener('scroll', () => save(), { passive: true });
onThemeChange(() => {
  if (payload) render(payload);
});

loadSiblingCss('plots.css');
const loading = root.querySelector('.loading');
if (loading) loading.textContent = 'Loading plots…';
post({ type: 'ready' });
// A restored panel shows its last plots at once; the extension's answer to 'ready' replaces them.
if (state.last) render(state.last);
