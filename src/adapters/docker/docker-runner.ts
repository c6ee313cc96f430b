/**
 * Runs stages in containers on a Docker engine through dockerode.
 *
 * dockerode is imported lazily (first call), so loading this module costs
 * nothing at extension activation. The engine is the one DOCKER_HOST names
 * (unix://, tcp://, ssh://; dockerode reads it, with DOCKER_TLS_VERIFY and
 * DOCKER_CERT_PATH), or the one given explicitly by `socketPath` / `host`.
 *
 * One stage = one container: created with the workspace bind-mounted at the
 * same path, limits and labels (mlci.run / mlci.stage / mlci.pid, so strays
 * of crashed runs can be found), attached before start so no output is lost,
 * waited on, inspected (OOM), and always force-removed at the end.
 *
 * The engine may freeze (a stopped dockerd accepts connections and never
 * answers) or die mid-run. Every engine call but the stage's own wait and
 * output stream therefore has a time limit (`callTimeoutMs`, default 30 s,
 * MLCI_ENGINE_TIMEOUT_MS), Ctrl+C returns 'cancelled' within 0.8 s when the
 * engine does not answer a ping (the kill and removal go on in the
 * background, and removeStray cleans up after an engine that never answered;
 * an engine that answers gets up to 10 s more to remove the container), and a lost
 * engine is an error outcome marked `engineLost`, which the run reports as
 * "could not run", not as a failing stage.
 */
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { Cancel, ContainerRunner, LogSink, StageOutcome, StageResult, StageSpec } from '../../core/ports';
import { ChunkDecoder, stageScript } from '../local/stage-script';
import { inspectImageId, pingEngine, plainEngine } from './engine-http';
import type { LongTimer } from '../../core/long-timer';
import { setLongTimeout } from '../../core/long-timer';
import { DockerBuilder } from './docker-builder';
import { errorText, inspectImage, isNotFound, pull } from './docker-api';
import pkg from '../../../package.json';
import { LABEL_CLIENT, LABEL_HOST, clientLabel, hostId } from './owner';
import { DockerServices } from './docker-services';
import { type PushAuth, pushImage } from './docker-push';
import type { Shipment } from './remote-workspace';
import { forgetManifest, prepareShipment, workspaceVolume } from './remote-workspace';
import os from 'node:os';
import { unreachableAdvice } from '../../core/run/engine-advice';

export interface DockerRunnerOptions {
  /** A unix socket (or Windows named pipe) path, e.g. `/var/run/docker.sock`. */
  socketPath?: string;
  /** A DOCKER_HOST-style address: `unix:///path`, `tcp://host:2375`, `ssh://user@host`. */
  host?: string;
  /** How long `check()` waits for the engine's answer (default 5 s). */
  pingTimeoutMs?: number;
  /** How long any other engine call may take before the engine counts as frozen (default 30 s, or MLCI_ENGINE_TIMEOUT_MS). */
  callTimeoutMs?: number;
  /** The engine's name in the pipeline (`engines: { gpu: ... }`), for messages. */
  engineName?: string;
  /**
   * The engine cannot see this machine's files (another host): the workspace
   * travels by content into a volume (remote-workspace.ts) instead of a bind mount.
   */
  remote?: boolean;
  /**
   * ssh:// engines: the private key to log in with (else MLCI_SSH_KEY,
   * ~/.ssh/id_*, and the SSH agent); host keys are checked against
   * MLCI_SSH_KNOWN_HOSTS or ~/.ssh/known_hosts (ssh-login.ts).
   */
  identityFile?: string;
}

/** After Ctrl+C, how long a stage may take to stop before run() returns 'cancelled' anyway. */
const CANCEL_GRACE_MS = 800;

/** The engine did not answer in time, or its connection failed. */
export class EngineLost extends Error {}

/** How long to wait for the attach stream to deliver the last output after the container exited. */
const DRAIN_MS = 2000;

