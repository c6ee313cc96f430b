/**
 * The drift report panel: one instance, shown again rather than duplicated
 * (webview-sample's createOrShow/revive/dispose). The webview asks for data
 * with 'ready'; the panel answers with the report. A serializer revives the
 * panel after a reload from the state the webview saved.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { parseDriftReport } from '../../../core/drift/report/json';
import { checkDriftReport } from '../../../core/drift/report/validate';
import type { DriftPanelError, DriftPanelFromWebview, DriftPanelReport, DriftPanelState, DriftPanelToWebview } from '../../../protocol/drift-panel';
import { setPanelHtml, webviewOptions } from './webview-panel';

export const DRIFT_PANEL_VIEW_TYPE = 'mlci.driftPanel';

type Payload = Extract<DriftPanelToWebview, { type: 'report' }>['payload'];

export class DriftPanel {
  static current: DriftPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;

  /** Shows the report in the panel, creating the panel if there is none. */
  static createOrShow(extensionUri: vscode.Uri, report: DriftPanelReport, title: string, source?: string): DriftPanel {
    return DriftPanel.showMessage(extensionUri, { type: 'report', payload: { report, title, ...(source ? { source } : {}) } });
  }

  /** Shows why a report cannot be shown (the file and what is wrong), in the panel itself. */
  static showError(extensionUri: vscode.Uri, error: DriftPanelError): DriftPanel {
    return DriftPanel.showMessage(extensionUri, { type: 'error', payload: error });
  }

  private static showMessage(extensionUri: vscode.Uri, message: DriftPanelToWebview): DriftPanel {
    if (DriftPanel.current) {
      DriftPanel.current.panel.reveal(DriftPanel.current.panel.viewColumn ?? vscode.ViewColumn.Active);
      DriftPanel.current.show(message);
      return DriftPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(DRIFT_PANEL_VIEW_TYPE, message.payload.title, vscode.ViewColumn.Active, webviewOptions(extensionUri));
    return (DriftPanel.current = new DriftPanel(panel, extensionUri, message));
  }

  /** For the serializer: VS Code hands back the panel and the webview's saved state. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, payload: Payload | undefined): DriftPanel {
    panel.webview.options = webviewOptions(extensionUri);
    DriftPanel.current?.dispose();
    return (DriftPanel.current = new DriftPanel(panel, extensionUri, payload && { type: 'report', payload }));
  }

  private constructor(readonly panel: vscode.WebviewPanel, private readonly extensionUri: vscode.Uri, private message: DriftPanelToWebview | undefined) {
    this.panel.onDidDispose(() => this.dispose(), null, this.disposables);
    this.panel.webview.onDidReceiveMessage((m: DriftPanelFromWebview) => void this.onMessage(m), null, this.disposables);
    this.render();
  }

  show(message: DriftPanelToWebview): void {
    this.message = message;
    this.panel.title = message.payload.title;
    if (this.ready) void this.post();
  }

  /** A fresh HTML (and nonce) each time; the webview then says 'ready' again. */
  private render(): void {
    this.ready = false;
    setPanelHtml(this.panel.webview, this.extensionUri, 'drift', this.message?.payload.title ?? 'Drift report');
  }

  private async post(): Promise<void> {
    if (this.message) await this.panel.webview.postMessage(this.message);
  }

  private async onMessage(m: DriftPanelFromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        await this.post();
        return;
      case 'openFile':
        await openReportFile(m.payload.path, this.message?.type === 'report' ? this.message.payload.source : undefined);
        return;
      case 'rendered':
        return;
    }
  }

  dispose(): void {
    if (DriftPanel.current === this) DriftPanel.current = undefined;
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

/**
 * Report paths are relative to the pipeline folder, which holds the report
 * file somewhere below it: try the report's folder and its parents, then
 * the workspace folders. Only existing files are opened.
 */
async function openReportFile(file: string, source: string | undefined): Promise<void> {
  const candidates: string[] = [];
  if (path.isAbsolute(file)) candidates.push(file);
  else {
    for (let dir = source ? path.dirname(source) : undefined; dir; ) {
      candidates.push(path.join(dir, file));
      const up = path.dirname(dir);
      dir = up === dir ? undefined : up;
    }
    for (const f of vscode.workspace.workspaceFolders ?? []) candidates.push(path.join(f.uri.fsPath, file));
  }
  for (const c of candidates) {
    const uri = vscode.Uri.file(c);
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      continue;
    }
    await vscode.window.showTextDocument(uri, { preview: true });
    return;
  }
  void vscode.window.showWarningMessage(`mlci: cannot find ${file}`);
}

