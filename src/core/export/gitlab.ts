/**
 * `.gitlab-ci.yml`: the same design as the GitHub workflow (one job runs
 * the CI stages, scheduled pipelines retrain only when `mlci triggers
 * check` exits 10). GitLab differences: cron schedules live in the
 * project settings (CI/CD > Schedules), not in the file, so the crons are
 * listed in a comment; the check's verdict reaches the main job as a
 * dotenv artifact because `rules` are decided before any job runs.
 */
import type { Pipeline } from '../pipeline/model';
import type { CiPlan, ExportOptions } from './ci-plan';
import { CI_REPORT_FILE, REGISTRY_SECRETS, RETRAINED_LOCK, TRIGGER_FIRED_EXIT, ciPlan } from './ci-plan';
import { markerLine, withMarker } from './marker';
import { indent, shellWord, yamlScalar, yamlText } from './yaml-text';

const IS_SCHEDULE = '$CI_PIPELINE_SOURCE == "schedule"';

function header(plan: CiPlan): string[] {
  return [
    '#',
    `# Runs the mlci pipeline ${plan.pipelineFile} for merge requests, branch pushes, manual (web)${plan.hasTriggers ? ' and scheduled' : ''} pipelines.`,
    '# One job runs every CI stage: the mlci engine already orders the stages by',
    '# `needs` and runs independent ones in parallel, and a single job keeps the',
    '# stage output cache and the pulled Docker images in one place.',
    '# The content-addressed cache (.mlci/cache: outputs, run-cache, commit records;',
    '# .mlci/state: build and folder manifests) is restored before the run and',
    '# saved after it, so a push that changes no stage input runs no stage: each',
    '# one is restored from the cache instead. Stages run in Docker (docker:dind',
    '# service: the runner must allow privileged containers).',
    ...(plan.schedules.length ? [
      '# Create these pipeline schedules in CI/CD > Schedules (GitLab keeps crons',
      '# out of .gitlab-ci.yml), timezone UTC:',
      ...plan.schedules.map((c) => `#   ${c}`),
    ] : []),
    ...(plan.hasTriggers ? [
      '# Continuous training: scheduled pipelines first run `mlci triggers check`;',
      `# the main job retrains (forces the train stages) only when it exited ${TRIGGER_FIRED_EXIT}.`,
    ] : []),
    ...(plan.deliverStages.length ? [
      `# Delivery: after the mlci job passed on the default branch (push, web${plan.hasTriggers ? ', or a retrain' : ''}), the`,
      `# mlci-deliver job runs mlci deliver (verify, the service and its probes, then the push to`,
      `# ${plan.registries.join(', ')}) with ${REGISTRY_SECRETS.join(' and ')} from masked CI/CD variables.`,
    ] : []),
    `# Regenerate with: mlci export gitlab -f ${plan.pipelineFile}`,
  ];
}

/** The Docker-in-Docker service both container jobs use. */
const DIND = ['  services:', '    - docker:dind'];
const DIND_VARIABLES = ['    DOCKER_HOST: tcp://docker:2375', '    DOCKER_TLS_CERTDIR: ""'];

/** The lock-keyed cache of the content-addressed store (`policy: pull` for a job that only reads it). */
function cacheEntry(plan: CiPlan, pullOnly: boolean): string[] {
  return [
    '    - key:',
    '        files:',
    `          - ${yamlScalar(plan.lockFile)}`,
    `          - ${yamlScalar(plan.pipelineFile)}`,
    '        prefix: mlci-cache',
    '      paths:',
    `        - ${yamlScalar(plan.cacheDir)}`,
    `        - ${yamlScalar(plan.stateDir)}`,
    ...(pullOnly ? ['      policy: pull'] : []),
  ];
}

/** The line that ends a scheduled pipeline's job early when no trigger fired. */
function noTriggerExit(plan: CiPlan, what: string): string[] {
  return plan.hasTriggers ? [`    - ${yamlText(`if [ "$CI_PIPELINE_SOURCE" = schedule ] && [ "$MLCI_RETRAIN" != true ]; then echo "no continuous-training trigger fired, nothing to ${what}"; exit 0; fi`)}`] : [];
}

/**
 * mlci-deliver: on the default branch after the mlci job passed (a
 * scheduled pipeline only when it retrained), `mlci deliver` verifies the
 * commit from the cache, starts the services, probes them and pushes.
 * Merge request pipelines never run it (no branch there).
 */