export const LABEL_RUN = 'mlci.run';
const LABEL_STAGE = 'mlci.stage';
export const LABEL_PID = 'mlci.pid';

type StopReason = 'timeout' | 'cancelled';

export class DockerRunner implements ContainerRunner {
  readonly name = 'docker' as const;
  private client: Promise<Dockerode> | undefined;
  /** Image builds and mlci's volumes on the same engine. */
  readonly builder = new DockerBuilder(() => this.docker(), () => plainEngine(this.options));
  /** `kind: service` containers and the runs' private networks. */
  readonly services = new DockerServices(() => this.docker());

  /** Tags `local` as `repository:tag` and pushes it (mlci deliver); the registry's digest. */
  async pushImage(local: string, repository: string, tag: string, log: (text: string) => void, cancel?: Cancel, auth?: PushAuth): Promise<{ digest: string; imageId: string }> {
    return pushImage(await this.docker(), local, repository, tag, log, cancel, auth);
  }

  constructor(private readonly options: DockerRunnerOptions = {}) {}

  private get callTimeoutMs(): number {
    const env = Number(process.env.MLCI_ENGINE_TIMEOUT_MS);
    return this.options.callTimeoutMs ?? (Number.isFinite(env) && env > 0 ? env : 30_000);
  }

  /** `p`, or an EngineLost once `callTimeoutMs` passes without an answer. */
  private limit<T>(p: Promise<T>, what: string): Promise<T> {
    const ms = this.callTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new EngineLost(`the Docker engine at ${this.where} did not answer (${what}) within ${Math.round(ms / 1000)} s: it is frozen or overloaded`)), ms);
      timer.unref();
    });
    return Promise.race([p, expired]).finally(() => clearTimeout(timer));
  }

  /** The message and marker for an outcome caused by the engine, not the stage. */
  private lost(err: unknown): StageOutcome {
    const reason = err instanceof EngineLost ? err.message : `the Docker engine at ${this.where} was lost during the stage (${errorText(err)})`;
    return { kind: 'error', engineLost: true, message: `${reason}; check it with \`docker info\`, restart it if needed, then run again (or run with --executor local)` };
  }
  /** Where the engine is, for messages: `unix:///var/run/docker.sock`, `tcp://...`. */
  get where(): string {
    const host = this.host;
    return this.options.engineName ? `${host} (engine '${this.options.engineName}')` : host;
  }

  private get host(): string {
    if (this.options.socketPath) return `unix://${this.options.socketPath}`;
    if (this.options.host) return this.options.host;
    return process.env.DOCKER_HOST || 'unix:///var/run/docker.sock (default)';
  }

  async check(): Promise<void> {
    // An ssh:// engine's first answer takes a handshake and a login shell on the server.
    const timeoutMs = this.options.pingTimeoutMs ?? (this.host.startsWith('ssh://') ? 20_000 : 5000);
    // A plain socket or tcp engine answers the ping without loading dockerode (engine-http.ts).
    const plain = plainEngine(this.options);
    // Outside the try: a client that fails to load (a module missing from the
    // bundle) is a bug to report as such, never an "unreachable engine" that
    // would send `auto` to host processes.
    const docker = plain ? undefined : await this.docker();
    try {
      if (plain) return await pingEngine(plain, timeoutMs);
      // dockerode's ping takes an abortSignal at runtime; its typings do not say so.
      const ping = docker!.ping.bind(docker) as (opts: { abortSignal: AbortSignal }) => Promise<unknown>;
      await ping({ abortSignal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const reason = errorText(err);
      throw new Error(`The Docker engine at ${this.where} is unreachable (${reason}). ${unreachableAdvice(this.host)}`, { cause: err });
    }
  }

  /** Resolves when the engine answers a ping within `ms`. */
  private async ping(ms: number): Promise<void> {
    const plain = plainEngine(this.options);
    if (plain) return pingEngine(plain, ms);
    const docker = await this.docker();
    const ping = docker.ping.bind(docker) as (opts: { abortSignal: AbortSignal }) => Promise<unknown>;
    await ping({ abortSignal: AbortSignal.timeout(ms) });
  }

  async imageIdIfPresent(image: string): Promise<string | undefined> {
    const plain = plainEngine(this.options);
    if (plain) return inspectImageId(plain, image);
    return inspectImage(await this.docker(), image);
  }

  async resolveImage(image: string, log?: LogSink, cancel?: Cancel): Promise<string> {
    try {
      return await this.resolveImageOnce(image, log, cancel);
    } catch (err) {
      if (cancel?.aborted || !isEngineFailure(err)) throw err;
      const outcome = this.lost(err) as { message: string };
      throw Object.assign(new Error(outcome.message, { cause: err }), { engineLost: true });
    }
  }

  private async resolveImageOnce(image: string, log?: LogSink, cancel?: Cancel): Promise<string> {
    // The image is usually there: ask without loading dockerode when the engine allows it.
    const plain = plainEngine(this.options);
    if (plain) {
      const id = await this.limit(abortable(inspectImageId(plain, image, this.callTimeoutMs), cancel), `inspecting image ${image}`);
      if (id) return id;
    }
    const docker = await this.docker();
    const present = await this.limit(abortable(inspectImage(docker, image), cancel), `inspecting image ${image}`);
    if (present) return present;
    try {
      await pull(docker, image, log, cancel);
    } catch (err) {
      if (cancel?.aborted) throw new Error(`pulling image '${image}' was cancelled`, { cause: err });
      throw pullFailed(image, err);
    }
    const pulled = await inspectImage(docker, image);
    if (!pulled) throw new Error(`image '${image}' was pulled but the engine does not list it`);
    return pulled;
  }

  async run(spec: StageSpec, log: LogSink, cancel?: Cancel): Promise<StageResult> {
    if (!cancel) return this.runStage(spec, log);
    // Ctrl+C is effective within CANCEL_GRACE_MS whatever the engine does:
    // a frozen engine may never answer the kill.
    const started = Date.now();
    let onAbort: (() => void) | undefined;
    const abandoned = new Promise<StageResult>((resolve) => {
      const give = () => resolve({ outcome: { kind: 'cancelled' }, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started });
      onAbort = () => {
        // An engine that still answers gets time to kill and remove the
        // container (nothing left behind); a frozen one does not.
        let answers = false;
        this.ping(CANCEL_GRACE_MS).then(() => (answers = true), () => undefined);
        setTimeout(() => {
          if (!answers) give();
          else setTimeout(give, 10_000).unref();
        }, CANCEL_GRACE_MS).unref();
      };
      if (cancel.aborted) onAbort();
      else cancel.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([this.runStage(spec, log, cancel), abandoned]);
    } finally {
      if (onAbort) cancel.removeEventListener('abort', onAbort);
    }
  }

  private async runStage(spec: StageSpec, log: LogSink, cancel?: Cancel): Promise<StageResult> {
    const startedAt = new Date();
    const t0 = performance.now();
    let imageId: string | undefined;
    // Declared before result(), which reads it: a cancel before the stage starts calls result() at once.
    let shipment: Shipment | undefined;
    const result = (outcome: StageOutcome): StageResult => ({
      outcome,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      ...(imageId ? { imageId } : {}),
      ...(shipment ? { transfer: shipment.stats } : {}),
    });
    if (cancel?.aborted) return result({ kind: 'cancelled' });

    let container: Dockerode.Container | undefined;
    let output: NodeJS.ReadableStream | undefined;
    let timer: LongTimer | undefined;
    let stopReason: StopReason | undefined;
    let onAbort: (() => void) | undefined;
    let closeWait: (() => void) | undefined;
    try {
      const docker = await this.docker();
      if (this.options.remote) {
        shipment = await this.limit(prepareShipment(docker, spec, log), 'preparing the workspace volume');
      }
      const created = await this.limit(createContainer(docker, spec, log, cancel, shipment), 'creating the container');
      container = created;
      if (cancel?.aborted) return result({ kind: 'cancelled' });
      // The inputs it lacks go into the workspace volume before start (no time
      // limit: a large first upload takes what it takes; Ctrl+C aborts it).
      if (shipment) await shipment.send(created, cancel);
      if (cancel?.aborted) return result({ kind: 'cancelled' });

      // Attach before start: the stream then carries the stage's output from its first byte.
      output = await this.limit(created.attach({ stream: true, stdout: true, stderr: true }), 'attaching to the container');
      const drained = demux(created, output, log);
      // TRAP: a plain wait() before start returns at once with StatusCode 0 (the
      // container is "not running" yet). 'next-exit' registered before start is exact.
      const { exited, close } = await this.limit(waitNextExit(created), 'waiting for the container');
      closeWait = close;
      let hasExited = false;
      exited.then(
        () => (hasExited = true),
        () => undefined, // settles even when we return before start
      );

      const stop = (reason: StopReason): void => {
        // A stage that exited on its own just before its deadline keeps its exit code.
        if (stopReason || hasExited) return;
        stopReason = reason;
        this.limit(created.kill(), 'stopping the container').catch(() => undefined); // already exited: nothing to kill
      };
      onAbort = () => stop('cancelled');
      cancel?.addEventListener('abort', onAbort, { once: true });
      if (cancel?.aborted) return result({ kind: 'cancelled' });
      if (spec.timeoutMs !== undefined && spec.timeoutMs > 0) {
        timer = setLongTimeout(() => stop('timeout'), spec.timeoutMs);
      }

      try {
        await this.limit(created.start(), 'starting the container');
      } catch (err) {
        // Docker answers a GPU request on an engine without the NVIDIA
        // runtime only at start: `could not select device driver "" with capabilities: [[gpu]]`.
        if (spec.gpus !== undefined && /could not select device driver|nvidia|gpu/i.test(errorText(err))) {
          return result({ kind: 'error', message: gpuUnavailable(errorText(err)) });
        }
        throw err;
      }
      // A kill that raced with start found nothing running: kill again now.
      if (stopReason) await this.limit(created.kill(), 'stopping the container').catch(() => undefined);

      // No limit on the stage itself (its own timeout applies); a frozen
      // engine during a stage without one is left to Ctrl+C.
      const status = await exited;
      await Promise.race([drained, delay(DRAIN_MS)]);
      const info = await this.limit(created.inspect(), 'inspecting the container');
      imageId = info.Image;
      if (stopReason) return result({ kind: stopReason });
      // Outputs come back before the container goes (also after a failure: a partial report is what the user wants to read).
      if (shipment) await shipment.fetch(created);
      const exitCode = status.StatusCode ?? info.State.ExitCode;
      if (info.State.OOMKilled && exitCode !== 0) return result({ kind: 'oom', exitCode });
      // Docker sets OOMKilled only when the kernel killed the container's
      // main process; when it kills a child (the usual case for `sh -c`
      // stages) the shell exits 137 and OOMKilled stays false (seen with
      // Engine 20.10 on cgroup v2). A SIGKILL we did not send, in a
      // container with a memory limit, is the OOM killer.
      if (exitCode === 137 && spec.memoryBytes !== undefined) return result({ kind: 'oom', exitCode });
      return result({ kind: 'exited', exitCode });
    } catch (err) {
      if (stopReason) return result({ kind: stopReason });
      if (cancel?.aborted) return result({ kind: 'cancelled' });
      if (isEngineFailure(err)) return result(this.lost(err));
      return result({ kind: 'error', message: errorText(err) });
    } finally {
      timer?.clear();
      if (onAbort) cancel?.removeEventListener('abort', onAbort);
      destroyStream(output);
      closeWait?.();
      if (container) {
        // Always, also after errors and cancellation; removeStray is the backstop.
        await this.limit(container.remove({ force: true, v: true }), 'removing the container').catch((err: unknown) => {
          if (!isNotFound(err)) log('stderr', `mlci: could not remove container ${container?.id.slice(0, 12)}: ${errorText(err)}\n`);
        });
      }
    }
  }

  async releaseWorkspace(root: string): Promise<void> {
    if (!this.options.remote) return;
    const docker = await this.docker();
    const volume = docker.getVolume(workspaceVolume(root));
    // A cancelled stage's container may still be going (its removal runs on
    // after run() returned): the volume is in use until it is gone.
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await this.limit(volume.remove(), 'removing the workspace volume');
        break;
      } catch (err) {
        if (isNotFound(err)) break;
        if ((err as { statusCode?: number }).statusCode !== 409 || Date.now() > deadline) throw err;
        await delay(250);
      }
    }
    await forgetManifest(root);
  }

  async removeStray(isRunAlive: (runId: string) => boolean): Promise<number> {
    const docker = await this.docker();
    const containers = await this.limit(docker.listContainers({ all: true, filters: { label: [LABEL_RUN] } }), 'listing containers');
    let removed = 0;
    for (const info of containers) {
      const runId = info.Labels?.[LABEL_RUN];
      if (runId === undefined || isRunAlive(runId)) continue;
      // Made on another host sharing this engine (or by an mlci too old to
      // say which host): its pid means nothing here, so it is never ours to remove.
      if (info.Labels?.[LABEL_HOST] !== hostId()) continue;
      // The mlci process that made it is still running on this host (another
      // workspace's run on the same engine): not stray.
      const pid = Number(info.Labels?.[LABEL_PID]);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid)) continue;
      try {
        await this.limit(docker.getContainer(info.Id).remove({ force: true, v: true }), 'removing a stray container');
        removed++;
      } catch (err) {
        // Removed meanwhile, or being removed by another mlci's cleanup: not ours to count.
        if (!isNotFound(err) && !isRemovalInProgress(err)) throw err;
      }
    }
    // The private networks of services (after their containers: a network in use cannot go).
    const networks = await this.limit(docker.listNetworks({ filters: { label: [LABEL_RUN] } }), 'listing networks');
    for (const info of networks) {
      const runId = info.Labels?.[LABEL_RUN];
      if (runId === undefined || isRunAlive(runId) || info.Labels?.[LABEL_HOST] !== hostId()) continue;
      const pid = Number(info.Labels?.[LABEL_PID]);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid)) continue;
      await this.limit(docker.getNetwork(info.Id).remove(), 'removing a stray network').catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
    return removed;
  }

  /** The dockerode client, created on first use (lazy import). */
  private docker(): Promise<Dockerode> {
    this.client ??= (async () => {
      let Docker: typeof Dockerode;
      try {
        ({ default: Docker } = await import('dockerode'));
      } catch (err) {
        throw new DockerClientLoadError(err);
      }
      return new Docker(await clientOptions(this.options));
    })();
    return this.client;
  }
}

