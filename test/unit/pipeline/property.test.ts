/**
 * Property: for any input text, the validator returns (never throws) and
 * every problem has a well-formed range inside the document. Inputs are
 * random YAML-ish text, and mutations (deletions, insertions of YAML
 * punctuation, duplicated lines, re-indentation) of the real example.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { nodeFiles } from '../../../src/core/node-files';
import { validatePipeline } from '../../../src/core/pipeline/validate';

const exampleDir = path.join(__dirname, '../../../examples/churn');
const example = readFileSync(path.join(exampleDir, 'mlci.yaml'), 'utf8');

function check(text: string): void {
  const r = validatePipeline({ file: 'mlci.yaml', text, root: exampleDir, files: nodeFiles });
  for (const p of r.problems) {
    assert.ok(Number.isInteger(p.start) && Number.isInteger(p.end), 'integer offsets');
    assert.ok(p.start >= 0 && p.start <= p.end && p.end <= text.length, `range ${p.start}-${p.end} outside 0-${text.length} for ${p.code}`);
    assert.ok(p.line >= 1 && p.column >= 1 && (p.endLine > p.line || (p.endLine === p.line && p.endColumn >= p.column)), `bad line/column for ${p.code}`);
    assert.ok(typeof p.message === 'string' && p.message.length > 0);
    assert.ok(!p.message.startsWith('internal validator error'), `validator crashed on input: ${p.message}\n---\n${text}`);
    for (const f of p.fixes ?? []) for (const e of f.edits) assert.ok(e.start >= 0 && e.start <= e.end, 'fix edit range');
  }
}

const punctuation = fc.constantFrom(':', '-', ' ', '  ', '\n', '\t', '[', ']', '{', '}', ',', '&a', '*a', '<<: *a', '"', "'", '#', '---', '|', '>', '!!str', '?', '%YAML 1.2', '\r\n', '\u00a0', 'needs: [x]', 'stages:', 'kind: data');

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(punctuation, fc.string({ maxLength: 12 })) }),
  fc.record({ kind: fc.constant('dupline' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('indent' as const), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
);

type Mutation = { kind: "delete"; at: number; len: number } | { kind: "insert"; at: number; text: string } | { kind: "dupline"; at: number } | { kind: "indent"; at: number; by: number };

function apply(text: string, muts: Mutation[]): string {
  let t = text;
  for (const m of muts) {
    const at = t.length ? m.at % (t.length + 1) : 0;
    if (m.kind === 'delete') t = t.slice(0, at) + t.slice(at + m.len);
    else if (m.kind === 'insert') t = t.slice(0, at) + m.text + t.slice(at);
    else {
      const lines = t.split('\n');
      const i = lines.length ? m.at % lines.length : 0;
      if (m.kind === 'dupline') lines.splice(i, 0, lines[i] ?? '');
      else lines[i] = m.by >= 0 ? ' '.repeat(m.by) + (lines[i] ?? '') : (lines[i] ?? '').replace(new RegExp(`^ {0,${-m.by}}`), '');
      t = lines.join('\n');
    }
  }
  return t;
}

describe('validator properties', function () {
  this.timeout(120_000);

  it('never throws on mutations of the real example, ranges stay inside', () => {
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (muts) => check(apply(example, muts))), { numRuns: 2500, seed: 20261127 });
  });

  it('never throws on random YAML-ish text', () => {
    const line = fc.array(fc.oneof(punctuation, fc.string({ maxLength: 8 })), { maxLength: 8 }).map((parts) => parts.join(''));
    fc.assert(fc.property(fc.array(line, { maxLength: 20 }), (lines) => check(lines.join('\n'))), { numRuns: 1500, seed: 7 });
  });

  it('never throws on random values in the example structure', () => {
    const anything = fc.anything({ maxDepth: 3 });
    fc.assert(fc.property(anything, fc.constantFrom('version', 'stages', 'defaults', 'metrics', 'triggers', 'ci', 'params'), (value, key) => {
      const doc = JSON.parse(JSON.stringify({ version: 1, stages: { a: { run: 'x', image: 'busybox' } } }));
      try {
        doc[key] = JSON.parse(JSON.stringify(value ?? null));
      } catch {
        return;
      }
      check(JSON.stringify(doc));
    }), { numRuns: 800, seed: 3 });
  });
});
