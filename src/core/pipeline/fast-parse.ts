/**
 * The fast path: js-yaml's event parser (positions on every event, about
 * ten times faster than building a `yaml` Document) turned into plain data
 * and the position index in one pass. It handles the YAML that pipeline
 * files use: block and flow collections, all scalar styles, anchors,
 * aliases and `<<` merges. Anything else it declines (returns undefined)
 * and the `yaml` path takes over: syntax errors, duplicate keys, tags,
 * complex keys, plain keys that are not strings, several documents, heavy
 * alias use (test/unit/pipeline/readers-agree.test.ts checks both paths
 * give the same data on what the fast path accepts). That path recovers
 * from errors and reports all of them, which matters more than speed once
 * a file is broken.
 *
 * Plain scalars resolve with the YAML 1.2 core schema, as `yaml` does.
 */
import { parseEvents, getScalarValue } from 'js-yaml';
import type { NodeInfo } from './source';
import { pythonTextOfSource, setPythonText } from './python-text';
import { RESERVED_KEY } from './reserved-key';
import { childKey } from './source';

const DOCUMENT = 1;
const SEQUENCE = 2;
const MAPPING = 3;
const SCALAR = 4;
const ALIAS = 5;
const POP = 6;
const PLAIN = 1;
const SINGLE = 2;
const DOUBLE = 3;
const LITERAL = 4;
const FOLDED = 5;
const FLOW = 2;

interface ScalarEv { type: 4; valueStart: number; valueEnd: number; anchorStart: number; anchorEnd: number; tagStart: number; style: number }
interface CollEv { type: 2 | 3; start: number; anchorStart: number; anchorEnd: number; tagStart: number; style: number }
interface AliasEv { type: 5; anchorStart: number; anchorEnd: number }
type Ev = { type: 1 } | { type: 6 } | ScalarEv | CollEv | AliasEv;

const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/** YAML 1.2 core schema resolution of a plain scalar. */
export function resolvePlain(s: string): unknown {
  switch (s) {
    case '': case '~': case 'null': case 'Null': case 'NULL': return null;
    case 'true': case 'True': case 'TRUE': return true;
    case 'false': case 'False': case 'FALSE': return false;
    case '.inf': case '.Inf': case '.INF': case '+.inf': case '+.Inf': case '+.INF': return Infinity;
    case '-.inf': case '-.Inf': case '-.INF': return -Infinity;
    case '.nan': case '.NaN': case '.NAN': return NaN;
  }
  const c = s.charCodeAt(0);
  // Only strings starting like a number can be one.
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
    if (INT.test(s)) return Number(s);
    if (/^0o[0-7]+$/.test(s)) return parseInt(s.slice(2), 8);
    if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
    if (FLOAT.test(s)) return Number(s);
  }
  return s;
}

interface MapFrame {
  kind: 'map';
  obj: Record<string, unknown>;
  key: string;
  info: NodeInfo;
  /** The pending key, once read. */
  pending?: { name: string; start: number; end: number; plain: boolean };
  seen: Set<string>;
  merges: unknown[];
  lastEnd: number;
}
interface SeqFrame {
  kind: 'seq';
  arr: unknown[];
  key: string;
  info: NodeInfo;
  lastEnd: number;
}
type Frame = MapFrame | SeqFrame;

export interface FastParse {
  data: unknown;
  index: Map<string, NodeInfo>;
  /** Anchors defined (`&name`): with none, no part of the document stands for another (incremental.ts relies on it). */
  anchors: number;
  /**
   * A range search ran off the end (or start) of the text: a flow
   * collection's closing bracket or an empty value's colon not found. Read
   * as part of a longer text, the same lines could get other ranges.
   */
  openEnded: boolean;
}

const MAX_ALIASES = 1000;