/**
 * The Docker client itself failed to load: a broken install or bundle (a
 * module left out), not an engine problem. Reported as an internal error.
 */
export class DockerClientLoadError extends Error {
  constructor(cause: unknown) {
    super(`the Docker client failed to load (${errorText(cause)}): this is a bug in this mlci build, not a Docker problem; please report it`, { cause });
    this.name = 'DockerClientLoadError';
  }
}

/** dockerode options: none (DOCKER_HOST / default socket), or from socketPath / host; ssh:// through ssh-engine.ts. */
async function clientOptions(options: DockerRunnerOptions): Promise<Dockerode.DockerOptions | undefined> {
  if (options.socketPath) return { socketPath: options.socketPath };
  // DOCKER_HOST=ssh://... gets the same SSH login (key, host key check) as a named engine.
  const host = options.host ?? (process.env.DOCKER_HOST?.startsWith('ssh://') ? process.env.DOCKER_HOST : undefined);
  if (!host) return undefined;
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('npipe://')) return { socketPath: host.slice('npipe://'.length) };
  const url = new URL(host.includes('//') ? host : `tcp://${host}`);
  if (url.protocol === 'ssh:') {
    // Loaded with the first ssh:// engine only (ssh2 with it).
    const { SshEngineAgent, sshEngineTarget } = await import('./ssh-engine');
    const target = sshEngineTarget(host, os.userInfo().username);
    const agent = new SshEngineAgent(target, options.identityFile ? { keyFile: options.identityFile } : {});
    // Plain HTTP over the agent's channels (each one `docker system dial-stdio` on the server).
    // (dockerode hands `agent` to docker-modem; its typings do not list it.)
    return { protocol: 'http', host: target.host, port: target.port, agent } as Dockerode.DockerOptions;
  }
  const tls = url.protocol === 'https:' || process.env.DOCKER_TLS_VERIFY === '1' || url.port === '2376';
  return { protocol: tls ? 'https' : 'http', host: url.hostname, port: url.port || (tls ? 2376 : 2375) };
}

