/**
 * `${}` interpolation, with the rules of DVC's templating (so a dvc.yaml's
 * templates mean the same in mlci.yaml): `${a.b}`, `${a.0}` and `${a[0]}`
 * look a value up; a string that is exactly one `${...}` takes the value
 * with its type (a list stays a list); inside a longer string the value is
 * written as text (booleans as `true`/`false`, numbers as Python's str()
 * writes them: python-text.ts); `\${` is a literal `${`.
 */
import { pythonNumber, pythonTextAt } from './python-text';

export type Scope = Record<string, unknown>;

/** DVC's pattern: the shortest `${...}` not preceded by a backslash. */
const REF = /(\\)?\$\{([^}]*)\}/g;

export interface InterpolationError {
  /** The `${...}` text as written, to point at it. */
  needle: string;
  message: string;
  code: 'unknown-variable' | 'invalid-template';
}

export type Interpolated = { ok: true; value: unknown; used: string[] } | { ok: false; error: InterpolationError };

export function hasTemplate(s: string): boolean {
  return s.includes('${');
}

/** The parts of a reference: `a.b[0].c` -> ['a', 'b', '0', 'c']. */
export function refParts(expr: string): string[] | undefined {
  const trimmed = expr.trim();
  if (!/^[A-Za-z_][\w-]*(\.[\w-]+|\[\d+\])*$/.test(trimmed)) return undefined;
  return trimmed.replace(/\[(\d+)\]/g, '.$1').split('.');
}

/** The value at `parts`; `text` is Python's text of a number its YAML source said more about (1.0). */
export function lookup(scope: Scope, parts: string[]): { found: boolean; value?: unknown; text?: string } {
  let cur: unknown = scope;
  let text: string | undefined;
  for (const p of parts) {
    const holder = cur;
    if (Array.isArray(cur) && /^\d+$/.test(p) && Number(p) < cur.length) cur = cur[Number(p)];
    else if (cur && typeof cur === 'object' && !Array.isArray(cur) && Object.prototype.hasOwnProperty.call(cur, p)) cur = (cur as Scope)[p];
    else return { found: false };
    text = pythonTextAt(holder, p);
  }
  return text === undefined ? { found: true, value: cur } : { found: true, value: cur, text };
}

/** The items of a list as DVC writes each into a string (undefined: an item is no scalar). */
export function itemTexts(list: unknown[]): (string | undefined)[] {
  return list.map((item, i) => scalarText(item, pythonTextAt(list, i)));
}

/** A scalar as DVC writes it into a string; `text` is a number's Python text from its source (lookup). */
export function scalarText(v: unknown, text?: string): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return text ?? pythonNumber(v, false);
  return undefined;
}

export function interpolate(s: string, scope: Scope): Interpolated {
  const used: string[] = [];
  const resolve = (needle: string, expr: string): { ok: true; value: unknown; text?: string } | { ok: false; error: InterpolationError } => {
    const parts = refParts(expr);
    if (!parts) return { ok: false, error: { needle, code: 'invalid-template', message: `'${needle}' is not a reference: write \${name}, \${name.key} or \${name.0}` } };
    const hit = lookup(scope, parts);
    if (!hit.found) return { ok: false, error: { needle, code: 'unknown-variable', message: `'${needle}' names nothing: '${parts.join('.')}' is not in the params file, vars or the matrix item` } };
    used.push(parts.join('.'));
    return { ok: true, value: hit.value, ...(hit.text !== undefined ? { text: hit.text } : {}) };
  };
  const whole = /^\$\{([^}]*)\}$/.exec(s);
  if (whole) {
    const r = resolve(s, whole[1]);
    return r.ok ? { ok: true, value: r.value, used } : r;
  }
  let error: InterpolationError | undefined;
  const out = s.replace(REF, (m, escaped: string | undefined, expr: string) => {
    if (escaped) return m.slice(1);
    if (error) return m;
    const r = resolve(m, expr);
    if (!r.ok) {
      error = r.error;
      return m;
    }
    const text = scalarText(r.value, r.text);
    if (text === undefined) {
      error = { needle: m, code: 'invalid-template', message: `'${m}' is ${Array.isArray(r.value) ? 'a list' : r.value === null ? 'null' : 'a mapping'} and cannot be written into text; use it as the whole value or pick one item (\${${expr.trim()}.0})` };
      return m;
    }
    return text;
  });
  if (error) return { ok: false, error };
  if (/(?<!\\)\$\{[^}]*$/.test(s)) {
    return { ok: false, error: { needle: '${', code: 'invalid-template', message: `'\${' is not closed with '}' (write \\\${ for a literal \${)` } };
  }
  return { ok: true, value: out, used };
}
