/** The marker + hash that tells mlci's own exported file from a hand-edited or foreign one. */
import { strict as assert } from 'node:assert';
import { exportGithubWorkflow, exportGitlabCi, markerState } from '../../../src/core/export';
import { loadRepoPipeline } from './load-pipeline';

describe('export marker', () => {
  const pipeline = loadRepoPipeline('examples/churn/mlci.yaml');
  for (const [name, text] of [['github', exportGithubWorkflow(pipeline, { pipelineFile: 'examples/churn/mlci.yaml' })], ['gitlab', exportGitlabCi(pipeline, { pipelineFile: 'examples/churn/mlci.yaml' })]] as const) {
    it(`${name}: generated text is recognised as mlci's own, also with CRLF line ends`, () => {
      assert.equal(markerState(text), 'generated');
      assert.equal(markerState(text.replace(/\n/g, '\r\n')), 'generated');
    });

    it(`${name}: any edit, also of the marker line, is detected`, () => {
      assert.equal(markerState(text.replace('permissions', 'permission') + '# mine\n'), 'edited');
      assert.equal(markerState(text + '# one more line\n'), 'edited');
      assert.equal(markerState(text.replace('edits are kept', 'edits kept')), 'edited');
    });
  }

  it('a file without the marker is foreign', () => {
    assert.equal(markerState('name: ci\non: push\n'), 'foreign');
    assert.equal(markerState(''), 'foreign');
  });
});
