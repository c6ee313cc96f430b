/**
 * A small bounded work queue. Hashing many files in parallel keeps an SSD's
 * queue busy and overlaps reads with hashing, but an unbounded fan-out over a
 * 100k-file dataset would open 100k descriptors and queue 100k libuv
 * requests at once; a fixed number in flight gets the overlap without that.
 */

/**
 * Runs `fn` over `queue` with at most `limit` calls in flight. `fn` may push
 * more items onto `queue` (a directory walk does), and they are processed
 * too. Rejects with the first error; no new items start after it.
 */
export function drain<T>(queue: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let active = 0;
    let failed = false;
    const pump = (): void => {
      while (!failed && active < limit && next < queue.length) {
        const item = queue[next++];
        active++;
        fn(item).then(
          () => {
            active--;
            pump();
          },
          (e: unknown) => {
            failed = true;
            reject(e);
          },
        );
      }
      if (!failed && active === 0 && next >= queue.length) resolve();
    };
    pump();
  });
}
