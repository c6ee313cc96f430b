/**
 * Validator scaling (issue 11, point 7) and generated hostile files:
 * - a 4,000-stage cycle: each cycle reported once in full, linear output
 *   (before: the whole cycle per stage, 140 MB, 66 s);
 * - a huge `deps` list with duplicates: linear;
 * - hundreds of thousands of problems: capped at 1,000 with "and N more",
 *   never `Maximum call stack size exceeded` (before: one internal error line);
 * - a large valid file: time and memory printed (10 MB under the soak);
 * - thousands of seeded mutations of a valid file (100,000 under the soak):
 *   in process and through the bundled CLI, no crash, no hang.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { nodeFiles } from '../../src/core/node-files';
import { MAX_PROBLEMS, validatePipeline } from '../../src/core/pipeline/validate';
import { figures, probe, scale } from './figures';
import { bigDepsPipeline, largeValidPipeline, manyProblemsPipeline, mutatedPipeline, ringPipeline } from './generate';
import { buildCli, crashed, mlci, removeWorkspace, workspace } from './helpers';

const validate = (text: string, root = '/nonexistent-mlci-root') => validatePipeline({ file: 'mlci.yaml', text, root, files: nodeFiles });
const internal = (r: ReturnType<typeof validate>) => r.problems.find((p) => /internal validator error/.test(p.message));
const outputBytes = (r: ReturnType<typeof validate>) => r.problems.reduce((n, p) => n + p.message.length + 40, 0);

describe('reliability: validator scaling and generated files', function () {
  this.timeout(3600_000);

  it('a 4,000-stage cycle is named once in full; the output stays linear', async () => {
    const n = 4000;
    await probe('4,000-stage ring', () => {
      const t0 = performance.now();
      const r = validate(ringPipeline(n));
      const ms = performance.now() - t0;
      if (internal(r)) return { how: 'crash', detail: internal(r)!.message };
      const cycles = r.problems.filter((p) => p.code === 'cycle');
      assert.equal(cycles.length, MAX_PROBLEMS, 'every need on the cycle is marked, up to the cap');
      assert.match(r.problems.at(-1)!.message, new RegExp(`^and ${n - MAX_PROBLEMS} more problems`));
      assert.equal(cycles.filter((p) => /-> … \(\d+ more\) ->/.test(p.message)).length, 1, 'the long cycle is spelled out once, shortened');
      assert.ok(outputBytes(r) < 300 * n, `output ${outputBytes(r)} bytes for ${n} stages`);
      console.log(`      ring of ${n}: ${Math.round(ms)} ms, ${outputBytes(r)} bytes of problems`);
      return undefined;
    });
  });

  it('a deps list with many duplicates validates, problems capped with "and N more"', async () => {
    const n = scale(50_000, 200_000);
    await probe(`deps list of ${n}`, () => {
      const t0 = performance.now();
      const r = validate(bigDepsPipeline(n));
      const ms = performance.now() - t0;
      if (internal(r)) return { how: 'crash', detail: internal(r)!.message };
      assert.equal(r.problems.length, MAX_PROBLEMS + 1);
      assert.match(r.problems.at(-1)!.message, /^and \d+ more problems from here on/);
      console.log(`      deps list of ${n}: ${Math.round(ms)} ms`);
      return undefined;
    });
  });

  it('hundreds of thousands of problems: no stack overflow, the first 1,000 listed and the rest counted', async () => {
    const stages = scale(20_000, 150_000);
    await probe(`${stages * 2} problems`, () => {
      const t0 = performance.now();
      const r = validate(manyProblemsPipeline(stages));
      const ms = performance.now() - t0;
      if (internal(r)) return { how: 'crash', detail: internal(r)!.message };
      assert.equal(r.problems.length, MAX_PROBLEMS + 1);
      assert.equal(r.problems[0]!.code, 'unknown-key');
      const last = r.problems.at(-1)!;
      assert.equal(last.code, 'too-many-problems');
      const more = Number(/^and (\d+) more/.exec(last.message)![1]);
      assert.ok(more >= stages * 2 - MAX_PROBLEMS - 10, `${more} more`);
      console.log(`      ${stages * 2} problems: ${Math.round(ms)} ms`);
      return undefined;
    });
  });

  it('a large valid file validates (time and memory printed)', async () => {
    const bytes = scale(2_000_000, 10_000_000);
    const dir = workspace('large');
    try {
      mkdirSync(path.join(dir, 'src'));
      mkdirSync(path.join(dir, 'data'));
      writeFileSync(path.join(dir, 'src/train.py'), '');
      const text = largeValidPipeline(bytes);
      // Its deps exist (an empty data file per part would be 100,000 files: only the first ones).
      const before = process.memoryUsage().rss;
      const t0 = performance.now();
      const r = validate(text, dir);
      const ms = performance.now() - t0;
      const rss = process.memoryUsage().rss;
      await probe(`valid file of ${bytes} bytes`, () => {
        if (internal(r)) return { how: 'crash', detail: internal(r)!.message };
        assert.equal(r.problems.filter((p) => p.severity === 'error').length, 0, r.problems.slice(0, 3).map((p) => p.message).join('; '));
        return undefined;
      });
      console.log(`      valid file of ${(text.length / 1e6).toFixed(1)} MB: ${Math.round(ms)} ms, rss ${Math.round(before / 1e6)} -> ${Math.round(rss / 1e6)} MB`);
    } finally {
      removeWorkspace(dir);
    }
  });

  it('seeded mutations of a valid file: never an internal error, never a hang (in process)', () => {
    const n = scale(3000, 100_000);
    let slowest = 0;
    for (let seed = 1; seed <= n; seed++) {
      const text = mutatedPipeline(seed);
      const t0 = performance.now();
      let r;
      try {
        r = validate(text);
      } catch (e) {
        figures.loss(`mutation ${seed}`, 'crash', `threw ${(e as Error).message}`);
        continue;
      }
      const ms = performance.now() - t0;
      slowest = Math.max(slowest, ms);
      if (internal(r)) figures.loss(`mutation ${seed}`, 'crash', internal(r)!.message);
      else if (ms > 10_000) figures.loss(`mutation ${seed}`, 'hang', `${Math.round(ms)} ms`);
      else figures.ok();
    }
    console.log(`      ${n} mutated files, slowest ${Math.round(slowest)} ms`);
    assert.equal(figures.lost.filter((l) => l.probe.startsWith('mutation')).length, 0);
  });

  it('generated files through the bundled CLI (mlci validate, in batches): exit 0 or 1, no stack trace', async () => {
    buildCli();
    const n = scale(300, 5000);
    const dir = workspace('gen');
    try {
      const batch = 250;
      for (let start = 0; start < n; start += batch) {
        const files: string[] = [];
        for (let i = start; i < Math.min(n, start + batch); i++) {
          const f = `p${i}.mlci.yaml`;
          writeFileSync(path.join(dir, f), mutatedPipeline(1_000_000 + i));
          files.push(f);
        }
        const r = await mlci(['validate', ...files], dir, { hangMs: 300_000 });
        await probe(`mlci validate batch ${start}`, () => {
          if (r.hung) return { how: 'hang', detail: `batch from ${start} did not finish` };
          const crash = crashed(r);
          if (crash) return { how: 'crash', detail: crash };
          if (r.code !== 0 && r.code !== 1) return { how: 'other', detail: `exit ${r.code}: ${r.err.slice(0, 300)}` };
          return undefined;
        });
        figures.ok(files.length - 1);
      }
    } finally {
      removeWorkspace(dir);
    }
  });
});
