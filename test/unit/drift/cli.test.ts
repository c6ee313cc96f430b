/**
 * `mlci drift` through its Command object, parsed the way src/cli/main.ts
 * parses (node:util parseArgs, strict) and with CliErrors turned into exit
 * codes the same way.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CliIo } from '../../../src/cli/command';
import { applyOverrides, driftCommand, parseColumnOption } from '../../../src/cli/commands/drift';
import { CliError } from '../../../src/cli/errors';
import { parseDriftReport } from '../../../src/core/drift/report';
import { REPO, spec, TempDir } from './helpers';

async function mlciDrift(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd, env: {}, isTTY: false };
  let code: number;
  try {
    const parsed = parseArgs({ args, options: driftCommand.options, allowPositionals: driftCommand.allowPositionals, strict: true });
    code = await driftCommand.run(parsed as { values: Record<string, unknown>; positionals: string[] }, io);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    err.push(`mlci drift: ${e.message}`);
    code = e.exitCode;
  }
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('mlci drift', function () {
  this.timeout(30_000);
  const churn = path.join(REPO, 'examples/churn');
  let dir: TempDir;
  before(() => {
    dir = new TempDir();
  });
  after(() => dir.remove());

  it('compares two files: table output, exit 1 on dataset drift', async () => {
    const r = await mlciDrift(['--reference', 'data/train.csv', '--current', 'data/current.csv'], churn);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /^drift: data\/current\.csv \(1000 rows\) vs reference data\/train\.csv \(2000 rows\)/);
    assert.match(r.out, /dataset drift: 4 of 7 columns drifted \(57\.1% >= 50%\)$/);
  });

  it('--no-fail exits 0 on drift; no drift exits 0', async () => {
    const r = await mlciDrift(['--reference', 'data/train.csv', '--current', 'data/current.csv', '--no-fail'], churn);
    assert.equal(r.code, 0);
    const same = await mlciDrift(['--reference', 'data/train.csv', '--current', 'data/test.csv', '--exclude', 'customer_id'], churn);
    assert.equal(same.code, 0, same.out);
    assert.match(same.out, /no dataset drift: 0 of 6 columns drifted/);
  });

  it('--share and --column NAME=TEST[:THRESHOLD] override; json is the versioned report', async () => {
    const r = await mlciDrift([
      '--reference', 'data/train.csv', '--current', 'data/current.csv', '--format', 'json', '--share', '0.9',
      '--column', 'tenure=psi:0.3', '--column', 'plan=chisquare', '--exclude', 'customer_id',
    ], churn);
    assert.equal(r.code, 0, r.err); // 3 of 6 drift, below 0.9
    const report = parseDriftReport(r.out);
    assert.equal(report.share, 0.9);
    const tenure = report.columns.find((c) => c.name === 'tenure')!;
    assert.equal(tenure.test, 'psi');
    assert.equal(tenure.threshold, 0.3);
    assert.ok(!report.columns.some((c) => c.name === 'customer_id'));
  });

  it('md and html formats; --output writes the file and prints the verdict', async () => {
    const md = await mlciDrift(['--reference', 'data/train.csv', '--current', 'data/current.csv', '--format', 'md', '--no-fail'], churn);
    assert.match(md.out, /^### 🔴 Data drift/);
    const out = path.join(dir.path, 'reports/drift.html');
    const r = await mlciDrift(['--reference', path.join(churn, 'data/train.csv'), '--current', path.join(churn, 'data/current.csv'), '--format', 'html', '--output', out], dir.path);
    assert.equal(r.code, 1);
    assert.match(r.out, /^dataset drift: 4 of 7 columns drifted .* \(report: .*reports\/drift\.html\)$/);
    assert.match(readFileSync(out, 'utf8'), /^<!DOCTYPE html>/);
  });

  it('uses the drift stage of the pipeline: its files and settings', async () => {
    const r = await mlciDrift(['-f', path.join(churn, 'mlci.yaml'), '--format', 'json'], dir.path);
    assert.equal(r.code, 1, r.err);
    const report = parseDriftReport(r.out);
    assert.equal(report.reference.path, path.relative(dir.path, path.join(churn, 'data/train.csv')));
    const tests = Object.fromEntries(report.columns.map((c) => [c.name, c.test]));
    assert.equal(tests.tenure, 'ks'); // the stage's setting (auto would pick wasserstein for 2000 rows)
    assert.equal(tests.plan, 'chisquare');
    const named = await mlciDrift(['drift', '--share', '1', '--format', 'json'], churn);
    assert.equal(named.code, 0, named.err); // 4 of 7 is below a share of 1
  });

  it('stage errors: not a drift stage, unknown stage, no drift stage, invalid pipeline (exit 2)', async () => {
    const notDrift = await mlciDrift(['train'], churn);
    assert.equal(notDrift.code, 2);
    assert.match(notDrift.err, /stage 'train' is a train stage, not a drift stage/);
    const unknown = await mlciDrift(['drfit'], churn);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /no stage 'drfit'; its drift stages: drift/);
    const plain = path.join(dir.path, 'plain');
    mkdirSync(plain);
    writeFileSync(path.join(plain, 'mlci.yaml'), 'version: 1\nstages:\n  hello:\n    image: busybox\n    run: echo hi\n');
    const none = await mlciDrift([], plain);
    assert.equal(none.code, 2);
    assert.match(none.err, /has no drift stage; name the files with --reference and --current/);
    writeFileSync(path.join(plain, 'mlci.yaml'), 'version: 1\nstages: [\n');
    const broken = await mlciDrift([], plain);
    assert.equal(broken.code, 2);
  });

  it('bad usage exits 2 with a message', async () => {
    const cases: [string[], RegExp][] = [
      [['--reference', 'a.csv'], /give both --reference and --current/],
      [['--reference', 'a.csv', '--current', 'b.csv', 'drift'], /not both/],
      [['--reference', 'a.csv', '--current', 'b.csv', '--format', 'pdf'], /--format must be/],
      [['--reference', 'a.csv', '--current', 'b.csv', '--share', '2'], /--share must be a number from 0 to 1/],
      [['--reference', 'a.csv', '--current', 'b.csv', '--column', 'tenure'], /expected NAME=TEST/],
      [['--reference', 'a.csv', '--current', 'b.csv', '--column', 'tenure=t-test'], /unknown test "t-test"/],
      [['--reference', 'a.csv', '--current', 'b.csv', '--column', 'tenure=ks:-1'], /threshold must be a number >= 0/],
    ];
    for (const [args, message] of cases) {
      const r = await mlciDrift(args, dir.path);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, message);
    }
  });

  it('unreadable files exit 2, naming the file and the row', async () => {
    dir.file('ok.csv', 'a,b\n1,2\n3,4\n');
    dir.file('bad.csv', 'a,b\n1,2\n3,4\n5\n');
    const missing = await mlciDrift(['--reference', 'ok.csv', '--current', 'nope.csv'], dir.path);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /nope\.csv: no such file/);
    const ragged = await mlciDrift(['--reference', 'ok.csv', '--current', 'bad.csv'], dir.path);
    assert.equal(ragged.code, 2);
    assert.match(ragged.err, /bad\.csv: .*row 4/);
  });

  it('option parsing helpers', () => {
    assert.deepEqual(parseColumnOption('a=b=ks:0.1'), { name: 'a=b', test: 'ks', threshold: 0.1 });
    assert.deepEqual(parseColumnOption('x=auto'), { name: 'x', test: 'auto' });
    // A stage's threshold belongs to its test: a new test from the command line drops it.
    const s = applyOverrides(spec({ columns: { t: { test: 'ks', threshold: 0.01, type: 'number' } } }), { column: ['t=psi'] });
    assert.deepEqual(s.columns.t, { test: 'psi', type: 'number' });
  });
});
