/**
 * The experiment comparison webview. Says 'ready' first (the extension
 * posts the runs only then), renders on 'runs', and keeps selection, sort,
 * the differences-only toggle and the chosen chart axes in vscode state so
 * a reload comes back as the user left it. Every string from the runs goes
 * through textContent (shared/dom.ts) or is drawn on a canvas. While a run
 * goes, 'live' messages grow its row's history (the history chart always
 * draws it).
 */
import type { Chart } from 'chart.js';
import type { CompareColumnKey, CompareLive, ComparePanelFromWebview, ComparePanelState, ComparePanelToWebview, ComparePayload, CompareRun } from '../../src/protocol/compare-panel';
import { clear, el } from '../shared/dom';
import { onThemeChange } from '../shared/theme';
import { vscodeApi } from '../shared/vscode-api';
import type { CompareTheme } from './charts';
import { barChart, historyChart, MAX_BARS, MAX_LINES, scatterChart } from './charts';
import type { Column } from './model';
import { allColumns, differingColumns, runLabel, sortedOrder, toCsv } from './model';
import { importanceChart, importanceStages, MAX_RUNS as MAX_IMPORTANCE_RUNS } from './importance';
import { drawParallel } from './parallel';
import { restoreState, savedPayload } from './state';
import { readCompareTheme, loadCompareCss } from './theme';
import { VirtualTable } from './table';
import { chartCard, labelledSelect, type ChartCard } from './ui';

const vscode = vscodeApi<ComparePanelFromWebview, ComparePanelState>();
const root = document.getElementById('root')!;

let state = restoreState(vscode.getState());
let payload: ComparePayload | undefined;
let saved: ComparePayload | undefined = state.last;
let columns: Column[] = [];
let shown: Column[] = [];
let order: Int32Array = new Int32Array(0);
let selected = new Set<string>(state.selected);
let theme: CompareTheme;
/** The highest step the running run logged (from 'live' messages). */
let liveStep: number | undefined;
const charts = new Map<string, Chart>();
let table: VirtualTable | undefined;
type ChartName = 'bar' | 'history' | 'scatter' | 'parallel' | 'importance';
/** `importance` only when some run recorded importances. */
let cards: Record<Exclude<ChartName, 'importance'>, ChartCard> & { importance?: ChartCard } | undefined;
let summary: HTMLElement | undefined;
let actionButtons: HTMLButtonElement[] = [];
let saveTimer: ReturnType<typeof setTimeout> | undefined;
/** The row the keyboard last moved to (the focus may have left the table). */
let lastMoved: number | undefined;

function save(now = false): void {
  // Scrolling saves often: coalesce into one setState per 200 ms.
  if (saveTimer) clearTimeout(saveTimer);
  const write = () => vscode.setState({ ...state, selected: [...selected], last: saved });
  if (now) write();
  else saveTimer = setTimeout(write, 200);
}

const post = (m: ComparePanelFromWebview) => vscode.postMessage(m);

function runsFor(indexes: ArrayLike<number>, limit: number): CompareRun[] {
  const out: CompareRun[] = [];
  for (let i = 0; i < indexes.length && out.length < limit; i++) out.push(payload!.runs[indexes[i]!]!);
  return out;
}

/** The selected runs in table order, else the first `limit` runs of the table. */
function chartRuns(limit: number): CompareRun[] {
  if (selected.size === 0) return runsFor(order, limit);
  const picked: number[] = [];
  for (let i = 0; i < order.length && picked.length < limit; i++) if (selected.has(payload!.runs[order[i]!]!.id)) picked.push(order[i]!);
  return runsFor(picked, limit);
}

/** The running run is always among the history chart's lines (its line is why the panel is open during a run). */
function withLive(runs: CompareRun[]): CompareRun[] {
  const live = payload!.runs.find((r) => r.live);
  return !live || runs.includes(live) ? runs : [...runs.slice(0, MAX_LINES - 1), live];
}

