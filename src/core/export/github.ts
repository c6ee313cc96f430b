/**
 * `.github/workflows/mlci.yml`: one job runs the CI stages with
 * `mlci run --ci` (see README.md for why one job, not one per stage); on
 * scheduled runs a small job first runs `mlci triggers check` and the main
 * job retrains only when it exited 10.
 */
import type { Pipeline } from '../pipeline/model';
import type { CiPlan, ExportOptions } from './ci-plan';
import { CI_REPORT_FILE, REGISTRY_SECRETS, TRIGGER_FIRED_EXIT, ciPlan } from './ci-plan';
import { markerLine, withMarker } from './marker';
import { indent, yamlScalar, yamlText } from './yaml-text';

const CHECKOUT = 'actions/checkout@v4';
const SETUP_NODE = 'actions/setup-node@v4';
const CACHE = 'actions/cache@v4';
const UPLOAD = 'actions/upload-artifact@v4';
const DOWNLOAD = 'actions/download-artifact@v4';
const CACHE_RESTORE = 'actions/cache/restore@v4';
const RETRAINED_ARTIFACT = 'mlci-retrained-lock';

function header(plan: CiPlan): string[] {
  return [
    '#',
    `# Runs the mlci pipeline ${plan.pipelineFile} on push, pull request, manual dispatch${plan.schedules.length ? ' and schedule' : ''}.`,
    '# One job runs every CI stage: the mlci engine already orders the stages by',
    '# `needs` and runs independent ones in parallel, and a single job keeps the',
    '# stage output cache and the pulled Docker images in one place.',
    '# The content-addressed cache (.mlci/cache: outputs, run-cache, commit records;',
    '# .mlci/state: build and folder manifests) is restored before the run and',
    '# saved after it, so a push that changes no stage input runs no stage: each',
    '# one is restored from the cache instead.',
    ...(plan.hasTriggers ? [
      '# Continuous training: scheduled runs first run `mlci triggers check`; the',
      `# main job retrains (forces the train stages) only when it exits ${TRIGGER_FIRED_EXIT}.`,
    ] : []),
    ...(plan.deliverStages.length ? [
      `# Delivery: after the main job passed on the default branch (push, manual run${plan.hasTriggers ? ', or a retrain' : ''}),`,
      `# the deliver job runs mlci deliver (verify, the service and its probes, then the push to ${plan.registries.join(', ')})`,
      `# with ${REGISTRY_SECRETS.join(' and ')} from the repository's Actions secrets.`,
    ] : []),
    `# Regenerate with: mlci export github -f ${plan.pipelineFile}`,
  ];
}

/** The cache step of both jobs: what mlci run saves, what mlci deliver restores. */
function cacheStep(plan: CiPlan, uses: string, what: string): string[] {
  const files = [plan.lockFile, ...plan.keyFiles].map((f) => `'${f}'`).join(', ');
  return [
    `    - name: ${what}`,
    `      uses: ${uses}`,
    '      with:',
    '        path: |',
    `          ${plan.cacheDir}`,
    `          ${plan.stateDir}`,
    '        # Keyed by mlci.lock and the pipeline and params files (what the stage',
    '        # fingerprints come from) plus the commit, so every run saves its outputs;',
    '        # the restore keys find the newest entry for the same lock, else any.',
    `        key: mlci-cache-\${{ runner.os }}-\${{ hashFiles(${files}) }}-\${{ github.sha }}`,
    '        restore-keys: |',
    `          mlci-cache-\${{ runner.os }}-\${{ hashFiles(${files}) }}-`,
    '          mlci-cache-${{ runner.os }}-',
  ];
}

/** The summary and report upload steps (`always()`). */
function reportSteps(name: string, uploadLogs: boolean, artifacts: string[]): string[] {
  return [
    '    - name: Job summary',
    '      if: always()',
    '      run: |',
    `        if [ -f ${CI_REPORT_FILE} ]; then cat ${CI_REPORT_FILE} >> "$GITHUB_STEP_SUMMARY"; else echo "mlci wrote no report; see the log of the run step." >> "$GITHUB_STEP_SUMMARY"; fi`,
    // Run records and stage logs only with ci.upload_logs: anyone who can
    // read the repository can download artifacts.
    `    - name: ${uploadLogs ? 'Upload runs, logs and reports' : 'Upload reports'}`,
    '      if: always()',
    `      uses: ${UPLOAD}`,
    '      with:',
    `        name: ${name}`,
    '        path: |',
    ...artifacts.map((p) => `          ${p}`),
    '        if-no-files-found: ignore',
  ];
}

