/**
 * What to offer at a cursor: keys the schema allows there (with insert
 * texts shaped by the value's type), enum values, and names from the
 * pipeline itself (stages, metrics, params keys). Plain data; the adapter
 * turns it into CompletionItems.
 */
import { templateCompletionsAt } from './template-completions';
import type { ParamsFile } from '../../../../core/params';
import { paramValue } from '../../../../core/params';
import { CONTAINER_KINDS } from '../../../../core/pipeline/model';
import type { StageKind } from '../../../../core/pipeline/model';
import type { CursorContext } from './cursor';
import { cursorContext } from './cursor';
import type { PipelineFacts } from './facts';
import { itemsOf, keysOf, pipelineFacts } from './facts';
import { refKindAt, wantsDriftStage } from './refs';
import type { KeyInfo, Resolved } from './schema';
import { fieldDoc, isArraySchema, isObjectSchema, keysAt, resolve, schemaAt, typeLabel, typesOf } from './schema';
import { stageSnippets } from './snippets';
import type { Path, ScanEntry } from './yaml-scan';
import { scanYaml } from './yaml-scan';

export interface Candidate {
  label: string;
  kind: 'key' | 'value' | 'enum' | 'stage' | 'metric' | 'param' | 'snippet';
  /** What to insert (a snippet when `snippet`), lead included. */
  insertText: string;
  snippet: boolean;
  detail?: string;
  /** Markdown. */
  documentation?: string;
  sortText?: string;
  /** Open suggestions again after inserting: the value has completions of its own. */
  retrigger?: boolean;
}

export interface CompletionInput {
  text: string;
  offset: number;
  /** The scan of `text`, when the caller has it already. */
  entries?: ScanEntry[];
  params?: ParamsFile;
}

export interface CompletionResult {
  context: CursorContext;
  items: Candidate[];
}

/** Fields that only some stage kinds use; offered after the others for a stage of another kind. */
const CONTAINER_ONLY = new Set(['run', 'image', 'env', 'secrets', 'network', 'resources', 'workdir', 'params', 'outs', 'metrics', 'history', 'reports']);
const KIND_ONLY: Record<string, StageKind> = { expect: 'data', reference: 'drift', current: 'drift', drift: 'drift' };

export function completionsAt(input: CompletionInput): CompletionResult | undefined {
  const inTemplate = templateCompletionsAt(input.text, input.offset, input.params);
  if (inTemplate) return inTemplate;
  const context = cursorContext(input.text, input.offset);
  if (!context) return undefined;
  const entries = input.entries ?? scanYaml(input.text);
  const facts = pipelineFacts(entries);
  const keysAtPath = (p: readonly (string | number)[]) => keysOf(entries, [...p]).filter((_, i, all) => all.indexOf(all[i]) === i);
  const env: Env = { context, entries, facts, params: input.params, keysAtPath };
  return { context, items: candidates(env) };
}

interface Env {
  context: CursorContext;
  entries: ScanEntry[];
  facts: PipelineFacts;
  params: ParamsFile | undefined;
  keysAtPath: (p: readonly (string | number)[]) => string[];
}

function candidates(env: Env): Candidate[] {
  const { context: ctx } = env;
  const node = schemaAt(ctx.path, env.keysAtPath);
  if (!node) return [];
  if (ctx.kind === 'value') return valueCandidates(env, ctx.path, node, ctx.lead);
  if (ctx.kind === 'item') {
    return isObjectSchema(node) ? keyCandidates(env, ctx.path, node, []) : valueCandidates(env, ctx.path, node, ctx.lead);
  }
  // A key: unless the mapping is really a list or a scalar whose value goes on this line.
  if (isArraySchema(node) && node.items && !ctx.keyHasColon) {
    const itemPath = [...ctx.path, itemsOf(env.entries, ctx.path).length];
    const item = resolve(node.items);
    return isObjectSchema(item) ? keyCandidates(env, itemPath, item, [], '- ') : valueCandidates(env, itemPath, item, '- ');
  }
  if (!isObjectSchema(node) && typesOf(node).every((t) => t !== 'object')) return valueCandidates(env, ctx.path, node, '');
  const existing = env.keysAtPath(ctx.path).filter((k) => !isKeyAtCursor(env, ctx.path, k));
  const keys = keyCandidates(env, ctx.path, node, existing);
  if (ctx.path.length === 1 && ctx.path[0] === 'stages' && !ctx.flow && !ctx.keyHasColon) return [...stageSnippets(), ...keys];
  return keys;
}

