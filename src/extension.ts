// Placeholder until the extension lands (issue 4): keeps the manifest's main valid.
export function activate(): void {}
export function deactivate(): void {}
