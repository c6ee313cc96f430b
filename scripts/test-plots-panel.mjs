// The Plots webview in REAL headless Chromium (no VS Code needed): builds
// the bundles, then runs the tests of test/ui/plots-panel.ui.ts (export
// `panelTests`) against the page the extension serves (scripts/lib/panel-suite.mjs).
//
//   node scripts/test-plots-panel.mjs [--no-build] [--grep PATTERN]
//
// Screenshots go to test-results/panels/plots-*.png; the last line is
// `N passed, N failed`; exit 0 only if every test passed.
import { runPanelSuite } from './lib/panel-suite.mjs';

await runPanelSuite({
  bundle: 'plots',
  testFile: 'test/ui/plots-panel.ui.ts',
  ownsShot: (f) => f.startsWith('plots-'),
  shotsHint: 'plots-*.png',
});