function deliverJob(plan: CiPlan): string[] {
  const onDefault = '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH';
  return [
    'mlci-deliver:',
    '  stage: deliver',
    '  rules:',
    `    - if: '${onDefault} && $CI_PIPELINE_SOURCE == "push"'`,
    `    - if: '${onDefault} && $CI_PIPELINE_SOURCE == "web"'`,
    ...(plan.hasTriggers ? [`    - if: '${onDefault} && ${IS_SCHEDULE}'`] : []),
    '  needs:',
    '    - job: mlci',
    ...(plan.hasTriggers ? ['    - job: mlci-triggers', '      optional: true'] : []),
    ...DIND,
    `  # Registry credentials: define ${REGISTRY_SECRETS.join(' and ')} as masked (and protected)`,
    '  # CI/CD variables; mlci sends them with the push and never prints them (unset: anonymous).',
    '  variables:',
    ...DIND_VARIABLES,
    '  cache:',
    ...cacheEntry(plan, true),
    '    - *runs-cache',
    '  script:',
    ...noTriggerExit(plan, 'deliver'),
    ...indent(setupScript(plan), 4),
    ...(plan.hasTriggers ? [
      `    # A retrain: the mlci job's mlci.lock (kept as ${RETRAINED_LOCK}) records the retrained model.`,
      `    - ${yamlText(`if [ "$CI_PIPELINE_SOURCE" = schedule ]; then cp ${RETRAINED_LOCK} mlci.lock && ${plan.deliverRetrainedCommand}; else ${plan.deliverCommand}; fi`)}`,
    ] : [`    - ${yamlText(plan.deliverCommand)}`]),
    '  artifacts:',
    '    when: always',
    '    paths:',
    `      - ${yamlScalar(plan.reportFile)}`,
  ];
}

function setupScript(plan: CiPlan): string[] {
  return [
    '- if [ -f package-lock.json ]; then npm ci; fi',
    ...(plan.installCommand ? [`# Install ${plan.installWhat}`, `- ${yamlText(plan.installCommand)}`] : []),
    ...(plan.remote ? [`# Pull the cache from the remote (cache.remote: ${plan.remote})`] : []),
    `- ${yamlText(`cd ${shellWord(plan.dir)}`)}`,
  ];
}

function triggersJob(plan: CiPlan): string[] {
  return [
    'mlci-triggers:',
    '  stage: triggers',
    '  rules:',
    `    - if: '${IS_SCHEDULE}'`,
    '  cache:',
    '    - *runs-cache',
    '  script:',
    ...indent(setupScript(plan), 4),
    `    - ${yamlText(`code=0; ${plan.checkCommand} || code=$?`)}`,
    `    - ${yamlText(`if [ "$code" -eq ${TRIGGER_FIRED_EXIT} ]; then echo "MLCI_RETRAIN=true" > "$CI_PROJECT_DIR/mlci-triggers.env"; elif [ "$code" -eq 0 ]; then echo "MLCI_RETRAIN=false" > "$CI_PROJECT_DIR/mlci-triggers.env"; else exit "$code"; fi`)}`,
    '  artifacts:',
    '    reports:',
    '      dotenv: mlci-triggers.env',
  ];
}

