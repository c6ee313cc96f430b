/**
 * Colours and fonts from the --vscode-* CSS variables VS Code sets on the
 * webview's <html>, so charts follow the user's theme. Fallbacks keep a
 * page outside VS Code (tests, previews) legible.
 */

export interface ThemeColors {
  foreground: string;
  muted: string;
  grid: string;
  reference: string;
  current: string;
  drifted: string;
  fontFamily: string;
  fontSize: number;
}

export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

export function readTheme(): ThemeColors {
  return {
    foreground: cssVar('--vscode-foreground', '#cccccc'),
    muted: cssVar('--vscode-descriptionForeground', '#9d9d9d'),
    grid: cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', 'rgba(128,128,128,0.35)')),
    reference: cssVar('--vscode-charts-blue', '#3794ff'),
    current: cssVar('--vscode-charts-orange', '#d18616'),
    drifted: cssVar('--vscode-charts-red', '#f14c4c'),
    fontFamily: cssVar('--vscode-font-family', 'system-ui, sans-serif'),
    fontSize: Number.parseFloat(cssVar('--vscode-font-size', '13')) || 13,
  };
}

/** The colour with an alpha, for overlaid bars (accepts #rgb, #rrggbb, rgb(...)). */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})([0-9a-f]{2})?$/i.exec(color);
  if (hex) {
    const h = hex[1]!.length === 3 ? [...hex[1]!].map((c) => c + c).join('') : hex[1]!;
    const [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(h.slice(i, i + 2), 16));
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  const rgb = /^rgba?\(([^)]+)\)$/i.exec(color);
  if (rgb) {
    const [r, g, b] = rgb[1]!.split(',').map((s) => s.trim());
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  return color;
}

/** Calls back when VS Code switches theme (it changes the body's class and the variables). */
export function onThemeChange(callback: () => void): void {
  new MutationObserver(callback).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

/**
 * Adds a panel's own stylesheet (media/<file>) next to the shell's
 * panels.css: its address is the panels.css link's with the file name
 * changed (same origin, so the CSP's style-src allows it; no inline style).
 */
export function loadSiblingCss(file: string): void {
  const panels = document.querySelector<HTMLLinkElement>('link[rel="stylesheet"]');
  if (!panels || document.querySelector(`link[data-css="${CSS.escape(file)}"]`)) return;
  const url = new URL(panels.href);
  url.pathname = url.pathname.replace(/[^/]*$/, file);
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = url.toString();
  link.dataset.css = file;
  document.head.append(link);
}
