/**
 * The virtualised run table: a fixed row height, a scroll box, and a tbody
 * holding only the rows in view (plus a small overscan) between two spacer
 * rows whose heights stand for the rows not in the DOM. With 10,000 runs
 * the DOM holds ~40 rows, and a scroll re-renders at most once per frame.
 * Headers are <button>s in <th aria-sort> (keyboard sortable); aria-rowcount
 * and aria-rowindex tell screen readers the real size.
 */
import type { CompareColumnKey, ComparePayload } from '../../src/protocol/compare-panel';
import { clear, el } from '../shared/dom';
import { formatNumber } from '../shared/format';
import type { Column } from './model';
import { cellValue, goalOf, metricDiff, runLabel } from './model';

export const ROW_HEIGHT = 26;
const OVERSCAN = 8;
/** The scroll box's height cap; fewer rows shrink it to fit. */
const MAX_HEIGHT = 420;
const HEAD_HEIGHT = 32;
/**
 * Column widths (table-layout: fixed): metric cells hold the value and the
 * delta. Run + status + two metrics fit a 900 px editor column.
 */
const WIDTH: Record<Column['kind'], number> = { name: 220, status: 90, param: 100, metric: 170 };

export interface TableView {
  payload: ComparePayload;
  columns: Column[];
  order: Int32Array;
  selected: ReadonlySet<string>;
  sort: { key: CompareColumnKey; dir: 'asc' | 'desc' };
}

export interface TableHandlers {
  onSort(key: CompareColumnKey): void;
  /** `position` is the row's index in table order (for Shift ranges). */
  onSelect(position: number, mode: 'single' | 'toggle' | 'range'): void;
  onScroll(scrollTop: number): void;
  /** Arrow keys, Home, End: move the selection by `delta` rows (Shift extends it). */
  onMove(delta: number | 'first' | 'last', extend: boolean): void;
}

function formatValue(v: unknown): string {
  if (typeof v === 'number') return formatNumber(v);
  if (v === undefined || v === null) return '—';
  return String(v);
}

function signed(d: number): string {
  return d > 0 ? `+${formatNumber(d)}` : d < 0 ? `−${formatNumber(-d)}` : '±0';
}

export class VirtualTable {
  readonly element: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly table: HTMLTableElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly thead: HTMLTableSectionElement;
  private view: TableView | undefined;
  private baseline = -1;
  private frame = 0;
  private first = -1;
  private last = -1;

