/** Content hashing for the run engine: files, directories, and text fingerprints. */
export { FileHasher, symlinkHash } from './file-hasher';
export type { FileHasherOptions, PathHash, TreeEntry } from './file-hasher';
export { hashText } from './content-hash';
export type { TreeFilter } from './walk';
