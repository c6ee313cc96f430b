/**
 * The extensionTestsPath module for the real VS Code host: runs mocha (bdd)
 * over every bundled test/vscode/suite/**\/*.test.ts inside the extension
 * host, prints a spec report and ends with the plain line `N passed, N failed`.
 * Rejects when a test fails (the workbench then exits with code 1).
 *
 * Output path: in a test run the workbench sends extension-host console output
 * to its log service (not to the page console as such), which prints it in the
 * page console when the payload asks for logLevel info; the log service does
 * not apply printf-style formats and mixes in the workbench's own messages.
 * So while the tests run, console.log/info/warn/error/debug in this host
 * (tests, mocha's reporter, the extension under test) print one preformatted
 * string prefixed with MARK; scripts/test-vscode.mjs streams those lines.
 *
 * Environment (set on code-server by scripts/test-vscode.mjs; the extension
 * host inherits it):
 *   MLCI_TEST_GREP     only tests whose full title matches this pattern
 *   MLCI_TEST_TIMEOUT  per-test timeout in ms (default 30000)
 *   MLCI_TEST_TRUST    'trusted' or 'restricted' (what the run asked for)
 *   MLCI_TEST_OPEN_VIEW a view to open before any test loads (the activation
 *                      bench: a window that starts with the Pipelines view open)
 */
import { findSourceMap, type SourceMapping } from 'node:module';
import path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';
import tests from 'mlci:vscode-tests';
import * as vscode from 'vscode';

/** Prefix of every line the harness streams as `[ext-host] ...` (keep in sync with scripts/test-vscode.mjs). */
export const MARK = '[mlci-test] ';

const { EVENT_RUN_END } = Mocha.Runner.constants;
const { EVENT_FILE_PRE_REQUIRE, EVENT_FILE_REQUIRE, EVENT_FILE_POST_REQUIRE } = Mocha.Suite.constants;

/** Mocha's spec reporter plus the closing summary line. */
class SpecWithSummary extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats;
      const skipped = s?.pending ? `, ${s.pending} skipped` : '';
      console.log(`${s?.passes ?? 0} passed, ${s?.failures ?? 0} failed${skipped}`);
    });
  }
}

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug';

/**
 * Route console output through MARK-prefixed, preformatted lines; returns the
 * undo. The host pins console.log & co. (defineProperty with a no-op setter),
 * so the global `console` object itself is swapped for one that delegates.
 */
function markConsole(): () => void {
  const original = globalThis.console;
  const marked = Object.create(original) as Console;
  for (const m of ['log', 'info', 'warn', 'error', 'debug'] as ConsoleMethod[]) {
    const method = original[m];
    Object.defineProperty(marked, m, {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => method.call(original, format(...args).split('\n').map((l) => MARK + l).join('\n')),
    });
  }
  const savedReporterLog = Mocha.reporters.Base.consoleLog;
  globalThis.console = marked;
  // mocha's reporters captured console.log when mocha loaded.
  Mocha.reporters.Base.consoleLog = marked.log;
  return () => {
    globalThis.console = original;
    Mocha.reporters.Base.consoleLog = savedReporterLog;
  };
}

/**
 * Stack traces through the bundle's source map (suite.js enabled Node's source
 * maps before loading the bundle; the host's own Error.prepareStackTrace does
 * not apply them), so failures point at test/vscode/suite/*.ts lines.
 */
function mapStacks(): () => void {
  const cwd = path.resolve(__dirname, '..', '..');
  const where = (site: NodeJS.CallSite): string => {
    const file = site.getFileName() ?? '<anonymous>';
    const line = site.getLineNumber() ?? 0;
    const col = site.getColumnNumber() ?? 0;
    const entry = (file.endsWith('.bundle.js') ? findSourceMap(file)?.findEntry(line - 1, col - 1) : undefined) as Partial<SourceMapping> | undefined;
    if (entry?.originalSource && entry.originalLine !== undefined && entry.originalColumn !== undefined) {
      const src = entry.originalSource.replace(/^file:\/\//, '');
      return `${path.isAbsolute(src) ? path.relative(cwd, src) : src}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    }
    return `${file}:${line}:${col}`;
  };
  Error.prepareStackTrace = (err: Error, sites: NodeJS.CallSite[]) =>
    `${err.name}: ${err.message}` +
    sites.map((s) => {
      const fn = s.getFunctionName() ?? s.getMethodName();
      return `\n    at ${fn ? `${fn} (${where(s)})` : where(s)}`;
    }).join('');
  return () => {
    // The host's setter puts its own formatter back.
    (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
  };
}

export async function run(): Promise<void> {
  // First thing, before mocha loads the tests: as close to the window's start as a test can get.
  if (process.env.MLCI_TEST_OPEN_VIEW) void vscode.commands.executeCommand(`${process.env.MLCI_TEST_OPEN_VIEW}.focus`);
  const restoreConsole = markConsole();
  const restoreStacks = mapStacks();
  try {
    const mocha = new Mocha({
      ui: 'bdd',
      color: false,
      timeout: Number(process.env.MLCI_TEST_TIMEOUT) || 30_000,
      reporter: SpecWithSummary,
    });
    if (process.env.MLCI_TEST_GREP) mocha.grep(process.env.MLCI_TEST_GREP);
    console.log(
      `mlci extension-host tests: ${tests.length} file(s), ${vscode.env.appName} ${vscode.version}` +
        `, ${process.env.MLCI_TEST_TRUST ?? 'trusted'} workspace` +
        (process.env.MLCI_TEST_GREP ? `, grep /${process.env.MLCI_TEST_GREP}/` : ''),
    );

    // What mocha.loadFiles() does, for files that are already bundled.
    const context = globalThis as unknown as Mocha.MochaGlobals;
    for (const t of tests) {
      mocha.suite.emit(EVENT_FILE_PRE_REQUIRE, context, t.file, mocha);
      try {
        mocha.suite.emit(EVENT_FILE_REQUIRE, t.load(), t.file, mocha);
      } catch (err) {
        // A file that throws while loading is one failing test, not a lost run.
        mocha.suite.addTest(new Mocha.Test(`${t.file} loads`, () => {
          throw err;
        }));
      }
      mocha.suite.emit(EVENT_FILE_POST_REQUIRE, context, t.file, mocha);
    }

    const failures = await new Promise<number>((resolve) => mocha.run(resolve));
    if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
  } finally {
    restoreStacks();
    restoreConsole();
  }
}
