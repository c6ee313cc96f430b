/**
 * LocalRunner (`--executor local`): the ContainerRunner contract where it
 * applies on the host. Real processes, no mocks.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LocalRunner } from '../../src/adapters/local/local-runner';
import type { StageSpec } from '../../src/core/ports';

interface Chunk {
  stream: 'stdout' | 'stderr';
  text: string;
  at: number;
}

function collector(): { log: (stream: 'stdout' | 'stderr', text: string) => void; chunks: Chunk[]; text: (s: 'stdout' | 'stderr') => string } {
  const chunks: Chunk[] = [];
  return {
    chunks,
    log: (stream, text) => chunks.push({ stream, text, at: performance.now() }),
    text: (s) => chunks.filter((c) => c.stream === s).map((c) => c.text).join(''),
  };
}

/** True while a process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return cond();
}

describe('LocalRunner', function () {
  this.timeout(20_000);
  const runner = new LocalRunner();
  let ws: string;

  const spec = (over: Partial<StageSpec> & { commands: string[] }): StageSpec => ({
    runId: 'run-local',
    stage: 'stage',
    image: 'ignored:latest',
    workspace: ws,
    workdir: '.',
    env: {},
    network: 'none',
    ...over,
  });

  before(function () {
    if (process.platform === 'win32') this.skip(); // sh and process groups
  });
  beforeEach(() => {
    ws = mkdtempSync(path.join(tmpdir(), 'mlci-local-ws-'));
  });
  afterEach(() => {
    rmSync(ws, { recursive: true, force: true });
  });

  it('check() passes, images resolve to "local", no strays', async () => {
    await runner.check();
    assert.equal(await runner.resolveImage('python:3.12-slim'), 'local');
    assert.equal(await runner.removeStray(() => false), 0);
    assert.equal(runner.name, 'local');
  });

  describe('exit codes', () => {
    it('returns 0 and 3', async () => {
      const ok = await runner.run(spec({ commands: ['true'] }), () => undefined);
      assert.deepEqual(ok.outcome, { kind: 'exited', exitCode: 0 });
      assert.equal(ok.imageId, 'local');
      assert.ok(!Number.isNaN(Date.parse(ok.startedAt)));
      const three = await runner.run(spec({ commands: ['exit 3'] }), () => undefined);
      assert.deepEqual(three.outcome, { kind: 'exited', exitCode: 3 });
    });

    it('stops at the first failing command, even a failing `a && b` list', async () => {
      const c = collector();
      const r = await runner.run(spec({ commands: ['echo one', 'false && true', 'echo never'] }), c.log);
      assert.deepEqual(r.outcome, { kind: 'exited', exitCode: 1 });
      assert.equal(c.text('stdout'), 'one\n');
    });

    it('reports a stage killed by a signal as 128 + signal', async () => {
      const r = await runner.run(spec({ commands: ['kill -9 $$'] }), () => undefined);
      assert.deepEqual(r.outcome, { kind: 'exited', exitCode: 137 });
    });
  });

  describe('timeout and cancellation', () => {
    it('kills a stage at its timeout', async () => {
      const t0 = performance.now();
      const r = await runner.run(spec({ commands: ['sleep 30'], timeoutMs: 500 }), () => undefined);
      const took = performance.now() - t0;
      assert.deepEqual(r.outcome, { kind: 'timeout' });
      assert.ok(took >= 450 && took < 5000, `took ${took} ms`);
    });

    it('cancel kills the whole process group, background children included', async () => {
      const ac = new AbortController();
      const c = collector();
      const pending = runner.run(spec({ commands: ['sleep 30 & echo $!', 'sh -c "sleep 31" & echo $!', 'sleep 32'] }), c.log, ac.signal);
      assert.ok(await until(() => c.text('stdout').split('\n').filter(Boolean).length === 2, 5000), 'pids not printed');
      const pids = c.text('stdout').split('\n').filter(Boolean).map(Number);
      assert.ok(pids.every(alive), 'children not running before cancel');
      setTimeout(() => ac.abort(), 200);
      const t0 = performance.now();
      const r = await pending;
      assert.deepEqual(r.outcome, { kind: 'cancelled' });
      assert.ok(performance.now() - t0 < 5000);
      assert.ok(await until(() => !pids.some(alive), 2000), `still alive: ${pids.filter(alive).join(' ')}`);
    });

    it('returns cancelled at once for an already aborted signal, running nothing', async () => {
      const r = await runner.run(spec({ commands: ['touch ran'] }), () => undefined, AbortSignal.abort());
      assert.deepEqual(r.outcome, { kind: 'cancelled' });
      assert.equal(existsSync(path.join(ws, 'ran')), false);
    });

    it('ends when the shell exits, killing what it left in the background', async () => {
      const c = collector();
      const t0 = performance.now();
      const r = await runner.run(spec({ commands: ['sleep 30 & echo $!'] }), c.log);
      assert.deepEqual(r.outcome, { kind: 'exited', exitCode: 0 });
      assert.ok(performance.now() - t0 < 5000);
      const pid = Number(c.text('stdout').trim());
      assert.ok(await until(() => !alive(pid), 2000), `background ${pid} still alive`);
    });
  });

  describe('logs, env, workdir', () => {
    it('streams output as it arrives, in order, split by stream', async () => {
      const c = collector();
      const r = await runner.run(spec({ commands: ['echo 1', 'sleep 0.3', 'echo 2', 'sleep 0.3', 'echo 3 >&2'] }), c.log);
      const end = performance.now();
      assert.deepEqual(r.outcome, { kind: 'exited', exitCode: 0 });
      assert.equal(c.text('stdout'), '1\n2\n');
      assert.equal(c.text('stderr'), '3\n');
      const at = (s: string): number => {
        const chunk = c.chunks.find((ch) => ch.text.includes(s));
        assert.ok(chunk, `no chunk with ${s}`);
        return chunk.at;
      };
      assert.ok(at('1') < at('2') && at('2') < at('3'));
      assert.ok(at('2') - at('1') > 200, `1 -> 2 only ${at('2') - at('1')} ms apart`);
      assert.ok(end - at('1') > 400);
    });

    it('passes spec.env plus PATH and HOME, and nothing else from the host', async () => {
      process.env.MLCI_LOCAL_TEST_SECRET = 'leak';
      try {
        const c = collector();
        await runner.run(
          spec({ env: { FOO: 'bar baz=1' }, commands: ['echo "[$FOO][${MLCI_LOCAL_TEST_SECRET-unset}]"', 'test -n "$PATH"', 'echo "$HOME"'] }),
          c.log,
        );
        assert.equal(c.text('stdout'), `[bar baz=1][unset]\n${process.env.HOME ?? ''}\n`);
      } finally {
        delete process.env.MLCI_LOCAL_TEST_SECRET;
      }
    });

    it('runs in workdir relative to the workspace, and writes there', async () => {
      mkdirSync(path.join(ws, 'a', 'b'), { recursive: true });
      const c = collector();
      const r = await runner.run(spec({ workdir: 'a/b', commands: ['pwd', 'echo hi > out.txt', 'cd ..', 'pwd'] }), c.log);
      assert.deepEqual(r.outcome, { kind: 'exited', exitCode: 0 });
      assert.equal(c.text('stdout'), `${path.join(ws, 'a', 'b')}\n${path.join(ws, 'a')}\n`);
      assert.equal(readFileSync(path.join(ws, 'a', 'b', 'out.txt'), 'utf8'), 'hi\n');
    });

    it('gives an error outcome for a missing workdir', async () => {
      const r = await runner.run(spec({ workdir: 'nope', commands: ['true'] }), () => undefined);
      assert.equal(r.outcome.kind, 'error');
      assert.match(r.outcome.kind === 'error' ? r.outcome.message : '', /nope.*does not exist/);
    });
  });
});
