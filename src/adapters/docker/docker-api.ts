/**
 * Small dockerode helpers shared by the runner and the builder: image
 * lookup, pulls with progress, and the engine's error text.
 */
import type Dockerode from 'dockerode';
import type { Cancel, LogSink } from '../../core/ports';

export async function inspectImage(docker: Dockerode, image: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(image).inspect()).Id;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

interface PullEvent {
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Pulls an image, logging one line per layer status change (not every progress tick). */
export async function pull(docker: Dockerode, image: string, log: LogSink | undefined, cancel?: Cancel): Promise<void> {
  const stream = (await docker.pull(image, cancel ? { abortSignal: cancel } : {})) as NodeJS.ReadableStream;
  const lastStatus = new Map<string, string>();
  await new Promise<void>((resolve, reject) => {
    let failure: string | undefined;
    docker.modem.followProgress(
      stream,
      (err) => {
        // An abort can end the stream like a normal end: do not take it for success.
        if (cancel?.aborted) reject(new Error('the pull was cancelled'));
        else if (err) reject(err);
        else if (failure) reject(new Error(failure));
        else resolve();
      },
      (event: PullEvent) => {
        if (event.error || event.errorDetail?.message) {
          failure = event.errorDetail?.message ?? event.error;
          return;
        }
        if (!event.status) return;
        const key = event.id ?? '';
        if (lastStatus.get(key) === event.status) return;
        lastStatus.set(key, event.status);
        log?.('stderr', `${event.id ? `${event.id}: ` : ''}${event.status}\n`);
      },
    );
  });
}

export function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { statusCode?: number }).statusCode === 404;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const json = (err as { json?: { message?: string } }).json;
    const code = (err as { code?: string }).code;
    // dockerode says "(HTTP code 500) server error - <engine's message>": keep the engine's words.
    const message = (json?.message ?? err.message).replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
    return code && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return String(err);
}
