/**
 * The pipeline outline: top-level sections, stages (with their kind) and
 * their gates, metrics, and the fields of triggers and ci.
 */
import type { Path, ScanEntry } from './yaml-scan';
import { entryIndex } from './entry-index';

export interface OutlineNode {
  name: string;
  detail: string;
  kind: 'section' | 'field' | 'stage' | 'gate' | 'metric';
  start: number;
  end: number;
  selectionStart: number;
  selectionEnd: number;
  children: OutlineNode[];
}

export function outline(entries: readonly ScanEntry[]): OutlineNode[] {
  const index = entryIndex(entries);
  const children = (path: Path) => index.children(path);
  const scalar = (path: Path) => index.at(path)?.scalar;
  const node = (e: ScanEntry, kind: OutlineNode['kind'], name: string, detail: string, kids: OutlineNode[] = []): OutlineNode => {
    const start = e.keyStart ?? e.valueStart;
    const selectionEnd = e.keyEnd ?? Math.max(e.valueEnd, start);
    return { name, detail, kind, start, end: Math.max(e.end, selectionEnd), selectionStart: start, selectionEnd, children: kids };
  };
  return children([]).filter((e) => e.keyStart !== undefined).map((top) => {
    const key = String(top.path[0]);
    const fields = () => children(top.path).filter((c) => c.keyStart !== undefined).map((c) => node(c, 'field', String(c.path[1]), c.scalar ?? ''));
    if (key === 'stages') {
      const stages = children(['stages']).filter((s) => s.keyStart !== undefined && s.path[1] !== '<<').map((s) => {
        const name = String(s.path[1]);
        const gates = children(['stages', name, 'gates']).filter((g) => typeof g.path[3] === 'number').map((g) => {
          const get = (k: string) => scalar([...g.path, k]);
          return node(g, 'gate', gateLabel(get, g.path[3] as number), get('severity') === 'warning' ? 'warning' : '');
        });
        return node(s, 'stage', name, scalar(['stages', name, 'kind']) ?? 'custom', gates);
      });
      return node(top, 'section', key, `${stages.length} stage${stages.length === 1 ? '' : 's'}`, stages);
    }
    if (key === 'metrics') {
      const metrics = children(['metrics']).filter((m) => m.keyStart !== undefined).map((m) => node(m, 'metric', String(m.path[1]), scalar([...m.path, 'goal']) ?? ''));
      return node(top, 'section', key, '', metrics);
    }
    if (top.value === 'scalar') return node(top, 'field', key, top.scalar ?? '');
    return node(top, 'section', key, '', fields());
  });
}

/** A gate in words: "accuracy ≥ 0.75", "f1 drop ≤ 0.02 vs main", "loss converges (train)"... */
export function gateLabel(get: (key: string) => string | undefined, index: number): string {
  const name = get('name');
  if (name) return name;
  const metric = get('metric');
  const min = get('min');
  const max = get('max');
  if (get('converges')) return `${get('converges')} converges${get('stage') ? ` (${get('stage')})` : ''}`;
  if (get('drift')) return `no drift in ${get('drift')}`;
  const imp = get('importance');
  if (imp) {
    const what = get('leakage') ? `no leakage ≥ ${get('leakage')}` : get('stability') ? `stability ≥ ${get('stability')}${get('baseline') ? ` vs ${get('baseline')}` : ''}` : get('unused') ? 'no unused features' : get('min') ? `importance ≥ ${get('min')}` : 'importance';
    return `${what} (${imp})`;
  }
  if (metric && get('max_gap')) return `${metric} gap ≤ ${get('max_gap')}${get('against') ? ` vs ${get('against')}` : ''}`;
  if (metric && get('max_drop')) return `${metric} drop ≤ ${get('max_drop')}${get('relative') === 'true' ? ' (relative)' : ''}${get('baseline') ? ` vs ${get('baseline')}` : ''}`;
  if (metric && min && max) return `${min} ≤ ${metric} ≤ ${max}`;
  if (metric && min) return `${metric} ≥ ${min}`;
  if (metric && max) return `${metric} ≤ ${max}`;
  return `gate ${index + 1}`;
}
