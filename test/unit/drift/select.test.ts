import { strict as assert } from 'node:assert';
import {
  defaultThreshold, FEW_VALUES_MAX, isDrifted, isPValueTest, pickTest, SMALL_SAMPLE_MAX, testColumn, testFits,
} from '../../../src/core/drift/detect';
import { categoryJob, normals, numericJob, repeat } from './helpers';

describe('drift: test selection (Evidently _get_default_stattest)', () => {
  it('numbers with up to 1000 reference values get ks, above that wasserstein', () => {
    assert.equal(pickTest('numeric', 1, 6), 'ks');
    assert.equal(pickTest('numeric', SMALL_SAMPLE_MAX, 100), 'ks');
    assert.equal(pickTest('numeric', SMALL_SAMPLE_MAX + 1, 100), 'wasserstein');
  });

  it('numbers with at most 5 distinct values are compared as categories', () => {
    assert.equal(FEW_VALUES_MAX, 5);
    assert.equal(pickTest('numeric', 500, 5), 'chisquare');
    assert.equal(pickTest('numeric', 500, 2), 'chisquare'); // Evidently: z-test, which mlci does not have
    assert.equal(pickTest('numeric', 5000, 5), 'jensenshannon');
    assert.equal(pickTest('numeric', 5000, 6), 'wasserstein');
  });

  it('categories get chisquare up to 1000 reference values, jensenshannon above', () => {
    assert.equal(pickTest('categorical', 1000, 3), 'chisquare');
    assert.equal(pickTest('categorical', 1001, 3), 'jensenshannon');
    assert.equal(pickTest('categorical', 1001, 500), 'jensenshannon');
  });

  it('default thresholds: 0.05 for p-values, 0.1 for distances', () => {
    assert.equal(defaultThreshold('ks'), 0.05);
    assert.equal(defaultThreshold('chisquare'), 0.05);
    assert.equal(defaultThreshold('wasserstein'), 0.1);
    assert.equal(defaultThreshold('psi'), 0.1);
    assert.equal(defaultThreshold('jensenshannon'), 0.1);
    assert.ok(isPValueTest('ks') && isPValueTest('chisquare') && !isPValueTest('psi'));
  });

  it('p-values drift strictly below the threshold, distances at or above it, NaN never', () => {
    assert.equal(isDrifted('ks', 0.0499, 0.05), true);
    assert.equal(isDrifted('ks', 0.05, 0.05), false);
    assert.equal(isDrifted('wasserstein', 0.1, 0.1), true);
    assert.equal(isDrifted('psi', 0.0999, 0.1), false);
    assert.equal(isDrifted('chisquare', NaN, 0.05), false);
    assert.equal(isDrifted('jensenshannon', NaN, 0.1), false);
  });

  it('ks and wasserstein need numbers', () => {
    assert.equal(testFits('ks', 'categorical'), false);
    assert.equal(testFits('wasserstein', 'categorical'), false);
    assert.equal(testFits('psi', 'categorical'), true);
    assert.equal(testFits('chisquare', 'numeric'), true);
  });

  it('auto on a column: the rule applies to non-missing reference values and distinct values of both sides', () => {
    const small = testColumn(numericJob(normals(200, 1), normals(200, 2)));
    assert.ok('tested' in small);
    assert.equal(small.tested.test, 'ks');
    // 1001 rows but 2 missing: 999 values, so still the small-sample test.
    const withNaN = testColumn(numericJob([...normals(999, 3), NaN, NaN], normals(300, 4)));
    assert.ok('tested' in withNaN);
    assert.equal(withNaN.tested.test, 'ks');
    assert.equal(withNaN.tested.referenceSize, 999);
    const big = testColumn(numericJob(normals(1001, 5), normals(300, 6)));
    assert.ok('tested' in big);
    assert.equal(big.tested.test, 'wasserstein');
    const fewValues = testColumn(numericJob(repeat([0, 1, 2], 2000), repeat([0, 1, 2, 3, 4], 500)));
    assert.ok('tested' in fewValues);
    assert.equal(fewValues.tested.test, 'jensenshannon');
    assert.equal(fewValues.tested.histogram.kind, 'categorical');
    assert.deepEqual(fewValues.tested.newCategories, ['3', '4']);
    // 6 distinct values across both sides is enough for the numeric test.
    const six = testColumn(numericJob(repeat([0, 1, 2], 200), repeat([3, 4, 5], 200)));
    assert.ok('tested' in six);
    assert.equal(six.tested.test, 'ks');
    const cats = testColumn(categoryJob(repeat(['a', 'b'], 1001), repeat(['a', 'b'], 10)));
    assert.ok('tested' in cats);
    assert.equal(cats.tested.test, 'jensenshannon');
  });

  it('an explicit test and threshold override the rule', () => {
    const r = testColumn(numericJob(normals(200, 1), normals(200, 2, 0.3), { test: 'wasserstein', threshold: 0.5 }));
    assert.ok('tested' in r);
    assert.equal(r.tested.test, 'wasserstein');
    assert.equal(r.tested.threshold, 0.5);
    assert.equal(r.tested.drifted, r.tested.distance! >= 0.5);
  });
});
