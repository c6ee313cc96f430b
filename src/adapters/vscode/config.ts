/**
 * Settings under `mlci.*`, read through one typed class so every reader
 * gets the same defaults and validation (rust-analyzer's Config habit).
 */
import * as vscode from 'vscode';

export type ExecutorSetting = 'auto' | 'docker' | 'local' | 'slurm';

export class Config {
  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('mlci');
  }
  get executor(): ExecutorSetting {
    const v = this.cfg.get<string>('executor', 'auto');
    return v === 'docker' || v === 'local' || v === 'slurm' ? v : 'auto';
  }
  get dockerHost(): string | undefined {
    return this.cfg.get<string>('dockerHost', '').trim() || undefined;
  }
  get imageMappings(): Map<string, string> {
    const raw = this.cfg.get<Record<string, unknown>>('imageMappings', {});
    return new Map(Object.entries(raw ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
  }
  get engines(): Record<string, unknown> {
    const raw = this.cfg.get<Record<string, unknown>>('engines', {});
    return raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {};
  }
  get jobs(): number | undefined {
    const n = this.cfg.get<number>('jobs', 0);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  }
  get runOnSave(): boolean {
    return this.cfg.get<boolean>('runOnSave', false);
  }
  get validationEnabled(): boolean {
    return this.cfg.get<boolean>('validation.enabled', true);
  }
  get validationDelay(): number {
    return Math.max(0, this.cfg.get<number>('validation.delay', 300));
  }
  get codeLensEnabled(): boolean {
    return this.cfg.get<boolean>('codeLens.enabled', true);
  }
}
