/**
 * A real OpenSSH server for the ssh:// remote tests: started on a free
 * 127.0.0.1 port with a temporary host key and one authorized client key,
 * as root (sshd needs /run/sshd). `.ci/run` installs openssh-server through
 * scripts/ci/sshd.sh and exports its path as MLCI_SSHD; under CI=true a
 * missing sshd, ssh-keygen or CLI build fails the tests (requireSshd).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The server binary: MLCI_SSHD (set by .ci/run from scripts/ci/sshd.sh), else Debian's path. */
export const SSHD = process.env.MLCI_SSHD || '/usr/sbin/sshd';

export interface Sshd {
  port: number;
  /** With `logSessions`: the sshd log, where every remote shell is a `Starting session` line and every script's start a `script` line. */
  log?: string;
  /** Environment for mlci: the client key and a known_hosts file with the server's key. */
  env: Record<string, string>;
  dir: string;
  stop(): void;
}

/** Why the real OpenSSH server cannot be used here, or undefined when it can. */
export function sshdMissing(): string | undefined {
  if (!existsSync(SSHD)) return `${SSHD} not found${process.env.MLCI_SSHD ? ' (MLCI_SSHD)' : ''}`;
  if (spawnSync('ssh-keygen', ['-?']).error) return 'ssh-keygen not found';
  return undefined;
}

/**
 * For a suite's `before`: skips it (saying why) when sshd is missing, but
 * under CI=true fails instead, so CI never reports the real-server tests
 * as passed without running them.
 */
export function requireSshd(ctx: Mocha.Context): void {
  const why = sshdMissing();
  if (!why) return;
  const msg = `OpenSSH server not available (${why}); install it with: bash scripts/ci/sshd.sh`;
  if (process.env.CI === 'true') throw new Error(`${msg} (required under CI=true)`);
  console.log(`      skipped: ${msg}`);
  ctx.skip();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface SshdOptions {
  /**
   * Log each session to `log`: sshd's own `Starting session` line when a
   * command's shell starts, then (from a forced command, after the user's
   * shell start-up files and `startupSeconds` more, like a slow `conda init`)
   * a `script` line as the command itself begins.
   */
  logSessions?: { startupSeconds: number };
}

export async function startSshd(opts: SshdOptions = {}): Promise<Sshd> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-sshd-'));
  const keygen = (file: string) => {
    const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
    if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  };
  keygen(path.join(dir, 'host_key'));
  keygen(path.join(dir, 'client_key'));
  const log = opts.logSessions ? path.join(dir, 'sessions.log') : undefined;
  // The forced command runs the client's command with sh, as the user's shell would.
  const forced = log ? `command="sleep ${opts.logSessions!.startupSeconds}; echo script >> ${log}; exec sh -c \\"$SSH_ORIGINAL_COMMAND\\"" ` : '';
  writeFileSync(path.join(dir, 'authorized_keys'), forced + readFileSync(path.join(dir, 'client_key.pub'), 'utf8'));
  mkdirSync('/run/sshd', { recursive: true });
  const port = await freePort();
  writeFileSync(path.join(dir, 'sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${dir}/host_key`, `AuthorizedKeysFile ${dir}/authorized_keys`,
    'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'PubkeyAuthentication yes', 'PermitRootLogin prohibit-password',
    'UsePAM no', 'StrictModes no', `PidFile ${dir}/sshd.pid`, 'MaxSessions 32', 'MaxStartups 32', `LogLevel ${log ? 'VERBOSE' : 'ERROR'}`, '',
  ].join('\n'));
  // With `log`, sshd's stderr is that file (opened to append, as the forced command does), inherited by every session process.
  const logFd = log ? openSync(log, 'a') : undefined;
  const proc: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', logFd ?? 'pipe'] });
  if (logFd !== undefined) closeSync(logFd);
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  // Ready when the port accepts a connection. The probe is destroyed, not
  // ended: ended, it kept sshd's greeting unread, so it never saw the end of
  // the stream, and its open socket kept the benchmark process alive.
  for (let i = 0; ; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (ok) break;
    if (i > 100 || proc.exitCode !== null) throw new Error(`sshd did not start: ${stderr}${log && existsSync(log) ? readFileSync(log, 'utf8') : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const hostPub = readFileSync(path.join(dir, 'host_key.pub'), 'utf8').trim().split(' ');
  writeFileSync(path.join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub[0]} ${hostPub[1]}\n`);
  return {
    port, dir, log,
    env: { MLCI_SSH_KEY: path.join(dir, 'client_key'), MLCI_SSH_KNOWN_HOSTS: path.join(dir, 'known_hosts'), SSH_AUTH_SOCK: '' },
    stop: () => {
      proc.kill('SIGTERM');
    },
  };
}
