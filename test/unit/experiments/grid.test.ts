import { strict as assert } from 'node:assert';
import { describeCombination, gridCombinations, parseGrid, parseRandom, randomCombinations, seededRandom, splitValues } from '../../../src/core/experiments/grid';

describe('experiments: grid and random sweeps', () => {
  it('splits values on top-level commas only', () => {
    assert.deepEqual(splitValues('0.1, 0.01'), ['0.1', '0.01']);
    assert.deepEqual(splitValues('[1,2],[3,4],"a,b"'), ['[1,2]', '[3,4]', '"a,b"']);
  });

  it('builds the cartesian product in a stable order (first --grid slowest)', () => {
    const combos = gridCombinations([parseGrid('lr=0.1,0.01'), parseGrid('l2=0,0.001')]);
    assert.deepEqual(combos.map(describeCombination), ['lr=0.1 l2=0', 'lr=0.1 l2=0.001', 'lr=0.01 l2=0', 'lr=0.01 l2=0.001']);
    assert.deepEqual(combos[1], [{ key: 'lr', value: 0.1 }, { key: 'l2', value: 0.001 }]);
    assert.deepEqual(gridCombinations([]), []);
    assert.throws(() => gridCombinations([parseGrid('lr=1'), parseGrid('lr=2')]), /twice/);
    assert.throws(() => parseGrid('lr'), /KEY=VALUES/);
    assert.deepEqual(gridCombinations([parseGrid('layers=[64,32],[128]')]).map((c) => c[0]!.value), [[64, 32], [128]]);
  });

  it('parses the distribution syntax', () => {
    assert.deepEqual(parseRandom('lr=0.001..0.1:log').dist, { kind: 'log', min: 0.001, max: 0.1 });
    assert.deepEqual(parseRandom('epochs=10..50:int').dist, { kind: 'int', min: 10, max: 50 });
    assert.deepEqual(parseRandom('x=-1..1').dist, { kind: 'uniform', min: -1, max: 1 });
    assert.deepEqual(parseRandom('opt=adam,sgd').dist, { kind: 'choice', values: ['adam', 'sgd'] });
    assert.throws(() => parseRandom('lr=0..1:log'), /A > 0/);
    assert.throws(() => parseRandom('n=1.5..3:int'), /whole numbers/);
    assert.throws(() => parseRandom('n=5..1'), /A <= B/);
  });

  it('random samples are reproducible with a seed and stay in range', () => {
    const axes = [parseRandom('lr=0.001..0.1:log'), parseRandom('epochs=10..50:int'), parseRandom('opt=adam,sgd,rmsprop')];
    const a = randomCombinations(axes, 8, 42);
    const b = randomCombinations(axes, 8, 42);
    const c = randomCombinations(axes, 8, 43);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.equal(a.length, 8);
    for (const combo of a) {
      const [lr, epochs, opt] = combo.map((o) => o.value);
      assert.ok(typeof lr === 'number' && lr >= 0.001 && lr < 0.1, String(lr));
      assert.ok(Number.isInteger(epochs) && (epochs as number) >= 10 && (epochs as number) <= 50);
      assert.ok(['adam', 'sgd', 'rmsprop'].includes(opt as string));
    }
    assert.throws(() => randomCombinations(axes, 0, 1), /--samples/);
  });

  it('the PRNG is deterministic and roughly uniform', () => {
    const r = seededRandom(7);
    const xs = Array.from({ length: 10000 }, r);
    assert.deepEqual(xs.slice(0, 3), Array.from({ length: 3 }, seededRandom(7)));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(Math.abs(mean - 0.5) < 0.02, String(mean));
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    // Log-uniform: about half the samples fall below the geometric mean.
    const lr = randomCombinations([parseRandom('lr=0.001..0.1:log')], 2000, 1).map((c) => c[0]!.value as number);
    const below = lr.filter((x) => x < 0.01).length / lr.length;
    assert.ok(below > 0.45 && below < 0.55, String(below));
  });
});
