/**
 * Loads GitHub's own workflow parser (@actions/workflow-parser) in the
 * mocha process. The package is ESM-only and imports its JSON schema
 * without an import attribute, which Node 20 rejects; a one-line loader
 * hook serves those JSON files as JSON modules.
 */
import { register } from 'node:module';
import type * as WorkflowParserModule from '@actions/workflow-parser';

type WorkflowParser = typeof WorkflowParserModule;

const JSON_HOOK = `export async function load(url, context, next) {
  if (url.endsWith('.json') && url.includes('/@actions/')) {
    const { readFileSync } = await import('node:fs');
    return { format: 'json', source: readFileSync(new URL(url), 'utf8'), shortCircuit: true };
  }
  return next(url, context);
}`;

let loaded: Promise<WorkflowParser> | undefined;

export function workflowParser(): Promise<WorkflowParser> {
  if (!loaded) {
    register('data:text/javascript,' + encodeURIComponent(JSON_HOOK));
    loaded = import('@actions/workflow-parser');
  }
  return loaded;
}

/** Parse and convert `content` as GitHub does: every error message, and the workflow template. */
export async function parseGithubWorkflow(content: string) {
  const wp = await workflowParser();
  const parsed = wp.parseWorkflow({ name: 'mlci.yml', content }, new wp.NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length || !parsed.value) return { errors, template: undefined };
  const template = await wp.convertWorkflowTemplate(parsed.context, parsed.value);
  return { errors: (template.errors ?? []).map((e) => e.Message), template };
}
