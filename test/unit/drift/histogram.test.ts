import { strict as assert } from 'node:assert';
import { categoricalHistogram, numericHistogram, NUMERIC_BINS, TOP_CATEGORIES } from '../../../src/core/drift/detect';

describe('drift: report histograms', () => {
  it('numeric: 20 shared bins over the combined range, counts per side, last bin closed', () => {
    const h = numericHistogram(Float64Array.from([0, 1, 2, 3]), Float64Array.from([10, 5, 9.5]));
    assert.equal(h.edges.length, NUMERIC_BINS + 1);
    assert.equal(h.edges[0], 0);
    assert.equal(h.edges[NUMERIC_BINS], 10);
    assert.equal(h.edges[1], 0.5);
    assert.deepEqual(h.reference.slice(0, 7), [1, 0, 1, 0, 1, 0, 1]);
    assert.equal(h.current[NUMERIC_BINS - 1], 2); // 9.5 opens the last bin, 10 closes it
    assert.equal(h.current[10], 1); // 5 sits on an edge: it belongs to the bin it opens
    assert.equal(h.reference.reduce((a, b) => a + b), 4);
    assert.equal(h.current.reduce((a, b) => a + b), 3);
  });

  it('numeric: values on every edge land where np.histogram puts them', () => {
    const edges = numericHistogram(Float64Array.from([0, 1]), Float64Array.from([]), 10).edges;
    const h = numericHistogram(Float64Array.from(edges), Float64Array.from([]), 10);
    assert.deepEqual(h.reference, [1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
  });

  it('numeric: a constant sample gets one bin of width 1, as numpy does', () => {
    const h = numericHistogram(Float64Array.from([3, 3]), Float64Array.from([3]));
    assert.deepEqual(h, { kind: 'numeric', edges: [2.5, 3.5], reference: [2], current: [1] });
  });

  it('categorical: ordered by the larger share on either side, so a category new in current shows', () => {
    const h = categoricalHistogram(new Map([['a', 90], ['b', 10]]), new Map([['a', 5], ['new', 5]]));
    assert.deepEqual(h, { kind: 'categorical', categories: ['a', 'new', 'b'], reference: [90, 0, 10], current: [5, 5, 0] });
  });

  it('categorical: categories that are values are drawn in value order', () => {
    const h = categoricalHistogram(new Map([['1', 50], ['10', 5], ['2', 20]]), new Map([['1', 10], ['3', 30]]), TOP_CATEGORIES, Number);
    assert.deepEqual(h.categories, ['1', '2', '3', '10']);
    assert.deepEqual(h.current, [10, 0, 30, 0]);
  });

  it(`categorical: the top ${TOP_CATEGORIES} are listed, the rest pooled into other`, () => {
    const ref = new Map(Array.from({ length: 40 }, (_, i) => [`k${String(i).padStart(2, '0')}`, 100 - i] as [string, number]));
    const cur = new Map([['k00', 3], ['k39', 7]]);
    const h = categoricalHistogram(ref, cur);
    assert.equal(h.categories.length, TOP_CATEGORIES);
    assert.equal(h.categories[0], 'k39'); // 70% of current
    assert.equal(h.categories[1], 'k00');
    assert.deepEqual(h.other, { categories: 10, reference: [...ref.values()].slice(29, 39).reduce((a, b) => a + b), current: 0 });
  });
});