function mainJob(plan: CiPlan): string[] {
  // expose_as wants folders written with a trailing slash. Run records and
  // stage logs only with ci.upload_logs (artifacts of a public project are public).
  const artifacts = plan.artifacts.map((p) => (p === plan.runsDir ? `${p}/` : p));
  // A retrain's mlci.lock, for the delivery job (written by scheduled pipelines only).
  if (plan.hasTriggers && plan.deliverStages.length) artifacts.push(plan.dir === '.' ? RETRAINED_LOCK : `${plan.dir}/${RETRAINED_LOCK}`);
  return [
    'mlci:',
    '  stage: mlci',
    '  rules:',
    '    - if: \'$CI_PIPELINE_SOURCE == "merge_request_event"\'',
    '    - if: \'$CI_PIPELINE_SOURCE == "push"\'',
    '    - if: \'$CI_PIPELINE_SOURCE == "web"\'',
    ...(plan.hasTriggers ? [`    - if: '${IS_SCHEDULE}'`] : []),
    ...(plan.hasTriggers ? ['  needs:', '    - job: mlci-triggers', '      optional: true'] : []),
    ...DIND,
    ...(plan.secrets.length ? [
      `  # Declared stage secrets: define ${plan.secrets.join(', ')} as masked (and protected)`,
      '  # CI/CD variables (Settings > CI/CD > Variables); GitLab puts them in the job\'s',
      '  # environment, where mlci reads them for the stages and masks them in its output.',
    ] : []),
    '  variables:',
    ...DIND_VARIABLES,
    '  cache:',
    '    # The content-addressed cache (.mlci/cache: outputs, run-cache, commit records)',
    '    # and .mlci/state (build and folder manifests), keyed by mlci.lock and the',
    '    # pipeline file: a push that changes no stage input restores every stage.',
    ...cacheEntry(plan, false),
    '    - *runs-cache',
    '  script:',
    ...noTriggerExit(plan, 'retrain'),
    ...indent(setupScript(plan), 4),
    ...(plan.remote ? [`    # Pull the cache from the remote (cache.remote: ${plan.remote}).`, `    - ${yamlText(plan.pullCommand)}`] : []),
    ...(plan.hasTriggers ? [
      `    - ${yamlText(`if [ "$CI_PIPELINE_SOURCE" = schedule ]; then ${plan.retrainCommand}${plan.deliverStages.length ? `; cp mlci.lock ${RETRAINED_LOCK}` : ''}; else ${plan.runCommand}; fi`)}`,
    ] : [`    - ${yamlText(plan.runCommand)}`]),
    '    # Bound the cache and the run history before GitLab saves them.',
    `    - ${yamlText(plan.gcCommand)}`,
    `    - ${yamlText(plan.pruneRunsCommand)}`,
    ...(plan.remote ? ['    # Push outputs, run-cache and this commit\'s metrics (baselines) to the remote.', `    - ${yamlText(plan.pushCommand)}`] : []),
    `    # ${CI_REPORT_FILE} is the Markdown summary of the run (kept as an artifact).`,
    '    # To post it on the merge request, add a step that sends it to the notes API,',
    '    # e.g. curl --header "PRIVATE-TOKEN: $MLCI_NOTES_TOKEN" --data-urlencode "body@.mlci/report.md"',
    '    #   "$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes"',
    '    # (MLCI_NOTES_TOKEN: a project access token with api scope, set as a masked CI/CD variable).',
    '  artifacts:',
    '    when: always',
    '    expose_as: mlci report',
    '    paths:',
    ...artifacts.map((p) => `      - ${yamlScalar(p)}`),
  ];
}

/** The text of `.gitlab-ci.yml` for `pipeline`, marker and hash included. */
export function exportGitlabCi(pipeline: Pipeline, opts: ExportOptions): string {
  const plan = ciPlan(pipeline, opts);
  const lines = [
    ...header(plan),
    'stages:',
    ...(plan.hasTriggers ? ['  - triggers'] : []),
    '  - mlci',
    ...(plan.deliverStages.length ? ['  - deliver'] : []),
    'workflow:',
    '  rules:',
    '    # Merge request pipelines, and branch pipelines only when no MR is open (no duplicates).',
    '    - if: \'$CI_PIPELINE_SOURCE == "merge_request_event"\'',
    '    - if: \'$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS && $CI_PIPELINE_SOURCE == "push"\'',
    '      when: never',
    '    - if: \'$CI_PIPELINE_SOURCE == "push"\'',
    '    - if: \'$CI_PIPELINE_SOURCE == "web"\'',
    ...(plan.hasTriggers ? [`    - if: '${IS_SCHEDULE}'`] : []),
    'default:',
    `  image: ${yamlScalar(`node:${pipeline.ci.node}`)}`,
    '# Run records, restored and saved by every job so the trigger check knows',
    '# when the model was last trained.',
    '.mlci-runs-cache: &runs-cache',
    '  key: mlci-runs',
    '  paths:',
    `    - ${yamlScalar(plan.runsDir)}`,
    ...(plan.hasTriggers ? triggersJob(plan) : []),
    ...mainJob(plan),
    ...(plan.deliverStages.length ? deliverJob(plan) : []),
  ];
  return withMarker(markerLine(plan.pipelineFile, 'gitlab'), lines.join('\n') + '\n');
}
