/** Which pipelines the extension host judges itself (dist/status.js) and which it leaves to `mlci status`. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canJudgeInHost } from '../../../src/adapters/host-status';
import { nodeFiles } from '../../../src/core/node-files';
import { validatePipeline } from '../../../src/core/pipeline/validate';

describe('canJudgeInHost', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-host-status-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const pipeline = (text: string) => {
    const r = validatePipeline({ file: 'mlci.yaml', text, root: dir, files: nodeFiles });
    assert.ok(r.pipeline, JSON.stringify(r.problems));
    return r.pipeline;
  };
  const plain = pipeline('version: 1\nstages:\n  a:\n    image: busybox\n    run: echo a\n');

  it('judges in the host when the engine answers plain HTTP: a unix socket, the default socket, tcp', () => {
    assert.equal(canJudgeInHost(plain, 'auto', { DOCKER_HOST: 'unix:///tmp/docker.sock' }), true);
    assert.equal(canJudgeInHost(plain, 'auto', {}), process.platform !== 'win32');
    assert.equal(canJudgeInHost(plain, 'auto', { DOCKER_HOST: 'tcp://10.0.0.2:2375' }), true);
  });

  it('leaves ssh:// and TLS engines to the CLI (they need the Docker client)', () => {
    assert.equal(canJudgeInHost(plain, 'auto', { DOCKER_HOST: 'ssh://me@gpu-box' }), false);
    assert.equal(canJudgeInHost(plain, 'auto', { DOCKER_HOST: 'tcp://10.0.0.2:2376' }), false);
    assert.equal(canJudgeInHost(plain, 'auto', { DOCKER_HOST: 'tcp://10.0.0.2:2375', DOCKER_TLS_VERIFY: '1' }), false);
  });

  it('needs no engine for host processes, unless a stage asks for executor: docker', () => {
    assert.equal(canJudgeInHost(plain, 'local', { DOCKER_HOST: 'ssh://me@gpu-box' }), true);
    assert.equal(canJudgeInHost(plain, 'slurm', { DOCKER_HOST: 'ssh://me@gpu-box' }), true);
    const docker = pipeline('version: 1\nstages:\n  a:\n    image: busybox\n    executor: docker\n    run: echo a\n');
    assert.equal(canJudgeInHost(docker, 'local', { DOCKER_HOST: 'ssh://me@gpu-box' }), false);
    assert.equal(canJudgeInHost(docker, 'local', { DOCKER_HOST: 'unix:///tmp/docker.sock' }), true);
  });

  it('leaves a pipeline with a stage on a named engine to the CLI', () => {
    const named = pipeline('version: 1\nengines:\n  gpu: { host: "tcp://10.0.0.3:2375" }\nstages:\n  a:\n    image: busybox\n    engine: gpu\n    run: echo a\n');
    assert.equal(canJudgeInHost(named, 'auto', { DOCKER_HOST: 'unix:///tmp/docker.sock' }), false);
  });
});