function computeShown(): void {
  if (!state.onlyDiff) {
    shown = columns;
    return;
  }
  // Differences among the selected runs when two or more are selected, else among all runs in the table.
  const rows = selected.size >= 2 ? Array.from(order).filter((i) => selected.has(payload!.runs[i]!.id)) : order;
  shown = differingColumns(columns, payload!.runs, rows);
}

function resort(): void {
  const column = columns.find((c) => c.key === state.sort.key) ?? columns[0];
  order = sortedOrder(payload!.runs, column, state.sort.dir);
}

function metricKeys(): string[] {
  return columns.filter((c) => c.kind === 'metric').map((c) => c.field!);
}

function numericParams(): string[] {
  return columns.filter((c) => c.kind === 'param' && c.numeric).map((c) => c.field!);
}

function historyKeys(): { stages: string[]; series: (stage: string) => string[] } {
  const stages = new Set<string>();
  // The first runs are enough to list stages and series; all runs of a pipeline share them. The running run may log new ones.
  const sample = payload!.runs.slice(0, 50);
  const live = payload!.runs.find((r) => r.live);
  if (live && !sample.includes(live)) sample.push(live);
  for (const r of sample) for (const s of Object.keys(r.history ?? {})) stages.add(s);
  const series = (stage: string) => {
    const keys = new Set<string>();
    for (const r of sample) for (const row of (r.history?.[stage] ?? []).slice(0, 5)) for (const k of Object.keys(row)) if (k !== 'step') keys.add(k);
    return [...keys].sort();
  };
  return { stages: [...stages].sort(), series };
}

function pick(value: string | undefined, options: string[]): string | undefined {
  return value !== undefined && options.includes(value) ? value : options[0];
}

function drawChart(name: ChartName): void {
  if (!payload || !cards) return;
  charts.get(name)?.destroy();
  charts.delete(name);
  const card = cards[name];
  if (!card) return;
  const canvas = card.canvas;
  if (name === 'parallel') {
    drawParallel(canvas, payload.runs, order, shown, selected, theme);
    return;
  }
  let chart: Chart | undefined;
  if (name === 'bar' && state.barMetric) chart = barChart(canvas, chartRuns(MAX_BARS), state.barMetric, payload.baselineId, theme, state.barFromZero === true);
  if (name === 'history' && state.historyStage && state.historySeries) chart = historyChart(canvas, withLive(chartRuns(MAX_LINES)), state.historyStage, state.historySeries, theme);
  if (name === 'importance' && state.importanceStage) chart = importanceChart(canvas, chartRuns(MAX_IMPORTANCE_RUNS), state.importanceStage, theme);
  if (name === 'scatter' && state.scatterX && state.scatterY) chart = scatterChart(canvas, Array.from(order, (i) => payload!.runs[i]!), selected, state.scatterX, state.scatterY, theme);
  card.empty.hidden = chart !== undefined;
  if (chart) {
    charts.set(name, chart);
    // The value axis chart.js settled on, for tests and assistive text: the range the bars are read against.
    const y = chart.scales.y;
    if (y) {
      canvas.dataset.yMin = String(y.min);
      canvas.dataset.yMax = String(y.max);
    }
    // Each line and its length (tests and assistive text read what the history chart draws, e.g. a running run's line growing).
    if (name === 'history') canvas.dataset.lines = JSON.stringify(chart.data.datasets.map((d) => ({ label: d.label, points: d.data.length })));
  }
}

function drawCharts(): void {
  for (const name of ['bar', 'history', 'scatter', 'parallel', 'importance'] as const) drawChart(name);
}

