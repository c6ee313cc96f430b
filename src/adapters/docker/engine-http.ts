/**
 * The two read-only engine calls a start needs (ping, image inspect), sent
 * with node:http instead of dockerode. Loading dockerode (docker-modem, its
 * ssh and grpc transports) costs more than a whole `mlci status`; these
 * calls are plain HTTP on the engine's socket. Only for engines reached
 * over a unix socket or plain tcp: ssh:// and TLS addresses return
 * undefined from `plainEngine` and go through dockerode.
 */
import http from 'node:http';

export type PlainEngine = { socketPath: string } | { host: string; port: number };

/** The engine as node:http options, or undefined when it needs dockerode (ssh, TLS, named pipes). */
export function plainEngine(options: { socketPath?: string; host?: string }, env: NodeJS.ProcessEnv = process.env): PlainEngine | undefined {
  if (options.socketPath) return process.platform === 'win32' ? undefined : { socketPath: options.socketPath };
  const host = options.host ?? env.DOCKER_HOST;
  if (!host) return process.platform === 'win32' ? undefined : { socketPath: '/var/run/docker.sock' };
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('npipe://')) return undefined;
  let url: URL;
  try {
    url = new URL(host.includes('//') ? host : `tcp://${host}`);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:') return undefined;
  if (env.DOCKER_TLS_VERIFY === '1' || url.port === '2376') return undefined;
  return { host: url.hostname, port: Number(url.port || 2375) };
}

/** An engine answer other than 2xx, shaped like dockerode's errors (statusCode, json.message). */
export class EngineHttpError extends Error {
  constructor(readonly statusCode: number, readonly json: { message?: string } | undefined) {
    super(`(HTTP code ${statusCode}) ${json?.message ?? 'engine error'}`);
  }
}

function get(engine: PlainEngine, urlPath: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ ...engine, path: urlPath, timeout: timeoutMs, headers: { Host: 'docker' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}

function parse(body: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export async function pingEngine(engine: PlainEngine, timeoutMs: number): Promise<void> {
  const r = await get(engine, '/_ping', timeoutMs);
  if (r.status < 200 || r.status >= 300) throw new EngineHttpError(r.status, parse(r.body) ?? { message: r.body.trim() });
}

/** The image's ID, or undefined when the engine does not have it. */
export async function inspectImageId(engine: PlainEngine, image: string, timeoutMs = 30_000): Promise<string | undefined> {
  // The same path dockerode builds (the name is not escaped: `org/name:tag` is how the engine reads it).
  const r = await get(engine, `/images/${image}/json`, timeoutMs);
  if (r.status === 404) return undefined;
  const json = parse(r.body);
  if (r.status < 200 || r.status >= 300) throw new EngineHttpError(r.status, json);
  if (typeof json?.Id !== 'string') throw new EngineHttpError(r.status, { message: `image inspect of '${image}' returned no Id` });
  return json.Id;
}
