/**
 * What crosses the worker boundary: messages, the buffers to transfer (not
 * copy) with them, and DataError rebuilt on the other side so a CLI still
 * sees its file, row and code.
 */
import type { CsvLoadOptions } from '../../data/columns';
import type { CsvPart } from '../../data/csv-parts';
import type { ReadOptions } from '../../data/read';
import { DataError } from '../../data/errors';
import type { DataErrorCode } from '../../data/errors';
import type { Table } from '../../data/table';
import { isNumericColumn } from '../../data/table';
import type { ColumnJob, ColumnOutcome } from './column-test';
import type { RawSide } from './samples';

export type WorkerRequest =
  | { id: number; type: 'read'; path: string; options: ReadOptions }
  | { id: number; type: 'read-part'; path: string; options: CsvLoadOptions; part: CsvPart }
  | { id: number; type: 'test'; job: ColumnJob };

export type WorkerReply =
  | { id: number; ok: true; table?: Table; outcome?: ColumnOutcome; clean?: boolean }
  | { id: number; ok: false; error: WireError };

export interface WireError {
  message: string;
  stack?: string;
  dataError?: { file: string; code: DataErrorCode; row?: number; line?: number; column?: number; field?: string; offset?: number };
}

export function toWireError(e: unknown): WireError {
  const err = e instanceof Error ? e : new Error(String(e));
  const wire: WireError = { message: err.message };
  if (err.stack !== undefined) wire.stack = err.stack;
  if (err instanceof DataError) {
    wire.dataError = { file: err.file, code: err.code };
    for (const k of ['row', 'line', 'column', 'field', 'offset'] as const) {
      if (err[k] !== undefined) (wire.dataError as Record<string, unknown>)[k] = err[k];
    }
  }
  return wire;
}

export function fromWireError(wire: WireError): Error {
  if (wire.dataError) {
    const { file } = wire.dataError;
    // DataError's message is "<file>: <detail>": take the detail back out.
    const detail = wire.message.startsWith(`${file}: `) ? wire.message.slice(file.length + 2) : wire.message;
    return new DataError({ ...wire.dataError, detail });
  }
  const err = new Error(wire.message);
  if (wire.stack !== undefined) err.stack = wire.stack;
  return err;
}

/** The distinct ArrayBuffers under a table's columns (a buffer may be listed once only). */
export function tableBuffers(table: Table): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  for (const c of table.columns.values()) set.add((isNumericColumn(c) ? c.values.buffer : c.codes.buffer) as ArrayBuffer);
  return [...set];
}

export function jobBuffers(job: ColumnJob): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  const add = (s: RawSide): void => {
    set.add((s.storage === 'values' ? s.values.buffer : s.codes.buffer) as ArrayBuffer);
  };
  add(job.reference);
  add(job.current);
  return [...set];
}
