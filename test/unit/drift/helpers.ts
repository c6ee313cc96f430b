/** Shared helpers for the drift detection tests: specs, jobs and CSV files built in a temp folder. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ColumnJob } from '../../../src/core/drift/detect';
import type { DriftColumnReport } from '../../../src/core/drift/report';
import type { DriftSpec } from '../../../src/core/pipeline/model';
import { seededRandom } from '../../../src/core/experiments/grid';

export const REPO = join(__dirname, '..', '..', '..');
export const FIXTURES = join(REPO, 'test', 'fixtures', 'drift');

/** A DriftSpec as the pipeline model gives it (defaults filled). */
export function spec(over: Partial<DriftSpec> = {}): DriftSpec {
  return { share: 0.5, columns: {}, exclude: [], format: 'auto', ...over };
}

export function numericJob(reference: ArrayLike<number>, current: ArrayLike<number>, over: Partial<ColumnJob> = {}): ColumnJob {
  return {
    name: 'x', kind: 'numeric', test: 'auto',
    reference: { storage: 'values', type: 'number', values: Float64Array.from(reference) },
    current: { storage: 'values', type: 'number', values: Float64Array.from(current) },
    ...over,
  };
}

/** Codes into one shared dictionary per side, built from values (null = missing). */
export function categoryJob(reference: (string | null)[], current: (string | null)[], over: Partial<ColumnJob> = {}): ColumnJob {
  const side = (values: (string | null)[]): ColumnJob['reference'] => {
    const dictionary: string[] = [];
    const codes = Int32Array.from(values, (v) => {
      if (v === null) return -1;
      let c = dictionary.indexOf(v);
      if (c < 0) c = dictionary.push(v) - 1;
      return c;
    });
    return { storage: 'codes', type: 'category', codes, dictionary };
  };
  return { name: 'c', kind: 'categorical', test: 'auto', reference: side(reference), current: side(current), ...over };
}

/** `n` values repeating `pattern` (deterministic samples of a given shape). */
export function repeat<T>(pattern: T[], n: number): T[] {
  return Array.from({ length: n }, (_, i) => pattern[i % pattern.length]!);
}

/** A deterministic pseudo-random stream (mulberry32, the sweeps' generator), for samples of a known distribution. */
export const rng = seededRandom;

export function normals(n: number, seed: number, mean = 0, sd = 1): number[] {
  const next = rng(seed);
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()));
}

export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'mlci-drift-'));
  file(name: string, content: string): string {
    const p = join(this.path, name);
    writeFileSync(p, content);
    return p;
  }
  /** A CSV from a header and columns of equal length (null = empty cell). */
  csv(name: string, columns: Record<string, (string | number | null)[]>): string {
    const names = Object.keys(columns);
    const n = Math.max(0, ...names.map((k) => columns[k]!.length));
    const lines = [names.join(',')];
    for (let i = 0; i < n; i++) lines.push(names.map((k) => String(columns[k]![i] ?? '')).join(','));
    return this.file(name, lines.join('\n') + '\n');
  }
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export function byName(columns: DriftColumnReport[]): Map<string, DriftColumnReport> {
  return new Map(columns.map((c) => [c.name, c]));
}
