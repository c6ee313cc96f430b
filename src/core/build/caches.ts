/**
 * Named caches (`caches: [pip]`): Docker volumes owned by mlci, mounted in
 * every run of the stage so package downloads and model hubs survive runs.
 * A known name mounts at a fixed path and points the tool at it through its
 * cache variable (so it works whatever user the stage runs as and whatever
 * HOME is); an absolute path mounts a volume exactly there. Caches are not
 * part of the fingerprint: they speed a stage up, they do not change it.
 */
import { createHash } from 'node:crypto';

export const KNOWN_CACHES: Readonly<Record<string, { target: string; env: Record<string, string> }>> = {
  pip: { target: '/mlci/cache/pip', env: { PIP_CACHE_DIR: '/mlci/cache/pip' } },
  uv: { target: '/mlci/cache/uv', env: { UV_CACHE_DIR: '/mlci/cache/uv' } },
  conda: { target: '/mlci/cache/conda', env: { CONDA_PKGS_DIRS: '/mlci/cache/conda' } },
  huggingface: { target: '/mlci/cache/huggingface', env: { HF_HOME: '/mlci/cache/huggingface' } },
  torch: { target: '/mlci/cache/torch', env: { TORCH_HOME: '/mlci/cache/torch' } },
  npm: { target: '/mlci/cache/npm', env: { npm_config_cache: '/mlci/cache/npm' } },
};

export interface CacheMount {
  cache: string;
  volume: string;
  target: string;
  env: Record<string, string>;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'x';
}

/** Volumes per pipeline: `mlci-cache-<pipeline>-pip`, or `-path-<hash>` for a path. */
export function cacheMounts(pipeline: string, caches: readonly string[]): CacheMount[] {
  return caches.map((c) => {
    const known = KNOWN_CACHES[c];
    if (known) return { cache: c, volume: `mlci-cache-${slug(pipeline)}-${c}`, target: known.target, env: known.env };
    const h = createHash('sha256').update(c).digest('hex').slice(0, 12);
    return { cache: c, volume: `mlci-cache-${slug(pipeline)}-path-${h}`, target: c, env: {} };
  });
}