async function createContainer(
  docker: Dockerode,
  spec: StageSpec,
  log: LogSink,
  cancel: Cancel | undefined,
  shipment?: Shipment,
): Promise<Dockerode.Container> {
  const options = createOptions(spec, shipment);
  try {
    return await docker.createContainer(options);
  } catch (err) {
    if (!isNotFound(err) || !/no such image/i.test(errorText(err))) throw err;
  }
  // The image is missing: pull it (with progress) and try once more.
  try {
    await pull(docker, spec.image, log, cancel);
  } catch (err) {
    throw pullFailed(spec.image, err);
  }
  return docker.createContainer(options);
}

function pullFailed(image: string, err: unknown): Error {
  return new Error(
    `image '${image}' is not available locally and could not be pulled: ${errorText(err)}; ` +
      `build it or map it with --image ${image}=local/y`,
    { cause: err },
  );
}

export function createOptions(spec: StageSpec, shipment?: Pick<Shipment, 'mount' | 'clearOutputs'>): Dockerode.ContainerCreateOptions {
  const hostConfig: Dockerode.HostConfig = {
    // A remote engine gets the workspace volume at the same path instead of a bind of a folder it cannot see.
    ...(shipment ? {} : { Binds: [`${spec.workspace}:${spec.workspace}:rw`] }),
    NetworkMode: spec.networkName ?? spec.network,
  };
  if (spec.cpus !== undefined) hostConfig.NanoCpus = Math.round(spec.cpus * 1e9);
  if (spec.memoryBytes !== undefined) {
    hostConfig.Memory = spec.memoryBytes;
    // No swap on top: hitting the limit is a real OOM kill, not slow paging.
    hostConfig.MemorySwap = spec.memoryBytes;
  }
  if (spec.pids !== undefined) hostConfig.PidsLimit = spec.pids;
  if (spec.volumes?.length || shipment) {
    hostConfig.Mounts = [...(shipment ? [shipment.mount] : []), ...(spec.volumes ?? []).map((v) => ({ Type: 'volume' as const, Source: v.name, Target: v.target }))];
  }
  if (spec.gpus !== undefined) hostConfig.DeviceRequests = [gpuRequest(spec.gpus)];
  return {
    Image: spec.image,
    Cmd: ['sh', '-c', stageScript(shipment?.clearOutputs ? [shipment.clearOutputs, ...spec.commands] : spec.commands)],
    // Our shell is the whole command: an image ENTRYPOINT (e.g. ["python"]) would wrap it.
    Entrypoint: [],
    WorkingDir: path.join(spec.workspace, spec.workdir),
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    // This machine's uid means nothing on another host; its outputs come back owned by us anyway.
    ...(spec.user && !shipment ? { User: spec.user } : {}),
    Labels: {
      [LABEL_RUN]: spec.runId,
      [LABEL_STAGE]: spec.stage,
      [LABEL_PID]: String(process.pid),
      [LABEL_HOST]: hostId(),
      [LABEL_CLIENT]: clientLabel(pkg.version),
    },
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: false,
    OpenStdin: false,
    Tty: false,
    HostConfig: hostConfig,
  };
}

