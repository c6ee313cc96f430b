/**
 * Cases for the streaming equivalence test (streaming.test.ts): every CSV
 * fixture and a few generated files (duplicates found late, -0, inf, many
 * repeats, missing values), each checked with expectations that reach every
 * kind of check, typed (the streaming path), untyped (a whole load) and
 * mistyped (a value that does not fit: a whole load with text types).
 * stream-golden.json holds the reports the whole-table implementation gave
 * before streaming existed (scripts: `npx tsx test/unit/data-checks/stream-cases.ts write`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDataChecks } from '../../../src/core/data-checks';
import type { DataCheckOptions, DataCheckReport } from '../../../src/core/data-checks';
import { readTable } from '../../../src/core/data/read';
import type { ColumnExpectation, ColumnType, Expectations } from '../../../src/core/pipeline/model';
import { FIXTURES } from './helpers';

export const GOLDEN = join(FIXTURES, 'stream-golden.json');

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
}

/** Generated files, written into `dir`; deterministic. */
export function writeGenerated(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const r = rng(7);
  const files: Record<string, string[]> = { 'gen-a.csv': ['id,score,tenure,plan,flag,when'], 'gen-b.csv': ['id,x,y'], 'gen-c.csv': ['v,w'] };
  for (let i = 0; i < 3000; i++) {
    const id = i === 2500 ? 17 : i; // increasing until a late duplicate
    const score = r() < 0.05 ? '' : (r() * 200 - 50).toFixed(r() < 0.5 ? 2 : 0);
    const tenure = Math.floor(r() * 120);
    const plan = ['basic', 'plus', 'pro', 'gold'][Math.floor(r() * (i > 2000 ? 4 : 3))];
    const flag = r() < 0.3 ? 'true' : r() < 0.05 ? '' : 'false';
    const when = `2024-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 10)}`;
    files['gen-a.csv'].push(`${id},${score},${tenure},${plan},${flag},${when}`);
  }
  for (let i = 0; i < 2000; i++) {
    const x = i % 97 === 0 ? '-0' : i === 1500 ? 'inf' : String(Math.floor(r() * 5) - 2);
    const y = (Math.exp(r() * 40 - 20) * (r() < 0.5 ? -1 : 1)).toPrecision(r() < 0.3 ? 3 : 17);
    files['gen-b.csv'].push(`${3000 - i},${x},${y}`);
  }
  for (let i = 0; i < 1500; i++) {
    const v = i < 700 ? '5' : i < 1400 ? String(5 + (i % 3) * 1e-12) : '-inf';
    files['gen-c.csv'].push(`${v},${r() < 0.5 ? '' : String(i % 50)}`);
  }
  for (const [name, lines] of Object.entries(files)) writeFileSync(join(dir, name), lines.join('\n') + '\n');
  return Object.keys(files).map((n) => join(dir, n));
}

const LEVELS = { '0': { min: -1 }, '0.1': { max: 0 }, '0.25': { min: 1 }, '0.5': { min: 0, max: 60 }, '0.75': { max: 90 }, '0.9': { min: 100 }, '0.99': { max: 1000 }, '1': { max: 119 } };

function spec(type: ColumnType | undefined, column: string): ColumnExpectation {
  return {
    ...(type !== undefined ? { type } : {}),
    nulls: 0, null_share: 0.02, unique: true,
    in: ['basic', 'plus', 'pro', 5, 0, 1, true, '2024-01-10'], regex: '^[0-9a-z]{1,3}$',
    min: 0, max: 100, mean: { min: 10, max: 40 }, std: { max: 30 }, quantiles: column.length % 2 === 0 ? LEVELS : { '0.5': { min: 1 }, '0.9': { max: 50 } },
  };
}

export interface Case {
  name: string;
  file: string;
  expect: Expectations;
}

/** Every case over `files` (absolute paths), named by base name and variant. */
export async function cases(files: string[]): Promise<Case[]> {
  const out: Case[] = [];
  for (const file of files) {
    const base = file.split('/').pop()!;
    let table;
    try {
      table = await readTable(file);
    } catch {
      out.push({ name: `${base} unreadable`, file, expect: { file: base, format: 'auto', rows: { min: 1 }, columns: { a: { type: 'number', min: 0 } } } });
      continue;
    }
    const names = [...table.columns.keys()];
    const inferred = Object.fromEntries(names.map((n) => [n, table.columns.get(n)!.type]));
    const variants: Record<string, (n: string) => ColumnType | undefined> = {
      typed: (n) => inferred[n],
      untyped: () => undefined,
      numbers: () => 'number',
      text: () => 'text',
    };
    for (const [variant, typeOf] of Object.entries(variants)) {
      const columns = Object.fromEntries(names.map((n) => [n, spec(typeOf(n), n)]));
      columns.absent_column = { type: 'number', min: 0 };
      columns.optional_column = { type: 'integer', required: false };
      out.push({ name: `${base} ${variant}`, file, expect: { file: base, format: 'auto', rows: { min: 10, max: 2500 }, columns } });
    }
  }
  return out;
}

/** The report without its timing, as JSON. */
export function stable(report: DataCheckReport): string {
  return JSON.stringify({ ...report, durationMs: 0 });
}

export function fixtureFiles(): string[] {
  return ['clean.csv', 'empty.csv', 'header-only.csv', 'latin1.csv', 'multiline.csv', 'numbers.csv', 'ragged.csv', 'typed.csv', 'violations.csv', 'events.jsonl'].map((f) => join(FIXTURES, f));
}

export async function reports(dir: string, opts: DataCheckOptions = {}): Promise<Record<string, string>> {
  const all = await cases([...fixtureFiles(), ...writeGenerated(dir)]);
  const out: Record<string, string> = {};
  for (const c of all) out[c.name] = stable(await runDataChecks(c.file, c.expect, opts));
  return out;
}

if (process.argv[2] === 'write') {
  void reports(join(tmpdir(), `mlci-stream-golden-${process.pid}`)).then((r) => {
    writeFileSync(GOLDEN, JSON.stringify(r, null, 0).replace(/","/g, '",\n"') + '\n');
    console.log(`${Object.keys(r).length} reports -> ${GOLDEN}`);
  });
}
export const readGolden = (): Record<string, string> => JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, string>;
