/**
 * `regex`: every non-missing value, as text, matches a regular expression,
 * searched anywhere in the value as RegExp.test does: anchor with ^…$ to
 * match the whole value.
 *
 * Matching runs on RE2 (the re2js package: pure JS, linear time in the
 * length of the value), never on JavaScript's backtracking engine: a pattern
 * like `^(a+)+$` on a long run of `a`s followed by `!` took exponential time
 * there, blocking the process (and Ctrl+C) for minutes. RE2 has no
 * lookaround and no backreferences; a pattern using them is reported as
 * such, with what to do. The syntax is otherwise the common subset
 * (classes, \d \w \s, \p{L}, groups, alternation, counted repeats).
 *
 * A column read as text is tested by its exact characters, each distinct
 * value once; other columns by ColumnView.text (so a number column matches
 * "1.5" for a cell written "1.50": declare `type: text` to keep the characters).
 */
import { RE2JS } from 're2js';
import { isNumericColumn } from '../data/read';
import type { ColumnView } from './column-view';
import type { CheckResult } from './report';
import { plural } from './text';
import { collect } from './violations';

export function checkRegex(view: ColumnView, pattern: string): CheckResult {
  const base = { id: `columns.${view.name}.regex`, title: `${view.name} matches /${pattern}/`, column: view.name, expected: `matches /${pattern}/` };
  const compiled = compileLinear(pattern);
  if (typeof compiled === 'string') return { ...base, passed: false, actual: 'invalid pattern', message: `${view.name}: ${compiled}` };
  const re = { test: (text: string) => compiled.matcher(text).find() };
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

/** The pattern on RE2, or why it cannot run there (invalid, or a backtracking-only feature). */
export function compileLinear(pattern: string): RE2JS | string {
  try {
    return RE2JS.compile(pattern);
  } catch (err) {
    const why = (err as Error).message.replace(/^error parsing regexp: /, '');
    let validJs = true;
    try {
      new RegExp(pattern, 'u');
    } catch {
      validJs = false;
    }
    if (!validJs) return `the regex is not a valid regular expression: ${why}`;
    return `the regex uses a feature that needs a backtracking engine (lookahead/lookbehind or a backreference: ${why}); ` +
      'mlci matches with RE2, in time linear in each value, so that no pattern can hang a run: rewrite it without that feature';
  }
}
