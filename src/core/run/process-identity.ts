/**
 * Telling a live process from a dead one whose pid was reused: a pid alone
 * is not an identity (pids wrap, and in a container the same small pids
 * come back after every restart), so records that name a process (the
 * workspace lock, a run's owner, a local stage left running) also keep its
 * start time. A process is the recorded one only if a process with that pid
 * exists on this host AND started at the recorded time.
 *
 * Linux: field 22 of /proc/<pid>/stat (clock ticks since boot) with the boot
 * id, so a reboot never matches. Elsewhere: `ps -o lstart=` (seconds).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface ProcessIdentity {
  pid: number;
  host: string;
  /** Opaque start-time token; absent in records written before it existed. */
  start?: string;
}

let bootId: string | undefined;

/** The start-time token of a live process, or undefined when it does not exist (or cannot be read). */
export function processStartTime(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: fields after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      bootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      return `${bootId}:${fields[19]}`;
    } catch {
      return undefined;
    }
  }
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return out || undefined;
  } catch {
    return undefined;
  }
}

/** This process's identity, as records store it. */
export function currentProcess(): ProcessIdentity {
  const start = processStartTime(process.pid);
  return { pid: process.pid, host: os.hostname(), ...(start ? { start } : {}) };
}

/**
 * Whether a process exists. EPERM means it exists but belongs to someone
 * else. Anything that is not a positive pid counts as alive ("cannot tell"):
 * process.kill(0 or negative) would signal whole process groups.
 */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * 'alive': the recorded process runs (same pid and start time, or no start
 * recorded and the pid exists); 'dead': it is gone (no such pid, or the pid
 * now belongs to a process started at another time); 'unknown': another
 * host, which cannot be checked from here.
 */
export function processState(p: ProcessIdentity): 'alive' | 'dead' | 'unknown' {
  if (p.host !== os.hostname()) return 'unknown';
  if (!isPidAlive(p.pid)) return 'dead';
  if (p.start === undefined) return 'alive';
  const now = processStartTime(p.pid);
  // Exists but unreadable (another user's, no /proc): trust the pid.
  if (now === undefined) return 'alive';
  return now === p.start ? 'alive' : 'dead';
}
