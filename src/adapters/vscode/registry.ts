/**
 * The one pipeline registry: which pipeline files the workspace has, and
 * each one's validation, kept current as files are typed, saved, created and
 * deleted. The tree, diagnostics, Test Explorer, tasks and commands all read
 * it, so each keystroke validates once.
 *
 * Cheap by construction: one file search at start (after activation), a
 * watcher on pipeline files, one on files a pipeline reads (its params file
 * and declared deps: never a `**` watcher over the workspace), and reads
 * that are async and bounded. Open documents are read as typed; files that
 * are not open are read from disk, never opened as documents (that would
 * send didOpen to every language server).
 */
import { open, readdir } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Pipeline } from '../../core/pipeline/model';
import type { ValidateResult } from '../../core/pipeline/validate';
import { validatePipeline } from '../../core/pipeline/validate';
import { parseParams } from '../../core/params';
import type { ParamValue } from '../../core/params';
import type { Config } from './config';
import { editorFiles, forgetDocument, isPipelineDocument, validateDocument } from './documents';

export const PIPELINE_GLOB = '**/{mlci.yaml,*.mlci.yaml}';
const EXCLUDE = '{**/node_modules/**,**/.git/**,**/.mlci/**}';
/** Folders whose appearing says nothing about pipelines. */
const IGNORED_DIRS = /[\\/](\.git|\.mlci|node_modules)[\\/]/;
/** More new folders at once than this are looked inside with one search of the workspace. */
const MAX_FOLDER_SEARCHES = 8;
/** Pipeline files larger than this are not read (a clear problem instead). */
export const MAX_PIPELINE_BYTES = 16 * 1024 * 1024;

export interface PipelineEntry {
  uri: vscode.Uri;
  /** Pipeline folder: paths in the file are relative to it; mounted into containers. */
  root: string;
  result: ValidateResult;
  /** Absolute path of the params file the pipeline reads, when known. */
  paramsFile?: string;
}

/**
 * Reads a pipeline file that is not open: regular files only, bounded, never
 * blocking (a FIFO or a device at the path must not hang the extension host).
 */
export async function readPipelineFile(file: string): Promise<{ text: string } | { problem: string }> {
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = await handle.stat();
    if (!st.isFile()) return { problem: `${path.basename(file)} is not a regular file (a FIFO, socket or device): mlci reads pipeline files only from regular files` };
    if (st.size > MAX_PIPELINE_BYTES) return { problem: `${path.basename(file)} is ${(st.size / 1024 / 1024).toFixed(0)} MB, over the ${MAX_PIPELINE_BYTES / 1024 / 1024} MB mlci reads for a pipeline file` };
    return { text: (await handle.readFile()).toString('utf8') };
  } catch (e) {
    return { problem: `cannot read ${path.basename(file)}: ${(e as Error).message}` };
  } finally {
    await handle?.close();
  }
}

/**
 * A string glob for the entries of a folder's top three levels, as events
 * name them (absolute paths). Glob syntax in the folder's path is replaced by
 * `?` (VS Code globs have no escape), which can only widen the match by a
 * character; `/` matches either separator, so Windows paths work too.
 */
export function topLevelsGlob(folder: string): string {
  const base = folder.replace(/\\/g, '/').replace(/[{}[\]*?,]/g, '?').replace(/\/+$/, '');
  return `${base}/{*,*/*,*/*/*}`;
}

/** Pipeline files directly in a workspace folder (one readdir each): what startup shows first. */
async function rootPipelineFiles(): Promise<vscode.Uri[]> {
  const found: vscode.Uri[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    try {
      for (const d of await readdir(folder.uri.fsPath, { withFileTypes: true })) {
        if (d.isFile() && (d.name === 'mlci.yaml' || d.name.endsWith('.mlci.yaml'))) found.push(vscode.Uri.file(path.join(folder.uri.fsPath, d.name)));
      }
    } catch {
      // Unreadable folder: the workspace search answers for it.
    }
  }
  return found;
}

