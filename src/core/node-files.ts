/** The FileProbe over the real file system (Node fs), for the CLI and tests. */
import { statSync } from 'node:fs';
import { linkEscape } from './files/contain';
import { FILE_LIMITS, FileReadError, readRegularFileSync } from './files/regular-file';
import type { FileProbe } from './ports';

/** The probe reads pipeline and params files: the larger of their limits. */
const READ_LIMIT = Math.max(FILE_LIMITS.pipeline, FILE_LIMITS.params);

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
      return readRegularFileSync(p, READ_LIMIT);
    } catch {
      return undefined;
    }
  },
  readError(p) {
    try {
      readRegularFileSync(p, READ_LIMIT);
      return undefined;
    } catch (e) {
      if (e instanceof FileReadError) return e.message;
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? undefined : (e as Error).message;
    }
  },
  linkEscape(root, p, shown) {
    return linkEscape(root, p, shown)?.message;
  },
};
