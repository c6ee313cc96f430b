/**
 * Model files pushed to a registry as an OCI artifact (the OCI 1.1 image
 * manifest with `artifactType`, as ORAS writes it): one layer per file,
 * titled with its workspace path, and a small JSON config saying where the
 * files came from. Spoken straight to the registry's HTTP API v2, since the
 * Docker engine pushes only images. Registries on 127.0.0.0/8 or localhost
 * are reached over plain HTTP (as the engine does), others over HTTPS.
 * Credentials (see credentials.ts) answer a Basic or a Bearer-token
 * challenge; they never appear in errors.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { RegistryCredentials } from './credentials';
import { maskCredentials } from './credentials';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const ARTIFACT_LAYER = 'application/vnd.mlci.file.v1';
const TITLE = 'org.opencontainers.image.title';

export interface ArtifactFile { path: string; digest: string; size: number }
export interface PushedArtifact { ref: string; digest: string; files: ArtifactFile[] }

const sha256 = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** `host[:port]/repo` split, and the base URL of its API. */
export function registryUrl(repository: string): { host: string; name: string; base: string } {
  const slash = repository.indexOf('/');
  const host = repository.slice(0, slash);
  const plain = /^(127\.|localhost(:|$)|\[::1\])/.test(host);
  return { host, name: repository.slice(slash + 1), base: `${plain ? 'http' : 'https'}://${host}` };
}

/** A registry API client for one repository: requests retried once with the credentials a 401 asks for. */
export class RegistryClient {
  private auth: string | undefined;
  readonly host: string;
  readonly name: string;
  private readonly base: string;

  constructor(readonly repository: string, private readonly creds?: RegistryCredentials, private readonly signal?: AbortSignal) {
    ({ host: this.host, name: this.name, base: this.base } = registryUrl(repository));
  }

  async request(method: string, pathOrUrl: string, init: { body?: Buffer; headers?: Record<string, string> } = {}): Promise<Response> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : new URL(pathOrUrl, this.base).toString();
    const send = () => fetch(url, {
      method,
      headers: { ...init.headers, ...(this.auth ? { authorization: this.auth } : {}) },
      ...(init.body ? { body: new Uint8Array(init.body) } : {}),
      redirect: 'follow',
      ...(this.signal ? { signal: this.signal } : {}),
    });
    let res: Response;
    try {
      res = await send();
    } catch (e) {
      throw new Error(`${method} ${this.base}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}; is the registry at ${this.host} running and reachable?`, { cause: e });
    }
    if (res.status !== 401) return res;
    const challenge = res.headers.get('www-authenticate') ?? '';
    await res.arrayBuffer().catch(() => undefined);
    if (!this.creds && !/^bearer/i.test(challenge)) throw new Error(`the registry at ${this.host} asks for credentials: set MLCI_REGISTRY_USER and MLCI_REGISTRY_PASSWORD (in CI, from its secret store), or docker login ${this.host}`);
    this.auth = await this.authorize(challenge);
    return send();
  }

  /** The Authorization header for a `WWW-Authenticate` challenge. */
  private async authorize(challenge: string): Promise<string> {
    const basic = this.creds ? `Basic ${Buffer.from(`${this.creds.username}:${this.creds.password}`).toString('base64')}` : undefined;
    if (!/^bearer/i.test(challenge)) return basic!;
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
    if (!params.realm) throw new Error(`the registry at ${this.host} asked for a token without saying where to get it`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? `repository:${this.name}:pull,push`);
    const res = await fetch(url, { headers: basic ? { authorization: basic } : {}, ...(this.signal ? { signal: this.signal } : {}) });
    if (!res.ok) throw new Error(`the registry's token service (${url.origin}) refused ${this.creds ? `the credentials from ${this.creds.source}` : 'an anonymous token'}: HTTP ${res.status}`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error(`the registry's token service (${url.origin}) answered no token`);
    return `Bearer ${token}`;
  }

  /** Throws with the registry's own error words unless `res` has one of `ok` statuses. */
  async expect(res: Response, ok: number[], what: string): Promise<void> {
    if (ok.includes(res.status)) return;
    const text = await res.text().catch(() => '');
    let detail = text.slice(0, 300);
    try {
      const errors = (JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> }).errors;
      if (errors?.length) detail = errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
    } catch { /* not JSON: the text as it is */ }
    const hint = res.status === 401 || res.status === 403 ? `: ${this.creds ? `the credentials from ${this.creds.source} may not push to ${this.repository}` : 'set MLCI_REGISTRY_USER and MLCI_REGISTRY_PASSWORD, or docker login'}` : '';
    throw new Error(maskCredentials(`${what} at ${this.host}/${this.name}: HTTP ${res.status}${detail ? ` (${detail})` : ''}${hint}`, this.creds));
  }

  async pushBlob(data: Buffer, digest: string): Promise<'exists' | 'pushed'> {
    const head = await this.request('HEAD', `/v2/${this.name}/blobs/${digest}`);
    if (head.status === 200) return 'exists';
    const start = await this.request('POST', `/v2/${this.name}/blobs/uploads/`);
    await this.expect(start, [202], 'starting an upload');
    await start.arrayBuffer().catch(() => undefined);
    const location = start.headers.get('location');
    if (!location) throw new Error(`the registry at ${this.host} started an upload without a Location`);
    const url = new URL(location, `${registryUrl(this.repository).base}/`);
    url.searchParams.set('digest', digest);
    const put = await this.request('PUT', url.toString(), { body: data, headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.length) } });
    await this.expect(put, [201, 204], `uploading blob ${digest}`);
    await put.arrayBuffer().catch(() => undefined);
    return 'pushed';
  }

  async getManifest(reference: string, accept = OCI_MANIFEST): Promise<{ digest: string; body: Buffer }> {
    const res = await this.request('GET', `/v2/${this.name}/manifests/${reference}`, { headers: { accept } });
    await this.expect(res, [200], `reading manifest ${reference}`);
    const body = Buffer.from(await res.arrayBuffer());
    return { digest: res.headers.get('docker-content-digest') ?? sha256(body), body };
  }

  async getBlob(digest: string): Promise<Buffer> {
    const res = await this.request('GET', `/v2/${this.name}/blobs/${digest}`);
    await this.expect(res, [200], `reading blob ${digest}`);
    return Buffer.from(await res.arrayBuffer());
  }
}

