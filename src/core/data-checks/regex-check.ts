/**
 * `regex`: every non-missing value, as text, matches a JavaScript regular
 * expression. Matching is RegExp.test, as docs/pipeline-file.md and the
 * schema say: anchor with ^…$ to match the whole value. The pattern is
 * compiled with the `u` flag, as the pipeline validator checks it.
 *
 * A column read as text is tested by its exact characters, each distinct
 * value once; other columns by ColumnView.text (so a number column matches
 * "1.5" for a cell written "1.50": declare `type: text` to keep the characters).
 */
import { isNumericColumn } from '../data/read';
import type { ColumnView } from './column-view';
import type { CheckResult } from './report';
import { plural } from './text';
import { collect } from './violations';

export function checkRegex(view: ColumnView, pattern: string): CheckResult {
  const base = { id: `columns.${view.name}.regex`, title: `${view.name} matches /${pattern}/`, column: view.name, expected: `matches /${pattern}/` };
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'u');
  } catch (err) {
    const why = (err as Error).message.replace(/^Invalid regular expression: /, '');
    return { ...base, passed: false, actual: 'invalid pattern', message: `${view.name}: the regex is not a valid JavaScript regular expression: ${why}` };
  }
  const column = view.column;
  let bad: (i: number) => boolean;
  if (isNumericColumn(column)) bad = (i) => !re.test(view.text(i));
  else {
    const fails = column.dictionary.map((text) => !re.test(text));
    const codes = column.codes;
    bad = (i) => fails[codes[i]];
  }
  const found = collect(view, bad);
  if (found.count === 0) return { ...base, passed: true, actual: 'all match', value: 0, message: `${view.name}: all ${plural(view.length - view.nullCount, 'value')} match /${pattern}/` };
  return {
    ...base,
    passed: false,
    actual: `${plural(found.count, 'value')} not matching`,
    value: found.count,
    message: `${view.name}: ${found.count} ${found.count === 1 ? 'value does' : 'values do'} not match /${pattern}/ (${found.firstShown()})`,
    examples: found.examples,
  };
}
