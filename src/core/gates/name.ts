/**
 * The label of a gate when the pipeline file gives it no `name`. Kept here
 * (not in an adapter) so the CLI, CI summaries and the editor show the same
 * words for the same gate.
 */
import { DEFAULT_BASELINE, type Gate } from '../pipeline/model';
import { percent } from './numbers';

export function gateName(g: Gate, defaultBaseline = DEFAULT_BASELINE): string {
  if (g.name) return g.name;
  switch (g.kind) {
    case 'threshold': {
      const parts = [g.min !== undefined ? `≥ ${g.min}` : '', g.max !== undefined ? `≤ ${g.max}` : ''].filter(Boolean);
      return `${g.metric} ${parts.join(' and ')}`;
    }
    case 'regression': {
      const drop = g.relative ? percent(g.maxDrop ?? 0) : String(g.maxDrop);
      return `${g.metric} drops at most ${drop} vs ${g.baseline ?? defaultBaseline}`;
    }
    case 'convergence':
      return `${g.converges} converges${g.stage ? ` (${g.stage})` : ''}`;
    case 'overfitting': {
      const parts = [
        g.maxGap !== undefined ? `gap to ${g.against} ≤ ${g.maxGap}` : '',
        g.minTrain !== undefined ? `${g.against} reaches ${g.minTrain}` : '',
        g.baseline !== undefined ? `not underfitting vs ${g.baseline}` : '',
      ].filter(Boolean);
      return `${g.metric} ${parts.join(', ')}`;
    }
    case 'importance': {
      const parts = [
        g.leakage !== undefined ? `no leakage (≤ ${g.leakage})` : '',
        g.minFeatures ? `${Object.keys(g.minFeatures).join(', ')} matter` : '',
        g.unused ? 'no unused features' : '',
        g.stability !== undefined ? `rank correlation ≥ ${g.stability} vs ${g.baseline ?? defaultBaseline}` : '',
      ].filter(Boolean);
      return `${g.importance} importance: ${parts.join(', ')}`;
    }
    case 'drift':
      return `no dataset drift in ${g.drift}`;
    default:
      return `gate ${g.index + 1}`;
  }
}
