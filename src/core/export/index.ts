/**
 * Exporting a pipeline to remote CI: GitHub Actions or GitLab CI files
 * with an mlci marker (see marker.ts) so re-exports can tell their own
 * output from a hand-edited file. Design notes in README.md.
 */
import type { Pipeline } from '../pipeline/model';
import type { ExportOptions } from './ci-plan';
import { exportGithubWorkflow } from './github';
import { exportGitlabCi } from './gitlab';

export { CI_REPORT_FILE, DEFAULT_CLI, TRIGGER_FIRED_EXIT, ciPlan } from './ci-plan';
export type { CiPlan, ExportOptions } from './ci-plan';
export { exportGithubWorkflow } from './github';
export { exportGitlabCi } from './gitlab';
export { markerState } from './marker';
export type { MarkerState } from './marker';

export type CiProvider = 'github' | 'gitlab';

/** Default output path, relative to the repository root. */
export function defaultCiFile(provider: CiProvider): string {
  return provider === 'github' ? '.github/workflows/mlci.yml' : '.gitlab-ci.yml';
}

export function exportCi(provider: CiProvider, pipeline: Pipeline, opts: ExportOptions): string {
  return provider === 'github' ? exportGithubWorkflow(pipeline, opts) : exportGitlabCi(pipeline, opts);
}
