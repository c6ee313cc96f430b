/**
 * JSON records that verify themselves (run-cache entries, commit records):
 * a `checksum` field holds the sha256 of the canonical JSON of the rest, so
 * a truncated or edited record, locally or on a remote, is detected and
 * never trusted.
 */
import { canonicalJson, sha256 } from '../run/fingerprint';

export function sealJson<T extends object>(value: T): T & { checksum: string } {
  const { checksum: _drop, ...rest } = value as T & { checksum?: string };
  return { ...(rest as T), checksum: sha256(canonicalJson(rest)) };
}

/** The parsed record, or a reason it cannot be trusted. */
export function openJson<T>(text: string): { value: T } | { error: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { error: `not valid JSON (${(e as Error).message})` };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return { error: 'not a JSON object' };
  const { checksum, ...rest } = data as { checksum?: unknown };
  if (typeof checksum !== 'string') return { error: 'has no checksum' };
  if (sha256(canonicalJson(rest)) !== checksum) return { error: 'checksum does not match its content (modified or truncated)' };
  return { value: data as T };
}
