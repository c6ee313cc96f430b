/**
 * Test Explorer: test, data, evaluate and drift stages are tests; their
 * gates and (after a run) their data checks are child tests. Running them
 * runs the stages through the engine; failures carry expected vs actual
 * and point at the stage in the pipeline file.
 */
import * as vscode from 'vscode';
import type { Stage } from '../../core/pipeline/model';
import { TEST_KINDS } from '../../core/pipeline/model';
import { pathKey } from '../../core/pipeline/source';
import type { RunRecord } from '../../core/run/record';
import type { PipelineEntry, PipelineRegistry } from './registry';
import type { RunService } from './run-service';
import { gateLabel } from './tree';

interface DataCheck {
  id: string;
  title: string;
  passed: boolean;
  expected: string;
  actual: string;
  message: string;
}

export class PipelineTests implements vscode.Disposable {
  readonly controller = vscode.tests.createTestController('mlci', 'ML Pipelines');
  /** The last outcome per test id (for the extension-host tests and the tree). */
  readonly lastResults = new Map<string, { state: 'passed' | 'failed' | 'skipped'; message?: string; expected?: string; actual?: string }>();
  readonly runProfile: vscode.TestRunProfile;
  private readonly disposables: vscode.Disposable[] = [this.controller];

  constructor(private readonly pipelines: PipelineRegistry, private readonly runs: RunService) {
    this.runProfile = this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (req, token) => this.runTests(req, token), true);
    this.controller.refreshHandler = async () => {
      await pipelines.refresh();
    };
    this.disposables.push(pipelines.onDidChange(() => this.sync()));
    this.sync();
  }

  private stageRange(entry: PipelineEntry, stage: string): vscode.Range | undefined {
    const info = entry.result.source?.index.get(pathKey(['stages', stage]));
    return info?.keyStart === undefined ? undefined : this.rangeAt(entry, info.keyStart, info.keyEnd!);
  }

  /** Mirror the pipelines into test items (ids stable across refreshes). */
  private sync(): void {
    const items: vscode.TestItem[] = [];
    for (const entry of this.pipelines.list()) {
      const p = entry.result.pipeline;
      if (!p) continue;
      for (const stage of p.stages.filter((s) => TEST_KINDS.includes(s.kind))) {
        const id = `${entry.uri.fsPath}#${stage.name}`;
        const item = this.controller.items.get(id) ?? this.controller.createTestItem(id, stage.name, entry.uri);
        // Labels and ranges follow the file as it is edited and saved.
        item.label = stage.name;
        item.description = stage.kind;
        item.range = this.stageRange(entry, stage.name);
        const children: vscode.TestItem[] = stage.gates.map((g) => {
          const gid = `${id}#gate-${g.index}`;
          const label = `gate: ${g.name ?? gateLabel(g)}`;
          const child = item.children.get(gid) ?? this.controller.createTestItem(gid, label, entry.uri);
          child.label = label;
          const info = entry.result.source?.index.get(pathKey(['stages', stage.name, 'gates', g.index]));
          child.range = info ? this.rangeAt(entry, info.start, info.end) : undefined;
          return child;
        });
        // Data checks and JUnit cases of the last run stay listed.
        for (const [cid, c] of item.children) {
          if (!cid.includes('#check-') && !cid.includes('#junit-')) continue;
          c.range = item.range;
          children.push(c);
        }
        item.children.replace(children);
        items.push(item);
      }
    }
    this.controller.items.replace(items);
  }

  private rangeAt(entry: PipelineEntry, start: number, end: number): vscode.Range | undefined {
    const text = entry.result.source?.text;
    if (text === undefined) return undefined;
    const pos = (o: number) => {
      const before = text.slice(0, o);
      return new vscode.Position(before.split('\n').length - 1, o - (before.lastIndexOf('\n') + 1));
    };
    return new vscode.Range(pos(start), pos(end));
  }

  private async runTests(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    // Group the requested items by pipeline file and stage.
    const wanted = new Map<string, Set<string>>();
    const add = (item: vscode.TestItem) => {
      const [file, stage] = item.id.split('#');
      if (!wanted.has(file)) wanted.set(file, new Set());
      wanted.get(file)!.add(stage);
    };
    if (request.include) request.include.forEach(add);
    else this.controller.items.forEach(add);
    const run = this.controller.createTestRun(request);
    token.onCancellationRequested(() => this.runs.stop());
    try {
      for (const [file, stages] of wanted) {
        const entry = this.pipelines.get(file);
        if (!entry?.result.pipeline) continue;
        const targets = [...stages];
        for (const s of targets) {
          const it = this.controller.items.get(`${file}#${s}`);
          if (it) run.started(it);
        }
        const record = await this.runs.run({ entry, targets, force: targets, title: `test ${targets.join(', ')}`, origin: 'test-explorer' });
        for (const s of targets) {
          const it = this.controller.items.get(`${file}#${s}`);
          const stage = entry.result.pipeline.stageByName.get(s);
          if (it && stage) this.report(run, entry, it, stage, record);
        }
      }
    } finally {
      run.end();
    }
  }

  private report(run: vscode.TestRun, entry: PipelineEntry, item: vscode.TestItem, stage: Stage, record: RunRecord | undefined): void {
    const location = item.range ? new vscode.Location(entry.uri, item.range) : undefined;
    const rec = record?.stages.find((s) => s.name === stage.name);
    if (!record || !rec) {
      run.skipped(item);
      return;
    }
    const took = rec.durationMs;
    if (rec.status === 'passed' || rec.status === 'cached' || rec.status === 'restored') {
      run.passed(item, took);
      this.lastResults.set(item.id, { state: 'passed' });
    } else if (rec.status === 'skipped' || rec.status === 'cancelled') {
      run.skipped(item);
      this.lastResults.set(item.id, { state: 'skipped', message: rec.reason ?? rec.status });
    } else {
      const msg = new vscode.TestMessage(`${stage.name} failed: ${rec.reason ?? rec.status}`);
      if (location) msg.location = location;
      run.failed(item, msg, took);
      this.lastResults.set(item.id, { state: 'failed', message: String(msg.message) });
    }
    // JUnit test cases of a test stage become child tests.
    const junit = record.reports?.[stage.name] as { kind?: string; cases?: Array<{ id: string; name: string; status: string; timeMs?: number; message?: string; details?: string }> } | undefined;
    if (junit?.kind === 'junit') {
      for (const c of junit.cases ?? []) {
        const cid = `${item.id}#junit-${c.id}`;
        const child = item.children.get(cid) ?? this.controller.createTestItem(cid, c.name, entry.uri);
        child.description = c.id.slice(0, Math.max(0, c.id.length - c.name.length - 1));
        item.children.add(child);
        if (c.status === 'passed') run.passed(child, c.timeMs);
        else if (c.status === 'skipped') run.skipped(child);
        else {
          const msg = new vscode.TestMessage(`${c.message ?? 'failed'}${c.details ? `\n\n${c.details}` : ''}`);
          if (location) msg.location = location;
          run.failed(child, msg, c.timeMs);
        }
        this.lastResults.set(cid, { state: c.status === 'passed' ? 'passed' : c.status === 'skipped' ? 'skipped' : 'failed', ...(c.message ? { message: c.message } : {}) });
      }
    }
    // Data checks become child tests with expected vs actual.
    const report = record.reports?.[stage.name] as { checks?: DataCheck[] } | undefined;
    for (const c of report?.checks ?? []) {
      const cid = `${item.id}#check-${c.id}`;
      const child = item.children.get(cid) ?? this.controller.createTestItem(cid, c.title, entry.uri);
      if (item.range) child.range = item.range;
      item.children.add(child);
      if (c.passed) {
        run.passed(child);
        this.lastResults.set(cid, { state: 'passed' });
      } else {
        const msg = vscode.TestMessage.diff(c.message, c.expected, c.actual);
        if (location) msg.location = location;
        run.failed(child, msg);
        this.lastResults.set(cid, { state: 'failed', message: c.message, expected: c.expected, actual: c.actual });
      }
    }
    // Gates: the run's results, with expected vs actual; a gate the run did
    // not evaluate is reported as not run, never as passed.
    item.children.forEach((child) => {
      const m = /#gate-(\d+)$/.exec(child.id);
      if (!m) return;
      const result = record.gates?.find((g) => g.stage === stage.name && g.index === Number(m[1]));
      if (!result || result.status === 'skipped') {
        run.skipped(child);
        this.lastResults.set(child.id, { state: 'skipped', ...(result ? { message: result.reason } : {}) });
      } else if (result.status === 'passed') {
        run.passed(child);
        this.lastResults.set(child.id, { state: 'passed' });
      } else {
        const msg = vscode.TestMessage.diff(result.reason, result.expected, result.actual);
        if (child.range) msg.location = new vscode.Location(entry.uri, child.range);
        run.failed(child, msg);
        this.lastResults.set(child.id, { state: 'failed', message: result.reason, expected: result.expected, actual: result.actual });
      }
    });
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
