/**
 * Reliability probe 8 (parts): hostile input reaching the terminal or the
 * readers. Raw ESC/OSC/bidi sequences in YAML keys and data values never
 * reach the terminal unescaped; a `__proto__` key (pipeline or params) gets
 * its own clear message; a corrupt Parquet footer a message about the file;
 * deeply nested JSON Lines a clear error instead of a stack overflow; drift
 * with columns on one side only, or none shared, a finding (exit 1, the
 * verify gate failing) instead of "no dataset drift". All through the
 * bundled CLI as a process.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { probe } from './figures';
import type { CliResult } from './helpers';
import { buildCli, crashed, mlci, removeWorkspace, workspace } from './helpers';
import { tinyParquet } from '../unit/data/tiny-parquet';

const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069]/;
const COLOURS = /\x1b\[(?:32|31|33|2|0)m/g;

function judged(r: CliResult, message: RegExp, codes: number[]): { how: 'hang' | 'crash' | 'other'; detail: string } | undefined {
  if (r.hung) return { how: 'hang', detail: `still running after ${r.ms} ms` };
  const c = crashed(r);
  if (c) return { how: 'crash', detail: c };
  const text = r.out + r.err;
  if (RAW_CONTROL.test(text.replace(COLOURS, ''))) return { how: 'other', detail: `a raw control character reached the terminal: ${JSON.stringify(text.match(RAW_CONTROL)?.[0])}` };
  if (!message.test(text)) return { how: 'other', detail: `no message matching ${message}: ${text.trim().split('\n').slice(-2).join(' | ')}` };
  if (!codes.includes(r.code ?? -1)) return { how: 'other', detail: `exit ${r.code}, expected ${codes.join(' or ')}` };
  return undefined;
}

describe('reliability: hostile input (bundled CLI)', function () {
  this.timeout(300_000);
  const dirs: string[] = [];
  before(() => buildCli());
  after(() => dirs.forEach(removeWorkspace));
  const ws = (files: Record<string, string>) => {
    const d = workspace('hostile', files);
    dirs.push(d);
    return d;
  };
  const LOCAL = { env: { MLCI_EXECUTOR: 'local' }, hangMs: 30_000 };

  it('escape sequences in YAML keys, stage output and data values are shown escaped', async () => {
    const sequences = ['\x1b[2J\x1b[H', '\x1b]52;c;cHduZWQ=\x07', '\x1b]0;owned\x07', '\u202eevil', '\x9b31m'];
    for (const seq of sequences) {
      const key = `k${seq}`;
      const dir = ws({ 'mlci.yaml': `version: 1\nstages:\n  a:\n    image: busybox\n    run: echo hi\n    ${JSON.stringify(key)}: 1\n` });
      await probe(`control sequence ${JSON.stringify(seq)} in a YAML key: mlci validate`, async () => judged(await mlci(['validate'], dir, LOCAL), /unknown-key/, [1]));
    }
    const out = ws({
      'mlci.yaml': 'version: 1\nstages:\n  a:\n    image: busybox\n    run: printf \'clear\\033[2Jtitle\\033]0;x\\007done\\n\'\n  check:\n    kind: data\n    expect:\n      file: d.csv\n      columns:\n        v: { in: [ok] }\n',
      'd.csv': 'v\nok\n"bad\x1b[2Jvalue"\n',
    });
    await probe('control sequences in stage output and a data value: mlci run', async () => judged(await mlci(['run'], out, LOCAL), /a +\| clear\\x1b\[2Jtitle\\x1b\]0;x\\x07done/, [1]));
  });

  it('a __proto__ key in the pipeline or the params file: its own message', async () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      ['top level', { 'mlci.yaml': 'version: 1\n__proto__:\n  x: 1\nstages:\n  a:\n    image: busybox\n    run: echo hi\n' }, /mlci\.yaml:2:1: error reserved-key: the key '__proto__' is not allowed/],
      ['stage name', { 'mlci.yaml': 'version: 1\nstages:\n  __proto__:\n    image: busybox\n    run: echo hi\n' }, /mlci\.yaml:3:3: error reserved-key/],
      ['params file', { 'mlci.yaml': 'version: 1\nstages:\n  a:\n    image: busybox\n    run: echo hi\n    params: [lr]\n', 'params.yaml': 'lr: 1\n__proto__:\n  lr: 2\n' }, /params-file-invalid: params file 'params\.yaml' cannot be read: the key '__proto__' is not allowed.*\(line 2, column 1\)/],
    ];
    for (const [where, files, message] of cases) {
      await probe(`__proto__ (${where}): mlci validate`, async () => judged(await mlci(['validate'], ws(files), LOCAL), message, [1]));
    }
  });

  it('drift with a column on one side only or none shared: dataset drift naming the columns and files, never "no drift"; verify fails on it', async () => {
    const dir = ws({
      'ref.csv': 'a,plan,age\n1,x,30\n2,y,31\n3,x,32\n4,y,33\n',
      'cur.csv': 'a,coupon\n1,1\n2,0\n3,1\n4,0\n',
      'other.csv': 'z\n1\n2\n',
    });
    const named = /dataset drift: columns "plan", "age" of reference ref\.csv missing from current cur\.csv; .*column "coupon" of current cur\.csv not in reference ref\.csv/;
    await probe('a column missing from current: mlci drift', async () => judged(await mlci(['drift', '--reference', 'ref.csv', '--current', 'cur.csv'], dir, LOCAL), named, [1]));
    await probe('a column missing from current: mlci drift --format json', async () => {
      const r = await mlci(['drift', '--reference', 'ref.csv', '--current', 'cur.csv', '--format', 'json'], dir, LOCAL);
      const report = JSON.parse(r.out) as { datasetDrift: boolean; problems: string[] };
      return report.datasetDrift && report.problems.length === 2 && r.code === 1 ? undefined : { how: 'other', detail: `exit ${r.code}: ${r.out.slice(0, 300)}` };
    });
    await probe('no column shared: mlci drift', async () => judged(await mlci(['drift', '--reference', 'ref.csv', '--current', 'other.csv'], dir, LOCAL), /dataset drift: .*no column is in both reference ref\.csv and current other\.csv, so nothing was compared/, [1]));
    await probe('one-sided columns excluded on purpose: mlci drift', async () => judged(await mlci(['drift', '--reference', 'ref.csv', '--current', 'cur.csv', '--exclude', 'plan', '--exclude', 'age', '--exclude', 'coupon'], dir, LOCAL), /no dataset drift: 0 of 1 column drifted/, [0]));

    const pipeline = (current: string) => `version: 1\nstages:\n  drift:\n    kind: drift\n    reference: ref.csv\n    current: ${current}\n    drift: { report: reports/drift.json }\n  check:\n    kind: evaluate\n    needs: [drift]\n    image: busybox\n    run: "true"\n    gates:\n      - { drift: drift }\n`;
    writeFileSync(path.join(dir, 'mlci.yaml'), pipeline('cur.csv'));
    await probe('a column missing from current: the drift gate of mlci verify', async () => judged(await mlci(['verify'], dir, LOCAL), /stage drift found dataset drift: columns "plan", "age" of reference ref\.csv missing from current cur\.csv/, [2]));
  });

  it('a corrupt Parquet footer and deeply nested JSON Lines: clear messages, no crash', async () => {
    const good = tinyParquet([{ name: 'x', type: 'int64', values: [1, 2, 3] }]);
    const bad = Buffer.from(good);
    const footer = good.readUInt32LE(good.length - 8);
    bad.fill(0xff, good.length - 8 - footer, good.length - 8);
    const dir = ws({});
    writeFileSync(path.join(dir, 'good.parquet'), good);
    writeFileSync(path.join(dir, 'bad.parquet'), bad);
    await probe('corrupt Parquet footer: mlci drift', async () => judged(await mlci(['drift', '--reference', 'good.parquet', '--current', 'bad.parquet'], dir, LOCAL), /bad\.parquet: the Parquet footer \(the file's metadata\) is corrupt and cannot be decoded/, [2]));

    const deep = ws({ 'mlci.yaml': 'version: 1\nstages:\n  check:\n    kind: data\n    expect:\n      file: data/deep.jsonl\n      columns:\n        a: {}\n' });
    mkdirSync(path.join(deep, 'data'));
    const d = 200_000;
    writeFileSync(path.join(deep, 'data/deep.jsonl'), `{"a": ${'['.repeat(d)}${']'.repeat(d)}}\n`);
    await probe('deeply nested JSONL: mlci run', async () => judged(await mlci(['run'], deep, LOCAL), /deep\.jsonl: line 1: JSON nested deeper than 1000 levels/, [1]));
    await probe('deeply nested JSONL: mlci drift', async () => judged(await mlci(['drift', '--reference', 'data/deep.jsonl', '--current', 'data/deep.jsonl'], deep, LOCAL), /JSON nested deeper than 1000 levels/, [2]));
  });
});
