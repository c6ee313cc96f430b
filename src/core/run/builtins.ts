import type { BuiltinExecutor } from './engine';
export function builtinExecutors(): Partial<Record<'data' | 'drift', BuiltinExecutor>> {
  return {};
}
