/**
 * The HTML shell of a webview panel. Pure (no vscode import) so the Chromium
 * tests load exactly the page the extension serves, with the same CSP:
 * nothing but our nonce'd script and the webview's own resources; chart.js
 * draws with canvas and needs neither eval nor inline styles.
 */
import { randomBytes } from 'node:crypto';

export interface PanelHtmlOptions {
  /** webview.cspSource: the origin asWebviewUri resources come from. */
  cspSource: string;
  /** asWebviewUri of the bundle (media/webview/<name>.js) and the stylesheet. */
  scriptUri: string;
  styleUri: string;
  title: string;
  /** A fresh one per render (newNonce()). */
  nonce: string;
}

/** 128 random bits, base64: a nonce is only worth something if nobody can guess it. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ') + ';';
}

function attr(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

export function panelHtml(o: PanelHtmlOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(panelCsp(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.styleUri)}" nonce="${attr(o.nonce)}">
<title>${attr(o.title)}</title>
</head>
<body>
<main id="root" aria-live="polite"><p class="loading">Loading the drift report…</p></main>
<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}
