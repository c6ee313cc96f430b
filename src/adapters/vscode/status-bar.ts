/** The status bar item: the running run, or how the last one ended. */
import { formatMetric } from '../../core/metric-format';
import * as vscode from 'vscode';
import type { RunRecord } from '../../core/run/record';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mlci.status', vscode.StatusBarAlignment.Left, 20);

  constructor() {
    this.item.name = 'mlci';
    this.item.command = 'mlci.showLogs';
  }

  running(title: string): void {
    this.item.text = `$(sync~spin) mlci: ${title}`;
    this.item.tooltip = 'mlci is running stages. Click to show the log; MLCI: Stop Run cancels.';
    this.item.backgroundColor = undefined;
    this.item.show();
  }

  passed(text: string, record: RunRecord): void {
    const metrics = Object.entries(record.metrics).slice(0, 3).map(([k, v]) => `${k} ${formatMetric(v, record.metricFormats?.[k])}`).join(', ');
    this.item.text = `$(pass) mlci: ${text}`;
    this.item.tooltip = `Run ${record.id} passed${metrics ? `: ${metrics}` : ''}`;
    this.item.backgroundColor = undefined;
    this.item.show();
  }

  failed(text: string, detail: string): void {
    this.item.text = `$(error) mlci: ${text}`;
    this.item.tooltip = detail || text;
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
