/** Shared helpers for the data reader tests. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rows } from '../../../src/core/data/read';
import type { CsvFileOptions } from '../../../src/core/data/csv-file';
import { DataError } from '../../../src/core/data/errors';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'csv-edge-cases');

export interface Outcome {
  records: string[][];
  error?: DataError;
}

/** All records, and the error that ended the stream if any (records before it included). */
export async function collect(path: string, options: CsvFileOptions = {}): Promise<Outcome> {
  const records: string[][] = [];
  try {
    for await (const r of rows(path, options)) records.push(r);
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    return { records, error: err };
  }
  return { records };
}

/** Records as objects keyed by the header; extra fields under "_<index>" (csv-parser's convention). */
export function asObjects(records: string[][]): Record<string, string>[] {
  const [header, ...body] = records;
  return body.map((r) => Object.fromEntries(r.map((v, i) => [i < header.length ? header[i] : `_${i}`, v])));
}

/** A temp folder removed after the suite. */
export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'mlci-data-'));
  file(name: string, content: string | Uint8Array): string {
    const p = join(this.path, name);
    writeFileSync(p, content);
    return p;
  }
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}
