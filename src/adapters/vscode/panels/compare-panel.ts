/**
 * The experiment comparison panel: one instance, shown again rather than
 * duplicated (as DriftPanel). The webview asks for data with 'ready'; the
 * panel answers with the runs. A serializer revives it after a reload from
 * the state the webview saved. Apply params and Pin as baseline go to the
 * callbacks given at creation (the caller owns params.yaml and baselines);
 * exports go through a save dialog. While a run goes, its row ('running
 * now') grows through live(): the points are applied to the panel's copy
 * (a reload or a late 'ready' shows them) and forwarded to the page.
 */
import { formatMetric } from '../../../core/metric-format';
import * as vscode from 'vscode';
import { flattenParams } from '../../../core/experiments/compare';
import type { RunRecord } from '../../../core/run/record';
import type {
  CompareLive, CompareParamValue, ComparePanelFromWebview, ComparePanelState, ComparePanelToWebview, ComparePayload, CompareRun,
} from '../../../protocol/compare-panel';
import { decodePngDataUrl, savePngExport, saveExport } from './export';
import { setPanelHtml, webviewOptions } from './webview-panel';

export { decodePngDataUrl };

export const COMPARE_PANEL_VIEW_TYPE = 'mlci.comparePanel';

export interface ComparePanelHandlers {
  applyParams(runId: string): unknown;
  pinBaseline(runId: string): unknown;
}

const TITLE = 'Compare runs';

/** A run record as the webview wants it: params flattened (`model.lr`), lists as JSON text, git split out. */
export function compareRunOf(record: RunRecord): CompareRun {
  const params: Record<string, CompareParamValue> = {};
  for (const [k, v] of Object.entries(flattenParams(record.params))) params[k] = v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
  return {
    id: record.id,
    ...(record.name !== undefined ? { name: record.name } : {}),
    status: record.status,
    startedAt: record.startedAt,
    ...(record.git?.branch ? { branch: record.git.branch } : {}),
    ...(record.git?.commit ? { commit: record.git.commit } : {}),
    params,
    metrics: { ...record.metrics },
    metricText: Object.fromEntries(Object.entries(record.metrics).map(([k, v]) => [k, formatMetric(v, record.metricFormats?.[k])])),
    ...(Object.keys(record.history ?? {}).length ? { history: record.history } : {}),
    ...(Object.keys(record.importance ?? {}).length ? { importance: importanceOf(record) } : {}),
  };
}

/** Each stage's importances, only the numbers the chart draws. */
function importanceOf(record: RunRecord): NonNullable<CompareRun['importance']> {
  const out: NonNullable<CompareRun['importance']> = {};
  for (const [stage, report] of Object.entries(record.importance ?? {})) {
    out[stage] = report.features.flatMap((f) => (typeof f.importance === 'number' ? [{ feature: f.feature, importance: f.importance, ...(f.std !== undefined ? { std: f.std } : {}) }] : []));
  }
  return out;
}

export class ComparePanel {
  static current: ComparePanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;

  /** Shows the runs in the panel, creating the panel if there is none; `handlers` replace the previous ones. */
  static createOrShow(extensionUri: vscode.Uri, payload: ComparePayload, handlers?: ComparePanelHandlers): ComparePanel {
    if (ComparePanel.current) {
      const current = ComparePanel.current;
      if (handlers) current.handlers = handlers;
      current.panel.reveal(current.panel.viewColumn ?? vscode.ViewColumn.Active);
      current.show(payload);
      return current;
    }
    const panel = vscode.window.createWebviewPanel(COMPARE_PANEL_VIEW_TYPE, TITLE, vscode.ViewColumn.Active, webviewOptions(extensionUri));
    return (ComparePanel.current = new ComparePanel(panel, extensionUri, payload, handlers));
  }

  /** For the serializer: VS Code hands back the panel and the webview's saved state. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, payload: ComparePayload | undefined, handlers?: ComparePanelHandlers): ComparePanel {
    panel.webview.options = webviewOptions(extensionUri);
    ComparePanel.current?.dispose();
    return (ComparePanel.current = new ComparePanel(panel, extensionUri, payload, handlers));
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private payload: ComparePayload | undefined,
    private handlers: ComparePanelHandlers | undefined,
  ) {
    this.panel.onDidDispose(() => this.dispose(), null, this.disposables);
    this.panel.webview.onDidReceiveMessage((m: ComparePanelFromWebview) => void this.onMessage(m), null, this.disposables);
    this.render();
  }

  /**
   * The pinned baseline changed (from the Experiments view, this panel's
   * "Pin as baseline" or `mlci exp pin`): differences are measured against
   * `run` now, added to the runs if the panel did not show it; undefined:
   * no baseline. Nothing is posted when the baseline is unchanged.
   */
  setBaseline(run: CompareRun | undefined): void {
    if (!this.payload || this.payload.baselineId === run?.id) return;
    const runs = run && !this.payload.runs.some((r) => r.id === run.id) ? [run, ...this.payload.runs] : this.payload.runs;
    const { baselineId: _old, ...rest } = this.payload;
    this.show({ ...rest, runs, ...(run ? { baselineId: run.id } : {}) });
  }

