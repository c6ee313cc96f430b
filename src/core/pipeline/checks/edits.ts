/**
 * Text edits for quick fixes that add to the pipeline file: they respect
 * the style already written (flow `[a, b]` or block `- a` lists) so the
 * result reads as if the user had typed it.
 */
import type { Fix } from '../../problems';
import type { JsonPath, PipelineSource } from '../source';
import { nodeInfo, pathKey } from '../source';

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function indentAt(text: string, offset: number): string {
  const ls = lineStart(text, offset);
  return text.slice(ls, offset).replace(/\S.*$/, '');
}

/** Append `items` to the list at `mapPath`.`key`, or create the key on the map at `mapPath`. */
export function appendToListFix(src: PipelineSource, mapPath: JsonPath, key: string, items: string | string[], title: string): Fix | undefined {
  const list_ = typeof items === 'string' ? [items] : items;
  const item = list_.join(', ');
  const listPath = [...mapPath, key];
  const list = nodeInfo(src, listPath);
  const { text } = src;
  if (list?.kind === 'seq') {
    const last = list.count ? nodeInfo(src, [...listPath, list.count - 1]) : undefined;
    if (list.flow) {
      // Insert before the closing bracket, after the last item if any.
      const close = text.lastIndexOf(']', list.end);
      if (close < list.start) return undefined;
      const at = last ? last.end : close;
      return { title, edits: [{ start: at, end: at, text: last ? `, ${item}` : item }], preferred: true };
    }
    if (!last) return undefined;
    const dash = text.lastIndexOf('-', last.start);
    const indent = indentAt(text, dash);
    return { title, edits: [{ start: last.end, end: last.end, text: list_.map((i) => `\n${indent}- ${i}`).join('') }], preferred: true };
  }
  if (list) return undefined; // not a list: the schema already complains
  // No such key: add it as the first key of the map, with the map's indentation.
  const map = nodeInfo(src, mapPath);
  if (!map || map.kind !== 'map' || map.flow || !map.count) return undefined; // a flow-style stage: leave the edit to the user
  let firstKey = Infinity;
  for (const [k, info] of src.index) {
    if (info.keyStart !== undefined && k.startsWith(pathKey(mapPath)) && k.lastIndexOf('\u0001') === pathKey(mapPath).length) firstKey = Math.min(firstKey, info.keyStart);
  }
  if (!Number.isFinite(firstKey)) return undefined;
  const indent = indentAt(text, firstKey);
  return { title, edits: [{ start: firstKey, end: firstKey, text: `${key}: [${item}]\n${indent}` }], preferred: true };
}
