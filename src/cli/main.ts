/**
 * The `mlci` command: a table of subcommands over the same core the
 * extension uses. Parses arguments with node:util, prints help, and turns
 * every error into one clear line and an exit code (no stack traces unless
 * MLCI_DEBUG=1).
 */
import { parseArgs } from 'node:util';
import { version } from '../../package.json';
import type { CliIo, Command } from './command';
import { CliError, EXIT } from './errors';
import { FixableError, describeFsError, fsErrorFile, isFsError } from '../core/fixable-error';
import type { CliEvent } from '../protocol/cli-events';
import { CLI_EVENTS_VERSION } from '../protocol/cli-events';

/**
 * The command table: each command's module is loaded only when it runs (the
 * bundle splits them into chunks, scripts/build.mjs), so `mlci --version`
 * or `mlci validate` never reads Docker, git or drift code. The main help
 * loads them all for their summaries.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  init: async () => (await import('./commands/init')).initCommand,
  install: async () => (await import('./commands/install')).installCommand,
  validate: async () => (await import('./commands/validate')).validateCommand,
  dag: async () => (await import('./commands/dag')).dagCommand,
  run: async () => (await import('./commands/run')).runCommand,
  build: async () => (await import('./commands/build')).buildCommand,
  status: async () => (await import('./commands/status')).statusCommand,
  runs: async () => (await import('./commands/runs')).runsCommand,
  logs: async () => (await import('./commands/logs')).logsCommand,
  exp: async () => (await import('./commands/exp')).expCommand,
  sweep: async () => (await import('./commands/sweep')).sweepCommand,
  drift: async () => (await import('./commands/drift')).driftCommand,
  importance: async () => (await import('./commands/importance')).importanceCommand,
  plots: async () => (await import('./commands/plots')).plotsCommand,
  verify: async () => (await import('./commands/verify')).verifyCommand,
  push: async () => (await import('./commands/verify')).pushCommand,
  deliver: async () => (await import('./commands/deliver')).deliverCommand,
  hook: async () => (await import('./commands/verify')).hookCommand,
  export: async () => (await import('./commands/export')).exportCommand,
  triggers: async () => (await import('./commands/triggers')).triggersCommand,
  import: async () => (await import('./commands/import')).importCommand,
  checkout: async () => (await import('./commands/checkout')).checkoutCommand,
  cache: async () => (await import('./commands/cache')).cacheCommand,
};

function loadCommand(name: string | undefined): Promise<Command> | undefined {
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name]!() : undefined;
}

async function mainHelp(): Promise<string> {
  const all = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  const width = Math.max(...all.map((c) => c.name.length));
  return `mlci ${version}: CI/CD for machine learning pipelines (mlci.yaml)

Usage: mlci <command> [options]

Commands:
${all.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Options:
  -h, --help     show help (also: mlci <command> --help)
  -v, --version  print the version

Exit codes: 0 success, 1 checks failed (problems, failed stages, drift), 2 usage or I/O error
(run, verify, push: 2 a gate failed, 3 could not run; 130 cancelled), 70 internal error
(a bug in mlci: please report it with the output of MLCI_DEBUG=1); see each command's --help.`;
}

export const INTERNAL_EXIT_HELP = 'Exit code 70: internal error (a bug in mlci: please report it with the output of MLCI_DEBUG=1).';

export function commandHelp(c: Command): string {
  return `Usage: ${c.usage}\n\n${c.help}\n\n${INTERNAL_EXIT_HELP}`;
}

/**
 * `--events`: JSON lines on standard output (src/protocol/cli-events.ts),
 * human lines on standard error; starts with `hello`, ends with `exit`.
 */
