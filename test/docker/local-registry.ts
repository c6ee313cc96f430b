/**
 * A minimal Docker Registry (HTTP API v2, read-only) on 127.0.0.1, so the
 * real engine can pull: this machine has no registry and no network. dockerd
 * treats 127.0.0.0/8 registries as insecure, so plain HTTP works unconfigured.
 *
 * It serves one image built from a local one (exported with the engine's own
 * `docker save`): the base image's layers (re-compressed, so the engine
 * downloads them again) plus one new small layer holding a marker file.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type Docker from 'dockerode';

export interface LocalRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  /** Image ID the engine will report for the served image (`sha256:` + config digest). */
  imageId: string;
  /** Content of /mlci-pulled.txt in the served image. */
  marker: string;
  /** Image requests (manifests, blobs) wait this long before answering (to test cancelling a pull). */
  stallMs: number;
  requests: string[];
  close(): Promise<void>;
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** Files of a tar archive (regular files only; enough for `docker save` output). */
function untar(tar: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let off = 0;
  while (off + 512 <= tar.length) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, len: number): string =>
      header.subarray(start, start + len).toString('latin1').replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = (prefix ? `${prefix}/` : '') + field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    if (type === '0' || type === '') files.set(name, tar.subarray(off + 512, off + 512 + size));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** A tar with one regular file. */
function tarOf(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const put = (s: string, start: number): void => void header.write(s, start, 'latin1');
  put(name, 0);
  put('0000644\0', 100);
  put('0000000\0', 108);
  put('0000000\0', 116);
  put(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
  put(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136);
  put('        ', 148);
  put('0', 156);
  put('ustar\0', 257);
  put('00', 263);
  let sum = 0;
  for (const b of header) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, pad, Buffer.alloc(1024)]);
}

async function streamToBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export async function startLocalRegistry(docker: Docker, baseImage: string): Promise<LocalRegistry> {
  const saved = untar(await streamToBuffer(await docker.getImage(baseImage).get()));
  const manifestJson = saved.get('manifest.json');
  if (!manifestJson) throw new Error(`docker save ${baseImage}: no manifest.json`);
  const [entry] = JSON.parse(manifestJson.toString()) as { Config: string; Layers: string[] }[];
  const baseConfig = JSON.parse((saved.get(entry.Config) ?? Buffer.from('{}')).toString()) as {
    rootfs: { type: string; diff_ids: string[] };
    history?: unknown;
    created?: string;
  };

  const marker = `pulled ${Date.now()}\n`;
  const blobs = new Map<string, Buffer>();
  const layers: { mediaType: string; size: number; digest: string }[] = [];
  const diffIds: string[] = [];
  const addLayer = (tar: Buffer): void => {
    const gz = gzipSync(tar);
    const digest = `sha256:${sha256(gz)}`;
    blobs.set(digest, gz);
    layers.push({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: gz.length, digest });
    diffIds.push(`sha256:${sha256(tar)}`);
  };
  for (const layerPath of entry.Layers) {
    const tar = saved.get(layerPath);
    if (!tar) throw new Error(`docker save ${baseImage}: no ${layerPath}`);
    addLayer(tar);
  }
  addLayer(tarOf('mlci-pulled.txt', Buffer.from(marker)));

  const config = Buffer.from(
    JSON.stringify({ ...baseConfig, history: undefined, created: new Date().toISOString(), rootfs: { type: 'layers', diff_ids: diffIds } }),
  );
  const configDigest = `sha256:${sha256(config)}`;
  blobs.set(configDigest, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
      layers,
    }),
  );
  const manifestDigest = `sha256:${sha256(manifest)}`;

  const requests: string[] = [];
  const registry: LocalRegistry = {
    host: '',
    imageId: configDigest,
    marker,
    stallMs: 0,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    requests.push(`${req.method} ${url}`);
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    const send = (status: number, type: string, body: Buffer, digest?: string): void => {
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': body.length, ...(digest ? { 'Docker-Content-Digest': digest } : {}) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (url === '/v2/' || url === '/v2') return send(200, 'application/json', Buffer.from('{}'));
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/?]+)/.exec(url);
    const blob = m?.[2] === 'blobs' ? blobs.get(m[3]) : undefined;
    const answer = (): void => {
      if (m?.[2] === 'manifests') send(200, 'application/vnd.docker.distribution.manifest.v2+json', manifest, manifestDigest);
      else if (blob && m) send(200, 'application/octet-stream', blob, m[3]);
      else send(404, 'application/json', Buffer.from(JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: `no ${url}` }] })));
    };
    if (m && registry.stallMs > 0) setTimeout(answer, registry.stallMs).unref();
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return registry;
}
