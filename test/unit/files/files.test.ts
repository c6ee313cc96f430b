/**
 * Reading only regular files within a limit (real FIFOs, a real socket,
 * /dev/zero, sparse files) and keeping paths inside the workspace through
 * real symlinks.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { containedPath, linkEscape } from '../../../src/core/files/contain';
import type { FileReadError} from '../../../src/core/files/regular-file';
import { readRegularFile, readRegularFileSync } from '../../../src/core/files/regular-file';
import { terminalSafe } from '../../../src/cli/terminal-text';

describe('regular files only, within a limit', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-files-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a regular file, sync and async', async () => {
    writeFileSync(path.join(dir, 'a.txt'), 'héllo');
    assert.equal(readRegularFileSync(path.join(dir, 'a.txt'), 100), 'héllo');
    assert.equal(await readRegularFile(path.join(dir, 'a.txt'), 100), 'héllo');
  });

  it('reads ASCII, UTF-8 and a file larger than one read buffer (8 MiB) whole, byte for byte', () => {
    writeFileSync(path.join(dir, 'ascii.json'), '{"a":[1,2,"x"]}');
    assert.equal(readRegularFileSync(path.join(dir, 'ascii.json'), 100), '{"a":[1,2,"x"]}');
    const text = `${'é😀 line\n'.repeat(700_000)}end`;
    writeFileSync(path.join(dir, 'big.txt'), text);
    assert.ok(Buffer.byteLength(text) > 8 * 1024 * 1024);
    assert.equal(readRegularFileSync(path.join(dir, 'big.txt'), 64 * 1024 * 1024), text);
  });

  it('refuses a FIFO at once (no writer: a plain open would block forever)', async () => {
    const fifo = path.join(dir, 'pipe');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    assert.throws(() => readRegularFileSync(fifo, 100, 'pipe'), (e: FileReadError) => e.code === 'not-regular' && /^pipe is a FIFO \(named pipe\), not a regular file/.test(e.message));
    await assert.rejects(readRegularFile(fifo, 100, 'pipe'), /pipe is a FIFO/);
  });

  it('refuses a socket, a character device and an oversized file; a directory keeps EISDIR', async () => {
    const sock = path.join(dir, 'sock');
    const server = net.createServer().listen(sock);
    await new Promise((r) => server.once('listening', r));
    try {
      assert.throws(() => readRegularFileSync(sock, 100, 'sock'), /sock is a socket/);
    } finally {
      server.close();
    }
    assert.throws(() => readRegularFileSync('/dev/zero', 100, 'zero'), /zero is a character device, not a regular file/);
    const big = path.join(dir, 'big');
    writeFileSync(big, '');
    truncateSync(big, 2 * 1024 ** 3); // sparse: no disk used
    assert.throws(() => readRegularFileSync(big, 16 * 1024 * 1024, 'big'), /big is too large \(2\.0 GiB; the limit for this file is 16\.0 MiB\)/);
    assert.throws(() => readRegularFileSync(dir, 100), (e: NodeJS.ErrnoException) => e.code === 'EISDIR');
    assert.throws(() => readRegularFileSync(path.join(dir, 'none'), 100), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  });
});

describe('paths stay in the workspace through symlinks', () => {
  let root: string;
  let outside: string;
  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'mlci-ws-'));
    outside = mkdtempSync(path.join(os.tmpdir(), 'mlci-out-'));
    writeFileSync(path.join(outside, 'secret.csv'), 'x\n');
    mkdirSync(path.join(root, 'data'));
    mkdirSync(path.join(root, 'inner'));
    symlinkSync(path.join(outside, 'secret.csv'), path.join(root, 'data/x.csv'));
    symlinkSync(outside, path.join(root, 'reports'));
    symlinkSync('../inner', path.join(root, 'data/inner-link'));
  });
  after(() => [root, outside].forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('refuses a file link and a folder link out, for existing and not-yet-written paths, naming the link', () => {
    assert.throws(() => containedPath(root, path.join(root, 'data/x.csv')), new RegExp(`^PathEscapeError: data/x\\.csv leads outside the workspace: it resolves to .*secret\\.csv through the symlink data/x\\.csv -> ${outside}/secret\\.csv; .*MLCI_ALLOW_OUTSIDE_LINKS=1`));
    assert.throws(() => containedPath(root, path.join(root, 'reports/new/drift.json')), /reports\/new\/drift\.json leads outside the workspace: .* through the symlink reports -> /);
  });

  it('accepts plain paths, links that stay inside, and links out when MLCI_ALLOW_OUTSIDE_LINKS=1', () => {
    assert.equal(containedPath(root, path.join(root, 'models/m.json')), path.join(root, 'models/m.json'));
    assert.equal(containedPath(root, path.join(root, 'data/inner-link/f')), path.join(root, 'data/inner-link/f'));
    assert.equal(linkEscape(root, path.join(root, 'reports/x'), 'reports/x', { MLCI_ALLOW_OUTSIDE_LINKS: '1' }), undefined);
  });
});

describe('terminal text', () => {
  it('escapes control sequences from data, keeps mlci colours, tabs and newlines', () => {
    assert.equal(terminalSafe('key\x1b[2J\x1b]52;c;aGk=\x07end'), 'key\\x1b[2J\\x1b]52;c;aGk=\\x07end');
    assert.equal(terminalSafe('\x1b[32m✔\x1b[0m a\tb\nc'), '\x1b[32m✔\x1b[0m a\tb\nc');
    assert.equal(terminalSafe('50%\r80%\r\n'), '50%\n80%\n');
    assert.equal(terminalSafe('\u009b31m \u202eevil'), '\\u009b31m \\u202eevil');
    assert.equal(terminalSafe('\x1b[1;31mdata red\x1b[0m'), '\\x1b[1;31mdata red\x1b[0m');
  });
});
