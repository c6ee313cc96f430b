/**
 * The drift worker thread (also the data checks'): reads a file or a part
 * of one (csv-parts.ts), or tests a column, one request at a
 * time, and sends typed arrays back by transfer. Started by pool.ts; in the
 * bundled CLI this file must be built as dist/drift-worker.js next to the
 * bundle (without it detectDrift runs on the main thread).
 */
import { parentPort } from 'node:worker_threads';
import { loadCsvPart } from '../../data/csv-parts';
import { readTable } from '../../data/read';
import { testColumn } from './column-test';
import type { WorkerReply, WorkerRequest } from './wire';
import { tableBuffers, toWireError } from './wire';

const port = parentPort;
if (port) {
  port.on('message', (req: WorkerRequest) => {
    void handle(req).then(
      ({ reply, transfer }) => port.postMessage(reply, transfer),
      (e: unknown) => port.postMessage({ id: req.id, ok: false, error: toWireError(e) } satisfies WorkerReply),
    );
  });
}

async function handle(req: WorkerRequest): Promise<{ reply: WorkerReply; transfer: ArrayBuffer[] }> {
  if (req.type === 'read') {
    const table = await readTable(req.path, req.options);
    return { reply: { id: req.id, ok: true, table }, transfer: tableBuffers(table) };
  }
  if (req.type === 'read-part') {
    const { table, clean } = await loadCsvPart(req.path, req.options, req.part);
    return { reply: { id: req.id, ok: true, table, clean }, transfer: tableBuffers(table) };
  }
  return { reply: { id: req.id, ok: true, outcome: testColumn(req.job) }, transfer: [] };
}