export class PipelineRegistry implements vscode.Disposable {
  private readonly entries = new Map<string, PipelineEntry>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires (debounced) when any pipeline's validation or the set of pipelines changed. */
  readonly onDidChange = this.changed.event;
  private readonly validated = new vscode.EventEmitter<PipelineEntry>();
  /** Fires for each (re)validated pipeline: diagnostics publish from this. */
  readonly onDidValidate = this.validated.event;
  private readonly removed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidRemove = this.removed.event;
  private readonly unreadable = new vscode.EventEmitter<{ uri: vscode.Uri; problem: string }>();
  /** A pipeline file that could not be read (not a regular file, too large). */
  readonly onDidFailToRead = this.unreadable.event;
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; external: boolean }>();
  private readonly disposables: vscode.Disposable[] = [this.changed, this.validated, this.removed, this.unreadable];
  /** Watches what pipelines read (params files, deps); rebuilt when that set changes. */
  private inputsWatcher: { key: string; disposables: vscode.Disposable[] } | undefined;
  private fireTimer: NodeJS.Timeout | undefined;
  /** New folders waiting to be looked inside (see lookInside). */
  private readonly newFolders = new Set<string>();
  /** Second looks at new files and folders (see created and newFolderWatchers). */
  private readonly lookAgain = new Set<NodeJS.Timeout>();
  private disposed = false;
  private started = false;

  constructor(private readonly config: Config, private readonly log: vscode.LogOutputChannel) {
    const watcher = vscode.workspace.createFileSystemWatcher(PIPELINE_GLOB);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((u) => this.created(u)),
      // An open document is validated as typed; VS Code reloads it when the disk changes under it.
      watcher.onDidChange((u) => {
        if (!this.openDocument(u)) this.schedule(u, this.config.validationDelay, true);
      }),
      watcher.onDidDelete((u) => this.remove(u)),
      // A folder that appears with pipeline files in it (a checkout, a copy)
      // may be reported for the folder alone: look inside new folders of the
      // top three levels. Not a watcher over every file of the workspace.
      ...this.newFolderWatchers(),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length === 0) return;
        if (isPipelineDocument(e.document)) this.schedule(e.document.uri, this.config.validationDelay, false);
        else this.dependentsOf(e.document.uri).forEach((u) => this.schedule(u, this.config.validationDelay, true));
      }),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (isPipelineDocument(doc)) this.schedule(doc.uri, 0, false);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        // Its unsaved text is gone: the saved file is what `mlci validate` and CI see.
        if (isPipelineDocument(doc)) this.schedule(doc.uri, 0, true);
        else this.dependentsOf(doc.uri).forEach((u) => this.schedule(u, 0, true));
      }),
    );
  }

  /**
   * One watcher per workspace folder on its top three levels. A string glob
   * is matched against the absolute path of each event, so the pattern names
   * the folder (topLevelsGlob): a bare relative pattern never matches, as a
   * star does not cross a separator. A string glob rides on the workbench's
   * workspace watcher (no watch of its own, unlike a RelativePattern).
   * Remade when workspace folders change.
   */
  private newFolderWatchers(): vscode.Disposable[] {
    let watchers: vscode.Disposable[] = [];
    const watch = () => {
      watchers.forEach((d) => d.dispose());
      watchers = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').flatMap((f) => {
        const w = vscode.workspace.createFileSystemWatcher(topLevelsGlob(f.uri.fsPath), false, true, true);
        return [w, w.onDidCreate((u) => void this.lookInside(u))];
      });
    };
    watch();
    return [vscode.workspace.onDidChangeWorkspaceFolders(watch), { dispose: () => watchers.forEach((d) => d.dispose()) }];
  }

  /** A new folder: its pipeline files are looked for with a search (their own events may never come). */
  private async lookInside(u: vscode.Uri): Promise<void> {
    if (IGNORED_DIRS.test(`${u.fsPath}${path.sep}`)) return;
    try {
      if ((await vscode.workspace.fs.stat(u)).type !== vscode.FileType.Directory) return;
    } catch {
      return;
    }
    // New folders come in bursts (a checkout, an unzip, a copy): they are
    // gathered for a moment and looked at together.
    this.newFolders.add(u.fsPath);
    if (this.newFolders.size === 1) this.later(() => void this.lookInNewFolders(), 200);
  }

  private async lookInNewFolders(): Promise<void> {
    // A folder inside another new one is covered by the outer one's search.
    const dirs: string[] = [];
    for (const d of [...this.newFolders].sort((a, b) => a.length - b.length)) {
      if (!dirs.some((k) => d.startsWith(k + path.sep))) dirs.push(d);
    }
    this.newFolders.clear();
    const inside = (f: vscode.Uri) => dirs.some((d) => f.fsPath.startsWith(d + path.sep));
    // Many at once: one search of the workspace rather than one per folder.
    const patterns = dirs.length > MAX_FOLDER_SEARCHES ? [PIPELINE_GLOB] : dirs.map((d) => new vscode.RelativePattern(vscode.Uri.file(d), PIPELINE_GLOB));
    // A search that fails (the search service busy or restarting) counts as
    // nothing found, so the next look still comes.
    const look = async () => {
      let n = 0;
      for (const pattern of patterns) {
        try {
          const found = (await vscode.workspace.findFiles(pattern, EXCLUDE)).filter(inside);
          for (const f of found) if (!this.entries.has(f.toString())) this.created(f);
          n += found.length;
        } catch (e) {
          this.log.warn(`pipelines: looking for pipeline files in ${dirs.length} new folder(s) failed: ${(e as Error).message}`);
        }
      }
      return n;
    };
    // The folder's event can arrive before the files written into it just
    // after it was made, and the watcher may report those files late or not
    // at all (a file written into a folder it has not started watching): new
    // folders with nothing found are looked at again a moment later, and
    // once more after that (a busy machine writes slowly).
    if ((await look()) === 0) {
      this.later(() => void look().then((n) => {
        if (n === 0) this.later(() => void look().then((m) => m === 0 && this.log.debug(`pipelines: no pipeline file in ${dirs.length} new folder(s), ${dirs[0]} first (looked 3 times)`)), 3000);
      }), 1000);
    }
  }

  /**
   * A pipeline file that appeared: validated now, and once more a moment
   * later. Its creation and the writes just after it reach the watcher as
   * one "created" event, which can come before the content is written: read
   * then, the file looks empty, and no later event says otherwise.
   */
  private created(uri: vscode.Uri): void {
    this.schedule(uri, 0, true);
    this.later(() => {
      if (this.entries.has(uri.toString()) && !this.openDocument(uri)) this.schedule(uri, 0, true);
    }, 1500);
  }

  /** A second look some time from now, forgotten when the registry is disposed (no work after shutdown). */
  private later(f: () => void, ms: number): void {
    if (this.disposed) return;
    const t = setTimeout(() => {
      this.lookAgain.delete(t);
      if (!this.disposed) f();
    }, ms);
    this.lookAgain.add(t);
  }

  /**
   * Find every pipeline file (one search) and validate each; later changes
   * arrive through watchers. The pipeline files at the root of each
   * workspace folder (where most projects keep mlci.yaml) are read and shown
   * first, while the workspace search (a ripgrep process, the slow part of
   * startup) is still looking: `onRootsLoaded` is called then, with what was
   * found, so the caller can start on them.
   */
  async refresh(onRootsLoaded?: (found: PipelineEntry[]) => void): Promise<void> {
    this.started = true;
    const search = vscode.workspace.findFiles(PIPELINE_GLOB, EXCLUDE);
    const early = await rootPipelineFiles();
    for (const uri of early) await this.load(uri, true);
    if (early.length) this.fireNow();
    onRootsLoaded?.(early.flatMap((u) => this.entries.get(u.toString()) ?? []));
    const uris = await search;
    const seen = new Set(uris.map((u) => u.toString()));
    const done = new Set(early.map((u) => u.toString()));
    for (const k of [...this.entries.keys()]) if (!seen.has(k)) this.remove(vscode.Uri.parse(k), false);
    for (const uri of uris) if (!done.has(uri.toString())) await this.load(uri, true);
    this.log.debug(`pipelines: ${uris.length} file(s), ${early.length} read before the search answered`);
    this.fireNow();
  }

  list(): PipelineEntry[] {
    return [...this.entries.values()].sort((a, b) => a.uri.fsPath.localeCompare(b.uri.fsPath));
  }

  get(uriOrPath: vscode.Uri | string): PipelineEntry | undefined {
    const uri = typeof uriOrPath === 'string' ? vscode.Uri.file(uriOrPath) : uriOrPath;
    return this.entries.get(uri.toString());
  }

  /** The pipeline model and params values, or undefined when the file has errors. */
  runnable(entry: PipelineEntry): { pipeline: Pipeline; params: Record<string, ParamValue> } | undefined {
    const pipeline = entry.result.pipeline;
    if (!pipeline || entry.result.problems.some((p) => p.severity === 'error')) return undefined;
    const text = editorFiles.readText(path.resolve(entry.root, pipeline.paramsFile));
    const parsed = text !== undefined ? parseParams(text) : undefined;
    return { pipeline, params: parsed?.ok ? parsed.params.values : {} };
  }

  /** Validate now (the Validate Pipeline command, tests). */
  async validateAll(): Promise<void> {
    for (const e of this.list()) await this.load(e.uri, true);
    this.fireNow();
  }

  private schedule(uri: vscode.Uri, delay: number, external: boolean): void {
    const key = uri.toString();
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending.timer);
    const ext = external || !!pending?.external;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      void this.load(uri, ext).then(() => this.fireSoon());
    }, delay);
    this.timers.set(key, { timer, external: ext });
  }

  private async load(uri: vscode.Uri, external: boolean): Promise<void> {
    const key = uri.toString();
    const pending = this.timers.get(key);
    if (pending) {
      clearTimeout(pending.timer);
      this.timers.delete(key);
    }
    // The document did not change, something it reads did: validateDocument's cache must not answer.
    if (external) forgetDocument(uri);
    const root = path.dirname(uri.fsPath);
    const doc = this.openDocument(uri);
    let result: ValidateResult;
    if (doc) result = validateDocument(doc);
    else {
      const read = await readPipelineFile(uri.fsPath);
      if ('problem' in read) {
        // Gone (deleted between the event and now) or unreadable.
        if (/ENOENT/.test(read.problem)) return this.remove(uri, false);
        this.log.warn(read.problem);
        this.unreadable.fire({ uri, problem: read.problem });
        this.entries.delete(key);
        return;
      }
      result = validatePipeline({ file: path.basename(uri.fsPath), text: read.text, root, files: editorFiles });
    }
    const previous = this.entries.get(key);
    const paramsFile = result.pipeline ? path.resolve(root, result.pipeline.paramsFile) : previous?.paramsFile;
    const entry: PipelineEntry = { uri, root, result, ...(paramsFile ? { paramsFile } : {}) };
    this.entries.set(key, entry);
    this.validated.fire(entry);
    this.watchInputs();
  }

  private remove(uri: vscode.Uri, fire = true): void {
    forgetDocument(uri);
    if (this.entries.delete(uri.toString())) {
      this.removed.fire(uri);
      this.watchInputs();
      if (fire) this.fireSoon();
    }
  }

  /** Pipelines that read `uri` as their params file. */
  private dependentsOf(uri: vscode.Uri): vscode.Uri[] {
    if (uri.scheme !== 'file') return [];
    return [...this.entries.values()].filter((p) => p.paramsFile === uri.fsPath).map((p) => p.uri);
  }

  /**
   * One watcher over exactly what the pipelines read: their params files and
   * declared deps (folders with what is below them). A dep appearing or going
   * away changes problems (`missing-dep`), a params edit on disk changes
   * params problems. Rebuilt only when that set of paths changes.
   */
  private watchInputs(): void {
    const byRoot = new Map<string, Set<string>>();
    for (const e of this.entries.values()) {
      const p = e.result.pipeline;
      if (!p) continue;
      const set = byRoot.get(e.root) ?? new Set<string>();
      set.add(p.paramsFile);
      for (const s of p.stages) for (const d of s.deps) set.add(d.replace(/\/+$/, ''));
      byRoot.set(e.root, set);
    }
    // Folders holding pipeline files, up to their workspace folder: deleting
    // one is reported for the folder alone, not for each file in it.
    const holders = new Map<string, Set<string>>();
    for (const e of this.entries.values()) {
      const folder = vscode.workspace.getWorkspaceFolder(e.uri)?.uri.fsPath;
      if (!folder) continue;
      const set = holders.get(folder) ?? new Set<string>();
      for (let d = path.dirname(e.uri.fsPath); d.startsWith(folder + path.sep); d = path.dirname(d)) set.add(path.relative(folder, d).split(path.sep).join('/'));
      holders.set(folder, set);
    }
    const key = JSON.stringify([[...byRoot].map(([r, s]) => [r, [...s].sort()]).sort(), [...holders].map(([r, s]) => [r, [...s].sort()]).sort()]);
    if (this.inputsWatcher?.key === key) return;
    this.inputsWatcher?.disposables.forEach((d) => d.dispose());
    const disposables: vscode.Disposable[] = [];
    for (const [root, paths] of byRoot) {
      // Glob-escaped exact paths, each also as a folder (`dep/**`).
      const esc = [...paths].filter((p) => p && !p.startsWith('..') && !path.isAbsolute(p)).map((p) => p.replace(/[{}[\]*?,]/g, '?'));
      if (!esc.length) continue;
      const glob = `{${esc.flatMap((p) => [p, `${p}/**`]).join(',')}}`;
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, glob));
      const touched = (u: vscode.Uri) => {
        for (const e of this.entries.values()) if (e.root === root) this.schedule(e.uri, Math.max(this.config.validationDelay, 300), true);
        this.inputChanged.fire(u);
      };
      disposables.push(w, w.onDidCreate(touched), w.onDidDelete(touched), w.onDidChange((u) => {
        if (this.dependentsOf(u).length) touched(u);
        else this.inputChanged.fire(u);
      }));
    }
    for (const [folder, dirs] of holders) {
      if (!dirs.size) continue;
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `{${[...dirs].map((d) => d.replace(/[{}[\]*?,]/g, '?')).join(',')}}`), true, true, false);
      disposables.push(w, w.onDidDelete((gone) => {
        for (const e of [...this.entries.values()]) if (e.uri.fsPath.startsWith(gone.fsPath + path.sep)) this.remove(e.uri);
      }));
    }
    this.inputsWatcher = { key, disposables };
  }

  private readonly inputChanged = new vscode.EventEmitter<vscode.Uri>();
  /** A file some pipeline reads (a dep, a params file) was created, changed or deleted on disk. */
  readonly onDidChangeInput = this.inputChanged.event;

  private openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
    const key = uri.toString();
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === key && !d.isClosed);
  }

  private fireSoon(): void {
    if (!this.started) return;
    if (this.fireTimer) clearTimeout(this.fireTimer);
    this.fireTimer = setTimeout(() => this.fireNow(), 50);
  }

  private fireNow(): void {
    if (this.fireTimer) clearTimeout(this.fireTimer);
    this.fireTimer = undefined;
    void vscode.commands.executeCommand('setContext', 'mlci.hasPipeline', this.entries.size > 0);
    this.changed.fire();
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.lookAgain) clearTimeout(t);
    this.lookAgain.clear();
    for (const t of this.timers.values()) clearTimeout(t.timer);
    if (this.fireTimer) clearTimeout(this.fireTimer);
    this.inputsWatcher?.disposables.forEach((d) => d.dispose());
    this.inputChanged.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}
