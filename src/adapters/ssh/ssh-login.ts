/**
 * How mlci logs in over SSH (the ssh:// cache remote and ssh:// Docker
 * engines alike): the key, the agent, and the host key check.
 *
 * - Key: the one given (an engine's `identity`), else MLCI_SSH_KEY, else
 *   ~/.ssh/id_ed25519, id_ecdsa, id_rsa; and the agent at SSH_AUTH_SOCK.
 * - Host key: must be listed for the host (and port) in MLCI_SSH_KNOWN_HOSTS,
 *   else ~/.ssh/known_hosts. An unknown host is refused with the command that
 *   adds it, a changed key as a possible impostor: never trusted silently.
 * A failure becomes a message saying which of these went wrong.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectConfig } from 'ssh2';
import { hostPattern, isKnownHost, isListedHost, readKnownHosts } from './known-hosts';

export interface SshLoginTarget {
  user: string;
  host: string;
  port: number;
}

export interface SshLogin {
  /** ssh2's connect options: host, port, user, key, agent, host key check. */
  config: ConnectConfig;
  /** The private key file tried (undefined: none found, the agent alone). */
  keyFile?: string;
  /** The known_hosts file the host key was checked against. */
  knownFile: string;
  /**
   * What a connection error means, as a clause to put after the thing's name
   * ("cache remote ssh://u@h/p: <this>"); `keyHint` says how to give another key.
   */
  failure(err: Error & { level?: string; code?: string }, keyHint: string): string;
}

export function sshLogin(t: SshLoginTarget, opts: { keyFile?: string; env?: NodeJS.ProcessEnv; readyTimeoutMs?: number } = {}): SshLogin {
  const env = opts.env ?? process.env;
  const knownFile = env.MLCI_SSH_KNOWN_HOSTS || path.join(os.homedir(), '.ssh', 'known_hosts');
  const known = readKnownHosts(knownFile);
  let refused: 'unknown' | 'changed' | undefined;
  const config: ConnectConfig = {
    host: t.host,
    port: t.port,
    username: t.user,
    readyTimeout: opts.readyTimeoutMs ?? 15_000,
    hostVerifier: (key: Buffer) => {
      if (isKnownHost(known, t.host, t.port, key)) return true;
      refused = isListedHost(known, t.host, t.port) ? 'changed' : 'unknown';
      return false;
    },
  };
  const keyFile = opts.keyFile ?? (env.MLCI_SSH_KEY || undefined) ?? ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((n) => path.join(os.homedir(), '.ssh', n)).find((f) => existsSync(f));
  if (keyFile) {
    try {
      config.privateKey = readFileSync(keyFile);
    } catch (e) {
      throw new Error(`cannot read the SSH key ${keyFile}: ${(e as Error).message}`);
    }
  }
  if (env.SSH_AUTH_SOCK) config.agent = env.SSH_AUTH_SOCK;
  const where = hostPattern(t.host, t.port);
  return {
    config,
    keyFile,
    knownFile,
    failure(err, keyHint) {
      if (refused === 'unknown') {
        return `the host key of ${where} is not in ${knownFile}; check it and add it (ssh-keyscan -p ${t.port} ${t.host} >> ${knownFile}), or set MLCI_SSH_KNOWN_HOSTS`;
      }
      if (refused === 'changed') {
        return `the host key of ${where} is not the one ${knownFile} lists for it: the server was reinstalled or someone is impersonating it; check with its admin, then replace the line (ssh-keygen -R '${where}' -f ${knownFile})`;
      }
      if (err.level === 'client-authentication') {
        return `authentication as ${t.user} failed (tried ${keyFile ?? 'no key file'}${config.agent ? ' and the SSH agent' : ''}); ${keyHint}`;
      }
      if (err.level === 'client-timeout' && /handshake/.test(err.message)) return `no SSH handshake within ${Math.round((config.readyTimeout ?? 0) / 1000)} s`;
      return `cannot connect over SSH: ${err.code ?? ''} ${err.message}`.replace(/\s+/g, ' ');
    },
  };
}
