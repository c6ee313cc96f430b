/**
 * The Docker engine's own record of what happened (GET /events over the unix
 * socket DOCKER_HOST names): tests use it to prove a stage ran in a container
 * (or that nothing was created or pulled), independently of what mlci says.
 * Plain node:http, so it loads in the extension host and under tsx alike.
 */
import http from 'node:http';

export interface EngineEvent {
  readonly Type?: string;
  readonly Action: string;
  readonly Actor: { readonly ID?: string; readonly Attributes: Record<string, string> };
  readonly time?: number;
  readonly timeNano?: number;
}

/**
 * Events between two Unix times in seconds, filtered as the engine API filters
 * them. The times may carry a fraction (`Date.now() / 1000`): a test that
 * starts right after another must not count the containers its predecessor
 * created in the same second, so whole seconds with a second of slack are too
 * coarse. Events before `since` are also dropped here by their timeNano, in
 * case an engine rounds the query down.
 */
export function engineEvents(since: number, until: number, filters: Record<string, string[]>, dockerHost = process.env.DOCKER_HOST ?? ''): Promise<EngineEvent[]> {
  if (!dockerHost.startsWith('unix://')) return Promise.reject(new Error(`DOCKER_HOST must name a unix socket for the engine's events, not '${dockerHost}'`));
  const q = new URLSearchParams({ since: since.toFixed(3), until: until.toFixed(3), filters: JSON.stringify(filters) });
  const sinceNano = Math.floor(since * 1000) * 1_000_000;
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath: dockerHost.slice('unix://'.length), path: `/events?${q}`, headers: { Host: 'docker' }, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        try {
          const events = body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as EngineEvent);
          resolve(events.filter((e) => e.timeNano === undefined || e.timeNano >= sinceNano));
        } catch (e) {
          reject(new Error(`the engine's /events answer is not JSON lines (HTTP ${res.statusCode}): ${(e as Error).message}`));
        }
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('the engine did not answer /events within 30 s')));
  });
}
