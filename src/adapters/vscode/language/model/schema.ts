/**
 * Lookups in schemas/mlci.schema.json for editor features: the schema of
 * the value at a JSON path, the keys a mapping accepts, and the Markdown
 * shown for a key. The schema is the one source of field documentation, so
 * hover and completion say what the validator and the docs say.
 */
import { stringify } from 'yaml';
import schemaJson from '../../../../../schemas/mlci.schema.json';
import type { Seg } from './yaml-scan';

export interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  enum?: unknown[];
  const?: unknown;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  required?: string[];
  description?: string;
  markdownDescription?: string;
  default?: unknown;
  examples?: unknown[];
  enumDescriptions?: string[];
  markdownEnumDescriptions?: string[];
}

/** A schema node with its `$ref` chain followed; `ref` names the last definition reached (e.g. 'stageName'). */
export interface Resolved extends SchemaNode {
  ref?: string;
}

const root = schemaJson as unknown as SchemaNode & { definitions: Record<string, SchemaNode> };

export function resolve(node: SchemaNode): Resolved {
  const layers: SchemaNode[] = [];
  let cur = node;
  let ref: string | undefined;
  while (cur.$ref) {
    layers.push(cur);
    ref = cur.$ref.replace('#/definitions/', '');
    const next = root.definitions[ref];
    if (!next) break;
    cur = next;
  }
  // Annotations where the reference is used (a field's own description) win over the definition's.
  const merged: Resolved = { ...cur };
  for (const layer of layers.reverse()) {
    const { $ref: _ref, ...own } = layer;
    Object.assign(merged, own);
  }
  delete merged.$ref;
  if (ref) merged.ref = ref;
  return merged;
}

/** The alternatives a mapping value may take (gate forms), narrowed to those that allow all `keys`. */
export function alternatives(node: Resolved, keys: readonly string[] = []): Resolved[] {
  const forms = [node, ...(node.oneOf ?? []).map(resolve)].filter((n) => n.properties || typeof n.additionalProperties === 'object');
  const fitting = forms.filter((f) => keys.every((k) => !!f.properties?.[k] || typeof f.additionalProperties === 'object'));
  return fitting.length > 0 ? fitting : forms;
}

/** Sibling keys at a mapping path (used to pick a gate form). */
export type KeysAt = (path: readonly Seg[]) => string[];

export function childSchema(node: Resolved, seg: Seg, siblings: readonly string[] = []): Resolved | undefined {
  if (typeof seg === 'number') return node.items ? resolve(node.items) : undefined;
  const forms = alternatives(node, siblings);
  for (const f of forms) if (f.properties?.[seg]) return resolve(f.properties[seg]);
  for (const f of forms) if (typeof f.additionalProperties === 'object') return resolve(f.additionalProperties);
  return undefined;
}

/** The schema of the value at `path`, or undefined when the path is not in the format. */
export function schemaAt(path: readonly Seg[], keysAt?: KeysAt): Resolved | undefined {
  let node: Resolved | undefined = resolve(root);
  for (let i = 0; i < path.length && node; i++) node = childSchema(node, path[i], keysAt?.(path.slice(0, i)) ?? []);
  return node;
}

export function isObjectSchema(node: Resolved): boolean {
  return alternatives(node).length > 0 && !typesOf(node).some((t) => t !== 'object');
}

export function isArraySchema(node: Resolved): boolean {
  const types = typesOf(node);
  return types.length === 1 && types[0] === 'array';
}

export function typesOf(node: Resolved): string[] {
  if (node.type) return Array.isArray(node.type) ? node.type : [node.type];
  if (node.properties || node.oneOf) return ['object'];
  return [];
}

export interface KeyInfo {
  name: string;
  schema: Resolved;
  required: boolean;
}

/** The keys the mapping at `path` accepts, in schema order (all gate forms that fit `existing`). */
export function keysAt(node: Resolved, existing: readonly string[] = []): KeyInfo[] {
  const out = new Map<string, KeyInfo>();
  for (const form of alternatives(node, existing)) {
    for (const [name, prop] of Object.entries(form.properties ?? {})) {
      if (!out.has(name)) out.set(name, { name, schema: resolve(prop), required: !!form.required?.includes(name) });
    }
  }
  return [...out.values()];
}

/** A short type label: "list of stage names", "none | bridge | host", "path"... */
export function typeLabel(node: Resolved): string {
  const byRef: Record<string, string> = {
    stageName: 'stage name', stageNameList: 'list of stage names', metricName: 'metric name',
    path: 'path', pathList: 'list of paths', image: 'Docker image', duration: 'duration', memory: 'size', cron: 'cron',
  };
  if (node.ref && byRef[node.ref]) return byRef[node.ref];
  if (node.enum) return node.enum.map(String).join(' | ');
  if (node.const !== undefined) return String(node.const);
  const types = typesOf(node);
  if (types.length === 1 && types[0] === 'array' && node.items) {
    const item = resolve(node.items);
    return `list of ${item.ref && byRef[item.ref] ? byRef[item.ref] + 's' : typesOf(item).join(' or ') || 'values'}`;
  }
  return types.join(' or ');
}

/** Markdown for a field: its description, allowed values, default, and an example when the description has none. */
export function fieldDoc(node: Resolved, key?: string): string {
  const parts: string[] = [node.markdownDescription ?? node.description ?? ''];
  if (node.enum) {
    const descs = node.markdownEnumDescriptions ?? node.enumDescriptions;
    parts.push(descs ? node.enum.map((v, i) => `- \`${String(v)}\`${descs[i] ? `: ${descs[i]}` : ''}`).join('\n') : `Values: ${node.enum.map((v) => `\`${String(v)}\``).join(', ')}`);
  }
  if (node.default !== undefined) parts.push(`Default: \`${inline(node.default)}\``);
  const example = node.examples?.[0];
  if (example !== undefined && !parts[0].includes('```')) {
    const yamlText = stringify(key !== undefined ? { [key]: example } : example, { lineWidth: 0 }).trimEnd();
    parts.push('```yaml\n' + yamlText + '\n```');
  }
  return parts.filter(Boolean).join('\n\n');
}

/** The description of one enum value, if the schema has one. */
export function enumValueDoc(node: Resolved, value: string): string | undefined {
  const i = node.enum?.findIndex((v) => String(v) === value) ?? -1;
  if (i < 0) return undefined;
  return (node.markdownEnumDescriptions ?? node.enumDescriptions)?.[i];
}

function inline(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