function setupSteps(plan: CiPlan, node: string, fullHistory: boolean): string[] {
  return [
    `- uses: ${CHECKOUT}`,
    ...(fullHistory ? ['  with:', '    # Regression gates read baseline metrics from git history.', '    fetch-depth: 0'] : []),
    `- uses: ${SETUP_NODE}`,
    '  with:',
    `    node-version: ${JSON.stringify(node)}`,
    '- name: Install Node dependencies (package-lock.json)',
    "  if: hashFiles('package-lock.json') != ''",
    '  working-directory: .',
    '  run: npm ci',
    ...(plan.installCommand ? [`- name: ${yamlScalar(`Install ${plan.installWhat}`)}`, `  run: ${yamlText(plan.installCommand)}`] : []),
    '- name: Restore run records (.mlci/runs)',
    `  uses: ${CACHE}`,
    '  with:',
    `    path: ${yamlScalar(plan.runsDir)}`,
    '    # A rolling cache: each job saves a new entry and restores the latest, so',
    '    # the trigger check knows when the model was last trained.',
    '    key: mlci-runs-${{ runner.os }}-${{ github.run_id }}-${{ github.run_attempt }}-${{ github.job }}',
    '    restore-keys: |',
    '      mlci-runs-${{ runner.os }}-',
  ];
}

function triggersJob(plan: CiPlan, pipeline: Pipeline): string[] {
  return [
    'triggers:',
    '  name: Check continuous-training triggers',
    "  if: github.event_name == 'schedule'",
    `  runs-on: ${yamlScalar(pipeline.ci.runner)}`,
    '  outputs:',
    '    retrain: ${{ steps.check.outputs.retrain }}',
    '  defaults:',
    '    run:',
    `      working-directory: ${yamlScalar(plan.dir)}`,
    '  steps:',
    ...indent(setupSteps(plan, pipeline.ci.node, false), 4),
    '    - name: mlci triggers check',
    '      id: check',
    '      run: |',
    `        code=0; ${plan.checkCommand} || code=$?`,
    `        if [ "$code" -eq ${TRIGGER_FIRED_EXIT} ]; then echo "retrain=true" >> "$GITHUB_OUTPUT"; exit 0; fi`,
    '        if [ "$code" -eq 0 ]; then echo "retrain=false" >> "$GITHUB_OUTPUT"; exit 0; fi',
    '        exit "$code"',
  ];
}

/** The declared secrets, from the repository's Actions secrets, for every step of the job. */
function secretsEnv(plan: CiPlan): string[] {
  if (!plan.secrets.length) return [];
  return [
    '  # Declared stage secrets, from the repository\'s Actions secrets (Settings > Secrets and',
    '  # variables > Actions); mlci passes them to the stages and masks them in its output.',
    '  env:',
    ...plan.secrets.map((n) => `    ${n}: \${{ secrets.${n} }}`),
  ];
}

function mainJob(plan: CiPlan, pipeline: Pipeline): string[] {
  return [
    'mlci:',
    '  name: mlci run',
    ...(plan.hasTriggers ? [
      '  needs: [triggers]',
      '  # Runs on every event except a scheduled one where no trigger fired.',
      "  if: ${{ !cancelled() && needs.triggers.result != 'failure' && (github.event_name != 'schedule' || needs.triggers.outputs.retrain == 'true') }}",
    ] : []),
    `  runs-on: ${yamlScalar(pipeline.ci.runner)}`,
    ...secretsEnv(plan),
    '  defaults:',
    '    run:',
    `      working-directory: ${yamlScalar(plan.dir)}`,
    '  steps:',
    ...indent(setupSteps(plan, pipeline.ci.node, true), 4),
    ...cacheStep(plan, CACHE, 'Restore the mlci cache (stage outputs and run-cache in .mlci/cache, manifests in .mlci/state)'),
    ...(plan.remote ? [
      `    - name: ${yamlScalar(`Pull the cache from the remote ${plan.remote}`)}`,
      `      run: ${yamlText(plan.pullCommand)}`,
    ] : []),
    '    - name: Run CI stages',
    ...(plan.hasTriggers ? ["      if: github.event_name != 'schedule'"] : []),
    `      run: ${yamlText(plan.runCommand)}`,
    ...(plan.hasTriggers ? [
      '    - name: Retrain (a continuous-training trigger fired)',
      "      if: github.event_name == 'schedule'",
      `      run: ${yamlText(plan.retrainCommand)}`,
      ...(plan.deliverStages.length ? [
        '    - name: Keep the retrained mlci.lock for the deliver job',
        "      if: github.event_name == 'schedule' && success()",
        `      uses: ${UPLOAD}`,
        '      with:',
        `        name: ${RETRAINED_ARTIFACT}`,
        `        path: ${yamlScalar(plan.lockFile)}`,
        '        retention-days: 1',
      ] : []),
    ] : []),
    '    - name: Bound the cache and the run history before they are saved',
    '      if: always()',
    '      run: |',
    `        ${plan.gcCommand}`,
    `        ${plan.pruneRunsCommand}`,
    ...(plan.remote ? [
      '    - name: Push the cache to the remote (outputs, run-cache, this commit\'s metrics for baselines)',
      "      if: success()",
      `      run: ${yamlText(plan.pushCommand)}`,
    ] : []),
    ...reportSteps(pipeline.ci.uploadLogs ? 'mlci-runs' : 'mlci-reports', pipeline.ci.uploadLogs, plan.artifacts),
  ];
}