function isKeyAtCursor(env: Env, path: Path, key: string): boolean {
  return env.entries.some((e) => e.keyStart === env.context.start && e.path.length === path.length + 1 && e.path[path.length] === key);
}

function keyCandidates(env: Env, path: Path, node: Resolved, existing: string[], lead = env.context.lead): Candidate[] {
  const stageKind = path.length === 2 && path[0] === 'stages' ? (env.facts.stageByName.get(String(path[1]))?.kind ?? 'custom') : undefined;
  const out: Candidate[] = [];
  keysAt(node, existing).forEach((key, i) => {
    if (existing.includes(key.name)) return;
    const unused = stageKind !== undefined && !appliesTo(key.name, stageKind);
    const rank = key.required ? 0 : unused ? 2 : 1;
    const ins = keyInsert(env, [...path, key.name], key, lead);
    out.push({
      label: key.name, kind: 'key', insertText: ins.text, snippet: ins.snippet,
      detail: typeLabel(key.schema) + (unused ? ` (no effect on ${stageKind} stages)` : ''),
      documentation: fieldDoc(key.schema, key.name),
      sortText: `${rank}${String(i).padStart(3, '0')}`,
      ...(ins.retrigger ? { retrigger: true } : {}),
    });
  });
  return out;
}

function appliesTo(field: string, kind: string): boolean {
  if (KIND_ONLY[field]) return KIND_ONLY[field] === kind;
  return !CONTAINER_ONLY.has(field) || CONTAINER_KINDS.includes(kind as StageKind);
}

/** The text for a key: `key: ` plus what the value's type calls for (a choice, a list, a nested block). */
function keyInsert(env: Env, path: Path, key: KeyInfo, lead: string): { text: string; snippet: boolean; retrigger?: boolean } {
  const { context: ctx } = env;
  const node = key.schema;
  if (ctx.keyHasColon) return { text: lead + key.name, snippet: false };
  if (ctx.flow) return { text: `${lead}${key.name}: `, snippet: false, retrigger: hasValueCandidates(path, node) };
  // Snippet lines after the first get the line's indentation; after `- ` the key sits two columns deeper.
  const pad = ' '.repeat(lead.includes('-') || ctx.kind === 'item' ? 4 : 2);
  const choices = node.enum?.map(String) ?? (typesOf(node).join() === 'boolean' ? ['true', 'false'] : undefined);
  if (choices) return { text: `${lead}${key.name}: \${1|${choices.join(',')}|}`, snippet: true };
  if (isArraySchema(node) && node.items) {
    const item = resolve(node.items);
    if (isObjectSchema(item)) return { text: `${lead}${key.name}:\n${pad}- $0`, snippet: true, retrigger: true };
    return { text: `${lead}${key.name}: [$0]`, snippet: true, retrigger: hasValueCandidates([...path, 0], item) };
  }
  if (isObjectSchema(node)) return { text: `${lead}${key.name}:\n${pad}$0`, snippet: true, retrigger: keysAt(node).length > 0 };
  return { text: `${lead}${key.name}: `, snippet: false, retrigger: hasValueCandidates(path, node) };
}

function hasValueCandidates(path: Path, node: Resolved): boolean {
  const ref = refKindAt(path, node);
  return ref === 'stage' || ref === 'metric' || ref === 'param' || !!node.enum || node.const !== undefined;
}

