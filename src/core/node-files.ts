/** The FileProbe over the real file system (Node fs), for the CLI and tests. */
import { readFileSync, statSync } from 'node:fs';
import type { FileProbe } from './ports';

export const nodeFiles: FileProbe = {
  stat(p) {
    try {
      const s = statSync(p);
      return s.isDirectory() ? 'dir' : 'file';
    } catch {
      return undefined;
    }
  },
  readText(p) {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  },
};
