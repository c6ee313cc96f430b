/**
 * Registry credentials for `mlci deliver`, never printed: MLCI_REGISTRY_USER
 * and MLCI_REGISTRY_PASSWORD (what the exported CI sets from its secret
 * store), else the `auths` entry of the Docker CLI's config.json for that
 * host (what `docker login` writes when no credential helper is set).
 * The Docker engine keeps no credentials of its own: the client sends them
 * with each push.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RegistryCredentials {
  username: string;
  password: string;
  /** Where they came from, for messages (never the values). */
  source: string;
}

export const REGISTRY_USER_ENV = 'MLCI_REGISTRY_USER';
export const REGISTRY_PASSWORD_ENV = 'MLCI_REGISTRY_PASSWORD';

interface DockerConfig { auths?: Record<string, { auth?: string; username?: string; password?: string }>; credsStore?: string; credHelpers?: Record<string, string> }

/** Credentials for `host` (`host[:port]`), or undefined: push anonymously. */
export function registryCredentials(host: string, env: NodeJS.ProcessEnv = process.env): RegistryCredentials | undefined {
  const user = env[REGISTRY_USER_ENV];
  const password = env[REGISTRY_PASSWORD_ENV];
  if (user && password) return { username: user, password, source: `${REGISTRY_USER_ENV}/${REGISTRY_PASSWORD_ENV}` };
  if (!user !== !password) throw new Error(`${user ? REGISTRY_PASSWORD_ENV : REGISTRY_USER_ENV} is not set (${user ? REGISTRY_USER_ENV : REGISTRY_PASSWORD_ENV} is): set both, or neither to push without credentials`);
  const file = path.join(env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker'), 'config.json');
  let config: DockerConfig;
  try {
    config = JSON.parse(readFileSync(file, 'utf8')) as DockerConfig;
  } catch {
    return undefined;
  }
  const entry = config.auths?.[host] ?? config.auths?.[`https://${host}`] ?? config.auths?.[`http://${host}`];
  if (entry?.auth) {
    const text = Buffer.from(entry.auth, 'base64').toString('utf8');
    const at = text.indexOf(':');
    if (at > 0) return { username: text.slice(0, at), password: text.slice(at + 1), source: file };
  }
  if (entry?.username && entry.password) return { username: entry.username, password: entry.password, source: file };
  return undefined;
}

/** Replaces the password in `text` (a log line, an error) by `***`. */
export function maskCredentials(text: string, creds: RegistryCredentials | undefined): string {
  return creds && creds.password.length >= 3 ? text.split(creds.password).join('***') : text;
}
