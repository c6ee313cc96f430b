/**
 * Text edits for quick fixes that add to the pipeline file: they respect
 * the style already written (flow `[a, b]` or block `- a` lists) so the
 * result reads as if the user had typed it.
 */
import { isSeq } from 'yaml';
import type { Fix } from '../../problems';
import type { JsonPath, PipelineSource } from '../source';
import { nodeAt } from '../source';

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function indentAt(text: string, offset: number): string {
  const ls = lineStart(text, offset);
  return text.slice(ls, offset).replace(/\S.*$/, '');
}

/** Append `item` to the list at `listPath`, or create the key on the map at `mapPath`. */
export function appendToListFix(src: PipelineSource, mapPath: JsonPath, key: string, item: string, title: string): Fix | undefined {
  const list = nodeAt(src, [...mapPath, key]);
  const { text } = src;
  if (list && isSeq(list) && list.range) {
    if (list.flow) {
      // Insert before the closing bracket, after the last item if any.
      const close = text.lastIndexOf(']', list.range[1]);
      if (close < 0) return undefined;
      const last = list.items[list.items.length - 1] as { range?: [number, number, number] } | undefined;
      const at = last?.range ? last.range[1] : close;
      return { title, edits: [{ start: at, end: at, text: last ? `, ${item}` : item }], preferred: true };
    }
    const last = list.items[list.items.length - 1] as { range?: [number, number, number] } | undefined;
    if (!last?.range) return undefined;
    const dash = text.lastIndexOf('-', last.range[0]);
    const indent = indentAt(text, dash);
    return { title, edits: [{ start: last.range[1], end: last.range[1], text: `\n${indent}- ${item}` }], preferred: true };
  }
  if (list) return undefined; // not a list: the schema already complains
  // No such key: add it as the first key of the map, with the map's indentation.
  const map = nodeAt(src, mapPath) as { items?: Array<{ key?: { range?: [number, number, number] } }>; flow?: boolean } | undefined;
  const firstKey = map?.items?.[0]?.key?.range;
  if (!firstKey || map?.flow) return undefined; // a flow-style stage: leave the edit to the user
  const indent = indentAt(text, firstKey[0]);
  return { title, edits: [{ start: firstKey[0], end: firstKey[0], text: `${key}: [${item}]\n${indent}` }], preferred: true };
}
