/**
 * `mlci import dvc` through the bundled CLI as a process: each golden DVC
 * project (test/fixtures/import-dvc) is imported with one command and run
 * with the local executor (stdlib Python, no Docker), and every file it
 * produces is compared byte for byte with running the project's commands
 * by hand (its commands.sh, written from dvc.yaml as DVC would run them).
 * The course-project shape (5 stages, params sections and dotted keys)
 * also compares the metrics of the run record with the hand-run file.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.join(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli.js');
const fixtures = path.join(repo, 'test/fixtures/import-dvc');
const mlci = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', MLCI_EXECUTOR: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/** Every file under dir (relative), without what mlci and the fixture add. */
function produced(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (['.mlci', 'mlci.yaml', 'mlci.lock', 'commands.sh', 'expected.mlci.yaml', '__pycache__'].includes(e.name)) continue;
    if (e.isDirectory()) out.push(...produced(dir, p));
    else out.push(p);
  }
  return out.sort();
}

describe('mlci import dvc (bundled CLI, local executor): same outputs as the commands run by hand', function () {
  this.timeout(240_000);
  const tmp: string[] = [];
  const copy = (name: string) => {
    const d = mkdtempSync(path.join(os.tmpdir(), `mlci-import-${name}-`));
    tmp.push(d);
    cpSync(path.join(fixtures, name), d, { recursive: true });
    return d;
  };
  before(() => {
    const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
    assert.equal(python.status, 0, 'python3 is needed to run the imported projects');
    const b = spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  });
  after(() => tmp.forEach((d) => rmSync(d, { recursive: true, force: true })));

  const cases = readdirSync(fixtures).filter((n) => statSync(path.join(fixtures, n, 'commands.sh'), { throwIfNoEntry: false })?.isFile()).sort();
  it('has runnable projects', () => assert.ok(cases.length >= 5, cases.join(', ')));

  for (const name of cases) {
    it(`${name}: import, run, compare with running the commands by hand`, () => {
      const viaMlci = copy(name);
      const byHand = copy(name);
      const imp = mlci(['import', 'dvc'], viaMlci);
      assert.equal(imp.code, 0, imp.out + imp.err);
      assert.match(imp.out, /^wrote mlci\.yaml\n\s+imported \d+ stages? from dvc\.yaml/);
      const run = mlci(['run', '--executor', 'local'], viaMlci);
      assert.equal(run.code, 0, run.out + run.err);
      const hand = spawnSync('sh', ['commands.sh'], { cwd: byHand, encoding: 'utf8' });
      assert.equal(hand.status, 0, hand.stderr);
      const files = produced(byHand);
      assert.deepEqual(produced(viaMlci), files, 'the same files');
      for (const f of files) assert.equal(readFileSync(path.join(viaMlci, f), 'utf8'), readFileSync(path.join(byHand, f), 'utf8'), f);
    });
  }

  it('the 5-stage course project: one command imports it; the run reports the metrics the commands write', () => {
    const dir = copy('05-course-project');
    const hand = copy('05-course-project');
    const imp = mlci(['import', 'dvc', '--image', 'python:3.12-slim', '--env', 'PYTHONHASHSEED=0'], dir);
    assert.equal(imp.code, 0, imp.err);
    // Its dvc.lock (DVC 3 format) is what dvc repro recorded for these very files.
    assert.match(imp.out, /\n  dvc\.lock: every command, dep and param is as DVC last ran it \(5 stages\)\n/);
    const text = readFileSync(path.join(dir, 'mlci.yaml'), 'utf8');
    assert.match(text, /defaults:\n  image: python:3\.12-slim\n  env:\n    PYTHONHASHSEED: "0"\n/);
    const run = mlci(['run', '--executor', 'local'], dir);
    assert.equal(run.code, 0, run.out + run.err);
    assert.match(run.out, /plan: data_load -> featurize -> data_split -> train -> evaluate/);
    assert.equal(spawnSync('sh', ['commands.sh'], { cwd: hand }).status, 0);
    const runs = readdirSync(path.join(dir, '.mlci/runs'));
    const record = JSON.parse(readFileSync(path.join(dir, '.mlci/runs', runs[0], 'run.json'), 'utf8')) as { metrics: Record<string, number> };
    assert.deepEqual(record.metrics, JSON.parse(readFileSync(path.join(hand, 'reports/metrics.json'), 'utf8')));
    // Nothing changed: the second run reuses everything.
    const again = mlci(['run', '--executor', 'local'], dir);
    assert.match(again.out, /5 cached|\(5 up to date\)|cached/);
  });

  it('params of other files and whole files rerun what reads them; frozen never reruns and status says why', () => {
    const dir = copy('01-stages-params-forms');
    assert.equal(mlci(['import', 'dvc'], dir).code, 0);
    assert.equal(mlci(['run', '--executor', 'local'], dir).code, 0);
    writeFileSync(path.join(dir, 'config/model.yaml'), 'model:\n  layers: 5\n  act: relu\n');
    let status = mlci(['status', '--executor', 'local'], dir);
    assert.match(status.out, /train\s+stale: param config\/model\.yaml:model\.layers changed \(4 -> 5\)\n/);
    assert.match(status.out, /report\s+stale: always changed \(always_changed: true\)/, 'always_changed runs, never restores from the run-cache');
    writeFileSync(path.join(dir, 'config/extra.json'), '{"threshold": 0.6, "bias": 1}');
    status = mlci(['status', '--executor', 'local'], dir);
    assert.match(status.out, /param config\/extra\.json:threshold changed \(0\.5 -> 0\.6\)/);
    // frozen: a changed dep does not make the stage stale.
    const file = path.join(dir, 'mlci.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('  prepare:\n', '  prepare:\n    frozen: true\n'));
    writeFileSync(path.join(dir, 'data/raw.txt'), 'changed\n');
    status = mlci(['status', '--executor', 'local'], dir);
    assert.match(status.out, /prepare\s+up to date: frozen: never rerun \(frozen: true in the pipeline file\)/);
    const run = mlci(['run', '--executor', 'local'], dir);
    assert.equal(run.code, 0, run.out + run.err);
    assert.doesNotMatch(run.out, /prepare: running/);
    assert.match(run.out, /train: running \(param config\/extra\.json:threshold changed \(0\.5 -> 0\.6\)/);
    assert.equal(readFileSync(path.join(dir, 'out/prepared.txt'), 'utf8'), 'ALPHA\nGAMMA\nEPSILON\n', 'the frozen stage kept its output');
  });

  it('never overwrites a pipeline file without --force; --out stays in the project', () => {
    const dir = copy('04-dvc-only-templating');
    writeFileSync(path.join(dir, 'mlci.yaml'), 'version: 1\n');
    const r = mlci(['import', 'dvc'], dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /mlci\.yaml exists; pass --force to overwrite it/);
    assert.equal(readFileSync(path.join(dir, 'mlci.yaml'), 'utf8'), 'version: 1\n');
    assert.equal(mlci(['import', 'dvc', '--force'], dir).code, 0);
    assert.match(mlci(['import', 'dvc', '--force', '--out', '../x.mlci.yaml'], dir).err, /--out must name a file in/);
    assert.match(mlci(['import', 'dvc', '.', '--force', '--env', 'oops'], dir).err, /--env takes NAME=VALUE/);
    assert.match(mlci(['import', 'dvc'], os.tmpdir()).err, /no dvc\.yaml in/);
  });
});
