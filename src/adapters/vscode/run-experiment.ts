/**
 * Run Experiment…: a multi-step pick instead of a free-text box. Step 1
 * lists the params file's keys with their current values (the keys changed
 * last time are preselected); step 2 asks a value per chosen key, checked
 * against the type of its current value. One value per key runs once
 * (`mlci run --set`); a comma list sweeps a grid; a range (lo..hi) samples
 * a random sweep (step 3 asks how many runs). The answers are remembered
 * per workspace for the next time.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ParamValue } from '../../core/params';
import { flattenParams } from '../../core/experiments/compare';
import { formatValue } from '../../core/experiments/format';
import { checkExperimentValue, planExperiment } from '../../core/experiments/experiment-input';
import { offer } from './notify';
import type { PipelineEntry } from './registry';
import type { RunRequest, RunService } from './run-service';

export const LAST_OVERRIDES_KEY = 'mlci.lastExperiment';

/** The questions, behind a seam so extension-host tests can answer them (the run itself is real). */
export interface ExperimentUi {
  pickKeys(items: Array<{ key: string; current: string; last?: string }>, preselected: string[]): Promise<string[] | undefined>;
  askValue(key: string, opts: { value: string; current: string; step: number; steps: number; validate: (text: string) => string | undefined }): Promise<string | undefined>;
  askSamples(): Promise<number | undefined>;
  info(message: string): void;
}

const TITLE = 'Run Experiment';

export const vscodeExperimentUi: ExperimentUi = {
  async pickKeys(items, preselected) {
    const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { key: string }>();
    qp.title = `${TITLE}: params to change`;
    qp.step = 1;
    qp.totalSteps = 2;
    qp.canSelectMany = true;
    qp.placeholder = 'Choose the params to change (values next)';
    qp.items = items.map((i) => ({ key: i.key, label: i.key, description: `= ${i.current}`, ...(i.last !== undefined && i.last !== i.current ? { detail: `last experiment: ${i.last}` } : {}) }));
    qp.selectedItems = qp.items.filter((i) => preselected.includes(i.key));
    return new Promise((resolve) => {
      let done = false;
      qp.onDidAccept(() => {
        done = true;
        resolve(qp.selectedItems.map((i) => i.key));
        qp.hide();
      });
      qp.onDidHide(() => {
        if (!done) resolve(undefined);
        qp.dispose();
      });
      qp.show();
    });
  },
  async askValue(key, opts) {
    return vscode.window.showInputBox({
      title: `${TITLE}: ${key} (${opts.step}/${opts.steps})`,
      prompt: `Current value: ${opts.current}. One value runs once; a, b, c sweeps a grid; lo..hi (optionally :log or :int) samples a random range.`,
      value: opts.value,
      ignoreFocusOut: true,
      validateInput: opts.validate,
    });
  },
  async askSamples() {
    const text = await vscode.window.showInputBox({ title: `${TITLE}: random sweep`, prompt: 'How many runs to sample', value: '8', validateInput: (t) => (/^[1-9]\d*$/.test(t.trim()) ? undefined : 'A whole number of at least 1') });
    return text === undefined ? undefined : Number(text.trim());
  },
  info(message) {
    void vscode.window.showInformationMessage(message);
  },
};

/** Scalar and list params (dotted keys for nested ones), as Run Experiment offers them. */
export function experimentKeys(params: Record<string, unknown>): Record<string, ParamValue> {
  return flattenParams(params as Record<string, ParamValue>);
}

export async function runExperimentPicker(entry: PipelineEntry, params: Record<string, unknown>, runs: Pick<RunService, 'run'>, state: vscode.Memento, ui: ExperimentUi = vscodeExperimentUi): Promise<RunRequest | undefined> {
  const values = experimentKeys(params);
  const keys = Object.keys(values);
  if (!keys.length) {
    const file = entry.result.pipeline?.paramsFile ?? 'params.yaml';
    const exists = existsSync(path.resolve(entry.root, file));
    void offer('info', `No params to change: ${file} ${exists ? 'has no keys' : 'does not exist'}. Write the values your scripts read in ${file} (or name another file with params: in the pipeline file), and list the keys each stage reads under its params:.`, 'Open Pipeline File')
      .then((pick) => pick && vscode.commands.executeCommand('mlci.openPipelineFile', entry.uri));
    return undefined;
  }
  const last = state.get<Record<string, string>>(LAST_OVERRIDES_KEY) ?? {};
  const chosen = await ui.pickKeys(keys.map((k) => ({ key: k, current: formatValue(values[k]), ...(last[k] !== undefined ? { last: last[k] } : {}) })), keys.filter((k) => last[k] !== undefined));
  if (!chosen?.length) return undefined;
  const answers: Array<{ key: string; text: string }> = [];
  for (const [i, key] of chosen.entries()) {
    const current = values[key];
    const text = await ui.askValue(key, { value: last[key] ?? formatValue(current), current: formatValue(current), step: i + 1, steps: chosen.length, validate: (t) => checkExperimentValue(current, t) });
    if (text === undefined) return undefined;
    // The input box validates as you type; a test seam (or a paste) may not.
    const problem = checkExperimentValue(current, text);
    if (problem) {
      ui.info(`${key}: ${problem}`);
      return undefined;
    }
    answers.push({ key, text: text.trim() });
  }
  const plan = planExperiment(answers, (k) => values[k]);
  if ('error' in plan) {
    ui.info(`Run Experiment: ${plan.error}`);
    return undefined;
  }
  const unchanged = plan.kind === 'run' && answers.every((a) => a.text === formatValue(values[a.key]));
  if (unchanged) {
    ui.info('No value changed: nothing to try.');
    return undefined;
  }
  await state.update(LAST_OVERRIDES_KEY, { ...last, ...Object.fromEntries(answers.map((a) => [a.key, a.text])) });
  let req: RunRequest;
  if (plan.kind === 'run') req = { entry, targets: [], overrides: plan.sets, title: `experiment ${plan.sets.join(' ')}` };
  else if (plan.kind === 'grid') req = { entry, targets: [], sweep: { grid: plan.grid }, title: `sweep ${plan.grid.join(' ')}` };
  else {
    const samples = await ui.askSamples();
    if (!samples) return undefined;
    req = { entry, targets: [], sweep: { random: plan.random, samples }, title: `random sweep of ${samples}: ${plan.random.join(' ')}` };
  }
  // The one run path: the CLI through the run service, with the same
  // executor, engine, image mappings and jobs as every other run.
  const record = await runs.run(req);
  if (record?.status === 'passed') ui.info(`${plan.kind === 'run' ? 'Experiment' : 'Sweep'} ${req.title.replace(/^(experiment|sweep) /, '')} passed: it is in the Experiments view.`);
  return req;
}