export function fastParse(text: string): FastParse | undefined {
  let events: Ev[];
  try {
    events = parseEvents(text, {}) as unknown as Ev[];
  } catch {
    return undefined;
  }
  const index = new Map<string, NodeInfo>();
  const anchors = new Map<string, unknown>();
  /** Where each anchor's node is indexed, so problems under an alias can point at the anchored text. */
  const anchorKeys = new Map<string, string>();
  const stack: Frame[] = [];
  let root: unknown = undefined;
  let docs = 0;
  let aliasUses = 0;
  let openEnded = false;

  // Place a finished value into the parent; returns false to decline.
  const place = (value: unknown, info: NodeInfo | undefined): boolean => {
    const parent = stack[stack.length - 1];
    if (!parent) {
      root = value;
      if (info) index.set('', info);
      return true;
    }
    // Content inside a `<<` merge source is not indexed (see source.ts).
    const indexed = info && parent.key.charCodeAt(0) !== 2;
    if (parent.kind === 'seq') {
      const i = parent.arr.length;
      parent.arr.push(value);
      if (indexed) index.set(childKey(parent.key, i), info);
      if (info) parent.lastEnd = info.end;
      return true;
    }
    const k = parent.pending!;
    parent.pending = undefined;
    if (info) parent.lastEnd = info.end;
    if (k.name === '<<' && k.plain) {
      parent.merges.push(value);
      return true;
    }
    parent.obj[k.name] = value;
    if (indexed) index.set(childKey(parent.key, k.name), { ...info, keyStart: k.start, keyEnd: k.end });
    return true;
  };

  const pathOfNew = (): string | undefined => {
    const parent = stack[stack.length - 1];
    if (!parent) return '';
    if (parent.kind === 'seq') return childKey(parent.key, parent.arr.length);
    return parent.pending!.name === '<<' && parent.pending!.plain ? undefined : childKey(parent.key, parent.pending!.name);
  };

  // An anchor name defined twice is declined: an alias means the latest definition
  // by position, but a collection's value is complete (and recorded) only at its end.
  const definedAnchors = new Set<string>();
  const defineAnchor = (name: string): boolean => {
    if (definedAnchors.has(name)) return false;
    definedAnchors.add(name);
    return true;
  };

  for (const ev of events) {
    switch (ev.type) {
      case DOCUMENT:
        if (++docs > 1) return undefined;
        break;
      case SCALAR: {
        if (ev.tagStart !== -1) return undefined;
        const raw = getScalarValue(text, ev as never);
        const parent = stack[stack.length - 1];
        // A scalar where a mapping expects a key is the key.
        if (parent?.kind === 'map' && !parent.pending) {
          // A plain key that is not a string in the core schema (`~`, `01`, `1.0`, `true`) is
          // declined: `yaml` names it by its value ("", "1", "1", "true") and finds `1:` and
          // `01:` to be the same key; one reader decides what such keys mean.
          if (ev.style === PLAIN && typeof resolvePlain(raw) !== 'string') return undefined;
          if (parent.seen.has(raw)) return undefined; // duplicate key: the yaml path reports it
          if (raw === RESERVED_KEY) return undefined; // reported by the yaml path
          parent.seen.add(raw);
          const quoted = ev.style === SINGLE || ev.style === DOUBLE;
          parent.pending = { name: raw, start: ev.valueStart - (quoted ? 1 : 0), end: ev.valueEnd + (quoted ? 1 : 0), plain: ev.style === PLAIN };
          if (ev.anchorStart !== -1) return undefined;
          break;
        }
        const value = ev.style === PLAIN ? resolvePlain(raw) : raw;
        if (ev.anchorStart !== -1) {
          const name = text.slice(ev.anchorStart, ev.anchorEnd);
          if (!defineAnchor(name)) return undefined;
          anchors.set(name, value);
          const key = pathOfNew();
          if (key !== undefined) anchorKeys.set(name, key);
        }
        // Ranges as the `yaml` path reports them: quotes and block indicators included.
        let start = ev.valueStart;
        let end = ev.valueEnd;
        if (start < 0) {
          // An empty value (`key:`): a zero-width range after the colon.
          const p = parent?.kind === 'map' ? parent.pending?.end : parent?.lastEnd;
          const colon = p !== undefined && parent?.kind === 'map' ? text.indexOf(':', p) : 0;
          if (colon < 0) openEnded = true;
          start = end = p === undefined ? 0 : parent?.kind === 'map' ? colon + 1 || p : p;
          if (parent?.kind === 'map' && text[start] === ' ') start = end = start + 1;
        } else if (ev.style === SINGLE || ev.style === DOUBLE) {
          start--;
          end++;
        } else if (ev.style === LITERAL || ev.style === FOLDED) {
          start = Math.max(text.lastIndexOf('|', ev.valueStart), text.lastIndexOf('>', ev.valueStart));
          if (start < 0) openEnded = true;
          end = text.slice(0, ev.valueEnd).trimEnd().length;
        }
        // Python's text of 1.0 or a 20-digit integer, which the number alone loses (python-text.ts).
        const pyText = typeof value === 'number' && Number.isFinite(value) ? pythonTextOfSource(raw, value) : undefined;
        const holder = parent?.kind === 'map' ? parent.obj : parent?.kind === 'seq' ? parent.arr : undefined;
        const slot = parent?.kind === 'map' ? parent.pending?.name : parent?.kind === 'seq' ? parent.arr.length : undefined;
        if (!place(value, { kind: 'scalar', start, end })) return undefined;
        if (pyText !== undefined && holder && slot !== undefined) setPythonText(holder, slot, pyText);
        break;
      }
      case ALIAS: {
        const parent = stack[stack.length - 1];
        if (parent?.kind === 'map' && !parent.pending) return undefined; // alias as a key
        const name = text.slice(ev.anchorStart, ev.anchorEnd);
        if (!anchors.has(name) || ++aliasUses > MAX_ALIASES) return undefined;
        // The range includes the '*'.
        const target = anchorKeys.get(name);
        place(anchors.get(name), { kind: 'alias', start: ev.anchorStart - 1, end: ev.anchorEnd, ...(target !== undefined ? { target } : {}) });
        break;
      }
      case MAPPING:
      case SEQUENCE: {
        if (ev.tagStart !== -1) return undefined;
        const parent = stack[stack.length - 1];
        if (parent?.kind === 'map' && !parent.pending) return undefined; // complex key
        const key = pathOfNew();
        const info: NodeInfo = { kind: ev.type === MAPPING ? 'map' : 'seq', start: ev.start, end: ev.start, flow: ev.style === FLOW };
        const frame: Frame = ev.type === MAPPING
          ? { kind: 'map', obj: {}, key: key ?? '\u0002merge', info, seen: new Set(), merges: [], lastEnd: ev.start }
          : { kind: 'seq', arr: [], key: key ?? '\u0002merge', info, lastEnd: ev.start };
        if (ev.anchorStart !== -1) {
          const name = text.slice(ev.anchorStart, ev.anchorEnd);
          if (!defineAnchor(name)) return undefined;
          (frame as Frame & { anchor?: string }).anchor = name;
        }
        stack.push(frame);
        break;
      }
      case POP: {
        const frame = stack.pop();
        if (!frame) break; // end of document
        const info = frame.info;
        let end = frame.lastEnd;
        if (info.flow) {
          const close = text.indexOf(frame.kind === 'map' ? '}' : ']', end);
          if (close < 0) openEnded = true;
          end = close < 0 ? end : close + 1;
        }
        info.end = Math.max(end, info.start);
        let value: unknown;
        if (frame.kind === 'map') {
          if (frame.pending) return undefined; // key without value: let yaml decide
          info.count = frame.seen.size;
          // Merge keys: explicit keys win, earlier merge sources win over later ones.
          for (const m of frame.merges) {
            const sources = Array.isArray(m) ? m : [m];
            for (const s of sources) {
              if (!s || typeof s !== 'object' || Array.isArray(s)) return undefined;
              for (const [k, v] of Object.entries(s)) if (!(k in frame.obj)) frame.obj[k] = v;
            }
          }
          value = frame.obj;
        } else {
          info.count = frame.arr.length;
          value = frame.arr;
        }
        const anchor = (frame as Frame & { anchor?: string }).anchor;
        if (anchor !== undefined) {
          anchors.set(anchor, value);
          if (frame.key.charCodeAt(0) !== 2) anchorKeys.set(anchor, frame.key);
        }
        const isMergeValue = frame.key === '\u0002merge';
        place(value, isMergeValue ? undefined : info);
        break;
      }
    }
  }
  if (stack.length > 0) return undefined;
  return { data: root, index, anchors: anchors.size, openEnded };
}
