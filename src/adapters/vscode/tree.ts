/**
 * The pipeline explorer: one node per pipeline file, its stages in DAG
 * order with an icon per kind and a live status, and children for deps,
 * outs, metrics, params and gates. Refreshed by events (file watchers,
 * runs), never by polling.
 */
import { formatMetric } from '../../core/metric-format';
import path from 'node:path';
import * as vscode from 'vscode';
import { gateName } from '../../core/gates/name';
import { paramValue } from '../../core/params';
import type { Gate, Stage, StageKind } from '../../core/pipeline/model';
import { makePlan } from '../../core/run/plan';
import { checkTriggers } from '../../core/triggers';
import { statSync } from 'node:fs';
import { formatDuration } from '../../core/run/units';
import { jobWhere } from '../../core/run/words';
import type { PipelineEntry, PipelineRegistry } from './registry';
import type { RunService, StageView } from './run-service';
import { FILE_LIMITS, readRegularFileSync } from '../../core/files/regular-file';

export type Node =
  | { kind: 'pipeline'; entry: PipelineEntry }
  | { kind: 'stage'; entry: PipelineEntry; stage: Stage }
  | { kind: 'group'; entry: PipelineEntry; stage: Stage; group: 'deps' | 'outs' | 'metrics' | 'params' | 'gates' }
  | { kind: 'triggers'; entry: PipelineEntry }
  | { kind: 'leaf'; item: vscode.TreeItem };

/** Arguments the stage commands take from the tree, CodeLens and tests. */
export interface StageArg {
  file: string;
  stage: string;
  /** Reveal Stage: open the file beside the active editor (the graph panel asks so it stays visible). */
  beside?: boolean;
}

const KIND_ICON: Record<StageKind, string> = { test: 'beaker', data: 'database', train: 'flame', evaluate: 'graph', drift: 'pulse', custom: 'terminal', service: 'server-process', deliver: 'package' };

/**
 * What a stage shows, by precedence: running; then an outcome that must stay
 * visible until the stage runs again (failed, cancelled, a failed gate, not
 * run because upstream failed); then the up-to-date status when it is known
 * (stale with why, up to date); then the last outcome (passed, up to date).
 * "up to date" is the one word for a stage whose inputs did not change.
 */
