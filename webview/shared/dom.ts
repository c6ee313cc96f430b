/**
 * DOM building that never parses markup: every string goes through
 * textContent or a typed property, so names taken from data files (a column
 * called `<img onerror=...>`) stay text. innerHTML is not used anywhere.
 */

type Attrs = Record<string, string | undefined>;

/** An element with text (textContent) and attributes set one by one. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { class?: string; text?: string; attrs?: Attrs } = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [k, v] of Object.entries(props.attrs ?? {})) {
    // setAttribute('style') and on* handlers would bypass the CSP's intent: refuse them.
    if (v === undefined || k === 'style' || k.toLowerCase().startsWith('on')) continue;
    node.setAttribute(k, v);
  }
  for (const c of children) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return node;
}

/** Escapes text for the rare place that needs a markup string (not used for the DOM here). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

/** Removes every child (cheaper and clearer than innerHTML = ''). */
export function clear(node: Element): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}
