/** The verdict block: dataset drifted or not, drifted share vs the threshold share, sizes. */
import type { DriftPanelReport } from '../../src/protocol/drift-panel';
import { el } from '../shared/dom';
import { formatPercent } from '../shared/format';

export function renderSummary(report: DriftPanelReport, title: string, openFile: (path: string) => void): HTMLElement {
  const drifted = report.columns.filter((c) => c.drifted).length;
  const verdict = report.datasetDrift ? 'Dataset drift detected' : 'No dataset drift';
  const fileButton = (p: string) => el('button', { class: 'link', text: p, attrs: { type: 'button', title: `Open ${p}` } });
  const refButton = fileButton(report.reference.path);
  const curButton = fileButton(report.current.path);
  refButton.addEventListener('click', () => openFile(report.reference.path));
  curButton.addEventListener('click', () => openFile(report.current.path));

  const notes: HTMLElement[] = report.problems.map((p) => el('li', { class: 'problem', attrs: { 'data-testid': 'problem' }, text: p }));
  if (report.skipped.length) notes.push(el('li', { text: `Skipped: ${report.skipped.map((s) => `${s.name} (${s.reason})`).join(', ')}` }));
  // missingColumns and newColumns are named by the problems above.
  for (const w of report.warnings) notes.push(el('li', { text: w }));

  return el('section', { class: 'summary', attrs: { 'aria-label': 'Summary' } }, [
    el('h1', { text: title }),
    el('p', { class: `verdict ${report.datasetDrift ? 'drifted' : 'ok'}`, attrs: { role: 'status', 'data-testid': 'verdict' }, text: verdict }),
    el('dl', { class: 'facts' }, [
      el('dt', { text: 'Drifted columns' }),
      el('dd', {
        attrs: { 'data-testid': 'share' },
        text: `${drifted} of ${report.columns.length} (${formatPercent(report.driftedShare)}); the dataset drifts at ${formatPercent(report.share)}`,
      }),
      el('dt', { text: 'Reference' }),
      el('dd', {}, [refButton, ` ${report.reference.rows} rows`]),
      el('dt', { text: 'Current' }),
      el('dd', {}, [curButton, ` ${report.current.rows} rows`]),
    ]),
    ...(notes.length ? [el('ul', { class: 'notes' }, notes)] : []),
  ]);
}
