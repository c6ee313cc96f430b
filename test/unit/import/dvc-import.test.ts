/**
 * `mlci import dvc` on golden DVC projects (test/fixtures/import-dvc, each
 * dvc.yaml written from DVC's documented syntax): the written mlci.yaml is
 * exactly expected.mlci.yaml (MLCI_UPDATE_GOLDEN=1 rewrites them) and
 * validates without errors. Running them is tested through the bundled
 * CLI in test/unit/cli/import-dvc.test.ts.
 */
import { strict as assert } from 'node:assert';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importDvc } from '../../../src/core/import/dvc';
import { nodeFiles } from '../../../src/core/node-files';
import { validatePipeline } from '../../../src/core/pipeline/validate';

const root = path.join(__dirname, '../../fixtures/import-dvc');
const cases = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

function imported(name: string) {
  const dir = path.join(root, name);
  const result = importDvc({ dir, files: nodeFiles });
  const { problems } = validatePipeline({ file: 'mlci.yaml', text: result.text, root: dir, files: nodeFiles });
  return { dir, result, problems };
}

describe('mlci import dvc: golden DVC projects', () => {
  for (const name of cases) {
    it(`${name}: writes expected.mlci.yaml, which validates`, () => {
      const { dir, result, problems } = imported(name);
      const golden = path.join(dir, 'expected.mlci.yaml');
      if (process.env.MLCI_UPDATE_GOLDEN === '1' || !existsSync(golden)) writeFileSync(golden, result.text);
      assert.equal(result.text, readFileSync(golden, 'utf8'));
      const errors = problems.filter((p) => p.severity === 'error');
      assert.deepEqual(errors.map((p) => `${p.line}:${p.column} ${p.code}: ${p.message}`), []);
    });
  }

  it('params sections plus dotted keys, other files with keys and whole files become mlci params', () => {
    const { result } = imported('01-stages-params-forms');
    assert.match(result.text, /params:\n\s+- prepare\n\s+- train\.seed\n/);
    assert.match(result.text, /- sub\/params\.yaml:scale/, "wdir's params.yaml moves with the stage");
    assert.match(result.text, /- config\/model\.yaml:model\.layers\n\s+- "config\/extra\.json:"/);
    assert.match(result.text, /workdir: sub\n\s+deps: \[out\/prepared\.txt, src\/stats\.py\]/, 'paths move from wdir to the project folder');
    assert.match(result.text, /- out\/stats\.json: \{cache: false, persist: true\}/, 'out options map onto mlci per-output options');
    assert.match(result.text, /# dvc: out\/stats\.json: remote: "myremote" \(no mlci equivalent\)/, 'what has no equivalent is a comment at its place');
    assert.match(result.text, /metrics: \{files: \[out\/metrics\.json, out\/speed\.json\]\}/);
    assert.match(result.text, /- out\/confusion\.json: \{template: confusion, x: actual, y: predicted\}/);
    assert.match(result.text, /always_changed: true/);
    assert.match(result.text, /# dvc: meta: \{"owner":"data-team"\}/);
    assert.deepEqual(result.notes.filter((n) => n.startsWith('needs')), ['needs inferred: stats needs prepare', 'needs inferred: train needs stats', 'needs inferred: report needs train']);
  });

  it('foreach is expanded with DVC names; matrix and vars are kept as mlci templates', () => {
    const fe = imported('02-foreach').result;
    assert.deepEqual(fe.stages, ['split@train', 'split@test', 'model@small', 'model@large', 'score@eu', 'score@us']);
    assert.match(fe.text, /run: python3 src\/model\.py large 5/);
    const mx = imported('03-matrix-vars').result;
    assert.deepEqual(mx.stages, ['train@lr=0.1,depth=1', 'train@lr=0.1,depth=3', 'train@lr=0.5,depth=1', 'train@lr=0.5,depth=3', 'summary']);
    assert.match(mx.text, /matrix: \{lr: "\$\{train\.lrs\}", depth: \[1, 3\]\}/);
    assert.match(mx.text, /needs: \[train\]/, "all of a matrix's instances are needed by the template's name");
    assert.match(mx.text, /vars:\n\s+- out_dir: out\n\s+- config\/paths\.yaml:report_name/);
  });

  it('a DVC-only ${} (a mapping unpacked into the command) is expanded and said so', () => {
    const { result } = imported('04-dvc-only-templating');
    assert.match(result.text, /run: python3 src\/train\.py --epochs 3 --lr 0\.01 --shuffle\n/);
    assert.match(result.text, /# dvc: \$\{\} expanded here/);
  });

  it('the course-project shape: every stage warned about the undeclared src/utils modules, with a fix', () => {
    const { problems } = imported('05-course-project');
    const warned = problems.filter((p) => p.code === 'undeclared-code-dep');
    assert.equal(warned.length, 5);
    for (const w of warned) {
      assert.match(w.message, /'src\/utils\/config\.py'|'src\/utils\/logs\.py'/);
      assert.ok(w.fixes?.[0]?.title.startsWith('Add '), 'a quick fix adds them to deps');
    }
  });

  it('dvc.lock (DVC 3 format, as dvc repro writes it): an unchanged project says so; a changed cmd, dep, param, a stage not run and a removed one are each named', () => {
    // 05-course-project/dvc.lock: md5 and size of every dep and out from running commands.sh; params as DVC records them.
    assert.ok(imported('05-course-project').result.notes.includes('dvc.lock: every command, dep and param is as DVC last ran it (5 stages)'));
    const dir = mkdtempSync(path.join(tmpdir(), 'mlci-dvc-lock-'));
    try {
      cpSync(path.join(root, '05-course-project'), dir, { recursive: true });
      const edit = (rel: string, from: string | RegExp, to: string) => writeFileSync(path.join(dir, rel), readFileSync(path.join(dir, rel), 'utf8').replace(from, to));
      edit('params.yaml', 'shrink: 0.5', 'shrink: 0.6');
      edit('params.yaml', 'random_state: 42', 'random_state: 7');
      edit('src/stages/train.py', /$/, '# tuned\n');
      edit('dvc.yaml', 'python3 src/stages/evaluate.py --config=params.yaml', 'python3 src/stages/evaluate.py --config=params.yaml --verbose');
      edit('dvc.lock', /  data_split:\n[\s\S]*?(?=  train:\n)/, '');
      edit('dvc.lock', /$/, '  old_stage:\n    cmd: python3 old.py\n');
      rmSync(path.join(dir, 'data/raw/iris.csv'));
      const { notes } = importDvc({ dir, files: nodeFiles });
      assert.deepEqual(notes.filter((n) => n.startsWith('dvc.lock')), [
        'dvc.lock: data_load changed since dvc repro ran it: data/raw/iris.csv is gone; param params.yaml:base {"log_level":"INFO","random_state":42} -> {"random_state":7,"log_level":"INFO"}',
        'dvc.lock: featurize changed since dvc repro ran it: param params.yaml:base {"log_level":"INFO","random_state":42} -> {"random_state":7,"log_level":"INFO"}',
        'dvc.lock has no stage data_split: DVC has not run it yet',
        'dvc.lock: train changed since dvc repro ran it: src/stages/train.py changed; param params.yaml:base {"log_level":"INFO","random_state":42} -> {"random_state":7,"log_level":"INFO"}; param params.yaml:train.shrink 0.5 -> 0.6',
        'dvc.lock: evaluate last ran "python3 src/stages/evaluate.py --config=params.yaml", the import runs "python3 src/stages/evaluate.py --config=params.yaml --verbose" (dvc.yaml or params changed since dvc repro?)',
        'dvc.lock: evaluate changed since dvc repro ran it: param params.yaml:base {"log_level":"INFO","random_state":42} -> {"random_state":7,"log_level":"INFO"}',
        'dvc.lock has stage old_stage, which dvc.yaml no longer defines',
      ].filter((n) => n.startsWith('dvc.lock')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing dvc.yaml and broken YAML are clear errors', () => {
    assert.throws(() => importDvc({ dir: path.join(root, '..'), files: nodeFiles }), /no dvc\.yaml in .*: give the folder of a DVC project/);
    const files = { stat: () => 'file' as const, readText: (p: string) => (p.endsWith('dvc.yaml') ? 'stages:\n  a: [\n' : undefined) };
    assert.throws(() => importDvc({ dir: '/x', files }), /^Error: dvc\.yaml:\d+:\d+: not valid YAML/);
  });
});
