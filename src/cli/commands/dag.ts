/** `mlci dag`: the pipeline's stages and their `needs` as a graph, for a terminal, a README or Graphviz. */
import type { Command } from '../command';
import { CliError } from '../errors';
import { loadPipeline } from '../workspace';
import type { DagFormat } from '../../core/pipeline/dag';
import { formatDag } from '../../core/pipeline/dag';
import path from 'node:path';

const FORMATS: readonly DagFormat[] = ['text', 'mermaid', 'dot'];

export const dagCommand: Command = {
  name: 'dag',
  summary: 'print the pipeline graph (text, Mermaid or Graphviz DOT)',
  usage: 'mlci dag [--format text|mermaid|dot] [-f FILE]',
  help: `Prints the stages in layers: a stage comes after every stage it needs.
  text      one line a layer, each stage with its kind and what it needs
  mermaid   a flowchart for a README or PR (GitHub renders \`\`\`mermaid blocks)
  dot       Graphviz: mlci dag --format dot | dot -Tsvg > pipeline.svg

Options:
  -f, --file FILE        pipeline file (default: ./mlci.yaml, or the only one below)
  --format FORMAT        text (default), mermaid or dot

Examples:
  mlci dag
  mlci dag --format mermaid >> README.md`,
  options: {
    file: { type: 'string', short: 'f' },
    format: { type: 'string', default: 'text' },
  },
  allowPositionals: false,
  async run({ values }, io) {
    const format = String(values.format) as DagFormat;
    if (!FORMATS.includes(format)) throw new CliError(`--format must be one of ${FORMATS.join(', ')}, not '${format}'`);
    const loaded = await loadPipeline(io.cwd, values.file as string | undefined, io.err);
    io.out(formatDag(loaded.pipeline, format, loaded.pipeline.name ?? path.basename(loaded.file)));
    return 0;
  },
};
