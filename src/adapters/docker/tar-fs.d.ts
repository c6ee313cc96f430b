// The part of tar-fs 2.x (a dependency of dockerode) that the build context uses; it ships no types.
declare module 'tar-fs' {
  import type { Readable } from 'node:stream';
  interface PackStream extends Readable {
    entry(header: { name: string; size?: number; mode?: number; mtime?: Date }, content?: string | Buffer, callback?: (err?: Error) => void): unknown;
    finalize(): void;
  }
  interface PackOptions {
    entries?: string[];
    finalize?: boolean;
    finish?: (pack: PackStream) => void;
    map?: (header: { name: string; uid?: number; gid?: number; uname?: string; gname?: string }) => unknown;
  }
  export function pack(cwd: string, opts?: PackOptions): PackStream;
}
