/**
 * YAML layer: text -> one parsed document with positions, plus the
 * problems YAML itself finds. Decisions (documented in docs/pipeline-file.md):
 * - one document per file: a second document is an error at its start;
 * - duplicate keys are errors (YAML forbids them; silently taking the last
 *   one hides typos in stage definitions);
 * - tabs used for indentation are errors;
 * - anchors, aliases and `<<` merge keys are allowed and resolved, so
 *   shared settings can be written once.
 */
import { LineCounter, isAlias, isCollection, parseAllDocuments, visit } from 'yaml';
import type { YAMLError } from 'yaml';
import type { Problem, ProblemCode } from '../problems';
import type { PipelineSource } from './source';
import { spanOf } from './source';

export interface ParseResult {
  source?: PipelineSource;
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

export function parsePipelineText(file: string, text: string): ParseResult {
  const lineCounter = new LineCounter();
  // prettyErrors off: we build our own messages from code and position.
  const docs = parseAllDocuments(text, { lineCounter, keepSourceTokens: true, merge: true, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const problems: Problem[] = [];
  const at = (code: ProblemCode, start: number, end: number, message: string, severity: Problem['severity'] = 'error') =>
    problems.push({ code, severity, message, file, ...spanOf({ lineCounter, text }, start, end) });

  // parseAllDocuments returns an EmptyStream (an array with no documents)
  // for blank input, or input holding only comments or directives.
  const list = Array.isArray(docs) ? docs : [];
  const firstLineEnd = text.indexOf('\n') < 0 ? text.length : text.indexOf('\n');
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
      const [s, e] = err.pos;
      // Zero-width errors (e.g. missing closing bracket at EOF) get one character.
      at(code, s, e > s ? e : s + 1, humanMessage(err, text), err.name === 'YAMLWarning' ? 'warning' : 'error');
    }
  }
  if (list.length > 1) {
    const second = list[1];
    const start = second.range[0];
    const lineEnd = text.indexOf('\n', start);
    at('multiple-documents', start, lineEnd < 0 ? text.length : Math.max(lineEnd, start + 1),
      `a pipeline file holds one YAML document; found ${list.length} (split them into separate *.mlci.yaml files)`);
  }
  // Aliases to an anchor that does not exist (or is defined later) only fail
  // when the document is converted; report them here, at the alias.
  if (doc.contents) {
    const anchors = new Set<string>();
    visit(doc, {
      Pair(_k, pair) {
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
  return { source: { file, text, doc, lineCounter }, problems };
}

/**
 * The document as plain data for the schema. Aliases are expanded; a
 * document that expands to too much (an "alias bomb") or cannot be
 * converted is reported instead of thrown.
 */
export function toData(source: PipelineSource): { data?: unknown; problem?: Problem } {
  try {
    return { data: source.doc.toJS({ maxAliasCount: 10_000 }) };
  } catch (e) {
    const r = source.doc.contents?.range ?? [0, 0];
    return {
      problem: {
        code: 'alias-unsupported',
        severity: 'error',
        message: `the document cannot be expanded: ${(e as Error).message}`,
        file: source.file,
        ...spanOf(source, r[0], Math.min(r[1], source.text.indexOf('\n', r[0]) < 0 ? r[1] : source.text.indexOf('\n', r[0]))),
      },
    };
  }
}
