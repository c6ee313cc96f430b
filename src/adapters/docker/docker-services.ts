/**
 * `kind: service` containers on a Docker engine: a per-run private network,
 * the service on it under its stage name, its port published on 127.0.0.1
 * (an ephemeral host port unless `host_port` fixes one), its output streamed,
 * and a health wait that ends when the check passes, the container exits, or
 * the time is up. Containers and networks carry the run's owner labels, so a
 * killed mlci's leftovers are removed by the next run (removeStray).
 *
 * Why publish on 127.0.0.1: mlci's health checks and probes run in the mlci
 * process on the host. A container's address on a private network is
 * reachable from the host only on a Linux engine on the same machine (not
 * with Docker Desktop's VM, nor a remote engine), while a port published on
 * the loopback works wherever the engine's host is this host, and is not
 * exposed to the network.
 */
import type Dockerode from 'dockerode';
import type { Cancel, LogSink, ServiceFailure, ServiceHandle, ServiceHost, ServiceStartSpec } from '../../core/ports';
import { errorText, isNotFound } from './docker-api';
import { LABEL_PID, LABEL_RUN, createOptions, demux, destroyStream, waitNextExit } from './docker-runner';
import { LABEL_CLIENT, LABEL_HOST, clientLabel, hostId } from './owner';
import pkg from '../../../package.json';

export const LABEL_SERVICE = 'mlci.service';
const KEEP_LINES = 50;

/** The network a run's services and the stages that need them share. */
export function runNetworkName(runId: string): string {
  return `mlci-run-${runId}`;
}

export class DockerServices implements ServiceHost {
  constructor(private readonly docker: () => Promise<Dockerode>) {}

  async createNetwork(runId: string): Promise<string> {
    const docker = await this.docker();
    const name = runNetworkName(runId);
    await docker.createNetwork({
      Name: name,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: { [LABEL_RUN]: runId, [LABEL_PID]: String(process.pid), [LABEL_HOST]: hostId(), [LABEL_CLIENT]: clientLabel(pkg.version) },
    });
    return name;
  }

  async removeNetwork(name: string): Promise<void> {
    const docker = await this.docker();
    await docker.getNetwork(name).remove().catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }

