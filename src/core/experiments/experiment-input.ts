/**
 * What a person types for one params key in Run Experiment…, checked
 * against the type of the key's current value, and what the answers for
 * several keys start: one run (`mlci run --set`), a grid sweep (a comma
 * list: `0.1, 0.01`) or a random sweep (a range: `0.001..0.1:log`), the
 * same forms as `mlci sweep --grid/--random`.
 */
import type { ParamValue } from '../params';
import type { OverrideError} from './overrides';
import { parseValue } from './overrides';
import { parseRandom, splitValues } from './grid';

export type ExperimentPlan =
  | { kind: 'run'; sets: string[] }
  | { kind: 'grid'; grid: string[] }
  | { kind: 'random'; random: string[] };

const RANGE = /^\s*-?[\d.eE+-]+\s*\.\.\s*-?[\d.eE+-]+(:(log|int|logint|uniform))?\s*$/;

function typeName(v: ParamValue | undefined): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  return typeof v;
}

/** Why `text` does not fit `current`'s type (a message for the input box), or undefined when it does. */
export function checkExperimentValue(current: ParamValue | undefined, text: string): string | undefined {
  const t = text.trim();
  if (t === '') return 'Enter a value (a, b, c for a grid; lo..hi for a random range).';
  const kind = typeName(current);
  if (RANGE.test(t)) {
    if (kind !== 'number') return `A range is for numbers; the current value is a ${kind}.`;
    try {
      parseRandom(`k=${t.replace(/\s+/g, '')}`);
      return undefined;
    } catch (e) {
      return (e as OverrideError).message.replace(/^--random k=/, '');
    }
  }
  const parts = kind === 'list' ? [t] : splitValues(t);
  for (const part of parts) {
    if (part === '') return 'An empty value between commas.';
    const v = parseValue(part);
    if (kind === 'number' && (typeof v !== 'number' || !Number.isFinite(v))) return `'${part}' is not a number (the current value ${String(current)} is a number).`;
    if (kind === 'boolean' && typeof v !== 'boolean') return `'${part}' is not true or false (the current value is a boolean).`;
    if (kind === 'list' && !Array.isArray(v)) return `Give a list like [1, 2] (the current value is a list).`;
  }
  return undefined;
}

/**
 * The experiment the answers ask for. Ranges make a random sweep, and then
 * every key needs one (a random sweep samples each key); a comma list makes
 * a grid (single values join it as one-value axes); otherwise one run.
 */
export function planExperiment(answers: ReadonlyArray<{ key: string; text: string }>, currentOf: (key: string) => ParamValue | undefined): ExperimentPlan | { error: string } {
  const norm = answers.map((a) => ({ key: a.key, text: a.text.trim() }));
  const ranges = norm.filter((a) => RANGE.test(a.text));
  if (ranges.length) {
    const fixed = norm.filter((a) => !RANGE.test(a.text));
    if (fixed.length) return { error: `a random sweep samples every key it changes: give a range (lo..hi) for ${fixed.map((a) => a.key).join(', ')} too, or use comma lists for a grid` };
    return { kind: 'random', random: norm.map((a) => `${a.key}=${a.text.replace(/\s+/g, '')}`) };
  }
  const lists = norm.filter((a) => !Array.isArray(currentOf(a.key)) && splitValues(a.text).length > 1);
  if (lists.length) return { kind: 'grid', grid: norm.map((a) => `${a.key}=${a.text}`) };
  return { kind: 'run', sets: norm.map((a) => `${a.key}=${a.text}`) };
}
