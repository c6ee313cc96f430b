/**
 * The Plots panel: one instance, shown again rather than duplicated (as
 * ComparePanel). The webview asks for data with 'ready'; the panel answers
 * with the plots, then forwards the live points of a running stage
 * ('live'), which it also applies to its own copy so a reload or a late
 * 'ready' shows them. A serializer revives it after a reload from the
 * state the webview saved. Exports go through a save dialog.
 */
import * as vscode from 'vscode';
import type { LivePoint } from '../../../core/live/types';
import { applyLivePoints } from '../../../core/plots/history';
import type { PlotsLive, PlotsPanelFromWebview, PlotsPanelState, PlotsPanelToWebview, PlotsPayload } from '../../../protocol/plots-panel';
import { safeName, savePngExport, saveExport } from './export';
import { setPanelHtml, webviewOptions } from './webview-panel';

export const PLOTS_PANEL_VIEW_TYPE = 'mlci.plotsPanel';

export class PlotsPanel {
  static current: PlotsPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;

  /** Shows the plots, creating the panel if there is none. */
  static createOrShow(extensionUri: vscode.Uri, payload: PlotsPayload): PlotsPanel {
    if (PlotsPanel.current) {
      const current = PlotsPanel.current;
      current.panel.reveal(current.panel.viewColumn ?? vscode.ViewColumn.Active);
      current.show(payload);
      return current;
    }
    const panel = vscode.window.createWebviewPanel(PLOTS_PANEL_VIEW_TYPE, payload.title, vscode.ViewColumn.Active, webviewOptions(extensionUri));
    return (PlotsPanel.current = new PlotsPanel(panel, extensionUri, payload));
  }

  /** For the serializer: VS Code hands back the panel and the webview's saved state. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, payload: PlotsPayload | undefined): PlotsPanel {
    panel.webview.options = webviewOptions(extensionUri);
    PlotsPanel.current?.dispose();
    return (PlotsPanel.current = new PlotsPanel(panel, extensionUri, payload));
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private data: PlotsPayload | undefined,
  ) {
    this.panel.onDidDispose(() => this.dispose(), null, this.disposables);
    this.panel.webview.onDidReceiveMessage((m: PlotsPanelFromWebview) => void this.onMessage(m), null, this.disposables);
    this.render();
  }

  /** What the panel shows (with the live points applied so far). */
  get payload(): PlotsPayload | undefined {
    return this.data;
  }

  show(payload: PlotsPayload): void {
    this.data = payload;
    this.panel.title = payload.title;
    if (this.ready) void this.post({ type: 'plots', payload });
  }

  /** Points a running stage logged: applied here, then the stage's history plot as it is now goes to the page. */
  live(update: { run: string; stage: string; step?: number; points: LivePoint[]; at: number }): void {
    const run = this.data?.runs.find((r) => r.run === update.run && r.live);
    if (!run || (this.data?.stage && this.data.stage !== update.stage)) return;
    const plot = applyLivePoints(run, update.stage, update.points);
    const message: PlotsLive = { run: update.run, stage: update.stage, ...(update.step !== undefined ? { step: update.step } : {}), plot, points: update.points.length, at: update.at };
    if (this.ready) void this.post({ type: 'live', payload: message });
  }

  /** A fresh HTML (and nonce) each time; the webview then says 'ready' again (it adds media/plots.css itself). */
  private render(): void {
    this.ready = false;
    setPanelHtml(this.panel.webview, this.extensionUri, 'plots', this.data?.title ?? 'Plots');
  }

  private async post(message: PlotsPanelToWebview): Promise<void> {
    await this.panel.webview.postMessage(message);
  }

  private async onMessage(m: PlotsPanelFromWebview): Promise<void> {
    try {
      switch (m.type) {
        case 'ready':
          this.ready = true;
          if (this.data) await this.post({ type: 'plots', payload: this.data });
          return;
        case 'exportPng':
          await savePngExport(m.payload.dataUrl, m.payload.name, 'plot');
          return;
        case 'exportData':
          await saveExport(`${safeName(m.payload.name)}.csv`, { CSV: ['csv'] }, new TextEncoder().encode(m.payload.csv));
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
    if (PlotsPanel.current === this) PlotsPanel.current = undefined;
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

const NUMERIC_KEYS = new Set(['x', 'y']);

/** The webview's saved state (JSON) back to a payload; NaN/Infinity of points came back as strings. */
export function revivePlotsPayload(state: unknown): PlotsPayload | undefined {
  const last = (state as Partial<PlotsPanelState> | undefined)?.last;
  if (!last || typeof last !== 'object' || !Array.isArray(last.runs) || typeof last.title !== 'string') return undefined;
  return JSON.parse(JSON.stringify(last), (k, v: unknown) => (NUMERIC_KEYS.has(k) && (v === 'NaN' || v === 'Infinity' || v === '-Infinity') ? Number(v) : v)) as PlotsPayload;
}

/**
 * Registers the serializer (panels come back after a reload). The manifest
 * needs `onWebviewPanel:mlci.plotsPanel` for VS Code to activate us for it.
 */
export function registerPlotsPanel(context: vscode.ExtensionContext): vscode.Disposable[] {
  return [
    vscode.window.registerWebviewPanelSerializer(PLOTS_PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        PlotsPanel.revive(panel, context.extensionUri, revivePlotsPayload(state));
      },
    }),
    { dispose: () => PlotsPanel.current?.dispose() },
  ];
}