export function stageState(view: StageView): { icon: vscode.ThemeIcon; label: string; tooltip: string } {
  const { live, last, status, gates } = view;
  // A Slurm job waiting in the queue is not running yet: its position and squeue's reason say why.
  if (live?.status === 'running' && live.job?.state === 'PENDING') return { icon: new vscode.ThemeIcon('clock'), label: jobWhere(live.job), tooltip: `Slurm job ${live.job.id} is queued` };
  if (live?.status === 'running') return { icon: new vscode.ThemeIcon('loading~spin'), label: 'running', tooltip: `Running: ${live.reason ?? ''}` };
  if (live?.status === 'passed' && live.service) {
    return { icon: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')), label: `healthy · ${live.service.hostUrl}`, tooltip: `Service healthy at ${live.service.hostUrl} on this host; stages that need it reach it at ${live.service.url}. Removed when the run ends.` };
  }
  const rec = live ?? last;
  const staleNote = status?.state === 'stale' ? `\n\nWill run next time: ${status.reasons.join('; ')}` : '';
  const failedGate = !live ? gates?.find((g) => g.status === 'failed' && g.severity === 'error') : undefined;
  const error = new vscode.ThemeColor('testing.iconFailed');
  switch (rec?.status) {
    case 'failed': return { icon: new vscode.ThemeIcon('error', error), label: 'failed', tooltip: `Failed: ${rec.reason ?? ''}${staleNote}` };
    case 'cancelled': return { icon: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('list.warningForeground')), label: 'cancelled', tooltip: `Cancelled${rec.reason ? `: ${rec.reason}` : ''}${staleNote}` };
    case 'skipped': return { icon: new vscode.ThemeIcon('debug-step-over', new vscode.ThemeColor('list.warningForeground')), label: 'not run', tooltip: `Not run: ${rec.reason ?? ''}${staleNote}` };
    default: break;
  }
  if (failedGate && status?.state !== 'stale') {
    return { icon: new vscode.ThemeIcon('error', error), label: `gate failed: ${failedGate.name}`, tooltip: `Gate ${failedGate.name} failed: ${failedGate.reason} (expected ${failedGate.expected}, actual ${failedGate.actual})` };
  }
  if (status?.state === 'stale') {
    const never = status.reasons.length === 1 && status.reasons[0] === 'never run';
    return never
      ? { icon: new vscode.ThemeIcon('circle-large-outline'), label: 'never run', tooltip: 'Never run' }
      : { icon: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')), label: 'stale', tooltip: `Will run: ${status.reasons.join('; ')}` };
  }
  if (status?.state === 'restorable') return { icon: new vscode.ThemeIcon('archive'), label: 'restorable', tooltip: `Will be restored from the cache: ${status.reasons.join('; ')}` };
  if (status?.state === 'after-upstream') return { icon: new vscode.ThemeIcon('circle-outline'), label: 'may run', tooltip: status.reasons.join('; ') };
  if (status?.state === 'unknown') return { icon: new vscode.ThemeIcon('question'), label: 'unknown', tooltip: status.reasons.join('; ') };
  const passed = new vscode.ThemeColor('testing.iconPassed');
  if (rec?.status === 'passed') {
    return status?.state === 'up-to-date'
      ? { icon: new vscode.ThemeIcon('pass', passed), label: 'passed', tooltip: `Passed, and up to date${rec.reason ? ` (${rec.reason})` : ''}` }
      : { icon: new vscode.ThemeIcon('pass', passed), label: 'passed', tooltip: `Passed${rec.reason ? `: ${rec.reason}` : ''}` };
  }
  if (rec?.status === 'restored') return { icon: new vscode.ThemeIcon('archive', passed), label: 'restored', tooltip: `Restored from the cache: ${rec.reason ?? ''}` };
  if (rec?.status === 'cached' || status?.state === 'up-to-date') return { icon: new vscode.ThemeIcon('pass-filled', passed), label: 'up to date', tooltip: 'Up to date: inputs unchanged since the last run' };
  return { icon: new vscode.ThemeIcon('circle-large-outline'), label: 'never run', tooltip: 'Never run' };
}

export function gateLabel(g: Gate): string {
  switch (g.kind) {
    case 'threshold': return `${g.metric} ${g.min !== undefined ? `≥ ${g.min}` : ''}${g.min !== undefined && g.max !== undefined ? ' and ' : ''}${g.max !== undefined ? `≤ ${g.max}` : ''}`;
    case 'regression': return `${g.metric} drops at most ${g.maxDrop}${g.relative ? ' (relative)' : ''} vs ${g.baseline ?? 'main'}`;
    case 'convergence': return `${g.converges} converges${g.stage ? ` (${g.stage})` : ''}`;
    case 'overfitting': return `${g.metric} gap to ${g.against} ≤ ${g.maxGap}`;
    case 'drift': return `no dataset drift in ${g.drift}`;
    default: return gateName(g); // importance gates and any kind added later: the core's label
  }
}

function fmt(v: unknown): string {
  if (typeof v === 'number') return String(Number(v.toPrecision(4)));
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export class PipelineTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly pipelines: PipelineRegistry, private readonly runs: RunService) {
    pipelines.onDidChange(() => this.changed.fire(undefined));
    runs.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      const list = this.pipelines.list();
      // One pipeline: show its stages at the top level, like a single-root workspace.
      if (list.length === 1 && list[0].result.pipeline) return this.stagesOf(list[0]);
      return list.map((entry) => ({ kind: 'pipeline', entry }));
    }
    if (node.kind === 'pipeline') return this.stagesOf(node.entry);
    if (node.kind === 'stage') {
      const s = node.stage;
      const groups: Array<'deps' | 'outs' | 'metrics' | 'params' | 'gates'> = [];
      if (s.deps.length) groups.push('deps');
      if (s.outs.length) groups.push('outs');
      if (s.metricsFile || this.runs.view(node.entry.uri.fsPath, s.name).lastRun) groups.push('metrics');
      if (s.params.length) groups.push('params');
      if (s.gates.length) groups.push('gates');
      return groups.filter((g) => g !== 'metrics' || s.metricsFile).map((group) => ({ kind: 'group', entry: node.entry, stage: s, group }));
    }
    if (node.kind === 'group') return this.leaves(node.entry, node.stage, node.group);
    if (node.kind === 'triggers') return this.triggerLeaves(node.entry);
    return [];
  }

  private stagesOf(entry: PipelineEntry): Node[] {
    const p = entry.result.pipeline;
    if (!p) return [];
    let stages: Stage[];
    try {
      stages = makePlan(p, { targets: [] }).stages;
    } catch {
      stages = p.stages; // a cycle: file order, the problem is in Problems
    }
    const nodes: Node[] = stages.map((stage) => ({ kind: 'stage', entry, stage }));
    const t = p.triggers;
    if (t && (t.schedule.length || t.drift || t.metric)) nodes.push({ kind: 'triggers', entry });
    return nodes;
  }

  /** Continuous-training triggers: which would fire now, and why (as `mlci triggers check`). */
  private triggerLeaves(entry: PipelineEntry): Node[] {
    const p = entry.result.pipeline;
    if (!p) return [];
    const runs = this.runs.allRuns(entry.uri.fsPath);
    const check = checkTriggers(p, entry.root, runs, new Date(), (abs) => {
      try {
        return { text: readRegularFileSync(abs, FILE_LIMITS.record), modified: statSync(abs).mtime };
      } catch {
        return undefined;
      }
    });
    return check.results.map((r) => {
      const item = new vscode.TreeItem(r.trigger, vscode.TreeItemCollapsibleState.None);
      item.description = `${r.fired ? 'fires' : 'quiet'}: ${r.reason}`;
      item.tooltip = r.reason;
      item.iconPath = new vscode.ThemeIcon(r.fired ? 'bell-dot' : 'bell', r.fired ? new vscode.ThemeColor('list.warningForeground') : undefined);
      item.contextValue = 'trigger';
      return { kind: 'leaf', item } as Node;
    });
  }

  private leaves(entry: PipelineEntry, stage: Stage, group: string): Node[] {
    const leaf = (label: string, description?: string, icon?: string, resource?: string): Node => {
      const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
      if (description !== undefined) item.description = description;
      if (icon) item.iconPath = new vscode.ThemeIcon(icon);
      if (resource) {
        item.resourceUri = vscode.Uri.file(path.resolve(entry.root, resource));
        item.command = { command: 'vscode.open', title: 'Open', arguments: [item.resourceUri] };
      }
      item.contextValue = 'leaf';
      return { kind: 'leaf', item };
    };
    const file = entry.uri.fsPath;
    const view = this.runs.view(file, stage.name);
    switch (group) {
      case 'deps': return stage.deps.map((d) => leaf(d, undefined, d.endsWith('/') ? 'folder' : 'file', d));
      case 'outs': return stage.outs.map((o) => leaf(o, undefined, 'file', o));
      case 'metrics': {
        const all = view.lastRun?.stageMetrics?.[stage.name] ?? {};
        const formats = view.lastRun?.metricFormats ?? {};
        const rows = Object.entries(all).map(([k, v]) => leaf(k, formatMetric(v, formats[k]), 'symbol-number'));
        return rows.length ? rows : [leaf(stage.metricsFile ?? 'metrics', 'no run yet', 'symbol-number', stage.metricsFile)];
      }
      case 'params': {
        const params = this.pipelines.runnable(entry)?.params ?? {};
        return stage.params.map((k) => leaf(k, fmt(paramValue(params, k) ?? 'missing'), 'symbol-variable'));
      }
      case 'gates': return stage.gates.map((g) => {
        const result = view.lastRun?.gates?.find((r) => r.stage === stage.name && r.index === g.index);
        const n = leaf(g.name ?? gateLabel(g), result ? `${result.status}: ${result.reason}` : `${g.kind}, not evaluated yet`, 'law');
        if (n.kind === 'leaf' && result) {
          n.item.iconPath = new vscode.ThemeIcon(result.status === 'passed' ? 'pass' : result.status === 'failed' ? 'error' : 'debug-step-over',
            result.status === 'passed' ? new vscode.ThemeColor('testing.iconPassed') : result.status === 'failed' ? new vscode.ThemeColor('testing.iconFailed') : undefined);
          n.item.tooltip = `expected ${result.expected}, actual ${result.actual}: ${result.reason}`;
        }
        return n;
      });
      default: return [];
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'leaf':
        return node.item;
      case 'pipeline': {
        const p = node.entry.result.pipeline;
        const errors = node.entry.result.problems.filter((x) => x.severity === 'error').length;
        const item = new vscode.TreeItem(p?.name ?? path.basename(node.entry.uri.fsPath), vscode.TreeItemCollapsibleState.Expanded);
        item.description = errors ? `${errors} error${errors > 1 ? 's' : ''}` : vscode.workspace.asRelativePath(node.entry.uri);
        item.iconPath = new vscode.ThemeIcon(errors ? 'error' : 'symbol-namespace');
        item.contextValue = 'pipeline';
        item.resourceUri = node.entry.uri;
        item.command = { command: 'vscode.open', title: 'Open', arguments: [node.entry.uri] };
        return item;
      }
      case 'triggers': {
        const item = new vscode.TreeItem('triggers', vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('bell');
        item.description = 'continuous training';
        item.contextValue = 'triggers';
        return item;
      }
      case 'group': {
        const labels = { deps: 'deps', outs: 'outs', metrics: 'metrics', params: 'params', gates: 'gates' };
        const item = new vscode.TreeItem(labels[node.group], vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon({ deps: 'arrow-down', outs: 'arrow-up', metrics: 'dashboard', params: 'settings', gates: 'law' }[node.group]);
        item.contextValue = `group.${node.group}`;
        return item;
      }
      case 'stage': {
        const { stage, entry } = node;
        const view = this.runs.view(entry.uri.fsPath, stage.name);
        const state = stageState(view);
        const item = new vscode.TreeItem(stage.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${entry.uri.fsPath}#${stage.name}`;
        // The kind's icon, coloured by status; a spinner while running.
        item.iconPath = state.label === 'running' ? state.icon : new vscode.ThemeIcon(KIND_ICON[stage.kind], state.icon.color);
        const rec = view.live ?? view.last;
        const took = rec?.durationMs !== undefined && rec.status !== 'cached' && rec.status !== 'restored' ? ` · ${formatDuration(rec.durationMs)}` : '';
        const stageMetrics = view.lastRun?.stageMetrics?.[stage.name] ?? {};
        const key = Object.entries(stageMetrics).slice(0, 2).map(([k, v]) => `${k} ${formatMetric(v, view.lastRun?.metricFormats?.[k])}`).join(' · ');
        // While it runs: the step and latest values it logged, instead of the last run's metrics.
        const live = state.label === 'running' && view.liveMetrics ? liveText(view.liveMetrics) : '';
        // Where it ran (or runs): a named engine (`engine: gpu`), never the default local one.
        const on = rec?.engine ? ` · on ${rec.engine}` : '';
        item.description = live ? `${state.label}${on} · ${live}` : `${state.label}${on}${took}${key ? ` · ${key}` : ''}`;
        const md = new vscode.MarkdownString(`**${stage.name}** $(${KIND_ICON[stage.kind]}) ${stage.kind}\n\n${state.tooltip}`, true);
        if (stage.description) md.appendMarkdown(`\n\n${stage.description}`);
        if (stage.needs.length) md.appendMarkdown(`\n\nneeds: ${stage.needs.join(', ')}`);
        item.tooltip = md;
        // Plots: declared plots, a history, or a kind that logs metrics while it runs (DVCLive, MLflow).
        const plots = stage.plots.length > 0 || stage.history !== undefined || stage.kind === 'train' || stage.kind === 'evaluate';
        item.contextValue = `stage.${stage.kind}${rec?.log ? '.hasLog' : ''}${view.live?.service ? '.serviceUp' : ''}${plots ? '.hasPlots' : ''}`;
        item.command = { command: 'mlci.revealStage', title: 'Reveal in Pipeline File', arguments: [{ file: entry.uri.fsPath, stage: stage.name } satisfies StageArg] };
        return item;
      }
    }
  }
}

/** `step 12 · loss 0.345 · accuracy 0.81` for a running stage (two metrics, 3 significant digits). */
export function liveText(m: { step?: number; latest: Record<string, number> }): string {
  const values = Object.entries(m.latest).slice(0, 2).map(([k, v]) => `${k} ${Number.isFinite(v) ? Number(v.toPrecision(3)) : String(v)}`);
  return [m.step !== undefined ? `step ${m.step}` : '', ...values].filter(Boolean).join(' · ');
}