  async start(spec: ServiceStartSpec, log: LogSink, cancel?: Cancel): Promise<{ ok: true; handle: ServiceHandle } | { ok: false; failure: ServiceFailure }> {
    const docker = await this.docker();
    const lines = new LineTail(KEEP_LINES);
    const sink: LogSink = (stream, text) => {
      lines.push(text);
      log(stream, text);
    };
    const portKey = `${spec.port}/tcp`;
    const options = createOptions({ ...spec, network: 'none' });
    options.Labels = { ...options.Labels, [LABEL_SERVICE]: spec.stage };
    options.ExposedPorts = { [portKey]: {} };
    options.HostConfig = {
      ...options.HostConfig,
      NetworkMode: spec.networkName,
      PortBindings: { [portKey]: [{ HostIp: '127.0.0.1', HostPort: spec.hostPort !== undefined ? String(spec.hostPort) : '' }] },
    };
    options.NetworkingConfig = { EndpointsConfig: { [spec.networkName]: { Aliases: [spec.stage] } } };

    let container: Dockerode.Container | undefined;
    let output: NodeJS.ReadableStream | undefined;
    let closeWait: (() => void) | undefined;
    let exit: { exitCode: number } | undefined;
    let stopped: Promise<void> | undefined;
    let alive: NodeJS.Timeout | undefined;
    const stop = (): Promise<void> => {
      stopped ??= (async () => {
        destroyStream(output);
        closeWait?.();
        if (container) await container.remove({ force: true, v: true }).catch((err: unknown) => {
          if (!isNotFound(err) && !/already in progress/.test(errorText(err))) throw err;
        });
      })();
      return stopped;
    };
    const fail = async (message: string): Promise<{ ok: false; failure: ServiceFailure }> => {
      await new Promise((r) => setTimeout(r, 100)); // the last output in flight
      const failure: ServiceFailure = { message, lastLines: lines.last(20), ...(exit ? { exitCode: exit.exitCode } : {}) };
      await stop().catch(() => undefined);
      return { ok: false, failure };
    };
    try {
      container = await docker.createContainer(options);
      output = await container.attach({ stream: true, stdout: true, stderr: true });
      void demux(container, output, sink);
      const waited = await waitNextExit(container);
      closeWait = waited.close;
      waited.exited.then((s) => (exit = { exitCode: s.StatusCode ?? -1 }), () => undefined);
      try {
        await container.start();
      } catch (err) {
        const text = errorText(err);
        if (/address already in use|port is already allocated/i.test(text)) {
          const which = spec.hostPort !== undefined ? `host_port ${spec.hostPort}` : 'the published port';
          return await fail(`${which} is already in use on 127.0.0.1 (${text}); free it or change host_port (leave it out for an ephemeral port)`);
        }
        return await fail(`could not start the container: ${text}`);
      }
      const info = await container.inspect();
      const binding = info.NetworkSettings.Ports?.[portKey]?.[0];
      if (!binding?.HostPort) return await fail(`the engine published no host port for ${portKey}`);
      const hostUrl = `http://127.0.0.1:${binding.HostPort}`;
      const handle: ServiceHandle = {
        url: `http://${spec.stage}:${spec.port}`,
        hostUrl,
        exited: () => exit,
        lastLines: (n = 20) => lines.last(n),
        stop,
      };
      const deadline = Date.now() + spec.health.timeoutMs;
      let last = 'not checked yet';
      // fetch's sockets and AbortSignal.timeout's timer do not keep Node alive: without this a
      // process with nothing else pending would exit in the middle of the health wait.
      alive = setInterval(() => undefined, 1000);
      for (;;) {
        if (cancel?.aborted) return await fail('cancelled while waiting for health');
        if (exit) return await fail(`exited with code ${exit.exitCode} before it was healthy`);
        const check = spec.health.cmd !== undefined ? await execCheck(container, spec.health.cmd) : await httpCheck(`${hostUrl}${spec.health.http ?? '/'}`, Math.max(1000, spec.health.intervalMs));
        if (check.ok) return { ok: true, handle };
        last = check.detail;
        if (exit) return await fail(`exited with code ${(exit as { exitCode: number }).exitCode} before it was healthy`);
        if (Date.now() >= deadline) {
          const what = spec.health.cmd !== undefined ? `health command \`${spec.health.cmd}\`` : `GET ${spec.health.http ?? '/'}`;
          return await fail(`not healthy after ${Math.round(spec.health.timeoutMs / 100) / 10}s (${what}: ${last}); raise health.timeout or fix the health check`);
        }
        await sleep(spec.health.intervalMs, cancel);
      }
    } catch (err) {
      return await fail(errorText(err));
    } finally {
      clearInterval(alive);
    }
  }
}

/** A GET that counts 2xx/3xx as healthy; the detail says what came back otherwise. */
async function httpCheck(url: string, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await res.arrayBuffer().catch(() => undefined);
    return res.status < 400 ? { ok: true, detail: `${res.status}` } : { ok: false, detail: `last answer HTTP ${res.status}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, detail: `last try: ${cause?.code ?? cause?.message ?? (err as Error).message}` };
  }
}

/** Runs the health command in the container; exit 0 is healthy. */
async function execCheck(container: Dockerode.Container, cmd: string): Promise<{ ok: boolean; detail: string }> {
  try {
    const exec = await container.exec({ Cmd: ['sh', '-c', cmd], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    await new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
      stream.resume();
    });
    const info = await exec.inspect();
    return info.ExitCode === 0 ? { ok: true, detail: 'exit 0' } : { ok: false, detail: `last exit code ${info.ExitCode ?? 'unknown'}` };
  } catch (err) {
    return { ok: false, detail: errorText(err) };
  }
}

function sleep(ms: number, cancel?: Cancel): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      cancel?.removeEventListener('abort', done);
      resolve();
    }
    cancel?.addEventListener('abort', done, { once: true });
  });
}

/** The last lines of a stream of chunks. */
class LineTail {
  private lines: string[] = [];
  private partial = '';
  constructor(private readonly keep: number) {}
  push(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    if (this.lines.length > this.keep) this.lines.splice(0, this.lines.length - this.keep);
  }
  last(n: number): string[] {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(-n);
  }
}
