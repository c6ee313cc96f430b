/**
 * "New Pipeline": a first mlci.yaml made from what the repository holds
 * (tests, training and evaluation scripts, data files, a params file),
 * with comments that explain each part, so a new user starts from a file
 * that already validates and runs, and edits from there.
 */
import { parseParams } from './params';

export interface ScaffoldInput {
  /** Workspace-relative file paths with '/' separators. */
  files: string[];
  /** Top-level keys of the params file, if one exists. */
  paramKeys?: string[];
}

const DATA = /\.(csv|tsv|jsonl|ndjson|parquet)$/i;

/** Folders never looked into for the scaffold (tools' and environments' files). */
export const SCAFFOLD_SKIPPED = /(^|\/)(node_modules|\.git|\.mlci|\.venv|venv|__pycache__)\//;

/** Files looked at, at most: enough for a repository's layout, cheap in a huge tree. */
export const SCAFFOLD_MAX_FILES = 2000;

/** The params file the scaffold reads keys from: params.yaml, else params.json. */
export function scaffoldParamsFile(files: readonly string[]): string | undefined {
  return files.includes('params.yaml') ? 'params.yaml' : files.includes('params.json') ? 'params.json' : undefined;
}

/**
 * The pipeline for a folder, from its file list and the text of its params
 * file (scaffoldParamsFile): the one entry `mlci init` and the editor's New
 * Pipeline share, so both write the same file for the same folder.
 */
export function scaffoldFor(files: string[], paramsText: string | undefined): string {
  const parsed = paramsText === undefined ? undefined : parseParams(paramsText);
  return scaffoldPipeline({ files, ...(parsed?.ok ? { paramKeys: Object.keys(parsed.params.values) } : {}) });
}

function pick(files: string[], re: RegExp): string | undefined {
  return files.filter((f) => re.test(f)).sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b))[0];
}

export function scaffoldPipeline(input: ScaffoldInput): string {
  const files = input.files.filter((f) => !SCAFFOLD_SKIPPED.test(f));
  const params = scaffoldParamsFile(files);
  const testDir = files.some((f) => /^tests?\/.*test.*\.py$/.test(f)) ? (files.some((f) => f.startsWith('tests/')) ? 'tests' : 'test') : undefined;
  const train = pick(files, /(^|\/)train[^/]*\.py$/);
  const evaluate = pick(files, /(^|\/)(eval|evaluate)[^/]*\.py$/);
  const data = files.filter((f) => DATA.test(f)).sort();
  const trainData = data.find((f) => /train/i.test(f)) ?? data[0];
  const srcDir = train?.includes('/') ? train.slice(0, train.lastIndexOf('/') + 1) : undefined;
  const keys = (input.paramKeys ?? []).filter((k) => /^[A-Za-z_][\w.-]*$/.test(k)).slice(0, 8);

  const L: string[] = [
    '# mlci pipeline: each stage is a command in a container image (or a check run by',
    '# mlci itself), with the files it reads (deps) and writes (outs). `mlci run` runs',
    '# the stages in order and skips those whose inputs did not change.',
    '# Reference: docs/pipeline-file.md of mlci.',
    'version: 1',
    '',
  ];
  if (params) L.push(`params: ${params}               # hyperparameters; stages list the keys they read`, '');
  L.push('defaults:', ...imageLines(files));
  L.push(
    '  env: { PYTHONHASHSEED: "0" }   # reproducible hashing in Python',
    '  network: none                  # stages see no network: installs belong in the image',
    '',
  );
  if (train || evaluate) {
    L.push('metrics:                         # how to rank metrics (for gates and comparisons)', '  accuracy: { goal: max }', '  loss: { goal: min }', '');
  }
  L.push('stages:');
  const names: string[] = [];
  if (testDir) {
    names.push('unit-tests');
    L.push(
      '  unit-tests:',
      '    kind: test',
      `    run: python -m unittest discover -s ${testDir}`,
      `    deps: [${[...(srcDir ? [srcDir] : []), `${testDir}/`].join(', ')}]`,
    );
  }
  if (trainData) {
    names.push('validate-data');
    L.push(
      '  validate-data:',
      '    kind: data                   # checked by mlci itself, no container',
      `    deps: [${trainData}]`,
      '    expect:',
      `      file: ${trainData}`,
      '      rows: { min: 1 }',
      '      # columns:                 # add checks per column, e.g.',
      '      #   age: { type: number, min: 0, max: 120, nulls: 0 }',
    );
  }
  if (train) {
    names.push('train');
    const needs = names.filter((n) => n !== 'train');
    L.push(
      '  train:',
      '    kind: train',
      ...(needs.length ? [`    needs: [${needs.join(', ')}]`] : []),
      `    run: python ${train}`,
      // The script's folder, not the script alone: the modules it imports from there count too.
      `    deps: [${[srcDir ?? train, ...(trainData ? [trainData] : [])].join(', ')}]`,
      ...(params && keys.length ? [`    params: [${keys.join(', ')}]`] : []),
      '    # outs: [models/model.pkl]    # files the stage writes',
      '    # metrics: metrics/train.json # a JSON object of numbers, e.g. {"loss": 0.3}',
    );
  }
  if (evaluate) {
    names.push('evaluate');
    L.push(
      '  evaluate:',
      '    kind: evaluate',
      ...(train ? ['    needs: [train]'] : []),
      `    run: python ${evaluate}`,
      `    deps: [${evaluate.includes('/') ? evaluate.slice(0, evaluate.lastIndexOf('/') + 1) : evaluate}]`,
      '    # metrics: metrics/eval.json',
      '    # gates:                     # pass/fail rules on metrics',
      '    #   - { metric: accuracy, min: 0.8 }',
    );
  }
  if (names.length === 0) {
    L.push(
      '  hello:',
      '    run: echo "replace me with your first step"',
    );
  }
  return L.join('\n') + '\n';
}