/**
 * The deliver job: on the default branch, after the main job passed (and on
 * a schedule only when a trigger fired), `mlci deliver` verifies the commit
 * from the restored cache, starts the services, probes them and pushes.
 * Only this job gets the registry secrets; pull requests never run it.
 */
function deliverJob(plan: CiPlan, pipeline: Pipeline): string[] {
  const when = [
    '!cancelled()',
    "needs.mlci.result == 'success'",
    "github.event_name != 'pull_request'",
    "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)",
    ...(plan.hasTriggers ? ["(github.event_name != 'schedule' || needs.triggers.outputs.retrain == 'true')"] : []),
  ];
  return [
    'deliver:',
    '  name: mlci deliver',
    `  needs: [${plan.hasTriggers ? 'triggers, ' : ''}mlci]`,
    `  # The default branch only, after the main job passed${plan.hasTriggers ? ' (a scheduled run: only when it retrained)' : ''}.`,
    `  if: \${{ ${when.join(' && ')} }}`,
    `  runs-on: ${yamlScalar(pipeline.ci.runner)}`,
    "  # Registry credentials from the repository's Actions secrets (empty when unset: the push",
    '  # is anonymous); mlci sends them with the push and never prints them.',
    '  env:',
    ...plan.secrets.filter((n) => !(REGISTRY_SECRETS as readonly string[]).includes(n)).map((n) => `    ${n}: \${{ secrets.${n} }}`),
    ...REGISTRY_SECRETS.map((n) => `    ${n}: \${{ secrets.${n} }}`),
    '  defaults:',
    '    run:',
    `      working-directory: ${yamlScalar(plan.dir)}`,
    '  steps:',
    ...indent(setupSteps(plan, pipeline.ci.node, true), 4),
    ...cacheStep(plan, CACHE_RESTORE, 'Restore the mlci cache the mlci job saved (verify restores its stages from it)'),
    ...(plan.hasTriggers ? [
      '    - name: Take the retrained mlci.lock (a continuous-training trigger fired)',
      "      if: github.event_name == 'schedule'",
      `      uses: ${DOWNLOAD}`,
      '      with:',
      `        name: ${RETRAINED_ARTIFACT}`,
      `        path: ${yamlScalar(plan.dir)}`,
      '    - name: Deliver (verify, services and probes, push)',
      "      if: github.event_name != 'schedule'",
      `      run: ${yamlText(plan.deliverCommand)}`,
      '    - name: Deliver the retrained model (verify, services and probes, push)',
      "      if: github.event_name == 'schedule'",
      `      run: ${yamlText(plan.deliverRetrainedCommand)}`,
    ] : [
      '    - name: Deliver (verify, services and probes, push)',
      `      run: ${yamlText(plan.deliverCommand)}`,
    ]),
    ...reportSteps('mlci-delivery', pipeline.ci.uploadLogs, plan.artifacts),
  ];
}

/** The text of `.github/workflows/mlci.yml` for `pipeline`, marker and hash included. */
export function exportGithubWorkflow(pipeline: Pipeline, opts: ExportOptions): string {
  const plan = ciPlan(pipeline, opts);
  const lines = [
    ...header(plan),
    `name: ${yamlScalar(`mlci: ${plan.name}`)}`,
    'on:',
    '  push:',
    '  pull_request:',
    '  workflow_dispatch:',
    ...(plan.schedules.length ? ['  schedule:', ...plan.schedules.map((c) => `    - cron: ${JSON.stringify(c)}`)] : []),
    ...(plan.hasTriggers && !plan.schedules.length ? ['# triggers.drift / triggers.metric are checked on scheduled runs only: add triggers.schedule to check them.'] : []),
    'permissions:',
    '  contents: read',
    'jobs:',
    ...indent([...(plan.hasTriggers ? triggersJob(plan, pipeline) : []), ...mainJob(plan, pipeline), ...(plan.deliverStages.length ? deliverJob(plan, pipeline) : [])], 2),
  ];
  return withMarker(markerLine(plan.pipelineFile, 'github'), lines.join('\n') + '\n');
}
