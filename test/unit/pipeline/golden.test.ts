/**
 * Golden files: every folder under test/fixtures/validate holds a pipeline
 * file (mlci.yaml or *.mlci.yaml, with whatever params and data files it
 * refers to) and expected.json listing exactly the problems the validator
 * must report: code, severity, start and end (1-based line/column), and
 * optionally a substring of the message.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { nodeFiles } from '../../../src/core/node-files';
import { PROBLEM_CODES } from '../../../src/core/problems';
import { validatePipeline } from '../../../src/core/pipeline/validate';

interface Expected {
  code: string;
  severity: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message?: string;
  fix?: string;
}

const root = path.join(__dirname, '../../fixtures/validate');
const cases = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

describe('golden pipeline files', () => {
  it('has at least 40 cases', () => assert.ok(cases.length >= 40, `only ${cases.length} golden cases`));

  const seenCodes = new Set<string>();
  for (const name of cases) {
    it(name, () => {
      const dir = path.join(root, name);
      const file = readdirSync(dir).find((f) => f === 'mlci.yaml' || f.endsWith('.mlci.yaml'));
      assert.ok(file, `${name} has no pipeline file`);
      const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as { problems: Expected[] };
      const text = readFileSync(path.join(dir, file), 'utf8');
      const { problems } = validatePipeline({ file, text, root: dir, files: nodeFiles });
      const actual = problems.map((p) => `${p.line}:${p.column}-${p.endLine}:${p.endColumn} ${p.severity} ${p.code}`);
      const want = expected.problems.map((p) => `${p.line}:${p.column}-${p.endLine}:${p.endColumn} ${p.severity} ${p.code}`);
      assert.deepEqual(actual, want, `problems differ; actual messages:\n${problems.map((p) => `  ${p.line}:${p.column} ${p.code}: ${p.message}`).join('\n')}`);
      expected.problems.forEach((e, i) => {
        if (e.message) assert.ok(problems[i].message.includes(e.message), `message of problem ${i + 1} is "${problems[i].message}", expected to contain "${e.message}"`);
        if (e.fix) assert.ok(problems[i].fixes?.some((f) => f.title === e.fix), `problem ${i + 1} lacks fix "${e.fix}"; has ${JSON.stringify(problems[i].fixes?.map((f) => f.title))}`);
        seenCodes.add(e.code);
      });
      for (const p of problems) {
        assert.ok(p.start >= 0 && p.end <= text.length && p.start <= p.end, 'range inside the document');
        assert.ok(p.message.length > 10 && !/must (match|NOT)|instancePath|schemaPath/.test(p.message), `message reads like raw validator output: ${p.message}`);
      }
    });
  }

  it('covers every problem code', () => {
    const missing = Object.keys(PROBLEM_CODES).filter((c) => !seenCodes.has(c));
    assert.deepEqual(missing, [], `no golden case for: ${missing.join(', ')}`);
  });
});
