/**
 * A generated pipeline of N stages for benchmarks: a layered DAG (each
 * stage needs up to three stages of the previous layer), every stage with
 * deps, params, outs, metrics and a gate, so every check has work to do.
 */
export function generatePipeline(n: number): string {
  const lines = [
    'version: 1',
    'name: generated',
    'params: params.yaml',
    'defaults:',
    '  image: python:3.12-slim',
    '  env: { PYTHONHASHSEED: "0" }',
    '  resources: { cpus: 1, memory: 1g, timeout: 10m }',
    'metrics:',
    '  accuracy: { goal: max }',
    '  loss: { goal: min }',
    'stages:',
  ];
  const width = 20;
  for (let i = 0; i < n; i++) {
    const layer = Math.floor(i / width);
    const needs = layer === 0 ? [] : [0, 7, 13].map((k) => `s${(layer - 1) * width + ((i + k) % width)}`);
    lines.push(
      `  s${i}:`,
      `    kind: ${i % 5 === 0 ? 'test' : i % 5 === 1 ? 'train' : 'evaluate'}`,
      `    run: python src/step.py --stage ${i}`,
      ...(needs.length ? [`    needs: [${[...new Set(needs)].join(', ')}]`] : []),
      `    deps: [src/step.py${needs.length ? `, ${[...new Set(needs)].map((s) => `out/${s}.json`).join(', ')}` : ''}]`,
      '    params: [lr, epochs]',
      `    outs: [out/s${i}.json]`,
      `    metrics: metrics/s${i}.json`,
      '    gates:',
      '      - { metric: accuracy, min: 0.5 }',
    );
  }
  return lines.join('\n') + '\n';
}
