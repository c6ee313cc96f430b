/**
 * What each kind of stage needs and ignores: container kinds need `run`
 * and an image; `data` needs `expect`; `drift` needs `reference` and
 * `current`. Fields the engine would ignore for a kind get a warning, so a
 * misplaced key is not silently dropped. Images are checked here too.
 */
import { CONTAINER_KINDS } from '../model';
import type { CheckContext } from './context';
import { ownField } from './context';
import { imageProblem } from './image';

const CONTAINER_ONLY = ['run', 'image', 'build', 'caches', 'env', 'secrets', 'network', 'resources', 'workdir', 'params', 'outs', 'metrics', 'history', 'reports', 'importances'];

export function checkStageShapes(ctx: CheckContext): void {
  const defaultImage = (ctx.data.defaults as Record<string, unknown> | undefined)?.image;
  if (typeof defaultImage === 'string') {
    const why = imageProblem(defaultImage);
    if (why) ctx.report('invalid-image', ['defaults', 'image'], `image '${defaultImage}' is not a valid Docker image reference: ${why}`);
  }
  for (const stage of ctx.pipeline.stages) {
    const base = ['stages', stage.name];
    const own = (f: string) => ownField(ctx, stage.name, f);
    if (own('image') && stage.image !== undefined) {
      const why = imageProblem(stage.image);
      if (why) ctx.report('invalid-image', [...base, 'image'], `image '${stage.image}' is not a valid Docker image reference: ${why}`);
    }
    if (CONTAINER_KINDS.includes(stage.kind)) {
      // A DVC `cmd` is reported as such (did you mean 'run'?): one mistake, one problem.
      // A test stage of `probe:` requests alone runs no command: mlci sends them.
      if (stage.run.length === 0 && !own('run') && !own('cmd') && !(stage.kind === 'test' && own('probe'))) {
        ctx.report('missing-run', base, `stage '${stage.name}' (kind ${stage.kind}) has no 'run' command`, { at: 'key' });
      }
      if (stage.image === undefined && stage.build === undefined && !(stage.kind === 'test' && stage.run.length === 0 && own('probe'))) {
        ctx.report('missing-key', base, `stage '${stage.name}' has no image: set 'image' or 'build' on it, or 'defaults.image' or 'defaults.build'`, { at: 'key' });
      }
      const metrics = (ctx.data.stages as Record<string, Record<string, unknown>>)[stage.name]?.metrics;
      if (metrics && typeof metrics === 'object' && !Array.isArray(metrics) && !('file' in metrics) && !('files' in metrics)) {
        ctx.report('missing-key', [...base, 'metrics'], `'metrics' of stage '${stage.name}' needs 'file' (one metrics file) or 'files' (several)`, { at: 'key' });
      }
      for (const f of ['expect', 'importance', 'reference', 'current', 'drift']) {
        if (own(f)) ctx.report('ignored-field', [...base, f], `'${f}' has no effect on a ${stage.kind} stage (it is for ${f === 'expect' || f === 'importance' ? 'data' : 'drift'} stages)`, { at: 'key', severity: 'warning' });
      }
      continue;
    }
    // Service and deliver stages: checks/service-shape.ts.
    if (stage.kind === 'service' || stage.kind === 'deliver') continue;
    // data and drift stages are computed by the engine, not in a container.
    for (const f of CONTAINER_ONLY) {
      if (own(f)) {
        ctx.report('ignored-field', [...base, f], `'${f}' has no effect on a ${stage.kind} stage: mlci computes ${stage.kind} stages itself, without a container`, { at: 'key', severity: 'warning' });
      }
    }
    if (stage.kind === 'data') {
      if (!own('expect') && !own('importance')) ctx.report('missing-expect', base, `data stage '${stage.name}' has no 'expect' block saying what to check (or 'importance' block saying what to measure)`, { at: 'key' });
      if (own('importance') && !stage.importance?.file && !stage.expect?.file) ctx.report('missing-key', [...base, 'importance'], `'importance' of data stage '${stage.name}' needs a 'file' (or an 'expect.file' to read)`, { at: 'key' });
      for (const f of ['reference', 'current', 'drift']) {
        if (own(f)) ctx.report('ignored-field', [...base, f], `'${f}' has no effect on a data stage (it is for drift stages)`, { at: 'key', severity: 'warning' });
      }
    } else if (stage.kind === 'drift') {
      for (const f of ['reference', 'current']) {
        if (!own(f)) ctx.report('missing-key', base, `drift stage '${stage.name}' is missing required key '${f}'`, { at: 'key' });
      }
      for (const f of ['expect', 'importance']) {
        if (own(f)) ctx.report('ignored-field', [...base, f], `'${f}' has no effect on a drift stage (it is for data stages)`, { at: 'key', severity: 'warning' });
      }
    }
  }
}
