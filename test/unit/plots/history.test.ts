/**
 * applyLiveRows: a running stage's live points into history rows, as the
 * comparison panel's running row keeps them (src/core/plots/history.ts).
 */
import { strict as assert } from 'node:assert';
import { applyLiveRows } from '../../../src/core/plots/history';

describe('applyLiveRows', () => {
  it('joins points of a step into one row, in step order; a step logged again replaces its value', () => {
    const rows: Array<Record<string, number>> = [];
    const same = applyLiveRows(rows, [{ name: 'loss', step: 0, value: 1 }, { name: 'acc', step: 0, value: 0.5 }, { name: 'loss', step: 2, value: 0.4 }]);
    assert.equal(same, rows);
    applyLiveRows(rows, [{ name: 'loss', step: 1, value: 0.7 }, { name: 'loss', step: 2, value: 0.3 }, { name: 'acc', step: 3, value: 0.9 }]);
    assert.deepEqual(rows, [{ step: 0, loss: 1, acc: 0.5 }, { step: 1, loss: 0.7 }, { step: 2, loss: 0.3 }, { step: 3, acc: 0.9 }]);
  });

  it('thins past maxRows: every other row dropped, the first and the last kept', () => {
    const rows: Array<Record<string, number>> = [];
    applyLiveRows(rows, Array.from({ length: 11 }, (_, step) => ({ name: 'loss', step, value: step })), 8);
    assert.deepEqual(rows.map((r) => r.step), [0, 2, 4, 6, 8, 10]);
    applyLiveRows(rows, [{ name: 'loss', step: 11, value: 11 }], 8);
    assert.deepEqual(rows.map((r) => r.step), [0, 2, 4, 6, 8, 10, 11]);
  });
});
