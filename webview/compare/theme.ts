/**
 * The comparison's colours (shared/theme.ts plus better/worse/selected from
 * the --vscode-charts-* palette) and its stylesheet. The shell links only
 * panels.css; media/compare.css sits next to it, so its address is the
 * panels.css link's with the file name changed (same origin: the CSP's
 * style-src allows it, no inline style needed).
 */
import { loadSiblingCss, readTheme } from '../shared/theme';
import type { CompareTheme } from './charts';

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export function readCompareTheme(): CompareTheme {
  return {
    ...readTheme(),
    better: cssVar('--vscode-charts-green', '#89d185'),
    worse: cssVar('--vscode-charts-red', '#f14c4c'),
    selected: cssVar('--vscode-charts-yellow', '#cca700'),
  };
}

export function loadCompareCss(): void {
  loadSiblingCss('compare.css');
}
