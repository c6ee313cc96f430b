/**
 * The files of a deliver stage's `artifact.files`: each path as written, a
 * folder as the regular files below it (sorted), never a link out of the
 * workspace. A missing file is an error naming it: the pipeline has not
 * produced it here.
 */
import { lstat, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';

export async function artifactFiles(root: string, paths: string[]): Promise<Array<{ path: string; abs: string }>> {
  const out: Array<{ path: string; abs: string }> = [];
  const realRoot = await realpath(root);
  const add = async (rel: string): Promise<void> => {
    const abs = path.join(root, rel);
    let st;
    try {
      st = await lstat(abs);
    } catch {
      throw new Error(`artifact file ${rel} is missing: run the pipeline so the stage that outputs it produces it (mlci run)`);
    }
    if (st.isSymbolicLink()) {
      const target = await realpath(abs);
      if (target !== realRoot && !target.startsWith(realRoot + path.sep)) throw new Error(`artifact file ${rel} is a link out of the workspace (${target}): not pushed`);
    }
    if (st.isDirectory()) {
      for (const name of (await readdir(abs)).sort()) await add(path.posix.join(rel, name));
    } else if (st.isFile() || st.isSymbolicLink()) out.push({ path: rel, abs });
  };
  for (const p of paths) await add(p.replace(/^\.\//, '').replace(/\/+$/, ''));
  if (!out.length) throw new Error(`artifact.files (${paths.join(', ')}) holds no file`);
  return out;
}