function updateSummary(): void {
  if (!summary || !payload) return;
  const base = payload.runs.find((r) => r.id === payload!.baselineId);
  const live = payload.runs.find((r) => r.live);
  summary.textContent = `${payload.runs.length.toLocaleString('en')} runs, ${shown.length - 2} of ${columns.length - 2} params and metrics shown; baseline: ${base ? base.name ?? base.id : 'none'}; ${selected.size} selected${live ? `; ${runLabel(live)}: a run is going, its history grows as it logs${liveStep !== undefined ? ` (step ${liveStep})` : ''}` : ''}`;
  // Params cannot be applied from, nor a baseline pinned to, a run not recorded yet.
  const one = selected.size === 1 && !(live && selected.has(live.id));
  for (const b of actionButtons) b.disabled = !one;
}

function refreshTable(scrollTop?: number): void {
  table!.set({ payload: payload!, columns: shown, order, selected, sort: state.sort }, scrollTop);
}

function onSort(key: CompareColumnKey): void {
  const dir = state.sort.key === key && state.sort.dir === 'asc' ? 'desc' : 'asc';
  state = { ...state, sort: { key, dir } };
  save();
  resort();
  refreshTable();
  drawCharts();
  root.querySelector<HTMLButtonElement>(`th button[data-key="${CSS.escape(key)}"]`)?.focus();
}

function onSelect(position: number, mode: 'single' | 'toggle' | 'range'): void {
  const id = payload!.runs[order[position]!]!.id;
  if (mode === 'toggle') {
    if (selected.has(id)) selected.delete(id);
    else selected.add(id);
    state.anchor = id;
  } else if (mode === 'range' && state.anchor !== undefined) {
    const from = Array.from(order).findIndex((i) => payload!.runs[i]!.id === state.anchor);
    const [a, b] = from < 0 ? [position, position] : [Math.min(from, position), Math.max(from, position)];
    selected = new Set();
    for (let p = a; p <= b; p++) selected.add(payload!.runs[order[p]!]!.id);
  } else {
    selected = new Set([id]);
    state.anchor = id;
  }
  save();
  // Rows are rebuilt below: put the focus back on the row if it was in the table (keyboard users keep their place).
  const hadFocus = table!.element.contains(document.activeElement);
  if (state.onlyDiff) computeShown();
  refreshTable(table!.scrollTop());
  table!.reveal(position);
  if (hadFocus) table!.focusRow(position);
  updateSummary();
  drawCharts();
}

/** Keyboard selection: from the focused or last selected row, as a click (Shift: a range from the anchor). */
function onMove(delta: number | 'first' | 'last', extend: boolean): void {
  if (!payload || order.length === 0) return;
  const focused = (document.activeElement as Element | null)?.closest<HTMLElement>('tr[data-pos]');
  const anchorPos = state.anchor === undefined ? -1 : Array.from(order).findIndex((i) => payload!.runs[i]!.id === state.anchor);
  const from = focused ? Number(focused.dataset.pos) : extend ? anchorPos : lastMoved ?? anchorPos;
  const to = delta === 'first' ? 0 : delta === 'last' ? order.length - 1 : Math.min(order.length - 1, Math.max(0, from + delta));
  if (extend && state.anchor === undefined) state.anchor = payload.runs[order[Math.max(0, from)]!]!.id;
  onSelect(to, extend ? 'range' : 'single');
  lastMoved = to;
  table!.focusRow(to);
}

function selectedRun(): string | undefined {
  return selected.size === 1 ? [...selected][0] : undefined;
}

