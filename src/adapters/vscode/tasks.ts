/**
 * Every stage as a VS Code task (type `mlci`), run through the bundled CLI
 * with the run service's settings, so a task, a run from the tree and
 * `mlci run` in a terminal behave the same. The problem
 * matcher `$mlci` turns pipeline validation errors into Problems. No tasks
 * are offered in an untrusted workspace (VS Code also blocks them there).
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { PipelineRegistry } from './registry';
import type { RunService } from './run-service';

export interface MlciTaskDefinition extends vscode.TaskDefinition {
  type: 'mlci';
  stage: string;
  file?: string;
  force?: boolean;
}

export class StageTaskProvider implements vscode.TaskProvider {
  constructor(private readonly pipelines: PipelineRegistry, private readonly runs: RunService) {}

  provideTasks(): vscode.Task[] {
    if (!vscode.workspace.isTrusted) return [];
    const tasks: vscode.Task[] = [];
    for (const entry of this.pipelines.list()) {
      const folder = vscode.workspace.getWorkspaceFolder(entry.uri);
      if (!folder || !entry.result.pipeline) continue;
      const file = path.relative(folder.uri.fsPath, entry.uri.fsPath).split(path.sep).join('/');
      for (const stage of entry.result.pipeline.stages) {
        tasks.push(this.make(folder, { type: 'mlci', stage: stage.name, ...(file !== 'mlci.yaml' ? { file } : {}) }));
      }
    }
    return tasks;
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const def = task.definition as MlciTaskDefinition;
    const folder = typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
    if (!def.stage || !folder || !vscode.workspace.isTrusted) return undefined;
    return this.make(folder, def);
  }

  private make(folder: vscode.WorkspaceFolder, def: MlciTaskDefinition): vscode.Task {
    // The run service's CLI, arguments and settings (executor, engine, image mappings, jobs).
    const exec = this.runs.taskExecution(folder.uri.fsPath, def);
    const task = new vscode.Task(def, folder, `${def.file ? `${def.file}: ` : ''}${def.stage}`, 'mlci', exec, '$mlci');
    task.detail = `mlci run ${def.stage}`;
    task.group = vscode.TaskGroup.Build;
    return task;
  }
}
