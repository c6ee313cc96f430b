/**
 * Reliability probe 3: special and huge files. A FIFO, a socket or a
 * device where mlci expects a file (params, pipeline, data, run.json,
 * mlci.lock, hashes.json, the pinned baseline, a drift input) must give a
 * clear message at once, never a hang; a 2 GB params file (sparse) and
 * `params.yaml -> /dev/zero` a "too large" / "not a regular file" message;
 * a 50 MB data cell must not make a huge run.json or log. Every probe runs
 * the bundled CLI as a process against real FIFOs (mkfifo), a real unix
 * socket and real devices, with a hang limit that counts as a hang.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, statSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { probe } from './figures';
import type { CliResult } from './helpers';
import { buildCli, cli, crashed, mlci, removeWorkspace, workspace } from './helpers';

const PIPELINE = `version: 1
params: params.yaml
stages:
  prep:
    image: busybox
    run: echo prepared
    params: [lr]
    deps: [data/train.csv]
  check:
    kind: data
    expect:
      file: data/train.csv
      columns:
        x: { type: number }
`;

function mkfifo(file: string): void {
  const r = spawnSync('mkfifo', [file]);
  assert.equal(r.status, 0, `mkfifo ${file}: ${r.stderr}`);
}

function fresh(): string {
  const dir = workspace('special', { 'mlci.yaml': PIPELINE, 'params.yaml': 'lr: 0.1\n' });
  mkdirSync(path.join(dir, 'data'));
  writeFileSync(path.join(dir, 'data/train.csv'), 'x\n1\n2\n');
  return dir;
}

/** Replaces `rel` in `dir` by a FIFO. */
function fifoAt(dir: string, rel: string): void {
  try {
    unlinkSync(path.join(dir, rel));
  } catch {
    // not there yet
  }
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  mkfifo(path.join(dir, rel));
}

const LOCAL = { env: { MLCI_EXECUTOR: 'local' }, hangMs: 20_000 };

/** Exit promptly, no crash, the expected message, the expected code. */
function judged(r: CliResult, message: RegExp, codes: number[]): { how: 'hang' | 'crash' | 'other'; detail: string } | undefined {
  if (r.hung) return { how: 'hang', detail: `still running after ${r.ms} ms` };
  const c = crashed(r);
  if (c) return { how: 'crash', detail: c };
  const text = r.out + r.err;
  if (!message.test(text)) return { how: 'other', detail: `no message matching ${message}: ${text.trim().split('\n').slice(-3).join(' | ')}` };
  if (!codes.includes(r.code ?? -1)) return { how: 'other', detail: `exit ${r.code}, expected ${codes.join(' or ')}` };
  return undefined;
}

