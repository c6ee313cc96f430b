/**
 * Schema layer: validate the plain data against schemas/mlci.schema.json
 * with ajv, and turn ajv's errors into problems a person understands, at
 * the exact key or value. oneOf/anyOf failures are reduced to the branch
 * the user most likely meant (fewest structural errors), as
 * yaml-language-server and jsonschema's best_match do, so one mistake gives
 * one message instead of one per alternative.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import schemaJson from '../../../schemas/mlci.schema.json';
import ajvOptions from './ajv-options.json';
import { loadPrecompiledValidator } from './schema-precompiled';
import type { Fix, Problem, ProblemCode } from '../problems';
import { didYouMean, quoteList } from '../text/suggest';
import { dvcMetricsList, dvcStageKey } from './dvc-isms';
import type { JsonPath, PipelineSource } from './source';
import { locate } from './source';

export const pipelineSchema = schemaJson as Record<string, unknown>;

let compiled: ValidateFunction | undefined;
/** True when the validator is the bundles' precompiled standalone code. */
let precompiled = false;
function validator(): ValidateFunction {
  // Bundles load it precompiled (schema-precompiled.ts) on first use; from
  // source it is compiled once per process, on first use (not at import:
  // keeps activation cheap).
  if (!compiled) {
    compiled = loadPrecompiledValidator();
    precompiled = compiled !== undefined;
    compiled ??= ajv().compile(pipelineSchema);
  }
  return compiled;
}

function ajv(): Ajv {
  if (!ajvInstance) {
    ajvInstance = new Ajv(ajvOptions);
    addFormats(ajvInstance);
  }
  return ajvInstance;
}

