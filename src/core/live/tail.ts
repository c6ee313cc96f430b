/**
 * Follows what a running stage writes: its declared `history`, DVCLive's
 * output (`<workdir>/dvclive/metrics.json`, `dvclive/plots/metrics/**.tsv`)
 * and an MLflow file store (`mlruns/<experiment>/<run>/metrics/<name>`),
 * polled a few times a second. Files are read from where the last poll
 * stopped; only complete lines count (a line being written waits), a file
 * that shrank was rewritten and is read again from its start. Files there
 * before the stage started are followed from their end, so the previous
 * run's values never show as this run's. Paths leading out of the
 * workspace through a link are not read (said once).
 */
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { linkEscape } from '../files/contain';
import { FILE_LIMITS, readRegularFileSync } from '../files/regular-file';
import { flattenMetrics } from '../run/metrics';
import type { LineFormat } from './parse';
import { pointsOfLine } from './parse';
import type { LivePoint, LiveUpdate } from './types';

export const LIVE_POLL_MS = 250;
const MAX_FILES = 500;
const MAX_DEPTH = 6;

export interface LiveSources {
  /** The workspace (pipeline folder). */
  root: string;
  /** The stage's working folder, relative to root ('.' by default). */
  workdir: string;
  /** The declared history file, relative to root. */
  history?: string;
}

interface Tracked {
  rel: string;
  kind: 'history' | 'dvclive' | 'mlflow';
  offset: number;
  rest: string;
  row: number;
  format?: LineFormat;
  name?: string;
}

function walk(root: string, dir: string, depth: number, out: string[]): void {
  if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (out.length >= MAX_FILES) return;
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) walk(root, abs, depth + 1, out);
    else if (e.isFile()) out.push(path.relative(root, abs).split(path.sep).join('/'));
  }
}

