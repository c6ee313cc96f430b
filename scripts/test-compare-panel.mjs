// The experiment comparison webview in REAL headless Chromium (no VS Code
// needed): builds the bundles, then runs the tests of
// test/ui/compare-panel.ui.ts (export `panelTests`) against the page the
// extension serves. Same harness as scripts/test-panels.mjs (scripts/lib/panel-suite.mjs).
//
//   node scripts/test-compare-panel.mjs [--no-build] [--grep PATTERN]
//
// Screenshots go to test-results/panels/compare-*.png; the last line is
// `N passed, N failed`; exit 0 only if every test passed.
import { runPanelSuite } from './lib/panel-suite.mjs';

await runPanelSuite({
  bundle: 'compare',
  testFile: 'test/ui/compare-panel.ui.ts',
  ownsShot: (f) => f.startsWith('compare-'),
  shotsHint: 'compare-*.png',
});
