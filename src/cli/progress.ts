/**
 * Run progress for the terminal: a line when a stage starts (with why), its
 * output prefixed with the stage name, and a line when it ends. Plain lines
 * everywhere (CI logs read well); on a TTY the status marks are coloured.
 */
import type { EngineEvent } from '../core/run/engine';
import type { LiveUpdate } from '../core/live/types';
import { formatDuration } from '../core/run/units';
import { jobWhere } from '../core/run/words';
import type { CliIo } from './command';

const COLOURS = { green: '\x1b[32m', red: '\x1b[31m', yellow: '\x1b[33m', dim: '\x1b[2m', reset: '\x1b[0m' };

export function progressPrinter(io: CliIo, opts: { quietLogs?: boolean } = {}) {
  // --events: the extension reads the engine's events themselves.
  const events = io.event?.bind(io);
  if (events) return (e: EngineEvent) => events(e);
  const colour = io.isTTY && !io.env.NO_COLOR;
  const paint = (c: keyof typeof COLOURS, s: string) => (colour ? `${COLOURS[c]}${s}${COLOURS.reset}` : s);
  const partial = new Map<string, string>();
  const lastLive = new Map<string, number>();
  let width = 0;
  return (e: EngineEvent) => {
    switch (e.type) {
      case 'plan':
        width = Math.max(...e.stages.map((s) => s.length));
        io.out(paint('dim', `plan: ${e.stages.join(' -> ')}`));
        break;
      case 'stage-start':
        io.out(`${paint('yellow', '▶')} ${e.stage}: running (${e.reason})`);
        break;
      case 'stage-log': {
        if (opts.quietLogs) break;
        // Prefix whole lines only; keep a partial line until its newline arrives.
        const text = (partial.get(e.stage) ?? '') + e.text;
        const lines = text.split('\n');
        partial.set(e.stage, lines.pop() ?? '');
        for (const l of lines) io.out(`${paint('dim', e.stage.padEnd(width) + ' |')} ${l}`);
        break;
      }
      case 'stage-end': {
        const s = e.stage;
        const rest = partial.get(s.name);
        if (rest && !opts.quietLogs) io.out(`${paint('dim', s.name.padEnd(width) + ' |')} ${rest}`);
        partial.delete(s.name);
        const took = s.durationMs !== undefined ? ` (${formatDuration(s.durationMs)})` : '';
        if (s.status === 'passed') io.out(`${paint('green', '✔')} ${s.name}: passed${took}`);
        else if (s.status === 'cached') io.out(`${paint('dim', '○')} ${s.name}: up to date, skipped`);
        else if (s.status === 'restored') io.out(`${paint('dim', '↺')} ${s.name}: ${s.reason}`);
        else if (s.status === 'skipped') io.out(`${paint('dim', '–')} ${s.name}: not run (${s.reason})`);
        else if (s.status === 'cancelled') io.out(`${paint('yellow', '■')} ${s.name}: cancelled`);
        else io.out(`${paint('red', '✘')} ${s.name}: failed: ${s.reason}${took}`);
        break;
      }
      case 'build-start':
        io.out(`${paint('yellow', '▶')} image ${e.owner}: ${e.tag}`);
        break;
      case 'build-log':
        // One progress line per build step; the whole output is in the run's build log.
        for (const l of e.text.split('\n')) {
          if (/^Step \d+\/\d+ : /.test(l) || /^\[[0-9a-f]{12}\] \[/.test(l) || /^(pulling base image|building |image .* reused|warning: )/.test(l)) io.out(`${paint('dim', `image ${e.owner} |`)} ${l}`);
        }
        break;
      case 'build-end': {
        const b = e.build;
        const took = b.durationMs !== undefined ? ` (${formatDuration(b.durationMs)})` : '';
        if (b.status === 'built') io.out(`${paint('green', '✔')} image ${b.owner}: built ${b.tag}${took}`);
        else if (b.status === 'reused') io.out(`${paint('dim', '○')} image ${b.owner}: up to date, reused ${b.tag}`);
        else io.out(`${paint('red', '✘')} image ${b.owner}: build failed${took}${b.log ? `; log: ${b.log}` : ''}`);
        break;
      }
      case 'stage-job': {
        // Slurm: where the stage's batch job is (queued and why, on which node).
        io.out(paint('dim', `  ${e.stage}: job ${e.job.id} ${jobWhere(e.job)}`));
        break;
      }
      case 'stage-metrics': {
        // On a terminal: one compact line per stage at most every second (CI logs keep the stage's own output).
        if (!io.isTTY) break;
        const u = e.update;
        const now = Date.now();
        if (now - (lastLive.get(u.stage) ?? 0) < 1000) break;
        lastLive.set(u.stage, now);
        io.out(paint('dim', `  ${u.stage}: ${liveLine(u)}`));
        break;
      }
      case 'run-end':
        break;
      case 'warning':
        io.err(`mlci: ${e.message}`);
        break;
    }
  };
}

/** `step 12  loss 0.345  accuracy 0.81` (at most 6 metrics, 4 significant digits). */
export function liveLine(u: LiveUpdate): string {
  const parts = Object.entries(u.latest).slice(0, 6).map(([k, v]) => `${k} ${Number.isFinite(v) ? Number(v.toPrecision(4)) : String(v)}`);
  return [u.step !== undefined ? `step ${u.step}` : '', ...parts].filter(Boolean).join('  ');
}
