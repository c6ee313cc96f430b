/** What is typed at the cursor (marked ¦), on documents that may not parse. */
import { strict as assert } from 'node:assert';
import type { CursorContext } from '../../../src/adapters/vscode/language/model/cursor';
import { cursorContext } from '../../../src/adapters/vscode/language/model/cursor';

function ctx(marked: string): CursorContext | undefined {
  const offset = marked.indexOf('¦');
  assert.ok(offset >= 0, 'no cursor mark');
  return cursorContext(marked.slice(0, offset) + marked.slice(offset + 1), offset);
}

function expectCtx(marked: string, want: Partial<CursorContext>): void {
  const got = ctx(marked);
  assert.ok(got, `no context for ${JSON.stringify(marked)}`);
  const picked = Object.fromEntries(Object.keys(want).map((k) => [k, got[k as keyof CursorContext]]));
  assert.deepEqual(picked, want);
}

const STAGES = 'version: 1\nstages:\n  train:\n    kind: train\n';

describe('cursor context', () => {
  it('an empty value after `needs: [`, with nothing after it (the document does not parse)', () => {
    expectCtx(`${STAGES}    needs: [¦`, { kind: 'value', path: ['stages', 'train', 'needs', 0], prefix: '', flow: true });
  });

  it('the second item of a flow list, closed or not, on one line or several', () => {
    expectCtx(`${STAGES}    needs: [unit-tests, ¦]\n`, { kind: 'value', path: ['stages', 'train', 'needs', 1], prefix: '' });
    expectCtx(`${STAGES}    needs: [unit-tests, val¦`, { kind: 'value', path: ['stages', 'train', 'needs', 1], prefix: 'val' });
    expectCtx(`${STAGES}    needs: [\n      unit-tests,\n      ¦\n`, { kind: 'value', path: ['stages', 'train', 'needs', 1], flow: true });
  });

  it('a new line inside a stage, at the column of its keys', () => {
    expectCtx(`${STAGES}    ¦\n  evaluate:\n    kind: evaluate\n`, { kind: 'key', path: ['stages', 'train'], prefix: '' });
    expectCtx(`${STAGES}    ne¦\n`, { kind: 'key', path: ['stages', 'train'], prefix: 'ne', start: STAGES.length + 4 });
  });

  it('a new line at the column of the stage names: a new stage', () => {
    expectCtx(`${STAGES}  ¦`, { kind: 'key', path: ['stages'] });
    expectCtx(`${STAGES}¦`, { kind: 'key', path: [] });
  });

  it('flow mappings in gates', () => {
    const gates = `${STAGES}    gates:\n`;
    expectCtx(`${gates}      - { metric: ¦ }\n`, { kind: 'value', path: ['stages', 'train', 'gates', 0, 'metric'], prefix: '', flow: true });
    expectCtx(`${gates}      - { metric: acc¦, min: 1 }\n`, { kind: 'value', path: ['stages', 'train', 'gates', 0, 'metric'], prefix: 'acc', end: gates.length + 21 });
    expectCtx(`${gates}      - { metric: a, m¦ }\n`, { kind: 'key', path: ['stages', 'train', 'gates', 0], prefix: 'm' });
    expectCtx(`${gates}      - { metric: a }\n      - { ¦`, { kind: 'key', path: ['stages', 'train', 'gates', 1], prefix: '' });
    expectCtx(`${gates}      - { metric:¦ }\n`, { kind: 'value', path: ['stages', 'train', 'gates', 0, 'metric'], lead: ' ' });
  });

  it('block list items: after `- `, and on a blank line of the list', () => {
    const gates = `${STAGES}    gates:\n`;
    expectCtx(`${gates}      - ¦\n`, { kind: 'item', path: ['stages', 'train', 'gates', 0], lead: '' });
    expectCtx(`${gates}      -¦\n`, { kind: 'item', path: ['stages', 'train', 'gates', 0], lead: ' ' });
    expectCtx(`${gates}      - metric: a\n        ¦\n`, { kind: 'key', path: ['stages', 'train', 'gates', 0] });
    expectCtx(`${STAGES}    needs:\n      - a\n      ¦\n`, { kind: 'item', path: ['stages', 'train', 'needs', 1], lead: '- ' });
    expectCtx(`${STAGES}    needs:\n      - a\n      - b¦\n`, { kind: 'item', path: ['stages', 'train', 'needs', 1], prefix: 'b' });
    // A list at its key's column ends where the next key would start.
    expectCtx(`${STAGES}    needs:\n    - a\n    ¦\n`, { kind: 'key', path: ['stages', 'train'] });
  });

  it('values after a key, right after the colon, in quotes', () => {
    expectCtx(`${STAGES}    network:¦\n`, { kind: 'value', path: ['stages', 'train', 'network'], lead: ' ' });
    expectCtx(`${STAGES}    network: br¦\n`, { kind: 'value', path: ['stages', 'train', 'network'], prefix: 'br', lead: '' });
    expectCtx(`${STAGES}    network: "br¦`, { kind: 'value', prefix: 'br', quoted: true });
    expectCtx(`${STAGES}    image: &img ¦\n`, { kind: 'value', path: ['stages', 'train', 'image'] });
  });

  it('an existing key under the cursor keeps its colon', () => {
    expectCtx(`${STAGES}    ne¦eds: [a]\n`, { kind: 'key', keyHasColon: true, prefix: 'ne', end: STAGES.length + 9 });
  });

  it('nothing in comments, block scalars, after a closed quote or a closed list', () => {
    assert.equal(ctx(`${STAGES}    run: go # a ¦\n`), undefined);
    assert.equal(ctx(`${STAGES}    run: |\n      echo ¦\n`), undefined);
    assert.equal(ctx(`${STAGES}    run: "go" ¦\n`), undefined);
    assert.equal(ctx(`${STAGES}    needs: [a] ¦\n`), undefined);
    assert.equal(ctx(`${STAGES}    run: python\n      --flag ¦\n`), undefined);
  });

  it('after a block scalar ends, keys again', () => {
    expectCtx(`${STAGES}    run: |\n      echo hi\n    ¦\n`, { kind: 'key', path: ['stages', 'train'] });
  });

  it('a document in flow style', () => {
    expectCtx('{ version: 1, stages: { train: { kind: train, needs: [¦] } } }', { kind: 'value', path: ['stages', 'train', 'needs', 0] });
  });

  it('CRLF line ends', () => {
    expectCtx('stages:\r\n  train:\r\n    ¦\r\n', { kind: 'key', path: ['stages', 'train'] });
  });
});
