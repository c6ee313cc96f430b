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
 * value of a chunk once; other columns by ColumnView.text (so a number column matches
 * "1.5" for a cell written "1.50": declare `type: text` to keep the characters).
 */
import { RE2JS } from 're2js';
import { isNumericColumn } from '../data/read';
import type { ColumnView } from './column-view';
import type { CheckResult } from './report';
import { plural } from './text';
import type { ColumnTotals, Tally } from './tally';
import { collect, Violations } from './violations';

export class RegexTally implements Tally {
  private readonly found = new Violations();
  private readonly compiled: RE2JS | string;

  constructor(private readonly pattern: string) {
    this.compiled = compileLinear(pattern);
  }

  add(view: ColumnView): void {
    const compiled = this.compiled;
    if (typeof compiled === 'string') return;
    const test = (text: string): boolean => compiled.matcher(text).find();
    const column = view.column;
    let bad: (i: number) => boolean;
    if (isNumericColumn(column)) bad = (i) => !test(view.text(i));
    else {
      const fails = column.dictionary.map((text) => !test(text));
      const codes = column.codes;
      bad = (i) => fails[codes[i]];
    }
    collect(this.found, view, bad);
  }

  result(col: ColumnTotals): CheckResult {
    const { pattern, found, compiled } = this;
    const base = { id: `columns.${col.name}.regex`, title: `${col.name} matches /${pattern}/`, column: col.name, expected: `matches /${pattern}/` };
    if (typeof compiled === 'string') return { ...base, passed: false, actual: 'invalid pattern', message: `${col.name}: ${compiled}` };
    if (found.count === 0) return { ...base, passed: true, actual: 'all match', value: 0, message: `${col.name}: all ${plural(col.present, 'value')} match /${pattern}/` };
    return {
      ...base,
      passed: false,
      actual: `${plural(found.count, 'value')} not matching`,
      value: found.count,
      message: `${col.name}: ${found.count} ${found.count === 1 ? 'value does' : 'values do'} not match /${pattern}/ (${found.firstShown()})`,
      examples: found.examples,
    };
  }
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
