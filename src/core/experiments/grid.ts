/**
 * Sweep combinations: grids (`--grid lr=0.1,0.01`, cartesian product) and
 * seeded random search (`--random lr=0.001..0.1:log`).
 *
 * Grid: `KEY=V1,V2,...`; each value is a YAML scalar or flow list (commas
 * inside `[...]` do not split). The product is in a stable order: the
 * first --grid varies slowest, values in the order given.
 *
 * Random distributions (`KEY=SPEC`):
 *   `A..B`        uniform real in [A, B)
 *   `A..B:log`    log-uniform real in [A, B) (A, B > 0): for learning rates
 *   `A..B:int`    uniform integer in [A, B] (both ends included)
 *   `A..B:logint` log-uniform integer in [A, B]
 *   `V1,V2,...`   uniform choice among the values (YAML scalars)
 * Reals are rounded to 6 significant digits so names and records stay
 * readable. The same --seed, specs and --samples give the same samples.
 */
import type { ParamValue } from '../params';
import type { Override } from './overrides';
import { OverrideError, parseValue } from './overrides';

export type Combination = Override[];

/** Splits on commas outside brackets and quotes. */
export function splitValues(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let cur = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

function splitKey(text: string, flag: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) throw new OverrideError(`${flag} expects KEY=VALUES, not '${text}'`);
  return [text.slice(0, eq).trim(), text.slice(eq + 1).trim()];
}

export interface GridAxis {
  key: string;
  values: ParamValue[];
}

export function parseGrid(text: string): GridAxis {
  const [key, rest] = splitKey(text, '--grid');
  const values = splitValues(rest).map(parseValue);
  if (values.some((v) => v === '')) throw new OverrideError(`--grid ${text} has an empty value`);
  return { key, values };
}

/** The cartesian product; the first axis varies slowest. A key given twice is an error. */
export function gridCombinations(axes: readonly GridAxis[]): Combination[] {
  const seen = new Set<string>();
  for (const a of axes) {
    if (seen.has(a.key)) throw new OverrideError(`--grid names '${a.key}' twice; list all its values in one --grid`);
    seen.add(a.key);
  }
  let combos: Combination[] = [[]];
  for (const axis of axes) combos = combos.flatMap((c) => axis.values.map((value) => [...c, { key: axis.key, value }]));
  return axes.length ? combos : [];
}

export type Distribution =
  | { kind: 'uniform' | 'log'; min: number; max: number }
  | { kind: 'int' | 'logint'; min: number; max: number }
  | { kind: 'choice'; values: ParamValue[] };

export interface RandomAxis {
  key: string;
  dist: Distribution;
}

export function parseRandom(text: string): RandomAxis {
  const [key, spec] = splitKey(text, '--random');
  const m = /^(-?[\d.eE+-]+)\.\.(-?[\d.eE+-]+)(?::(log|int|logint|uniform))?$/.exec(spec);
  if (!m) {
    const values = splitValues(spec).map(parseValue);
    if (values.length < 2) throw new OverrideError(`--random ${text}: expected A..B[:log|:int|:logint] or a list V1,V2,...`);
    return { key, dist: { kind: 'choice', values } };
  }
  const min = Number(m[1]);
  const max = Number(m[2]);
  const kind = (m[3] ?? 'uniform') as 'uniform' | 'log' | 'int' | 'logint';
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) throw new OverrideError(`--random ${text}: need numbers A <= B`);
  if ((kind === 'log' || kind === 'logint') && min <= 0) throw new OverrideError(`--random ${text}: a log range needs A > 0`);
  if ((kind === 'int' || kind === 'logint') && (!Number.isInteger(min) || !Number.isInteger(max))) throw new OverrideError(`--random ${text}: an :int range needs whole numbers`);
  return { key, dist: { kind, min, max } };
}

/** mulberry32: a small, fast, well-distributed 32-bit PRNG; the same seed gives the same sequence everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round6 = (x: number) => Number(x.toPrecision(6));

export function sample(dist: Distribution, rand: () => number): ParamValue {
  const u = rand();
  switch (dist.kind) {
    case 'uniform': return round6(dist.min + u * (dist.max - dist.min));
    case 'log': return round6(Math.exp(Math.log(dist.min) + u * (Math.log(dist.max) - Math.log(dist.min))));
    case 'int': return dist.min + Math.floor(u * (dist.max - dist.min + 1));
    case 'logint': {
      const x = Math.floor(Math.exp(Math.log(dist.min) + u * (Math.log(dist.max + 1) - Math.log(dist.min))));
      return Math.min(dist.max, Math.max(dist.min, x));
    }
    case 'choice': return dist.values[Math.floor(u * dist.values.length)]!;
  }
}

/** `samples` combinations; axes are sampled in the order given, sample by sample. */
export function randomCombinations(axes: readonly RandomAxis[], samples: number, seed: number): Combination[] {
  if (!Number.isInteger(samples) || samples < 1) throw new OverrideError(`--samples must be a whole number of at least 1, not '${samples}'`);
  if (!Number.isInteger(seed)) throw new OverrideError(`--seed must be a whole number, not '${seed}'`);
  const rand = seededRandom(seed);
  const out: Combination[] = [];
  for (let i = 0; i < samples; i++) out.push(axes.map((a) => ({ key: a.key, value: sample(a.dist, rand) })));
  return out;
}

/** `lr=0.01 l2=0`: how a combination reads in run names and messages. */
export function describeCombination(c: Combination): string {
  return c.map((o) => `${o.key}=${typeof o.value === 'string' ? o.value : JSON.stringify(o.value)}`).join(' ');
}
