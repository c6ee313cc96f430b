/**
 * engine-http.ts (ping and image inspect over node:http, without dockerode)
 * against a REAL Docker engine: the one DOCKER_HOST names. Its answers must
 * be dockerode's: the same image ID, "not found" for a missing image.
 * Without an engine these tests skip, except under CI=true where they fail.
 */
import * as assert from 'node:assert/strict';
import Docker from 'dockerode';
import { inspectImageId, pingEngine, plainEngine } from '../../src/adapters/docker/engine-http';
import { DockerRunner } from '../../src/adapters/docker/docker-runner';

const BUSYBOX = 'mlci-test/busybox:latest';

describe('plainEngine (which engines skip dockerode)', () => {
  it('takes unix sockets and plain tcp, leaves ssh, TLS and named pipes to dockerode', () => {
    assert.deepEqual(plainEngine({}, {}), { socketPath: '/var/run/docker.sock' });
    assert.deepEqual(plainEngine({}, { DOCKER_HOST: 'unix:///tmp/x.sock' }), { socketPath: '/tmp/x.sock' });
    assert.deepEqual(plainEngine({ host: 'tcp://10.0.0.2:2375' }, {}), { host: '10.0.0.2', port: 2375 });
    assert.deepEqual(plainEngine({ host: 'tcp://10.0.0.2' }, {}), { host: '10.0.0.2', port: 2375 });
    assert.deepEqual(plainEngine({ socketPath: '/s.sock' }, { DOCKER_HOST: 'tcp://a:1' }), { socketPath: '/s.sock' });
    assert.equal(plainEngine({ host: 'ssh://me@box' }, {}), undefined);
    assert.equal(plainEngine({ host: 'tcp://box:2376' }, {}), undefined);
    assert.equal(plainEngine({ host: 'tcp://box:2375' }, { DOCKER_TLS_VERIFY: '1' }), undefined);
    assert.equal(plainEngine({ host: 'npipe:////./pipe/docker_engine' }, {}), undefined);
  });
});

describe('engine-http (real engine)', function () {
  this.timeout(30_000);
  const engine = plainEngine({});

  before(async function () {
    try {
      await new DockerRunner().check();
    } catch (err) {
      if (process.env.CI === 'true') throw new Error(`CI=true but no Docker engine answers: ${(err as Error).message}`);
      this.skip();
    }
  });

  it('answers the ping and gives the image ID dockerode gives', async () => {
    assert.ok(engine, 'DOCKER_HOST is a plain socket or tcp address here');
    await pingEngine(engine, 5000);
    const viaDockerode = (await new Docker().getImage(BUSYBOX).inspect()).Id;
    assert.equal(await inspectImageId(engine, BUSYBOX), viaDockerode);
    assert.equal(await new DockerRunner().resolveImage(BUSYBOX), viaDockerode);
  });

  it('says undefined for an image the engine does not have', async () => {
    assert.equal(await inspectImageId(engine!, 'mlci-test/no-such-image:never'), undefined);
  });

  it('fails with the socket error on a dead socket', async () => {
    await assert.rejects(pingEngine({ socketPath: '/tmp/mlci-no-such.sock' }, 2000), /ENOENT/);
  });
});