/**
 * Pushes `files` (workspace paths and their absolute paths) as an artifact
 * tagged `repository:tag`; returns the manifest digest. Blobs the registry
 * already has are not sent again.
 */
export async function pushArtifact(opts: {
  repository: string;
  tag: string;
  files: Array<{ path: string; abs: string }>;
  type: string;
  annotations: Record<string, string>;
  creds?: RegistryCredentials;
  log: (text: string) => void;
  signal?: AbortSignal;
}): Promise<PushedArtifact> {
  const client = new RegistryClient(opts.repository, opts.creds, opts.signal);
  const layers: Array<{ mediaType: string; digest: string; size: number; annotations: Record<string, string> }> = [];
  const files: ArtifactFile[] = [];
  for (const f of opts.files) {
    const data = await readFile(f.abs);
    const digest = sha256(data);
    const how = await client.pushBlob(data, digest);
    opts.log(`${f.path}: ${how === 'exists' ? 'already in the registry' : 'pushed'} (${digest.slice(0, 19)}, ${data.length} bytes)\n`);
    layers.push({ mediaType: ARTIFACT_LAYER, digest, size: data.length, annotations: { [TITLE]: f.path } });
    files.push({ path: f.path, digest, size: data.length });
  }
  const config = Buffer.from(JSON.stringify({ files: files.map((f) => ({ path: f.path, digest: f.digest })), ...opts.annotations }));
  const configDigest = sha256(config);
  await client.pushBlob(config, configDigest);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: opts.type,
    config: { mediaType: `${opts.type.replace(/\+json$/, '')}.config+json`, digest: configDigest, size: config.length },
    layers,
    annotations: { 'org.opencontainers.image.created': new Date().toISOString(), ...opts.annotations },
  }));
  const put = await client.request('PUT', `/v2/${client.name}/manifests/${opts.tag}`, { body: manifest, headers: { 'content-type': OCI_MANIFEST } });
  await client.expect(put, [201], `pushing the artifact manifest ${opts.tag}`);
  await put.arrayBuffer().catch(() => undefined);
  const digest = put.headers.get('docker-content-digest') ?? sha256(manifest);
  return { ref: `${opts.repository}:${opts.tag}`, digest, files };
}
