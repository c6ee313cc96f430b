/**
 * Saving what a panel exports (a chart as PNG, a table as CSV): the page is
 * not trusted to name files or types, so PNG data is checked by its
 * signature and names are reduced to safe characters; the user picks where
 * in a save dialog.
 */
import * as vscode from 'vscode';

/** The PNG bytes of a `data:image/png;base64,` URL; undefined for anything else (the page is not trusted to name files or types). */
export function decodePngDataUrl(dataUrl: string): Uint8Array | undefined {
  const m = /^data:image\/png;base64,([A-Za-z0-9+/]*={0,2})$/.exec(dataUrl);
  if (!m) return undefined;
  const bytes = Buffer.from(m[1]!, 'base64');
  // The PNG signature: refuse base64 that decodes to something else.
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return bytes.length > 8 && signature.every((b, i) => bytes[i] === b) ? new Uint8Array(bytes) : undefined;
}

/** A chart name as a file name: letters, digits, dash and underscore only. */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 60) || 'chart';
}

export async function saveExport(defaultName: string, filters: Record<string, string[]>, bytes: Uint8Array): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    filters,
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, defaultName) } : {}),
  });
  if (!target) return; // cancelled
  await vscode.workspace.fs.writeFile(target, bytes);
  void vscode.window.showInformationMessage(`mlci: saved ${vscode.workspace.asRelativePath(target)}`);
}


/** A chart the page sent as a PNG data: URL, saved where the user says (refused when it is not a PNG). */
export async function savePngExport(dataUrl: string, name: string, what = 'chart'): Promise<void> {
  const png = decodePngDataUrl(dataUrl);
  if (!png) {
    void vscode.window.showErrorMessage(`mlci: the ${what} did not come back as a PNG image.`);
    return;
  }
  await saveExport(`${safeName(name)}.png`, { 'PNG image': ['png'] }, png);
}
