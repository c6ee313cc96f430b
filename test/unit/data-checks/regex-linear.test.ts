/**
 * `regex` checks match in linear time (RE2): the catastrophic pattern
 * `^(a+)+$` on 34 `a`s and `!` (exponential on JavaScript's backtracking
 * engine: minutes) finishes at once with the right verdict; a pattern
 * needing backtracking (lookahead, backreference) is a failed check saying
 * why and what to do. Results agree with RegExp on ordinary patterns.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDataChecks } from '../../../src/core/data-checks';
import { compileLinear } from '../../../src/core/data-checks/regex-check';
import { check, expectation } from './helpers';

describe('data checks: regex in linear time', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-regex-'));
    file = path.join(dir, 'v.csv');
    writeFileSync(file, `v\n${'a'.repeat(34)}!\naaaa\n${'a'.repeat(5000)}!\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('^(a+)+$ on 34 a\'s and ! gives its verdict without backtracking', async () => {
    const report = await runDataChecks(file, expectation('v.csv', { v: { regex: '^(a+)+$' } }));
    const c = check(report, 'columns.v.regex');
    assert.equal(c.passed, false);
    assert.equal(c.value, 2);
    assert.match(c.message, /^v: 2 values do not match/);
  });

  it('lookahead and backreferences are refused with the reason', async () => {
    for (const pattern of ['^(?=a)a+$', '^(a)\\1$', '(?<!b)a']) {
      const report = await runDataChecks(file, expectation('v.csv', { v: { regex: pattern } }));
      const c = check(report, 'columns.v.regex');
      assert.equal(c.passed, false);
      assert.equal(c.actual, 'invalid pattern');
      assert.match(c.message, /^v: the regex uses a feature that needs a backtracking engine .*rewrite it without that feature$/, pattern);
    }
  });

  it('agrees with RegExp (u) on ordinary patterns', () => {
    const cases: Array<[string, string[]]> = [
      ['^C[0-9]{4}$', ['C1234', 'C123', 'xC1234', 'C12345']],
      ['\\d+', ['abc', 'a1', '']],
      ['^\\w+@\\w+\\.com$', ['a@b.com', 'a@b.org', 'a b@c.com']],
      ['^\\p{L}+$', ['été', 'ete1', 'Ωμέγα']],
      ['^(basic|plus|pro)$', ['basic', 'pro ', 'plus']],
      ['^.{2,3}$', ['ab', 'abcd', 'a\nb']],
      ['^\\s*$', ['', '  ', ' x']],
    ];
    for (const [pattern, values] of cases) {
      const re2 = compileLinear(pattern);
      assert.notEqual(typeof re2, 'string', pattern);
      const js = new RegExp(pattern, 'u');
      for (const v of values) assert.equal((re2 as Exclude<typeof re2, string>).matcher(v).find(), js.test(v), `${pattern} on ${JSON.stringify(v)}`);
    }
  });
});
