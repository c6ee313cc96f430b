/**
 * Who owns a container on a shared engine. Several machines (and several
 * mlci processes) may use one `tcp://` or `ssh://` engine: a container's pid
 * label means something only on the host that made it, so every container
 * also carries that host's identity, and stray cleanup removes only
 * containers of this host whose mlci process is gone.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export const LABEL_HOST = 'mlci.host';
export const LABEL_CLIENT = 'mlci.client';

let cached: string | undefined;

/**
 * This host's identity: the hostname plus the machine id (two containers or
 * VMs cloned from one image may share a hostname, rarely a machine id).
 * MLCI_HOST_ID overrides it (tests simulate a second host with it).
 */
export function hostId(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MLCI_HOST_ID) return env.MLCI_HOST_ID;
  if (cached) return cached;
  let machine = '';
  for (const f of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      machine = readFileSync(f, 'utf8').trim().slice(0, 12);
      if (machine) break;
    } catch {
      // not on this system (macOS, Windows, minimal containers)
    }
  }
  cached = machine ? `${os.hostname()}/${machine}` : os.hostname();
  return cached;
}

/** The client that created a container, for `docker ps` readers: `mlci-cli 0.1.0 (pid 123)`. */
export function clientLabel(version: string, env: NodeJS.ProcessEnv = process.env): string {
  return `${env.MLCI_CLIENT ?? 'mlci'} ${version} (pid ${process.pid})`;
}