function toolbar(): HTMLElement {
  const diff = el('input', { attrs: { type: 'checkbox', id: 'only-diff' } });
  diff.checked = state.onlyDiff;
  diff.addEventListener('change', () => {
    state = { ...state, onlyDiff: diff.checked };
    save();
    computeShown();
    refreshTable(table!.scrollTop());
    updateSummary();
    drawChart('parallel');
  });
  const button = (text: string, onClick: () => void, title?: string) => {
    const b = el('button', { class: 'action', text, attrs: { type: 'button', title } });
    b.addEventListener('click', onClick);
    return b;
  };
  const apply = button('Apply params', () => {
    const runId = selectedRun();
    if (runId) post({ type: 'applyParams', payload: { runId } });
  }, "Write the selected run's params into params.yaml");
  const pin = button('Pin as baseline', () => {
    const runId = selectedRun();
    if (runId) post({ type: 'pinBaseline', payload: { runId } });
  }, 'Compare every run against the selected one');
  actionButtons = [apply, pin];
  const csv = button('Export CSV', () => post({ type: 'exportCsv', payload: { csv: toCsv(payload!, shown, order) } }), 'The table (columns shown, table order) as CSV');
  return el('div', { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Comparison actions' } }, [
    el('label', { class: 'toggle' }, [diff, ' Show differences only']),
    csv, apply, pin,
  ]);
}

function chartSection(): HTMLElement {
  const metrics = metricKeys();
  const params = numericParams();
  const hist = historyKeys();
  state.barMetric = pick(state.barMetric, metrics);
  state.historyStage = pick(state.historyStage, hist.stages);
  state.historySeries = pick(state.historySeries, state.historyStage ? hist.series(state.historyStage) : []);
  state.scatterX = pick(state.scatterX, params);
  state.scatterY = pick(state.scatterY, metrics);
  const importance = importanceStages(payload?.runs ?? []);
  state.importanceStage = pick(state.importanceStage, importance);

  const exportPng = (name: string) => () => post({ type: 'exportPng', payload: { dataUrl: cards![name as 'bar'].canvas.toDataURL('image/png'), name } });
  const onAxis = (key: 'barMetric' | 'historySeries' | 'scatterX' | 'scatterY', chart: 'bar' | 'history' | 'scatter') => (v: string) => {
    state = { ...state, [key]: v };
    save();
    drawChart(chart);
  };
  const seriesSelect = labelledSelect('Series', hist.series(state.historyStage ?? ''), state.historySeries, onAxis('historySeries', 'history'), 'history-series');
  const stageSelect = labelledSelect('Stage', hist.stages, state.historyStage, (v) => {
    const series = hist.series(v);
    state = { ...state, historyStage: v, historySeries: pick(state.historySeries, series) };
    seriesSelect.setOptions(series, state.historySeries);
    save();
    drawChart('history');
  }, 'history-stage');
  const fromZero = el('input', { attrs: { type: 'checkbox', 'data-testid': 'bar-from-zero' } });
  fromZero.checked = state.barFromZero === true;
  fromZero.addEventListener('change', () => {
    state = { ...state, barFromZero: fromZero.checked };
    save();
    drawChart('bar');
  });
  cards = {
    bar: chartCard('bar', 'Metric per run', `selected runs, else the first ${MAX_BARS} in table order; the axis spans the values unless "Axis from zero"`, [
      labelledSelect('Metric', metrics, state.barMetric, onAxis('barMetric', 'bar'), 'bar-metric').element,
      el('label', { class: 'toggle', attrs: { title: 'Start the value axis at zero (default: the range of the values, so small differences show)' } }, [fromZero, ' Axis from zero']),
    ], exportPng('bar')),
    history: chartCard('history', 'Metric history', `selected runs, else the first ${MAX_LINES}; at most 500 points per line`, [stageSelect.element, seriesSelect.element], exportPng('history')),
    scatter: chartCard('scatter', 'Param vs metric', 'every run, at most 500 points per series; selected runs highlighted', [
      labelledSelect('Param', params, state.scatterX, onAxis('scatterX', 'scatter'), 'scatter-x').element,
      labelledSelect('Metric', metrics, state.scatterY, onAxis('scatterY', 'scatter'), 'scatter-y').element,
    ], exportPng('scatter')),
    parallel: chartCard('parallel', 'Parallel coordinates', 'numeric params and metrics shown in the table; at most 1000 runs, selected runs highlighted', [], exportPng('parallel'), true),
  };
  if (importance.length > 0) {
    cards.importance = chartCard('importance', 'Feature importance', `per feature, one bar per run: selected runs, else the first ${MAX_IMPORTANCE_RUNS} with importances`, [
      labelledSelect('Stage', importance, state.importanceStage, (v) => {
        state = { ...state, importanceStage: v };
        save();
        drawChart('importance');
      }, 'importance-stage').element,
    ], exportPng('importance'), true);
  }
  return el('section', { class: 'charts compare-charts', attrs: { 'aria-label': 'Charts' } }, Object.values(cards).flatMap((c) => (c ? [c.element] : [])));
}

