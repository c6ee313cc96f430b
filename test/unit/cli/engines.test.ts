/**
 * Named engines' configuration: the user's engines file and the mlci.engines
 * setting (MLCI_ENGINES) give hosts over mlci.yaml; undeclared or host-less
 * engines and malformed files fail with a message naming the fix.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadUserEngines, resolveEngine, userEnginesFile } from '../../../src/adapters/engines';
import { buildPipeline } from '../../../src/core/pipeline/build-model';
import { engineOf, transferPaths } from '../../../src/core/run/placement';

describe('named engines', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-engines-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads hosts from the user file, the setting wins, remote follows the address', async () => {
    const file = path.join(dir, 'engines.yaml');
    writeFileSync(file, 'engines:\n  gpu: { host: ssh://me@gpu-box, identity: /k }\n  box: { host: unix:///run/other.sock }\n');
    const env = { MLCI_ENGINES_FILE: file, MLCI_ENGINES: JSON.stringify({ box: { host: 'tcp://10.0.0.5:2375' } }) };
    const user = await loadUserEngines(env);
    assert.deepEqual(resolveEngine('gpu', { gpu: {} }, user, env), { name: 'gpu', host: 'ssh://me@gpu-box', remote: true, identity: '/k' });
    assert.equal(resolveEngine('box', {}, user, env).host, 'tcp://10.0.0.5:2375');
    assert.equal(resolveEngine('sock', { sock: { host: 'unix:///x.sock' } }, {}, env).remote, false);
    assert.equal(resolveEngine('sock', { sock: { host: 'tcp://h:1', remote: false } }, {}, env).remote, false);
  });

  it('says where to declare an unknown or host-less engine; rejects a bad file', async () => {
    const env = { MLCI_ENGINES_FILE: path.join(dir, 'missing.yaml') };
    assert.deepEqual(await loadUserEngines(env), {});
    assert.throws(() => resolveEngine('gpu', {}, {}, env), /engine 'gpu' is not declared: add it under `engines:`/);
    assert.throws(() => resolveEngine('gpu', { gpu: { remote: true } }, {}, env), new RegExp(`engine 'gpu' has no host: give it in ${env.MLCI_ENGINES_FILE.replace(/[.]/g, '\\.')}`));
    writeFileSync(env.MLCI_ENGINES_FILE, 'engines:\n  gpu: { host: http://x }\n');
    await assert.rejects(loadUserEngines(env), /engine 'gpu': host must be unix:\/\/, tcp:\/\/ or ssh:\/\//);
    assert.equal(userEnginesFile({ XDG_CONFIG_HOME: '/cfg' }), '/cfg/mlci/engines.yaml');
  });

  it('places container stages only; --engine wins; inputs are deps and params files', () => {
    const p = buildPipeline('mlci.yaml', {
      version: 1, params: 'params.yaml', engines: { gpu: { remote: true } }, defaults: { engine: 'gpu' },
      stages: {
        train: { kind: 'train', run: 'python t.py', deps: ['src/', 'data.csv'], params: ['lr', 'cfg.yaml:model'], outs: ['m.json'], metrics: 'metrics.json' },
        here: { kind: 'custom', run: 'true', engine: 'local' },
        check: { kind: 'data', deps: ['data.csv'], expect: { file: 'data.csv' } },
      },
    });
    const [train, here, check] = p.stages;
    assert.equal(engineOf(train!, undefined), 'gpu');
    assert.equal(engineOf(here!, undefined), undefined);
    assert.equal(engineOf(check!, 'gpu'), undefined, 'data stages are computed by mlci itself');
    assert.equal(engineOf(here!, 'gpu'), 'gpu');
    assert.equal(engineOf(train!, 'local'), undefined);
    assert.deepEqual(transferPaths(train!, p), { inputs: ['src/', 'data.csv', 'params.yaml', 'cfg.yaml'], outputs: ['m.json', 'metrics.json'] });
  });
});
