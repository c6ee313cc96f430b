/**
 * New-stage skeletons offered where a stage name goes (a key under
 * `stages:`): one per kind, with the fields that kind needs to be valid,
 * shaped like the full example in docs/pipeline-file.md.
 */
import type { Candidate } from './completions';
import { enumValueDoc, schemaAt } from './schema';

const SKELETONS: Array<{ kind: string; body: string }> = [
  { kind: 'test', body: '${1:unit-tests}:\n  kind: test\n  run: ${2:python -m unittest discover -s tests}\n  deps: [${3:src/, tests/}]$0' },
  {
    kind: 'data',
    body: '${1:validate-data}:\n  kind: data\n  deps: [${2:data/train.csv}]\n  expect:\n    file: ${2}\n    rows: { min: ${3:1} }\n    columns:\n      ${4:column}: { type: ${5|number,integer,boolean,category,datetime,text|} }$0',
  },
  {
    kind: 'train',
    body: '${1:train}:\n  kind: train\n  needs: [$2]\n  run: ${3:python src/train.py}\n  deps: [${4:src/train.py}]\n  params: [$5]\n  outs: [${6:models/model.json}]\n  metrics: ${7:metrics/train.json}$0',
  },
  {
    kind: 'evaluate',
    body: '${1:evaluate}:\n  kind: evaluate\n  needs: [${2:train}]\n  run: ${3:python src/evaluate.py}\n  deps: [${4:src/evaluate.py}]\n  metrics: ${5:metrics/eval.json}\n  gates:\n    - { metric: ${6:accuracy}, min: ${7:0.8} }$0',
  },
  {
    kind: 'drift',
    body: '${1:drift}:\n  kind: drift\n  reference: ${2:data/train.csv}\n  current: ${3:data/current.csv}\n  drift:\n    share: ${4:0.5}\n    report: ${5:reports/drift.json}$0',
  },
  { kind: 'custom', body: '${1:stage}:\n  kind: custom\n  run: ${2:echo hello}$0' },
];

export function stageSnippets(): Candidate[] {
  const kindSchema = schemaAt(['stages', 'x', 'kind']);
  return SKELETONS.map((s, i) => ({
    label: `${s.kind} stage`,
    kind: 'snippet' as const,
    insertText: s.body,
    snippet: true,
    detail: `New ${s.kind} stage`,
    documentation: [kindSchema ? enumValueDoc(kindSchema, s.kind) : undefined, '```yaml\n' + preview(s.body) + '\n```'].filter(Boolean).join('\n\n'),
    sortText: `~${i}`,
  }));
}

/** The snippet as it reads once inserted with its placeholders' defaults. */
function preview(body: string): string {
  const defaults = new Map<string, string>();
  let out = body.replace(/\$\{(\d+)\|([^,|]*)[^}]*\}/g, (_, n: string, first: string) => (defaults.set(n, first), first));
  out = out.replace(/\$\{(\d+):([^{}]*)\}/g, (_, n: string, d: string) => (defaults.set(n, d), d));
  return out.replace(/\$\{(\d+)\}|\$(\d+)/g, (_, a?: string, b?: string) => defaults.get(a ?? b ?? '') ?? '');
}
