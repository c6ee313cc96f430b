/**
 * A run as Markdown, for a pull-request comment or a CI job summary (like
 * CML's reports): the verdict, each stage with its status and why, the
 * metrics, and the gates when they were evaluated. All text from the
 * pipeline is escaped, so a stage or metric name cannot inject Markdown.
 */
import { formatMetric } from '../metric-format';
import type { RunRecord } from './record';
import { formatDuration } from './units';
import { stageWord } from './words';

const esc = (s: string) => s.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
const ICON: Record<string, string> = { passed: '✅', cached: '♻️', restored: '📦', failed: '❌', skipped: '⏭️', cancelled: '⏹️', running: '⏳', pending: '…' };

export interface GateLine {
  stage: string;
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  expected: string;
  actual: string;
  reason: string;
}

export function formatRunMarkdown(record: RunRecord, opts: { title?: string; gates?: GateLine[] } = {}): string {
  const took = record.finishedAt ? formatDuration(Date.parse(record.finishedAt) - Date.parse(record.startedAt)) : '';
  const verdict = record.status === 'passed' ? '✅ passed' : record.status === 'gate-failed' ? '❌ a gate failed' : record.status === 'cancelled' ? '⏹️ cancelled' : '❌ failed';
  const git = record.git ? ` on \`${esc(record.git.branch ?? 'detached')}@${record.git.commit.slice(0, 7)}\`${record.git.dirty ? ' (uncommitted changes)' : ''}` : '';
  const L = [`## ${esc(opts.title ?? 'mlci run')}: ${verdict}`, '', `Run \`${record.id}\`${git}, ${took}, ${record.executor} executor.`, '', '| stage | status | time | why |', '|---|---|---|---|'];
  for (const s of record.stages) {
    L.push(`| ${esc(s.name)} | ${ICON[s.status] ?? ''} ${stageWord(s.status)} | ${s.durationMs !== undefined && s.status !== 'cached' && s.status !== 'restored' ? formatDuration(s.durationMs) : ''} | ${esc(s.reason ?? '')} |`);
  }
  const delivered = record.stages.filter((s) => s.delivery);
  if (delivered.length) {
    L.push('', '| delivered | image | digest |', '|---|---|---|');
    for (const s of delivered) L.push(`| ${esc(s.name)} | ${esc(s.delivery!.image)} | ${esc(s.delivery!.digest)} |`);
  }
  const metrics = Object.entries(record.metrics);
  if (metrics.length) {
    L.push('', '| metric | value |', '|---|---|');
    for (const [k, v] of metrics) L.push(`| ${esc(k)} | ${formatMetric(v, record.metricFormats?.[k])} |`);
  }
  if (opts.gates?.length) {
    L.push('', '| gate | result | expected | actual |', '|---|---|---|---|');
    for (const g of opts.gates) L.push(`| ${esc(g.stage)}: ${esc(g.name)} | ${ICON[g.status] ?? ''} ${esc(g.reason)} | ${esc(g.expected)} | ${esc(g.actual)} |`);
  }
  return L.join('\n') + '\n';
}
