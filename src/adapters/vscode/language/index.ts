/**
 * Editor features for pipeline files: diagnostics, completion, hover,
 * go to definition, outline, code lenses and quick fixes. Pure logic lives
 * in model/ (no vscode import, unit-tested on Node); each file here adapts
 * one feature to the VS Code API.
 */
import * as vscode from 'vscode';
import { PipelineCodeActions } from './code-actions';
import { StageCodeLens } from './code-lens';
import { PipelineCompletion, TRIGGER_CHARACTERS } from './completion';
import { PipelineDefinition } from './definition';
import { PipelineDiagnostics } from './diagnostics';
import { PipelineHover } from './hover';
import { PIPELINE_SELECTOR } from './selector';
import { PipelineSymbols } from './symbols';
import type { LanguageDeps } from './types';
import { coexistWithYamlExtension } from './yaml-extension';

export type { LanguageDeps, StageStatusFn } from './types';
export { PIPELINE_SELECTOR } from './selector';

/** Where quick fixes are offered: pipeline files, and the files they read (params) where problems may be shown. */
const FIX_SELECTOR: vscode.DocumentFilter[] = [...PIPELINE_SELECTOR, { scheme: 'file', pattern: '**/*.{yaml,yml,json}' }];

export function registerLanguageFeatures(deps: LanguageDeps): vscode.Disposable[] {
  const diagnostics = new PipelineDiagnostics(deps.config, deps.registry);
  const lenses = new StageCodeLens(deps.config, deps.stageStatus, deps.onDidChangeStatus);
  return [
    diagnostics,
    lenses,
    vscode.languages.registerCompletionItemProvider(PIPELINE_SELECTOR, new PipelineCompletion(), ...TRIGGER_CHARACTERS),
    vscode.languages.registerHoverProvider(PIPELINE_SELECTOR, new PipelineHover(deps.stageStatus)),
    vscode.languages.registerDefinitionProvider(PIPELINE_SELECTOR, new PipelineDefinition()),
    vscode.languages.registerDocumentSymbolProvider(PIPELINE_SELECTOR, new PipelineSymbols(), { label: 'mlci pipeline' }),
    vscode.languages.registerCodeLensProvider(PIPELINE_SELECTOR, lenses),
    vscode.languages.registerCodeActionsProvider(FIX_SELECTOR, new PipelineCodeActions(diagnostics), PipelineCodeActions.metadata),
    coexistWithYamlExtension(deps.config, deps.log),
  ];
}
