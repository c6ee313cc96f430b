/**
 * Reliability probe 1: a stage that prints a declared secret, in every form
 * a careless script prints it (plain, base64 alone and inside a longer
 * encoded string, URL-encoded, split across writes, on stderr, in a metric
 * name, in a broken metrics file whose parse error quotes it) must leak it
 * to no output mlci writes or prints: the terminal, `mlci logs`, the stage
 * logs, run.json, report.md. Runs the bundled CLI (`node dist/cli.js`) as a
 * process against a REAL Docker engine (python image) and with the local
 * executor. Under CI=true a missing engine fails the suite.
 *
 * The leak search does not reuse the masker: it finds the secret in the
 * plain text, in every base64-looking token decoded, and in every text
 * URL-decoded.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DockerRunner } from '../../src/adapters/docker/docker-runner';
import { figures } from './figures';
import { buildCli, cli } from './helpers';

/** Every way the probe stage prints the secret; each must come out masked. */
const PROBES: { name: string; py: string }[] = [
  { name: 'plain stdout', py: "print('plain:', S)" },
  { name: 'plain stderr', py: "print('stderr:', S, file=sys.stderr)" },
  { name: 'base64', py: "print('b64:', base64.b64encode(S.encode()).decode())" },
  { name: 'base64 inside a Basic auth header', py: "print('auth: Basic', base64.b64encode(('user:' + S).encode()).decode())" },
  { name: 'base64 at offset 2', py: "print('b64o:', base64.b64encode(('ab' + S + 'tail').encode()).decode())" },
  { name: 'url-safe base64', py: "print('b64u:', base64.urlsafe_b64encode(S.encode()).decode())" },
  { name: 'URL-encoded', py: "print('url: https://h/?t=' + urllib.parse.quote(S, safe=''))" },
  { name: 'form-encoded', py: "print('form:', urllib.parse.quote_plus(S))" },
  { name: 'split across writes', py: "sys.stdout.write('split: ' + S[:5]); sys.stdout.flush(); time.sleep(0.3); sys.stdout.write(S[5:] + ' end\\n'); sys.stdout.flush()" },
  { name: 'in a long line', py: "print('x' * 70000 + S + 'y' * 10)" },
];

const SCRIPT = `import base64, json, os, sys, time, urllib.parse
S = os.environ['MLCI_PROBE_TOKEN']
${PROBES.map((p) => p.py).join('\n')}
json.dump({'acc_' + S: 0.9, 'loss': 0.1}, open('metrics.json', 'w'))
`;

/** The second stage writes its own metrics file (a stage's outputs are cleared before it runs): broken JSON quoting the secret. */
const BROKEN = `import os
open('broken.json', 'w').write('{"a": ' + os.environ['MLCI_PROBE_TOKEN'] + '}')
`;

function pipeline(image: string): string {
  return `version: 1
stages:
  probe:
    image: ${image}
    run: python3 probe.py
    secrets: [MLCI_PROBE_TOKEN]
    metrics: metrics.json
  broken:
    needs: [probe]
    image: ${image}
    run: python3 broken.py
    secrets: [MLCI_PROBE_TOKEN]
    metrics: broken.json
`;
}

/** Where `secret` shows in `text`: plainly, base64-decoded from any token, or URL-decoded. */
export function leaksIn(text: string, secret: string): string[] {
  const found: string[] = [];
  if (text.includes(secret)) found.push('plain');
  for (const token of text.match(/[A-Za-z0-9+/_-]{8,}={0,2}/g) ?? []) {
    for (let skip = 0; skip < 4; skip++) {
      const decoded = Buffer.from(token.slice(skip).replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1');
      if (decoded.includes(secret)) found.push(`base64 ${token}`);
    }
  }
  try {
    if (decodeURIComponent(text.replace(/\+/g, ' ').replace(/%(?![0-9a-fA-F]{2})/g, '%25')).includes(secret) && !found.includes('plain')) found.push('url-encoded');
  } catch {
    // not decodable as a whole: fine
  }
  return found;
}

function filesBelow(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesBelow(p));
    else out.push(p);
  }
  return out;
}

