/**
 * Values written into text the way DVC writes them (dvc/parsing: booleans as
 * `true`/`false`, everything else with Python's `str()`), so `${lr}` gives
 * the same command in mlci as under `dvc repro`.
 *
 * Python's str() of a float is its shortest round-trip repr (the same digits
 * as JavaScript's String), laid out differently: exponent form when the
 * decimal exponent is below -4 or at least 16, with a sign and two digits
 * (`1e-05`, `1e+16`), else fixed with at least one decimal (`1.0`, `0.0001`);
 * `inf`, `-inf`, `nan`. Integers print in full (`10**21` has 22 digits, not
 * `1e+21`).
 *
 * JavaScript has one number type, so `1.0` and `1` from YAML are the same
 * value, and an integer past 2^53 loses digits. The YAML readers
 * (markPythonNumbers) keep Python's text for those keys on the mapping or
 * list holding them, under a symbol: a spread copy of a scope keeps the
 * marks, and JSON, Object.keys and equality never see them.
 * test/fixtures/python-str/golden.json holds Python's own answers
 * (test/fixtures/python-str/golden.py, run with /usr/bin/python3).
 */
import type { Document, Node } from 'yaml';
import { isMap, isPair, isScalar, isSeq } from 'yaml';

const PY_TEXT = Symbol('mlci.pythonText');
type Marked = { [PY_TEXT]?: ReadonlyMap<string, string> };

/** YAML 1.2 core integers (what ruamel, DVC's reader, reads as int); every other number is a float. */
const YAML_INT = /^([-+]?)(?:([0-9]+)|0o([0-7]+)|0x([0-9a-fA-F]+))$/;

/** Python's text for `container[key]` when its YAML source says more than the number (1.0, a 20-digit int). */
export function pythonTextAt(container: unknown, key: string | number): string | undefined {
  if (!container || typeof container !== 'object') return undefined;
  return (container as Marked)[PY_TEXT]?.get(String(key));
}

/** Sets (or clears) the text of one key; copy-on-write, since spread copies share the map. */
export function setPythonText(container: object, key: string | number, text: string | undefined): void {
  const m = container as Marked;
  if (m[PY_TEXT]?.get(String(key)) === text) return;
  const next = new Map(m[PY_TEXT]);
  if (text === undefined) next.delete(String(key));
  else next.set(String(key), text);
  Object.defineProperty(m, PY_TEXT, { value: next, enumerable: true, configurable: true, writable: true });
}

/** Copies the mark of `from[key]` to `to[key]` (a value moved into a scope). */
export function copyPythonText(from: unknown, to: object, key: string): void {
  setPythonText(to, key, pythonTextAt(from, key));
}

/** scope[key] = from[key], with its Python text (Object.assign would replace the scope's marks with from's). */
export function assignScope(scope: Record<string, unknown>, from: Record<string, unknown>, key: string): void {
  scope[key] = from[key];
  copyPythonText(from, scope, key);
}

/** Python's text of a YAML number, where JavaScript's number cannot tell it (integral floats, unsafe ints). */
export function pythonTextOfSource(source: string, value: number): string | undefined {
  const int = YAML_INT.exec(source.trim());
  if (!int) return Number.isInteger(value) ? pythonNumber(value, true) : undefined;
  if (Number.isSafeInteger(value)) return undefined;
  const [, sign, dec, oct, hex] = int;
  const n = BigInt(dec !== undefined ? dec : oct !== undefined ? `0o${oct}` : `0x${hex!}`);
  return (sign === '-' && n !== 0n ? '-' : '') + n.toString();
}

/**
 * Walks a parsed YAML document beside its toJS() value and marks, on each
 * mapping and list, the keys whose number JavaScript cannot print as
 * Python would from the number alone. Aliases and merge keys are left
 * unmarked.
 */
export function markPythonNumbers(doc: Document, js: unknown): void {
  const walk = (node: Node | null | undefined, value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if (isMap(node) && !Array.isArray(value)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
        visit(pair.value as Node | null, (value as Record<string, unknown>)[key], value, key);
      }
    } else if (isSeq(node) && Array.isArray(value)) {
      node.items.forEach((item, i) => visit(item as Node | null, value[i], value, i));
    }
  };
  const visit = (node: Node | null, value: unknown, container: object, key: string | number): void => {
    if (isScalar(node)) {
      if (typeof value === 'number' && Number.isFinite(value) && typeof node.source === 'string') {
        const text = pythonTextOfSource(node.source, value);
        if (text !== undefined) setPythonText(container, key, text);
      }
      return;
    }
    walk(node, value);
  };
  walk(doc.contents as Node | null, js);
}

/** Python's str() of an int (float: false) or a float (float: true). */
export function pythonNumber(v: number, float: boolean): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (!float && Number.isInteger(v)) return BigInt(v).toString();
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  // toExponential() without digits gives the shortest round-trip digits, like repr.
  const [mantissa, exp] = Math.abs(v).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const e = Number(exp);
  const sign = v < 0 ? '-' : '';
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  const whole = digits.slice(0, e + 1).padEnd(e + 1, '0');
  return `${sign}${whole}.${digits.slice(e + 1) || '0'}`;
}
