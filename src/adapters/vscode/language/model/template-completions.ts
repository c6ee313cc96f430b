/**
 * Completion inside `${...}`: the names a stage template can read, the
 * params file's keys, `vars` names and `item.<key>` of the matrices in the
 * file, with their values as detail. The text is read leniently (it may not
 * parse while being typed): vars and matrix keys come from a YAML parse when
 * it succeeds, params from the params file.
 */
import { parse } from 'yaml';
import type { ParamsFile } from '../../../../core/params';
import type { Candidate, CompletionResult } from './completions';

const obj = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const short = (v: unknown) => {
  const s = JSON.stringify(v) ?? '';
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

function namesOf(text: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  let data: unknown;
  try {
    data = parse(text, { uniqueKeys: false, logLevel: 'silent' });
  } catch {
    return out;
  }
  const root = obj(data) ?? {};
  const addVars = (vars: unknown) => {
    for (const item of Array.isArray(vars) ? vars : [vars]) for (const [k, v] of Object.entries(obj(item) ?? {})) out.set(k, v);
  };
  addVars(root.vars);
  for (const s of Object.values(obj(root.stages) ?? {})) {
    const stage = obj(s);
    if (!stage) continue;
    addVars(stage.vars);
    for (const [k, v] of Object.entries(obj(stage.matrix) ?? {})) out.set(`item.${k}`, v);
  }
  return out;
}

export function templateCompletionsAt(text: string, offset: number, params: ParamsFile | undefined): CompletionResult | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const m = /(?<!\\)\$\{([\w.[\]-]*)$/.exec(text.slice(lineStart, offset));
  if (!m) return undefined;
  const prefix = m[1];
  const start = offset - prefix.length;
  let end = offset;
  while (end < text.length && /[\w.[\]-]/.test(text[end])) end++;
  const close = text[end] === '}' ? '' : '}';
  const items: Candidate[] = [];
  const add = (label: string, value: unknown, from: string) => {
    if (items.some((i) => i.label === label)) return;
    items.push({ label, kind: 'param', insertText: label + close, snippet: false, detail: `${from}: ${short(value)}` });
  };
  for (const [k, v] of namesOf(text)) add(k, v, k.startsWith('item.') ? 'matrix' : 'vars');
  for (const k of params?.keys ?? []) {
    let v: unknown = params!.values;
    for (const part of k.split('.')) v = obj(v)?.[part];
    add(k, v, 'params');
  }
  return {
    context: { kind: 'value', path: [], prefix, start, end, flow: false, lead: '', keyHasColon: false, quoted: true },
    items,
  };
}
