/**
 * A training stage that logs in DVCLive's format (dvclive/metrics.json and
 * dvclive/plots/metrics/<name>.tsv) over a few seconds, run through the
 * bundled CLI with --events; each event is stamped when it arrives, so a
 * test can tell updates that came while the stage ran from the record read
 * at its end.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CliEvent } from '../../../src/protocol/cli-events';

export const repo = path.join(__dirname, '../../..');
export const cli = path.join(repo, 'dist/cli.js');

/** Python (3, stdlib only): `steps` steps, `pause` seconds apart; loss shrinks, or doubles when diverging. */
export const TRAIN_PY = `import json, os, sys, time
steps, pause, diverge = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3] == "diverge"
d = "dvclive/plots/metrics"
os.makedirs(d, exist_ok=True)
with open(f"{d}/loss.tsv", "w") as f:
    f.write("timestamp\\tstep\\tloss\\n")
for step in range(steps):
    loss = 2.0 ** step if diverge else 1.0 / (step + 1)
    with open(f"{d}/loss.tsv", "a") as f:
        f.write(f"{int(time.time() * 1000)}\\t{step}\\t{loss}\\n")
    with open("dvclive/metrics.json.tmp", "w") as f:
        json.dump({"step": step, "loss": loss}, f)
    os.replace("dvclive/metrics.json.tmp", "dvclive/metrics.json")
    print(f"step {step} loss {loss}", flush=True)
    time.sleep(pause)
os.makedirs("out", exist_ok=True)
with open("out/model.txt", "w") as f:
    f.write("model\\n")
`;

export function trainingWorkspace(opts: { steps: number; pause: number; diverge: boolean; image: string }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlci-live-'));
  writeFileSync(path.join(dir, 'train.py'), TRAIN_PY);
  writeFileSync(path.join(dir, 'mlci.yaml'), `version: 1
defaults: { image: ${opts.image} }
metrics:
  loss: { goal: min }
stages:
  train:
    kind: train
    run: python3 train.py ${opts.steps} ${opts.pause} ${opts.diverge ? 'diverge' : 'converge'}
    deps: [train.py]
    outs: [out/model.txt]
    gates:
      - { converges: loss, window: 2, early: true }
`);
  return dir;
}

export interface Stamped {
  at: number;
  e: CliEvent;
}

/** `mlci run --events` as a process; resolves with every event and when it came. */
export function runWithEvents(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; events: Stamped[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'run', '--events', ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1', ...env } });
    const events: Stamped[] = [];
    let buf = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) events.push({ at: Date.now(), e: JSON.parse(l) as CliEvent });
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, events, stderr }));
  });
}

export function metricsEvents(events: Stamped[]) {
  return events.flatMap((s) => (s.e.type === 'stage-metrics' ? [{ at: s.at, update: s.e.update }] : []));
}

export function stageEnd(events: Stamped[], stage: string) {
  return events.find((s) => s.e.type === 'stage-end' && s.e.stage.name === stage) as { at: number; e: Extract<CliEvent, { type: 'stage-end' }> } | undefined;
}
