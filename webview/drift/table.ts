/**
 * The per-column table. Headers are <button>s inside <th aria-sort> so
 * sorting works from the keyboard and screen readers announce the order;
 * each row's name is a button that selects the column's chart.
 */
import type { DriftPanelColumn, DriftPanelSortKey, DriftPanelState } from '../../src/protocol/drift-panel';
import { el } from '../shared/dom';
import { compareNumbers, formatNumber } from '../shared/format';

type Sort = DriftPanelState['sort'];

/** The score compared with the threshold: the p-value or the distance. */
export function score(c: DriftPanelColumn): number | undefined {
  return c.pvalue ?? c.distance;
}

const COLUMNS: { key: DriftPanelSortKey; label: string; numeric: boolean }[] = [
  { key: 'name', label: 'Column', numeric: false },
  { key: 'type', label: 'Type', numeric: false },
  { key: 'test', label: 'Test', numeric: false },
  { key: 'statistic', label: 'Statistic', numeric: true },
  { key: 'score', label: 'p-value / distance', numeric: true },
  { key: 'threshold', label: 'Threshold', numeric: true },
  { key: 'drifted', label: 'Drift', numeric: false },
];

export function sortColumns(columns: DriftPanelColumn[], sort: Sort): DriftPanelColumn[] {
  const cmp = (a: DriftPanelColumn, b: DriftPanelColumn): number => {
    switch (sort.key) {
      case 'statistic': return compareNumbers(a.statistic, b.statistic);
      case 'score': return compareNumbers(score(a), score(b));
      case 'threshold': return compareNumbers(a.threshold, b.threshold);
      case 'drifted': return Number(a.drifted) - Number(b.drifted);
      default: return a[sort.key].localeCompare(b[sort.key]);
    }
  };
  // Stable sort; ties keep file order, which is what the user saw first.
  const sorted = columns.map((c, i) => [c, i] as const).sort(([a, ia], [b, ib]) => {
    const d = cmp(a, b);
    return (sort.dir === 'asc' ? d : -d) || ia - ib;
  });
  return sorted.map(([c]) => c);
}

export interface TableHandlers {
  onSort(key: DriftPanelSortKey): void;
  onSelect(name: string): void;
}

export function renderTable(columns: DriftPanelColumn[], sort: Sort, selected: string | undefined, on: TableHandlers): HTMLElement {
  const head = el('tr', {}, COLUMNS.map((col) => {
    const active = sort.key === col.key;
    const button = el('button', {
      class: 'sort',
      text: col.label,
      attrs: { type: 'button', 'data-key': col.key, title: `Sort by ${col.label}` },
    }, active ? [el('span', { class: 'arrow', text: sort.dir === 'asc' ? ' ▲' : ' ▼', attrs: { 'aria-hidden': 'true' } })] : []);
    button.addEventListener('click', () => on.onSort(col.key));
    return el('th', {
      class: col.numeric ? 'num' : undefined,
      attrs: { scope: 'col', 'aria-sort': active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none' },
    }, [button]);
  }));

  const rows = sortColumns(columns, sort).map((c) => {
    const name = el('button', { class: 'link', text: c.name, attrs: { type: 'button', title: `Show the chart of ${c.name}` } });
    name.addEventListener('click', () => on.onSelect(c.name));
    const warn = c.warnings.length ? el('span', { class: 'warn', text: ' ⚠', attrs: { title: c.warnings.join('\n'), 'aria-label': c.warnings.join('; ') } }) : undefined;
    return el('tr', {
      class: [c.drifted ? 'drifted' : '', c.name === selected ? 'selected' : ''].filter(Boolean).join(' '),
      attrs: { 'data-column': c.name, 'aria-current': c.name === selected ? 'true' : undefined },
    }, [
      el('th', { attrs: { scope: 'row' } }, warn ? [name, warn] : [name]),
      el('td', { text: c.type }),
      el('td', { text: c.test }),
      el('td', { class: 'num', text: formatNumber(c.statistic) }),
      el('td', { class: 'num', text: formatNumber(score(c)) }),
      el('td', { class: 'num', text: formatNumber(c.threshold) }),
      el('td', { class: c.drifted ? 'badge drifted' : 'badge ok', text: c.drifted ? 'drifted' : 'no drift' }),
    ]);
  });

  return el('table', { class: 'columns', attrs: { 'aria-label': 'Columns' } }, [el('thead', {}, [head]), el('tbody', {}, rows)]);
}