export class LiveTail {
  private readonly files = new Map<string, Tracked>();
  private readonly latest: Record<string, number> = {};
  private step: number | undefined;
  private pending: LivePoint[] = [];
  private sourcesSeen = new Set<string>();
  private metricsJson: { mtimeMs: number; size: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private warned = new Set<string>();
  private dirty = false;

  constructor(
    private readonly stage: string,
    private readonly src: LiveSources,
    private readonly onUpdate: (u: LiveUpdate) => void,
    private readonly onWarning: (message: string) => void = () => undefined,
  ) {}

  private abs(rel: string): string {
    return path.resolve(this.src.root, rel);
  }

  private dvcliveDir(): string {
    return path.posix.join(this.src.workdir, 'dvclive');
  }

  /** Every file to follow now, by kind. */
  private discover(): Array<Omit<Tracked, 'offset' | 'rest' | 'row'>> {
    const found: Array<Omit<Tracked, 'offset' | 'rest' | 'row'>> = [];
    if (this.src.history) found.push({ rel: path.posix.normalize(this.src.history), kind: 'history' });
    const metricsDir = path.posix.join(this.dvcliveDir(), 'plots', 'metrics');
    const tsv: string[] = [];
    walk(this.src.root, this.abs(metricsDir), 0, tsv);
    for (const rel of tsv) if (rel.endsWith('.tsv')) found.push({ rel, kind: 'dvclive', name: path.posix.relative(metricsDir, rel).replace(/\.tsv$/, '') });
    const mlruns: string[] = [];
    walk(this.src.root, this.abs('mlruns'), 0, mlruns);
    for (const rel of mlruns) {
      const m = /^mlruns\/[^/]+\/[^/]+\/metrics\/(.+)$/.exec(rel);
      if (m) found.push({ rel, kind: 'mlflow', name: m[1]! });
    }
    return found;
  }

  private allowed(rel: string): boolean {
    if (!linkEscape(this.src.root, this.abs(rel), rel)) return true;
    if (!this.warned.has(rel)) {
      this.warned.add(rel);
      this.onWarning(`live metrics: ${rel} leads out of the workspace through a link; not read`);
    }
    return false;
  }

  /** Files already there are followed from their end (they are an earlier run's). */
  start(): void {
    for (const f of this.discover()) {
      let size = 0;
      try {
        size = statSync(this.abs(f.rel)).size;
      } catch {
        continue;
      }
      const t: Tracked = { ...f, offset: 0, rest: '', row: 0 };
      if (size > 0 && this.allowed(f.rel)) {
        // Read the header (and count rows) so lines appended later parse, then skip the old points.
        this.readNew(t, false);
      }
      this.files.set(f.rel, t);
    }
    this.metricsJson = this.statMetricsJson();
    this.timer = setInterval(() => this.poll(), LIVE_POLL_MS);
    this.timer.unref?.();
  }

  private statMetricsJson(): { mtimeMs: number; size: number } | undefined {
    try {
      const st = statSync(this.abs(path.posix.join(this.dvcliveDir(), 'metrics.json')));
      return { mtimeMs: st.mtimeMs, size: st.size };
    } catch {
      return undefined;
    }
  }

  private readNew(t: Tracked, keep: boolean): void {
    const abs = this.abs(t.rel);
    let size: number;
    try {
      size = statSync(abs).size;
    } catch {
      return;
    }
    if (size < t.offset) {
      // Rewritten from scratch (DVCLive resets its folder at the start).
      Object.assign(t, { offset: 0, rest: '', row: 0, format: undefined });
    }
    if (size === t.offset) return;
    const fd = openSync(abs, 'r');
    let text: string;
    try {
      const buf = Buffer.alloc(Math.min(size - t.offset, FILE_LIMITS.record));
      const n = readSync(fd, buf, 0, buf.length, t.offset);
      t.offset += n;
      text = t.rest + buf.toString('utf8', 0, n);
    } finally {
      closeSync(fd);
    }
    const lines = text.split(/\r?\n/);
    t.rest = lines.pop() ?? '';
    for (const line of lines) {
      if (!t.format) {
        t.format = this.formatOf(t, line);
        if (t.format.kind === 'csv') continue;
      }
      const pts = pointsOfLine(line, t.format, t.row);
      if (line.trim()) t.row++;
      if (!keep) continue;
      for (const p of pts) {
        const named = t.kind === 'dvclive' && t.name ? { ...p, name: t.name } : p;
        this.add(named, t.rel);
      }
    }
  }

  private formatOf(t: Tracked, firstLine: string): LineFormat {
    if (t.kind === 'mlflow') return { kind: 'mlflow', name: t.name! };
    if (firstLine.trimStart().startsWith('{')) return { kind: 'jsonl' };
    // DVCLive and .tsv files are tab-separated; a history whose header has tabs and no comma too.
    const delimiter = t.kind === 'dvclive' || t.rel.endsWith('.tsv') || (firstLine.includes('\t') && !firstLine.includes(',')) ? '\t' : ',';
    return { kind: 'csv', header: firstLine.split(delimiter).map((h) => h.trim()), delimiter };
  }

  /** Every point so far by step, as history rows (the stage's history when it declares none). */
  private readonly byStep = new Map<number, Record<string, number>>();

  rows(): Array<Record<string, number>> {
    return [...this.byStep.values()].sort((a, b) => a.step! - b.step!);
  }

  private add(p: LivePoint, source: string): void {
    let row = this.byStep.get(p.step);
    if (!row) this.byStep.set(p.step, (row = { step: p.step }));
    row[p.name] = p.value;
    this.pending.push(p);
    this.sourcesSeen.add(source);
    this.latest[p.name] = p.value;
    if (this.step === undefined || p.step > this.step) this.step = p.step;
    this.dirty = true;
  }

  /** One look at every source; emits an update when something new was logged. */
  poll(): void {
    for (const f of this.discover()) {
      let t = this.files.get(f.rel);
      if (!t) {
        t = { ...f, offset: 0, rest: '', row: 0 };
        this.files.set(f.rel, t);
      }
      if (!this.allowed(f.rel)) continue;
      try {
        this.readNew(t, true);
      } catch (e) {
        this.once(`${f.rel}:read`, `live metrics: cannot read ${f.rel}: ${(e as Error).message}`);
      }
    }
    this.pollMetricsJson();
    if (!this.dirty) return;
    this.dirty = false;
    const update: LiveUpdate = {
      stage: this.stage,
      ...(this.step !== undefined ? { step: this.step } : {}),
      latest: { ...this.latest },
      points: this.pending,
      sources: [...this.sourcesSeen],
      at: Date.now(),
    };
    this.pending = [];
    this.sourcesSeen = new Set();
    this.onUpdate(update);
  }

  private once(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.onWarning(message);
  }

  /** DVCLive's metrics.json: the latest values (and `step`), rewritten whole on every step. */
  private pollMetricsJson(): void {
    const st = this.statMetricsJson();
    if (!st || (this.metricsJson && st.mtimeMs === this.metricsJson.mtimeMs && st.size === this.metricsJson.size)) return;
    const rel = path.posix.join(this.dvcliveDir(), 'metrics.json');
    if (!this.allowed(rel)) return;
    let data: unknown;
    try {
      data = JSON.parse(readRegularFileSync(this.abs(rel), FILE_LIMITS.record, rel));
    } catch {
      return; // caught mid-write: the next poll reads it whole
    }
    this.metricsJson = st;
    const flat = flattenMetrics(data);
    const step = flat.step;
    for (const [k, v] of Object.entries(flat)) {
      if (k === 'step') continue;
      this.latest[k] = v;
      this.dirty = true;
    }
    if (step !== undefined && (this.step === undefined || step > this.step)) this.step = step;
    this.sourcesSeen.add(rel);
  }

  /** Stops following after a last look (what was written just before the end still counts). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.poll();
  }
}
