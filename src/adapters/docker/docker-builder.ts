/**
 * Image builds and mlci's volumes on a Docker engine, through dockerode.
 *
 * The context goes as a tar (tar-pack.ts) of exactly the files the core
 * listed (and hashed) after `.dockerignore`, plus the Dockerfile as the core
 * mapped it, so what is hashed is what is sent. BuildKit is used when the
 * engine says it is its builder (the `Builder-Version: 2` ping header);
 * otherwise the classic builder, as on Docker 20.10 from Debian. The tag is
 * applied by the engine only when the build succeeds: a failed build leaves
 * nothing tagged.
 */
import type Dockerode from 'dockerode';
import type { BuildFailure, BuildOutcome, BuildRequest, Cancel, ImageBuilder, LogSink } from '../../core/ports';
import { errorText, inspectImage, isNotFound, pull } from './docker-api';
import type { PlainEngine } from './engine-http';
import { inspectImageId } from './engine-http';
import { packTree } from './tar-pack';

const LAST_LINES = 12;
export const LABEL_OWNED = 'mlci.owned';

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string; code?: number };
  aux?: { ID?: string };
}

type FollowProgress = (stream: NodeJS.ReadableStream, onFinished: (err: Error | null) => void, onProgress: (e: BuildEvent) => void) => void;

export class DockerBuilder implements ImageBuilder {
  private builderVersion: Promise<'1' | '2'> | undefined;

  /** `plain`: the engine when it can be asked over plain HTTP, so `mlci status` need not load dockerode. */
  constructor(private readonly docker: () => Promise<Dockerode>, private readonly plain: () => PlainEngine | undefined = () => undefined) {}

  async findImage(ref: string): Promise<string | undefined> {
    const plain = this.plain();
    if (plain) return inspectImageId(plain, ref);
    return inspectImage(await this.docker(), ref);
  }

  async pullImage(ref: string, log?: LogSink, cancel?: Cancel): Promise<void> {
    await pull(await this.docker(), ref, log, cancel);
  }

  async build(req: BuildRequest, log: LogSink, cancel?: Cancel): Promise<BuildOutcome> {
    const docker = await this.docker();
    const tar = packContext(req);
    const version = await this.version(docker);
    const options: Record<string, unknown> = {
      t: req.tag,
      dockerfile: req.dockerfile,
      buildargs: req.args,
      labels: req.labels,
      rm: true,
      forcerm: true,
      ...(req.target ? { target: req.target } : {}),
      ...(req.noCache ? { nocache: true } : {}),
      ...(req.pull ? { pull: 'true' } : {}),
      ...(version === '2' ? { version: '2' } : {}),
      ...(cancel ? { abortSignal: cancel } : {}),
    };
    const lines: string[] = [];
    let step: string | undefined;
    let failure: BuildFailure | undefined;
    const onLine = (text: string) => {
      // The classic builder colours a step's stderr (ESC[91m): keep the words only.
      for (const l of text.replace(/\x1b\[[0-9;]*m/g, '').split('\n')) {
        if (!l.trim()) continue;
        lines.push(l);
        if (lines.length > 200) lines.splice(0, lines.length - 200);
        if (/^Step \d+\/\d+ : /.test(l) || /^\[[0-9a-f]{12}\] \[[^\]]*\d+\/\d+\]/.test(l)) step = l.replace(/^\[[0-9a-f]{12}\] /, '');
      }
    };
    try {
      const stream = (await docker.buildImage(tar as unknown as NodeJS.ReadableStream, options)) as NodeJS.ReadableStream;
      await new Promise<void>((resolve, reject) => {
        // dockerode's followProgress (not the modem's) also decodes BuildKit's trace messages; its typings omit it.
        (docker as unknown as { followProgress: FollowProgress }).followProgress(
          stream,
          (err: Error | null) => {
            if (cancel?.aborted) reject(new Error('the build was cancelled'));
            else if (err) reject(err);
            else resolve();
          },
          (e: BuildEvent) => {
            const msg = e.errorDetail?.message ?? e.error;
            if (msg) {
              failure ??= { message: msg.trim(), lastLines: [] };
              log('stderr', msg.endsWith('\n') ? msg : msg + '\n');
              return;
            }
            const text = e.stream ?? (e.status ? `${e.status}\n` : undefined);
            if (!text) return;
            onLine(text);
            log('stdout', text);
          },
        );
      });
    } catch (err) {
      if (cancel?.aborted) return { ok: false, failure: { message: 'the build was cancelled', lastLines: lines.slice(-LAST_LINES) } };
      failure ??= { message: errorText(err), lastLines: [] };
    }
    if (failure) {
      const m = /^Step (\d+)\/\d+ : /.exec(step ?? '');
      return { ok: false, failure: { ...failure, ...(step ? { step } : {}), ...(m ? { stepNumber: Number(m[1]) } : {}), lastLines: lines.slice(-LAST_LINES) } };
    }
    const id = await inspectImage(docker, req.tag);
    if (!id) return { ok: false, failure: { message: `the builder finished but the engine does not list ${req.tag}`, lastLines: lines.slice(-LAST_LINES) } };
    return { ok: true, imageId: id };
  }

  async ensureVolume(name: string, labels: Record<string, string>): Promise<void> {
    const docker = await this.docker();
    try {
      await docker.getVolume(name).inspect();
      return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await docker.createVolume({ Name: name, Labels: { ...labels, [LABEL_OWNED]: 'true' } });
  }

  async removeVolumes(labels: Record<string, string>, opts: { keep?: ReadonlySet<string>; dryRun?: boolean } = {}): Promise<string[]> {
    const docker = await this.docker();
    const filters = { label: [`${LABEL_OWNED}=true`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)] };
    const listed = (await docker.listVolumes({ filters })) as unknown as { Volumes?: { Name: string }[] } | undefined;
    const removed: string[] = [];
    for (const v of listed?.Volumes ?? []) {
      if (opts.keep?.has(v.Name)) continue;
      if (opts.dryRun) {
        removed.push(v.Name);
        continue;
      }
      try {
        await docker.getVolume(v.Name).remove();
        removed.push(v.Name);
      } catch (err) {
        // In use by a running stage: keep it, say so.
        if (!isNotFound(err)) throw new Error(`could not remove volume ${v.Name}: ${errorText(err)}`, { cause: err });
      }
    }
    return removed;
  }

  /** '2' when the engine offers BuildKit as its builder (ping header), else the classic builder. */
  private version(docker: Dockerode): Promise<'1' | '2'> {
    this.builderVersion ??= new Promise((resolve) => {
      docker.modem.dial(
        { path: '/_ping', method: 'GET', statusCodes: { 200: true }, isStream: true },
        (err: unknown, result: unknown) => {
          const res = result as { headers?: Record<string, string>; resume?: () => void } | null;
          res?.resume?.();
          resolve(!err && res?.headers?.['builder-version'] === '2' ? '2' : '1');
        },
      );
    });
    return this.builderVersion;
  }
}

/**
 * The build context as a tar stream (see packTree): the listed files, owned
 * by root (uid 0, names `root`) with their mode and mtime, symlinks as
 * links, then the Dockerfile as sent. The header fields are the ones
 * tar-stream wrote before, so the classic builder's cache keys (tarsum of
 * name, mode, owner, size, type, link and content) are unchanged.
 */
export function packContext(req: BuildRequest): NodeJS.ReadableStream {
  return packTree(req.contextDir, req.files, {
    owner: 'root',
    extra: [{ rel: req.dockerfile, body: Buffer.from(req.dockerfileText), mode: 0o644, mtimeMs: 0 }],
  });
}
