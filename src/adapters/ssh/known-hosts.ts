/**
 * Host key checking for SSH logins (ssh-login.ts), against OpenSSH's
 * known_hosts format: plain host patterns (`host`, `[host]:port`, comma
 * lists) and hashed ones (`|1|salt|hmac`). An unknown host is refused with
 * the command that adds it, never trusted on first use silently.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

export function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function matchesName(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, mac] = field.split('|');
    if (!salt || !mac) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === mac;
  }
  return field.split(',').some((p) => p === name);
}

/** Whether `key` (the raw host key blob) is listed for host:port in the known_hosts text. */
export function isKnownHost(text: string, host: string, port: number, key: Buffer): boolean {
  const name = hostPattern(host, port);
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    // An optional marker (@cert-authority, @revoked) comes first; neither is a plain trust entry.
    if (parts[0].startsWith('@')) continue;
    const [hosts, , blob] = parts;
    if (!blob || !matchesName(hosts, name)) continue;
    if (Buffer.from(blob, 'base64').equals(key)) return true;
  }
  return false;
}

export function readKnownHosts(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Whether the known_hosts text lists any key for host:port (a refused key then is a changed one, not an unknown host). */
export function isListedHost(text: string, host: string, port: number): boolean {
  const name = hostPattern(host, port);
  return text.split('\n').some((raw) => {
    const parts = raw.trim().split(/\s+/);
    return parts.length >= 3 && !parts[0].startsWith('#') && !parts[0].startsWith('@') && matchesName(parts[0], name);
  });
}