describe('reliability: special and huge files (bundled CLI, real FIFOs, socket and devices)', function () {
  this.timeout(300_000);
  const dirs: string[] = [];
  before(() => buildCli());
  after(() => dirs.forEach(removeWorkspace));
  const ws = () => {
    const d = fresh();
    dirs.push(d);
    return d;
  };

  it('a FIFO as params.yaml: validate, run and status say so at once', async () => {
    const dir = ws();
    fifoAt(dir, 'params.yaml');
    const msg = /params\.yaml is a FIFO \(named pipe\), not a regular file/;
    for (const args of [['validate'], ['run'], ['status'], ['sweep', '--grid', 'lr=1,2']]) {
      await probe(`FIFO params: mlci ${args[0]}`, async () => judged(await mlci(args, dir, LOCAL), msg, [1, 2, 3]));
    }
  });

  it('mlci validate with a FIFO params.yaml exits promptly, and SIGTERM ends it', async () => {
    const dir = ws();
    fifoAt(dir, 'params.yaml');
    await probe('FIFO params: SIGTERM', async () => {
      const child = spawn(process.execPath, [cli, 'validate'], { cwd: dir, stdio: 'ignore' });
      const t0 = Date.now();
      setTimeout(() => child.kill('SIGTERM'), 3000).unref();
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
      const ms = Date.now() - t0;
      // Either it finished on its own (the fix), or SIGTERM ended it: never still running.
      if (ms > 5000) return { how: 'hang', detail: `ended after ${ms} ms (code ${code}, signal ${signal})` };
      return code === 1 ? undefined : { how: 'other', detail: `exit ${code}, signal ${signal} after ${ms} ms` };
    });
  });

  it('params.yaml -> /dev/zero and a 2 GB (sparse) params file: "not a regular file" and "too large"', async () => {
    const zero = ws();
    unlinkSync(path.join(zero, 'params.yaml'));
    symlinkSync('/dev/zero', path.join(zero, 'params.yaml'));
    // A link to a device outside the workspace: refused one way or the other, promptly.
    for (const args of [['validate'], ['run']]) {
      await probe(`/dev/zero params: mlci ${args[0]}`, async () => judged(await mlci(args, zero, { ...LOCAL, env: { ...LOCAL.env, MLCI_ALLOW_OUTSIDE_LINKS: '1' } }), /params\.yaml is a character device, not a regular file/, [1, 2, 3]));
    }
    const big = ws();
    truncateSync(path.join(big, 'params.yaml'), 2 * 1024 ** 3);
    for (const args of [['validate'], ['run'], ['status']]) {
      await probe(`2 GB params: mlci ${args[0]}`, async () => judged(await mlci(args, big, LOCAL), /params\.yaml is too large \(2\.0 GiB; the limit for this file is 16\.0 MiB\)/, [1, 2, 3]));
    }
  });

  it('a unix socket as params.yaml is refused at once', async () => {
    const dir = ws();
    unlinkSync(path.join(dir, 'params.yaml'));
    const server = net.createServer().listen(path.join(dir, 'params.yaml'));
    await new Promise((r) => server.once('listening', r));
    try {
      await probe('socket params: mlci validate', async () => judged(await mlci(['validate'], dir, LOCAL), /params\.yaml is a socket/, [1]));
    } finally {
      server.close();
    }
  });

  it('a FIFO as the pipeline file, a data file, mlci.lock, hashes.json, run.json, the baseline, a drift input', async () => {
    const pipe = ws();
    unlinkSync(path.join(pipe, 'mlci.yaml'));
    mkfifo(path.join(pipe, 'mlci.yaml'));
    await probe('FIFO pipeline: mlci validate mlci.yaml', async () => judged(await mlci(['validate', 'mlci.yaml'], pipe, LOCAL), /mlci\.yaml is a FIFO/, [2]));
    await probe('FIFO pipeline: mlci run', async () => judged(await mlci(['run'], pipe, LOCAL), /mlci\.yaml is a FIFO/, [2, 3]));

    const data = ws();
    fifoAt(data, 'data/train.csv');
    await probe('FIFO data: mlci run', async () => judged(await mlci(['run'], data, LOCAL), /data\/train\.csv.*not a regular file/, [1, 3]));
    // status exits 0 whatever it finds; it says why the stage cannot be judged.
    await probe('FIFO data: mlci status', async () => judged(await mlci(['status'], data, LOCAL), /data\/train\.csv.*not a regular file/, [0]));
    await probe('FIFO data: mlci drift', async () => judged(await mlci(['drift', '--reference', 'data/train.csv', '--current', 'data/train.csv'], data, LOCAL), /data\/train\.csv: is a FIFO \(named pipe\), not a regular file/, [2]));

    const lock = ws();
    fifoAt(lock, 'mlci.lock');
    for (const args of [['run'], ['status']]) {
      await probe(`FIFO mlci.lock: mlci ${args[0]}`, async () => judged(await mlci(args, lock, LOCAL), /mlci\.lock is a FIFO/, [2, 3]));
    }

    const cache = ws();
    fifoAt(cache, '.mlci/state/hashes.json');
    // Only a cache: the run goes on without it, promptly.
    await probe('FIFO hashes.json: mlci run', async () => judged(await mlci(['run'], cache, LOCAL), /run \S+: passed/, [0]));

    const runs = ws();
    const first = await mlci(['run'], runs, LOCAL);
    assert.equal(first.code, 0, first.out + first.err);
    const id = readdirSync(path.join(runs, '.mlci/runs')).find((d) => !d.startsWith('.'))!;
    const pinned = await mlci(['exp', 'pin', id], runs, LOCAL);
    assert.equal(pinned.code, 0, pinned.out + pinned.err);
    fifoAt(runs, '.mlci/baseline');
    await probe('FIFO baseline: mlci exp list', async () => judged(await mlci(['exp', 'list'], runs, LOCAL), /baseline.*is a FIFO/, [0, 2]));
    fifoAt(runs, `.mlci/runs/${id}/run.json`);
    unlinkSync(path.join(runs, '.mlci/baseline'));
    for (const args of [['runs'], ['exp', 'list'], ['status']]) {
      await probe(`FIFO run.json: mlci ${args.join(' ')}`, async () => {
        const r = await mlci(args, runs, LOCAL);
        if (r.hung) return { how: 'hang', detail: `still running after ${r.ms} ms` };
        const c = crashed(r);
        return c ? { how: 'crash', detail: c } : undefined;
      });
    }
  });

  it('a 50 MB data cell: the record and the log stay small, the example is cut', async () => {
    const dir = ws();
    const cell = 'v'.repeat(50 * 1024 * 1024);
    const fd = openSync(path.join(dir, 'data/train.csv'), 'w');
    writeFileSync(fd, `x\n1\n"${cell}"\n`);
    closeSync(fd);
    await probe('50 MB cell: mlci run', async () => {
      const r = await mlci(['run', 'check'], dir, { ...LOCAL, hangMs: 60_000 });
      const bad = judged(r, /✘ check: failed: data checks failed/, [1]);
      if (bad) return bad;
      const runDir = path.join(dir, '.mlci/runs', readdirSync(path.join(dir, '.mlci/runs')).find((d) => !d.startsWith('.'))!);
      const recordBytes = statSync(path.join(runDir, 'run.json')).size;
      const logBytes = statSync(path.join(runDir, 'logs/check.log')).size;
      if (recordBytes > 1024 * 1024 || logBytes > 1024 * 1024 || r.out.length > 1024 * 1024) return { how: 'other', detail: `run.json ${recordBytes} B, log ${logBytes} B, terminal ${r.out.length} B` };
      return /more characters\)/.test(r.out) ? undefined : { how: 'other', detail: 'the cut example does not say how much was left out' };
    });
  });
});
