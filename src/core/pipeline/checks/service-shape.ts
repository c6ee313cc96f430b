/**
 * Service, probe and deliver stages: what each needs (a service its `run`,
 * image and `port`; a probe a service it `needs`; a deliver stage a service
 * and a registry) and the keys that mean nothing elsewhere.
 */
import type { CheckContext } from './context';
import { ownField } from './context';
import { outPaths } from '../../run/fingerprint';

const SERVICE_ONLY = ['port', 'host_port', 'health'];
const DELIVER_ONLY = ['service', 'registry', 'tag', 'artifact'];

/**
 * `artifact.files` of a deliver stage: each an output of a stage, or a dep of
 * the service it delivers (the model the served image was started with, as
 * in a serving pipeline beside the training one): what verify checked.
 */
function checkArtifactFiles(ctx: CheckContext, name: string, artifact: unknown, service: unknown): void {
  const files = (artifact as { files?: unknown } | undefined)?.files;
  if (!Array.isArray(files)) return;
  const served = typeof service === 'string' ? ctx.pipeline.stageByName.get(service) : undefined;
  const allowed = [
    ...ctx.pipeline.stages.flatMap((s) => outPaths(s)),
    ...(served?.kind === 'service' ? served.deps : []),
  ].map((o) => o.replace(/^\.\//, '').replace(/\/+$/, ''));
  files.forEach((f, i) => {
    if (typeof f !== 'string') return;
    const p = f.replace(/^\.\//, '').replace(/\/+$/, '');
    if (!allowed.some((o) => p === o || p.startsWith(`${o}/`))) {
      ctx.report('invalid-value', ['stages', name, 'artifact', 'files', i], `'${f}' in artifact.files of deliver stage '${name}' is neither a stage's output nor a dep of the service it delivers: list files the pipeline produces or serves, so what is delivered is what verify checked${allowed.length ? ` (e.g. ${allowed.slice(0, 6).join(', ')})` : ''}`);
    }
  });
}

export function checkServiceShapes(ctx: CheckContext): void {
  const stages = ctx.pipeline.stageByName;
  for (const stage of ctx.pipeline.stages) {
    const base = ['stages', stage.name];
    const own = (f: string) => ownField(ctx, stage.name, f);
    const raw = (ctx.data.stages as Record<string, Record<string, unknown>> | undefined)?.[stage.name] ?? {};
    if (stage.kind === 'service') {
      if (stage.run.length === 0 && !own('run')) ctx.report('missing-run', base, `service stage '${stage.name}' has no 'run' command (the server to start)`, { at: 'key' });
      if (stage.image === undefined && stage.build === undefined) ctx.report('missing-key', base, `service stage '${stage.name}' has no image: set 'image' or 'build' on it, or 'defaults.image' or 'defaults.build'`, { at: 'key' });
      if (!own('port')) ctx.report('missing-key', base, `service stage '${stage.name}' is missing required key 'port' (the port its server listens on)`, { at: 'key' });
      const health = raw.health as Record<string, unknown> | undefined;
      if (!health || typeof health !== 'object' || (!('http' in health) && !('cmd' in health))) {
        ctx.report('missing-key', own('health') ? [...base, 'health'] : base, `service stage '${stage.name}' needs 'health: { http: PATH }' or 'health: { cmd: COMMAND }' to know when it is ready`, { at: 'key' });
      } else if ('http' in health && 'cmd' in health) {
        ctx.report('invalid-value', [...base, 'health'], `'health' of service stage '${stage.name}' has both 'http' and 'cmd': keep one`, { at: 'key' });
      }
      for (const f of ['outs', 'metrics', 'history', 'reports', 'gates', 'probe']) {
        if (own(f)) ctx.report('ignored-field', [...base, f], `'${f}' has no effect on a service stage (a service runs until the run ends; the stages that need it produce results)`, { at: 'key', severity: 'warning' });
      }
      if (own('executor') && raw.executor !== 'docker') ctx.report('invalid-value', [...base, 'executor'], `service stage '${stage.name}' runs on Docker: 'executor: ${String(raw.executor)}' is not possible for a service (remove it, or use docker)`, { at: 'key' });
    } else {
      if (own('executor') && (stage.kind === 'data' || stage.kind === 'drift')) ctx.report('ignored-field', [...base, 'executor'], `'executor' has no effect on a ${stage.kind} stage (mlci computes it itself)`, { at: 'key', severity: 'warning' });
      if (own('executor') && stage.kind === 'deliver' && raw.executor !== 'docker') ctx.report('invalid-value', [...base, 'executor'], `deliver stage '${stage.name}' pushes with Docker: 'executor: ${String(raw.executor)}' is not possible (remove it)`, { at: 'key' });
      for (const f of SERVICE_ONLY) if (own(f)) ctx.report('ignored-field', [...base, f], `'${f}' has no effect on a ${stage.kind} stage (it is for service stages)`, { at: 'key', severity: 'warning' });
    }
    if (stage.kind === 'deliver') {
      if (!own('service')) ctx.report('missing-key', base, `deliver stage '${stage.name}' is missing required key 'service' (the service whose image is pushed)`, { at: 'key' });
      else if (typeof raw.service === 'string' && stages.get(raw.service)?.kind !== 'service') {
        const target = stages.get(raw.service);
        ctx.report(target ? 'wrong-stage-kind' : 'unknown-stage', [...base, 'service'], target ? `'service' of deliver stage '${stage.name}' must name a service stage; '${raw.service}' is a ${target.kind} stage` : `'service' of deliver stage '${stage.name}' names no stage: '${raw.service}'`);
      }
      if (!own('registry')) ctx.report('missing-key', base, `deliver stage '${stage.name}' is missing required key 'registry' (host:port/repository to push to)`, { at: 'key' });
      for (const f of ['run', 'outs', 'metrics', 'probe']) {
        if (own(f)) ctx.report('ignored-field', [...base, f], `'${f}' has no effect on a deliver stage (mlci tags and pushes the service's image itself)`, { at: 'key', severity: 'warning' });
      }
      checkArtifactFiles(ctx, stage.name, raw.artifact, raw.service);
    } else {
      for (const f of DELIVER_ONLY) if (own(f)) ctx.report('ignored-field', [...base, f], `'${f}' has no effect on a ${stage.kind} stage (it is for deliver stages)`, { at: 'key', severity: 'warning' });
    }
    if (own('probe')) {
      if (stage.kind !== 'test') ctx.report('ignored-field', [...base, 'probe'], `'probe' has no effect on a ${stage.kind} stage (it is for test stages)`, { at: 'key', severity: 'warning' });
      const list = Array.isArray(raw.probe) ? raw.probe : [raw.probe];
      for (const p of stage.probes ?? []) {
        const at = Array.isArray(raw.probe) ? [...base, 'probe', p.index, 'service'] : [...base, 'probe', 'service'];
        if (!list[p.index] || typeof list[p.index] !== 'object' || !('service' in (list[p.index] as object))) continue;
        const target = stages.get(p.service);
        if (!target) ctx.report('unknown-stage', at, `probe '${p.name}' of stage '${stage.name}' names no stage: '${p.service}'`);
        else if (target.kind !== 'service') ctx.report('wrong-stage-kind', at, `probe '${p.name}' of stage '${stage.name}' must name a service stage; '${p.service}' is a ${target.kind} stage`);
        else if (!stage.needs.includes(p.service)) ctx.report('missing-need', at, `stage '${stage.name}' probes service '${p.service}' but does not list it in 'needs' (mlci starts a service only for the stages that need it)`);
      }
    }
  }
}
