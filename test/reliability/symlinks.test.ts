/**
 * Reliability probe 2: symlinks never lead mlci out of the workspace. Real
 * symlinks to a real folder outside (holding a "secret" file): a data dep,
 * the params file, a drift report folder, `.github`, `.mlci`, and a dep
 * `big/ -> /usr`. The bundled CLI must refuse each with a message naming
 * the path and where it points, write nothing outside, read nothing from
 * outside into its output or records, and not hash /usr. With
 * MLCI_ALLOW_OUTSIDE_LINKS=1 a linked dataset is read as before.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { probe } from './figures';
import type { CliResult } from './helpers';
import { buildCli, crashed, mlci, removeWorkspace, workspace } from './helpers';

const SECRET = 'outside-secret-7f3a';

function filesBelow(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? filesBelow(p) : [p];
  });
}

describe('reliability: symlinks never escape the workspace (bundled CLI, real symlinks)', function () {
  this.timeout(300_000);
  const dirs: string[] = [];
  let outside: string;
  before(() => {
    buildCli();
    outside = mkdtempSync(path.join(os.tmpdir(), 'mlci-rel-outside-'));
    dirs.push(outside);
    writeFileSync(path.join(outside, 'secret.csv'), `x\n${SECRET}\n`);
    writeFileSync(path.join(outside, 'params.yaml'), `lr: 0.1\ntoken: ${SECRET}\n`);
  });
  after(() => dirs.forEach(removeWorkspace));

  /** Refused promptly with the path and its target named, nothing new outside, the secret nowhere. */
  function judge(r: CliResult, shown: RegExp, before: string[]): { how: 'hang' | 'crash' | 'leak' | 'other'; detail: string } | undefined {
    if (r.hung) return { how: 'hang', detail: `still running after ${r.ms} ms` };
    const c = crashed(r);
    if (c) return { how: 'crash', detail: c };
    const text = r.out + r.err;
    if (!shown.test(text)) return { how: 'other', detail: `no message matching ${shown}: ${text.trim().split('\n').slice(-2).join(' | ')}` };
    if (!text.includes(outside)) return { how: 'other', detail: 'the message does not say where the link points' };
    if (r.code === 0) return { how: 'other', detail: 'exit 0' };
    const now = filesBelow(outside);
    const added = now.filter((f) => !before.includes(f));
    if (added.length) return { how: 'leak', detail: `wrote outside: ${added.join(', ')}` };
    if (text.includes(SECRET)) return { how: 'leak', detail: 'an outside file reached the output' };
    return undefined;
  }

  const ws = (pipeline: string, files: Record<string, string> = {}) => {
    const dir = workspace('links', { 'mlci.yaml': pipeline, ...files });
    dirs.push(dir);
    return dir;
  };
  const LOCAL = { env: { MLCI_EXECUTOR: 'local' }, hangMs: 30_000 };

  it('a data file linked out: validate, run and status refuse it; allowed with MLCI_ALLOW_OUTSIDE_LINKS=1', async () => {
    const dir = ws('version: 1\nstages:\n  check:\n    kind: data\n    expect:\n      file: data/x.csv\n      columns:\n        x: { type: number }\n');
    mkdirSync(path.join(dir, 'data'));
    symlinkSync(path.join(outside, 'secret.csv'), path.join(dir, 'data/x.csv'));
    const before = filesBelow(outside);
    for (const args of [['validate'], ['run'], ['status']]) {
      await probe(`linked data: mlci ${args[0]}`, async () => judge(await mlci(args, dir, LOCAL), /data\/x\.csv.* leads outside the workspace: it resolves to .*secret\.csv through the symlink data\/x\.csv ->/, before));
    }
    await probe('linked data allowed by MLCI_ALLOW_OUTSIDE_LINKS=1', async () => {
      const r = await mlci(['run'], dir, { ...LOCAL, env: { ...LOCAL.env, MLCI_ALLOW_OUTSIDE_LINKS: '1' } });
      // Read as before: the check runs (and fails on the text value), no refusal.
      return /leads outside/.test(r.out + r.err) || r.hung || !/check/.test(r.out) ? { how: 'other', detail: (r.out + r.err).slice(-300) } : undefined;
    });
  });

  it('params.yaml linked out: refused, and no params value from outside reaches a record', async () => {
    const dir = ws('version: 1\nparams: params.yaml\nstages:\n  a:\n    image: busybox\n    run: echo hi\n    params: [lr]\n');
    symlinkSync(path.join(outside, 'params.yaml'), path.join(dir, 'params.yaml'));
    const before = filesBelow(outside);
    for (const args of [['validate'], ['run']]) {
      await probe(`linked params: mlci ${args[0]}`, async () => judge(await mlci(args, dir, LOCAL), /params\.yaml.* leads outside the workspace/, before));
    }
  });

  it('a drift report folder, .github and .mlci linked out: nothing is written there', async () => {
    const drift = ws('version: 1\nstages:\n  drift:\n    kind: drift\n    reference: a.csv\n    current: b.csv\n    drift: { report: reports/drift.json }\n', { 'a.csv': 'x\n1\n2\n3\n', 'b.csv': 'x\n1\n2\n4\n' });
    mkdirSync(path.join(outside, 'reports'), { recursive: true });
    symlinkSync(path.join(outside, 'reports'), path.join(drift, 'reports'));
    let before = filesBelow(outside);
    await probe('linked reports/: mlci run', async () => judge(await mlci(['run'], drift, LOCAL), /reports\/drift\.json.* leads outside the workspace: .* through the symlink reports ->/, before));

    const gh = ws('version: 1\nstages:\n  a:\n    kind: test\n    image: busybox\n    run: echo hi\n');
    mkdirSync(path.join(outside, 'gh'), { recursive: true });
    symlinkSync(path.join(outside, 'gh'), path.join(gh, '.github'));
    before = filesBelow(outside);
    await probe('linked .github: mlci export github', async () => judge(await mlci(['export', 'github'], gh, LOCAL), /\.github\/workflows\/mlci\.yml leads outside the workspace: .* through the symlink \.github ->/, before));

    const state = ws('version: 1\nstages:\n  a:\n    image: busybox\n    run: echo hi\n');
    mkdirSync(path.join(outside, 'state'), { recursive: true });
    symlinkSync(path.join(outside, 'state'), path.join(state, '.mlci'));
    before = filesBelow(outside);
    for (const args of [['run'], ['runs'], ['status']]) {
      await probe(`linked .mlci: mlci ${args[0]}`, async () => judge(await mlci(args, state, LOCAL), /\.mlci.* leads outside the workspace: .* through the symlink \.mlci ->/, before));
    }
  });

  it('a dep big/ -> /usr: status refuses at once instead of hashing /usr', async () => {
    const dir = ws('version: 1\nstages:\n  a:\n    image: busybox\n    run: echo hi\n    deps: [big]\n');
    symlinkSync('/usr', path.join(dir, 'big'));
    const before = filesBelow(outside);
    await probe('dep big -> /usr: mlci status', async () => {
      const r = await mlci(['status'], dir, { ...LOCAL, hangMs: 20_000 });
      if (r.hung) return { how: 'hang', detail: `still running after ${r.ms} ms (hashing /usr?)` };
      const c = crashed(r);
      if (c) return { how: 'crash', detail: c };
      if (!/big.* leads outside the workspace: it resolves to \/usr through the symlink big -> \/usr/.test(r.out + r.err)) return { how: 'other', detail: (r.out + r.err).slice(-300) };
      const cache = path.join(dir, '.mlci/state/hashes.json');
      const cached = filesBelow(path.dirname(cache)).length ? readFileSync(cache, 'utf8') : '';
      return cached.includes('/usr/') ? { how: 'leak', detail: 'files under /usr were hashed' } : undefined;
    });
    void before;
  });
});
