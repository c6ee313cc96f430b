/**
 * Which environment variables are secrets: the names a pipeline lists in
 * `secrets`, and names that look like credentials. Secrets reach the
 * container, but are never part of a fingerprint, a run record or a log line
 * written by mlci itself.
 */
const SECRET_NAME = /(SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|AUTH)/i;

export function isSecretName(name: string, declared: readonly string[]): boolean {
  return declared.includes(name) || SECRET_NAME.test(name);
}

/** The env without secrets, for fingerprints and records. */
export function publicEnv(env: Record<string, string>, declared: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(env).sort()) if (!isSecretName(k, declared)) out[k] = env[k];
  return out;
}

/** Replace every secret value in `text` by '***' (for log lines mlci writes itself). */
export function redact(text: string, secretValues: readonly string[]): string {
  let out = text;
  for (const v of secretValues) if (v.length >= 4) out = out.split(v).join('***');
  return out;
}
