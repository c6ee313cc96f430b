/**
 * YAML layer: text -> plain data + position index + the problems YAML
 * itself finds. Valid files take the fast event path (fast-parse.ts);
 * anything it declines goes through `yaml`'s parseAllDocuments, which
 * recovers from errors and reports each one. Decisions (documented in
 * docs/pipeline-file.md):
 * - one document per file: a second document is an error at its start;
 * - duplicate keys are errors (taking the last one silently hides typos);
 * - tabs used for indentation are errors;
 * - anchors, aliases and `<<` merge keys are allowed and resolved, so
 *   shared settings can be written once.
 */
import type { Document, Node, YAMLError } from 'yaml';
import { LineCounter, isAlias, isCollection, isMap, isScalar, isSeq, parseAllDocuments, visit } from 'yaml';
import type { Problem, ProblemCode } from '../problems';
import { fastParse } from './fast-parse';
import { RESERVED_KEY, RESERVED_KEY_MESSAGE } from './reserved-key';
import type { NodeInfo, PipelineSource } from './source';
import { childKey, lineStartsOf, spanOf } from './source';
import { markPythonNumbers } from './python-text';

export interface ParseResult {
  source?: PipelineSource;
  /** Set when the fast path read the file: how many anchors it defines (incremental.ts). */
  anchors?: number;
  /** The document as plain data (aliases expanded); undefined when it could not be built. */
  data?: unknown;
  problems: Problem[];
}

const CODE_OF: Partial<Record<YAMLError['code'], ProblemCode>> = {
  DUPLICATE_KEY: 'duplicate-key',
  TAB_AS_INDENT: 'tab-indent',
  BAD_ALIAS: 'alias-unsupported',
  ALIAS_PROPS: 'alias-unsupported',
};

/** yaml's messages end with a code excerpt; keep the first sentence only. */
function humanMessage(err: YAMLError, text: string): string {
  const first = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  switch (err.code) {
    case 'DUPLICATE_KEY': {
      const key = text.slice(err.pos[0], err.pos[1]).trim();
      return `duplicate key${key ? ` '${key}'` : ''}: each key may appear once in a mapping (the second one would silently replace the first)`;
    }
    case 'TAB_AS_INDENT':
      return 'tab used for indentation: YAML indents with spaces only';
    case 'BAD_ALIAS':
      return `${first} (an alias must name an anchor defined earlier, like &defaults ... *defaults)`;
    default:
      return first.charAt(0).toLowerCase() + first.slice(1);
  }
}

/** End of the line holding `offset`, before any '\r\n' or '\n'. */
function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  const end = nl < 0 ? text.length : nl;
  return end > offset && text[end - 1] === '\r' ? end - 1 : end;
}

/** Length of the key token starting at `at` (quoted or plain), for duplicate-key ranges. */
function keyTokenLength(text: string, at: number): number {
  const m = /^(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^\s:#,{}[\]]+(?: [^\s:#,{}[\]]+)*)/.exec(text.slice(at, at + 1024));
  return m ? m[0].length : 1;
}

/** The innermost '[' or '{' before `at` that is never closed (for "must end with ]" errors). */
function unclosedBracket(text: string, at: number): number | undefined {
  let depth = 0;
  for (let i = Math.min(at, text.length) - 1; i >= 0; i--) {
    const c = text[i];
    if (c === ']' || c === '}') depth++;
    else if (c === '[' || c === '{') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return undefined;
}

export function parsePipelineText(file: string, text: string): ParseResult {
  const fast = fastParse(text);
  if (fast && fast.data !== null && fast.data !== undefined) {
    return { source: { file, text, lineStarts: lineStartsOf(text), index: fast.index }, data: fast.data, problems: [], anchors: fast.anchors };
  }
  return parseWithYaml(file, text);
}

/** Index a `yaml` document's nodes by JSON path (aliases and merged content not followed). */
function indexDocument(doc: Document.Parsed, text: string): Map<string, NodeInfo> {
  const index = new Map<string, NodeInfo>();
  const walk = (node: Node | null | undefined, key: string, keyRange?: [number, number]) => {
    if (!node?.range) return;
    const info: NodeInfo = {
      kind: isMap(node) ? 'map' : isSeq(node) ? 'seq' : isAlias(node) ? 'alias' : 'scalar',
      start: node.range[0],
      end: node.range[1],
    };
    // Block collections and block scalars: end at the last character of
    // content, as the fast path does, not after the line break.
    if (!(isCollection(node) && node.flow) && !(isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' || node.type === 'PLAIN'))) {
      info.end = Math.max(info.start, text.slice(0, info.end).trimEnd().length);
    }
    if (keyRange) [info.keyStart, info.keyEnd] = keyRange;
    if (isMap(node) || isSeq(node)) {
      info.flow = !!node.flow;
      info.count = node.items.length;
    }
    index.set(key, info);
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key) || !pair.key.range) continue;
        const name = String(pair.key.value);
        if (name === '<<' || name === 'Symbol(<<)') continue;
        const value = pair.value as Node | null;
        if (value?.range) walk(value, childKey(key, name), [pair.key.range[0], pair.key.range[1]]);
        else {
          // `key:` with no value: an empty scalar just after the colon.
          const at = pair.key.range[1];
          index.set(childKey(key, name), { kind: 'scalar', start: at, end: at, keyStart: pair.key.range[0], keyEnd: pair.key.range[1] });
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item as Node, childKey(key, i)));
    }
  };
  walk(doc.contents as Node | null, '');
  return index;
}

