/**
 * DockerRunner against a REAL Docker engine (no mocks): the one DOCKER_HOST
 * names. Start one with
 *   eval "$(bash scripts/ci/docker-up.sh)" && bash scripts/ci/images.sh
 * Without an engine these tests skip, except under CI=true where they fail.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { DockerRunner } from '../../src/adapters/docker/docker-runner';
import { startLocalRegistry, type LocalRegistry } from './local-registry';
import type { StageSpec } from '../../src/core/ports';
import { hostId } from '../../src/adapters/docker/owner';

const BUSYBOX = 'mlci-test/busybox:latest';
const PYTHON = 'python:3.12-slim';

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

describe('DockerRunner module', () => {
  it('does not load dockerode until the runner is first used (cheap activation)', () => {
    const script =
      "require('./src/adapters/docker/docker-runner.ts');" +
      "process.stdout.write(String(Object.keys(require.cache).filter((k) => /node_modules[\\\\/]dockerode[\\\\/]/.test(k)).length))";
    const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
    assert.equal(out, '0');
  });
});

describe('DockerRunner (real engine)', function () {
  this.timeout(60_000);
  const runner = new DockerRunner();
  const docker = new Docker();
  let ws: string;

  const spec = (over: Partial<StageSpec> & { commands: string[] }): StageSpec => ({
    runId: `test-${randomUUID()}`,
    stage: 'stage',
    image: BUSYBOX,
    workspace: ws,
    workdir: '.',
    env: {},
    network: 'none',
    ...over,
  });

  const containersOf = (runId: string): Promise<Docker.ContainerInfo[]> =>
    docker.listContainers({ all: true, filters: { label: [`mlci.run=${runId}`] } });

  before(async function () {
    try {
      await runner.check();
    } catch (err) {
      if (process.env.CI === 'true') {
        throw new Error(
          `CI=true but no Docker engine answers, so the docker runner tests cannot run: ${(err as Error).message}\n` +
            'Start one with: eval "$(bash scripts/ci/docker-up.sh)" && bash scripts/ci/images.sh',
        );
      }
      this.skip();
    }
    await runner.resolveImage(BUSYBOX);
  });

  beforeEach(() => {
    ws = mkdtempSync(path.join(tmpdir(), 'mlci-docker-ws-'));
  });
  afterEach(() => {
    rmSync(ws, { recursive: true, force: true });
  });

  describe('exit codes', () => {
    it('returns 0 for a passing stage and the image ID', async () => {
      const r = await runner.run(spec({ commands: ['true'] }), () => undefined);
      assert.deepEqual(r.outcome, { kind: 'exited', exitCode: 0 });
      assert.equal(r.imageId, await runner.resolveImage(BUSYBOX));
      assert.ok(!Number.isNaN(Date.parse(r.startedAt)));
      assert.ok(r.durationMs >= 0);
    });

    it('returns 3 for `exit 3` (not the 0 a wait-before-start would report)', async () => {
      const r = await runner.run(spec({ commands: ['exit 3'] }), () => undefined);
      assert.deepEqual(r.outcome, { kind: 'exited', exitCode: 3 });
    });

    it('stops at the first failing command, even a failing `a && b` list', async () => {
      const c = collector();
      const r = await runner.run(spec({ commands: ['echo one', 'false && true', 'echo never'] }), c.log);
      assert.deepEqual(r.outcome, { kind: 'exited', exitCode: 1 });
      assert.equal(c.text('stdout'), 'one\n');
    });

    it('keeps one shell across commands (cd, variables)', async () => {
      mkdirSync(path.join(ws, 'sub'));
      const c = collector();
      const r = await runner.run(spec({ commands: ['cd sub', 'X=42', 'echo "$(pwd) $X"'] }), c.log);
      assert.deepEqual(r.outcome, { kind: 'exited', exitCode: 0 });
      assert.equal(c.text('stdout'), `${path.join(ws, 'sub')} 42\n`);
    });
  });

  describe('limits', () => {
    it('reports an OOM kill (16 MB, busybox allocating 100 MB) as oom 137', async () => {
      const r = await runner.run(
        spec({ memoryBytes: 16 * 1024 * 1024, commands: ['x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo ${#x}'] }),
        () => undefined,
      );
      assert.deepEqual(r.outcome, { kind: 'oom', exitCode: 137 });
    });

    it('reports an OOM kill of python allocating 200 MB under 64 MB as oom 137', async function () {
      try {
        await runner.resolveImage(PYTHON);
      } catch {
        this.skip(); // images.sh builds it; without it this case cannot run
      }
      const r = await runner.run(
        spec({ image: PYTHON, memoryBytes: 64 * 1024 * 1024, commands: ['python -c "b = b\'x\' * (200 * 1024 * 1024); print(len(b))"'] }),
        () => undefined,
      );
      assert.deepEqual(r.outcome, { kind: 'oom', exitCode: 137 });
    });

    it('kills a stage at its timeout and removes the container', async () => {
      const s = spec({ commands: ['sleep 30'], timeoutMs: 1500 });
      const t0 = performance.now();
      const r = await runner.run(s, () => undefined);
      const took = performance.now() - t0;
      assert.deepEqual(r.outcome, { kind: 'timeout' });
      assert.equal(r.imageId, await runner.resolveImage(BUSYBOX));
      assert.ok(took >= 1400 && took < 10_000, `took ${took} ms`);
      assert.equal((await containersOf(s.runId)).length, 0);
    });
  });

  describe('logs', () => {
    it('streams output as it arrives, in order, split by stream', async () => {
      const c = collector();
      const t0 = performance.now();
      const r = await runner.run(
        spec({ commands: ['echo 1', 'sleep 0.3', 'echo 2', 'sleep 0.3', 'echo 3 >&2'] }),
        c.log,
      );
      const end = performance.now();
      assert.deepEqual(r.outcome, { kind: 'exited', exitCode: 0 });
      assert.equal(c.text('stdout'), '1\n2\n');
      assert.equal(c.text('stderr'), '3\n');
      const at = (s: string): number => {
        const chunk = c.chunks.find((ch) => ch.text.includes(s));
        assert.ok(chunk, `no chunk with ${s}`);
        return chunk.at;
      };
      assert.ok(at('1') < at('2') && at('2') < at('3'), 'chunks out of order');
      // Streamed, not delivered at the end: "1" arrived well before "2" and before the end.
      assert.ok(at('2') - at('1') > 200, `1 -> 2 only ${at('2') - at('1')} ms apart`);
      assert.ok(end - at('1') > 400, `"1" arrived ${end - at('1')} ms before the end`);
      assert.ok(at('1') - t0 >= 0);
    });

    it('keeps multi-byte UTF-8 characters whole', async () => {
      const c = collector();
      await runner.run(spec({ commands: ['printf "h\\303\\251llo \\342\\234\\223\\n"'] }), c.log);
      assert.equal(c.text('stdout'), 'héllo ✓\n');
    });
  });

  describe('cancellation', () => {
    it('cancels mid-stage: outcome cancelled, no container left; limits and labels were applied', async () => {
      const s = spec({
        stage: 'train',
        commands: ['sleep 30'],
        memoryBytes: 64 * 1024 * 1024,
        cpus: 0.5,
        pids: 50,
      });
      const ac = new AbortController();
      let seen: Docker.ContainerInspectInfo | undefined;
      setTimeout(() => {
        void (async () => {
          try {
            const [info] = await containersOf(s.runId);
            if (info) seen = await docker.getContainer(info.Id).inspect();
          } finally {
            ac.abort();
          }
        })();
      }, 500);
      const t0 = performance.now();
      const r = await runner.run(s, () => undefined, ac.signal);
      assert.deepEqual(r.outcome, { kind: 'cancelled' });
      assert.ok(performance.now() - t0 < 10_000);
      assert.equal((await containersOf(s.runId)).length, 0, 'containers left behind');

      assert.ok(seen, 'the container was not found while running');
      assert.equal(seen.Config.Labels['mlci.run'], s.runId);
      assert.equal(seen.Config.Labels['mlci.stage'], 'train');
      assert.equal(seen.Config.Labels['mlci.pid'], String(process.pid));
      assert.equal(seen.HostConfig.Memory, 64 * 1024 * 1024);
      assert.equal(seen.HostConfig.MemorySwap, 64 * 1024 * 1024);
      assert.equal(seen.HostConfig.NanoCpus, 500_000_000);
      assert.equal(seen.HostConfig.PidsLimit, 50);
      assert.equal(seen.HostConfig.NetworkMode, 'none');
      assert.deepEqual(seen.HostConfig.Binds, [`${ws}:${ws}:rw`]);
    });

    it('cancels cleanly at any point (create, attach, start races): cancelled, nothing left', async () => {
      for (const ms of [0, 5, 10, 20, 40, 80, 120, 200]) {
        const s = spec({ commands: ['sleep 30'] });
        const ac = new AbortController();
        setTimeout(() => ac.abort(), ms);
        const t0 = performance.now();
        const r = await runner.run(s, () => undefined, ac.signal);
        assert.deepEqual(r.outcome, { kind: 'cancelled' }, `abort after ${ms} ms`);
        assert.ok(performance.now() - t0 < 10_000, `abort after ${ms} ms took too long`);
        assert.equal((await containersOf(s.runId)).length, 0, `abort after ${ms} ms left a container`);
      }
    });

    it('returns cancelled at once for an already aborted signal, creating nothing', async () => {
      const s = spec({ commands: ['sleep 30'] });
      const r = await runner.run(s, () => undefined, AbortSignal.abort());
      assert.deepEqual(r.outcome, { kind: 'cancelled' });
      assert.equal((await containersOf(s.runId)).length, 0);
    });
  });

  describe('removeStray', () => {
    const labelled = (runId: string, host = hostId()): Promise<Docker.Container> =>
      docker.createContainer({
        Image: BUSYBOX,
        Cmd: ['sleep', '30'],
        Labels: { 'mlci.run': runId, 'mlci.stage': 'x', 'mlci.pid': '999999', ...(host ? { 'mlci.host': host } : {}) },
        HostConfig: { NetworkMode: 'none' },
      });

    it('labels every container with the host and client that made it', async () => {
      const s = spec({ commands: ['echo owned'] });
      const seen: Array<Record<string, string>> = [];
      const watch = setInterval(() => void docker.listContainers({ all: true, filters: { label: [`mlci.run=${s.runId}`] } }).then((l) => l.forEach((c) => seen.push(c.Labels))), 20);
      try {
        const r = await runner.run({ ...s, commands: ['sleep 1'] }, () => undefined);
        assert.equal(r.outcome.kind, 'exited');
      } finally {
        clearInterval(watch);
      }
      assert.ok(seen.length > 0, 'saw the container while it ran');
      assert.equal(seen[0]['mlci.host'], hostId());
      assert.match(seen[0]['mlci.client'], /^mlci \S+ \(pid \d+\)$/);
    });

    it('two hosts on one engine never remove each other\'s containers (a dead pid on another host is not ours)', async () => {
      const otherHost = `other-host-${randomUUID()}`;
      const theirs = await labelled(`theirs-${randomUUID()}`, otherHost);
      const legacy = await labelled(`legacy-${randomUUID()}`, '');
      await theirs.start();
      try {
        // Every run counts as dead here: only the host label can save them.
        await runner.removeStray(() => false);
        assert.equal((await docker.listContainers({ all: true, filters: { id: [theirs.id] } })).length, 1, 'another host\'s running stage was removed');
        assert.equal((await docker.listContainers({ all: true, filters: { id: [legacy.id] } })).length, 1, 'a container of unknown host was removed');
        // The other host's own cleanup (MLCI_HOST_ID names it) does remove it.
        process.env.MLCI_HOST_ID = otherHost;
        try {
          await runner.removeStray(() => false);
        } finally {
          delete process.env.MLCI_HOST_ID;
        }
        assert.equal((await docker.listContainers({ all: true, filters: { id: [theirs.id] } })).length, 0, 'its own host removes it');
      } finally {
        await theirs.remove({ force: true }).catch(() => undefined);
        await legacy.remove({ force: true }).catch(() => undefined);
      }
    });

    it('removes containers of dead runs and keeps those of live ones', async () => {
      const dead = `dead-${randomUUID()}`;
      const live = `live-${randomUUID()}`;
      const deadContainer = await labelled(dead);
      await deadContainer.start(); // a running one too: removal is forced
      const liveContainer = await labelled(live);
      try {
        // Only our fake dead run counts as dead: other runs on this engine are not ours to touch.
        const removed = await runner.removeStray((runId) => runId !== dead);
        assert.equal(removed, 1);
        assert.equal((await containersOf(dead)).length, 0);
        assert.equal((await containersOf(live)).length, 1);
      } finally {
        await deadContainer.remove({ force: true }).catch(() => undefined);
        await liveContainer.remove({ force: true }).catch(() => undefined);
      }
    });
  });

  describe('images and engine errors', () => {
    it('names a missing image that cannot be pulled, quickly (no registry here)', async function () {
      this.timeout(30_000);
      const image = `mlci-test/does-not-exist-${Date.now()}:0`;
      const lines: string[] = [];
      await assert.rejects(runner.resolveImage(image, (_s, t) => lines.push(t)), (err: Error) => {
        assert.match(err.message, new RegExp(`image '${image.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}' is not available locally and could not be pulled: .+`));
        assert.match(err.message, /--image /);
        return true;
      });
    });

    it('gives an error outcome naming the image when a stage uses a missing one', async () => {
      const image = `mlci-test/does-not-exist-${Date.now()}:0`;
      const s = spec({ image, commands: ['true'] });
      const r = await runner.run(s, () => undefined);
      assert.equal(r.outcome.kind, 'error');
      assert.ok(r.outcome.kind === 'error' && r.outcome.message.includes(`'${image}'`), JSON.stringify(r.outcome));
      assert.equal((await containersOf(s.runId)).length, 0);
    });

    it('check() explains an unreachable engine (dead socket) and how to fix it', async () => {
      for (const dead of [new DockerRunner({ socketPath: '/tmp/nope.sock' }), new DockerRunner({ host: 'unix:///tmp/nope.sock' })]) {
        await assert.rejects(dead.check(), (err: Error) => {
          assert.match(err.message, /engine at unix:\/\/\/tmp\/nope\.sock is unreachable/);
          assert.match(err.message, /systemctl start docker/);
          assert.match(err.message, /DOCKER_HOST/);
          assert.match(err.message, /--executor local/);
          return true;
        });
      }
    });

    it('check() follows DOCKER_HOST', async () => {
      const saved = process.env.DOCKER_HOST;
      process.env.DOCKER_HOST = 'unix:///tmp/nope.sock';
      try {
        const viaEnv = new DockerRunner();
        await assert.rejects(viaEnv.check(), /engine at unix:\/\/\/tmp\/nope\.sock is unreachable/);
      } finally {
        if (saved === undefined) delete process.env.DOCKER_HOST;
        else process.env.DOCKER_HOST = saved;
      }
    });

    it('gives an error outcome (not a throw) when the engine is unreachable during run', async () => {
      const dead = new DockerRunner({ socketPath: '/tmp/nope.sock' });
      const r = await dead.run(spec({ commands: ['true'] }), () => undefined);
      assert.equal(r.outcome.kind, 'error');
    });
  });

  describe('pulling (from a minimal registry on 127.0.0.1)', () => {
    let registry: LocalRegistry;
    const pulled: string[] = [];
    before(async () => {
      registry = await startLocalRegistry(docker, BUSYBOX);
    });
    after(async () => {
      for (const image of pulled) await docker.getImage(image).remove({ force: true }).catch(() => undefined);
      await registry?.close();
    });
    const fresh = (): string => {
      const image = `${registry.host}/mlci-pull-test:t${Date.now()}${Math.floor(Math.random() * 1000)}`;
      pulled.push(image);
      return image;
    };

    it('resolveImage pulls a missing image, logging progress, and returns its ID', async () => {
      const image = fresh();
      const c = collector();
      const id = await runner.resolveImage(image, c.log);
      assert.equal(id, registry.imageId);
      const progress = c.text('stderr');
      assert.match(progress, /Pulling fs layer/, progress);
      assert.match(progress, /Pull complete/, progress);
      assert.match(progress, /Downloaded newer image/, progress);
      assert.equal(c.text('stdout'), '');
      // One line per layer status change, not one per progress tick.
      const lines = progress.trim().split('\n');
      assert.equal(new Set(lines).size, lines.length, progress);
      // Present now: no second pull.
      const before = registry.requests.length;
      assert.equal(await runner.resolveImage(image), id);
      assert.equal(registry.requests.length, before);
    });

    it('run() pulls a missing image first, then runs on it', async () => {
      const image = fresh();
      const c = collector();
      const r = await runner.run(spec({ image, commands: ['cat /mlci-pulled.txt'] }), c.log);
      assert.deepEqual(r.outcome, { kind: 'exited', exitCode: 0 }, c.text('stderr'));
      assert.equal(r.imageId, registry.imageId);
      assert.equal(c.text('stdout'), registry.marker);
      assert.match(c.text('stderr'), /Downloaded newer image/);
    });

    it('cancelling a stalled pull rejects quickly', async () => {
      registry.stallMs = 30_000;
      try {
        const image = fresh();
        const ac = new AbortController();
        setTimeout(() => ac.abort(), 500);
        const t0 = performance.now();
        await assert.rejects(runner.resolveImage(image, () => undefined, ac.signal), /cancelled/);
        assert.ok(performance.now() - t0 < 5000);
      } finally {
        registry.stallMs = 0;
      }
    });

    it('cancelling run() while it pulls gives outcome cancelled and no container', async () => {
      registry.stallMs = 30_000;
      try {
        const s = spec({ image: fresh(), commands: ['true'] });
        const ac = new AbortController();
        setTimeout(() => ac.abort(), 500);
        const r = await runner.run(s, () => undefined, ac.signal);
        assert.deepEqual(r.outcome, { kind: 'cancelled' });
        assert.ok(r.durationMs < 5000);
        assert.equal((await containersOf(s.runId)).length, 0);
      } finally {
        registry.stallMs = 0;
      }
    });
  });

  describe('workspace, user and env', () => {
    it('bind-mounts the workspace at the same path, read-write', async () => {
      writeFileSync(path.join(ws, 'in.txt'), 'from host\n');
      const c = collector();
      const r = await runner.run(spec({ commands: ['cat in.txt', 'echo from container > out.txt'] }), c.log);
      assert.deepEqual(r.outcome, { kind: 'exited', exitCode: 0 });
      assert.equal(c.text('stdout'), 'from host\n');
      assert.equal(readFileSync(path.join(ws, 'out.txt'), 'utf8'), 'from container\n');
    });

    it('runs in workdir, relative to the workspace', async () => {
      mkdirSync(path.join(ws, 'a', 'b'), { recursive: true });
      const c = collector();
      await runner.run(spec({ workdir: 'a/b', commands: ['pwd'] }), c.log);
      assert.equal(c.text('stdout'), `${path.join(ws, 'a', 'b')}\n`);
    });

    it('creates files owned by the calling user (uid:gid of this process)', async function () {
      if (!process.getuid || !process.getgid) this.skip();
      const user = `${process.getuid()}:${process.getgid()}`;
      const r = await runner.run(spec({ user, commands: ['touch mine.txt'] }), () => undefined);
      assert.deepEqual(r.outcome, { kind: 'exited', exitCode: 0 });
      const st = statSync(path.join(ws, 'mine.txt'));
      assert.equal(st.uid, process.getuid());
      assert.equal(st.gid, process.getgid());
    });

    it('runs as another uid:gid (1234:1234): files on the host are owned by 1234', async () => {
      chmodSync(ws, 0o777);
      const c = collector();
      const r = await runner.run(spec({ user: '1234:1234', commands: ['id -u', 'id -g', 'touch theirs.txt'] }), c.log);
      assert.deepEqual(r.outcome, { kind: 'exited', exitCode: 0 }, c.text('stderr'));
      assert.equal(c.text('stdout'), '1234\n1234\n');
      const st = statSync(path.join(ws, 'theirs.txt'));
      assert.equal(st.uid, 1234);
      assert.equal(st.gid, 1234);
    });

    it('passes env, values with spaces and = intact', async () => {
      const c = collector();
      await runner.run(spec({ env: { FOO: 'bar baz=1', EMPTY: '' }, commands: ['echo "[$FOO][${EMPTY-unset}]"'] }), c.log);
      assert.equal(c.text('stdout'), '[bar baz=1][]\n');
    });
  });

  // Last suite (mocha runs a suite's own tests before its child suites, so not a bare `it`).
  describe('afterwards', () => {
    it('leaves no container of this process behind after all of the above', async () => {
      const mine = (await docker.listContainers({ all: true, filters: { label: ['mlci.run'] } })).filter(
        (c) => c.Labels['mlci.pid'] === String(process.pid),
      );
      assert.deepEqual(mine.map((c) => c.Labels['mlci.run']), []);
    });
  });
});
