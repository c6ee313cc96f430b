/**
 * The `mlci` command: a table of subcommands over the same core the
 * extension uses. Parses arguments with node:util, prints help, and turns
 * every error into one clear line and an exit code (no stack traces unless
 * MLCI_DEBUG=1).
 */
import { parseArgs } from 'node:util';
import pkg from '../../package.json';
import type { CliIo, Command } from './command';
import { driftCommand } from './commands/drift';
import { exportCommand } from './commands/export';
import { triggersCommand } from './commands/triggers';
import { hookCommand, pushCommand, verifyCommand } from './commands/verify';
import { expCommand } from './commands/exp';
import { sweepCommand } from './commands/sweep';
import { logsCommand } from './commands/logs';
import { runCommand } from './commands/run';
import { runsCommand } from './commands/runs';
import { statusCommand } from './commands/status';
import { validateCommand } from './commands/validate';
import { CliError, EXIT } from './errors';
import { FixableError, describeFsError, fsErrorFile, isFsError } from '../core/fixable-error';

const COMMANDS: Command[] = [validateCommand, runCommand, statusCommand, runsCommand, logsCommand, expCommand, sweepCommand, driftCommand, verifyCommand, pushCommand, hookCommand, exportCommand, triggersCommand];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `mlci ${pkg.version}: CI/CD for machine learning pipelines (mlci.yaml)

Usage: mlci <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

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

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    const target = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.out(target ? commandHelp(target) : mainHelp());
    return EXIT.ok;
  }
  if (name === '-v' || name === '--version' || name === 'version') {
    io.out(pkg.version);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`mlci: unknown command '${name}'. Run 'mlci --help' for the list of commands.`);
    return EXIT.usage;
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
export function reportError(command: Pick<Command, 'name' | 'errorExit'>, e: unknown, io: Pick<CliIo, 'err' | 'env'>): number {
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

if (require.main === module) {
  // `mlci runs | head`: a closed pipe ends the command quietly.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  const io: CliIo = {
    out: (l) => process.stdout.write(l + '\n'),
    err: (l) => process.stderr.write(l + '\n'),
    cwd: process.cwd(),
    env: process.env,
    isTTY: !!process.stdout.isTTY,
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
      // Exit once output is flushed: a helper thread or port left referenced
      // (the hash stat worker on large trees) must not keep a finished
      // command alive.
      process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
    },
    (e) => {
      process.stderr.write(`mlci: internal error (a bug in mlci; please report it): ${(e as Error)?.message ?? String(e)}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}
