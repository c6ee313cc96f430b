/**
 * The services of one run. A `kind: service` stage is prepared in DAG order
 * (its image built or resolved, its fingerprint taken) but started only when
 * a stage that needs it is about to run: a run whose probe stages are all
 * up to date starts nothing. Started services share the run's private
 * network with the stages that need them, and are stopped and removed when
 * the run ends, whatever the way it ends (the engine calls teardown from a
 * finally; a killed mlci's leftovers go with the next run's stray cleanup).
 */
import type { Stage } from '../pipeline/model';
import type { Cancel, ContainerRunner, LogSink, ServiceHandle } from '../ports';
import type { StageInputs } from './fingerprint';
import type { StageRecord } from './record';
import { parseSize } from './units';

/** What the engine shows of a service while the run goes on. */
export type ServiceEvent = { type: 'service'; stage: string; state: 'starting' | 'healthy' | 'failed' | 'stopped'; url?: string; hostUrl?: string; message?: string };

export interface ServiceHooks {
  runId: string;
  root: string;
  user?: string;
  signal: Cancel;
  record: (name: string) => StageRecord;
  /** A log for the service (its stage log, streamed as stage-log events). */
  openLog: (name: string) => { sink: LogSink; close: () => Promise<void> };
  stageStarted: (rec: StageRecord, reason: string) => void;
  stageEnded: (rec: StageRecord) => Promise<void>;
  event: (e: ServiceEvent) => void;
  env: (stage: Stage) => Record<string, string>;
}

interface Prepared {
  stage: Stage;
  inputs: StageInputs;
  started?: Promise<ServiceHandle>;
  handle?: ServiceHandle;
  log?: { sink: LogSink; close: () => Promise<void> };
  startedAt?: number;
}

