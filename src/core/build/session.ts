/**
 * The images of one run (or one `mlci build`, or one `mlci status`): each
 * `build:` owner (defaults, or a stage with its own) is resolved once and
 * built at most once, however many stages share it, before the first of
 * them starts. An image whose content-hash tag is already on the engine is
 * reused without sending anything. A failed build is remembered, so every
 * stage that needs it fails with the same step and lines.
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { BuildSpec } from '../pipeline/model';
import type { Cancel, ImageBuilder, LogSink } from '../ports';
import { writeJsonAtomic } from '../run/atomic';
import type { BuildInputs, BuildManifest, ContextLister } from './context';
import { BuildInputError, describeChange, manifestOf, resolveBuild } from './context';
import { lineOfStep } from './dockerfile';

export interface BuildEnv {
  root: string;
  pipelineName: string;
  imageMap: ReadonlyMap<string, string>;
  builder: ImageBuilder;
  lister: ContextLister;
  noCache?: boolean;
  pull?: boolean;
  signal?: Cancel;
  /** Progress and output of builds, by owner. */
  onStart?: (owner: string, tag: string) => void;
  onLog?: (owner: string, stream: 'stdout' | 'stderr', text: string) => void;
  onEnd?: (owner: string, result: BuiltImage | BuildFailedError) => void;
}

export interface BuiltImage {
  owner: string;
  tag: string;
  hash: string;
  imageId: string;
  reused: boolean;
  durationMs: number;
  warning?: string;
}

/** A build that could not start or failed; says where to look (the `build:` field, the Dockerfile line). */
export class BuildFailedError extends Error {
  constructor(
    message: string,
    readonly owner: string,
    readonly field: 'context' | 'dockerfile' | 'args' | 'build',
    readonly dockerfileLine?: number,
    readonly dockerfilePath?: string,
    readonly step?: string,
    readonly lastLines: string[] = [],
  ) {
    super(message);
  }
}

export function manifestFile(root: string, hash: string): string {
  return path.join(root, '.mlci', 'state', 'builds', `${hash}.json`);
}

export function readManifest(root: string, hash: string | undefined): BuildManifest | undefined {
  if (!hash || !/^[0-9a-f]{64}$/.test(hash)) return undefined;
  try {
    return JSON.parse(readFileSync(manifestFile(root, hash), 'utf8')) as BuildManifest;
  } catch {
    return undefined;
  }
}

export class BuildSession {
  private readonly inputs = new Map<string, Promise<BuildInputs>>();
  private readonly built = new Map<string, Promise<BuiltImage>>();

  constructor(private readonly env: BuildEnv) {}

  /** The build's inputs and tag (hashing the context through the stat cache; no tar, no engine call). */
  resolve(spec: BuildSpec): Promise<BuildInputs> {
    let p = this.inputs.get(spec.owner);
    if (!p) {
      p = resolveBuild({ root: this.env.root, pipelineName: this.env.pipelineName, spec, imageMap: this.env.imageMap, lister: this.env.lister }).catch((e: unknown) => {
        if (e instanceof BuildInputError) throw new BuildFailedError(e.message, spec.owner, e.field, e.dockerfileLine, e.dockerfilePath);
        throw e;
      });
      this.inputs.set(spec.owner, p);
    }
    return p;
  }

  /** What `mlci status` needs: the tag, its hash, and the image ID if that tag is on the engine (never builds). */
  async peek(spec: BuildSpec): Promise<{ inputs: BuildInputs; imageId?: string }> {
    const inputs = await this.resolve(spec);
    const imageId = await this.env.builder.findImage(inputs.tag);
    return { inputs, ...(imageId ? { imageId } : {}) };
  }

  /** The image, built once per session; reused when its tag exists (unless --no-cache/--pull). */
  ensure(spec: BuildSpec): Promise<BuiltImage> {
    let p = this.built.get(spec.owner);
    if (!p) {
      p = this.buildOnce(spec);
      this.built.set(spec.owner, p);
    }
    return p;
  }

  /** "image rebuilt: requirements.txt changed", comparing with the manifest of the hash the lock recorded. */
  changeSince(root: string, previousHash: string | undefined, inputs: BuildInputs): string {
    return `image rebuilt: ${describeChange(readManifest(root, previousHash), manifestOf(inputs))}`;
  }

