import { strict as assert } from 'node:assert';
import { jobWhere } from '../../../src/core/run/words';

describe('where a stage\'s batch job is, in words (terminal, tree, log)', () => {
  it('queued with its position and reason; running with its node', () => {
    assert.equal(jobWhere({ system: 'slurm', id: '7', state: 'PENDING', position: 2, reason: 'Priority' }), 'queued #2 (Priority)');
    assert.equal(jobWhere({ system: 'slurm', id: '7', state: 'PENDING' }), 'queued');
    assert.equal(jobWhere({ system: 'slurm', id: '7', state: 'RUNNING', node: 'node7' }), 'running on node7');
  });

  it('a job first seen ended (it ran between two polls) still says where it ran', () => {
    assert.equal(jobWhere({ system: 'slurm', id: '7', state: 'COMPLETED', node: 'node7' }), 'completed on node7');
    assert.equal(jobWhere({ system: 'slurm', id: '7', state: 'FAILED', node: 'vm' }), 'failed on vm');
    assert.equal(jobWhere({ system: 'slurm', id: '7', state: 'CANCELLED' }), 'cancelled');
  });
});
