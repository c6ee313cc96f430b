/**
 * Service stages: start to healthy plus teardown through mlci's service host
 * (the run's network, the service container with its published port, the
 * health wait, removal of both), against the same container started and
 * removed through raw dockerode with the same network, port binding and
 * health polling. Alternated, medians of both. Goal <= 1.2x.
 * Needs DOCKER_HOST with the images of scripts/ci/images.sh.
 */
import Docker from 'dockerode';
import { DockerRunner } from '../src/adapters/docker/docker-runner';
import { median, type BenchResult } from './timing';

const IMAGE = 'mlci-test/python:3.12-slim';
const CMD = 'python3 -m http.server 8000';
const INTERVAL_MS = 50;

async function healthy(url: string): Promise<void> {
  // fetch's sockets and AbortSignal.timeout do not keep Node alive: this does.
  const alive = setInterval(() => undefined, 1000);
  try {
    await poll(url);
  } finally {
    clearInterval(alive);
  }
}

async function poll(url: string): Promise<void> {
  for (;;) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.status < 400, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
  }
}

async function raw(docker: Docker, i: number): Promise<void> {
  const name = `mlci-bench-raw-${process.pid}-${i}`;
  const net = await docker.createNetwork({ Name: name, Driver: 'bridge' });
  const c = await docker.createContainer({
    Image: IMAGE, Cmd: ['sh', '-c', CMD], ExposedPorts: { '8000/tcp': {} },
    HostConfig: { NetworkMode: name, PortBindings: { '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    NetworkingConfig: { EndpointsConfig: { [name]: { Aliases: ['serve'] } } },
  });
  await c.start();
  const port = (await c.inspect()).NetworkSettings.Ports['8000/tcp'][0].HostPort;
  await healthy(`http://127.0.0.1:${port}/`);
  await c.remove({ force: true });
  await net.remove();
}

async function viaMlci(runner: DockerRunner, i: number): Promise<void> {
  const runId = `bench-svc-${process.pid}-${i}`;
  const network = await runner.services.createNetwork(runId);
  const r = await runner.services.start({
    runId, stage: 'serve', image: IMAGE, commands: [CMD], workspace: '/tmp', workdir: '.', env: {}, networkName: network,
    port: 8000, health: { http: '/', timeoutMs: 60_000, intervalMs: INTERVAL_MS },
  }, () => undefined);
  if (!r.ok) throw new Error(`service did not start: ${r.failure.message}`);
  await r.handle.stop();
  await runner.services.removeNetwork(network);
}

export async function benchService(): Promise<BenchResult[]> {
  const docker = new Docker();
  const runner = new DockerRunner();
  await runner.check();
  const N = 7;
  await raw(docker, -1);
  await viaMlci(runner, -1);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < N; i++) {
    let t0 = performance.now();
    await raw(docker, i);
    a.push(performance.now() - t0);
    t0 = performance.now();
    await viaMlci(runner, i);
    b.push(performance.now() - t0);
  }
  const base = median(a);
  const ours = median(b);
  return [
    { name: 'service start..healthy..removed, raw dockerode (median of 7)', ms: base },
    { name: 'service start..healthy..removed, mlci service host (median of 7)', ms: ours },
    { name: 'service overhead: mlci / raw dockerode', ratio: ours / base, goal: 1.2 },
  ];
}
