/** Pipelines for the export tests: the churn example and the variants in test/fixtures/export. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { nodeFiles } from '../../../src/core/node-files';
import type { Pipeline } from '../../../src/core/pipeline/model';
import { validatePipeline } from '../../../src/core/pipeline/validate';

export const repo = path.join(__dirname, '../../..');

/** `file` relative to the repository root; validation errors fail the test. */
export function loadRepoPipeline(file: string): Pipeline {
  const abs = path.join(repo, file);
  const r = validatePipeline({ file, text: readFileSync(abs, 'utf8'), root: path.dirname(abs), files: nodeFiles });
  assert.deepEqual(r.problems.filter((p) => p.severity === 'error').map((p) => p.message), []);
  return r.pipeline!;
}
