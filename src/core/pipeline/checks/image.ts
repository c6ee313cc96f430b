/**
 * Docker image references, checked with the grammar of
 * distribution/reference (the parser Docker itself uses): an optional
 * registry host, lowercase path components, an optional tag and digest.
 */

const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const name = `(?:${domain}/)?${pathComponent}(?:/${pathComponent})*`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}';
const REFERENCE = new RegExp(`^(${name})(?::(${tag}))?(?:@(${digest}))?$`);

/** Why `ref` is not a valid image reference, or undefined when it is. */
export function imageProblem(ref: string): string | undefined {
  if (ref.length === 0) return 'it is empty';
  if (/\s/.test(ref)) return 'it contains whitespace';
  const m = REFERENCE.exec(ref);
  if (!m) {
    const withoutTag = ref.replace(/@.*$/, '').replace(/:[^/]*$/, '');
    if (withoutTag !== withoutTag.toLowerCase() && REFERENCE.test(ref.toLowerCase())) return 'repository names must be lowercase';
    if (/:[^/]*:/.test(ref.replace(/@.*$/, ''))) return 'it has more than one tag';
    if (/:$/.test(ref)) return 'the tag after ":" is empty';
    return 'it is not of the form [registry/]name[:tag][@digest]';
  }
  if (m[1].length > 255) return 'the repository name is longer than 255 characters';
  return undefined;
}