/**
 * The stage image: `build:` when the repository has a Dockerfile; with only
 * a requirements/pyproject/environment file, the slim Python image and a
 * commented `build:` showing the Dockerfile that would install it.
 */
function imageLines(files: string[]): string[] {
  const dockerfile = pick(files, /(^|\/)Dockerfile$/);
  if (dockerfile) {
    const dir = dockerfile.includes('/') ? dockerfile.slice(0, dockerfile.lastIndexOf('/')) : '.';
    return [
      `  build: ${dir}${' '.repeat(Math.max(1, 24 - dir.length))}   # the stage image, built from ${dockerfile} (rebuilt when it or a file it`,
      `                                 # can COPY changes: list data and outputs in ${dir === '.' ? '' : `${dir}/`}.dockerignore)`,
    ];
  }
  const deps = pick(files, /^(requirements[^/]*\.txt|pyproject\.toml|environment\.ya?ml|conda\.ya?ml)$/);
  const lines = ['  image: python:3.12-slim        # every stage runs in this image unless it sets its own'];
  if (!deps) return lines;
  const conda = /^(environment|conda)\./.test(deps);
  return [
    ...lines,
    `  # ${deps} lists this project's packages: build the image with them instead of`,
    '  # `image:`. Put a Dockerfile in a small folder (say env/) with a copy of the file:',
    ...(conda
      ? ['  #   FROM condaforge/miniforge3', `  #   COPY ${deps} /tmp/`, `  #   RUN conda env update -n base -f /tmp/${deps}`]
      : deps === 'pyproject.toml'
        ? ['  #   FROM python:3.12-slim', '  #   COPY . /src', '  #   RUN pip install /src']
        : ['  #   FROM python:3.12-slim', `  #   COPY ${deps} /tmp/`, `  #   RUN pip install -r /tmp/${deps}`]),
    '  # then replace `image:` with:',
    '  # build: env                    # rebuilt (and its stages rerun) when the Dockerfile or the file changes',
  ];
}
