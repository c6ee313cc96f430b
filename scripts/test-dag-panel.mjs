// The pipeline graph webview in REAL headless Chromium (no VS Code needed):
// builds the bundles, then runs the tests of test/ui/dag-panel.ui.ts (export
// `panelTests`) against the page the extension serves. Same harness as
// scripts/test-panels.mjs (scripts/lib/panel-suite.mjs).
//
//   node scripts/test-dag-panel.mjs [--no-build] [--grep PATTERN]
//
// Screenshots go to test-results/panels/dag-*.png; the last line is
// `N passed, N failed`; exit 0 only if every test passed.
import { runPanelSuite } from './lib/panel-suite.mjs';

await runPanelSuite({
  bundle: 'dag',
  testFile: 'test/ui/dag-panel.ui.ts',
  ownsShot: (f) => f.startsWith('dag-'),
  shotsHint: 'dag-*.png',
});
