/**
 * A cache remote: a place holding cache keys (objects/, runs/, commits/;
 * see ../layout.ts) that `mlci cache push|pull` and CI share. The interface
 * is by batches of keys, so a remote can pipeline them its own way: the
 * directory remote copies files in parallel, the SSH remote streams tar
 * archives over a few channels, an S3 remote would issue parallel
 * PUT/GET/HEAD requests (objects become visible only when complete there
 * by nature).
 *
 * Rules every implementation keeps:
 * - a key becomes visible only when its content is complete (write to a
 *   temp name on the remote, then rename), so an interrupted push leaves no
 *   partial object, and the next push sends what is still missing (resume);
 * - `has` answers for complete keys only;
 * - putting a key that exists is harmless (same name, same content), so
 *   two pushes at once lose nothing;
 * - in one `put`, a record key (runs/, commits/) becomes visible only after
 *   every object key (objects/) of the call, so a run entry never names an
 *   object the remote does not have yet;
 * - errors name the remote and what failed (unreachable, permission, full).
 */
export type KeyPrefix = 'objects' | 'runs' | 'commits';

/** True for keys under objects/ (contents); false for records (runs/, commits/). */
export const isObjectKeyName = (key: string): boolean => key.startsWith('objects/');

export interface PutItem {
  key: string;
  /** Absolute path of the local file holding the key's content. */
  file: string;
  size: number;
}

export interface TransferProgress {
  /** Called once per key transferred, with its size. */
  onKey?(key: string, bytes: number): void;
}

/** What the remote answered at the start of a push. */
export interface PushAnswer {
  /** The keys asked about that the remote holds. */
  there: ReadonlySet<string>;
  /** The content of each held key of `PushPlan.read`, as text. */
  texts: ReadonlyMap<string, string>;
}

/** A push decided on the remote's answer: which keys it holds, and the records to merge. */
export interface PushPlan {
  /** Every key the push may send, with its local file and size (the sizes bound how many channels to open). */
  candidates: readonly PutItem[];
  /** Keys of `candidates` whose content the caller wants when the remote holds them (commit records, merged before sending). */
  read: readonly string[];
  /** Given the answer, the items to put (the rules of `put` hold for them). */
  choose(answer: PushAnswer): Promise<PutItem[]>;
}

/** Hands one key's content to the caller, which verifies and stores it. */
export type Receive = (key: string, chunks: AsyncIterable<Buffer>) => Promise<void>;

/**
 * A pull's conversation with a remote: the keys under some prefixes, then
 * keys asked in rounds (the next round's keys are known only from what the
 * last one brought: run entries name objects, directory manifests name
 * files), each round answered with what the remote holds.
 */
export interface FetchSession {
  /** Every key under the prefixes named when the session was opened. */
  readonly listed: readonly string[];
  /** Hands each key of `keys` the remote holds to `receive`; returns the keys it does not hold. */
  fetch(keys: readonly string[], receive: Receive, opts: TransferProgress): Promise<string[]>;
  close(): Promise<void>;
}

export interface RemoteStore {
  /** For messages: the URL without credentials. */
  readonly display: string;
  /** The keys of `keys` the remote holds. */
  has(keys: readonly string[]): Promise<Set<string>>;
  /** Every key under the given prefixes, in one request where the remote can. */
  list(prefixes: readonly KeyPrefix[]): Promise<string[]>;
  put(items: readonly PutItem[], opts: TransferProgress & { jobs: number }): Promise<void>;
  /**
   * A whole push in as few round trips as the remote can: ask, then put
   * what `plan.choose` returns. Optional: without it, a push is `has`, a
   * `get` of the records to merge, then `put` (see pushInSteps).
   */
  putMissing?(plan: PushPlan, opts: TransferProgress & { jobs: number }): Promise<void>;
  /**
   * Fetches `keys`; each key's content is handed to `receive` as a stream of
   * chunks (the caller verifies and stores it). A key the remote lacks is an
   * error naming it.
   */
  get(keys: readonly string[], receive: Receive, opts: TransferProgress & { jobs: number }): Promise<void>;
  /**
   * A pull in as few round trips as the remote can (the SSH remote: one
   * remote shell for the listing and every round). Optional: without it, a
   * session is `list`, then `has` and `get` per round (see openFetchSession).
   */
  openFetch?(list: readonly KeyPrefix[]): Promise<FetchSession>;
  close(): Promise<void>;
}

/** Splits `items` into at most `n` batches of about equal total size (largest first). */
export function splitBySize<T extends { size: number }>(items: readonly T[], n: number): T[][] {
  const batches: { total: number; items: T[] }[] = Array.from({ length: Math.max(1, Math.min(n, items.length)) }, () => ({ total: 0, items: [] }));
  for (const it of [...items].sort((a, b) => b.size - a.size)) {
    let min = batches[0];
    for (const b of batches) if (b.total < min.total) min = b;
    min.items.push(it);
    min.total += it.size;
  }
  return batches.map((b) => b.items).filter((b) => b.length);
}

/** A remote failure with a message a person can act on (remote, what, why). */
export class RemoteError extends Error {}
