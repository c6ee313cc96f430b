/**
 * Exit codes (issue 11, point 5): an internal error has its own code (70),
 * distinct from every documented one; errors the user can fix (a corrupt
 * or unwritable file) keep the command's own "could not run" code with
 * advice. reportError is exercised with real programming errors (a real
 * stack overflow, a real TypeError); the help texts through the bundled CLI.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reportError } from '../../src/cli/main';
import { CliError } from '../../src/cli/errors';
import { FixableError } from '../../src/core/fixable-error';
import { probe } from './figures';
import { buildCli, mlci, repo } from './helpers';

function capture(command: { name: string; errorExit?: number }, e: unknown) {
  const lines: string[] = [];
  const code = reportError(command, e, { err: (l) => lines.push(l), env: {} });
  return { code, text: lines.join('\n') };
}

function overflow(n: number): number {
  return overflow(n + 1) + 1;
}

describe('reliability: exit codes', function () {
  this.timeout(60_000);

  it('a real stack overflow and a real TypeError exit 70 as internal errors, from every command', async () => {
    let stack: unknown;
    try {
      overflow(0);
    } catch (e) {
      stack = e;
    }
    let typeError: unknown;
    try {
      (undefined as unknown as { x: () => void }).x();
    } catch (e) {
      typeError = e;
    }
    for (const command of [{ name: 'run', errorExit: 3 }, { name: 'verify', errorExit: 3 }, { name: 'validate' }, { name: 'drift' }]) {
      for (const e of [stack, typeError, 'a thrown string']) {
        await probe(`internal error in ${command.name}`, () => {
          const r = capture(command, e);
          assert.equal(r.code, 70);
          assert.match(r.text, new RegExp(`^mlci ${command.name}: internal error \\(a bug in mlci; please report it`));
          return undefined;
        });
      }
    }
  });

  it('errors the user can fix keep the command\'s code and say what to do', () => {
    assert.deepEqual(capture({ name: 'run', errorExit: 3 }, new FixableError('x is corrupt: delete it')), { code: 3, text: 'mlci run: x is corrupt: delete it' });
    assert.deepEqual(capture({ name: 'validate' }, new FixableError('x is corrupt')), { code: 2, text: 'mlci validate: x is corrupt' });
    assert.deepEqual(capture({ name: 'run', errorExit: 3 }, new CliError('bad flag', 2)), { code: 2, text: 'mlci run: bad flag' });
    const eisdir = Object.assign(new Error("EISDIR: illegal operation on a directory, rename '/w/.mlci.lock.tmp' -> '/w/mlci.lock'"), { code: 'EISDIR', syscall: 'rename', path: '/w/.mlci.lock.tmp', dest: '/w/mlci.lock' });
    const r = capture({ name: 'run', errorExit: 3 }, eisdir);
    assert.equal(r.code, 3);
    assert.equal(r.text, 'mlci run: a directory is in the way of the file /w/mlci.lock: remove or rename that directory [EISDIR]');
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', path: '/w/.mlci/report.md' });
    assert.match(capture({ name: 'run', errorExit: 3 }, enospc).text, /the disk holding \/w\/\.mlci\/report\.md is full: free some space/);
  });

  it('every command\'s --help and `mlci --help` document 70, and no command uses 70 for anything else (bundled CLI)', async () => {
    buildCli();
    const dir = os.tmpdir();
    const main = await mlci(['--help'], dir);
    assert.match(main.out, /70 internal error/);
    const names = [...main.out.split('Commands:')[1]!.split('Options:')[0]!.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!);
    assert.ok(names.length >= 10, names.join(','));
    for (const name of names) {
      const help = await mlci([name, '--help'], dir);
      assert.equal(help.code, 0);
      assert.match(help.out, /Exit code 70: internal error/, name);
      // The command's own table never gives 70 another meaning.
      assert.doesNotMatch(help.out.replace(/Exit code 70: internal error.*/, ''), /\b70\b/, name);
    }
    const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
    assert.match(readme, /exits \*\*70\*\* on an\s+internal error/);
  });

  it('a directory at .mlci/state/hashes.json and a corrupt mlci.lock are not internal errors', async () => {
    buildCli();
    const dir = path.join(os.tmpdir(), `mlci-rel-exit-${process.pid}`);
    mkdirSync(path.join(dir, '.mlci/state/hashes.json'), { recursive: true });
    const { writeFileSync, rmSync } = await import('node:fs');
    writeFileSync(path.join(dir, 'mlci.yaml'), 'version: 1\ndefaults: { image: busybox }\nstages:\n  a:\n    run: echo hi\n');
    writeFileSync(path.join(dir, 'mlci.lock'), 'stages: [1, 2]\n');
    try {
      const r = await mlci(['run', '--executor', 'local'], dir);
      assert.equal(r.code, 3, r.err);
      assert.match(r.err, /mlci\.lock is not an mlci lock file \(no 'stages' mapping\): delete it to recompute every stage/);
      assert.doesNotMatch(r.err, /internal|unexpected/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
