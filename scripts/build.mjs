// One build for the three targets: the extension host bundle (cjs, `vscode`
// external), the CLI (node), and the webview bundles (browser iife).
// Usage: node scripts/build.mjs [--watch] [--production] [--clean]
//   --clean        remove dist/ and media/webview/ first (what `npm run package`
//                  does through vscode:prepublish, so a vsix never ships a stale
//                  bundle or source map)
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, readFileSync, chmodSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const watch = process.argv.includes('--watch');
const clean = process.argv.includes('--clean');
const production = process.argv.includes('--production') || process.env.CI === 'true';
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));

// Native addons cannot be bundled and the vsix ships no node_modules. The
// only ones reachable are optional: ssh2 (dockerode's ssh:// transport,
// bundled as JavaScript) tries `cpu-features` and its own `sshcrypto.node`
// inside try/catch and falls back to Node's crypto. Everything else is
// bundled: a module left external here would be missing once installed
// (scripts/check-vsix.mjs loads every shipped bundle to prove it).
const nativeOptional = ['cpu-features', '*.node'];

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

const esmCjsShim = [
  "import { createRequire as __mlciCreateRequire } from 'node:module';",
  "import { fileURLToPath as __mlciFileURLToPath } from 'node:url';",
  "import { dirname as __mlciDirname } from 'node:path';",
  'const require = __mlciCreateRequire(import.meta.url);',
  'const __filename = __mlciFileURLToPath(import.meta.url);',
  'const __dirname = __mlciDirname(__filename);',
].join(' ');

// The pipeline schema's validator, compiled ahead of time with ajv's
// standalone code (same schema, same options as at run time), is a bundle of
// its own, dist/schema-validator.js: every other bundle replaces the
// placeholder src/core/pipeline/schema-precompiled.ts with a loader that
// requires it, beside itself, on the first validation. So the ~360 KB of
// generated code is not part of dist/extension.js (activation does not read
// it) and a CLI command that validates nothing does not load it either.
const requireHere = createRequire(import.meta.url);
function standaloneValidatorCode() {
  const Ajv = requireHere('ajv').default;
  const addFormats = requireHere('ajv-formats');
  const standaloneCode = requireHere('ajv/dist/standalone').default;
  const options = JSON.parse(readFileSync(path.join(root, 'src/core/pipeline/ajv-options.json'), 'utf8'));
  const schema = JSON.parse(readFileSync(path.join(root, 'schemas/mlci.schema.json'), 'utf8'));
  const ajv = new Ajv({ ...options, code: { source: true, esm: true } });
  addFormats(ajv);
  return `${standaloneCode(ajv, ajv.compile(schema))}\nexport const precompiledValidator = validate;\n`;
}
const schemaInputs = [path.join(root, 'schemas/mlci.schema.json'), path.join(root, 'src/core/pipeline/ajv-options.json')];
const precompiledSchemaLoader = {
  name: 'mlci-precompiled-schema-loader',
  setup(build) {
    build.onLoad({ filter: /[\\/]core[\\/]pipeline[\\/]schema-precompiled\.ts$/ }, () => ({
      // __dirname: the bundle's folder (dist/), in the CommonJS bundles and
      // in the CLI's ES module chunks (their banner defines it). A missing
      // file throws MODULE_NOT_FOUND: loud, never a silent fallback.
      contents: [
        'let validator;',
        'export function loadPrecompiledValidator() {',
        "  validator ??= require(require('node:path').join(__dirname, 'schema-validator.js')).precompiledValidator;",
        "  if (typeof validator !== 'function') throw new Error('dist/schema-validator.js has no precompiledValidator: rebuild (npm run build)');",
        '  return validator;',
        '}',
      ].join('\n'),
      loader: 'js',
    }));
  },
};
const schemaValidatorEntry = {
  name: 'mlci-schema-validator-entry',
  setup(build) {
    build.onResolve({ filter: /^mlci:schema-validator$/ }, () => ({ path: 'schema-validator', namespace: 'mlci-schema-validator' }));
    build.onLoad({ filter: /.*/, namespace: 'mlci-schema-validator' }, () => ({
      contents: standaloneValidatorCode(),
      loader: 'js',
      resolveDir: path.join(root, 'src/core/pipeline'),
      watchFiles: schemaInputs,
    }));
  },
};

