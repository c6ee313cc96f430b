/**
 * dist/cli.js, the `mlci` bin: a few lines of CommonJS that turn on Node's
 * compile cache where this Node has one (module.enableCompileCache, Node
 * 22.1+; later starts reuse the compiled code of the chunks) and load the
 * ES module bundle dist/cli.mjs, whose commands are chunks of their own
 * loaded on demand (scripts/build.mjs). Node 20 has no compile cache: it
 * compiles the chunks a command needs on every start.
 */
import module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// cli.mjs reports its own errors and sets the exit code.
void import(pathToFileURL(path.join(__dirname, 'cli.mjs')).href);
