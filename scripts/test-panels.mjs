// Webview panels in REAL headless Chromium (no VS Code needed): builds the
// bundles, then runs the tests of test/ui/drift-panel.ui.ts (export
// `panelTests`) against the page the extension serves.
//
//   node scripts/test-panels.mjs [--no-build] [--grep PATTERN]
//
// Screenshots go to test-results/panels/ (printed at the end); the last line
// is `N passed, N failed`; exit 0 only if every test passed.
import { runPanelSuite } from './lib/panel-suite.mjs';

await runPanelSuite({
  bundle: 'drift',
  testFile: 'test/ui/drift-panel.ui.ts',
  // The comparison, graph and Plots suites write compare-*.png, dag-*.png and plots-*.png here too.
  ownsShot: (f) => !f.startsWith('compare-') && !f.startsWith('dag-') && !f.startsWith('plots-'),
  shotsHint: '',
});
