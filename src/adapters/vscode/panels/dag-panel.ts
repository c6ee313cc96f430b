/**
 * The pipeline graph panel: one instance, shown again for another pipeline
 * rather than duplicated (as ComparePanel). The webview asks with 'ready';
 * the panel answers with the graph (dag-model.ts) and posts it again when
 * the pipeline file or any stage status changes (a run going on), at most
 * every 100 ms. A click on a stage reveals it in the pipeline file; Run
 * stage runs it (trusted workspaces only). A serializer reopens the same
 * pipeline after a reload.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { DagPanelFromWebview, DagPanelState, DagPanelToWebview, DagPayload } from '../../../protocol/dag-panel';
import type { PipelineRegistry } from '../registry';
import type { RunService } from '../run-service';
import { stageState } from '../tree';
import { dagPayloadOf } from './dag-model';
import { setPanelHtml, webviewOptions } from './webview-panel';

export const DAG_PANEL_VIEW_TYPE = 'mlci.dagPanel';

export interface DagPanelDeps {
  pipelines: PipelineRegistry;
  runs: RunService;
  /** Resolves once the pipeline files were found after activation (a revived panel waits for it). */
  ready(): Promise<void>;
}

export class DagPanel {
  static current: DagPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private timer: NodeJS.Timeout | undefined;
  /** The last graph posted (tests read it). */
  lastPayload: DagPayload | undefined;

  /** Shows the graph of pipeline file `file` (absolute path), creating the panel if there is none. */
  static createOrShow(extensionUri: vscode.Uri, deps: DagPanelDeps, file: string): DagPanel {
    if (DagPanel.current) {
      const current = DagPanel.current;
      current.file = file;
      current.panel.title = titleOf(file);
      current.panel.reveal(current.panel.viewColumn ?? vscode.ViewColumn.Active);
      void current.post();
      return current;
    }
    const panel = vscode.window.createWebviewPanel(DAG_PANEL_VIEW_TYPE, titleOf(file), vscode.ViewColumn.Active, webviewOptions(extensionUri));
    return (DagPanel.current = new DagPanel(panel, extensionUri, deps, file));
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, deps: DagPanelDeps, file: string): DagPanel {
    panel.webview.options = webviewOptions(extensionUri);
    DagPanel.current?.dispose();
    return (DagPanel.current = new DagPanel(panel, extensionUri, deps, file));
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly deps: DagPanelDeps,
    private file: string,
  ) {
    this.panel.onDidDispose(() => this.dispose(), null, this.disposables);
    this.panel.webview.onDidReceiveMessage((m: DagPanelFromWebview) => void this.receive(m), null, this.disposables);
    // The graph follows the file (stages, needs) and every status change (a run going on).
    this.disposables.push(
      deps.pipelines.onDidChange(() => this.postSoon()),
      deps.runs.onDidChange(() => this.postSoon()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.postSoon()),
    );
    this.render();
  }

  get pipelineFile(): string {
    return this.file;
  }

  /** A fresh HTML (and nonce) each time; the webview then says 'ready' again. */
  private render(): void {
    this.ready = false;
    setPanelHtml(this.panel.webview, this.extensionUri, 'dag', titleOf(this.file));
  }

  payload(): DagPayload {
    const entry = this.deps.pipelines.get(this.file);
    const file = vscode.workspace.asRelativePath(this.file);
    if (!entry) return { file, path: this.file, nodes: [], canRun: false, note: `${file} is not a pipeline file of this workspace (any more).` };
    return dagPayloadOf(entry.result, {
      file,
      path: this.file,
      canRun: vscode.workspace.isTrusted && !this.deps.runs.running,
      statusText: (stage) => stageState(this.deps.runs.view(this.file, stage)).label,
    });
  }

  private postSoon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.post();
    }, 100);
  }

  private async post(): Promise<void> {
    if (!this.ready) return;
    this.lastPayload = this.payload();
    const message: DagPanelToWebview = { type: 'graph', payload: this.lastPayload };
    await this.panel.webview.postMessage(message);
  }

  /** A message from the page (public for the extension-host tests, which cannot click inside a webview). */
  async receive(m: DagPanelFromWebview): Promise<void> {
    try {
      switch (m.type) {
        case 'ready':
          this.ready = true;
          await this.deps.ready();
          await this.post();
          return;
        case 'reveal':
        case 'run': {
          const entry = this.deps.pipelines.get(this.file);
          // Only stages of the pipeline shown: the page's word is not trusted for anything else.
          if (!entry?.result.pipeline?.stageByName.has(m.payload.stage)) return;
          const arg = { file: this.file, stage: m.payload.stage };
          if (m.type === 'reveal') await vscode.commands.executeCommand('mlci.revealStage', { ...arg, beside: true });
          else await vscode.commands.executeCommand('mlci.runStage', arg);
          return;
        }
        case 'rendered':
          return;
      }
    } catch (e) {
      void vscode.window.showErrorMessage(`mlci: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  dispose(): void {
    if (DagPanel.current === this) DagPanel.current = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

function titleOf(file: string): string {
  return `Graph: ${path.basename(file)}`;
}

/**
 * Registers the serializer (the panel comes back after a reload, on the
 * pipeline its state names). The manifest needs `onWebviewPanel:mlci.dagPanel`.
 */
export function registerDagPanel(context: vscode.ExtensionContext, deps: DagPanelDeps): vscode.Disposable[] {
  return [
    vscode.window.registerWebviewPanelSerializer(DAG_PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const file = (state as DagPanelState | undefined)?.path;
        if (typeof file !== 'string' || !path.isAbsolute(file)) {
          panel.dispose();
          return;
        }
        DagPanel.revive(panel, context.extensionUri, deps, file);
      },
    }),
    { dispose: () => DagPanel.current?.dispose() },
  ];
}
