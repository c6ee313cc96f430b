/**
 * A build's inputs and its content hash, computed without building and
 * without a tar: the context folder's files that `.dockerignore` lets
 * through (hashed through the stat cache, so an unchanged context costs
 * stats only), the Dockerfile after image mapping, the build args and the
 * target. The hash names the image (`mlci/<pipeline>/<owner>:<hash>`), and
 * the per-file manifest kept under .mlci/state/builds/ lets `mlci status`
 * say which file made an image stale.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { TreeEntry, TreeFilter } from '../hash';
import { canonicalJson, sha256 } from '../run/fingerprint';
import type { BuildSpec } from '../pipeline/model';
import type { ParsedDockerfile } from './dockerfile';
import { argsWithoutValue, baseImages, mapFromImages, parseDockerfile } from './dockerfile';
import { escapeReason } from '../paths';
import { DockerIgnore } from './dockerignore';

/** Above this many bytes of context, a build warns and names the largest paths (Docker sends it all). */
export const CONTEXT_WARN_BYTES = 2 * 1024 ** 3;

export interface ContextLister {
  /** Sorted by `rel` (UTF-16 code units), as FileHasher.listFiles gives them. */
  listFiles(root: string, filter?: TreeFilter): Promise<TreeEntry[]>;
}

export interface BuildInputs {
  spec: BuildSpec;
  /** Absolute context folder. */
  contextDir: string;
  /** Dockerfile path relative to the context, `/`-separated. */
  dockerfile: string;
  /** The Dockerfile as sent: FROM images mapped. */
  dockerfileText: string;
  parsed: ParsedDockerfile;
  /** Files sent (without the Dockerfile, which is sent as `dockerfileText`). */
  files: TreeEntry[];
  bytes: number;
  hash: string;
  tag: string;
  /** External base images (after mapping), with their FROM line. */
  bases: { image: string; line: number }[];
  /** Set when the context is larger than CONTEXT_WARN_BYTES. */
  warning?: string;
}

/** A build that cannot start; `field` says which part of `build:` to point at, `dockerfileLine` the Dockerfile line. */
export class BuildInputError extends Error {
  constructor(message: string, readonly field: 'context' | 'dockerfile' | 'args' | 'build', readonly dockerfileLine?: number, readonly dockerfilePath?: string) {
    super(message);
  }
}

/** A Docker repository component: lowercase [a-z0-9] separated by . _ -. */
function component(s: string): string {
  const c = s.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+|[._-]+$/g, '').replace(/[._-]{2,}/g, '-');
  return c || 'x';
}

export function imageTag(pipelineName: string, owner: string, hash: string): string {
  return `mlci/${component(pipelineName)}/${component(owner)}:${hash.slice(0, 16)}`;
}

/**
 * Where the context and Dockerfile are, checked: both inside the pipeline
 * folder, the context a folder, the Dockerfile a file inside the context.
 */
export function locateBuild(root: string, spec: BuildSpec): { contextDir: string; dockerfileAbs: string; dockerfile: string } {
  const ctxWhy = escapeReason(spec.context);
  if (ctxWhy) throw new BuildInputError(`build context '${spec.context}' is not allowed: ${ctxWhy}`, 'context');
  const contextDir = path.resolve(root, spec.context);
  let isDir = false;
  try {
    isDir = statSync(contextDir).isDirectory();
  } catch {
    throw new BuildInputError(`build context '${spec.context}' does not exist (looked for ${contextDir})`, 'context');
  }
  if (!isDir) throw new BuildInputError(`build context '${spec.context}' is not a folder`, 'context');
  const dockerfileAbs = path.resolve(contextDir, spec.dockerfile);
  const rel = path.relative(contextDir, dockerfileAbs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new BuildInputError(`Dockerfile '${spec.dockerfile}' is outside the build context '${spec.context}': the builder only sees the context; move it inside or widen the context`, 'dockerfile');
  }
  try {
    if (!statSync(dockerfileAbs).isFile()) throw new Error('not a file');
  } catch {
    throw new BuildInputError(`Dockerfile '${spec.dockerfile}' not found in the build context '${spec.context}' (looked for ${dockerfileAbs})`, 'dockerfile');
  }
  return { contextDir, dockerfileAbs, dockerfile: rel.split(path.sep).join('/') };
}

/** Reads the Dockerfile and checks it; the problems a build would hit first. */
export function readDockerfile(dockerfileAbs: string, spec: BuildSpec, shownPath: string): { text: string; parsed: ParsedDockerfile } {
  const text = readFileSync(dockerfileAbs, 'utf8');
  const parsed = parseDockerfile(text);
  const first = parsed.problems[0];
  if (first) throw new BuildInputError(`${shownPath}:${first.line}: ${first.message}`, 'dockerfile', first.line, shownPath);
  const missing = argsWithoutValue(parsed, spec.args)[0];
  if (missing) {
    throw new BuildInputError(`${shownPath}:${missing.line}: ARG ${missing.name} has no default and build.args gives it no value`, 'args', missing.line, shownPath);
  }
  return { text, parsed };
}

export interface ResolveBuildOptions {
  root: string;
  pipelineName: string;
  spec: BuildSpec;
  imageMap: ReadonlyMap<string, string>;
  lister: ContextLister;
}