async function dockerReady(): Promise<string | undefined> {
  try {
    await new DockerRunner().check();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('reliability: secrets never leak (bundled CLI, real Docker engine and local executor)', function () {
  this.timeout(180_000);
  const dirs: string[] = [];
  let tried = 0;
  let leaked = 0;

  before(() => buildCli());
  after(() => {
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
    console.log(`reliability secrets: tried ${tried}, survived ${tried - leaked}, leaked ${leaked}`);
  });

  for (const executor of ['docker', 'local'] as const) {
    it(`${executor}: every form of the secret is masked on the terminal, in logs, run.json and report.md`, async function () {
      if (executor === 'docker') {
        const why = await dockerReady();
        if (why) {
          if (process.env.CI === 'true') throw new Error(`CI needs a Docker engine (scripts/ci/docker-up.sh): ${why}`);
          this.skip();
        }
      }
      const secret = `pr0be-${randomBytes(6).toString('hex')}/+x y`;
      const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-rel-secrets-'));
      dirs.push(dir);
      writeFileSync(path.join(dir, 'mlci.yaml'), pipeline('python:3.12-slim'));
      writeFileSync(path.join(dir, 'probe.py'), SCRIPT);
      writeFileSync(path.join(dir, 'broken.py'), BROKEN);
      const env = { ...process.env, NO_COLOR: '1', MLCI_PROBE_TOKEN: secret };
      const r = spawnSync(process.execPath, [cli, 'run', '--ci', '--executor', executor], { cwd: dir, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
      const terminal = r.stdout + r.stderr;
      const logs = spawnSync(process.execPath, [cli, 'logs', 'last'], { cwd: dir, encoding: 'utf8', env: { ...env, MLCI_PROBE_TOKEN: '' }, maxBuffer: 64 * 1024 * 1024 });
      // The run really happened and printed every probe, masked.
      for (const label of ['plain:', 'stderr:', 'b64:', 'auth: Basic', 'b64o:', 'b64u:', 'url:', 'form:', 'split:']) {
        assert.match(terminal, new RegExp(`${label.replace(/[+]/g, '\\+')}.*\\*\\*\\*`), `${label} not printed masked:\n${terminal.slice(0, 3000)}`);
      }
      assert.match(terminal, /x{1000}\*\*\*y{10}/, 'the long line is printed with the secret masked');
      assert.match(terminal, /✘ broken: failed: metrics file 'broken.json' is not valid JSON/, terminal.slice(-1500));
      const runFile = filesBelow(path.join(dir, '.mlci/runs')).find((f) => f.endsWith('run.json'))!;
      const record = JSON.parse(readFileSync(runFile, 'utf8')) as { metrics: Record<string, number>; stages: { name: string; reason?: string }[] };
      assert.ok('acc_***' in record.metrics, `metric name masked: ${JSON.stringify(record.metrics)}`);
      const sinks: Record<string, string> = { terminal, 'mlci logs': logs.stdout + logs.stderr };
      // Everything mlci wrote, except byte copies of the stage's own output files in the
      // content-addressed cache (metrics.json holds what the stage wrote, as in the workspace).
      for (const f of filesBelow(path.join(dir, '.mlci'))) if (!f.includes(`${path.sep}cache${path.sep}objects${path.sep}`)) sinks[path.relative(dir, f)] = readFileSync(f, 'latin1');
      assert.ok(Object.keys(sinks).some((k) => k.endsWith('report.md')), `report.md written: ${Object.keys(sinks).join(', ')}`);
      assert.ok(Object.keys(sinks).some((k) => k.endsWith('probe.log')), 'stage log written');
      // Tried: each output checked for each way the secret was printed
      // (the probes, the metric name, the parse error); leaked: outputs
      // where the search found it.
      const forms = PROBES.length + 2;
      const found = Object.entries(sinks).flatMap(([sink, text]) => leaksIn(text, secret).map((how) => `${sink}: ${how}`));
      const leakingSinks = new Set(found.map((f) => f.split(': ')[0]));
      tried += Object.keys(sinks).length * forms;
      leaked += leakingSinks.size;
      figures.ok(Object.keys(sinks).length * forms - leakingSinks.size);
      for (const sink of leakingSinks) figures.loss(`secret in ${sink} (${executor})`, 'leak', found.filter((f) => f.startsWith(sink)).join('; '));
      assert.deepEqual(found, [], `the secret leaked:\n${found.join('\n')}`);
    });
  }

  it('the leak search is live: it finds the secret in each form the probes print', () => {
    const s = 'pr0be-abc123/+x y';
    assert.ok(leaksIn(`a ${s} b`, s).length);
    assert.ok(leaksIn(`Basic ${Buffer.from(`user:${s}`).toString('base64')}`, s).length);
    assert.ok(leaksIn(Buffer.from(`ab${s}tail`).toString('base64url'), s).length);
    assert.ok(leaksIn(`?t=${encodeURIComponent(s)}`, s).length);
    assert.deepEqual(leaksIn('a *** b', s), []);
  });
});
