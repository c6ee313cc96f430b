/**
 * Whether a deliver stage is up to date for `mlci status`: the newest
 * recorded delivery of the stage pushed the image the service would use now
 * (same image ID, so the registry holds the same digest) to the same
 * registry, and, with `artifact:`, the same model files (same sha256). A
 * delivery is no lock entry (mlci.lock is committed before delivering), so
 * this reads the run records.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Stage } from '../pipeline/model';
import { artifactFiles } from './artifact-files';
import type { DeliveryRecord, RunRecord } from './record';

export interface LastDelivery { runId: string; delivery: DeliveryRecord }

/** The newest passed delivery of stage `name` among `runs`. */
export function lastDelivery(runs: readonly RunRecord[], name: string): LastDelivery | undefined {
  const sorted = [...runs].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  for (const r of sorted) {
    const s = r.stages.find((x) => x.name === name && x.status === 'passed' && x.delivery);
    if (s) return { runId: r.id, delivery: s.delivery! };
  }
  return undefined;
}

/** Why `stage` would deliver something new; [] when the last delivery holds what it would push. */
export async function deliveryReasons(stage: Stage, root: string, serviceImageId: string | undefined, last: LastDelivery | undefined): Promise<string[]> {
  const spec = stage.deliver;
  if (!spec) return [];
  if (!last) return ['never delivered (mlci deliver)'];
  const d = last.delivery;
  const reasons: string[] = [];
  if (d.registry !== spec.registry) reasons.push(`registry changed: run ${last.runId} delivered to ${d.registry}`);
  if (!serviceImageId) reasons.push(`the image of service ${spec.service} is not on the engine: run the pipeline so it is built`);
  else if (d.imageId && d.imageId !== serviceImageId) reasons.push(`the image of service ${spec.service} changed since run ${last.runId} delivered ${d.image}@${short(d.digest)}`);
  if (spec.artifact) {
    if (!d.artifact) reasons.push('model files (artifact:) never delivered');
    else {
      let files: Array<{ path: string; abs: string }> = [];
      try {
        files = await artifactFiles(root, spec.artifact.files);
      } catch (e) {
        reasons.push((e as Error).message);
      }
      const was = new Map(d.artifact.files.map((f) => [f.path, f.digest]));
      const changed: string[] = [];
      for (const f of files) {
        const digest = `sha256:${createHash('sha256').update(await readFile(f.abs)).digest('hex')}`;
        if (was.get(f.path) !== digest) changed.push(f.path);
      }
      const gone = [...was.keys()].filter((p) => !files.some((f) => f.path === p));
      if (changed.length || (files.length && gone.length)) reasons.push(`model file${changed.length + gone.length === 1 ? '' : 's'} ${[...changed, ...gone].slice(0, 3).join(', ')} changed since run ${last.runId} delivered ${d.artifact.ref}`);
    }
  }
  return reasons;
}

/** What an up-to-date deliver stage shows: where its delivery is. */
export function deliveredNote(last: LastDelivery): string {
  const d = last.delivery;
  return `delivered ${d.image}@${short(d.digest)} (run ${last.runId})${d.artifact ? `, model files ${d.artifact.ref}` : ''}`;
}

function short(digest: string): string {
  return digest.slice(0, 19);
}