function valueCandidates(env: Env, path: Path, node: Resolved, lead: string): Candidate[] {
  const listed = typeof path[path.length - 1] === 'number' ? itemsOf(env.entries, path.slice(0, -1)) : [];
  const typedHere = env.context.prefix;
  const fresh = (v: string) => !listed.includes(v) || v === typedHere;
  const asString = typesOf(node).includes('string') || !!node.ref;
  const plain = (label: string, kind: Candidate['kind'], extra: Partial<Candidate> = {}): Candidate => ({ label, kind, insertText: lead + yamlScalar(label, env.context, asString), snippet: false, ...extra });
  const ref = refKindAt(path, node);
  if (ref === 'stage') return stageCandidates(env, path, fresh, plain);
  if (ref === 'metric') return metricCandidates(env, path, fresh, plain);
  if (ref === 'param') {
    return (env.params?.keys ?? []).filter(fresh).map((k, i) => {
      const v = paramValue(env.params!.values, k);
      return plain(k, 'param', { detail: 'params key', sortText: String(i).padStart(4, '0'), ...(v !== undefined ? { documentation: '```yaml\n' + `${k}: ${JSON.stringify(v)}` + '\n```' } : {}) });
    });
  }
  if (ref === 'path') return [];
  const out: Candidate[] = [];
  if (node.enum) {
    const docs = node.markdownEnumDescriptions ?? node.enumDescriptions;
    node.enum.forEach((v, i) => out.push(plain(String(v), 'enum', { ...(docs?.[i] ? { documentation: docs[i] } : {}), ...(node.default === v ? { detail: 'default' } : {}), sortText: String(i).padStart(3, '0') })));
    return out;
  }
  if (node.const !== undefined) return [plain(String(node.const), 'value')];
  if (typesOf(node).join() === 'boolean') return ['true', 'false'].map((v) => plain(v, 'value', node.default === (v === 'true') ? { detail: 'default' } : {}));
  // Scalars: the default, then the schema's examples, as a starting point.
  const seen = new Set<string>();
  const scalars = [node.default, ...(node.examples ?? [])].filter((v) => ['string', 'number'].includes(typeof v));
  scalars.forEach((v, i) => {
    const s = String(v);
    if (seen.has(s)) return;
    seen.add(s);
    out.push(plain(s, 'value', { detail: i === 0 && node.default !== undefined ? 'default' : 'example', sortText: String(i).padStart(3, '0') }));
  });
  return out;
}

type Plain = (label: string, kind: Candidate['kind'], extra?: Partial<Candidate>) => Candidate;

function stageCandidates(env: Env, path: Path, fresh: (v: string) => boolean, plain: Plain): Candidate[] {
  const self = path[0] === 'stages' ? String(path[1]) : undefined;
  const isNeed = path[2] === 'needs';
  const drift = wantsDriftStage(path);
  return env.facts.stages
    .filter((s) => fresh(s.name) && !(isNeed && s.name === self))
    .map((s, i) => {
      const kind = s.kind ?? 'custom';
      // Drift references rank drift stages first; others keep file order.
      const rank = drift && kind !== 'drift' ? 1 : 0;
      return plain(s.name, 'stage', { detail: `${kind} stage`, sortText: `${rank}${String(i).padStart(4, '0')}`, ...(s.description ? { documentation: s.description } : {}) });
    });
}

function metricCandidates(env: Env, path: Path, fresh: (v: string) => boolean, plain: Plain): Candidate[] {
  const own = path[0] === 'stages' ? (env.facts.stageByName.get(String(path[1]))?.metricNames ?? []) : [];
  return [...env.facts.metrics.values()]
    .filter((m) => fresh(m.name))
    .map((m, i) => plain(m.name, 'metric', {
      detail: m.goal ? `metric, goal: ${m.goal}` : 'metric',
      sortText: `${own.includes(m.name) ? 0 : 1}${String(i).padStart(4, '0')}`,
      ...(m.description ? { documentation: m.description } : {}),
    }));
}

/** A value written so YAML reads it back as the same value (quoted unless plainly safe, or already inside quotes). */
function yamlScalar(value: string, ctx: CursorContext, asString: boolean): string {
  if (ctx.quoted) return value;
  if (/^[A-Za-z_./][\w.\-/]*$/.test(value) && !/^(true|false|null|yes|no|on|off|y|n|~)$/i.test(value)) return value;
  if (!asString && /^(-?\d+(\.\d+)?|true|false)$/.test(value)) return value;
  return JSON.stringify(value);
}