  /** What the panel shows (with the live points applied so far). */
  get shown(): ComparePayload | undefined {
    return this.payload;
  }

  show(payload: ComparePayload): void {
    this.payload = payload;
    if (this.ready) void this.post();
  }

  /** The running run's stages logged: their histories as they are now go into its row here, then to the page. */
  live(update: CompareLive): void {
    const run = this.payload?.runs.find((r) => r.id === update.run && r.live);
    if (!run) return;
    const history = (run.history ??= {});
    // Copies: the caller goes on adding to its rows.
    for (const [stage, rows] of Object.entries(update.history)) history[stage] = rows.map((r) => ({ ...r }));
    if (this.ready) void this.panel.webview.postMessage({ type: 'live', payload: update } satisfies ComparePanelToWebview);
  }

  /** A fresh HTML (and nonce) each time; the webview then says 'ready' again. */
  private render(): void {
    this.ready = false;
    setPanelHtml(this.panel.webview, this.extensionUri, 'compare', TITLE);
  }

  private async post(): Promise<void> {
    if (!this.payload) return;
    const message: ComparePanelToWebview = { type: 'runs', payload: this.payload };
    await this.panel.webview.postMessage(message);
  }

  private async onMessage(m: ComparePanelFromWebview): Promise<void> {
    try {
      switch (m.type) {
        case 'ready':
          this.ready = true;
          await this.post();
          return;
        case 'applyParams':
        case 'pinBaseline':
          if (!this.payload?.runs.some((r) => r.id === m.payload.runId && !r.live)) return; // only recorded runs this panel shows
          if (!this.handlers) {
            void vscode.window.showWarningMessage('mlci: reopen the comparison from the Experiments view to use this action.');
            return;
          }
          await this.handlers[m.type](m.payload.runId);
          return;
        case 'exportCsv':
          await saveExport('runs.csv', { 'CSV': ['csv'] }, new TextEncoder().encode(m.payload.csv));
          return;
        case 'exportPng':
          await savePngExport(m.payload.dataUrl, m.payload.name, 'chart');
          return;
        case 'rendered':
        case 'liveDrawn':
          return;
      }
    } catch (e) {
      void vscode.window.showErrorMessage(`mlci: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  dispose(): void {
    if (ComparePanel.current === this) ComparePanel.current = undefined;
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

/**
 * The webview's saved state (JSON) back to a payload; NaN/Infinity came back
 * as strings. A 'running now' row is dropped: the run it followed ended with
 * the window (a reopened comparison shows it as recorded).
 */
function revivePayload(state: unknown): ComparePayload | undefined {
  const last = (state as Partial<ComparePanelState> | undefined)?.last;
  if (!last || typeof last !== 'object' || !Array.isArray(last.runs)) return undefined;
  last.runs = last.runs.filter((r) => !r.live);
  const num = (v: unknown) => (v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : v) as number;
  for (const r of last.runs) {
    for (const k of Object.keys(r.metrics ?? {})) r.metrics[k] = num(r.metrics[k]);
    for (const rows of Object.values(r.history ?? {})) for (const row of rows) for (const k of Object.keys(row)) row[k] = num(row[k]);
  }
  return { runs: last.runs, goals: last.goals ?? {}, ...(last.baselineId !== undefined ? { baselineId: last.baselineId } : {}), ...(last.pipeline !== undefined ? { pipeline: last.pipeline } : {}) };
}

/**
 * Registers the serializer (panels come back after a reload). The manifest
 * needs `onWebviewPanel:mlci.comparePanel` for VS Code to activate us for it.
 * `handlers` serve revived panels too.
 */
export function registerComparePanel(context: vscode.ExtensionContext, handlers?: ComparePanelHandlers): vscode.Disposable[] {
  return [
    vscode.window.registerWebviewPanelSerializer(COMPARE_PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        ComparePanel.revive(panel, context.extensionUri, revivePayload(state), handlers);
      },
    }),
    { dispose: () => ComparePanel.current?.dispose() },
  ];
}
