/**
 * Living with Red Hat's YAML extension (redhat.vscode-yaml). package.json
 * maps our JSON Schema to pipeline files (`yamlValidation`), so without
 * this the YAML extension would report schema problems, suggest keys and
 * show hovers a second time, next to ours. Rule: one owner per feature.
 * While mlci validation is on, mlci answers the YAML extension's schema
 * request for pipeline files (its schema contributor API) with an empty
 * schema: the YAML extension keeps syntax checks, formatting and folding,
 * and mlci alone reports pipeline problems (the same set the CLI and CI
 * report, with exact ranges and quick fixes), completes and explains keys.
 * With `mlci.validation.enabled` off, the YAML extension gets our schema
 * back through `yamlValidation`.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { Config } from '../config';
import { isPipelineDocument } from '../documents';

export const YAML_EXTENSION_ID = 'redhat.vscode-yaml';
/** The URI scheme of the schema we hand out (the contributor's name, by the API's convention). */
const SCHEME = 'mlci-pipeline';
const QUIET_SCHEMA_URI = `${SCHEME}://schema/pipeline.json`;
const QUIET_SCHEMA = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'mlci pipeline (checked by the mlci extension)',
});

/** The part of the YAML extension's exported API used here (schema-extension-api.ts in vscode-yaml). */
interface YamlExtensionApi {
  registerContributor(schema: string, requestSchema: (resource: string) => string | undefined, requestSchemaContent: (uri: string) => string, label?: string): boolean;
}

export function isPipelineResource(resource: string): boolean {
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(resource, true);
  } catch {
    return false;
  }
  const base = path.posix.basename(uri.path);
  return uri.scheme === 'file' && (base === 'mlci.yaml' || base.endsWith('.mlci.yaml'));
}

export function coexistWithYamlExtension(config: Config, log: vscode.LogOutputChannel): vscode.Disposable {
  let hooked = false;
  const hook = async (): Promise<void> => {
    const ext = vscode.extensions.getExtension<YamlExtensionApi>(YAML_EXTENSION_ID);
    if (hooked || !ext) return;
    hooked = true;
    try {
      const api = ext.isActive ? ext.exports : await ext.activate();
      if (typeof api?.registerContributor !== 'function') {
        log.warn(`${YAML_EXTENSION_ID} has no schema contributor API: its schema problems for pipeline files may repeat mlci's`);
        return;
      }
      api.registerContributor(SCHEME, (resource) => (config.validationEnabled && isPipelineResource(resource) ? QUIET_SCHEMA_URI : undefined), () => QUIET_SCHEMA, 'mlci');
      log.info(`${YAML_EXTENSION_ID}: pipeline files are validated by mlci only`);
    } catch (e) {
      log.warn(`could not register with ${YAML_EXTENSION_ID}: ${(e as Error).message}`);
    }
  };
  // Activating the YAML extension costs a language server: only once a pipeline file is open.
  const whenPipelineOpen = (): void => {
    if (vscode.workspace.textDocuments.some(isPipelineDocument)) void hook();
  };
  const disposables = [
    vscode.workspace.onDidOpenTextDocument((d) => {
      if (isPipelineDocument(d)) void hook();
    }),
    // Installed or enabled while we run.
    vscode.extensions.onDidChange(whenPipelineOpen),
  ];
  whenPipelineOpen();
  return vscode.Disposable.from(...disposables);
}
