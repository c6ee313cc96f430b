/**
 * `mlci checkout`: put the outputs mlci.lock records in place from the
 * cache, running nothing (after `git checkout` of another commit, or a
 * fresh clone with a pulled cache).
 */
import path from 'node:path';
import type { Command } from '../command';
import { loadPipeline } from '../workspace';
import { cacheDeps } from '../compose';
import { readLock } from '../../core/run/lockfile';
import { outOptionsOf } from '../../core/pipeline/model';

export const checkoutCommand: Command = {
  name: 'checkout',
  summary: 'restore the outputs recorded in mlci.lock from the cache, running nothing',
  usage: 'mlci checkout [STAGE...] [-f FILE]',
  help: `For each stage in mlci.lock (or the named ones), every output whose file or
folder differs from the recorded hash is replaced from .mlci/cache/. Outputs
with cache: false, and outputs whose objects are not in the cache, are listed
(run \`mlci cache pull\` or \`mlci run\` for those).

Exit codes: 0 everything in place, 1 some outputs could not be restored, 3 no pipeline.`,
  options: { file: { type: 'string', short: 'f' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const loaded = await loadPipeline(io.cwd, values.file as string | undefined, io.err);
    const { cache, hasher } = await cacheDeps(loaded.root);
    const lock = readLock(loaded.root);
    const names = positionals.length ? positionals : Object.keys(lock.stages);
    let restored = 0;
    let same = 0;
    const problems: string[] = [];
    for (const name of names) {
      const l = lock.stages[name];
      if (!l) {
        problems.push(`${name}: not in mlci.lock (never ran)`);
        continue;
      }
      const stage = loaded.pipeline.stageByName.get(name);
      const entry = stage ? cache.entryFor(stage, l.fingerprint) : undefined;
      for (const [out, hash] of Object.entries(l.outs ?? {})) {
        const abs = path.resolve(loaded.root, out);
        if ((await hasher.hashPath(abs))?.hash === hash) {
          same++;
          continue;
        }
        if (stage && !outOptionsOf(stage, out).cache) {
          problems.push(`${name}: ${out} has cache: false; run the stage to make it`);
          continue;
        }
        const kind = entry?.outs[out]?.kind ?? (cache.objects.has(hash, 'dir') ? 'dir' : 'file');
        const missing = cache.missingObjects({ hash, kind });
        if (missing) {
          problems.push(`${name}: ${out}: ${missing}; mlci cache pull, or mlci run ${name}`);
          continue;
        }
        try {
          cache.materialise(abs, { hash, kind });
          restored++;
          io.out(`restored ${path.relative(io.cwd, abs) || out} (${name})`);
        } catch (e) {
          problems.push(`${name}: ${out}: ${(e as Error).message}`);
        }
      }
    }
    await hasher.save();
    for (const p of [...cache.problems().map((c) => `corrupt cache object ${c.key} removed: ${c.reason}`), ...problems]) io.err(`mlci checkout: ${p}`);
    io.out(`${restored} output${restored === 1 ? '' : 's'} restored, ${same} already in place${problems.length ? `, ${problems.length} not restored` : ''}`);
    return problems.length ? 1 : 0;
  },
};
