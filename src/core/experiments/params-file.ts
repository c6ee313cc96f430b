/**
 * Writing overridden values into a params file's text. Stages read the
 * params file themselves (in their container), so an override only reaches
 * them if the file they read says so. YAML keeps its comments and layout
 * (only the overridden values change); a .json file is rewritten as JSON.
 */
import { parseDocument } from 'yaml';
import type { ParamValue } from '../params';

export function renderParamsText(text: string, overrides: Record<string, ParamValue>, fileName: string): string {
  if (/\.json$/i.test(fileName)) {
    const values = (text.trim() ? JSON.parse(text) : {}) as Record<string, ParamValue>;
    for (const [key, value] of Object.entries(overrides)) setIn(values, key, value);
    return JSON.stringify(values, null, 2) + '\n';
  }
  const doc = parseDocument(text);
  for (const [key, value] of Object.entries(overrides)) {
    // A literal dotted top-level key wins, as in paramValue().
    const literal = doc.has(key);
    doc.setIn(literal ? [key] : key.split('.'), value);
  }
  return doc.toString();
}

function setIn(obj: Record<string, ParamValue>, key: string, value: ParamValue): void {
  if (Object.prototype.hasOwnProperty.call(obj, key) || !key.includes('.')) {
    obj[key] = value;
    return;
  }
  const [head, ...rest] = key.split('.');
  const child = obj[head!];
  const inner = child && typeof child === 'object' && !Array.isArray(child) ? child : (obj[head!] = {});
  setIn(inner as Record<string, ParamValue>, rest.join('.'), value);
}
