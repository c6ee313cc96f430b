/**
 * Loads the run engine on first use. In the packaged extension it is
 * dist/engine.js beside dist/extension.js (a separate esbuild entry, so
 * activation does not pay for it); from sources (tests under tsx) it is the
 * TypeScript module itself. The path is computed so esbuild does not inline
 * the engine into the extension bundle.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import type * as EngineModule from '../../engine-bundle';

export type Engine = typeof EngineModule;

let engine: Engine | undefined;

export function loadEngine(): Engine {
  if (!engine) {
    const bundled = path.join(__dirname, 'engine.js');
    const source = ['..', '..', 'engine-bundle'].join('/');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    engine = require(existsSync(bundled) ? bundled : path.join(__dirname, source)) as Engine;
  }
  return engine;
}