/** The env name a stage reads a service's address from: MLCI_SERVICE_<NAME>_URL. */
export function serviceUrlEnv(name: string): string {
  return `MLCI_SERVICE_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

export class ServiceStartError extends Error {}

export class RunServices {
  private readonly prepared = new Map<string, Prepared>();
  private network: Promise<string> | undefined;
  private networkName: string | undefined;

  constructor(private readonly runner: ContainerRunner, private readonly hooks: ServiceHooks) {}

  /** Called when the service stage's turn comes in the DAG: ready to start, not started. */
  prepare(stage: Stage, inputs: StageInputs): void {
    this.prepared.set(stage.name, { stage, inputs });
  }

  /** The inputs (image) of a prepared service. */
  inputsOf(name: string): StageInputs | undefined {
    return this.prepared.get(name)?.inputs;
  }

  /** Services `stage` needs (prepared ones: a service stage that failed to prepare is a failed need). */
  needed(stage: Stage): string[] {
    return stage.needs.filter((n) => this.prepared.has(n));
  }

  /**
   * Starts the services `stage` needs (once each) and waits for them to be
   * healthy: their addresses inside the network and on the host, and the
   * network to join. Throws a ServiceStartError naming the service.
   */
  async ensure(stage: Stage): Promise<{ network?: string; env: Record<string, string>; hostUrls: Map<string, string> }> {
    const names = this.needed(stage);
    const env: Record<string, string> = {};
    const hostUrls = new Map<string, string>();
    if (!names.length) return { env, hostUrls };
    for (const name of names) {
      const handle = await this.start(name, stage.name);
      env[serviceUrlEnv(name)] = handle.url;
      hostUrls.set(name, handle.hostUrl);
    }
    return { network: this.networkName, env, hostUrls };
  }

  private start(name: string, forStage: string): Promise<ServiceHandle> {
    const p = this.prepared.get(name)!;
    p.started ??= this.launch(p, forStage);
    return p.started;
  }

  private async launch(p: Prepared, forStage: string): Promise<ServiceHandle> {
    const { stage } = p;
    const host = this.runner.services;
    const rec = this.hooks.record(stage.name);
    const fail = async (message: string, lastLines: string[] = []): Promise<never> => {
      rec.status = this.hooks.signal.aborted ? 'cancelled' : 'failed';
      rec.reason = message + (lastLines.length ? `\n${lastLines.map((l) => `  | ${l}`).join('\n')}` : '');
      if (p.startedAt) rec.durationMs = Date.now() - p.startedAt;
      await p.log?.close();
      this.hooks.event({ type: 'service', stage: stage.name, state: 'failed', message });
      await this.hooks.stageEnded(rec);
      throw new ServiceStartError(`service ${stage.name} ${message}${lastLines.length ? `; its last lines:\n${lastLines.map((l) => `  | ${l}`).join('\n')}` : ''}`);
    };
    p.startedAt = Date.now();
    rec.startedAt = new Date(p.startedAt).toISOString();
    rec.status = 'running';
    rec.cached = false;
    rec.log = `logs/${stage.name}.log`;
    this.hooks.stageStarted(rec, `started for ${forStage}`);
    this.hooks.event({ type: 'service', stage: stage.name, state: 'starting' });
    if (!host || !stage.service) {
      return fail(!host ? `could not start: service stages need the Docker executor (the ${this.runner.name} executor runs no services)` : 'has no port');
    }
    p.log = this.hooks.openLog(stage.name);
    try {
      this.network ??= host.createNetwork(this.hooks.runId);
      this.networkName = await this.network;
    } catch (e) {
      return fail(`could not create the run's network: ${(e as Error).message}`);
    }
    const memory = stage.resources.memory !== undefined ? parseSize(stage.resources.memory) : undefined;
    const result = await host.start({
      runId: this.hooks.runId,
      stage: stage.name,
      image: p.inputs.image ?? 'local',
      commands: stage.run,
      workspace: this.hooks.root,
      workdir: stage.workdir,
      env: this.hooks.env(stage),
      networkName: this.networkName,
      port: stage.service.port,
      ...(stage.service.hostPort !== undefined ? { hostPort: stage.service.hostPort } : {}),
      health: { ...stage.service.health },
      ...(stage.resources.cpus !== undefined ? { cpus: stage.resources.cpus } : {}),
      ...(memory !== undefined ? { memoryBytes: memory } : {}),
      ...(stage.resources.pids !== undefined ? { pids: stage.resources.pids } : {}),
      ...(this.hooks.user ? { user: this.hooks.user } : {}),
    }, p.log.sink, this.hooks.signal);
    if (!result.ok) return fail(result.failure.message, result.failure.lastLines);
    p.handle = result.handle;
    rec.status = 'passed';
    rec.durationMs = Date.now() - p.startedAt;
    rec.reason = `healthy at ${result.handle.url} (host ${result.handle.hostUrl}) after ${(rec.durationMs / 1000).toFixed(1)}s`;
    rec.service = { url: result.handle.url, hostUrl: result.handle.hostUrl };
    this.hooks.event({ type: 'service', stage: stage.name, state: 'healthy', url: result.handle.url, hostUrl: result.handle.hostUrl });
    await this.hooks.stageEnded(rec);
    return result.handle;
  }

  /** After a stage that needed services: a service that exited meanwhile is named (and failed). */
  async afterStage(stage: Stage, failed: boolean): Promise<string | undefined> {
    const notes: string[] = [];
    // A connection the service broke by dying reaches the stage before the engine's exit report: give it a moment.
    const running = this.needed(stage).map((n) => this.prepared.get(n)!).filter((p) => p.handle && !p.handle.exited());
    for (let waited = 0; failed && running.length && waited < 2000 && running.every((p) => !p.handle!.exited()); waited += 100) await new Promise((r) => setTimeout(r, 100));
    for (const name of this.needed(stage)) {
      const p = this.prepared.get(name)!;
      const exit = p.handle?.exited();
      if (!exit || !p.handle) continue;
      const lines = p.handle.lastLines(10);
      const rec = this.hooks.record(name);
      if (rec.status !== 'failed') {
        rec.status = 'failed';
        rec.reason = `exited with code ${exit.exitCode} while ${stage.name} was using it${lines.length ? `\n${lines.map((l) => `  | ${l}`).join('\n')}` : ''}`;
        this.hooks.event({ type: 'service', stage: name, state: 'failed', message: rec.reason });
        await this.hooks.stageEnded(rec);
      }
      notes.push(`service ${name} exited with code ${exit.exitCode} during the stage${lines.length ? `; its last lines:\n${lines.map((l) => `  | ${l}`).join('\n')}` : ''}`);
    }
    return notes.length ? notes.join('\n') : undefined;
  }

  /**
   * Stops and removes every started service and the network; services never
   * started get their final words. Errors are collected, never thrown: the
   * run's result stands, and the next run's stray cleanup is the backstop.
   */
  async teardown(): Promise<string[]> {
    const problems: string[] = [];
    for (const [name, p] of this.prepared) {
      const rec = this.hooks.record(name);
      if (!p.started) {
        if (rec.status === 'cached') {
          rec.reason = 'not started: no stage that needs it ran';
          await this.hooks.stageEnded(rec);
        }
        continue;
      }
      await p.started.catch(() => undefined);
      if (p.handle) {
        await p.handle.stop().catch((e: Error) => problems.push(`could not remove service ${name}: ${e.message}`));
        this.hooks.event({ type: 'service', stage: name, state: 'stopped' });
        await p.log?.close();
        // Gone: its addresses no longer answer (the editor's tree stops offering them).
        if (rec.service) {
          delete rec.service;
          rec.reason = `${rec.reason ?? ''}; removed at the end of the run`;
          await this.hooks.stageEnded(rec);
        }
      }
    }
    if (this.network) {
      const name = await this.network.catch(() => undefined);
      if (name) await this.runner.services?.removeNetwork(name).catch((e: Error) => problems.push(`could not remove network ${name}: ${e.message}`));
    }
    return problems;
  }
}
