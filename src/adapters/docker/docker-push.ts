/**
 * Tags a local image as `registry/repo:tag` and pushes it through the engine
 * (the engine holds the layers; credentials, when given, go with the request
 * as the Docker CLI sends them: the engine keeps none); the digest comes
 * from the push stream's final `aux` event. Engine
 * errors keep the engine's words, with what to check added.
 */
import type Dockerode from 'dockerode';
import type { Cancel } from '../../core/ports';
import { errorText } from './docker-api';

interface PushEvent {
  status?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Tag?: string; Digest?: string; Size?: number };
}

export interface PushAuth { username: string; password: string }

export async function pushImage(docker: Dockerode, local: string, repository: string, tag: string, log: (text: string) => void, cancel?: Cancel, auth?: PushAuth): Promise<{ digest: string; imageId: string }> {
  const ref = `${repository}:${tag}`;
  const registryHost = repository.split('/')[0];
  const image = docker.getImage(local);
  let imageId: string;
  try {
    imageId = (await image.inspect()).Id;
  } catch (err) {
    throw new Error(`the image to deliver, ${local}, is not on the engine (${errorText(err)}): run the pipeline (mlci run) so it is built`, { cause: err });
  }
  try {
    await image.tag({ repo: repository, tag });
  } catch (err) {
    throw new Error(`cannot tag ${local} as ${ref}: ${errorText(err)}; the registry must read host[:port]/repository in lower case`, { cause: err });
  }
    const hint = `is the registry at ${registryHost} running and reachable from the Docker engine${/^(127\.|localhost)/.test(registryHost) ? '' : ' (a registry outside 127.0.0.0/8 must serve HTTPS, or be listed in the engine\'s insecure-registries)'}, and may this engine push to ${repository}?`;
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.getImage(ref).push({ tag, ...(auth ? { authconfig: { username: auth.username, password: auth.password, serveraddress: registryHost } } : {}), ...(cancel ? { abortSignal: cancel } : {}) })) as NodeJS.ReadableStream;
  } catch (err) {
    throw new Error(`pushing ${ref} failed: ${errorText(err)}; ${hint}`, { cause: err });
  }
  const digest = await new Promise<string>((resolve, reject) => {
    let failure: string | undefined;
    let found: string | undefined;
    const seen = new Map<string, string>();
    docker.modem.followProgress(stream, (err) => {
      if (cancel?.aborted) reject(new Error('the push was cancelled'));
      else if (err || failure) reject(new Error(`pushing ${ref} failed: ${failure ?? errorText(err)}; ${hint}`));
      else if (!found) reject(new Error(`pushing ${ref} ended without a digest from the registry`));
      else resolve(found);
    }, (e: PushEvent) => {
      if (e.error || e.errorDetail?.message) failure = e.errorDetail?.message ?? e.error;
      if (e.aux?.Digest) found = e.aux.Digest;
      if (e.status && seen.get(e.id ?? '') !== e.status) {
        seen.set(e.id ?? '', e.status);
        log(`${e.id ? `${e.id}: ` : ''}${e.status}\n`);
      }
    });
  });
  return { digest, imageId };
}
