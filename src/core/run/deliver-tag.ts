/**
 * A deliver stage's tag template: `{commit}`, `{short_commit}` (12
 * characters), `{branch}` (characters a tag cannot hold become `-`) and
 * `{run}` replaced. The result must be a valid Docker tag.
 */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REGISTRY = /^[A-Za-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+$/;

export function expandTag(template: string, v: { commit: string; branch?: string; run: string }): string {
  const tag = template
    .replaceAll('{commit}', v.commit)
    .replaceAll('{short_commit}', v.commit.slice(0, 12))
    .replaceAll('{branch}', (v.branch ?? 'detached').replace(/[^A-Za-z0-9_.-]/g, '-'))
    .replaceAll('{run}', v.run);
  if (!TAG.test(tag)) throw new Error(`tag '${tag}' (from '${template}') is not a valid image tag: letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'`);
  return tag;
}

/** Why `registry` cannot be pushed to as written, or undefined. */
export function registryProblem(registry: string): string | undefined {
  if (REGISTRY.test(registry)) return undefined;
  return `registry '${registry}' is not host[:port]/repository (repository in lower case, no tag), e.g. 127.0.0.1:5000/churn`;
}