  constructor(private readonly on: TableHandlers) {
    this.thead = el('thead');
    this.tbody = el('tbody');
    this.table = el('table', { class: 'runs', attrs: { 'aria-label': 'Runs' } }, [this.thead, this.tbody]);
    this.scroller = el('div', { class: 'runs-scroll', attrs: { 'data-testid': 'runs-scroll', tabindex: '0' } }, [this.table]);
    this.element = this.scroller;
    // The box gets its size when compare.css arrives (after a restored first render) or the editor resizes.
    new ResizeObserver(() => this.renderRows(false)).observe(this.scroller);
    this.scroller.addEventListener('scroll', () => {
      // One render per frame however many scroll events arrive.
      if (this.frame) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.renderRows(false);
        this.on.onScroll(this.scroller.scrollTop);
      });
    });
    // Delegation: rows come and go as the user scrolls; one listener serves them all.
    this.tbody.addEventListener('click', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('tr[data-pos]');
      if (!row) return;
      const mode = e.shiftKey ? 'range' : e.ctrlKey || e.metaKey ? 'toggle' : 'single';
      this.on.onSelect(Number(row.dataset.pos), mode);
    });
    this.scroller.addEventListener('keydown', (e) => {
      const moves: Record<string, number | 'first' | 'last'> = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10, Home: 'first', End: 'last' };
      const move = moves[e.key];
      if (move === undefined || (e.target as Element).closest('thead')) return;
      e.preventDefault();
      this.on.onMove(move, e.shiftKey);
    });
  }

  set(view: TableView, scrollTop?: number): void {
    this.view = view;
    this.baseline = view.payload.baselineId === undefined ? -1 : view.payload.runs.findIndex((r) => r.id === view.payload.baselineId);
    this.table.setAttribute('aria-rowcount', String(view.order.length + 1));
    // Fixed layout: column widths do not jump as different rows scroll in.
    this.table.style.width = `${view.columns.reduce((w, c) => w + WIDTH[c.kind], 0)}px`;
    // CSSOM, not a style attribute: the CSP allows the former only.
    this.scroller.style.height = `${Math.min(MAX_HEIGHT, HEAD_HEIGHT + view.order.length * ROW_HEIGHT + 20)}px`;
    this.renderHead();
    if (scrollTop !== undefined) this.scroller.scrollTop = scrollTop;
    this.renderRows(true);
  }

  scrollTop(): number {
    return this.scroller.scrollTop;
  }

  /** Scrolls so the row at `position` is in view (keyboard selection). */
  reveal(position: number): void {
    const top = position * ROW_HEIGHT;
    const head = this.thead.getBoundingClientRect().height;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + ROW_HEIGHT > this.scroller.scrollTop + this.scroller.clientHeight - head) this.scroller.scrollTop = top + ROW_HEIGHT - this.scroller.clientHeight + head;
    this.renderRows(true);
  }

  /** Focuses the name button of the row at `position` (rows are rebuilt, so focus must be put back). */
  focusRow(position: number): void {
    this.tbody.querySelector<HTMLButtonElement>(`tr[data-pos="${position}"] th button`)?.focus({ preventScroll: true });
  }

  private renderHead(): void {
    const { columns, sort } = this.view!;
    clear(this.thead);
    this.thead.append(el('tr', { attrs: { 'aria-rowindex': '1' } }, columns.map((col) => {
      const active = sort.key === col.key;
      const button = el('button', {
        class: 'sort',
        text: col.label,
        attrs: { type: 'button', 'data-key': col.key, title: `Sort by ${col.label}${col.kind === 'param' ? ' (param)' : col.kind === 'metric' ? ' (metric)' : ''}` },
      }, active ? [el('span', { class: 'arrow', text: sort.dir === 'asc' ? ' ▲' : ' ▼', attrs: { 'aria-hidden': 'true' } })] : []);
      button.addEventListener('click', () => this.on.onSort(col.key));
      const th = el('th', {
        class: [col.kind, col.numeric ? 'num' : ''].filter(Boolean).join(' '),
        attrs: { scope: 'col', 'aria-sort': active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none' },
      }, [button]);
      th.style.width = `${WIDTH[col.kind]}px`;
      return th;
    })));
  }

  /** Rebuilds the rows in view; skipped when the window did not move (unless forced). */
  renderRows(force: boolean): void {
    const view = this.view;
    if (!view) return;
    const n = view.order.length;
    const height = this.scroller.clientHeight || 400;
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(n, Math.ceil((this.scroller.scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
    if (!force && first === this.first && last === this.last) return;
    this.first = first;
    this.last = last;
    const span = view.columns.length;
    const spacer = (rows: number) => {
      const td = el('td', { attrs: { colspan: String(span) } });
      const tr = el('tr', { class: 'spacer', attrs: { 'aria-hidden': 'true' } }, [td]);
      tr.style.height = `${rows * ROW_HEIGHT}px`;
      return tr;
    };
    const fragment = document.createDocumentFragment();
    if (first > 0) fragment.append(spacer(first));
    for (let pos = first; pos < last; pos++) fragment.append(this.row(pos));
    if (last < n) fragment.append(spacer(n - last));
    clear(this.tbody);
    this.tbody.append(fragment);
  }

  private row(pos: number): HTMLTableRowElement {
    const view = this.view!;
    const index = view.order[pos]!;
    const run = view.payload.runs[index]!;
    const base = this.baseline >= 0 ? view.payload.runs[this.baseline] : undefined;
    const selected = view.selected.has(run.id);
    const cells = view.columns.map((col) => {
      if (col.kind === 'name') {
        // A button: the row is reachable and selectable from the keyboard (Enter/Space click it).
        const name = el('button', { class: 'link', text: runLabel(run), attrs: { type: 'button', title: run.id } });
        const tags = index === this.baseline ? [el('span', { class: 'tag', text: ' baseline' })] : [];
        return el('th', { attrs: { scope: 'row' } }, [name, ...tags]);
      }
      const value = cellValue(run, col);
      if (col.kind === 'metric' && base && index !== this.baseline) {
        const { delta, verdict } = metricDiff(value as number | undefined, base.metrics[col.field!], goalOf(col.field!, view.payload.goals));
        const children: (Node | string)[] = [(typeof value === 'number' ? run.metricText?.[col.field!] : undefined) ?? formatValue(value)];
        if (delta !== undefined) children.push(el('span', { class: 'delta', text: ` (${signed(delta)})` }));
        return el('td', { class: `num ${verdict === 'n/a' ? 'na' : verdict}`, attrs: { 'data-verdict': verdict } }, children);
      }
      return el('td', { class: col.numeric ? 'num' : undefined, text: (col.kind === 'metric' && typeof value === 'number' ? run.metricText?.[col.field!] : undefined) ?? formatValue(value) });
    });
    return el('tr', {
      class: selected ? 'selected' : undefined,
      attrs: { 'data-pos': String(pos), 'data-run': run.id, 'aria-rowindex': String(pos + 2), 'aria-selected': selected ? 'true' : 'false' },
    }, cells);
  }
}