/** Reads a drift report file (format version 1, else an Error naming the problem). */
export async function readDriftReport(file: vscode.Uri): Promise<DriftPanelReport> {
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
  return parseDriftReport(text) as DriftPanelReport;
}

/**
 * The body of `mlci.showDriftReport`: opens a report file in the panel. A
 * file that is not a valid report (wrong version, wrong shape or types)
 * opens the panel on an error naming the file and what is wrong, never a
 * panel waiting for a report it cannot draw.
 */
export async function showDriftReportFromFile(extensionUri: vscode.Uri, file: string | vscode.Uri): Promise<DriftPanel> {
  const uri = typeof file === 'string' ? vscode.Uri.file(file) : file;
  const title = `Drift: ${path.basename(uri.fsPath)}`;
  let report: DriftPanelReport;
  try {
    report = await readDriftReport(uri);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const shown = vscode.workspace.asRelativePath(uri);
    void vscode.window.showErrorMessage(`mlci: ${shown}: ${message}`);
    return DriftPanel.showError(extensionUri, { title, file: shown, message });
  }
  return DriftPanel.createOrShow(extensionUri, report, title, uri.fsPath);
}

/** A drift stage, for Show Drift Report. */
export interface DriftStageTarget {
  /** The pipeline file (mlci.runStage's `file`). */
  pipelineFile: string;
  root: string;
  stage: string;
  /** The stage's `drift.report` file, relative to `root`. */
  reportFile?: string;
  /** The stage's report in the pipeline's last run, if that run had it. */
  fromLastRun(): { report: unknown; runId: string } | undefined;
}

/**
 * Show Drift Report for a drift stage: the report of the last run, else the
 * stage's report file. Before the stage has ever run there is neither: the
 * user is told so, with a Run Stage action that runs it and then shows the
 * report it made (a missing file is never shown as an ENOENT error).
 */
export async function showStageDriftReport(extensionUri: vscode.Uri, t: DriftStageTarget, offerRun = true): Promise<DriftPanel | undefined> {
  const last = t.fromLastRun();
  if (last) {
    const title = `Drift: ${t.stage} (run ${last.runId})`;
    try {
      return DriftPanel.createOrShow(extensionUri, checkDriftReport(last.report) as DriftPanelReport, title);
    } catch (e) {
      const file = `the report of stage ${t.stage} in run ${last.runId}`;
      return DriftPanel.showError(extensionUri, { title, file, message: e instanceof Error ? e.message : String(e) });
    }
  }
  if (t.reportFile) {
    const uri = vscode.Uri.file(path.resolve(t.root, t.reportFile));
    const exists = await Promise.resolve(vscode.workspace.fs.stat(uri)).then(() => true, () => false);
    if (exists) return showDriftReportFromFile(extensionUri, uri);
  }
  if (!offerRun) return undefined; // the run just made wrote no report: the run's own message says why
  const missing = t.reportFile ? ` (${t.reportFile} is not there yet)` : '';
  const pick = await vscode.window.showInformationMessage(`Stage ${t.stage} has not run yet, so there is no drift report${missing}. Run it to compute one.`, 'Run Stage');
  if (pick !== 'Run Stage') return undefined;
  await vscode.commands.executeCommand('mlci.runStage', { file: t.pipelineFile, stage: t.stage });
  return showStageDriftReport(extensionUri, t, false);
}

/**
 * Registers the serializer (panels come back after a reload). The manifest
 * needs `onWebviewPanel:mlci.driftPanel` for VS Code to activate us for it.
 */
export function registerDriftPanel(context: vscode.ExtensionContext): vscode.Disposable[] {
  return [
    vscode.window.registerWebviewPanelSerializer(DRIFT_PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const last = revivePayload(state);
        // Prefer the file as it is now; the saved copy stands in when it is gone.
        let payload = last;
        if (last?.source) {
          try {
            payload = { ...last, report: await readDriftReport(vscode.Uri.file(last.source)) };
          } catch {
            payload = last;
          }
        }
        DriftPanel.revive(panel, context.extensionUri, payload);
      },
    }),
    { dispose: () => DriftPanel.current?.dispose() },
  ];
}

/** The webview's saved state (JSON, non-finite numbers as strings) back to a payload; a saved report that fails the check is dropped. */
function revivePayload(state: unknown): Payload | undefined {
  const last = (state as Partial<DriftPanelState> | undefined)?.last;
  if (!last || typeof last !== 'object' || typeof last.title !== 'string') return undefined;
  try {
    return { ...last, report: checkDriftReport(JSON.parse(JSON.stringify(last.report))) as DriftPanelReport };
  } catch {
    return undefined;
  }
}
