// One build for the three targets: the extension host bundle (cjs, `vscode`
// external), the CLI (node), and the webview bundles (browser iife).
// Usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, chmodSync } from 'node:fs';
import path from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production') || process.env.CI === 'true';
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));

// dockerode's ssh transport pulls optional native modules that npm may not
// build here; unix-socket and tcp transports never load them.
const nativeOptional = ['ssh2', 'cpu-features'];

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  absWorkingDir: root,
};

// ESM dependencies bundled into CommonJS (fdir via tinyglobby) read
// import.meta.url: give them this file's URL.
const importMetaShim = {
  define: { 'import.meta.url': '__mlciImportMetaUrl' },
};
const importMetaBanner = "const __mlciImportMetaUrl = require('url').pathToFileURL(__filename).href;";

const nodeTargets = [
  {
    ...common,
    // The engine is its own bundle, loaded on first run (src/adapters/vscode/engine-loader.ts).
    entryPoints: { extension: 'src/extension.ts', engine: 'src/engine-bundle.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', ...nativeOptional],
    ...importMetaShim,
    banner: { js: importMetaBanner },
  },
  {
    ...common,
    // The drift worker is a file of its own: worker_threads loads it by path.
    entryPoints: { cli: 'src/cli/main.ts', 'drift-worker': 'src/core/drift/detect/worker.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', ...nativeOptional],
    ...importMetaShim,
    banner: { js: '#!/usr/bin/env node\n' + importMetaBanner },
  },
];

// Every folder under webview/ with a main.ts is one panel bundle.
const webviewDir = path.join(root, 'webview');
const webviewEntries = existsSync(webviewDir)
  ? Object.fromEntries(
      readdirSync(webviewDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(path.join(webviewDir, d.name, 'main.ts')))
        .map((d) => [d.name, `webview/${d.name}/main.ts`]),
    )
  : {};
const targets = [...nodeTargets];
if (Object.keys(webviewEntries).length > 0) {
  targets.push({
    ...common,
    entryPoints: webviewEntries,
    outdir: 'media/webview',
    platform: 'browser',
    format: 'iife',
    target: 'chrome114',
  });
}

if (watch) {
  for (const t of targets) (await esbuild.context(t)).watch();
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
  const cli = path.join(root, 'dist', 'cli.js');
  if (existsSync(cli)) chmodSync(cli, 0o755);
}
