/**
 * Messages that offer the next action ("Set Image Mapping", "Manage
 * Workspace Trust", "Initialize Repository"...) go through one seam, so the
 * extension-host tests can read what was said and pick an action; what the
 * action then does is real. `notifier.current` is the VS Code notification.
 */
import * as vscode from 'vscode';

export type NoticeKind = 'error' | 'warning' | 'info';

export interface Notifier {
  show(kind: NoticeKind, message: string, actions: string[]): Thenable<string | undefined>;
}

const vscodeNotifier: Notifier = {
  show(kind, message, actions) {
    const show = kind === 'error' ? vscode.window.showErrorMessage : kind === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    return show(message, ...actions);
  },
};

export const notifier: { current: Notifier } = { current: vscodeNotifier };

/** Shows `message` with `actions`; resolves to the action picked (undefined: dismissed). */
export function offer<A extends string>(kind: NoticeKind, message: string, ...actions: A[]): Promise<A | undefined> {
  return Promise.resolve(notifier.current.show(kind, message, actions)).then((pick) => (actions.includes(pick as A) ? (pick as A) : undefined));
}