function toPath(instancePath: string, data: unknown): (string | number)[] {
  if (!instancePath) return [];
  const out: (string | number)[] = [];
  let cur: unknown = data;
  for (const raw of instancePath.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const i = Number(seg);
      out.push(i);
      cur = cur[i];
    } else {
      out.push(seg);
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

/** "stage 'train'", "'resources' of stage 'train'", "gate 2 of stage 'evaluate'"... */
export function describePath(path: JsonPath): string {
  if (path.length === 0) return 'the pipeline';
  if (path[0] === 'stages' && path.length >= 2) {
    const stage = `stage '${path[1]}'`;
    const rest = path.slice(2);
    if (rest.length === 0) return stage;
    if (rest[0] === 'gates' && typeof rest[1] === 'number') {
      const gate = `gate ${rest[1] + 1} of ${stage}`;
      return rest.length === 2 ? gate : `'${rest.slice(2).join('.')}' in ${gate}`;
    }
    if (rest[0] === 'expect' && rest[1] === 'columns' && rest.length >= 3) {
      const col = `column '${rest[2]}' in 'expect' of ${stage}`;
      return rest.length === 3 ? col : `'${rest.slice(3).join('.')}' of ${col}`;
    }
    return `'${rest.map((s) => (typeof s === 'number' ? `[${s + 1}]` : s)).join('.').replace(/\.\[/g, '[')}' of ${stage}`;
  }
  if (path[0] === 'metrics' && path.length >= 2) {
    return path.length === 2 ? `metric '${path[1]}'` : `'${path.slice(2).join('.')}' of metric '${path[1]}'`;
  }
  return `'${path.map((s) => (typeof s === 'number' ? `[${s + 1}]` : s)).join('.').replace(/\.\[/g, '[')}'`;
}

const TYPE_WORDS: Record<string, string> = {
  array: 'a list',
  object: 'a mapping (key: value)',
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'empty',
};

function typeOfValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number') return Number.isInteger(v) ? `the number ${v}` : `the number ${v}`;
  if (typeof v === 'boolean') return String(v);
  return `'${String(v).length > 40 ? String(v).slice(0, 37) + '...' : String(v)}'`;
}

function typeWords(types: string[]): string {
  const words = [...new Set(types.flatMap((t) => t.split(',')))].map((t) => TYPE_WORDS[t] ?? t);
  return words.length <= 1 ? words[0] ?? 'another type' : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

type SchemaObj = Record<string, unknown>;

const branchValidators = new WeakMap<object, ValidateFunction>();
let ajvInstance: Ajv | undefined;

/** Follow a local `$ref` to the schema object it names. */
function deref(schema: SchemaObj): SchemaObj {
  let cur = schema;
  for (let i = 0; i < 16 && typeof cur.$ref === 'string' && cur.$ref.startsWith('#/'); i++) {
    let node: unknown = pipelineSchema;
    for (const seg of (cur.$ref as string).slice(2).split('/')) node = (node as SchemaObj)?.[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (!node || typeof node !== 'object') break;
    cur = node as SchemaObj;
  }
  return cur;
}

/** A validator for one schema object, resolving '#/definitions/..' against the pipeline schema. */
function validatorFor(schema: SchemaObj): ValidateFunction {
  let v = branchValidators.get(schema);
  if (!v) {
    v = ajv().compile({ ...schema, definitions: pipelineSchema.definitions, $id: undefined });
    branchValidators.set(schema, v);
  }
  return v;
}

/**
 * The same schema object: identical when ajv compiled pipelineSchema itself,
 * equal in content when the validator is the precompiled standalone code
 * (its schema objects are copies written into the code).
 */
function sameSchema(a: unknown, b: unknown): boolean {
  return a === b || (precompiled && JSON.stringify(a) === JSON.stringify(b));
}

function valueAt(data: unknown, instancePath: string): unknown {
  let cur = data;
  if (!instancePath) return cur;
  for (const raw of instancePath.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
  }
  return cur;
}

function validateAt(schema: SchemaObj, value: unknown, prefix: string): ErrorObject[] {
  const v = validatorFor(schema);
  if (v(value)) return [];
  return (v.errors ?? []).map((e) => ({ ...e, instancePath: prefix + e.instancePath }));
}

/**
 * ajv reports every branch's errors for a failed oneOf/anyOf, and with
 * `$ref` branches their schema paths do not say which branch they came
 * from. So each combinator is re-checked here branch by branch, and its
 * subtree's errors are replaced by the errors of the branch the user most
 * likely meant, or by one summarising error when every branch only failed
 * on the value's type (e.g. "a string or a list").
 */
function reduceCombinators(errors: ErrorObject[], data: unknown): ErrorObject[] {
  let list = errors;
  for (let round = 0; round < 32; round++) {
    const combs = list.filter((e) => (e.keyword === 'oneOf' || e.keyword === 'anyOf') && Array.isArray(e.schema));
    if (combs.length === 0) return list;
    // Outermost first: the shortest instance path; at the same path, a
    // combinator that sits inside a branch of another one comes later.
    const isInner = (c: ErrorObject) =>
      combs.some((o) => o !== c && o.instancePath === c.instancePath && (o.schema as SchemaObj[]).some((b) => sameSchema(deref(b), c.parentSchema)));
    combs.sort((a, b) => a.instancePath.length - b.instancePath.length || Number(isInner(a)) - Number(isInner(b)));
    const comb = combs[0];
    const P = comb.instancePath;
    const under = (e: ErrorObject) => e.instancePath === P || e.instancePath.startsWith(P + '/');
    const value = valueAt(data, P);
    const branches = (comb.schema as SchemaObj[]).map((b) => ({ schema: deref(b), errors: validateAt(b, value, P) }));
    const others = list.filter((e) => !under(e));
    // Errors from the parent schema's other keywords (next to the combinator).
    const parent = { ...(comb.parentSchema as SchemaObj) };
    delete parent[comb.keyword];
    const siblings = validateAt(parent, value, P).filter((e) => e.keyword !== comb.keyword);
    const failing = branches.filter((b) => b.errors.length > 0);
    if (failing.length < branches.length) {
      // oneOf with several matching branches: keep one clear error.
      list = [...others, ...siblings, { ...comb, keyword: 'x-ambiguous', schema: undefined }];
      continue;
    }
    const all = branches.map((b) => b.errors);
    if (all.every((errs) => errs.length === 1 && errs[0].keyword === 'type' && errs[0].instancePath === P)) {
      list = [...others, ...siblings, { ...all[0][0], params: { type: all.map((e) => e[0].params.type).join(',') } }];
      continue;
    }
    if (all.every((errs) => errs.every((e) => e.keyword === 'required' && e.instancePath === P))) {
      const missing = [...new Set(all.flat().map((e) => String(e.params.missingProperty)))];
      list = [...others, ...siblings, { ...all[0][0], keyword: 'required', params: { missingProperty: missing.join('|') } }];
      continue;
    }
    // Several forms fit what is written and each only lacks keys: say what
    // would complete each one, e.g. "add 'min' or 'max' (threshold), or 'max_drop' (regression)".
    const incomplete = branches.filter((b) => b.errors.every((e) => e.instancePath === P && (e.keyword === 'required' || e.keyword === 'anyOf')));
    if (incomplete.length >= 2) {
      const options = incomplete.map((b, i) => {
        const req = b.errors.filter((e) => e.keyword === 'required');
        const alt = req.filter((e) => e.schemaPath.includes('/anyOf/')).map((e) => `'${String(e.params.missingProperty)}'`);
        const all = req.filter((e) => !e.schemaPath.includes('/anyOf/')).map((e) => `'${String(e.params.missingProperty)}'`);
        const parts = [...(all.length ? [all.join(' and ')] : []), ...(alt.length ? [alt.join(' or ')] : [])].join(' and ');
        const ref = String((comb.schema as SchemaObj[])[branches.indexOf(incomplete[i])].$ref ?? '');
        const label = ref.split('/').pop()!.replace(/^gate/, '').toLowerCase();
        return label ? `${parts} (${label})` : parts;
      });
      list = [...others, ...siblings, { ...comb, keyword: 'x-incomplete', params: { options }, schema: undefined }];
      continue;
    }
    // Score: a type mismatch at the root means "not this branch"; then
    // missing required keys; then keys that belong to another branch.
    const score = (errs: ErrorObject[]) =>
      errs.reduce((s, e) => {
        const atRoot = e.instancePath === P;
        if (atRoot && e.keyword === 'type') return s + 1000;
        if (atRoot && e.keyword === 'required') return s + 100;
        if (atRoot && e.keyword === 'additionalProperties') return s + 10;
        return s + 1;
      }, 0);
    // A key that is a typo of a key this branch is missing ('minn' for
    // 'min') says the user meant this branch.
    const typoBonus = (b: (typeof branches)[number]) => {
      const missing = b.errors.filter((e) => e.keyword === 'required' && e.instancePath === P).map((e) => String(e.params.missingProperty));
      const extra = b.errors.filter((e) => e.keyword === 'additionalProperties' && e.instancePath === P).map((e) => String(e.params.additionalProperty));
      return extra.some((x) => { const g = didYouMean(x, missing); return g !== undefined; }) ? 1000 : 0;
    };
    const total = (b: (typeof branches)[number]) => score(b.errors) - typoBonus(b);
    let best = branches[0];
    for (const b of branches) if (total(b) < total(best)) best = b;
    // Its missing keys are then explained by the typo: drop them.
    if (typoBonus(best)) {
      const extra = best.errors.filter((e) => e.keyword === 'additionalProperties' && e.instancePath === P).map((e) => String(e.params.additionalProperty));
      best = { ...best, errors: best.errors.filter((e) => !((e.keyword === 'required' || e.keyword === 'anyOf') && e.instancePath === P && (e.keyword === 'anyOf' || extra.some((x) => didYouMean(x, [String(e.params.missingProperty)]) !== undefined) || best.errors.some((o) => o.keyword === 'additionalProperties' && didYouMean(String(o.params.additionalProperty), [String(e.params.missingProperty)]) !== undefined) || e.schemaPath.includes('/anyOf/')))) };
    }
    const otherKeys = new Set<string>();
    for (const b of branches) if (b !== best) for (const k of Object.keys((b.schema.properties as object | undefined) ?? {})) otherKeys.add(k);
    const mark = (e: ErrorObject): ErrorObject =>
      e.keyword === 'additionalProperties' && e.instancePath === P && otherKeys.has(String(e.params.additionalProperty)) ? { ...e, keyword: 'x-mixed' } : e;
    list = [...others, ...siblings, ...best.errors.map(mark)];
  }
  return list;
}

function regexError(source: string): string {
  try {
    new RegExp(source, 'u');
    return 'it is not accepted';
  } catch (e) {
    return (e as Error).message.replace(/^Invalid regular expression: /, '');
  }
}

function allowedKeys(err: ErrorObject): string[] {
  const props = (err.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  return Object.keys(props);
}

function problemFor(src: PipelineSource, data: unknown, err: ErrorObject): Problem | undefined {
  const path = toPath(err.instancePath, data);
  // Schedules and images have dedicated checks (invalid-cron, invalid-image)
  // with better messages: one mistake, one problem.
  if (path[0] === 'triggers' && path[1] === 'schedule' && (err.keyword === 'pattern' || err.keyword === 'minLength')) return undefined;
  if (path[path.length - 1] === 'image' && (err.keyword === 'pattern' || err.keyword === 'minLength')) return undefined;
  const where = describePath(path);
  const value = err.data;
  let code: ProblemCode = 'invalid-value';
  let at: 'key' | 'value' = 'value';
  let target: JsonPath = path;
  let message: string;
  const fixes: Fix[] = [];
  const replaceWith = (span: { start: number; end: number }, text: string, title: string) =>
    fixes.push({ title, edits: [{ start: span.start, end: span.end, text }], preferred: true });

  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(err.params.additionalProperty);
      target = [...path, key];
      at = 'key';
      code = 'unknown-key';
      const keys = allowedKeys(err);
      const dvc = dvcStageKey(src, path, key);
      if (dvc) {
        message = `unknown key '${key}' in ${where}; ${dvc.message}`;
        fixes.push(dvc.fix);
        break;
      }
      const guess = didYouMean(key, keys);
      message = `unknown key '${key}' in ${where}` + (guess ? `; did you mean '${guess}'?` : keys.length ? `; allowed keys: ${quoteList(keys, 12)}` : '');
      if (guess) replaceWith(locate(src, target, 'key'), guess, `Change to '${guess}'`);
      break;
    }
    case 'x-mixed': {
      const key = String(err.params.additionalProperty);
      target = [...path, key];
      at = 'key';
      code = 'invalid-gate';
      message = `'${key}' does not go with the other keys of ${where}: each gate checks one thing (threshold, regression, convergence, overfitting or drift); split it into two gates`;
      break;
    }
    case 'required': {
      const missing = String(err.params.missingProperty).split('|');
      code = 'missing-key';
      at = 'key';
      message = missing.length === 1 ? `${where} is missing required key '${missing[0]}'` : `${where} needs one of ${quoteList(missing)}`;
      if (path.length === 0) target = [];
      break;
    }
    case 'type': {
      code = 'wrong-type';
      if (value === null || value === undefined) at = 'key'; // `key:` with nothing after it
      message = `${where} must be ${typeWords(String(err.params.type).split(','))}, not ${typeOfValue(value)}`;
      const dvcMetrics = dvcMetricsList(src, path, value);
      if (dvcMetrics) {
        message += `: ${dvcMetrics.message}`;
        if (dvcMetrics.fix) fixes.push(dvcMetrics.fix);
      }
      break;
    }
    case 'enum': {
      if (value === null || value === undefined) return undefined; // reported as a wrong type
      const allowed = (err.params.allowedValues as unknown[]).map(String);
      const isKind = path[0] === 'stages' && path.length === 3 && path[2] === 'kind';
      code = isKind ? 'unknown-kind' : 'invalid-value';
      const guess = typeof value === 'string' ? didYouMean(value, allowed) : undefined;
      message = isKind
        ? `unknown stage kind ${typeOfValue(value)}: kinds are ${quoteList(allowed)}` + (guess ? `; did you mean '${guess}'?` : '')
        : `${where} must be one of ${quoteList(allowed)}, not ${typeOfValue(value)}` + (guess ? `; did you mean '${guess}'?` : '');
      if (guess) replaceWith(locate(src, path), guess, `Change to '${guess}'`);
      break;
    }
    case 'const': {
      if (typeof value !== typeof err.params.allowedValue) return undefined; // the type error says it
      if (path.length === 1 && path[0] === 'version') {
        code = 'unsupported-version';
        message = `pipeline format version ${typeOfValue(value)} is not supported: this mlci reads version ${String(err.params.allowedValue)}`;
      } else {
        message = `${where} must be ${JSON.stringify(err.params.allowedValue)}`;
      }
      break;
    }
    case 'propertyNames':
      return undefined; // reported by the inner 'pattern' error, which names the key
    case 'pattern': {
      const name = err.propertyName;
      if (name !== undefined) {
        code = 'invalid-name';
        at = 'key';
        target = [...path, name];
        const parentKey = path[path.length - 1];
        const rule = path.length === 1 && path[0] === 'metrics'
          ? "use letters, digits, '_', '.', '-' and '/', starting with a letter or '_'"
          : parentKey === 'env'
            ? "an environment variable name uses letters, digits and '_', starting with a letter or '_'"
            : "use letters, digits, '-', '_', '.', '@', '=' and ',', starting with a letter or digit";
        message = `'${name}' is not a valid name in ${where}: ${rule}`;
        break;
      }
      const last = path[path.length - 1];
      if (last === 'timeout') {
        code = 'invalid-duration';
        message = `${where} must be a duration like 90s, 30m, 2h or 1h30m, not ${typeOfValue(value)}`;
      } else if (last === 'memory') {
        code = 'invalid-size';
        message = `${where} must be a size like 512m or 4g, not ${typeOfValue(value)}`;
      } else {
        const example = (err.parentSchema as { examples?: unknown[] } | undefined)?.examples?.[0];
        message = `${where} has an invalid format ${typeOfValue(value)}` + (example !== undefined ? `; for example ${JSON.stringify(example)}` : '');
      }
      break;
    }
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum': {
      const words: Record<string, string> = { minimum: 'at least', exclusiveMinimum: 'greater than', maximum: 'at most', exclusiveMaximum: 'less than' };
      message = `${where} must be ${words[err.keyword]} ${String(err.params.limit)}, not ${typeOfValue(value)}`;
      break;
    }
    case 'minProperties':
      code = path.length === 1 && path[0] === 'stages' ? 'missing-key' : 'invalid-value';
      message = path[0] === 'stages' && path.length === 1 ? 'the pipeline has no stages: add at least one under `stages:`' : `${where} must have at least ${String(err.params.limit)} entries`;
      break;
    case 'maxProperties':
      // Only `outs` items use it: `{PATH: options}` names one output.
      message = path[path.length - 2] === 'outs'
        ? `${where} names more than one output; write one \`PATH: {options}\` per list item`
        : `${where} must have at most ${String(err.params.limit)} entries`;
      break;
    case 'minItems':
      message = `${where} must list at least ${String(err.params.limit)} item${err.params.limit === 1 ? '' : 's'}`;
      break;
    case 'format':
      message = err.params.format === 'regex'
        ? `${where} is not a valid regular expression: ${regexError(String(value))}`
        : `${where} is not a valid ${String(err.params.format)}`;
      break;
    case 'minLength':
      message = `${where} must not be empty`;
      break;
    case 'maxLength':
      message = `${where} is too long (at most ${String(err.params.limit)} characters)`;
      break;
    case 'uniqueItems': {
      const arr = value as unknown[];
      const j = Number(err.params.j);
      message = `${where} lists ${typeOfValue(arr?.[j])} twice`;
      target = [...path, Number(err.params.i)];
      break;
    }
    case 'x-incomplete': {
      code = 'missing-key';
      at = 'key';
      const options = err.params.options as string[];
      message = `${where} is incomplete: add ${options.slice(0, -1).join(', ')}${options.length > 1 ? ', or ' : ''}${options[options.length - 1]}`;
      break;
    }
    case 'x-ambiguous':
      message = `${where} matches more than one form; make it one of them`;
      break;
    default:
      message = `${where} ${err.message ?? 'is invalid'}`;
  }
  const span = locate(src, target, at);
  return { code, severity: 'error', message, file: src.file, ...span, ...(fixes.length ? { fixes } : {}) };
}

/** Stages validated per ajv call (see schemaErrors). */
const STAGE_CHUNK = 500;

/**
 * ajv's errors for the document. ajv appends a referenced schema's errors
 * with `vErrors.concat(...)`, copying every error found so far once per
 * stage: quadratic, minutes for 100,000 failing stages. So a document with
 * many stages is validated in slices of STAGE_CHUNK stages (each slice with
 * the rest of the document, whose own errors are kept once): the same
 * errors, linear time. Stages are independent in the schema.
 */
function schemaErrors(data: unknown): ErrorObject[] {
  const validate = validator();
  const stages = isPlainObject(data) ? (data as Record<string, unknown>).stages : undefined;
  const names = isPlainObject(stages) ? Object.keys(stages as object) : [];
  if (names.length <= STAGE_CHUNK) return validate(data) ? [] : (validate.errors ?? []).slice();
  const out: ErrorObject[] = [];
  const outside = new Set<string>();
  for (let i = 0; i < names.length; i += STAGE_CHUNK) {
    const slice: Record<string, unknown> = {};
    for (const n of names.slice(i, i + STAGE_CHUNK)) slice[n] = (stages as Record<string, unknown>)[n];
    if (validate({ ...(data as object), stages: slice })) continue;
    for (const e of validate.errors ?? []) {
      if (!e.instancePath.startsWith('/stages/')) {
        const key = `${e.instancePath}|${e.schemaPath}|${e.keyword}|${JSON.stringify(e.params)}`;
        if (outside.has(key)) continue;
        outside.add(key);
      }
      out.push(e);
    }
  }
  return out;
}

function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function checkSchema(src: PipelineSource, data: unknown): Problem[] {
  const all = schemaErrors(data);
  if (!all.length) return [];
  const errors = reduceCombinators(all, data);
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const err of errors) {
    const p = problemFor(src, data, err);
    if (!p) continue;
    const key = `${p.code}:${p.start}:${p.end}:${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  }
  return out;
}