/** `docker run --gpus` as a device request: all (-1), a count, or device ids. */
export function gpuRequest(gpus: 'all' | number | string[]): Dockerode.DeviceRequest {
  const base = { Driver: '', Capabilities: [['gpu']] };
  if (gpus === 'all') return { ...base, Count: -1 };
  if (typeof gpus === 'number') return { ...base, Count: gpus };
  return { ...base, DeviceIDs: gpus };
}

export function gpuUnavailable(engineSays: string): string {
  return `resources.gpus asks for GPUs but this Docker engine has no GPU runtime (${engineSays}); ` +
    'install the NVIDIA driver and the NVIDIA Container Toolkit on the engine host (nvidia-ctk runtime configure --runtime=docker, then restart dockerd), ' +
    'or remove resources.gpus';
}

/**
 * POST /containers/{id}/wait?condition=next-exit, resolved once the engine has
 * registered the wait (it flushes the response headers then): only after that
 * is it safe to start the container. The inner promise is the exit status.
 */
export function waitNextExit(
  container: Dockerode.Container,
): Promise<{ exited: Promise<{ StatusCode?: number }>; close: () => void }> {
  return new Promise((registered, fail) => {
    container.modem.dial(
      {
        path: `/containers/${container.id}/wait?`,
        method: 'POST',
        isStream: true,
        statusCodes: { 200: true, 400: 'bad parameter', 404: 'no such container', 500: 'server error' },
        options: { condition: 'next-exit' },
      },
      (err: unknown, res: NodeJS.ReadableStream) => {
        if (err) return fail(err);
        // Wrapped in an object: resolving with a bare promise would adopt it.
        registered({
          close: () => destroyStream(res),
          exited: new Promise((resolve, reject) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('error', reject);
            res.on('close', () => reject(new Error('the wait for the container was closed')));
            res.on('end', () => {
              try {
                const parsed = JSON.parse(body) as { StatusCode?: number; Error?: { Message?: string } | null };
                if (parsed.Error?.Message) reject(new Error(`waiting for the container failed: ${parsed.Error.Message}`));
                else resolve(parsed);
              } catch {
                reject(new Error(`unexpected answer from the engine while waiting for the container: ${body.slice(0, 200)}`));
              }
            });
          }),
        });
      },
    );
  });
}

