/**
 * Image builds and mlci's volumes on a Docker engine, through dockerode.
 *
 * The context goes as a tar (tar-stream) of exactly the files the core
 * listed (and hashed) after `.dockerignore`, plus the Dockerfile as the core
 * mapped it, so what is hashed is what is sent. BuildKit is used when the
 * engine says it is its builder (the `Builder-Version: 2` ping header);
 * otherwise the classic builder, as on Docker 20.10 from Debian. The tag is
 * applied by the engine only when the build succeeds: a failed build leaves
 * nothing tagged.
 */
import type Dockerode from 'dockerode';
import type * as TarStreamModule from 'tar-stream';
import { createReadStream } from 'node:fs';
import { lstat, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BuildFailure, BuildOutcome, BuildRequest, Cancel, ImageBuilder, LogSink } from '../../core/ports';
import { errorText, inspectImage, isNotFound, pull } from './docker-api';
import type { PlainEngine } from './engine-http';
import { inspectImageId } from './engine-http';

const LAST_LINES = 12;
export const LABEL_OWNED = 'mlci.owned';

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string; code?: number };
  aux?: { ID?: string };
}

type TarStream = typeof TarStreamModule;
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
    const tar = await packContext(req);
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

/** Files up to this size are read whole (one read, one tar entry write); larger ones are streamed. */
const WHOLE_READ_BYTES = 4 * 1024 * 1024;

/**
 * The build context as a tar stream: the listed files (mode and mtime from
 * an lstat, owned by root), symlinks as links, then the Dockerfile as sent.
 * Each entry waits for the stream to drain, so a large context is never
 * held in memory.
 */
async function packContext(req: BuildRequest): Promise<NodeJS.ReadableStream> {
  // A CommonJS module: under the CLI's ESM chunks its exports sit on `default`.
  const mod = (await import('tar-stream')) as TarStream & { default?: TarStream };
  const tar = (mod.pack ?? mod.default!.pack)();
  const put = (header: TarStreamModule.Headers, body?: Buffer) =>
    new Promise<void>((resolve, reject) => {
      if (body) tar.entry(header, body, (err) => (err ? reject(err) : resolve()));
      else tar.entry(header, (err) => (err ? reject(err) : resolve()));
    });
  void (async () => {
    try {
      for (const f of req.files) {
        const abs = path.join(req.contextDir, f.rel);
        const st = await lstat(abs);
        const header = { name: f.rel, mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0, uname: 'root', gname: 'root' };
        if (st.isSymbolicLink()) await put({ ...header, type: 'symlink', linkname: await readlink(abs) });
        else if (st.size <= WHOLE_READ_BYTES) await put(header, await readFile(abs));
        else {
          await new Promise<void>((resolve, reject) => {
            const entry = tar.entry({ ...header, size: st.size }, (err) => (err ? reject(err) : resolve()));
            pipeline(createReadStream(abs), entry).catch(reject);
          });
        }
      }
      await put({ name: req.dockerfile, mode: 0o644, mtime: new Date(0) }, Buffer.from(req.dockerfileText));
      tar.finalize();
    } catch (err) {
      tar.destroy(err as Error);
    }
  })();
  return tar;
}
