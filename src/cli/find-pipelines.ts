/**
 * Pipeline files in a folder tree: `mlci.yaml` and `*.mlci.yaml`, skipping
 * dependency, VCS and mlci state folders.
 */
import { glob } from 'tinyglobby';

export const PIPELINE_GLOBS = ['**/mlci.yaml', '**/*.mlci.yaml'];
const IGNORE = ['**/node_modules/**', '**/.git/**', '**/.mlci/**', '**/dist/**', '**/.venv/**', '**/venv/**'];

export async function findPipelineFiles(cwd: string): Promise<string[]> {
  const files = await glob(PIPELINE_GLOBS, { cwd, ignore: IGNORE, dot: false, onlyFiles: true, absolute: false });
  return files.sort();
}

export function isPipelineFileName(name: string): boolean {
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  return base === 'mlci.yaml' || base.endsWith('.mlci.yaml');
}
