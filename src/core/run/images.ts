/**
 * Image mapping, like act's `-P`: `python:3.12-slim=local/py:dev` runs
 * stages that ask for the first image on the second. Used to run pipelines
 * offline on locally built images, or to pin a registry mirror.
 */
export type ImageMap = Map<string, string>;

/** The `FROM=TO` specs of MLCI_IMAGE_MAP (comma-separated), after any given on the command line. */
export function imageMappingSpecs(env: NodeJS.ProcessEnv, given: readonly string[] = []): string[] {
  return [...given, ...(env.MLCI_IMAGE_MAP ? env.MLCI_IMAGE_MAP.split(',') : [])];
}

export function parseImageMapping(specs: readonly string[]): ImageMap {
  const map: ImageMap = new Map();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new Error(`image mapping '${spec}' is not of the form FROM=TO (e.g. python:3.12-slim=local/py:dev)`);
    map.set(spec.slice(0, eq).trim(), spec.slice(eq + 1).trim());
  }
  return map;
}

export function mapImage(map: ImageMap, image: string): string {
  return map.get(image) ?? image;
}
