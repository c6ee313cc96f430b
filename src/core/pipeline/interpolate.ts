/**
 * `${}` interpolation, with the rules of DVC's templating (so a dvc.yaml's
 * templates mean the same in mlci.yaml): `${a.b}`, `${a.0}` and `${a[0]}`
 * look a value up; a string that is exactly one `${...}` takes the value
 * with its type (a list stays a list); inside a longer string the value is
 * written as text (booleans as `true`/`false`); `\${` is a literal `${`.
 */

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

export function lookup(scope: Scope, parts: string[]): { found: boolean; value?: unknown } {
  let cur: unknown = scope;
  for (const p of parts) {
    if (Array.isArray(cur) && /^\d+$/.test(p) && Number(p) < cur.length) cur = cur[Number(p)];
    else if (cur && typeof cur === 'object' && !Array.isArray(cur) && Object.prototype.hasOwnProperty.call(cur, p)) cur = (cur as Scope)[p];
    else return { found: false };
  }
  return { found: true, value: cur };
}

/** A scalar as DVC writes it into a string. */
export function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export function interpolate(s: string, scope: Scope): Interpolated {
  const used: string[] = [];
  const resolve = (needle: string, expr: string): { ok: true; value: unknown } | { ok: false; error: InterpolationError } => {
    const parts = refParts(expr);
    if (!parts) return { ok: false, error: { needle, code: 'invalid-template', message: `'${needle}' is not a reference: write \${name}, \${name.key} or \${name.0}` } };
    const hit = lookup(scope, parts);
    if (!hit.found) return { ok: false, error: { needle, code: 'unknown-variable', message: `'${needle}' names nothing: '${parts.join('.')}' is not in the params file, vars or the matrix item` } };
    used.push(parts.join('.'));
    return { ok: true, value: hit.value };
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
    const text = scalarText(r.value);
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
