/** Run Experiment's answers: checked against the current value's type, and planned as one run, a grid or a random sweep. */
import { strict as assert } from 'node:assert';
import { checkExperimentValue, planExperiment } from '../../../src/core/experiments/experiment-input';

describe('Run Experiment answers', () => {
  it('checks each value against the type of the current value', () => {
    assert.equal(checkExperimentValue(0.5, '0.1'), undefined);
    assert.equal(checkExperimentValue(0.5, '0.1, 0.01'), undefined);
    assert.equal(checkExperimentValue(0.5, '0.001..0.1:log'), undefined);
    assert.equal(checkExperimentValue(0.5, 'fast'), "'fast' is not a number (the current value 0.5 is a number).");
    assert.equal(checkExperimentValue(0.5, '0.1, x'), "'x' is not a number (the current value 0.5 is a number).");
    assert.equal(checkExperimentValue(0.5, '0.1..0.01'), '0.1..0.01: need numbers A <= B');
    assert.equal(checkExperimentValue(0.5, '0..1:log'), '0..1:log: a log range needs A > 0');
    assert.equal(checkExperimentValue(true, 'false'), undefined);
    assert.equal(checkExperimentValue(true, 'yes please'), "'yes please' is not true or false (the current value is a boolean).");
    assert.equal(checkExperimentValue('adam', 'sgd, adam'), undefined);
    assert.equal(checkExperimentValue('adam', '1..2'), 'A range is for numbers; the current value is a string.');
    assert.equal(checkExperimentValue([1, 2], '[3, 4]'), undefined);
    assert.equal(checkExperimentValue([1, 2], '3'), 'Give a list like [1, 2] (the current value is a list).');
    assert.equal(checkExperimentValue(1, '  '), 'Enter a value (a, b, c for a grid; lo..hi for a random range).');
  });

  it('plans one run, a grid (single values become one-value axes) or a random sweep', () => {
    const current = (k: string) => ({ lr: 0.5, epochs: 10, layers: [1, 2] } as Record<string, number | number[]>)[k];
    assert.deepEqual(planExperiment([{ key: 'lr', text: '0.1' }, { key: 'layers', text: '[3, 4]' }], current), { kind: 'run', sets: ['lr=0.1', 'layers=[3, 4]'] });
    assert.deepEqual(planExperiment([{ key: 'lr', text: '0.1, 0.01' }, { key: 'epochs', text: '20' }], current), { kind: 'grid', grid: ['lr=0.1, 0.01', 'epochs=20'] });
    assert.deepEqual(planExperiment([{ key: 'lr', text: '0.001 .. 0.1:log' }, { key: 'epochs', text: '5..50:int' }], current), { kind: 'random', random: ['lr=0.001..0.1:log', 'epochs=5..50:int'] });
    assert.deepEqual(planExperiment([{ key: 'lr', text: '0.001..0.1' }, { key: 'epochs', text: '20' }], current), { error: 'a random sweep samples every key it changes: give a range (lo..hi) for epochs too, or use comma lists for a grid' });
  });
});
