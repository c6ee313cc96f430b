/** What the Experiments view shows and copies for a delivered run. */
import { strict as assert } from 'node:assert';
import { deliveredDescription, deliveredMarkdown, deliveredRefs } from '../../../src/core/experiments/deliveries';
import type { StageRecord } from '../../../src/core/run/record';

const DIGEST = `sha256:${'ab12'.repeat(16)}`;
const ART = `sha256:${'cd34'.repeat(16)}`;
const stage = (name: string, delivery?: StageRecord['delivery']) => ({ name, status: 'passed', cached: false, ...(delivery ? { delivery } : {}) }) as StageRecord;

describe('delivered references of a run (Experiments view)', () => {
  it('a run that delivered nothing has no references, no description and no tooltip lines', () => {
    const refs = deliveredRefs({ stages: [stage('train'), stage('smoke')] });
    assert.deepEqual(refs, []);
    assert.equal(deliveredDescription(refs), undefined);
    assert.deepEqual(deliveredMarkdown(refs), []);
  });

  it('the image and the model files, each pullable by digest; the row shows the short image digest', () => {
    const refs = deliveredRefs({ stages: [stage('serve'), stage('deliver', {
      image: '127.0.0.1:5000/churn:0123456789ab', registry: '127.0.0.1:5000/churn', tag: '0123456789ab', digest: DIGEST, retrained: true,
      artifact: { ref: '127.0.0.1:5000/churn:0123456789ab-model', digest: ART, files: [{ path: 'models/model.json', digest: ART, size: 3 }] },
    })] });
    assert.deepEqual(refs.map((r) => [r.what, r.pull]), [
      ['image', `127.0.0.1:5000/churn:0123456789ab@${DIGEST}`],
      ['model files', `127.0.0.1:5000/churn:0123456789ab-model@${ART}`],
    ]);
    assert.equal(deliveredDescription(refs), 'delivered sha256:ab12ab12ab12');
    assert.deepEqual(deliveredMarkdown(refs), [
      `delivered image (deliver), retrained model: \`127.0.0.1:5000/churn:0123456789ab@${DIGEST}\``,
      `delivered model files (deliver): \`127.0.0.1:5000/churn:0123456789ab-model@${ART}\``,
    ]);
  });
});
