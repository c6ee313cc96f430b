/**
 * Incremental validation for the editor: after an edit, the YAML layer
 * re-reads only the stage the edit falls in and splices it into the last
 * parse (data, position index, line starts); the schema, the model and the
 * semantic checks then run as in a full validation. The YAML layer is most
 * of a validation (~60% on 1,000 stages), and the checks read files (which
 * can change between keystrokes without the text changing), so they always
 * run: the result is the full validation's, by construction and by the
 * property test (test/unit/pipeline/incremental.test.ts).
 *
 * The splice is taken only when it cannot differ from a full parse:
 *  - the last parse took the fast path, with no YAML problem and no anchor
 *    (no alias can stand for the edited text elsewhere);
 *  - `stages` is a block mapping, and the edit lies inside one stage's
 *    lines after its `name:` (the key and the colon untouched);
 *  - the edited stage's lines, read alone, are one mapping entry with the
 *    same key, again with no anchor, and still end with a line break (the
 *    next stage's line is not pulled into it).
 * Anything else (a new stage, an edit in `defaults`, a YAML error) is a
 * full validation.
 */
import { fastParse } from './fast-parse';
import type { ParseResult } from './parse';
import { parsePipelineText } from './parse';
import type { NodeInfo } from './source';
import { childKey, lineStartsOf } from './source';
import type { ValidateInput, ValidateResult } from './validate';
import { validateParsed } from './validate';

/** What the next call needs from this one; opaque to callers. */
export interface IncrementalState {
  readonly file: string;
  readonly text: string;
  readonly parsed: ParseResult;
}

export interface IncrementalValidation {
  result: ValidateResult;
  state: IncrementalState;
  /** True when the last parse was reused (for tests and the bench). */
  reused: boolean;
}

/**
 * Validate `input`, reusing `previous` (the state the last call returned
 * for the same document) where the edit allows. The result equals
 * validatePipeline(input).
 */
export function validateIncremental(input: ValidateInput, previous?: IncrementalState): IncrementalValidation {
  let parsed: ParseResult | undefined;
  let reused = false;
  const result = validateParsed(input, () => {
    const spliced = previous && previous.file === input.file ? reparse(previous, input.text) : undefined;
    reused = spliced !== undefined;
    parsed = spliced ?? parsePipelineText(input.file, input.text);
    return parsed;
  });
  return { result, state: { file: input.file, text: input.text, parsed: parsed ?? parsePipelineText(input.file, input.text) }, reused };
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The parse of `text` built from the last one, or undefined when the edit needs a full parse. */
export function reparse(previous: IncrementalState, text: string): ParseResult | undefined {
  const old = previous.text;
  const { source, data, problems, anchors } = previous.parsed;
  if (!source || anchors !== 0 || problems.length > 0 || !isObj(data) || !isObj(data.stages)) return undefined;
  if (old === text) return previous.parsed;
  const stagesKey = childKey('', 'stages');
  const stagesInfo = source.index.get(stagesKey);
  if (!stagesInfo || stagesInfo.kind !== 'map' || stagesInfo.flow) return undefined;

  // The changed range: [from, oldTo) in the old text is [from, newTo) in the new one.
  const max = Math.min(old.length, text.length);
  let from = 0;
  while (from < max && old.charCodeAt(from) === text.charCodeAt(from)) from++;
  let tail = 0;
  while (tail < max - from && old.charCodeAt(old.length - 1 - tail) === text.charCodeAt(text.length - 1 - tail)) tail++;
  const oldTo = old.length - tail;
  const delta = text.length - old.length;

  // The stage whose lines hold the change: from its key's line start to the next stage's.
  const names = Object.keys(data.stages);
  const infos = names.map((n) => source.index.get(childKey(stagesKey, n)));
  let at = -1;
  for (let i = 0; i < names.length; i++) {
    const keyStart = infos[i]?.keyStart;
    if (keyStart === undefined || keyStart > from) break;
    at = i;
  }
  if (at < 0) return undefined;
  const info = infos[at]!;
  const blockStart = old.lastIndexOf('\n', info.keyStart! - 1) + 1;
  if (old.slice(blockStart, info.keyStart!).trim() !== '') return undefined;
  // The key and its colon are unchanged.
  if (from <= info.keyEnd!) return undefined;
  let blockEnd: number;
  if (at + 1 < names.length) {
    const next = infos[at + 1];
    if (next?.keyStart === undefined) return undefined;
    blockEnd = old.lastIndexOf('\n', next.keyStart - 1) + 1;
  } else {
    const nl = old.indexOf('\n', info.end);
    blockEnd = nl < 0 ? old.length : nl + 1;
  }
  if (oldTo > blockEnd || blockEnd <= blockStart) return undefined;
  const newBlockEnd = blockEnd + delta;
  // The stage's lines still end with a line break (or the file ends there).
  if (newBlockEnd < text.length && text.charCodeAt(newBlockEnd - 1) !== 10) return undefined;

  const name = names[at]!;
  const sub = fastParse(text.slice(blockStart, newBlockEnd));
  if (!sub || sub.anchors !== 0 || sub.openEnded || !isObj(sub.data)) return undefined;
  const subKeys = Object.keys(sub.data);
  if (subKeys.length !== 1 || subKeys[0] !== name) return undefined;

  // The new index: the old one with the stage's entries replaced (in their
  // place, so the order is a full parse's) and later offsets shifted.
  const stageKey = childKey(stagesKey, name);
  const inStage = (k: string) => k.startsWith(stageKey) && (k.length === stageKey.length || k.charCodeAt(stageKey.length) === 1);
  const shift = (o: number | undefined) => (o !== undefined && o >= oldTo ? o + delta : o);
  const isLast = at === names.length - 1;
  const index = new Map<string, NodeInfo>();
  let inserted = false;
  let newStageEnd = 0;
  for (const [k, n] of source.index) {
    if (inStage(k)) {
      if (inserted) continue;
      inserted = true;
      for (const [sk, sn] of sub.index) {
        if (sk === '') continue;
        const moved: NodeInfo = { ...sn, start: sn.start + blockStart, end: sn.end + blockStart };
        if (sn.keyStart !== undefined) moved.keyStart = sn.keyStart + blockStart;
        if (sn.keyEnd !== undefined) moved.keyEnd = sn.keyEnd + blockStart;
        if (sk === childKey('', name)) newStageEnd = moved.end;
        index.set(stagesKey + sk, moved);
      }
      continue;
    }
    if (n.start < oldTo && n.end < oldTo && (n.keyStart ?? 0) < oldTo) {
      index.set(k, n);
      continue;
    }
    const moved: NodeInfo = { ...n, start: shift(n.start)!, end: shift(n.end)! };
    if (n.keyStart !== undefined) moved.keyStart = shift(n.keyStart);
    if (n.keyEnd !== undefined) moved.keyEnd = shift(n.keyEnd);
    index.set(k, moved);
  }
  // A block mapping ends where its last entry ends: the last stage's new
  // end carries to `stages` and, when `stages` is the last key, the root.
  if (isLast) {
    const st = index.get(stagesKey)!;
    index.set(stagesKey, { ...st, end: newStageEnd });
    const top = Object.keys(data);
    const root = index.get('');
    if (root && top[top.length - 1] === 'stages') index.set('', { ...root, end: newStageEnd });
  }

  const stages: Obj = {};
  for (const n of names) stages[n] = n === name ? sub.data[name] : data.stages[n];
  return {
    source: { file: source.file, text, lineStarts: lineStartsOf(text), index },
    data: { ...data, stages },
    problems: [],
    anchors: 0,
  };
}
