/**
 * What a run delivered, as the Experiments view shows it and copies it: per
 * deliver stage the image and, with `artifact:`, the model files, each as a
 * reference that pulls exactly what was pushed (`repo:tag@sha256:...`).
 */
import type { RunRecord } from '../run/record';

export interface DeliveredRef {
  stage: string;
  what: 'image' | 'model files';
  /** `host:port/repo:tag` as pushed. */
  ref: string;
  digest: string;
  /** `ref@digest`: what `docker pull` (or `oras pull`) takes to get these very bytes. */
  pull: string;
  retrained?: boolean;
}

export function deliveredRefs(run: Pick<RunRecord, 'stages'>): DeliveredRef[] {
  const out: DeliveredRef[] = [];
  for (const s of run.stages) {
    const d = s.delivery;
    if (!d) continue;
    out.push({ stage: s.name, what: 'image', ref: d.image, digest: d.digest, pull: `${d.image}@${d.digest}`, ...(d.retrained ? { retrained: true } : {}) });
    if (d.artifact) out.push({ stage: s.name, what: 'model files', ref: d.artifact.ref, digest: d.artifact.digest, pull: `${d.artifact.ref}@${d.artifact.digest}` });
  }
  return out;
}

/** `sha256:0123456789ab`: a digest short enough for a tree row. */
export function shortDigest(digest: string): string {
  return digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]*$/, '$1');
}

/** The tree row's words: `delivered sha256:0123456789ab` (the first image's digest). */
export function deliveredDescription(refs: readonly DeliveredRef[]): string | undefined {
  const image = refs.find((r) => r.what === 'image');
  return image ? `delivered ${shortDigest(image.digest)}` : undefined;
}

/** The tooltip's Markdown lines: one per pushed thing, the reference in code. */
export function deliveredMarkdown(refs: readonly DeliveredRef[]): string[] {
  return refs.map((r) => `delivered ${r.what} (${r.stage})${r.retrained ? ', retrained model' : ''}: \`${r.pull}\``);
}