function render(next: ComparePayload): void {
  const t0 = performance.now();
  for (const c of charts.values()) c.destroy();
  charts.clear();
  clear(root);
  payload = next;
  theme = readCompareTheme();
  columns = allColumns(next.runs, next.goals);
  // Selection and anchor survive only for runs that are still there.
  const ids = new Set(next.runs.map((r) => r.id));
  selected = new Set([...selected].filter((id) => ids.has(id)));
  resort();
  computeShown();

  summary = el('p', { class: 'compare-summary', attrs: { role: 'status', 'data-testid': 'summary' } });
  root.append(el('h1', { text: 'Compare runs' }), summary, toolbar());
  if (next.runs.length === 0) {
    root.append(el('p', { class: 'empty', text: 'No runs to compare.' }));
  } else {
    table = new VirtualTable({ onSort, onSelect, onMove, onScroll: (top) => { state.scrollTop = top; save(); } });
    root.append(table.element, chartSection());
    // chart.js follows its canvas's size by itself; the hand-drawn parallel chart redraws when its box changes.
    new ResizeObserver(() => {
      const c = cards!.parallel.canvas;
      if (c.dataset.drawnAt !== `${c.clientWidth}x${c.clientHeight}`) drawChart('parallel');
    }).observe(cards!.parallel.canvas);
    refreshTable(state.scrollTop ?? 0);
    drawCharts();
  }
  updateSummary();
  post({ type: 'rendered', payload: { runs: next.runs.length, ms: performance.now() - t0 } });
}

/**
 * The running run logged points: its stages' rows as they are now, then
 * the history chart redrawn; a stage or series the
 * chart's choices did not list yet renders the panel again (choices kept).
 */
function onLive(m: CompareLive): void {
  const run = payload?.runs.find((r) => r.id === m.run && r.live);
  if (!payload || !run) return;
  const before = historyKeys();
  const history = (run.history ??= {});
  for (const [stage, rows] of Object.entries(m.history)) history[stage] = rows;
  if (m.step !== undefined) liveStep = m.step;
  const after = historyKeys();
  const known = (stage: string) => before.stages.includes(stage) && after.series(stage).every((k) => before.series(stage).includes(k));
  if (!cards || !Object.keys(m.history).every(known)) render(payload);
  else {
    if (state.historyStage && state.historyStage in m.history) drawChart('history');
    updateSummary();
  }
  post({ type: 'liveDrawn', payload: { run: m.run, points: m.points, at: m.at } });
}

window.addEventListener('message', (event: MessageEvent<ComparePanelToWebview>) => {
  const message = event.data;
  if (message?.type === 'live') {
    onLive(message.payload);
    return;
  }
  if (message?.type !== 'runs') return;
  liveStep = undefined;
  saved = savedPayload(message.payload);
  render(message.payload);
  save(true);
});

onThemeChange(() => {
  if (payload) render(payload);
});

loadCompareCss();
// The shared shell says "Loading the drift report…"; say what this panel waits for.
const loading = root.querySelector('.loading');
if (loading) loading.textContent = 'Loading runs…';
post({ type: 'ready' });
// A restored panel shows its last runs at once; the extension's answer to 'ready' replaces them.
if (state.last) render(state.last);
