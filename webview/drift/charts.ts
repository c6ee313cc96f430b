/** One chart card per tested column: overlaid histograms (numbers) or paired bars (categories). */
import type { Chart } from 'chart.js';
import type { DriftPanelColumn, DriftPanelHistogram } from '../../src/protocol/drift-panel';
import type { PairedSeries } from '../shared/chart';
import { pairedBarChart } from '../shared/chart';
import { el } from '../shared/dom';
import { formatNumber } from '../shared/format';
import type { ThemeColors } from '../shared/theme';

/** The report's histogram as two series over the same labels. */
export function seriesOf(h: DriftPanelHistogram): PairedSeries {
  if (h.kind === 'numeric') {
    // Bin i is [edges[i], edges[i+1]); its label is the range.
    const labels = h.reference.map((_, i) => `${formatNumber(h.edges[i], 3)}–${formatNumber(h.edges[i + 1], 3)}`);
    return { labels, reference: h.reference, current: h.current, overlay: true };
  }
  const labels = [...h.categories];
  const reference = [...h.reference];
  const current = [...h.current];
  if (h.other) {
    labels.push(`other (${h.other.categories})`);
    reference.push(h.other.reference);
    current.push(h.other.current);
  }
  return { labels, reference, current, overlay: false };
}

export function renderChartCard(c: DriftPanelColumn, selected: boolean): HTMLElement {
  const canvas = el('canvas', { attrs: { role: 'img', 'aria-label': `${c.name}: reference and current distributions` } });
  const card = el('figure', { class: `card${c.drifted ? ' drifted' : ''}${selected ? ' selected' : ''}`, attrs: { 'data-column': c.name, tabindex: '-1' } }, [
    el('figcaption', {}, [
      el('span', { class: 'name', text: c.name }),
      el('span', { class: 'meta', text: ` ${c.test}, ${c.drifted ? 'drifted' : 'no drift'}; n = ${c.referenceSize} / ${c.currentSize}` }),
    ]),
    el('div', { class: 'plot' }, [canvas]),
    ...(c.newCategories?.length ? [el('p', { class: 'note', text: `New in current: ${c.newCategories.join(', ')}` })] : []),
    ...(c.missingCategories?.length ? [el('p', { class: 'note', text: `Absent from current: ${c.missingCategories.join(', ')}` })] : []),
  ]);
  // chart.js measures the canvas, so the caller appends the card first, then calls drawChart.
  return card;
}

export function drawChart(card: HTMLElement, c: DriftPanelColumn, theme: ThemeColors): Chart<'bar'> {
  return pairedBarChart(card.querySelector('canvas')!, seriesOf(c.histogram), theme);
}