  private async buildOnce(spec: BuildSpec): Promise<BuiltImage> {
    const t0 = Date.now();
    const { env } = this;
    const log: LogSink = (stream, text) => env.onLog?.(spec.owner, stream, text);
    let inputs: BuildInputs | undefined;
    try {
      inputs = await this.resolve(spec);
      env.onStart?.(spec.owner, inputs.tag);
      if (inputs.warning) log('stderr', `warning: ${inputs.warning}\n`);
      const fresh = env.noCache || env.pull;
      const existing = fresh ? undefined : await env.builder.findImage(inputs.tag);
      if (existing) {
        // The manifest (for "requirements.txt changed") may be missing when the tag was built elsewhere.
        if (!readManifest(env.root, inputs.hash)) await this.saveManifest(inputs).catch(() => undefined);
        log('stdout', `image ${inputs.tag} is up to date (content hash unchanged): reused\n`);
        const done: BuiltImage = { owner: spec.owner, tag: inputs.tag, hash: inputs.hash, imageId: existing, reused: true, durationMs: Date.now() - t0, ...(inputs.warning ? { warning: inputs.warning } : {}) };
        env.onEnd?.(spec.owner, done);
        return done;
      }
      await this.checkBases(inputs, log);
      log('stdout', `building ${inputs.tag} from ${spec.context} (${inputs.files.length + 1} files, ${(inputs.bytes / 1024).toFixed(0)} KiB)\n`);
      const outcome = await env.builder.build({
        tag: inputs.tag,
        contextDir: inputs.contextDir,
        files: inputs.files,
        dockerfile: inputs.dockerfile,
        dockerfileText: inputs.dockerfileText,
        args: spec.args,
        ...(spec.target ? { target: spec.target } : {}),
        ...(env.noCache ? { noCache: true } : {}),
        ...(env.pull ? { pull: true } : {}),
        labels: { 'mlci.pipeline': env.pipelineName, 'mlci.build': spec.owner, 'mlci.hash': inputs.hash },
      }, log, env.signal);
      if (!outcome.ok) {
        const f = outcome.failure;
        const line = f.stepNumber !== undefined ? lineOfStep(inputs.parsed, f.stepNumber) : undefined;
        const shown = path.relative(env.root, path.join(inputs.contextDir, inputs.dockerfile)).split(path.sep).join('/');
        const at = line !== undefined ? ` (${shown}:${line})` : '';
        throw new BuildFailedError(`image build failed${f.step ? ` at ${f.step}` : ''}${at}: ${f.message}`, spec.owner, 'build', line, shown, f.step, f.lastLines);
      }
      // Only a finished build records its manifest: nothing half-built counts as done.
      await this.saveManifest(inputs);
      const done: BuiltImage = { owner: spec.owner, tag: inputs.tag, hash: inputs.hash, imageId: outcome.imageId, reused: false, durationMs: Date.now() - t0, ...(inputs.warning ? { warning: inputs.warning } : {}) };
      env.onEnd?.(spec.owner, done);
      return done;
    } catch (e) {
      const err = e instanceof BuildFailedError ? e : new BuildFailedError((e as Error).message, spec.owner, 'build');
      log('stderr', `mlci: ${err.message}\n`);
      env.onEnd?.(spec.owner, err);
      throw err;
    }
  }

  private async saveManifest(inputs: BuildInputs): Promise<void> {
    await mkdir(path.dirname(manifestFile(this.env.root, inputs.hash)), { recursive: true });
    await writeJsonAtomic(manifestFile(this.env.root, inputs.hash), manifestOf(inputs));
  }

  /**
   * Base images must be on the engine or pullable. An offline engine
   * cannot pull: say to map the base to a local image, which the mapping
   * then applies to the FROM line.
   */
  private async checkBases(inputs: BuildInputs, log: LogSink): Promise<void> {
    const shown = path.relative(this.env.root, path.join(inputs.contextDir, inputs.dockerfile)).split(path.sep).join('/');
    for (const base of inputs.bases) {
      if (!base.image || /\$/.test(base.image)) continue;
      if (!this.env.pull && (await this.env.builder.findImage(base.image))) continue;
      try {
        log('stdout', `pulling base image ${base.image}\n`);
        await this.env.builder.pullImage(base.image, log, this.env.signal);
      } catch (e) {
        const original = [...this.env.imageMap].find(([, to]) => to === base.image)?.[0];
        const mapped = original ? ` (mapped from ${original})` : '';
        throw new BuildFailedError(
          `base image ${base.image}${mapped} of ${shown}:${base.line} is not on the engine and could not be pulled (${(e as Error).message}); ` +
            `on an offline engine map it to a local image: --image ${original ?? base.image}=LOCAL_IMAGE (or the mlci.imageMappings setting); the mapping applies to FROM lines too`,
          inputs.spec.owner, 'dockerfile', base.line, shown,
        );
      }
    }
  }
}
