/**
 * lstat results as rows of numbers (kind, size, mtimeMs, inode) in one
 * Float64Array: the layout the stat worker sends back without copying, and
 * the one the main thread fills for its own share, so both halves of a
 * walk are read the same way.
 */
import { lstatSync } from 'node:fs';

export const ROW = 4;
export const KIND_GONE = 0;
export const KIND_FILE = 1;
export const KIND_SYMLINK = 2;
/** Directories, sockets, FIFOs, devices: not hashed as entries. */
export const KIND_OTHER = 3;
/** An lstat error other than "gone" (EACCES...): the caller repeats the lstat to throw it. */
export const KIND_ERROR = 4;

/** Fills row `i` of `out` with the lstat of `p`. Kept in step with FILL_ROW_JS below. */
export function fillRow(out: Float64Array, i: number, p: string): void {
  const o = i * ROW;
  try {
    const st = lstatSync(p);
    out[o] = st.isFile() ? KIND_FILE : st.isSymbolicLink() ? KIND_SYMLINK : KIND_OTHER;
    out[o + 1] = st.size;
    out[o + 2] = st.mtimeMs;
    out[o + 3] = st.ino;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    out[o] = code === 'ENOENT' || code === 'ENOTDIR' ? KIND_GONE : KIND_ERROR;
  }
}

/** `fillRow` as plain JavaScript for the worker, which runs a source string (no TypeScript, no bundler paths). */
export const FILL_ROW_JS = `function fillRow(out, i, p) {
  const o = i * ${ROW};
  try {
    const st = lstatSync(p);
    out[o] = st.isFile() ? ${KIND_FILE} : st.isSymbolicLink() ? ${KIND_SYMLINK} : ${KIND_OTHER};
    out[o + 1] = st.size;
    out[o + 2] = st.mtimeMs;
    out[o + 3] = st.ino;
  } catch (e) {
    out[o] = e.code === 'ENOENT' || e.code === 'ENOTDIR' ? ${KIND_GONE} : ${KIND_ERROR};
  }
}`;
