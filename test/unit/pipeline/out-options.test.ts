/** `outs` items as paths or `{PATH: {cache, persist, desc}}` (dvc.yaml's form) reach the model with defaults filled in. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { nodeFiles } from '../../../src/core/node-files';
import { outOptionsOf } from '../../../src/core/pipeline/model';
import { validatePipeline } from '../../../src/core/pipeline/validate';

describe('output options', () => {
  it('keeps paths in order and each output\'s options, defaults for plain paths', () => {
    const dir = path.join(__dirname, '../../fixtures/validate/94-valid-out-options');
    const r = validatePipeline({ file: 'mlci.yaml', text: readFileSync(path.join(dir, 'mlci.yaml'), 'utf8'), root: dir, files: nodeFiles });
    const train = r.pipeline!.stageByName.get('train')!;
    assert.deepEqual(train.outs, ['models/model.json', 'checkpoints/', 'data/features.parquet']);
    assert.deepEqual(outOptionsOf(train, 'models/model.json'), { cache: true, persist: false });
    assert.deepEqual(outOptionsOf(train, 'checkpoints/'), { cache: false, persist: true });
    assert.deepEqual(outOptionsOf(train, 'data/features.parquet'), { cache: true, persist: false, desc: 'engineered features' });
  });

  it('skips a malformed item in the model (the schema reports it) without shifting the others', () => {
    const dir = path.join(__dirname, '../../fixtures/validate/95-out-options-bad');
    const r = validatePipeline({ file: 'mlci.yaml', text: readFileSync(path.join(dir, 'mlci.yaml'), 'utf8'), root: dir, files: nodeFiles });
    const train = r.pipeline!.stageByName.get('train')!;
    assert.deepEqual(train.outs, ['models/model.json', 'checkpoints/', '../outside/']);
  });
});
