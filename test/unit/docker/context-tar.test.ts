/**
 * The build context tar (packContext, tar-pack.ts's packTree) against what
 * mlci sent before, tar-stream's pack: read back by tar-stream's extract
 * and by GNU tar, every entry must carry the same name, mode, owner (uid,
 * gid, uname, gname), size, type, link target, mtime and bytes, because
 * the classic builder's layer cache keys are a tarsum of those fields and
 * the content. Also: large files in parts, long and non-ASCII names and
 * link targets, a file gone since the listing fails the stream naming it.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import { packContext } from '../../../src/adapters/docker/docker-builder';
import type { BuildRequest } from '../../../src/core/ports';

interface Entry {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  size: number;
  type: string;
  linkname: string;
  mtime: number;
  body: string;
}

async function readTar(tar: NodeJS.ReadableStream): Promise<Entry[]> {
  const out: Entry[] = [];
  const ex = extract();
  ex.on('entry', (h, stream, next) => {
    const parts: Buffer[] = [];
    stream.on('data', (c: Buffer) => parts.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(parts);
      out.push({
        name: h.name, mode: h.mode!, uid: h.uid!, gid: h.gid!, uname: h.uname ?? '', gname: h.gname ?? '', size: h.size!, type: h.type!,
        linkname: h.linkname ?? '', mtime: h.mtime!.getTime(), body: body.toString('base64'),
      });
      next();
    });
  });
  const finished = new Promise((resolve, reject) => ex.on('finish', resolve).on('error', reject));
  tar.on('error', (e) => ex.destroy(e));
  tar.pipe(ex);
  await finished;
  return out;
}

/** The context tar as mlci wrote it with tar-stream until this change (docker-builder.ts's packContext then). */
async function oldPack(req: BuildRequest): Promise<Readable> {
  const tar = pack();
  const put = (header: Parameters<typeof tar.entry>[0], body?: Buffer) =>
    new Promise<void>((resolve, reject) => {
      if (body) tar.entry(header, body, (err) => (err ? reject(err) : resolve()));
      else tar.entry(header, (err) => (err ? reject(err) : resolve()));
    });
  void (async () => {
    for (const f of req.files) {
      const abs = path.join(req.contextDir, f.rel);
      const st = lstatSync(abs);
      const header = { name: f.rel, mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0, uname: 'root', gname: 'root' };
      if (st.isSymbolicLink()) await put({ ...header, type: 'symlink', linkname: (await import('node:fs')).readlinkSync(abs) });
      else await put(header, readFileSync(abs));
    }
    await put({ name: req.dockerfile, mode: 0o644, mtime: new Date(0) }, Buffer.from(req.dockerfileText));
    tar.finalize();
  })();
  return tar;
}

describe('build context tar: what the engine receives', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(path.join(os.tmpdir(), 'mlci-ctx-tar-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function request(rels: string[]): BuildRequest {
    return { tag: 't', contextDir: root, files: rels.map((rel) => ({ rel, hash: '', size: 0 })), dockerfile: 'docker/Dockerfile', dockerfileText: 'FROM busybox\nCOPY . /x\n', args: {}, labels: {} };
  }

  it('carries every field tar-stream wrote (layer cache keys unchanged) and GNU tar reads it', async () => {
    const files: [string, Buffer, number][] = [
      ['a.txt', Buffer.from('hello\n'), 0o644],
      ['empty', Buffer.alloc(0), 0o600],
      ['run.sh', Buffer.from('#!/bin/sh\necho hi\n'), 0o755],
      ['d/block', randomBytes(512), 0o644],
      [`d/e/${'x'.repeat(120)}.bin`, randomBytes(3000), 0o644],
      [`d/${'y'.repeat(98)}`, randomBytes(1), 0o644],
      ['ünï/cödé.txt', Buffer.from('ü\n'), 0o644],
      ['big/file.bin', randomBytes(3 * 1024 * 1024 + 7), 0o640],
      ['big/exact.bin', randomBytes(1024 * 1024), 0o644],
    ];
    for (const [rel, body, mode] of files) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), body);
      chmodSync(path.join(root, rel), mode);
      utimesSync(path.join(root, rel), 1_700_000_000, 1_700_000_123.9);
    }
    symlinkSync('a.txt', path.join(root, 'link'));
    symlinkSync(`../${'z'.repeat(150)}/target`, path.join(root, 'd', 'longlink'));
    const rels = [...files.map(([r]) => r), 'link', 'd/longlink'].sort();
    const req = request(rels);
    const ours = await readTar(packContext(req));
    const theirs = await readTar(await oldPack(req));
    assert.equal(ours.length, rels.length + 1);
    assert.deepEqual(ours, theirs);
    assert.deepEqual(ours.map((e) => e.name), [...rels, 'docker/Dockerfile']);
    assert.equal(ours.find((e) => e.name === 'run.sh')!.mode, 0o755);
    assert.equal(ours.find((e) => e.name === 'd/longlink')!.linkname, `../${'z'.repeat(150)}/target`);

    // GNU tar, an independent reader: names, owners, link targets and bytes.
    const tarFile = path.join(root, '..', `${path.basename(root)}.tar`);
    const chunks: Buffer[] = [];
    for await (const c of packContext(req) as AsyncIterable<Buffer>) chunks.push(c);
    writeFileSync(tarFile, Buffer.concat(chunks));
    try {
      const listing = execFileSync('tar', ['-tvf', tarFile, '--numeric-owner'], { encoding: 'utf8' });
      assert.match(listing, /-rwxr-xr-x 0\/0 +18 .* run\.sh/);
      assert.match(listing, /lrwxrwxrwx 0\/0 +0 .* link -> a\.txt/);
      const out = path.join(root, '..', `${path.basename(root)}-x`);
      mkdirSync(out);
      try {
        execFileSync('tar', ['-xf', tarFile, '-C', out]);
        for (const [rel, body] of files) assert.ok(readFileSync(path.join(out, rel)).equals(body), rel);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    } finally {
      rmSync(tarFile, { force: true });
    }
  });

  it('hands the engine about 1 MB runs, not one write per file', async () => {
    const rels: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const rel = `src/f${i}.py`;
      mkdirSync(path.join(root, 'src'), { recursive: true });
      writeFileSync(path.join(root, rel), 'x = 1\n'.repeat(80));
      rels.push(rel);
    }
    let chunks = 0;
    let bytes = 0;
    for await (const c of packContext(request(rels)) as AsyncIterable<Buffer>) {
      chunks++;
      bytes += c.length;
    }
    assert.equal(bytes, 2000 * 1024 + 1024 + 1024, 'each file a header and one padded block; the Dockerfile; the end');
    // Runs end early only when a slice of the event loop's time is used up.
    assert.ok(chunks < 2000 / 10, `${chunks} chunks for 2000 files`);
  });

  it('a file gone since the context was listed fails the stream, naming it', async () => {
    writeFileSync(path.join(root, 'a.txt'), 'a');
    writeFileSync(path.join(root, 'b.txt'), 'b');
    const tar = packContext(request(['a.txt', 'b.txt']));
    unlinkSync(path.join(root, 'b.txt'));
    await assert.rejects(readTar(tar), /b\.txt could not be sent: .*ENOENT.*changed since the context was listed/);
  });
});
