/**
 * The drift report webview. Says 'ready' first (the extension posts the
 * report only then, so nothing is lost while the script loads), renders on
 * 'report', and keeps the sort and the selected column in vscode state so a
 * reload or a revived panel comes back as the user left it.
 */
import type { Chart } from 'chart.js';
import type {
  DriftPanelError, DriftPanelFromWebview, DriftPanelSortKey, DriftPanelState, DriftPanelToWebview,
} from '../../src/protocol/drift-panel';
import { clear, el } from '../shared/dom';
import { onThemeChange, readTheme } from '../shared/theme';
import { decodeNonFinite, encodeNonFinite, vscodeApi } from '../shared/vscode-api';
import { drawChart, renderChartCard } from './charts';
import { renderSummary } from './summary';
import { renderTable, sortColumns } from './table';

type Payload = Extract<DriftPanelToWebview, { type: 'report' }>['payload'];

const NUMERIC_KEYS = new Set(['statistic', 'pvalue', 'distance', 'threshold', 'share', 'driftedShare']);
const vscode = vscodeApi<DriftPanelFromWebview, DriftPanelState>();
const root = document.getElementById('root')!;

const saved = vscode.getState();
let state: DriftPanelState = saved ? decodeNonFinite(saved, NUMERIC_KEYS) : { sort: { key: 'name', dir: 'asc' } };
let charts: Chart<'bar'>[] = [];

function save(): void {
  vscode.setState(encodeNonFinite(state));
}

/** Why no report is shown: the file and what is wrong with it, in place of the report. */
function renderError(error: DriftPanelError): void {
  for (const c of charts) c.destroy();
  charts = [];
  clear(root);
  root.append(el('section', { class: 'report-error', attrs: { role: 'alert', 'data-testid': 'report-error' } }, [
    el('h1', { text: error.title }),
    el('p', { text: `Cannot show the drift report ${error.file}:` }),
    el('p', { class: 'message', text: error.message }),
  ]));
}

/**
 * Draws a report; a report the extension let through but this page cannot
 * draw (a bug on either side) shows what failed instead of staying on
 * "Loading".
 */
function render(payload: Payload): void {
  try {
    draw(payload);
  } catch (e) {
    renderError({ title: payload.title, file: payload.source ?? 'in this panel', message: e instanceof Error ? e.message : String(e) });
  }
}

function draw(payload: Payload): void {
  const t0 = performance.now();
  for (const c of charts) c.destroy();
  charts = [];
  clear(root);
  const { report } = payload;
  if (state.selected && !report.columns.some((c) => c.name === state.selected)) state.selected = undefined;

  const openFile = (path: string) => vscode.postMessage({ type: 'openFile', payload: { path } });
  root.append(renderSummary(report, payload.title, openFile));
  if (report.columns.length === 0) {
    root.append(el('p', { class: 'empty', text: 'No column was tested.' }));
    return;
  }
  // The wrapper scrolls sideways in a narrow editor column instead of squeezing the table.
  root.append(el('div', { class: 'table-wrap' }, [renderTable(report.columns, state.sort, state.selected, { onSort: sortBy, onSelect: select })]));

  const theme = readTheme();
  const grid = el('section', { class: 'charts', attrs: { 'aria-label': 'Distributions' } });
  root.append(grid);
  // Charts follow the table's order so the two read alike.
  for (const c of sortColumns(report.columns, state.sort)) {
    const card = renderChartCard(c, c.name === state.selected);
    grid.append(card);
    charts.push(drawChart(card, c, theme));
  }
  if (state.selected) grid.querySelector<HTMLElement>(`.card.selected`)?.scrollIntoView({ block: 'nearest' });
  const ms = performance.now() - t0;
  vscode.postMessage({ type: 'rendered', payload: { columns: report.columns.length, ms } });
}

function sortBy(key: DriftPanelSortKey): void {
  // A second click on the same header reverses the order.
  const dir = state.sort.key === key && state.sort.dir === 'asc' ? 'desc' : 'asc';
  state = { ...state, sort: { key, dir } };
  save();
  if (state.last) {
    render(state.last);
    root.querySelector<HTMLButtonElement>(`th button[data-key="${key}"]`)?.focus();
  }
}

function select(name: string): void {
  state = { ...state, selected: name };
  save();
  // Only the highlight changes: no need to redraw every chart.
  for (const node of Array.from(root.querySelectorAll<HTMLElement>('[data-column]'))) {
    const on = node.dataset.column === name;
    node.classList.toggle('selected', on);
    // aria-current, not aria-selected: a plain table has no selection semantics.
    if (node.tagName === 'TR') {
      if (on) node.setAttribute('aria-current', 'true');
      else node.removeAttribute('aria-current');
    }
  }
  const card = Array.from(root.querySelectorAll<HTMLElement>('.card')).find((c) => c.dataset.column === name);
  card?.scrollIntoView({ block: 'nearest' });
  card?.focus({ preventScroll: true });
}

window.addEventListener('message', (event: MessageEvent<DriftPanelToWebview>) => {
  const message = event.data;
  if (message?.type === 'error') {
    // A reload must not bring back the report this error replaced.
    state = { ...state, last: undefined };
    save();
    renderError(message.payload);
    return;
  }
  if (message?.type !== 'report') return;
  state = { ...state, last: message.payload };
  save();
  render(message.payload);
});

onThemeChange(() => {
  if (state.last) render(state.last);
});

vscode.postMessage({ type: 'ready' });
// A restored panel shows its last report at once; the extension's answer to 'ready' replaces it.
if (state.last) render(state.last);