// dist/status.js: loading dockerode or ssh2 throws, so DockerRunner reports a
// DockerClientLoadError (a bug in the routing, never "unreachable").
const noDockerClient = {
  name: 'mlci-no-docker-client',
  setup(build) {
    build.onResolve({ filter: /^(dockerode|ssh2)$/ }, (a) => ({ path: a.path, namespace: 'mlci-no-docker-client' }));
    build.onLoad({ filter: /.*/, namespace: 'mlci-no-docker-client' }, (a) => ({
      contents: `throw new Error('dist/status.js has no ${a.path}: engines reached over ssh:// or TLS are judged by the CLI (mlci status)');`,
      loader: 'js',
    }));
  },
};

// A CommonJS bundle for Node beside the others in dist/ (the extension, the
// status it requires, the drift worker).
const nodeCjsBundle = {
  outdir: 'dist',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode', ...nativeOptional],
  ...importMetaShim,
  banner: { js: importMetaBanner },
};

const nodeTargets = [
  {
    ...common,
    // The precompiled schema validator (see above), loaded on first validation.
    entryPoints: { 'schema-validator': 'mlci:schema-validator' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [schemaValidatorEntry],
  },
  {
    ...common,
    // The extension runs nothing itself: every run goes through dist/cli.js
    // (src/adapters/vscode/run-service.ts), so it bundles no Docker client.
    entryPoints: { extension: 'src/extension.ts' },
    ...nodeCjsBundle,
  },
  {
    ...common,
    // The stages' status as `mlci status` computes it (src/adapters/stage-status.ts),
    // required by the extension on its first status (status-in-host.ts): the
    // tree's status without a CLI process per look. It reaches engines over
    // plain HTTP only (engine-http.ts); those that need the Docker client
    // (ssh://, TLS) are left to the CLI process, so dockerode and ssh2 (with
    // grpc, ~1.1 MB) are not bundled: asking for them here fails loudly.
    plugins: [precompiledSchemaLoader, noDockerClient],
    entryPoints: { status: 'src/adapters/stage-status.ts' },
    ...nodeCjsBundle,
  },
  {
    ...common,
    // The drift worker is a file of its own: worker_threads loads it by path.
    entryPoints: { 'drift-worker': 'src/core/drift/detect/worker.ts' },
    ...nodeCjsBundle,
  },
  {
    ...common,
    // The `mlci` bin (dist/cli.js): enables the compile cache, loads dist/cli.mjs.
    entryPoints: { cli: 'src/cli/launcher.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    // The CLI proper as ES modules split into chunks (dist/cli-chunk-*.mjs,
    // beside the other bundles so __dirname-relative files such as
    // drift-worker.js resolve the same): each command is loaded when it
    // runs, so a start reads and compiles only what that command needs.
    entryPoints: { cli: 'src/cli/bin.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'cli-chunk-[hash]',
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['vscode', ...nativeOptional],
    // CommonJS dependencies call require(); the core reads __dirname/__filename.
    banner: { js: esmCjsShim },
  },
];

for (const t of nodeTargets) t.plugins ??= [precompiledSchemaLoader];

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

if (clean) {
  for (const d of ['dist', 'media/webview']) rmSync(path.join(root, d), { recursive: true, force: true });
}

if (watch) {
  for (const t of targets) (await esbuild.context(t)).watch();
} else {
  // Chunk names carry a content hash: drop the previous build's.
  const dist = path.join(root, 'dist');
  if (existsSync(dist)) for (const f of readdirSync(dist)) if (f.startsWith('cli-chunk-')) rmSync(path.join(dist, f));
  await Promise.all(targets.map((t) => esbuild.build(t)));
  const cli = path.join(root, 'dist', 'cli.js');
  if (existsSync(cli)) chmodSync(cli, 0o755);
}