export async function resolveBuild(opts: ResolveBuildOptions): Promise<BuildInputs> {
  const { spec } = opts;
  const { contextDir, dockerfileAbs, dockerfile } = locateBuild(opts.root, spec);
  const shown = path.relative(opts.root, dockerfileAbs).split(path.sep).join('/');
  const { text, parsed } = readDockerfile(dockerfileAbs, spec, shown);
  const dockerfileText = mapFromImages(text, parsed, opts.imageMap);
  // The Dockerfile and .dockerignore always reach the builder; the Dockerfile goes as its mapped text.
  const filter = readIgnore(contextDir).filter({ always: new Set(['.dockerignore']), never: new Set([dockerfile]) });
  const files = await opts.lister.listFiles(contextDir, filter);
  let bytes = 0;
  for (const f of files) bytes += f.size;
  const hash = manifestHash(files, { dockerfile: sha256(dockerfileText), dockerfilePath: dockerfile, args: spec.args, target: spec.target ?? null });
  const out: BuildInputs = {
    spec, contextDir, dockerfile, dockerfileText, parsed, files, bytes, hash,
    tag: imageTag(opts.pipelineName, spec.owner, hash),
    bases: baseImages(parseDockerfile(dockerfileText), spec.args),
  };
  if (bytes > CONTEXT_WARN_BYTES) out.warning = contextWarning(spec.context, bytes, files);
  return out;
}

function readIgnore(contextDir: string): DockerIgnore {
  let text = '';
  try {
    text = readFileSync(path.join(contextDir, '.dockerignore'), 'utf8');
  } catch {
    // no .dockerignore: every file is sent
  }
  return new DockerIgnore(text);
}

/**
 * sha256(canonicalJson(manifest)) for the manifest `manifestOf` gives,
 * written out directly: canonicalJson of a 10,000-key `files` object
 * (Object.fromEntries, then every key sorted again) was a tenth of a warm
 * check. Same text, so the same hash and image tag: keys in canonicalJson's
 * order (args, dockerfile, dockerfilePath, files, target), files in the
 * listing's order, which is the sorted order canonicalJson would give.
 */
export function manifestHash(files: readonly TreeEntry[], rest: Omit<BuildManifest, 'files'>): string {
  const sorted = files.every((f, i) => i === 0 || files[i - 1].rel < f.rel) ? files : [...files].sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  const digest = createHash('sha256');
  let text = `{"args":${canonicalJson(rest.args)},"dockerfile":${JSON.stringify(rest.dockerfile)},"dockerfilePath":${canonicalJson(rest.dockerfilePath)},"files":{`;
  for (let i = 0; i < sorted.length; i++) {
    const { rel, hash } = sorted[i];
    text += (i ? ',' : '') + jsonString(rel) + ':' + jsonString(hash);
    // Fed in pieces: one flat 1 MB string costs more to build than to hash.
    if (text.length >= 65_536) {
      digest.update(text);
      text = '';
    }
  }
  digest.update(`${text}},"target":${canonicalJson(rest.target)}}`);
  return digest.digest('hex');
}

/** No character JSON.stringify escapes (quote, backslash, controls) or may (surrogates, escaped when unpaired). */
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** JSON.stringify of a string, without the call for the common plain one. */
function jsonString(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

/** The largest top-level paths of a big context, for the warning. */
function contextWarning(context: string, bytes: number, files: TreeEntry[]): string {
  const byTop = new Map<string, number>();
  for (const f of files) {
    const top = f.rel.includes('/') ? f.rel.slice(0, f.rel.indexOf('/') + 1) : f.rel;
    byTop.set(top, (byTop.get(top) ?? 0) + f.size);
  }
  const largest = [...byTop].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([p, n]) => `${p} (${gib(n)})`);
  return `build context '${context}' is ${gib(bytes)}, all sent to the builder on every build; largest: ${largest.join(', ')}. List what the image does not need in ${context.replace(/\/?$/, '/')}.dockerignore`;
}

function gib(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GB` : `${(n / 1024 ** 2).toFixed(1)} MB`;
}

/** What a person reads when an image must be rebuilt: which files, the Dockerfile, which args. */
export interface BuildManifest {
  files: Record<string, string>;
  dockerfile: string;
  dockerfilePath?: string;
  args: Record<string, string>;
  target: string | null;
}

export function manifestOf(b: BuildInputs): BuildManifest {
  return { files: Object.fromEntries(b.files.map((f) => [f.rel, f.hash])), dockerfile: sha256(b.dockerfileText), dockerfilePath: b.dockerfile, args: b.spec.args, target: b.spec.target ?? null };
}

/** "requirements.txt changed", "Dockerfile changed", "build arg X changed", at most a few named. */
export function describeChange(before: BuildManifest | undefined, after: BuildManifest): string {
  if (!before) return 'build context changed';
  const parts: string[] = [];
  if (before.dockerfile !== after.dockerfile) parts.push(`${after.dockerfilePath ?? 'Dockerfile'} changed`);
  const keys = new Set([...Object.keys(before.files), ...Object.keys(after.files)]);
  const changed: string[] = [];
  for (const k of [...keys].sort()) {
    const a = before.files[k];
    const b = after.files[k];
    if (a === b) continue;
    changed.push(a === undefined ? `${k} added` : b === undefined ? `${k} removed` : `${k} changed`);
  }
  parts.push(...changed.slice(0, 3));
  if (changed.length > 3) parts.push(`${changed.length - 3} more files changed`);
  for (const k of [...new Set([...Object.keys(before.args), ...Object.keys(after.args)])].sort()) {
    if (before.args[k] !== after.args[k]) parts.push(`build arg ${k} changed`);
  }
  if (before.target !== after.target) parts.push('build target changed');
  return parts.length ? parts.join(', ') : 'build context changed';
}
