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
import { childKey } from './source';
import { SplicedIndex } from './spliced-index';
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
  // 256 characters at a time (a string compare), then one at a time.
  while (from + 256 <= max && old.slice(from, from + 256) === text.slice(from, from + 256)) from += 256;
  while (from < max && old.charCodeAt(from) === text.charCodeAt(from)) from++;
  let tail = 0;
  while (tail + 256 <= max - from && old.slice(old.length - tail - 256, old.length - tail) === text.slice(text.length - tail - 256, text.length - tail)) tail += 256;
  while (tail < max - from && old.charCodeAt(old.length - 1 - tail) === text.charCodeAt(text.length - 1 - tail)) tail++;
  const oldTo = old.length - tail;
  const delta = text.length - old.length;

  // The stage whose lines hold the change (keys are in text order: binary search).
  const names = Object.keys(data.stages);
  const keyStartOf = (i: number) => source.index.get(childKey(stagesKey, names[i]!))?.keyStart;
  let lo = 0;
  let hi = names.length - 1;
  if (hi < 0) return undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    const ks = keyStartOf(mid);
    if (ks === undefined) return undefined;
    if (ks <= from) lo = mid;
    else hi = mid - 1;
  }
  const at = lo;
  const info = source.index.get(childKey(stagesKey, names[at]!));
  if (info?.keyStart === undefined || info.keyStart > from) return undefined;
  const blockStart = old.lastIndexOf('\n', info.keyStart - 1) + 1;
  if (old.slice(blockStart, info.keyStart).trim() !== '') return undefined;
  // The key and its colon are unchanged.
  if (from <= info.keyEnd!) return undefined;
  let blockEnd: number;
  if (at + 1 < names.length) {
    const next = keyStartOf(at + 1);
    if (next === undefined) return undefined;
    blockEnd = old.lastIndexOf('\n', next - 1) + 1;
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
  const added = new Map<string, NodeInfo>();
  let newStageEnd = 0;
  for (const [sk, sn] of sub.index) {
    if (sk === '') continue;
    const moved: NodeInfo = { ...sn, start: sn.start + blockStart, end: sn.end + blockStart };
    if (sn.keyStart !== undefined) moved.keyStart = sn.keyStart + blockStart;
    if (sn.keyEnd !== undefined) moved.keyEnd = sn.keyEnd + blockStart;
    if (sk === childKey('', name)) newStageEnd = moved.end;
    added.set(stagesKey + sk, moved);
  }
  // A block mapping ends where its last entry ends: the last stage's new
  // end carries to `stages` and, when `stages` is the last key, the root.
  const overrides = new Map<string, NodeInfo>();
  if (at === names.length - 1) {
    overrides.set(stagesKey, { ...stagesInfo, end: newStageEnd });
    const top = Object.keys(data);
    const root = source.index.get('');
    if (root && top[top.length - 1] === 'stages') overrides.set('', { ...root, end: newStageEnd });
  }
  const index = SplicedIndex.of(source.index, {
    replaced: (k) => k.startsWith(stageKey) && (k.length === stageKey.length || k.charCodeAt(stageKey.length) === 1),
    added,
    overrides,
    from: oldTo,
    delta,
  });

  const stages: Obj = {};
  for (const n of names) stages[n] = n === name ? sub.data[name] : data.stages[n];
  return {
    source: { file: source.file, text, lineStarts: spliceLineStarts(source.lineStarts, text, from, oldTo, delta), index },
    data: { ...data, stages },
    problems: [],
    anchors: 0,
  };
}

/**
 * Line starts of the new text from the old ones: lines starting at or
 * before `from` are unchanged, those in the edit are found again, later
 * ones move by `delta`.
 */
function spliceLineStarts(old: number[], text: string, from: number, oldTo: number, delta: number): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < old.length && old[i]! <= from) out.push(old[i++]!);
  const newTo = oldTo + delta;
  for (let q = text.indexOf('\n', from); q >= 0 && q < newTo; q = text.indexOf('\n', q + 1)) out.push(q + 1);
  while (i < old.length && old[i]! <= oldTo) i++;
  while (i < old.length) out.push(old[i++]! + delta);
  return out;
}
