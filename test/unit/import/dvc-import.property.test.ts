/**
 * Property: whatever valid dvc.yaml is imported (random stages with DVC's
 * fields and options, known and unknown), the mlci.yaml written validates
 * without errors, and each DVC field or option mlci has no equivalent for
 * is named in a `# dvc:` comment: nothing is dropped silently.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { importDvc } from '../../../src/core/import/dvc';
import { validatePipeline } from '../../../src/core/pipeline/validate';
import type { FileProbe } from '../../../src/core/ports';

const PARAMS = 'train:\n  lr: 0.1\n  epochs: 3\nprepare:\n  split: 0.2\nseed: 1\n';
const KEYS = ['train', 'train.lr', 'train.epochs', 'prepare.split', 'seed', 'prepare'];
const TEMPLATES = ['linear', 'confusion', 'scatter', 'custom/my-template.json'];
const UNMAPPED_OUT = ['remote', 'push', 'checkpoint', 'type', 'labels'];

const flagsArb = fc.record({
  cache: fc.option(fc.boolean(), { nil: undefined }),
  persist: fc.option(fc.boolean(), { nil: undefined }),
  desc: fc.option(fc.constantFrom('model', 'data'), { nil: undefined }),
  extra: fc.option(fc.constantFrom(...UNMAPPED_OUT), { nil: undefined }),
}, { requiredKeys: [] });

const stageArb = fc.record({
  cmdList: fc.boolean(),
  nOuts: fc.integer({ min: 0, max: 3 }),
  outFlags: fc.array(flagsArb, { minLength: 3, maxLength: 3 }),
  params: fc.subarray(KEYS),
  nMetrics: fc.integer({ min: 0, max: 2 }),
  plot: fc.option(fc.record({ template: fc.constantFrom(...TEMPLATES), xLabel: fc.boolean() }), { nil: undefined }),
  frozen: fc.boolean(),
  alwaysChanged: fc.boolean(),
  desc: fc.boolean(),
  meta: fc.boolean(),
  unknown: fc.boolean(),
  depOnEarlier: fc.nat(),
});

type StageGen = typeof stageArb extends fc.Arbitrary<infer T> ? T : never;

function dvcOf(stages: StageGen[]): { text: string; unmapped: string[] } {
  const out: Record<string, unknown> = {};
  const unmapped: string[] = [];
  const produced: string[] = [];
  stages.forEach((s, i) => {
    const name = `s${i}`;
    const st: Record<string, unknown> = { cmd: s.cmdList ? [`echo ${name}`, 'true'] : `echo ${name}` };
    const deps = produced.length ? [produced[s.depOnEarlier % produced.length]] : ['data/raw.csv'];
    st.deps = deps;
    if (s.params.length) st.params = s.params;
    const outs: unknown[] = [];
    for (let j = 0; j < s.nOuts; j++) {
      const p = `out/${name}/o${j}.bin`;
      produced.push(p);
      const f = s.outFlags[j];
      const flags: Record<string, unknown> = {};
      if (f.cache !== undefined) flags.cache = f.cache;
      if (f.persist !== undefined) flags.persist = f.persist;
      if (f.desc !== undefined) flags.desc = f.desc;
      if (f.extra !== undefined) {
        flags[f.extra] = f.extra === 'labels' ? ['a'] : f.extra === 'type' || f.extra === 'remote' ? 'x' : true;
        unmapped.push(f.extra);
      }
      outs.push(Object.keys(flags).length ? { [p]: flags } : p);
    }
    if (outs.length) st.outs = outs;
    if (s.nMetrics) st.metrics = Array.from({ length: s.nMetrics }, (_, j) => (j === 0 ? `m/${name}-${j}.json` : { [`m/${name}-${j}.json`]: { cache: false } }));
    if (s.plot) {
      const flags: Record<string, unknown> = { template: s.plot.template, x: 'step', y: 'loss' };
      if (s.plot.xLabel) {
        // x_label carries over; DVC's `header` has no mlci equivalent and is noted.
        flags.x_label = 'Step';
        flags.header = false;
        unmapped.push('header');
      }
      if (s.plot.template.includes('/')) unmapped.push('custom/my-template.json');
      st.plots = [{ [`p/${name}.csv`]: flags }];
    }
    if (s.frozen) st.frozen = true;
    if (s.alwaysChanged) st.always_changed = true;
    if (s.desc) st.desc = `stage ${name}`;
    if (s.meta) {
      st.meta = { owner: 'x' };
      unmapped.push('meta');
    }
    if (s.unknown) {
      st.live = { dir: 'live' };
      unmapped.push('live');
    }
    out[name] = st;
  });
  return { text: stringify({ stages: out }), unmapped };
}

describe('mlci import dvc: property', () => {
  it('imported files always validate, and what has no mlci equivalent is a # dvc: comment', () => {
    fc.assert(fc.property(fc.array(stageArb, { minLength: 1, maxLength: 6 }), (stages) => {
      const { text: dvc, unmapped } = dvcOf(stages);
      const files: FileProbe = {
        stat: (p) => (p.endsWith('dvc.yaml') || p.endsWith('params.yaml') || p.endsWith('data/raw.csv') ? 'file' : undefined),
        readText: (p) => (p.endsWith('dvc.yaml') ? dvc : p.endsWith('params.yaml') ? PARAMS : undefined),
      };
      const result = importDvc({ dir: '/project', files });
      const { problems } = validatePipeline({ file: 'mlci.yaml', text: result.text, root: '/project', files });
      const errors = problems.filter((p) => p.severity === 'error').map((p) => `${p.line}:${p.column} ${p.code}: ${p.message}`);
      assert.deepEqual(errors, [], `errors in\n${result.text}`);
      const comments = result.text.split('\n').filter((l) => /^\s*# dvc:/.test(l)).join('\n');
      for (const u of unmapped) assert.ok(comments.includes(u), `'${u}' dropped without a comment:\n${result.text}`);
      assert.equal(result.stages.length, stages.length);
    }), { numRuns: 150 });
  });
});
