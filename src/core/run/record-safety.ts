/**
 * What a run record may hold: no secret (in any form the masker knows, in
 * keys as well as values: a secret that reaches a metric name is masked
 * there too) and no unbounded string (a data value copied into a reason or a
 * report is cut at MAX_RECORD_STRING). Applied in place by the engine before
 * each write of the record and before each event that carries part of it,
 * so run.json, report.md, verify.md and the VS Code views see the same
 * masked record.
 */
import { boundText } from '../text/bound';
import type { SecretMasker } from './mask';

export const MAX_RECORD_STRING = 4000;

function safeString(s: string, masker: SecretMasker): string {
  return boundText(masker.mask(s), MAX_RECORD_STRING);
}

/** Masks and bounds every string (and key) below `value`; returns the value to store in its place. */
export function sanitizeValue(value: unknown, masker: SecretMasker): unknown {
  if (typeof value === 'string') return safeString(value, masker);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = sanitizeValue(value[i], masker);
    return value;
  }
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      const safeKey = safeString(key, masker);
      const v = sanitizeValue(obj[key], masker);
      if (safeKey !== key) {
        delete obj[key];
        // Two keys masked alike: keep both, numbered, rather than lose one.
        let k = safeKey;
        for (let n = 2; Object.prototype.hasOwnProperty.call(obj, k); n++) k = `${safeKey}#${n}`;
        obj[k] = v;
      } else {
        obj[key] = v;
      }
    }
    return obj;
  }
  return value;
}