async function withEvents(command: Command, rest: string[], io: CliIo): Promise<number> {
  const emit = (e: CliEvent) => io.out(JSON.stringify(e));
  const eventIo: CliIo = {
    ...io,
    out: io.err,
    isTTY: false,
    event: emit,
    err: (line) => {
      io.err(line);
      emit({ type: 'note', level: 'warning', text: line });
    },
  };
  emit({ type: 'hello', protocol: CLI_EVENTS_VERSION, version, command: command.name });
  const code = await main([command.name, ...rest], eventIo);
  emit({ type: 'exit', code });
  return code;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    const target = name === 'help' ? await loadCommand(rest[0]) : undefined;
    io.out(target ? commandHelp(target) : await mainHelp());
    return EXIT.ok;
  }
  if (name === '-v' || name === '--version' || name === 'version') {
    io.out(version);
    return EXIT.ok;
  }
  const command = await loadCommand(name);
  if (!command) {
    io.err(`mlci: unknown command '${name}'. Run 'mlci --help' for the list of commands.`);
    return EXIT.usage;
  }
  if (rest.includes('--events')) {
    if (!command.events) {
      io.err(`mlci ${command.name}: --events is not supported by this command (run, sweep, verify and push support it)`);
      return EXIT.usage;
    }
    return withEvents(command, rest.filter((a) => a !== '--events'), io);
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    io.out(commandHelp(command));
    return EXIT.ok;
  }
  // MLCI_EXECUTOR sets the default --executor (e.g. for the pre-push hook, or CI without Docker).
  const env = io.env.MLCI_EXECUTOR;
  const args = env && 'executor' in command.options && !rest.some((a) => a === '--executor' || a.startsWith('--executor=')) ? [...rest, '--executor', env] : rest;
  let parsed;
  try {
    parsed = parseArgs({ args: command.preprocess ? command.preprocess(args) : args, options: command.options, allowPositionals: command.allowPositionals, strict: true });
  } catch (e) {
    io.err(`mlci ${command.name}: ${(e as Error).message.replace(/\. To specify a positional argument.*$/, '')}`);
    io.err(`Usage: ${command.usage}`);
    return EXIT.usage;
  }
  try {
    return await command.run(parsed as { values: Record<string, unknown>; positionals: string[] }, io);
  } catch (e) {
    return reportError(command, e, io);
  }
}

/**
 * One line for an error that ended a command, and its exit code. Errors the
 * user can fix (CliError, FixableError, a file-system error naming its
 * file, a plain Error with its message) get the command's error exit; a
 * programming error (TypeError, RangeError such as a stack overflow...) is
 * an internal error with its own code, never mistaken for a gate failure.
 */
export function reportError(command: Pick<Command, 'name' | 'errorExit'>, e: unknown, io: Pick<CliIo, 'err' | 'env' | 'event'>): number {
  const code = errorCode(command, e, io);
  // --events: the extension learns why the command ended without parsing text.
  io.event?.({ type: 'error', message: (e as Error)?.message ?? String(e), exitCode: code, ...(code === EXIT.internal ? { internal: true } : {}) });
  return code;
}

function errorCode(command: Pick<Command, 'name' | 'errorExit'>, e: unknown, io: Pick<CliIo, 'err' | 'env'>): number {
  const errorExit = command.errorExit ?? EXIT.usage;
  if (io.env.MLCI_DEBUG) io.err(String((e as Error)?.stack ?? e));
  if (e instanceof CliError) {
    io.err(`mlci ${command.name}: ${e.message}`);
    return e.exitCode;
  }
  if (e instanceof FixableError) {
    io.err(`mlci ${command.name}: ${e.message}`);
    return errorExit;
  }
  if (isFsError(e) && e.path) {
    io.err(`mlci ${command.name}: ${describeFsError(fsErrorFile(e, e.path), e, e.syscall === 'open' || e.syscall === 'read' || e.syscall === 'scandir' ? 'read' : 'write')}`);
    return errorExit;
  }
  if (isInternal(e)) {
    io.err(`mlci ${command.name}: internal error (a bug in mlci; please report it with the output of MLCI_DEBUG=1 mlci ${command.name} ...): ${(e as Error)?.message ?? String(e)}`);
    return EXIT.internal;
  }
  io.err(`mlci ${command.name}: ${(e as Error).message}`);
  return errorExit;
}

/** Errors that only a bug produces: wrong types, stack overflows, assertion failures, non-Error throws. */
function isInternal(e: unknown): boolean {
  if (!(e instanceof Error)) return true;
  return e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || e instanceof EvalError || e.name === 'AssertionError';
}

