/**
 * Params: the keys stages list must exist in the params file. A missing or
 * unreadable params file is reported once, at the `params:` setting (or at
 * the first stage that lists params when the file is the default one).
 */
import { escapeReason, resolveIn } from '../../paths';
import { parseParams, paramValue } from '../../params';
import { didYouMean } from '../../text/suggest';
import type { CheckContext } from './context';
import { replaceFix } from './context';
import type { Fix } from '../../problems';
import type { ParamRef } from '../param-refs';
import { paramRefs } from '../param-refs';

export function checkParams(ctx: CheckContext): void {
  const { pipeline } = ctx;
  const refsOf = (stage: string) => paramRefs((ctx.data.stages as Record<string, Record<string, unknown>> | undefined)?.[stage]?.params, ['stages', stage, 'params'], pipeline.paramsFile);
  const users = pipeline.stages.filter((s) => s.params.length > 0).map((s) => ({ stage: s, refs: refsOf(s.name) }));
  const own = users.filter((u) => u.refs.some((r) => r.file === undefined));
  checkOtherFiles(ctx, users);
  if (own.length === 0 && !pipeline.paramsFileExplicit) return;
  if (escapeReason(pipeline.paramsFile)) return; // reported by the path check
  const first = own[0];
  const where = pipeline.paramsFileExplicit ? ['params'] : ['stages', first.stage.name, 'params'];
  const abs = resolveIn(ctx.root, pipeline.paramsFile);
  const text = ctx.files.readText(abs);
  const unreadable = text === undefined ? ctx.files.readError?.(abs) : undefined;
  if (unreadable) {
    // There, but not readable as a params file (a FIFO, a device, too large): say which.
    ctx.report('params-file-invalid', where, `params file '${pipeline.paramsFile}' cannot be read: ${unreadable.split(abs).join(pipeline.paramsFile)}`, { at: pipeline.paramsFileExplicit ? 'value' : 'key' });
    return;
  }
  if (text === undefined) {
    ctx.report('params-file-missing', where, `params file '${pipeline.paramsFile}' does not exist or cannot be read` + (first ? ` (stage '${first.stage.name}' reads ${first.refs.filter((r) => !r.file).map((r) => `'${r.key}'`).join(', ')})` : ''), {
      at: pipeline.paramsFileExplicit ? 'value' : 'key',
    });
    return;
  }
  const parsed = parseParams(text);
  if (!parsed.ok) {
    const at = parsed.line ? ` (line ${parsed.line}, column ${parsed.column})` : '';
    ctx.report('params-file-invalid', where, `params file '${pipeline.paramsFile}' cannot be read: ${parsed.message}${at}`, { at: pipeline.paramsFileExplicit ? 'value' : 'key' });
    return;
  }
  const { keys, values } = parsed.params;
  for (const { refs } of own) {
    for (const ref of refs) {
      if (ref.file !== undefined || ref.name === '' || paramValue(values, ref.name) !== undefined) continue;
      const path = ref.at;
      const guess = didYouMean(ref.name, keys);
      const fixes: Fix[] = [];
      if (guess) fixes.push(replaceFix(ctx, path, guess, `Change to '${guess}'`));
      const add = addKeyFix(abs, text, ref.name);
      if (add) fixes.push(add);
      ctx.report('unknown-param', path, `params key '${ref.name}' is not in '${pipeline.paramsFile}'` + (guess ? `; did you mean '${guess}'?` : ''), { fixes });
    }
  }
}

/** `file:key` entries: the file must be a readable YAML/JSON mapping with that key. */
function checkOtherFiles(ctx: CheckContext, users: Array<{ refs: ParamRef[] }>): void {
  const cache = new Map<string, ReturnType<typeof parseParams> | undefined>();
  for (const { refs } of users) {
    for (const ref of refs) {
      if (ref.file === undefined) continue;
      const why = escapeReason(ref.file);
      if (why) {
        ctx.report('path-escapes-workspace', ref.at, `params file '${ref.file}' is not allowed: ${why}; paths are relative to the pipeline's folder and must stay inside it`);
        continue;
      }
      if (/\.(toml|py)$/.test(ref.file)) {
        ctx.report('params-file-invalid', ref.at, `params file '${ref.file}': mlci reads YAML and JSON params files; convert it to YAML`);
        continue;
      }
      if (!cache.has(ref.file)) {
        const text = ctx.files.readText(resolveIn(ctx.root, ref.file));
        cache.set(ref.file, text === undefined ? undefined : parseParams(text));
      }
      const parsed = cache.get(ref.file);
      const fileAt = ref.fileAt ?? ref.at;
      const opts = ref.fileAt ? { at: 'key' as const } : {};
      if (!parsed) ctx.report('params-file-missing', fileAt, `params file '${ref.file}' does not exist or cannot be read`, opts);
      else if (!parsed.ok) ctx.report('params-file-invalid', fileAt, `params file '${ref.file}' cannot be read: ${parsed.message}` + (parsed.line ? ` (line ${parsed.line}, column ${parsed.column})` : ''), opts);
      else if (ref.name !== '' && paramValue(parsed.params.values, ref.name) === undefined) {
        const guess = didYouMean(ref.name, parsed.params.keys);
        ctx.report('unknown-param', ref.at, `params key '${ref.name}' is not in '${ref.file}'` + (guess ? `; did you mean '${guess}'?` : ''));
      }
    }
  }
}

/** Append a top-level key (or a nested one whose parent is absent) to the params file. */
function addKeyFix(file: string, text: string, key: string): Fix | undefined {
  const parts = key.split('.');
  const lines = parts.map((p, i) => `${'  '.repeat(i)}${p}:${i === parts.length - 1 ? ' null  # TODO: set a value' : ''}`);
  // Only when the top-level part is absent: nested insertion into an existing block is left to the user.
  if (parts.length > 1 && new RegExp(`^${parts[0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:`, 'm').test(text)) return undefined;
  if (/^\s*[{[]/.test(text)) return undefined; // JSON params file: do not write YAML into it
  const prefix = text.length === 0 || text.endsWith('\n') ? '' : '\n';
  return { title: `Add '${key}' to the params file`, file, edits: [{ start: text.length, end: text.length, text: `${prefix}${lines.join('\n')}\n` }] };
}