/** The `yaml` path alone (exported for the test that compares it with the fast path). */
export function parseWithYaml(file: string, text: string): ParseResult {
  const lineCounter = new LineCounter();
  // prettyErrors off: we build our own messages from code and position.
  const docs = parseAllDocuments(text, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const problems: Problem[] = [];
  const lineStarts = lineStartsOf(text);
  const at = (code: ProblemCode, start: number, end: number, message: string, severity: Problem['severity'] = 'error') =>
    problems.push({ code, severity, message, file, ...spanOf({ lineStarts, text }, start, end) });

  // parseAllDocuments returns an EmptyStream (an array with no documents)
  // for blank input, or input holding only comments or directives.
  const list = Array.isArray(docs) ? docs : [];
  const firstLineEnd = lineEnd(text, 0);
  if (list.length === 0) {
    const stream = docs as { errors?: YAMLError[] };
    for (const err of stream.errors ?? []) at('yaml-syntax', err.pos[0], Math.max(err.pos[1], err.pos[0] + 1), humanMessage(err, text));
    at('empty-file', 0, firstLineEnd, 'the file holds no pipeline: a pipeline needs at least `version: 1` and `stages:`');
    return { problems };
  }
  if (list[0].contents === null && list.length === 1 && list[0].errors.length === 0) {
    at('empty-file', 0, firstLineEnd, 'the file holds no pipeline: a pipeline needs at least `version: 1` and `stages:`');
    return { problems };
  }
  const doc = list[0];
  for (const d of list) {
    for (const err of [...d.errors, ...d.warnings]) {
      const code = CODE_OF[err.code] ?? 'yaml-syntax';
      let [s, e] = err.pos;
      if (err.code === 'DUPLICATE_KEY') e = s + keyTokenLength(text, s);
      if (/flow (sequence|mapping)|end with a [\]}]/.test(err.message)) { const b = unclosedBracket(text, s); if (b !== undefined) [s, e] = [b, b + 1]; }
      // Zero-width errors (e.g. missing closing bracket at EOF) get one character.
      at(code, s, e > s ? e : s + 1, err.code === 'DUPLICATE_KEY' ? humanMessage({ ...err, pos: [s, e] } as YAMLError, text) : humanMessage(err, text), err.name === 'YAMLWarning' ? 'warning' : 'error');
    }
  }
  if (list.length > 1) {
    const start = list[1].range[0];
    at('multiple-documents', start, Math.max(lineEnd(text, start), start + 1),
      `a pipeline file holds one YAML document; found ${list.length} (split them into separate *.mlci.yaml files)`);
  }
  // Aliases to an anchor that does not exist (or is defined later) only fail
  // when the document is converted; report them here, at the alias.
  if (doc.contents) {
    const anchors = new Set<string>();
    visit(doc, {
      Pair(_k, pair) {
        // `<<: *x` must merge a mapping (or a list of mappings).
        if (isScalar(pair.key) && (pair.key.value === '<<' || String(pair.key.value) === 'Symbol(<<)') && pair.key.type === 'PLAIN' && isAlias(pair.value)) {
          const target = pair.value.resolve(doc);
          const ok = isMap(target) || (isSeq(target) && target.items.every((i) => isMap(isAlias(i) ? i.resolve(doc) : i)));
          if (target && !ok && pair.value.range) {
            at('alias-unsupported', pair.value.range[0], pair.value.range[1], `'<<' merges mappings into a mapping, but '*${pair.value.source}' is ${isSeq(target) ? 'a list' : 'a single value'}`);
          }
        }
        if (isScalar(pair.key) && pair.key.value === RESERVED_KEY && pair.key.range) {
          at('reserved-key', pair.key.range[0], pair.key.range[1], RESERVED_KEY_MESSAGE);
        }
        // `? [a, b]: x` is valid YAML but has no meaning in a pipeline.
        const key = pair.key as { range?: [number, number, number] } | null;
        if (isCollection(pair.key) && key?.range) at('wrong-type', key.range[0], key.range[1], 'a key must be a plain name, not a list or mapping');
      },
      Node(_k, node) {
        if (isAlias(node)) {
          if (!anchors.has(node.source) && node.range) {
            at('alias-unsupported', node.range[0], node.range[1], `alias '*${node.source}' names no anchor defined before it (define '&${node.source}' first)`);
          }
        } else if (node.anchor) {
          anchors.add(node.anchor);
        }
      },
    });
  }
  const source: PipelineSource = { file, text, lineStarts, index: indexDocument(doc, text) };
  // The data would hold the key as a prototype, not a key: later messages would only confuse.
  if (problems.some((p) => p.code === 'reserved-key')) return { source, problems };
  try {
    const data: unknown = doc.toJS({ maxAliasCount: 10_000 });
    markPythonNumbers(doc, data); // `${}` from vars and matrix values writes 1.0 as DVC does
    return { source, data, problems };
  } catch (e) {
    // An "alias bomb", or a document yaml cannot convert: report, don't throw.
    if (problems.some((p) => p.code === 'alias-unsupported')) return { source, problems };
    const r = doc.contents?.range ?? [0, 0];
    const nl = text.indexOf('\n', r[0]);
    at('alias-unsupported', r[0], nl < 0 ? r[1] : Math.min(r[1], nl), `the document cannot be expanded: ${(e as Error).message}`);
    return { source, problems };
  }
}
