/**
 * Pipeline files for the reliability suite: the large shapes of issue 11's
 * point 7 (a long cycle, a huge deps list, hundreds of thousands of
 * problems, a 10 MB valid file) and seeded random mutations of valid files
 * (for "never crash, never hang" runs over thousands of files).
 */
import { seededRandom } from '../../src/core/experiments/grid';

/** n stages in one ring: s0 needs s(n-1), s1 needs s0, ... */
export function ringPipeline(n: number): string {
  const lines = ['version: 1', 'defaults: { image: busybox }', 'stages:'];
  for (let i = 0; i < n; i++) lines.push(`  s${i}:`, '    run: echo', `    needs: [s${(i + n - 1) % n}]`);
  return lines.join('\n') + '\n';
}

/** One stage whose deps list has n items, every one written twice. */
export function bigDepsPipeline(n: number): string {
  const deps: string[] = [];
  for (let i = 0; i < n; i++) deps.push(`      - d/${i % Math.ceil(n / 2)}.csv`);
  return ['version: 1', 'defaults: { image: busybox }', 'stages:', '  a:', '    run: echo', '    deps:', ...deps].join('\n') + '\n';
}

/** n stages each with problems (unknown keys, unknown needs): about 2n problems. */
export function manyProblemsPipeline(n: number): string {
  const lines = ['version: 1', 'defaults: { image: busybox }', 'stages:'];
  for (let i = 0; i < n; i++) lines.push(`  s${i}:`, '    run: echo', `    nedds: [x]`, `    needs: [missing${i}]`);
  return lines.join('\n') + '\n';
}

/** A valid pipeline of about `bytes` bytes: many stages with deps, outs, params and env. */
export function largeValidPipeline(bytes: number): string {
  const head = 'version: 1\ndefaults: { image: busybox }\nstages:\n';
  const parts = [head];
  let size = head.length;
  for (let i = 0; size < bytes; i++) {
    const s = `  stage${i}:\n    run:\n      - python train.py --part ${i} --out out/${i}.bin\n      - echo done ${i}\n    deps: [src/train.py]\n    outs: [out/${i}.bin]\n    env: { PART: "${i}", MODE: fast }\n${i > 0 ? `    needs: [stage${i - 1}]\n` : ''}`;
    parts.push(s);
    size += s.length;
  }
  return parts.join('');
}

const SEED_FILE = `version: 1
params: params.yaml
defaults: { image: python:3.12-slim }
stages:
  prepare:
    run: python prepare.py
    deps: [data/raw.csv, prepare.py]
    outs: [data/train.csv]
  check:
    kind: data
    needs: [prepare]
    deps: [data/train.csv]
    expect:
      file: data/train.csv
      columns:
        id: { type: text, unique: true, regex: "^C[0-9]+$" }
        x: { type: number, min: 0 }
  train:
    needs: [check]
    run: [python train.py, echo ok]
    params: [lr, epochs]
    deps: [data/train.csv]
    outs: [model.bin]
    metrics: metrics.json
    resources: { timeout: 30m, memory: 2g }
    gates:
      - metric: accuracy
        min: 0.8
`;

const TOKENS = ['', ' ', '\n', ':', '- ', '[', ']', '{', '}', '"', "'", '&a', '*a', '<<: *a', '!!str', '#', '\t', '${x}', '..', '/', '\\', '\u0000', '\u001b[31m', '__proto__', 'constructor', 'needs: [train]', '999999999999999999999', '-1', 'true', 'null', '~', '30d', '0x1F', 'é', '🙂'];

/** A seeded mutation of a valid pipeline file: deletions, duplications and hostile tokens at random places. */
export function mutatedPipeline(seed: number): string {
  const rnd = seededRandom(seed);
  let text = SEED_FILE;
  const edits = 1 + Math.floor(rnd() * 6);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rnd() * text.length);
    const op = rnd();
    if (op < 0.3) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 20));
    else if (op < 0.6) text = text.slice(0, at) + TOKENS[Math.floor(rnd() * TOKENS.length)] + text.slice(at);
    else if (op < 0.8) {
      const lines = text.split('\n');
      const i = Math.floor(rnd() * lines.length);
      lines.splice(i, 0, lines[Math.floor(rnd() * lines.length)]!);
      text = lines.join('\n');
    } else {
      const len = Math.floor(rnd() * 40);
      text = text.slice(0, at) + text.slice(at, at + len).repeat(1 + Math.floor(rnd() * 4)) + text.slice(at + len);
    }
  }
  return text;
}
