/** Content hashing for the run engine: files, directories, and text fingerprints. */
export { FileHasher } from './file-hasher';
export type { FileHasherOptions, PathHash } from './file-hasher';
export { hashText } from './content-hash';
