import { strict as assert } from 'node:assert';
import { OverrideError, applyOverrides, didYouMean, parseSet, parseValue, setParam } from '../../../src/core/experiments/overrides';

describe('experiments: --set overrides', () => {
  it('reads values as YAML scalars and flow lists', () => {
    assert.equal(parseValue('0.01'), 0.01);
    assert.equal(parseValue('1e-3'), 0.001);
    assert.equal(parseValue('100'), 100);
    assert.equal(parseValue('true'), true);
    assert.equal(parseValue('adam'), 'adam');
    assert.equal(parseValue('"42"'), '42');
    assert.equal(parseValue(''), '');
    assert.deepEqual(parseValue('[64, 32]'), [64, 32]);
    assert.deepEqual(parseValue('[a,b]'), ['a', 'b']);
    assert.throws(() => parseValue('{a: 1}'), OverrideError);
  });

  it('parses key=value with dotted keys and keeps = in the value', () => {
    assert.deepEqual(parseSet('model.lr=0.1'), { key: 'model.lr', value: 0.1 });
    assert.deepEqual(parseSet('expr=a=b'), { key: 'expr', value: 'a=b' });
    assert.throws(() => parseSet('lr'), /key=value/);
    assert.throws(() => parseSet('=1'), /key=value/);
  });

  it('applies overrides immutably, nested, and returns what to record', () => {
    const params = { lr: 0.5, model: { depth: 3, act: 'relu' }, seed: 1 };
    const frozen = JSON.stringify(params);
    const out = applyOverrides(params, ['lr=0.01', 'model.depth=5', 'lr=0.02']);
    assert.deepEqual(out.params, { lr: 0.02, model: { depth: 5, act: 'relu' }, seed: 1 });
    assert.deepEqual(out.overrides, { lr: 0.02, 'model.depth': 5 });
    assert.equal(JSON.stringify(params), frozen);
    assert.notEqual(out.params.model, params.model);
  });

  it('a literal dotted top-level key wins, like paramValue', () => {
    assert.deepEqual(setParam({ 'a.b': 1, a: { b: 2 } }, 'a.b', 3), { 'a.b': 3, a: { b: 2 } });
  });

  it('rejects unknown keys with a did-you-mean', () => {
    assert.throws(() => applyOverrides({ lr: 0.5, epochs: 10 }, ['learning_rate=1']), /unknown params key 'learning_rate'.*known keys: lr, epochs/);
    assert.throws(() => applyOverrides({ lr: 0.5, epochs: 10 }, ['epoch=1']), /did you mean 'epochs'\?/);
    assert.throws(() => applyOverrides({ model: { lr: 1 } }, ['model.lrr=1']), /did you mean 'model.lr'/);
    assert.equal(didYouMean('zzzzzz', ['lr']), undefined);
  });
});
