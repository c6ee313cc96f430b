/**
 * Run ids: `20261127-053912-4f2a`, the UTC start time to the second plus 4
 * random hex digits. Sorting ids as strings sorts runs by start time only
 * across seconds: within one second the random digits decide, so whatever
 * needs the order of runs sorts by the record's `startedAt` (the store, the
 * views, the tests). Two processes starting in the same second still get
 * different ids (the store creates the run folder exclusively, so a
 * 1-in-65536 clash fails loudly instead of mixing two runs).
 */
import { randomBytes } from 'node:crypto';

/** The shape newRunId produces. */
export const RUN_ID_PATTERN = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-[0-9a-f]{4}$/;

/**
 * Any id the store accepts as a folder name: ids made elsewhere (tests,
 * older versions) are fine as long as they cannot escape `.mlci/runs/`.
 */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Words that mean "the most recent run". */
export const LAST_RUN_WORDS = ['last', 'latest'] as const;

export function newRunId(now: Date = new Date(), random: string = randomBytes(2).toString('hex')): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const date = `${p(now.getUTCFullYear(), 4)}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}`;
  const time = `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${date}-${time}-${random}`;
}

/** True for ids in the newRunId format. */
export function isRunId(id: string): boolean {
  return RUN_ID_PATTERN.test(id);
}

/** True when `id` is usable as a run folder name (no separators, no `..`, no leading dot). */
export function isSafeRunId(id: string): boolean {
  return SAFE_ID.test(id);
}

/** The start time encoded in a newRunId id (second precision), or undefined. */
export function runIdTime(id: string): Date | undefined {
  const m = RUN_ID_PATTERN.exec(id);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const t = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
  // Reject impossible dates (month 13, Feb 30) rather than letting Date roll them over.
  return t.getUTCMonth() === mo! - 1 && t.getUTCDate() === d! ? t : undefined;
}

/** What a user typed for RUN (`mlci logs RUN`), checked but not yet looked up. */
export type RunRef = { kind: 'last' } | { kind: 'id'; text: string };

/**
 * Validates a RUN argument: a full id, a prefix of one, or `last`/`latest`.
 * Throws an Error whose message says what is accepted. Whether a prefix is
 * unique is for RunStore.resolve to decide: it needs the list of runs.
 */
export function parseRunRef(input: string): RunRef {
  const text = input.trim();
  if ((LAST_RUN_WORDS as readonly string[]).includes(text.toLowerCase())) return { kind: 'last' };
  if (!SAFE_ID.test(text)) {
    const shown = text === '' ? 'an empty run id' : `'${text}' is not a run id`;
    throw new Error(`${shown}: give a run id (like 20261127-053912-4f2a), a unique prefix of one, or "last"`);
  }
  return { kind: 'id', text };
}
