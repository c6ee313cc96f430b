/**
 * What every mlci webview panel sets the same way: scripts on, only media/
 * reachable from the page, and the HTML shell (panel-html.ts) with a fresh
 * nonce on each render, loading media/webview/<bundle>.js and panels.css.
 */
import * as vscode from 'vscode';
import { newNonce, panelHtml } from './panel-html';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  // State survives through setState and the panels' serializers.
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')] };
}

/** A fresh HTML (and nonce); the page then says 'ready' again. A panel's own CSS is added by its page next to panels.css. */
export function setPanelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: string, title: string): void {
  const media = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', ...p)).toString();
  webview.html = panelHtml({ cspSource: webview.cspSource, scriptUri: media('webview', `${bundle}.js`), styleUri: media('panels.css'), title, nonce: newNonce() });
}
