/**
 * Validation of a generated 1,000-stage pipeline: mlci (parse + schema +
 * semantic checks) vs yaml-language-server validating the same text
 * against the same JSON Schema, both in-process, in the same run.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodeFiles } from '../src/core/node-files';
import { validatePipeline } from '../src/core/pipeline/validate';
import { validateIncremental } from '../src/core/pipeline/incremental';
import { generatePipeline } from './gen-pipeline';
import { median, timeRuns, type BenchResult } from './timing';

export async function benchValidate(): Promise<BenchResult[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-bench-validate-'));
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'src/step.py'), '');
  writeFileSync(path.join(dir, 'params.yaml'), 'lr: 0.1\nepochs: 3\n');
  const text = generatePipeline(1000);
  writeFileSync(path.join(dir, 'mlci.yaml'), text);

  const problems = validatePipeline({ file: 'mlci.yaml', text, root: dir, files: nodeFiles }).problems;
  if (problems.some((p) => p.severity === 'error')) throw new Error(`generated pipeline has errors: ${problems[0].message}`);
  const mlci = await timeRuns(15, () => {
    validatePipeline({ file: 'mlci.yaml', text, root: dir, files: nodeFiles });
  });

  // yaml-language-server, configured the way VS Code's YAML extension would be.
  const yls = await import('yaml-language-server');
  const { TextDocument } = await import('vscode-languageserver-textdocument');
  const schemaPath = path.join(__dirname, '../schemas/mlci.schema.json');
  const schemaText = readFileSync(schemaPath, 'utf8');
  const schemaUri = 'file://' + schemaPath;
  const service = yls.getLanguageService({
    schemaRequestService: async () => schemaText,
    workspaceContext: { resolveRelativePath: (rel: string, res: string) => new URL(rel, res).toString() },
  });
  service.configure({ validate: true, schemas: [{ uri: schemaUri, fileMatch: ['*.yaml'], schema: JSON.parse(schemaText) }] });
  const uri = 'file://' + path.join(dir, 'mlci.yaml');
  let version = 1;
  const ylsDiagnostics = await service.doValidation(TextDocument.create(uri, 'yaml', version, text), false);
  if (ylsDiagnostics.length > 0) throw new Error(`yaml-language-server reports ${ylsDiagnostics.length} diagnostics on the generated pipeline: ${ylsDiagnostics[0].message}`);
  const ylsTimes = await timeRuns(15, async () => {
    // A new document version each time, as an editor would send (no cache hit).
    await service.doValidation(TextDocument.create(uri, 'yaml', ++version, text + `# ${version}\n`), false);
  });
  const ratio = median(mlci) / median(ylsTimes);

  // Re-validation after a one-character edit, as the editor does it
  // (validateIncremental with the state of the previous call): a digit of
  // stage s500's command typed, alternating so each call sees a new text.
  const at = text.indexOf('--stage 500') + '--stage 50'.length;
  const variants = ['1', '2'].map((d) => text.slice(0, at) + d + text.slice(at + 1));
  const input = (t: string) => ({ file: 'mlci.yaml', text: t, root: dir, files: nodeFiles });
  let state = validateIncremental(input(text)).state;
  let k = 0;
  let reusedAll = true;
  const incremental = await timeRuns(15, () => {
    const r = validateIncremental(input(variants[k++ % 2]!), state);
    reusedAll &&= r.reused;
    state = r.state;
  });
  // The full validation of the same edited texts, in the same run.
  const full = await timeRuns(15, () => {
    validatePipeline(input(variants[k++ % 2]!));
  });
  return [
    { name: 'validate 1,000 stages: mlci', ms: median(mlci) },
    { name: 'validate 1,000 stages: yaml-language-server', ms: median(ylsTimes) },
    { name: 'validate ratio mlci / yaml-language-server (goal <= 0.5)', ratio, goal: 0.5 },
    { name: 're-validate after a 1-character edit: incremental', ms: median(incremental), note: reusedAll ? '' : '(SPLICE NOT TAKEN on some edits)' },
    { name: 're-validate after a 1-character edit: full validation', ms: median(full) },
    { name: 're-validate ratio incremental / full (goal <= 0.1)', ratio: median(incremental) / median(full), goal: 0.1 },
  ];
}
