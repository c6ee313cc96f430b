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

export function checkParams(ctx: CheckContext): void {
  const { pipeline } = ctx;
  const users = pipeline.stages.filter((s) => s.params.length > 0);
  if (users.length === 0 && !pipeline.paramsFileExplicit) return;
  if (escapeReason(pipeline.paramsFile)) return; // reported by the path check
  const where = pipeline.paramsFileExplicit ? ['params'] : ['stages', users[0].name, 'params'];
  const abs = resolveIn(ctx.root, pipeline.paramsFile);
  const text = ctx.files.readText(abs);
  if (text === undefined) {
    ctx.report('params-file-missing', where, `params file '${pipeline.paramsFile}' does not exist or cannot be read` + (users.length ? ` (stage '${users[0].name}' reads ${users[0].params.map((k) => `'${k}'`).join(', ')})` : ''), {
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
  for (const stage of users) {
    stage.params.forEach((key, i) => {
      if (paramValue(values, key) !== undefined) return;
      const path = ['stages', stage.name, 'params', i];
      const guess = didYouMean(key, keys);
      const fixes: Fix[] = [];
      if (guess) fixes.push(replaceFix(ctx, path, guess, `Change to '${guess}'`));
      const add = addKeyFix(abs, text, key);
      if (add) fixes.push(add);
      ctx.report('unknown-param', path, `params key '${key}' is not in '${pipeline.paramsFile}'` + (guess ? `; did you mean '${guess}'?` : ''), { fixes });
    });
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
