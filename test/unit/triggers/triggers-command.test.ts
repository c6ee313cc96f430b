/**
 * `mlci triggers check` (the command object, in-process on a temp
 * project): exit 10 when a trigger fires, 0 when none does, 2 on errors;
 * text and JSON output.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CliIo } from '../../../src/cli/command';
import { CliError } from '../../../src/cli/errors';
import { triggersCommand } from '../../../src/cli/commands/triggers';

const PIPELINE = `version: 1
stages:
  fit:
    kind: train
    image: python:3.12-slim
    run: python fit.py
triggers:
  metric: { name: accuracy, below: 0.8, source: live.json }
`;

async function check(cwd: string, values: Record<string, unknown> = {}, positionals = ['check']) {
  const out: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: () => undefined, cwd, env: {}, isTTY: false };
  const code = await triggersCommand.run({ values: { format: 'text', ...values }, positionals }, io);
  return { code, out: out.join('\n') };
}

describe('mlci triggers check (command)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-triggers-'));
    writeFileSync(path.join(dir, 'mlci.yaml'), PIPELINE);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 10 and says why when a trigger fires', async () => {
    writeFileSync(path.join(dir, 'live.json'), '{"accuracy": 0.5}');
    const r = await check(dir);
    assert.equal(r.code, 10);
    assert.match(r.out, /^metric\s+FIRED\s+live accuracy = 0.5 is below 0.8/m);
    assert.match(r.out, /retrain: metric fired/);
  });

  it('exits 0 when nothing fires (missing live file), with the reason; JSON on request', async () => {
    const r = await check(dir, { format: 'json' });
    assert.equal(r.code, 0);
    const json = JSON.parse(r.out) as { fire: boolean; results: Array<{ trigger: string; fired: boolean; reason: string }> };
    assert.equal(json.fire, false);
    assert.equal(json.results[0]!.trigger, 'metric');
    assert.match(json.results[0]!.reason, /live.json does not exist/);
  });

  it('exits 2 (not 3) on an invalid pipeline or bad usage', async () => {
    writeFileSync(path.join(dir, 'mlci.yaml'), 'version: 1\nstages: { a: { kind: nope } }\n');
    await assert.rejects(check(dir), (e: unknown) => e instanceof CliError && e.exitCode === 2);
    await assert.rejects(check(dir, {}, ['run']), (e: unknown) => e instanceof CliError && e.exitCode === 2);
  });
});
