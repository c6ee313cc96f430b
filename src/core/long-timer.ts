/**
 * setTimeout for any delay. Node's timers hold at most 2^31-1 ms (24.8
 * days): a longer delay (a stage with `resources.timeout: 30d`) fires after
 * 1 ms with only a TimeoutOverflowWarning, failing the stage at once. Long
 * delays are chained in steps below that limit.
 */
const MAX_DELAY = 2 ** 31 - 1;

export interface LongTimer {
  clear(): void;
}

export function setLongTimeout(fn: () => void, ms: number, step = MAX_DELAY): LongTimer {
  const due = Date.now() + ms;
  let timer: NodeJS.Timeout | undefined;
  let cleared = false;
  const arm = (): void => {
    const left = due - Date.now();
    if (left <= step) {
      timer = setTimeout(() => {
        if (!cleared) fn();
      }, Math.max(0, left));
      return;
    }
    timer = setTimeout(arm, step);
  };
  arm();
  return {
    clear() {
      cleared = true;
      if (timer) clearTimeout(timer);
    },
  };
}
