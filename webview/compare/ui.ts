/** Small DOM pieces of the comparison: a chart card and a labelled <select>. */
import { clear, el } from '../shared/dom';

export interface ChartCard {
  element: HTMLElement;
  canvas: HTMLCanvasElement;
  /** Shown when the chart has nothing to draw (no metric, no history). */
  empty: HTMLElement;
}

export function chartCard(name: string, title: string, note: string, controls: HTMLElement[], onExport: () => void, wide = false): ChartCard {
  const canvas = el('canvas', { attrs: { role: 'img', 'aria-label': title, 'data-chart': name } });
  const button = el('button', { class: 'action', text: 'Export PNG', attrs: { type: 'button', 'data-export': name, title: `Save the ${title.toLowerCase()} chart as PNG` } });
  button.addEventListener('click', onExport);
  const empty = el('p', { class: 'empty', text: 'Nothing to draw.' });
  empty.hidden = true;
  const element = el('figure', { class: `card${wide ? ' wide' : ''}`, attrs: { 'data-card': name } }, [
    el('figcaption', {}, [el('span', { class: 'name', text: title }), el('span', { class: 'meta', text: ` ${note}` })]),
    el('div', { class: 'chart-controls' }, [...controls, button]),
    el('div', { class: `plot${wide ? ' tall' : ''}` }, [canvas]),
    empty,
  ]);
  return { element, canvas, empty };
}

export interface LabelledSelect {
  element: HTMLElement;
  setOptions(options: string[], value: string | undefined): void;
}

export function labelledSelect(label: string, options: string[], value: string | undefined, onChange: (v: string) => void, testId: string): LabelledSelect {
  const select = el('select', { attrs: { 'data-testid': testId } });
  const setOptions = (opts: string[], v: string | undefined) => {
    clear(select);
    for (const o of opts) select.append(el('option', { text: o, attrs: { value: o } }));
    if (v !== undefined) select.value = v;
  };
  setOptions(options, value);
  select.addEventListener('change', () => onChange(select.value));
  return { element: el('label', { class: 'select' }, [`${label} `, select]), setOptions };
}