/** Demultiplexes the attach stream into the log sink; resolves when the stream ends. */
export function demux(container: Dockerode.Container, stream: NodeJS.ReadableStream, log: LogSink): Promise<void> {
  const sink = (name: 'stdout' | 'stderr'): { writable: Writable; flush: () => void } => {
    const decoder = new ChunkDecoder();
    const writable = new Writable({
      write(chunk: Buffer, _enc, callback) {
        const text = decoder.write(chunk);
        if (text) log(name, text);
        callback();
      },
    });
    return {
      writable,
      flush: () => {
        const rest = decoder.end();
        if (rest) log(name, rest);
      },
    };
  };
  const out = sink('stdout');
  const err = sink('stderr');
  container.modem.demuxStream(stream, out.writable, err.writable);
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      out.flush();
      err.flush();
      resolve();
    };
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', finish);
  });
}

export function destroyStream(stream: NodeJS.ReadableStream | undefined): void {
  const s = stream as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
  s?.destroy?.();
}

/** Connection-level failures: the engine died, closed the socket, or is gone; and our own time limits. */
export function isEngineFailure(err: unknown): boolean {
  if (err instanceof EngineLost) return true;
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && ['ECONNRESET', 'ECONNREFUSED', 'ENOENT', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE'].includes(code)) return true;
  const message = err instanceof Error ? err.message : '';
  return /socket hang up|^aborted$|wait for the container was closed/i.test(message);
}

function isRemovalInProgress(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 409 && /already in progress/.test(errorText(err));
}

/** `p`, or a rejection as soon as `signal` aborts (the call itself may go on). */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new Error('cancelled'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
