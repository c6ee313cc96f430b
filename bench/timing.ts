/** Timing helpers for `npm run bench`: warm-up, repeated runs, medians. */
export interface BenchResult {
  name: string;
  ms?: number;
  /** Another measure than milliseconds (e.g. KB). */
  value?: number;
  unit?: string;
  ratio?: number;
  /** The ratio goal (lower is better); printed with a verdict. */
  goal?: number;
  note?: string;
}

export async function timeRuns(n: number, fn: () => unknown | Promise<unknown>, warmup = 2): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
